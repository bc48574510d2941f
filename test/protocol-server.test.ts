/**
 * Our SUP endpoint fed the recorded *requests* of the real exchanges (cookies and anchors replaced
 * by ones it issued): each answer must have the element structure of the recorded real answer.
 * Then real cookies, access control, bad requests, and a client ↔ server round trip of a corpus of
 * several thousand updates with a delta after new revisions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import got from 'got';
import { UpstreamClient } from '../src/protocol/client.js';
import { parseResponse } from '../src/protocol/soap/index.js';
import { type RunningEndpoint, SupEndpoint } from '../src/server/sup-endpoint.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { Home } from '../src/store/home.js';
import { type SiteDb, openSiteDb } from '../src/store/site-db.js';
import { SiteStore } from '../src/store/site-store.js';
import { SoapFaultError } from '../src/errors.js';
import { wsusssRecorded } from './helpers/fixtures.js';
import { runCli, tempDir } from './helpers/cli.js';
import { serveSite } from './helpers/hierarchy.js';
import { makeCertificate } from './helpers/servers.js';
import { loadExchanges, structuralDiff } from './helpers/wsusss.js';
import { definitionUpdates, defender, seededSite } from './helpers/recorded-site.js';

async function post(url: string, soapAction: string, body: string): Promise<{ status: number; body: string }> {
  const response = await got.post(url, { body, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapAction }, throwHttpErrors: false, retry: { limit: 0 } });
  return { status: response.statusCode, body: response.body };
}

describe('SUP endpoint answers the recorded real requests like Windows WSUS', () => {
  let db: SiteDb;
  let endpoint: RunningEndpoint;
  let cookieData: string;
  let cookie: { expiration: string; encryptedData: string };
  let anchor: string;
  const exchanges = loadExchanges();

  before(async () => {
    ({ db } = seededSite());
    endpoint = await new SupEndpoint({ store: new SiteStore(db) }).listen('127.0.0.1', 0);
    const auth = exchanges.find((e) => e.key === 'exchanges/000002')!;
    cookieData = parseResponse('GetAuthorizationCookie', (await post(`${endpoint.url}${auth.path}`, auth.soapAction, auth.request)).body).cookieData;
    const getCookie = exchanges.find((e) => e.key === 'exchanges/000003')!;
    cookie = parseResponse('GetCookie', (await post(`${endpoint.url}${getCookie.path}`, getCookie.soapAction, substitute(getCookie.request))).body).cookie;
    const list = exchanges.find((e) => e.key === 'exchanges/000006')!;
    anchor = parseResponse('GetRevisionIdList', (await post(`${endpoint.url}${list.path}`, list.soapAction, substitute(list.request))).body).anchor;
  });
  after(async () => {
    await endpoint.close();
    db.close();
  });

  /** Puts our cookies and anchors where the recording has the sanitized or foreign ones. */
  function substitute(request: string): string {
    return request
      .replace(/<CookieData>[^<]*<\/CookieData>/g, `<CookieData>${cookieData}</CookieData>`)
      .replace(/<Expiration>[^<]*<\/Expiration>/g, `<Expiration>${cookie?.expiration ?? ''}</Expiration>`)
      .replace(/<EncryptedData>[^<]*<\/EncryptedData>/g, `<EncryptedData>${cookie?.encryptedData ?? ''}</EncryptedData>`)
      .replace(/<(Anchor|configAnchor)>\d+,[^<]*<\/\1>/g, (_m, tag: string) => `<${tag}>${anchor ?? ''}</${tag}>`);
  }

  for (const e of exchanges) {
    it(`${e.key} ${e.operation}: same status and element structure as the recorded answer`, async () => {
      const answer = await post(`${endpoint.url}${e.path}`, e.soapAction, substitute(e.request));
      expect(answer.status, answer.body).to.equal(e.status);
      expect(structuralDiff(answer.body, e.response, { collapseRepeats: true })).to.deep.equal([]);
    });
  }

  it('serves the same documents it stored, compressed above 4 KB and plain below', async () => {
    const client = new UpstreamClient({ baseUrl: endpoint.url, accountName: 'ps1.contoso.test', accountGuid: '4f4ee2b1-7c38-4b8b-9d0e-7d5a4c0f3a11' });
    const batch = await client.getUpdateData([
      { updateId: 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', revisionNumber: 200 },
      { updateId: 'ccb78947-6453-4ecc-9de8-bc0305c98f2d', revisionNumber: 200 },
    ]);
    for (const update of batch.updates) {
      expect(update.xml).to.equal(fs.readFileSync(path.join(wsusssRecorded, 'docs', `${update.updateId}-r${update.revisionNumber}.xml`), 'utf8'));
    }
  });

  it('answers a real delta: nothing after the anchor, then only what changed', async () => {
    const client = new UpstreamClient({ baseUrl: endpoint.url, accountName: 'ps1.contoso.test', accountGuid: '4f4ee2b1-7c38-4b8b-9d0e-7d5a4c0f3a11' });
    const filter = { getConfig: false, categories: [{ id: defender, delta: true }], classifications: [{ id: definitionUpdates, delta: true }] };
    const first = await client.getRevisionIdList(filter);
    expect(first.newRevisions.map((r) => r.updateId)).to.include('a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe');
    expect((await client.getRevisionIdList({ ...filter, anchor: first.anchor })).newRevisions).to.deep.equal([]);
    db.prepare("UPDATE updates SET change_seq = change_seq + 100 WHERE update_id = 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe'").run();
    const changed = await client.getRevisionIdList({ ...filter, anchor: first.anchor });
    // The changed bundle KB2267602 with its whole closure: its sub-bundles and their leaves (which
    // have no classification of their own and were listed only through it).
    expect(changed.newRevisions.map((r) => r.updateId)).to.have.members([
      'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe',
      '1f9bd9bb-7390-4aa3-bbdb-ded99fac2583',
      '266f6222-c89d-43f2-9f8a-69340271e677',
      'ccb78947-6453-4ecc-9de8-bc0305c98f2d',
      'ff36f0b5-dded-4780-8664-cd78af8b62c1',
    ]);
  });

  it('enforces the GetUpdateData batch limit and refuses forged, altered or missing cookies', async () => {
    const small = await new SupEndpoint({ store: new SiteStore(db), maxUpdatesPerRequest: 1 }).listen('127.0.0.1', 0);
    try {
      const client = new UpstreamClient({ baseUrl: small.url, accountName: 'x', accountGuid: 'y', retry: { limit: 0, baseDelayMs: 1, maxDelayMs: 1 } });
      expect((await client.config()).maxNumberOfUpdatesPerRequest).to.equal(1);
      try {
        await client.getUpdateData([
          { updateId: 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', revisionNumber: 200 },
          { updateId: 'ccb78947-6453-4ecc-9de8-bc0305c98f2d', revisionNumber: 200 },
        ]);
        expect.fail('the batch limit was not enforced');
      } catch (error) {
        expect((error as SoapFaultError).faultCode).to.equal('InvalidParameters');
      }
    } finally {
      await small.close();
    }
    const list = exchanges.find((e) => e.key === 'exchanges/000006')!;
    const forged = substitute(list.request).replace(/<EncryptedData>[^<]*</, `<EncryptedData>${Buffer.from('{"kind":"session","account":"x","expires":99999999999999}').toString('base64')}AAAA<`);
    const answer = await post(`${endpoint.url}${list.path}`, list.soapAction, forged);
    expect(answer.status).to.equal(500);
    expect(answer.body).to.contain('<ErrorCode>InvalidCookie</ErrorCode>');
  });

  it('tolerates the double slash WSUS sends and refuses unknown paths and methods', async () => {
    const e = exchanges.find((x) => x.key === 'exchanges/000001')!;
    expect((await post(`${endpoint.url}//ServerSyncWebService//ServerSyncWebService.asmx`, e.soapAction, e.request)).status).to.equal(200);
    expect((await post(`${endpoint.url}/nothing.asmx`, e.soapAction, e.request)).status).to.equal(404);
    expect((await got.get(`${endpoint.url}${e.path}`, { throwHttpErrors: false })).statusCode).to.equal(405);
    const unknown = await post(`${endpoint.url}${e.path}`, '"http://www.microsoft.com/SoftwareDistribution/RollupComputers"', e.request.replace(/GetAuthConfig/g, 'RollupComputers'));
    expect(unknown.status).to.equal(500);
    expect(unknown.body).to.contain('<ErrorCode>InvalidParameters</ErrorCode>');
    const malformed = await post(`${endpoint.url}${e.path}`, e.soapAction, '<soap:Envelope');
    expect(malformed.status).to.equal(500);
    const dtd = await post(`${endpoint.url}${e.path}`, e.soapAction, `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${e.request.replace(/^<\?xml[^>]*>/, '')}`);
    expect(dtd.status).to.equal(500);
    expect(dtd.body).not.to.contain('root:');
  });
});

describe('SUP endpoint of a site that holds nothing yet', () => {
  it('answers empty lists with a valid anchor, and a delta from it', async () => {
    const home = new Home(tempDir());
    applyAddSite(home, planAddSite(home, { code: 'EM1', role: 'primary' }));
    const db = openSiteDb(home.sitePaths('EM1').database);
    const endpoint = await new SupEndpoint({ store: new SiteStore(db) }).listen('127.0.0.1', 0);
    try {
      const client = new UpstreamClient({ baseUrl: endpoint.url, accountName: 'child.test', accountGuid: 'g' });
      const first = await client.getRevisionIdList({ getConfig: true });
      expect(first.newRevisions).to.deep.equal([]);
      expect((await client.getRevisionIdList({ getConfig: true, anchor: first.anchor })).newRevisions).to.deep.equal([]);
      expect((await client.getRevisionIdList({ getConfig: false, anchor: first.anchor })).newRevisions).to.deep.equal([]);
    } finally {
      await endpoint.close();
      db.close();
    }
  });
});

describe('SUP endpoint access control', () => {
  it('lets only allow-listed accounts and holders of the shared secret sync', async () => {
    const { db } = seededSite();
    const guarded = await new SupEndpoint({ store: new SiteStore(db), allowAccounts: ['ps1.contoso.test'], sharedSecret: 's3cret' }).listen('127.0.0.1', 0);
    try {
      const url = new URL(guarded.url);
      const withSecret = (account: string) =>
        new UpstreamClient({ baseUrl: guarded.url, accountName: account, accountGuid: 'g', retry: { limit: 0, baseDelayMs: 1, maxDelayMs: 1 } });
      // Without credentials: HTTP 401.
      try {
        await withSecret('ps1.contoso.test').config();
        expect.fail('served without the shared secret');
      } catch (error) {
        expect(String(error)).to.match(/401/);
      }
      url.username = 'sync';
      url.password = 's3cret';
      const authorised = new UpstreamClient({ baseUrl: url.toString().replace(/\/$/, ''), accountName: 'PS1.contoso.test', accountGuid: 'g' });
      expect((await authorised.config()).maxNumberOfUpdatesPerRequest).to.equal(100);
      const stranger = new UpstreamClient({ baseUrl: url.toString().replace(/\/$/, ''), accountName: 'evil.example', accountGuid: 'g', retry: { limit: 0, baseDelayMs: 1, maxDelayMs: 1 } });
      try {
        await stranger.config();
        expect.fail('an account off the allow-list was served');
      } catch (error) {
        expect((error as SoapFaultError).faultCode).to.equal('InvalidAuthorizationCookie');
      }
    } finally {
      await guarded.close();
      db.close();
    }
  });
});

describe('supsync serve over HTTPS (CLI)', () => {
  it('serves the protocol with a certificate; a client trusting its CA completes the handshake', async function () {
    const certificate = makeCertificate(tempDir());
    if (!certificate) {
      this.test!.title += ' [SKIPPED: openssl is not available to make a certificate]';
      this.skip();
    }
    const { home } = seededSite();
    const served = await serveSite(home.root, 'US1', ['--cert', certificate!.certFile, '--key', certificate!.keyFile]);
    try {
      expect(served.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      const trusted = await runCli(home.root, ['upstream', 'test', '--url', served.url, '--ca-file', certificate!.certFile]);
      expect(trusted.code, trusted.stderr).to.equal(0);
      expect(trusted.records[0]).to.include({ ProtocolVersion: '1.20', CategoryRevisions: 6 });
      const untrusted = await runCli(home.root, ['upstream', 'test', '--url', served.url]);
      expect(untrusted.code).to.equal(5);
      expect(String(untrusted.records[0]!.message)).to.match(/certificate/i);
    } finally {
      await served.stop();
    }
  });

  it('refuses a certificate without its key', async () => {
    const { home } = seededSite();
    const result = await runCli(home.root, ['serve', '--site', 'US1', '--cert', '/nonexistent.pem']);
    expect(result.code).to.equal(2);
    expect(result.records[0]).to.include({ code: 'ConflictingOptions', target: '--key' });
  });
});
