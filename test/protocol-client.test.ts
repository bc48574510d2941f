/**
 * The [MS-WSUSSS] client against a replay server answering with the real recorded responses of a
 * Windows Server 2025 WSUS, and against misbehaving servers on loopback (faults, 5xx, timeouts,
 * truncated and oversized answers), through a proxy, and over HTTPS with a private CA.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import { InvalidDataError, SoapFaultError, UpstreamError } from '../src/errors.js';
import type { FetchedUpdate } from '../src/model/update.js';
import { UpstreamClient } from '../src/protocol/client.js';
import { warmUpAnswer } from '../src/protocol/parse-warm-up.js';
import { packUpdateData, readStorableUpdateData, readUpdateDataResponse, unpackUpdateData, updateBlob } from '../src/protocol/update-data.js';
import { compressMetadata } from '../src/model/deflated-xml.js';
import { storedXmlText } from '../src/protocol/stored-xml.js';
import { generateCorpus } from '../src/dev/corpus.js';
import { encodeUpdateBlob } from '../src/protocol/cab/index.js';
import { type GetUpdateDataResponse, buildResponse, parseResponse } from '../src/protocol/soap/index.js';
import { wsusssRecorded } from './helpers/fixtures.js';
import { runCli, tempDir } from './helpers/cli.js';
import { runCommandLine } from './helpers/in-process.js';
import { expectRejection } from './helpers/expect.js';
import { connectProxy, makeCertificate } from './helpers/servers.js';
import { type ReplayServer, startReplayServer } from './helpers/replay-server.js';
import { loadExchanges } from './helpers/wsusss.js';

const fastRetry = { limit: 2, baseDelayMs: 10, maxDelayMs: 20 };
const identity = { accountName: 'cs1.contoso.test', accountGuid: crypto.randomUUID() };
const defender = '8c3fcc84-7410-4a95-8b89-a166a0190486';
const definitionUpdates = 'e0789628-ce08-4437-be74-2495b842f43b';
const doc = (name: string) => fs.readFileSync(path.join(wsusssRecorded, 'docs', name), 'utf8');

describe('UpstreamClient against the recorded real WSUS responses', () => {
  let replay: ReplayServer;
  let client: UpstreamClient;
  beforeEach(async () => {
    replay = await startReplayServer();
    client = new UpstreamClient({ baseUrl: replay.url, ...identity, retry: fastRetry, timeoutMs: 5000 });
  });
  afterEach(async () => {
    await client.close();
    await replay.close();
  });

  it('completes the handshake in the call order and reads the configuration', async () => {
    const config = await client.config();
    expect(replay.calls).to.deep.equal(['GetAuthConfig', 'GetAuthorizationCookie', 'GetCookie', 'GetConfigData']);
    expect(config.maxNumberOfUpdatesPerRequest).to.equal(100);
    expect(config.protocolVersion).to.equal('1.20');
    expect(config.lazySync).to.equal(true);
    expect(config.catalogOnlySync).to.equal(false);
    expect(config.languages).to.have.length(39);
    expect(config.languages.filter((l) => l.enabled).map((l) => l.shortLanguage)).to.deep.equal(['en']);
  });

  it('lists category and update revisions with the new anchor', async () => {
    const categories = await client.getRevisionIdList({ getConfig: true });
    expect(categories.newRevisions).to.have.length(30);
    const updates = await client.getRevisionIdList({ getConfig: false, categories: [{ id: defender, delta: false }], classifications: [{ id: definitionUpdates, delta: false }] });
    expect(updates.newRevisions).to.have.length(30);
    expect(updates.anchor).to.match(/^9438,2026-10-04 16:\d\d:\d\d\.\d{3}$/);
    const delta = await client.getRevisionIdList({
      getConfig: false,
      anchor: updates.anchor,
      categories: [{ id: defender, delta: true }],
      classifications: [{ id: definitionUpdates, delta: true }],
    });
    expect(delta.newRevisions).to.have.length(0);
  });

  const documents: [string, number, string][] = [
    ['a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', 200, 'bundle, compressed'],
    ['266f6222-c89d-43f2-9f8a-69340271e677', 200, 'leaf with a file, compressed'],
    ['ccb78947-6453-4ecc-9de8-bc0305c98f2d', 200, 'small leaf, plain'],
    ['56309036-4c77-4dd9-951a-99ee9c246a94', 101, 'category, compressed'],
  ];
  for (const [updateId, revision, what] of documents) {
    it(`fetches ${updateId} (${what}) and decodes it byte-identical to the reference document`, async () => {
      const batch = await client.getUpdateData([{ updateId, revisionNumber: revision }]);
      expect(batch.updates).to.have.length(1);
      const update = batch.updates[0]!;
      expect(update.updateId).to.equal(updateId);
      expect(update.revisionNumber).to.equal(revision);
      expect(Buffer.from(update.xml, 'utf8').equals(Buffer.from(doc(`${updateId}-r${revision}.xml`), 'utf8'))).to.equal(true);
    });
  }

  for (const reader of ['the parse worker', 'the calling thread'] as const) {
    it(`fetches for storing through ${reader}: a cabinet kept as the wire carried it, plain XML deflated, each read back byte-identical, URLs joined, languages kept`, async () => {
      if (reader === 'the parse worker') client.prepareFetch();
      // One update per request, so each recorded answer is a batch of its own.
      replay.override = (message) => {
        if (message.operation !== 'GetConfigData') return undefined;
        const { status, response } = loadExchanges().find((e) => e.key === 'exchanges/000005')!;
        return { status, body: response.replace('<MaxNumberOfUpdatesPerRequest>100<', '<MaxNumberOfUpdatesPerRequest>1<') };
      };
      const fetched = new Map<string, { xml: string; size: number; update: FetchedUpdate }>();
      // The recorded answers' cabinets (LZX, as Windows sends them), base64 decoded.
      const wire = new Map(
        loadExchanges()
          .filter((e) => e.operation === 'GetUpdateData' && e.status === 200)
          .flatMap((e) => (parseResponse('GetUpdateData', e.response) as GetUpdateDataResponse).updates)
          .flatMap((u) => (u.xmlUpdateBlobCompressed ? [[u.updateId, Buffer.from(u.xmlUpdateBlobCompressed, 'base64')] as const] : [])),
      );
      const lastFlags: boolean[] = [];
      await client.fetchUpdates(
        documents.map(([updateId, revisionNumber]) => ({ updateId, revisionNumber })),
        (batch, last) => {
          lastFlags.push(last);
          for (const update of batch.updates) fetched.set(update.updateId, { xml: storedXmlText(update.storedXml, update.updateId), size: update.storedXml.size, update });
        },
        ['de'],
      );
      expect(lastFlags).to.deep.equal([false, false, false, true]);
      for (const [updateId, revision] of documents) {
        const reference = doc(`${updateId}-r${revision}.xml`);
        expect(fetched.get(updateId)!.xml).to.equal(reference);
        expect(fetched.get(updateId)!.size).to.equal(Buffer.byteLength(reference));
        const stored = fetched.get(updateId)!.update.storedXml;
        if (wire.has(updateId)) expect(stored).to.include({ format: 'cabinet' }).and.have.property('bytes').that.deep.equals(wire.get(updateId));
        else expect(stored.format).to.equal('deflate');
      }
      expect([...wire.keys()].filter((id) => fetched.has(id))).to.have.length(3);
      expect(fetched.get('266f6222-c89d-43f2-9f8a-69340271e677')!.update.files[0]!.url).to.match(/^http:\/\/.*windowsupdate\.com\/.*am_delta/i);
      expect(fetched.get('a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe')!.update.localized.map((l) => l.language)).to.deep.equal(['en', 'de']);
      expect(fetched.get('a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe')!.update.bundledUpdates).to.have.length(124);
    });
  }

  it('brings typed errors back from the parse worker, and re-authenticates on a refused cookie during the fetch', async () => {
    client.prepareFetch();
    const ids = documents.map(([updateId, revisionNumber]) => ({ updateId, revisionNumber }));
    const answer = loadExchanges().find((e) => e.key === 'exchanges/000014')!.response;
    replay.override = (message) => (message.operation === 'GetUpdateData' ? { status: 200, body: answer.replace('<UpdateID>', '<UpdateID>x') } : undefined);
    const malformed = await expectRejection(client.fetchUpdates(ids, () => undefined), InvalidDataError);
    expect(malformed.code).to.be.a('string').and.not.equal('InternalError');
    expect(malformed.message).to.match(/UpdateID|GUID|guid/);

    const invalidCookie = loadExchanges().find((e) => e.key === 'exchanges/000019')!;
    let refused = false;
    replay.override = (message) => {
      if (message.operation !== 'GetUpdateData' || refused) return undefined;
      refused = true;
      return { status: 500, body: invalidCookie.response };
    };
    const cookiesBefore = replay.calls.filter((c) => c === 'GetCookie').length;
    let stored = 0;
    await client.fetchUpdates(ids, (batch) => {
      stored += batch.updates.length;
    });
    expect(stored).to.be.greaterThan(0);
    expect(replay.calls.filter((c) => c === 'GetCookie').length - cookiesBefore).to.equal(1);
  });

  it('joins file download URLs to files by digest and parses the bundle', async () => {
    const leaf = (await client.getUpdateData([{ updateId: '266f6222-c89d-43f2-9f8a-69340271e677', revisionNumber: 200 }])).updates[0]!;
    expect(leaf.files).to.have.length(1);
    expect(leaf.files[0]).to.include({ fileName: 'AM_Delta.exe', size: 11606440, digest: 'h/W9BGlYUAaqXTp30cZi/SiV3c0=' });
    expect(leaf.files[0]!.url).to.match(/^http:\/\/.*windowsupdate\.com\/.*am_delta/i);
    const bundle = (await client.getUpdateData([{ updateId: 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', revisionNumber: 200 }])).updates[0]!;
    expect(bundle.kbArticleId).to.equal('2267602');
    expect(bundle.bundledUpdates).to.have.length(124);
    expect(bundle.localized).to.have.length(35);
  });

  it('keeps only the selected languages when asked', async () => {
    const bundle = (await client.getUpdateData([{ updateId: 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', revisionNumber: 200 }], ['de'])).updates[0]!;
    expect(bundle.localized.map((l) => l.language)).to.deep.equal(['en', 'de']);
  });

  it('maps the recorded InternalServerError fault for an unknown update, without retrying it', async () => {
    await client.config();
    const before = replay.calls.length;
    const error = await expectRejection(client.getUpdateData([{ updateId: '00000000-0000-0000-0000-000000000000', revisionNumber: 1 }]), SoapFaultError);
    expect(error.faultCode).to.equal('InternalServerError');
    expect(error.code).to.equal('WsusInternalServerError');
    expect(replay.calls.length - before).to.equal(1);
  });

  it('maps the recorded InvalidParameters fault for a malformed anchor', async () => {
    const error = await expectRejection(client.getRevisionIdList({ getConfig: false, anchor: 'garbage' }), SoapFaultError);
    expect(error.faultCode).to.equal('InvalidParameters');
    expect(error.faultMessage).to.equal('filter');
  });

  it('re-authenticates once on the recorded InvalidCookie fault and succeeds', async () => {
    const invalidCookie = loadExchanges().find((e) => e.key === 'exchanges/000019')!;
    let refused = false;
    replay.override = (message) => {
      if (message.operation === 'GetRevisionIdList' && !refused) {
        refused = true;
        return { status: 500, body: invalidCookie.response };
      }
      return undefined;
    };
    const list = await client.getRevisionIdList({ getConfig: true });
    expect(list.newRevisions).to.have.length(30);
    expect(replay.calls.filter((c) => c === 'GetCookie')).to.have.length(2);
  });

  it('gives up with InvalidCookie when the server keeps refusing the cookie', async () => {
    const invalidCookie = loadExchanges().find((e) => e.key === 'exchanges/000019')!;
    replay.override = (message) => (message.operation === 'GetRevisionIdList' ? { status: 500, body: invalidCookie.response } : undefined);
    const error = await expectRejection(client.getRevisionIdList({ getConfig: true }), SoapFaultError);
    expect(error.faultCode).to.equal('InvalidCookie');
  });

  it('retries ServerBusy and HTTP 503 with backoff, then succeeds', async () => {
    const busy = loadExchanges()
      .find((e) => e.key === 'exchanges/000017')!
      .response.replace('InternalServerError', 'ServerBusy');
    replay.override = (message, call) => {
      if (message.operation !== 'GetConfigData') return undefined;
      return call === 4 ? { status: 500, body: busy } : call === 5 ? { status: 503, body: 'Service Unavailable' } : undefined;
    };
    const config = await client.config();
    expect(config.maxNumberOfUpdatesPerRequest).to.equal(100);
    expect(replay.calls.filter((c) => c === 'GetConfigData')).to.have.length(3);
  });

  it('stops retrying after the bound and reports the failure as transient', async () => {
    replay.override = (message) => (message.operation === 'GetConfigData' ? { status: 502, body: 'Bad Gateway' } : undefined);
    const error = await expectRejection(client.config(), UpstreamError);
    expect(error.code).to.equal('UpstreamHttpError');
    expect(error.transient).to.equal(true);
    expect(replay.calls.filter((c) => c === 'GetConfigData')).to.have.length(fastRetry.limit + 1);
  });

  it('refuses a truncated or malformed answer with a typed error', async () => {
    const good = loadExchanges().find((e) => e.key === 'exchanges/000005')!.response;
    replay.override = (message) => (message.operation === 'GetConfigData' ? { status: 200, body: good.slice(0, good.length / 2) } : undefined);
    const error = await expectRejection(client.config(), InvalidDataError);
    expect(error.code).to.match(/^(XmlMalformed|SoapMalformed)$/);
  });
});

describe('UpstreamClient transport', () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });
  const listen = (server: http.Server): Promise<string> =>
    new Promise((resolve) => {
      servers.push(server);
      server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`));
    });

  it('times out a server that never answers, as a transient OperationTimeout', async () => {
    const host = await listen(http.createServer(() => undefined));
    const client = new UpstreamClient({ baseUrl: `http://${host}`, ...identity, timeoutMs: 200, retry: { limit: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    const error = await expectRejection(client.config(), UpstreamError);
    expect(error.code).to.equal('UpstreamTimeout');
    expect(error.category).to.equal('OperationTimeout');
  });

  it('reports a server that is down as unreachable', async () => {
    const host = await listen(http.createServer());
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    const client = new UpstreamClient({ baseUrl: `http://${host}`, ...identity, retry: { limit: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    const error = await expectRejection(client.config(), UpstreamError);
    expect(error.code).to.equal('UpstreamUnreachable');
    expect(error.message).to.contain(host);
  });

  it('refuses an answer over the size bound', async () => {
    const host = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end('<x>' + 'a'.repeat(200_000) + '</x>');
      }),
    );
    const client = new UpstreamClient({ baseUrl: `http://${host}`, ...identity, maxResponseBytes: 10_000, retry: fastRetry });
    const error = await expectRejection(client.config(), UpstreamError);
    expect(error.code).to.equal('UpstreamResponseTooLarge');
  });

  it('goes through an HTTP proxy (CONNECT tunnel) with credentials', async () => {
    const replay = await startReplayServer();
    const seen: string[] = [];
    const proxy = await connectProxy((target, authorization) => seen.push(`CONNECT ${target} ${authorization}`));
    const proxyHost = proxy.host;
    try {
      const client = new UpstreamClient({ baseUrl: replay.url, ...identity, proxy: { url: `http://${proxyHost}`, username: 'svc-sup', password: 'p@ss word' }, retry: fastRetry });
      expect((await client.config()).maxNumberOfUpdatesPerRequest).to.equal(100);
      expect(seen.length).to.be.greaterThan(0);
      expect(seen[0]).to.equal(`CONNECT ${replay.url.replace('http://', '')} Basic ${Buffer.from('svc-sup:p@ss word').toString('base64')}`);
      expect(replay.calls).to.deep.equal(['GetAuthConfig', 'GetAuthorizationCookie', 'GetCookie', 'GetConfigData']);
    } finally {
      await proxy.close();
      await replay.close();
    }
  });

  it('verifies HTTPS certificates: refused by default, trusted with the CA bundle', async function () {
    const certificate = makeCertificate(tempDir());
    if (!certificate) {
      this.test!.title += ' [SKIPPED: openssl is not available to make a certificate]';
      this.skip();
    }
    const replay = await startReplayServer();
    const tls = https.createServer({ key: certificate!.key, cert: certificate!.cert }, (req, res) => {
      const forward = http.request(`${replay.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forward);
    });
    const host = await listen(tls);
    try {
      const untrusted = new UpstreamClient({ baseUrl: `https://${host}`, ...identity, retry: fastRetry });
      const error = await expectRejection(untrusted.config(), UpstreamError);
      expect(error.message).to.match(/certificate/i);
      expect(error.transient).to.equal(false);
      const trusted = new UpstreamClient({ baseUrl: `https://${host}`, ...identity, caFile: certificate!.certFile, retry: fastRetry });
      expect((await trusted.config()).protocolVersion).to.equal('1.20');
    } finally {
      await replay.close();
    }
  });

  it('decodes both blob forms and refuses an entry without one', () => {
    const plain = '<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"/>';
    expect(updateBlob({ updateId: 'x', revisionNumber: 1, xmlUpdateBlob: plain, fileDigestList: [] }, 'update x revision 1').xml).to.equal(plain);
    expect(() => updateBlob({ updateId: 'x', revisionNumber: 1, fileDigestList: [] }, 'update x revision 1')).to.throw(UpstreamError, /without update XML/);
  });
});

describe('supsync upstream test / get-update (CLI) against the recorded real responses', () => {
  let replay: ReplayServer;
  before(async () => {
    replay = await startReplayServer();
  });
  after(() => replay.close());

  it('reports the handshake and configuration of the upstream', async () => {
    const result = await runCli(tempDir(), ['upstream', 'test', '--url', replay.url]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.records[0]).to.include({
      type: 'SupSync.UpstreamTest',
      ProtocolVersion: '1.20',
      MaxNumberOfUpdatesPerRequest: 100,
      LazySync: true,
      CatalogOnlySync: false,
      CategoryRevisions: 30,
    });
    expect(result.records[0]!.EnabledLanguages).to.deep.equal(['en']);
  });

  it('fetches one update and prints its parsed record', async () => {
    const result = await runCommandLine(tempDir(), ['upstream', 'get-update', '--url', replay.url, '--update-id', 'A2FEF9B0-7951-4C2C-A42B-9E351DD1C1FE', '--revision', '200']);
    expect(result.code, result.stderr).to.equal(0);
    const update = result.records[0]!;
    expect(update).to.include({ type: 'SupSync.UpstreamUpdate', updateId: 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', revisionNumber: 200, kbArticleId: '2267602', updateType: 'Software' });
    expect(update.xmlBytes).to.equal(Buffer.byteLength(doc('a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe-r200.xml')));
  });

  it('maps an unknown update to the recorded fault, and refuses bad arguments', async () => {
    const fault = await runCommandLine(tempDir(), ['upstream', 'get-update', '--url', replay.url, '--update-id', '00000000-0000-0000-0000-000000000000', '--revision', '1']);
    expect(fault.code).to.equal(5);
    expect(fault.records[0]).to.include({ code: 'WsusInternalServerError', category: 'ProtocolError' });
    const notGuid = await runCommandLine(tempDir(), ['upstream', 'get-update', '--url', replay.url, '--update-id', 'KB123', '--revision', '1']);
    expect(notGuid.records[0]).to.include({ code: 'InvalidUpdateId', target: '--update-id' });
    const badUrl = await runCommandLine(tempDir(), ['upstream', 'test', '--url', 'wsus.contoso.com']);
    expect(badUrl.records[0]).to.include({ code: 'InvalidUrl', target: '--url' });
  });
});

describe('the parse worker\'s warm-up answer', () => {
  it('reads like a real answer: a cabinet blob and a plain one, every part of the document', () => {
    const { updates, fileUrls } = unpackUpdateData(packUpdateData(warmUpAnswer(), ['en']));
    expect(updates.map((u) => u.updateId)).to.deep.equal(['00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000010']);
    for (const update of updates) {
      expect(update).to.include({ kbArticleId: '5000000', msrcSeverity: 'Important' });
      expect(update.localized.map((l) => l.language)).to.deep.equal(['en']);
      expect(update.categoryIds).to.have.length(1);
      expect(update.supersededUpdateIds).to.have.length(1);
      expect(update.bundledUpdates).to.have.length(1);
      expect(update.files[0]).to.include({ fileName: 'warm-up.cab', url: 'http://download.windowsupdate.com/warm-up.cab' });
      expect(storedXmlText(update.storedXml, update.updateId)).to.match(/^<upd:Update /);
    }
    expect(updates.map((u) => u.storedXml.format)).to.deep.equal(['cabinet', 'deflate']);
    expect(fileUrls).to.have.length(1);
  });
});

describe('an answer packed by the parse worker and unpacked where it is stored', () => {
  it('stores what the answer read in one thread would: the same fields, cabinets as they came, plain XML deflated byte for byte alike', () => {
    // Localized titles in other scripts: the XML's UTF-8 offsets in the packed buffer differ from its character offsets.
    const documents = [...generateCorpus({ updates: 40, seed: 'packed', generation: 1, localizedLanguages: 5 })];
    expect(documents.some((d) => /[^\x00-\x7f]/.test(d.xml))).to.equal(true);
    const answer = buildResponse({
      operation: 'GetUpdateData',
      updates: documents.map((d, i) => ({
        updateId: d.updateId,
        revisionNumber: d.revisionNumber,
        fileDigestList: [],
        ...(i % 2 === 0 ? { xmlUpdateBlobCompressed: encodeUpdateBlob(d.xml) } : { xmlUpdateBlob: d.xml }),
      })),
      fileUrls: [],
    });
    const read = readUpdateDataResponse(answer).updates;
    const { updates } = unpackUpdateData(packUpdateData(answer));
    expect(updates).to.have.length(documents.length);
    expect(updates.map((u) => u.storedXml)).to.deep.equal(
      documents.map((d, i) =>
        i % 2 === 0 ? { format: 'cabinet', bytes: Buffer.from(encodeUpdateBlob(d.xml), 'base64'), size: Buffer.byteLength(d.xml) } : compressMetadata(d.xml),
      ),
    );
    // What the site database stored before the deflate moved out of the parse worker: zlib's level 1 with its defaults.
    const plain = updates.filter((u) => u.storedXml.format === 'deflate');
    expect(plain.map((u) => u.storedXml.bytes)).to.deep.equal(read.filter((_, i) => i % 2 === 1).map((u) => zlib.deflateRawSync(Buffer.from(u.xml, 'utf8'), { level: 1 })));
    expect(updates.map((u) => storedXmlText(u.storedXml, u.updateId))).to.deep.equal(documents.map((d) => d.xml));
    expect(updates.map(({ storedXml, ...u }) => u)).to.deep.equal(read.map(({ xml, ...u }) => u));
    // A small sync reads its answers in its own thread (no worker): it must store the very same.
    expect(readStorableUpdateData(answer)).to.deep.equal({ updates, fileUrls: [] });
  });
});
