/**
 * [MS-WSUSSS] against real peers (issue 12): what the client sends Microsoft Update and what the
 * SUP endpoint answers a real WSUS downstream, checked against the spec's own schemas (Appendix A,
 * libxml2 through xmllint-wasm), by value against the recordings, and by list membership.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import got from 'got';
import { extractSchemas } from '../scripts/extract-wsusss-schemas.js';
import { SoapFaultError, UpstreamError } from '../src/errors.js';
import { trustedCertificates } from '../src/net/trust.js';
import { UpstreamClient } from '../src/protocol/client.js';
import { wsusLanguageTable } from '../src/protocol/languages.js';
import { buildRequest, parseResponse, type RequestMessage } from '../src/protocol/soap/index.js';
import { isServerBusyFault } from '../src/protocol/transport.js';
import { type RunningEndpoint, SupEndpoint } from '../src/server/sup-endpoint.js';
import { syncSite } from '../src/sync/engine.js';
import { clientFor } from '../src/sync/upstream.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { Home } from '../src/store/home.js';
import { openSiteDb } from '../src/store/site-db.js';
import { SiteStore } from '../src/store/site-store.js';
import { updateSiteControl } from '../src/store/site-file.js';
import { tempDir } from './helpers/cli.js';
import { runCommandLine } from './helpers/in-process.js';
import { cli, upstreamHome } from './helpers/hierarchy.js';
import { repoRoot } from './helpers/fixtures.js';
import { contentUpdate, defender, definitionUpdates, kb2267602, leaves, recordingProxy, seededSite } from './helpers/recorded-site.js';
import { SchemaLog, schemaDir, schemaErrors, serviceOf } from './helpers/schema.js';
import { makeCertificate } from './helpers/servers.js';
import { loadExchanges } from './helpers/wsusss.js';

const specFile = path.resolve(repoRoot, '..', 'shared', 'reference', 'MS-WSUSSS.md');
const identity = { accountName: 'wsus-downstream.contoso.test', accountGuid: '4f4ee2b1-7c38-4b8b-9d0e-7d5a4c0f3a11' };
const noRetry = { limit: 0, baseDelayMs: 1, maxDelayMs: 1 };

async function post(url: string, message: RequestMessage | string, soapAction?: string): Promise<{ status: number; body: string }> {
  const request = typeof message === 'string' ? { body: message, soapAction: soapAction! } : buildRequest(message);
  const response = await got.post(url, { body: request.body, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: request.soapAction }, throwHttpErrors: false, retry: { limit: 0 } });
  return { status: response.statusCode, body: response.body };
}

/** A session cookie from an endpoint, by the real handshake. */
async function handshake(url: string) {
  const sync = `${url}/ServerSyncWebService/ServerSyncWebService.asmx`;
  const auth = parseResponse('GetAuthorizationCookie', (await post(`${url}/DssAuthWebService/DssAuthWebService.asmx`, { operation: 'GetAuthorizationCookie', ...identity })).body);
  const { cookie } = parseResponse('GetCookie', (await post(sync, { operation: 'GetCookie', authCookies: [{ plugInId: auth.plugInId, cookieData: auth.cookieData }], protocolVersion: '1.20' })).body);
  return { sync, cookie };
}

/** Text of every element of this local name, in document order. */
function texts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<(?:\\w+:)?${name}>([^<]*)</(?:\\w+:)?${name}>`, 'g'))].map((m) => m[1]!);
}

describe('[MS-WSUSSS] schemas of the spec (Appendix A) and the validator', function () {
  this.timeout(120_000);

  it('the committed schemas are what scripts/extract-wsusss-schemas.ts extracts from the spec', function () {
    if (!fs.existsSync(specFile)) this.skip();
    for (const schema of extractSchemas(fs.readFileSync(specFile, 'utf8'))) {
      expect(fs.readFileSync(path.join(schemaDir, schema.file), 'utf8'), schema.file).to.equal(schema.text);
    }
  });

  it('every recorded real answer validates; a request without Get63LanguageOnly does not (the validator is strict)', async () => {
    const log = new SchemaLog();
    for (const e of loadExchanges()) log.add(`${e.key} response`, e.response, serviceOf(e.path));
    expect(await log.invalid()).to.deep.equal([]);
    const old = loadExchanges().find((e) => e.key === 'exchanges-client/001046')!;
    expect((await schemaErrors(old.request, 'sync')).join(' ')).to.contain('Get63LanguageOnly');
  });
});

describe('client → Microsoft Update', function () {
  this.timeout(120_000);
  let db: ReturnType<typeof seededSite>['db'];
  let endpoint: RunningEndpoint;

  before(async () => {
    ({ db } = seededSite());
    endpoint = await new SupEndpoint({ store: new SiteStore(db) }).listen('127.0.0.1', 0);
  });
  after(async () => {
    await endpoint.close();
    db.close();
  });

  it('2, 5: every GetRevisionIdList filter has Get63LanguageOnly; update lists carry the Languages filter (LCIDs of the recorded table)', async () => {
    const proxy = await recordingProxy(endpoint.url);
    try {
      const client = new UpstreamClient({ baseUrl: proxy.url, ...identity, updateLanguages: ['en', 'es', 'ja-nec'] });
      await client.getRevisionIdList({ getConfig: true });
      const first = await client.getRevisionIdList({ getConfig: false, categories: [{ id: defender, delta: false }], classifications: [{ id: definitionUpdates, delta: false }] });
      await client.getRevisionIdList({ getConfig: false, anchor: first.anchor, categories: [{ id: defender, delta: true }], classifications: [{ id: definitionUpdates, delta: true }] });
      const lists = proxy.exchanges.filter((e) => e.request.includes('<GetRevisionIdList'));
      expect(lists).to.have.length(3);
      for (const e of lists) expect(e.request).to.contain('<Get63LanguageOnly>false</Get63LanguageOnly>');
      expect(lists[0]!.request).not.to.contain('<Languages>');
      expect(texts(lists[1]!.request.split('<Languages>')[1]!, 'Id')).to.deep.equal(['1033', '1034', '66577']);
      expect(texts(lists[1]!.request.split('<Languages>')[1]!, 'Delta')).to.deep.equal(['false', 'false', 'false']);
      expect(texts(lists[2]!.request.split('<Languages>')[1]!, 'Delta')).to.deep.equal(['true', 'true', 'true']);
      const log = new SchemaLog();
      for (const e of proxy.exchanges) log.add(`${e.path} request`, e.request, serviceOf(e.path));
      expect(await log.invalid()).to.deep.equal([]);
    } finally {
      await proxy.close();
    }
  });

  it('3: fault codes are read from the fault string too (a .NET/WCF server), so InvalidCookie re-authenticates and ServerBusy backs off', async () => {
    const wcfFault = (code: string) =>
      `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-US">${code}</faultstring></s:Fault></s:Body></s:Envelope>`;
    for (const code of ['InvalidCookie', 'ServerChanged', 'ServerBusy', 'InvalidAuthorizationCookie']) {
      try {
        parseResponse('GetRevisionIdList', wcfFault(code));
        expect.fail('no fault raised');
      } catch (error) {
        expect((error as SoapFaultError).faultCode).to.equal(code);
      }
    }
    expect(isServerBusyFault({ body: wcfFault('ServerBusy') } as never)).to.equal(true);
    expect(isServerBusyFault({ body: wcfFault('InvalidCookie') } as never)).to.equal(false);
    // A server that refuses the first cookie with a string-only InvalidCookie, then answers.
    let refused = 0;
    let busy = 0;
    const proxy = await recordingProxy(endpoint.url, (e) => {
      if (e.request.includes('<GetConfigData') && refused++ === 0) return wcfFault('InvalidCookie');
      if (e.request.includes('<GetRevisionIdList') && busy++ === 0) return wcfFault('ServerBusy');
      return e.response;
    });
    try {
      const client = new UpstreamClient({ baseUrl: proxy.url, ...identity, retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 1 } });
      expect((await client.config()).maxNumberOfUpdatesPerRequest).to.equal(100);
      expect(proxy.exchanges.filter((e) => e.request.includes('<GetCookie')).length).to.equal(2); // re-authenticated
      expect((await client.getRevisionIdList({ getConfig: true })).newRevisions.length).to.be.greaterThan(0);
      expect(busy).to.equal(2); // retried after ServerBusy
    } finally {
      await proxy.close();
    }
  });

  it('5: a revision list may take minutes; other calls time out sooner', async () => {
    // Answers held 0.6 s (a timer never fires early): twice the 0.3 s call timeout, well inside the list timeout.
    const server = http.createServer((req, res) => {
      const forward = () => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          const proxied = http.request(`${endpoint.url}${req.url}`, { method: 'POST', headers: req.headers }, (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (c: Buffer) => parts.push(c));
            answer.on('end', () => {
              const delay = body.includes('<GetRevisionIdList') || body.includes('<GetConfigData') ? 600 : 0;
              setTimeout(() => {
                res.writeHead(answer.statusCode!, { 'content-type': 'text/xml' });
                res.end(Buffer.concat(parts));
              }, delay);
            });
          });
          proxied.end(body);
        });
      };
      forward();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const client = new UpstreamClient({ baseUrl: url, ...identity, timeoutMs: 300, listTimeoutMs: 60_000, retry: noRetry });
      expect((await client.getRevisionIdList({ getConfig: true })).newRevisions.length).to.be.greaterThan(0);
      try {
        await client.config();
        expect.fail('GetConfigData did not time out');
      } catch (error) {
        expect((error as UpstreamError).code).to.equal('UpstreamTimeout');
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('4: a bundled child the upstream does not list is fetched by id (GetUpdateData probing revisions), never with an unfiltered GetRevisionIdList; one it cannot give fails only that update', async () => {
    // Play Microsoft Update: filtered lists without the closure (leaves have no classification).
    const { home: upstreamHome, db: upstreamDb } = seededSite('UPS', { skip: ['266f6222-c89d-43f2-9f8a-69340271e677'], unrecorded: true });
    void upstreamHome;
    const upstream = await new SupEndpoint({ store: new SiteStore(upstreamDb) }).listen('127.0.0.1', 0);
    const proxy = await recordingProxy(upstream.url, (e) => {
      if (!e.request.includes('<Categories>')) return e.response;
      const kept = e.response.replace(/<UpdateIdentity><UpdateID>([^<]*)<\/UpdateID><RevisionNumber>\d+<\/RevisionNumber><\/UpdateIdentity>/g, (whole, id: string) =>
        [kb2267602, '1f9bd9bb-7390-4aa3-bbdb-ded99fac2583', 'ccb78947-6453-4ecc-9de8-bc0305c98f2d'].includes(id) ? whole : '',
      );
      return kept;
    });
    const home = new Home(tempDir());
    try {
      applyAddSite(home, planAddSite(home, { code: 'CS1', role: 'central' }));
      updateSiteControl(home.sitePaths('CS1').controlFile, (s) => ({
        ...s,
        sup: {
          ...s.sup,
          syncSource: { kind: 'upstream', upstreamUrl: proxy.url },
          products: [{ id: defender, title: 'Microsoft Defender Antivirus' }],
          classifications: [{ id: definitionUpdates, title: 'Definition Updates' }],
          supersedence: { ...s.sup.supersedence, waitMonths: 99, waitMonthsFeature: 99 },
        },
      }));
      const [result] = await syncSite(home, 'CS1', { trigger: 'manual', retry: noRetry });
      expect(result!.state, result!.error?.message).to.equal('Succeeded');
      const db = openSiteDb(home.sitePaths('CS1').database);
      try {
        const held = (db.prepare('SELECT update_id FROM updates').pluck().all() as string[]).sort();
        expect(held).to.include.members([kb2267602, 'ff36f0b5-dded-4780-8664-cd78af8b62c1']);
        expect(held).not.to.include('266f6222-c89d-43f2-9f8a-69340271e677');
      } finally {
        db.close();
      }
      const lists = proxy.exchanges.filter((e) => e.request.includes('<GetRevisionIdList'));
      for (const e of lists) expect(e.request.includes('<GetConfig>true</GetConfig>') || e.request.includes('<Categories>'), 'an unfiltered update list was asked').to.equal(true);
      const probes = proxy.exchanges.filter((e) => e.request.includes('266f6222-c89d-43f2-9f8a-69340271e677') && e.request.includes('<GetUpdateData'));
      expect(probes.length).to.be.greaterThan(1); // revision 200, then lower ones
      expect(texts(probes[0]!.request, 'RevisionNumber')).to.deep.equal(['200']);
      const log = fs.readFileSync(path.join(home.sitePaths('CS1').logDir, 'wsyncmgr.log'), 'utf8');
      expect(log).to.contain(`Update ${kb2267602} is incomplete: the upstream does not have its bundled update 266f6222-c89d-43f2-9f8a-69340271e677 (revision 200)`);
    } finally {
      await proxy.close();
      await upstream.close();
      upstreamDb.close();
    }
  });
});

describe('1: TLS trust of the sync path', function () {
  this.timeout(60_000);
  let dir: string;
  let cert: ReturnType<typeof makeCertificate>;
  let db: ReturnType<typeof seededSite>['db'];
  let endpoint: RunningEndpoint;

  before(async function () {
    dir = tempDir();
    cert = makeCertificate(dir);
    if (!cert) this.skip();
    ({ db } = seededSite());
    endpoint = await new SupEndpoint({ store: new SiteStore(db), tls: { cert: cert.cert, key: cert.key } }).listen('127.0.0.1', 0);
  });
  after(async () => {
    await endpoint?.close();
    db?.close();
  });

  it('an untrusted chain fails with an error naming the certificate and the remedy', async () => {
    const client = new UpstreamClient({ baseUrl: endpoint.url, ...identity, retry: noRetry });
    try {
      await client.config();
      expect.fail('an untrusted certificate was accepted');
    } catch (error) {
      const e = error as UpstreamError;
      expect(e.code).to.equal('UpstreamCertificateUntrusted');
      expect(e.category).to.equal('SecurityError');
      expect(e.message).to.contain("ends at '127.0.0.1', issued by '127.0.0.1'");
      expect(e.message).to.contain('sup set --site <CODE> --ca-file');
      expect(e.message).to.contain('Set-CMSoftwareUpdatePointComponent -CaFile');
    }
  });

  it('trusts the operating system bundle (SSL_CERT_FILE names it here) besides Node\'s roots, and a per-site CA file', async () => {
    const bundle = path.join(dir, 'system-bundle.pem');
    fs.writeFileSync(bundle, cert!.cert);
    process.env.SSL_CERT_FILE = bundle;
    try {
      expect(trustedCertificates()).to.include(cert!.cert.toString('utf8'));
      const client = new UpstreamClient({ baseUrl: endpoint.url, ...identity, retry: noRetry });
      expect((await client.config()).maxNumberOfUpdatesPerRequest).to.equal(100);
    } finally {
      delete process.env.SSL_CERT_FILE;
    }
    // The system bundle of this machine is read too (Debian's, where CI runs).
    if (fs.existsSync('/etc/ssl/certs/ca-certificates.crt')) expect(trustedCertificates().join('\n')).to.contain(fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8').slice(0, 2000));
    const home = new Home(tempDir());
    applyAddSite(home, planAddSite(home, { code: 'CS1', role: 'central' }));
    const site = updateSiteControl(home.sitePaths('CS1').controlFile, (s) => ({ ...s, sup: { ...s.sup, syncSource: { kind: 'upstream', upstreamUrl: endpoint.url }, caFile: cert!.certFile } }));
    const client = clientFor(site, { url: endpoint.url, description: endpoint.url, kind: 'upstream', close: async () => undefined }, { retry: noRetry });
    expect((await client.config()).maxNumberOfUpdatesPerRequest).to.equal(100);
  });

  it('sup set --ca-file stores a PEM bundle per site (absolute path); a file without a certificate is refused', async () => {
    const home = tempDir();
    expect((await runCommandLine(home, ['site', 'add', '--code', 'CS1', '--role', 'central'])).code).to.equal(0);
    const notPem = path.join(dir, 'not.pem');
    fs.writeFileSync(notPem, 'hello');
    const bad = await runCommandLine(home, ['sup', 'set', '--site', 'CS1', '--ca-file', notPem]);
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr).to.contain('holds no PEM certificate');
    const good = await runCommandLine(home, ['sup', 'set', '--site', 'CS1', '--ca-file', cert!.certFile]);
    expect(good.code, good.stderr).to.equal(0);
    const shown = await runCommandLine(home, ['sup', 'get', '--site', 'CS1']);
    expect(shown.records[0]!.CaFile).to.equal(path.resolve(cert!.certFile));
    expect((await runCommandLine(home, ['sup', 'set', '--site', 'CS1', '--no-ca-file'])).code).to.equal(0);
    expect((await runCommandLine(home, ['sup', 'get', '--site', 'CS1'])).records[0]!.CaFile).to.equal(null);
  });
});

describe('SUP endpoint → a real WSUS downstream', function () {
  this.timeout(120_000);
  const content = crypto.randomBytes(70_000);
  let home: Home;
  let db: ReturnType<typeof seededSite>['db'];
  let endpoint: RunningEndpoint;
  const exchanges = loadExchanges();
  const log = new SchemaLog();

  before(async () => {
    ({ home, db } = seededSite('US1', { content }));
    endpoint = await new SupEndpoint({ store: new SiteStore(db), contentDir: home.sitePaths('US1').content }).listen('127.0.0.1', 0);
  });
  after(async () => {
    await endpoint.close();
    db.close();
  });
  afterEach(async () => {
    const invalid = await log.invalid();
    log.messages.length = 0;
    expect(invalid, 'answers that do not validate against the spec schema').to.deep.equal([]);
  });

  it('8: GetConfigData answers the recorded configuration and language table by value', async () => {
    const { sync, cookie } = await handshake(endpoint.url);
    const answer = await post(sync, { operation: 'GetConfigData', cookie });
    log.add('GetConfigData', answer.body, 'sync');
    const recorded = exchanges.find((e) => e.key === 'exchanges/000005')!.response;
    const languages = (xml: string) => [...xml.matchAll(/<ServerSyncLanguageData>(.*?)<\/ServerSyncLanguageData>/g)].map((m) => m[1]);
    expect(languages(answer.body)).to.deep.equal(languages(recorded));
    expect(wsusLanguageTable.find((l) => l.short === 'es')!.lcid).to.equal(1034);
    for (const name of ['ServerHostsPsfFiles', 'MaxNumberOfComputerIdsInRequest', 'MaxNumberOfDriverSetsPerRequest', 'MaxNumberOfPnpHardwareIdsInRequest', 'MaxNumberOfUpdatesPerRequest', 'ProtocolVersion', 'MaxUpdatesPerRequestInGetUpdateDecryptionData']) {
      expect(texts(answer.body, name), name).to.deep.equal(texts(recorded, name));
    }
    // 7: this site holds content, so a downstream downloads it here.
    expect(texts(answer.body, 'CatalogOnlySync')).to.deep.equal(['false']);
  });

  it('faults have the recorded values (000017 unknown revision, 000018 bad anchor, 000019 no cookie)', async () => {
    const { sync, cookie } = await handshake(endpoint.url);
    const cases: [string, RequestMessage][] = [
      ['exchanges/000017', { operation: 'GetUpdateData', cookie, updateIds: [{ updateId: '00000000-0000-0000-0000-000000000001', revisionNumber: 1 }] }],
      ['exchanges/000018', { operation: 'GetRevisionIdList', cookie, filter: { getConfig: true, anchor: 'not an anchor', get63LanguageOnly: false } }],
      ['exchanges/000019', { operation: 'GetRevisionIdList', filter: { getConfig: true, get63LanguageOnly: false } }],
    ];
    for (const [key, message] of cases) {
      const recorded = exchanges.find((e) => e.key === key)!;
      const answer = await post(sync, message);
      log.add(key, answer.body, 'sync');
      expect(answer.status, key).to.equal(recorded.status);
      for (const name of ['faultcode', 'faultstring', 'ErrorCode', 'Message']) expect(texts(answer.body, name), `${key} ${name}`).to.deep.equal(texts(recorded.response, name));
    }
  });

  it('6: a product × classification list carries the closure: bundled leaves without a classification of their own', async () => {
    const { sync, cookie } = await handshake(endpoint.url);
    const answer = await post(sync, { operation: 'GetRevisionIdList', cookie, filter: { getConfig: false, get63LanguageOnly: false, categories: [{ id: defender, delta: false }], classifications: [{ id: definitionUpdates, delta: false }] } });
    log.add('GetRevisionIdList', answer.body, 'sync');
    const ids = parseResponse('GetRevisionIdList', answer.body).newRevisions.map((r) => r.updateId);
    expect(ids).to.include.members([kb2267602, ...leaves, '1f9bd9bb-7390-4aa3-bbdb-ded99fac2583', 'ccb78947-6453-4ecc-9de8-bc0305c98f2d']);
    expect(ids).not.to.include('7366a74a-ef29-44e1-b738-570b516aca1f'); // a leaf nothing stored bundles
    const leafRows = db.prepare(`SELECT classification_id FROM updates WHERE update_id IN ('${leaves.join("','")}')`).pluck().all();
    expect(leafRows).to.deep.equal([null, null]);
  });

  it('7: content the site holds is served on /Content/<xx>/<file> with GET, HEAD and ranges, verified against its digest', async () => {
    const update = contentUpdate(content);
    const folder = update.hexName.slice(38, 40);
    const url = `${endpoint.url}/Content/${folder}/${update.hexName}`;
    const full = await got(url, { responseType: 'buffer', throwHttpErrors: false });
    expect(full.statusCode).to.equal(200);
    expect(full.body.equals(content)).to.equal(true);
    expect(full.headers['accept-ranges']).to.equal('bytes');
    const head = await got.head(`${endpoint.url}/content/${folder.toLowerCase()}/${update.fileName}`, { throwHttpErrors: false });
    expect([head.statusCode, head.headers['content-length']]).to.deep.equal([200, String(content.length)]);
    const part = await got(url, { responseType: 'buffer', headers: { range: 'bytes=1000-1999' } });
    expect([part.statusCode, part.headers['content-range']]).to.deep.equal([206, `bytes 1000-1999/${content.length}`]);
    expect(part.body.equals(content.subarray(1000, 2000))).to.equal(true);
    const tail = await got(url, { responseType: 'buffer', headers: { range: 'bytes=-10' } });
    expect(tail.body.equals(content.subarray(content.length - 10))).to.equal(true);
    expect((await got(url, { headers: { range: `bytes=${content.length}-` }, throwHttpErrors: false })).statusCode).to.equal(416);
    expect((await got(`${endpoint.url}/Content/${folder === '00' ? '01' : '00'}/${update.hexName}`, { throwHttpErrors: false })).statusCode).to.equal(404);
    // A file that does not match its digest is not served.
    const file = path.join(home.sitePaths('US1').content, update.id, update.fileName);
    const altered = Buffer.from(content);
    altered[0] = altered[0]! ^ 0xff;
    fs.writeFileSync(file, altered);
    try {
      expect((await got(url, { throwHttpErrors: false })).statusCode).to.equal(404);
    } finally {
      fs.writeFileSync(file, content);
    }
  });

  it('7: a site that holds no content says CatalogOnlySync=true', async () => {
    const { db: bare, home: bareHome } = seededSite('US2');
    const other = await new SupEndpoint({ store: new SiteStore(bare), contentDir: bareHome.sitePaths('US2').content }).listen('127.0.0.1', 0);
    try {
      const { sync, cookie } = await handshake(other.url);
      const answer = await post(sync, { operation: 'GetConfigData', cookie });
      log.add('GetConfigData (no content)', answer.body, 'sync');
      expect(texts(answer.body, 'CatalogOnlySync')).to.deep.equal(['true']);
    } finally {
      await other.close();
      bare.close();
    }
  });

  it('9: GetDeployments, GetUpdateDecryptionData, GetRelatedRevisionsForUpdates, DownloadFiles, the driver operations and Ping get valid answers or the documented fault', async () => {
    const { sync, cookie } = await handshake(endpoint.url);
    const update = contentUpdate(content);
    const deployments = await post(sync, { operation: 'GetDeployments', cookie, syncAnchor: '1,2026-10-04 16:33:26.670' });
    log.add('GetDeployments', deployments.body, 'sync');
    expect(deployments.status).to.equal(200);
    expect(parseResponse('GetDeployments', deployments.body)).to.include({ operation: 'GetDeployments' });
    const noAnchor = await post(sync, { operation: 'GetDeployments', cookie });
    log.add('GetDeployments fault', noAnchor.body, 'sync');
    expect([noAnchor.status, texts(noAnchor.body, 'ErrorCode')[0], texts(noAnchor.body, 'Message')[0]]).to.deep.equal([500, 'InvalidParameters', 'syncAnchor']);
    const decryption = await post(sync, { operation: 'GetUpdateDecryptionData', cookie, updateIds: [{ updateId: update.id, revisionNumber: 200 }] });
    log.add('GetUpdateDecryptionData', decryption.body, 'sync');
    expect(parseResponse('GetUpdateDecryptionData', decryption.body).updates).to.deep.equal([{ updateId: update.id, revisionNumber: 200, files: [{ fileDigest: update.digest }] }]);
    const related = await post(sync, { operation: 'GetRelatedRevisionsForUpdates', cookie, updateIds: [kb2267602] });
    log.add('GetRelatedRevisionsForUpdates', related.body, 'sync');
    expect(parseResponse('GetRelatedRevisionsForUpdates', related.body).revisions).to.deep.equal([]);
    const missing = await post(sync, { operation: 'DownloadFiles', cookie, fileDigestList: [update.digest, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='] });
    log.add('DownloadFiles fault', missing.body, 'sync');
    expect([texts(missing.body, 'ErrorCode')[0], texts(missing.body, 'Message')[0]]).to.deep.equal(['FileDigestsMissing', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=']);
    const download = await post(sync, { operation: 'DownloadFiles', cookie, fileDigestList: [update.digest] });
    log.add('DownloadFiles', download.body, 'sync');
    expect(download.status).to.equal(200);
    const drivers = await post(sync, { operation: 'GetDriverIdList', cookie });
    expect(parseResponse('GetDriverIdList', drivers.body)).to.include({ operation: 'GetDriverIdList' });
    expect(parseResponse('GetDriverSetData', (await post(sync, { operation: 'GetDriverSetData', cookie, driverSets: [] })).body).driverSets).to.deep.equal([]);
    for (const at of ['/ServerSyncWebService/ServerSyncWebService.asmx', '/ReportingWebService/ReportingWebService.asmx']) {
      const ping = await post(`${endpoint.url}${at}`, { operation: 'Ping', pingLevel: 1 });
      log.add(`Ping at ${at}`, ping.body, at.includes('Reporting') ? 'reporting' : 'sync');
      expect(parseResponse('Ping', ping.body).successFlag).to.equal(true);
    }
    const noCookie = await post(sync, { operation: 'GetUpdateDecryptionData', updateIds: [] });
    expect(texts(noCookie.body, 'ErrorCode')).to.deep.equal(['InvalidCookie']);
  });

  it('walks the call sequence a real WSUS downstream makes (recorded exchanges-client order, cookies substituted) and downloads content the site holds', async () => {
    let cookieData = '';
    let cookie = { expiration: '', encryptedData: '' };
    let anchor = '';
    const substitute = (request: string) =>
      request
        .replace(/<CookieData>[^<]*<\/CookieData>/g, `<CookieData>${cookieData}</CookieData>`)
        .replace(/<Expiration>[^<]*<\/Expiration>/g, `<Expiration>${cookie.expiration}</Expiration>`)
        .replace(/<EncryptedData>[^<]*<\/EncryptedData>/g, `<EncryptedData>${cookie.encryptedData}</EncryptedData>`)
        .replace(/<(Anchor|configAnchor)>\d+,[^<]*<\/\1>/g, (_m, tag: string) => `<${tag}>${anchor}</${tag}>`)
        // A real downstream of protocol 1.20 sends Get63LanguageOnly (the recorded importer did not).
        .replace(/(<GetConfig>\w+<\/GetConfig>)(?!<Get63LanguageOnly>)/, '$1<Get63LanguageOnly>false</Get63LanguageOnly>');
    const order = exchanges.filter((e) => e.key.startsWith('exchanges-client/'));
    expect(order.map((e) => e.operation).slice(0, 6)).to.deep.equal(['GetAuthConfig', 'GetAuthorizationCookie', 'GetCookie', 'GetConfigData', 'GetRevisionIdList', 'GetRevisionIdList']);
    const listed = new Set<string>();
    for (const e of order) {
      const request = substitute(e.request);
      log.add(`${e.key} request`, request, serviceOf(e.path));
      const answer = await post(`${endpoint.url}${e.path}`, request, e.soapAction);
      log.add(`${e.key} answer`, answer.body, serviceOf(e.path));
      expect(answer.status, `${e.key}: ${answer.body}`).to.equal(200);
      if (e.operation === 'GetAuthorizationCookie') cookieData = parseResponse('GetAuthorizationCookie', answer.body).cookieData;
      if (e.operation === 'GetCookie') cookie = parseResponse('GetCookie', answer.body).cookie;
      if (e.operation === 'GetRevisionIdList') {
        const list = parseResponse('GetRevisionIdList', answer.body);
        anchor = list.anchor;
        for (const r of list.newRevisions) listed.add(`${r.updateId}:${r.revisionNumber}`);
      }
    }
    // Then, as WSUS does: GetUpdateData for what it listed (in batches of 100), then the files.
    const keys = [...listed].map((k) => ({ updateId: k.split(':')[0]!, revisionNumber: Number(k.split(':')[1]) }));
    const update = contentUpdate(content);
    expect(keys.map((k) => k.updateId)).to.include(update.id);
    const data = await post(`${endpoint.url}/ServerSyncWebService/ServerSyncWebService.asmx`, { operation: 'GetUpdateData', cookie, updateIds: keys.slice(0, 100) });
    log.add('GetUpdateData', data.body, 'sync');
    const served = parseResponse('GetUpdateData', data.body).updates.find((u) => u.updateId === update.id)!;
    expect(served.fileDigestList).to.deep.equal([update.digest]);
    const hex = Buffer.from(served.fileDigestList[0]!, 'base64').toString('hex').toUpperCase();
    const file = await got(`${endpoint.url}/Content/${hex.slice(-2)}/${hex}.exe`, { responseType: 'buffer' });
    expect(crypto.createHash('sha1').update(file.body).digest('base64')).to.equal(served.fileDigestList[0]);
  });
});

describe('10: how a real WSUS downstream is admitted', function () {
  this.timeout(60_000);

  it('with a shared secret set, a client certificate from the trusted CA admits a downstream without Basic credentials; others get 401', async function () {
    const dir = tempDir();
    const server = makeCertificate(path.join(dir));
    const clientDir = path.join(dir, 'client');
    const strangerDir = path.join(dir, 'stranger');
    fs.mkdirSync(clientDir);
    fs.mkdirSync(strangerDir);
    const client = makeCertificate(clientDir);
    const stranger = makeCertificate(strangerDir);
    if (!server || !client || !stranger) this.skip();
    const { db } = seededSite();
    const endpoint = await new SupEndpoint({ store: new SiteStore(db), sharedSecret: 's3cret', clientCa: client.cert, tls: { cert: server.cert, key: server.key } }).listen('127.0.0.1', 0);
    const sync = `${endpoint.url}/ServerSyncWebService/ServerSyncWebService.asmx`;
    const call = (options: { cert?: typeof client; basic?: string }) =>
      got.post(sync, {
        body: buildRequest({ operation: 'GetAuthConfig' }).body,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: buildRequest({ operation: 'GetAuthConfig' }).soapAction, ...(options.basic ? { authorization: `Basic ${Buffer.from(`x:${options.basic}`).toString('base64')}` } : {}) },
        https: { certificateAuthority: server.cert, ...(options.cert ? { certificate: options.cert.cert, key: options.cert.key } : {}) },
        throwHttpErrors: false,
        retry: { limit: 0 },
      });
    try {
      expect((await call({})).statusCode).to.equal(401);
      expect((await call({ basic: 's3cret' })).statusCode).to.equal(200);
      expect((await call({ cert: client })).statusCode).to.equal(200);
      expect((await call({ cert: stranger })).statusCode).to.equal(401);
    } finally {
      await endpoint.close();
      db.close();
    }
  });
});

describe('proof: a full and a delta sync, every SOAP body checked against the spec schema', function () {
  this.timeout(600_000);

  it('every request the client sends and every answer the endpoint gives validates; lists carry bundle closures', async () => {
    const { home: homeDir, corpus } = await upstreamHome(400, 'schema-proof');
    const home = new Home(homeDir);
    const upstreamDb = openSiteDb(home.sitePaths('UPS').database);
    const upstream = await new SupEndpoint({ store: new SiteStore(upstreamDb), contentDir: home.sitePaths('UPS').content }).listen('127.0.0.1', 0);
    const proxy = await recordingProxy(upstream.url);
    try {
      applyAddSite(home, planAddSite(home, { code: 'CS1', role: 'central' }));
      const products = upstreamDb.prepare("SELECT update_id AS id, title FROM categories WHERE category_type = 'Product'").all() as { id: string; title: string }[];
      const classifications = upstreamDb.prepare("SELECT update_id AS id, title FROM categories WHERE category_type = 'UpdateClassification'").all() as { id: string; title: string }[];
      updateSiteControl(home.sitePaths('CS1').controlFile, (s) => ({
        ...s,
        sup: { ...s.sup, syncSource: { kind: 'upstream', upstreamUrl: proxy.url }, products, classifications, languageUpdateFiles: ['en', 'de'], supersedence: { ...s.sup.supersedence, waitMonths: 99, waitMonthsFeature: 99 } },
      }));
      const [full] = await syncSite(home, 'CS1', { trigger: 'manual', retry: noRetry });
      expect(full!.state, full!.error?.message).to.equal('Succeeded');
      const fullCount = proxy.exchanges.length;
      await cli(homeDir, ['metadata', 'import', '--site', 'UPS', '--path', await corpus(2)]);
      const [delta] = await syncSite(home, 'CS1', { trigger: 'manual', retry: noRetry });
      expect(delta!.state, delta!.error?.message).to.equal('Succeeded');
      expect(delta!.full).to.equal(false);
      const deltaLists = proxy.exchanges.slice(fullCount).filter((e) => e.request.includes('<GetRevisionIdList'));
      expect(deltaLists.length).to.be.greaterThan(0);
      for (const e of deltaLists) expect(e.request).to.match(/<Anchor>\d+,/);

      const log = new SchemaLog();
      for (const [i, e] of proxy.exchanges.entries()) {
        log.add(`#${i} ${e.path} request`, e.request, serviceOf(e.path));
        log.add(`#${i} ${e.path} answer (HTTP ${e.status})`, e.response, serviceOf(e.path));
      }
      expect(log.messages.length).to.be.greaterThan(20);
      expect(await log.invalid()).to.deep.equal([]);

      // Closure: every bundle CS1 holds has all its children; the corpus's leaves have no classification.
      const cs1 = openSiteDb(home.sitePaths('CS1').database);
      try {
        const orphans = cs1.prepare('SELECT p.update_id, b.child_id FROM bundles b JOIN updates p ON p.update_key = b.parent_key WHERE p.expired = 0 AND NOT EXISTS (SELECT 1 FROM updates c WHERE c.update_id = b.child_id)').all();
        expect(orphans).to.deep.equal([]);
        const leafCount = cs1.prepare('SELECT count(*) FROM updates u WHERE u.classification_id IS NULL AND EXISTS (SELECT 1 FROM bundles b WHERE b.child_id = u.update_id)').pluck().get() as number;
        expect(leafCount).to.be.greaterThan(0);
        const expiredLeaves = cs1.prepare("SELECT count(*) FROM updates u WHERE u.expired = 1 AND u.expired_reason = 'outside-selection'").pluck().get();
        expect(expiredLeaves).to.equal(0);
      } finally {
        cs1.close();
      }
    } finally {
      await proxy.close();
      await upstream.close();
      upstreamDb.close();
    }
  });
});
