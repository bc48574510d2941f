/**
 * The catalog client on loopback: against a server answering with the real captured catalog
 * pages, against a misbehaving catalog (error pages, empty tables, empty bodies, timeouts, 5xx,
 * foreign redirects), through a proxy, and against the local catalog server (render.ts). Then the
 * downloader against an https server with a self-signed certificate: digests, resume, restart,
 * look-alike hosts, unsafe names; and the document built from a details page.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { expect } from 'chai';
import { catalogUpdateXml } from '../src/catalog/catalog-xml.js';
import { CatalogClient, catalogBaseUrl, catalogMaxPages } from '../src/catalog/client.js';
import { Downloader, partialSuffix } from '../src/catalog/download.js';
import { CatalogPageError } from '../src/catalog/errors.js';
import { parseDetailsPage } from '../src/catalog/pages.js';
import { renderErrorPage, renderSearchPage } from '../src/dev/catalog-render.js';
import { CatalogServer, formatCatalogSize, syntheticFileContent } from '../src/dev/catalog-server.js';
import { categoryXml } from '../src/dev/corpus.js';
import { InvalidArgumentError, InvalidDataError, SupsyncError, UpstreamError } from '../src/errors.js';
import { parseUpdateXml } from '../src/protocol/update-xml.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { Home } from '../src/store/home.js';
import { openSiteDb } from '../src/store/site-db.js';
import { SiteStore } from '../src/store/site-store.js';
import { UpdateStore, loadCategoryIndex } from '../src/store/updates.js';
import { scriptedServer } from './helpers/catalog.js';
import { type Certificate, type Listening, connectProxy, listen, makeCertificate } from './helpers/servers.js';
import { tempDir } from './helpers/cli.js';
import { expectRejection } from './helpers/expect.js';
import { catalogFixtures } from './helpers/fixtures.js';

const fast = { limit: 2, baseDelayMs: 5, maxDelayMs: 20 };
const fixture = (name: string) => fs.readFileSync(path.join(catalogFixtures, name), 'utf8');
const localFixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'catalog', name), 'utf8');

describe('catalog client against the real captured pages', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  before(async () => {
    server = await scriptedServer((request) => {
      const url = new URL(request.url, 'http://x');
      const q = url.searchParams.get('q');
      if (url.pathname === '/Search.aspx' && q === 'Office 2013') return { body: fixture('search-office2013-page1.html') };
      if (url.pathname === '/Search.aspx' && q === 'KB4022233') return { body: fixture('search-kb4022233-lastpage.html') };
      if (url.pathname === '/ScopedViewInline.aspx') return { body: localFixture('details-kb4011677.html') };
      if (url.pathname === '/DownloadDialog.aspx') {
        const id = (JSON.parse(new URLSearchParams(request.body).get('updateIDs')!) as { updateID: string }[])[0]!.updateID;
        return { body: fixture(id.startsWith('7f659ce1') ? 'downloaddialog-single.html' : 'downloaddialog-multi.html') };
      }
      return { status: 404, body: 'no' };
    });
  });
  after(() => server.close());
  beforeEach(() => (server.requests.length = 0));

  it('reads a search to its last page, asking in en-US', async () => {
    const client = new CatalogClient({ baseUrl: server.url, retry: fast });
    const search = await client.search('KB4022233');
    expect(search).to.include({ totalCount: 2, pagesRead: 1, capped: false });
    expect(search.results.map((r) => [r.updateId, r.title, r.sizeInBytes, r.lastUpdated, r.kb])).to.deep.equal([
      ['d001ca72-ce16-4700-9a6d-b2bb28974002', 'Update for Microsoft Office 2013 (KB4022233) 64-Bit Edition', 11457318, '2018-09-11', '4022233'],
      ['a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5', 'Update for Microsoft Office 2013 (KB4022233) 32-Bit Edition', 9325490, '2018-09-11', '4022233'],
    ]);
    expect(server.requests).to.have.length(1);
    expect(server.requests[0]!.url).to.equal('/Search.aspx?q=KB4022233');
    expect(server.requests[0]!.headers['accept-language']).to.equal('en-US');
  });

  it('pages with &p=N up to the 40th page and says the 1000-result cap cut the answer', async () => {
    const client = new CatalogClient({ baseUrl: server.url, retry: fast });
    const search = await client.search('Office 2013');
    // The capture is page 1 of 40; served for every page, each update is kept once.
    expect(search.results).to.have.length(25);
    expect(search).to.include({ capped: true, totalCount: 1000, pagesRead: catalogMaxPages });
    expect(server.requests.map((r) => r.url)).to.deep.equal([
      '/Search.aspx?q=Office%202013',
      ...Array.from({ length: catalogMaxPages - 1 }, (_, i) => `/Search.aspx?q=Office%202013&p=${i + 2}`),
    ]);
    expect(search.results.find((r) => r.title.endsWith('(KB4011677) 32-Bit Edition'))).to.include({ title: 'Update for Microsoft Office 2013 (KB4011677) 32-Bit Edition', sizeText: '109.2 MB', sizeInBytes: 114503680 });
  });

  it('reads the details page', async () => {
    const client = new CatalogClient({ baseUrl: server.url, retry: fast });
    const details = await client.details('601956e3-f2f0-469a-a7fe-cad6c0b4f665');
    expect(details).to.include({ title: 'Update for Microsoft Office 2013 (KB4011677) 32-Bit Edition', kb: '4011677', classification: 'Critical Updates', lastModified: '2019-05-14' });
    expect(server.requests[0]!.url).to.equal('/ScopedViewInline.aspx?updateid=601956e3-f2f0-469a-a7fe-cad6c0b4f665');
  });

  it("posts the download dialog's form and reads both real dialogs", async () => {
    const client = new CatalogClient({ baseUrl: server.url, retry: fast });
    const single = await client.downloadDialog('7f659ce1-a58f-41a8-bcf0-18fe434f0916');
    expect(single.files).to.deep.equal([
      {
        url: 'http://download.windowsupdate.com/c/msdownload/update/software/crup/2019/01/oart-x-none_e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d.cab',
        fileName: 'oart-x-none_e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d.cab',
        digest: '4/qckQO8UJ3N9+lxyjy+oMGKew0=',
      },
    ]);
    const request = server.requests[0]!;
    expect(request.method).to.equal('POST');
    expect(request.headers['content-type']).to.match(/^application\/x-www-form-urlencoded/);
    expect(new URLSearchParams(request.body).get('updateIDs')).to.equal(
      '[{"size":0,"languages":"","uidInfo":"7f659ce1-a58f-41a8-bcf0-18fe434f0916","updateID":"7f659ce1-a58f-41a8-bcf0-18fe434f0916"}]',
    );
    const multi = await client.downloadDialog('601956e3-f2f0-469a-a7fe-cad6c0b4f665');
    expect(multi.files).to.have.length(41);
    expect(multi.files[0]).to.include({ fileName: 'proof-ar-sa_d140d14d65cf35bf269443bedf33a91ce25ced17.cab', digest: '0UDRTWXPNb8mlEO+3zOpHOJc7Rc=' });
  });

  it('refuses a dialog answering for another update than the one asked', async () => {
    const client = new CatalogClient({ baseUrl: server.url, retry: fast });
    const error = await expectRejection(client.downloadDialog('11111111-2222-3333-4444-555555555555'), UpstreamError);
    expect(error.code).to.equal('CatalogWrongUpdate');
  });
});

describe('catalog client against a flaky catalog', () => {
  const id = '601956e3-f2f0-469a-a7fe-cad6c0b4f665';
  const details = localFixture('details-kb4011677.html');
  let server: Listening & Awaited<ReturnType<typeof scriptedServer>>;
  afterEach(() => server?.close());

  it('retries the error page 8DDD0010, then reads the answer', async () => {
    server = await scriptedServer((_r, n) => ({ body: n <= 2 ? renderErrorPage('8DDD0010') : details }));
    const retries: string[] = [];
    const client = new CatalogClient({ baseUrl: server.url, retry: fast, onRetry: (error) => retries.push(error.code) });
    expect((await client.details(id)).kb).to.equal('4011677');
    expect(retries).to.deep.equal(['CatalogErrorPage', 'CatalogErrorPage']);
    expect(client).to.include({ requests: 3, retries: 2 });
  });

  it('gives up after the bound, saying how often it tried', async () => {
    server = await scriptedServer(() => ({ body: renderErrorPage('8DDD0010') }));
    const client = new CatalogClient({ baseUrl: server.url, retry: fast });
    const error = await expectRejection(client.details(id), UpstreamError);
    expect(error.code).to.equal('CatalogErrorPage');
    expect(error.message).to.match(/8DDD0010.*gave up after 3 attempts/);
    expect(error.data).to.include({ attempts: 3 });
    expect(server.requests).to.have.length(3);
  });

  it('does not retry "not found" (8DDD0024)', async () => {
    server = await scriptedServer(() => ({ body: renderErrorPage('8DDD0024') }));
    const client = new CatalogClient({ baseUrl: server.url, retry: fast });
    const error = await expectRejection(client.details(id), CatalogPageError);
    expect(error).to.include({ code: 'CatalogNotFound', catalogCode: '8DDD0024', transient: false });
    expect(server.requests).to.have.length(1);
  });

  it('retries an empty results table and an empty body', async () => {
    const emptyTable = renderSearchPage({ query: 'KB1', results: [], page: 1, pageCount: 1, totalCount: 0 }).replace(/<div id="ctl00_catalogBody_noResults"[\s\S]*?<\/div>/, '<table id="ctl00_catalogBody_updateMatches"><tr id="headerRow"><td>Title</td></tr></table>');
    const good = fixture('search-kb4022233-lastpage.html');
    server = await scriptedServer((_r, n) => ({ body: n === 1 ? emptyTable : n === 2 ? '' : good }));
    const retries: string[] = [];
    const client = new CatalogClient({ baseUrl: server.url, retry: fast, onRetry: (error) => retries.push(error.message) });
    expect((await client.search('KB4022233')).results).to.have.length(2);
    expect(retries).to.have.length(2);
    expect(retries[0]).to.match(/results table without rows/);
    expect(retries[1]).to.match(/empty body/);
  });

  it('reads "no results" as an empty answer, not a failure', async () => {
    server = await scriptedServer(() => ({ body: renderSearchPage({ query: 'KB9', results: [], page: 1, pageCount: 1, totalCount: 0 }) }));
    const client = new CatalogClient({ baseUrl: server.url, retry: fast });
    expect(await client.search('KB9')).to.deep.include({ results: [], capped: false, pagesRead: 1 });
    expect(server.requests).to.have.length(1);
  });

  it('retries timeouts and 503, not 404', async () => {
    server = await scriptedServer((_r, n) => (n === 1 ? 'hang' : n === 2 ? { status: 503, body: 'busy' } : { body: details }));
    const client = new CatalogClient({ baseUrl: server.url, retry: fast, timeoutMs: 300 });
    expect((await client.details(id)).kb).to.equal('4011677');
    expect(server.requests).to.have.length(3);
    await server.close();

    server = await scriptedServer(() => ({ status: 404, body: 'gone' }));
    const missing = await expectRejection(new CatalogClient({ baseUrl: server.url, retry: fast }).details(id), UpstreamError);
    expect(missing).to.include({ code: 'CatalogHttpError', transient: false });
    expect(server.requests).to.have.length(1);
  });

  it('times out with a clear error once the retries are spent', async () => {
    server = await scriptedServer(() => 'hang');
    const error = await expectRejection(new CatalogClient({ baseUrl: server.url, retry: { limit: 1, baseDelayMs: 5, maxDelayMs: 5 }, timeoutMs: 200 }).details(id), UpstreamError);
    expect(error.code).to.equal('CatalogTimeout');
    expect(error.message).to.match(/no answer within 200 ms.*gave up after 2 attempts/);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    server = await scriptedServer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { body: details };
    });
    const client = new CatalogClient({ baseUrl: server.url, retry: fast, concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => client.details(id)));
    expect(server.requests).to.have.length(12);
    expect(server.inFlight.max).to.equal(3);
  });

  it('follows a redirect to its own error page but refuses one to another origin', async () => {
    const elsewhere = await scriptedServer(() => ({ body: details }));
    try {
      server = await scriptedServer((request) =>
        request.url.startsWith('/Error.aspx')
          ? { body: renderErrorPage('8DDD0024') }
          : request.url.includes('redirect-away')
            ? { status: 302, body: '', headers: { location: `${elsewhere.url}/ScopedViewInline.aspx` } }
            : { status: 302, body: '', headers: { location: '/Error.aspx?id=-1914896348' } },
      );
      const client = new CatalogClient({ baseUrl: server.url, retry: fast });
      expect((await expectRejection(client.details(id), CatalogPageError)).code).to.equal('CatalogNotFound');
      const away = await expectRejection(client.details('redirect-away'), UpstreamError);
      expect(away.code).to.equal('CatalogRedirectRefused');
      expect(elsewhere.requests).to.have.length(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("goes through the SUP's proxy", async () => {
    server = await scriptedServer(() => ({ body: details }));
    const seen: string[] = [];
    const front = await connectProxy((target, authorization) => seen.push(`${target} ${authorization}`));
    try {
      const client = new CatalogClient({ baseUrl: server.url, retry: fast, proxy: { url: front.url, username: 'svc', password: 'pw' } });
      expect((await client.details(id)).kb).to.equal('4011677');
      expect(seen).to.deep.equal([`${server.host} Basic ${Buffer.from('svc:pw').toString('base64')}`]);
    } finally {
      await front.close();
    }
  });

  it('refuses catalog URLs that are not plain http(s) base URLs, naming the flag', () => {
    expect(catalogBaseUrl('http://127.0.0.1:8080/')).to.equal('http://127.0.0.1:8080');
    for (const bad of ['ftp://catalog', 'not a url', 'https://user:pw@catalog.test', 'https://catalog.test/?q=1']) {
      expect(() => catalogBaseUrl(bad)).to.throw(InvalidArgumentError, /--catalog-url/);
    }
  });
});

describe('the local catalog server read by the client', () => {
  it('serves search pages, details and download dialogs of a site database in the real markup', async () => {
    const home = new Home(tempDir());
    applyAddSite(home, planAddSite(home, { code: 'CAT', role: 'primary' }));
    const db = openSiteDb(home.sitePaths('CAT').database);
    const store = new UpdateStore(db);
    const index = loadCategoryIndex(db);
    const product = { id: '11111111-0000-5000-8000-000000000001', title: 'Windows 11', type: 'Product' as const };
    const classification = { id: '0fa1201d-4330-4fa8-8ae9-b877473b6441', title: 'Security Updates', type: 'UpdateClassification' as const };
    const now = new Date().toISOString();
    const ids: string[] = [];
    db.transaction(() => {
      for (const c of [product, classification]) store.store(parseUpdateXml(categoryXml(c), c.id), index, { changeSeq: 1, now });
      for (let i = 0; i < 30; i++) {
        const id = `22222222-0000-5000-8000-${String(i).padStart(12, '0')}`;
        ids.push(id);
        const xml =
          `<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"><upd:UpdateIdentity UpdateID="${id}" RevisionNumber="200" />` +
          `<upd:Properties UpdateType="Software" DefaultPropertiesLanguage="en" MsrcSeverity="Important" PublicationState="Published" CreationDate="2024-05-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z"><upd:KBArticleID>${5030000 + i}</upd:KBArticleID></upd:Properties>` +
          `<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language><upd:Title>Security Update for Windows 11 for x64-based Systems (KB${5030000 + i})</upd:Title><upd:Description>Fixes &amp; more.</upd:Description></upd:LocalizedProperties></upd:LocalizedPropertiesCollection>` +
          `<upd:Relationships><upd:Prerequisites><upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${classification.id}" /></upd:AtLeastOne><upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${product.id}" /></upd:AtLeastOne></upd:Prerequisites></upd:Relationships>` +
          `<upd:Files><upd:File Digest="${crypto.createHash('sha1').update(id).digest('base64')}" FileName="windows11-kb${5030000 + i}-x64.msu" Size="${3_000_000_000 + i}" /></upd:Files></upd:Update>`;
        store.store(parseUpdateXml(xml, id), index, { changeSeq: 2, now });
      }
    })();
    const running = await new CatalogServer({ store: new SiteStore(db), filesBaseUrl: 'https://127.0.0.1:1' }).listen('127.0.0.1', 0);
    try {
      const client = new CatalogClient({ baseUrl: running.url, retry: fast });
      const all = await client.search('Windows 11 Security');
      expect(all).to.include({ totalCount: 30, pagesRead: 2, capped: false });
      expect(new Set(all.results.map((r) => r.updateId))).to.deep.equal(new Set(ids));
      const one = (await client.search('KB5030007')).results;
      expect(one).to.have.length(1);
      expect(one[0]).to.include({ updateId: ids[7], kb: '5030007', products: 'Windows 11', classification: 'Security Updates', lastUpdated: '2024-05-08', sizeInBytes: 3_000_000_007 });
      expect(one[0]!.sizeText).to.equal(formatCatalogSize(3_000_000_007));

      const details = await client.details(ids[7]!);
      expect(details).to.include({ updateId: ids[7], kb: '5030007', classification: 'Security Updates', description: 'Fixes & more.', architecture: 'AMD64', msrcSeverity: 'Important' });
      expect(details.products).to.deep.equal(['Windows 11']);
      expect(await expectRejection(client.details('33333333-0000-5000-8000-000000000000'), CatalogPageError)).to.include({ code: 'CatalogNotFound' });

      const dialog = await client.downloadDialog(ids[7]!);
      const content = syntheticFileContent(ids[7]!, 'windows11-kb5030007-x64.msu');
      expect(dialog.files).to.deep.equal([
        {
          url: `https://127.0.0.1:1/c/msdownload/update/software/${ids[7]}/windows11-kb5030007-x64.msu`,
          fileName: 'windows11-kb5030007-x64.msu',
          digest: crypto.createHash('sha1').update(content).digest('base64'),
          sha256: crypto.createHash('sha256').update(content).digest('base64'),
        },
      ]);
    } finally {
      await running.close();
      db.close();
    }
  });
});

describe('the document built from a details page', () => {
  it('is a valid update document carrying the page, its categories and its downloaded files', () => {
    const details = parseDetailsPage(localFixture('details-kb4011677.html'));
    const xml = catalogUpdateXml({
      updateId: '601956e3-f2f0-469a-a7fe-cad6c0b4f665',
      details: { ...details, title: `${details.title} <&> \u0001` },
      classificationId: 'e6cf1350-c01b-414d-a61f-263d14d133b4',
      productIds: ['11111111-0000-5000-8000-000000000001'],
      files: [{ fileName: 'a&b.cab', size: 2 ** 33, digest: '4/qckQO8UJ3N9+lxyjy+oMGKew0=', sha256: crypto.createHash('sha256').update('x').digest('base64') }],
      fallbackDate: '2026-01-01T00:00:00.000Z',
    });
    const update = parseUpdateXml(xml, 'built');
    expect(update).to.deep.include({
      updateId: '601956e3-f2f0-469a-a7fe-cad6c0b4f665',
      revisionNumber: 0,
      updateType: 'Software',
      creationDate: '2019-05-14T00:00:00.000Z',
      kbArticleId: '4011677',
      categoryIds: ['e6cf1350-c01b-414d-a61f-263d14d133b4', '11111111-0000-5000-8000-000000000001'],
      bundledUpdates: [],
    });
    expect(update.localized[0]).to.include({ language: 'en', title: 'Update for Microsoft Office 2013 (KB4011677) 32-Bit Edition <&>' });
    expect(update.files).to.deep.equal([{ fileName: 'a&b.cab', size: 2 ** 33, digest: '4/qckQO8UJ3N9+lxyjy+oMGKew0=', digestAlgorithm: 'SHA1', sha256: crypto.createHash('sha256').update('x').digest('base64') }]);
  });

  it('stands without files, categories or a readable date', () => {
    const update = parseUpdateXml(
      catalogUpdateXml({
        updateId: '601956e3-f2f0-469a-a7fe-cad6c0b4f665',
        details: { title: 'Driver', classification: 'Drivers', products: [], languages: [], supersededBy: [], supersedes: [], moreInfoUrls: [], supportUrls: [] },
        productIds: [],
        files: [],
        fallbackDate: '2026-01-01T00:00:00.000Z',
      }),
      'built',
    );
    expect(update).to.deep.include({ updateType: 'Driver', creationDate: '2026-01-01T00:00:00.000Z', prerequisites: [], files: [] });
  });
});

describe('catalog downloads', () => {
  let dir: string;
  let certificate: Certificate | undefined;
  let files: Map<string, Buffer>;
  let seen: { url: string; range: string | undefined }[];
  let behaviour: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => boolean;
  let server: Listening;
  const big = crypto.randomBytes(256 * 1024);
  const sha1 = (b: Buffer) => crypto.createHash('sha1').update(b).digest('base64');
  const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('base64');

  before(async function () {
    dir = tempDir();
    certificate = makeCertificate(dir);
    if (!certificate) {
      this.test!.title += ' [SKIPPED: openssl is not available to make a certificate]';
      this.skip();
    }
    files = new Map([['/c/big.cab', big]]);
    const tls = https.createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
      seen.push({ url: req.url!, range: req.headers.range });
      const body = files.get(req.url!);
      if (!body) return res.writeHead(404).end();
      if (behaviour(req, res, body)) return;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        if (start >= body.length) return res.writeHead(416).end();
        res.writeHead(206, { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start });
        return res.end(body.subarray(start));
      }
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
    server = await listen(tls, 'https');
  });
  after(() => server?.close());
  beforeEach(() => {
    seen = [];
    behaviour = () => false;
  });

  const downloader = (extra: Partial<ConstructorParameters<typeof Downloader>[0]> = {}) =>
    new Downloader({ caFile: certificate!.certFile, extraAllowedHosts: [server.host], retry: fast, timeoutMs: 2000, ...extra });
  const target = (name = 'big.cab', digest = sha1(big)) => ({ url: `${server.url}/c/big.cab`, fileName: name, digest, sha256: sha256(big) });

  it('downloads into a .partial, verifies both digests and only then gives the file its name', async () => {
    const out = path.join(tempDir(), 'content', 'u1');
    const file = await downloader().download(target(), out);
    expect(file).to.include({ fileName: 'big.cab', size: big.length, sha1: sha1(big), reused: false, resumed: false });
    expect(fs.readFileSync(path.join(out, 'big.cab')).equals(big)).to.equal(true);
    expect(fs.readdirSync(out)).to.deep.equal(['big.cab']);
    // Present and verified: not fetched again.
    expect(await downloader().download(target(), out)).to.include({ reused: true });
    expect(seen).to.have.length(1);
  });

  it('never leaves a file with the wrong digest, under any name', async () => {
    const out = tempDir();
    const error = await expectRejection(downloader().download(target('big.cab', sha1(Buffer.from('other'))), out), InvalidDataError);
    expect(error.code).to.equal('DownloadDigestMismatch');
    expect(fs.readdirSync(out)).to.deep.equal([]);
    expect(seen).to.have.length(1); // a fresh download that does not match is not retried
  });

  it('replaces a file under the final name that does not verify', async () => {
    const out = tempDir();
    fs.writeFileSync(path.join(out, 'big.cab'), 'tampered');
    expect(await downloader().download(target(), out)).to.include({ reused: false });
    expect(fs.readFileSync(path.join(out, 'big.cab')).equals(big)).to.equal(true);
  });

  it('resumes a .partial with a Range request', async () => {
    const out = tempDir();
    fs.writeFileSync(path.join(out, `big.cab${partialSuffix}`), big.subarray(0, 100_000));
    expect(await downloader().download(target(), out)).to.include({ resumed: true, size: big.length });
    expect(seen).to.deep.equal([{ url: '/c/big.cab', range: 'bytes=100000-' }]);
    expect(fs.readFileSync(path.join(out, 'big.cab')).equals(big)).to.equal(true);
    expect(fs.existsSync(path.join(out, `big.cab${partialSuffix}`))).to.equal(false);
  });

  it('restarts when the server ignores the range, and when a resumed file does not verify', async () => {
    const out = tempDir();
    behaviour = (_req, res, body) => {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
      return true;
    };
    fs.writeFileSync(path.join(out, `big.cab${partialSuffix}`), big.subarray(0, 50_000));
    expect(await downloader().download(target(), out)).to.include({ size: big.length });
    expect(fs.readFileSync(path.join(out, 'big.cab')).equals(big)).to.equal(true);

    behaviour = () => false;
    seen = [];
    fs.rmSync(path.join(out, 'big.cab'));
    fs.writeFileSync(path.join(out, `big.cab${partialSuffix}`), crypto.randomBytes(50_000)); // garbage from another build
    expect(await downloader().download(target(), out)).to.include({ size: big.length });
    expect(seen.map((s) => s.range)).to.deep.equal(['bytes=50000-', undefined]);
    expect(fs.readFileSync(path.join(out, 'big.cab')).equals(big)).to.equal(true);
  });

  it('keeps what arrived before the connection broke and resumes it on the retry', async () => {
    const out = tempDir();
    let cut = true;
    behaviour = (_req, res, body) => {
      if (!cut) return false;
      cut = false;
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, 64 * 1024), () => res.socket?.destroy());
      return true;
    };
    expect(await downloader().download(target(), out)).to.include({ resumed: true, size: big.length });
    expect(seen).to.have.length(2);
    expect(seen[1]!.range).to.match(/^bytes=\d+-$/);
    expect(fs.readFileSync(path.join(out, 'big.cab')).equals(big)).to.equal(true);
  });

  it('refuses http, look-alike hosts, IP hosts and unlisted ports before sending anything', async () => {
    const out = tempDir();
    const plain = downloader({ extraAllowedHosts: [] });
    for (const url of [
      'http://download.microsoft.com.example.test/x.cab',
      'https://download.windowsupdate.com.evil.test/x.cab',
      'https://catalog.s.download.windowsupdate.co/x.cab',
      'https://xn--dwnload-windowsupdate-8rb.com/x.cab',
      'https://download.windowsupdate.com@evil.test/x.cab',
      'https://10.0.0.1/x.cab',
      `${server.url}/c/big.cab`,
    ]) {
      const error = await expectRejection(plain.download({ url, fileName: 'x.cab', digest: sha1(big) }, out), InvalidDataError);
      expect(error.code, url).to.equal('DownloadUrlRefused');
    }
    expect(seen).to.have.length(0);
    expect(fs.readdirSync(out)).to.deep.equal([]);
  });

  it('refuses a redirect off the allowed hosts', async () => {
    behaviour = (_req, res) => {
      res.writeHead(302, { location: 'https://download.windowsupdate.com.evil.test/x.cab' }).end();
      return true;
    };
    const error = await expectRejection(downloader().download(target(), tempDir()), SupsyncError);
    expect(error.code).to.equal('DownloadUrlRefused');
  });

  it('refuses a file without a digest, and keeps unsafe names inside the folder', async () => {
    const out = tempDir();
    const missing = await expectRejection(downloader().download({ url: `${server.url}/c/big.cab`, fileName: 'big.cab' }, out), InvalidDataError);
    expect(missing.code).to.equal('DownloadDigestMissing');
    const file = await downloader().download(target('..\\..\\..\\evil.cab'), path.join(out, 'u'));
    expect(file.path).to.equal(path.join(out, 'u', 'evil.cab'));
    expect(fs.readdirSync(out)).to.deep.equal(['u']);
  });

  it('refuses files larger than the bound and leaves nothing', async () => {
    const out = tempDir();
    const error = await expectRejection(downloader({ maxBytes: 1000 }).download(target(), out), InvalidDataError);
    expect(error.code).to.equal('DownloadTooLarge');
    expect(fs.readdirSync(out)).to.deep.equal([]);
  });

  it('is refused by an untrusted certificate', async () => {
    const error = await expectRejection(new Downloader({ extraAllowedHosts: [server.host], retry: fast }).download(target(), tempDir()), UpstreamError);
    expect(error.message).to.match(/certificate/i);
  });
});

describe('local catalog file content', () => {
  it('is deterministic per update and name', () => {
    const a = syntheticFileContent('u', 'a.cab');
    expect(a.equals(syntheticFileContent('u', 'a.cab'))).to.equal(true);
    expect(a.equals(syntheticFileContent('u', 'b.cab'))).to.equal(false);
    expect(a.length).to.be.within(2048, 2048 + 32768);
  });
});

