/**
 * `supsync catalog import` end to end on loopback, with the built CLI as child processes, real
 * SQLite and real servers: an upstream site UPS (sync source none, seeded from a generated
 * corpus) served over [MS-WSUSSS]; CS1 syncing from it with a selection that leaves most
 * products out, PS1 below CS1 and SS1 below PS1; a local catalog (`catalog serve`) showing a
 * later generation of the same corpus, with an https file server on a self-signed certificate.
 * A CSV of IDs and KBs goes into CS1, the cascade carries it to PS1 and SS1. Then reruns, what-if,
 * a disconnected site fed from the catalog's pages alone, a flaky catalog, a crash and its rerun,
 * and the revision probe of the upstream metadata.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { renderDetailsPage, renderErrorPage } from '../src/dev/catalog-render.js';
import { syntheticFileContent } from '../src/dev/catalog-server.js';
import { UpstreamMetadata } from '../src/catalog/upstream-metadata.js';
import { UpstreamClient } from '../src/protocol/client.js';
import { buildFault } from '../src/protocol/soap/index.js';
import { SupEndpoint } from '../src/server/sup-endpoint.js';
import { updateRevisions } from '../src/store/served.js';
import { openSiteDb } from '../src/store/site-db.js';
import { SiteStore } from '../src/store/site-store.js';
import { processStartTime } from '../src/store/lock-file.js';
import { type RecordedRequest, catalogFront, scriptedServer } from './helpers/catalog.js';
import { type Certificate, type ServerProcess, makeCertificate, serveProcess } from './helpers/servers.js';
import { type CliResult, runCli, tempDir } from './helpers/cli.js';
import { catalogFixtures, devCliPath } from './helpers/fixtures.js';
import { runCommandLine } from './helpers/in-process.js';

const seed = 'catalog-import';
const updates = 400;

/** Runs the development entry point (in this process): the product's commands plus `catalog serve` and the loopback download options. */
async function cli(home: string, args: string[], expected = 0): Promise<CliResult> {
  const result = await runCommandLine(home, args, { entry: devCliPath });
  expect(result.code, `supsync ${args.join(' ')}\n${result.stderr}\n${result.stdout}`).to.equal(expected);
  return result;
}

function query<T>(home: string, code: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path.join(home, 'sites', code, 'site.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const ids = (home: string, code: string, where = '1 = 1') => new Set(query<{ update_id: string }>(home, code, `SELECT update_id FROM updates WHERE ${where}`).map((r) => r.update_id));
const maxSeq = (home: string, code: string) => query<{ s: number }>(home, code, 'SELECT max(change_seq) AS s FROM updates')[0]!.s;
const results = (run: CliResult) => run.records.filter((r) => r.type === 'SupSync.CatalogImportResult' || r.type === 'SupSync.CatalogImportPlan');
const summary = (run: CliResult) => run.records.find((r) => r.type === 'SupSync.CatalogImportSummary')!;
const byInput = (run: CliResult, input: string) => results(run).filter((r) => r.Input === input);

/** A CSV as Windows PowerShell 5.1's Export-Csv writes it: UTF-16LE with a BOM and a #TYPE line. */
function exportCsv(file: string, rows: [title: string, kb: string, updateId: string][]): void {
  const lines = ['#TYPE Selected.System.Management.Automation.PSCustomObject', '"Title","KB","UpdateId"', ...rows.map((r) => r.map((v) => `"${v}"`).join(','))];
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf16le')]));
}

describe('catalog import into a hierarchy', function () {
  this.timeout(180_000);
  let home: string;
  let certificate: Certificate;
  let upstream: ServerProcess;
  let catalog: ServerProcess;
  let catalogUrl: string;
  let downloadArgs: string[];
  /** A: by ID, B: by KB, C: a bundle (with its children), E: only in the catalog, F/G: for what-if and metadata-only, D: synchronized already. */
  const pick: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G', string> = { A: '', B: '', C: '', D: '', E: '', F: '', G: '' };
  let kbOfB = '';
  let childrenOfC: string[] = [];

  before(async function () {
    if (!fs.existsSync(devCliPath)) throw new Error(`Build first (npm run build): ${devCliPath} is missing`);
    home = tempDir('supsync-catalog-');
    const cert = makeCertificate(home);
    if (!cert) {
      this.test!.title += ' [SKIPPED: openssl is not available to make a certificate]';
      this.skip();
    }
    certificate = cert!;
    for (const [code, extra] of [
      ['UPS', ['--role', 'primary']],
      ['CAT', ['--role', 'primary']],
      ['CS1', ['--role', 'central']],
      ['PS1', ['--role', 'primary', '--parent', 'CS1']],
      ['SS1', ['--role', 'secondary', '--parent', 'PS1']],
      ['DS1', ['--role', 'primary', '--stand-alone']],
    ] as const) {
      await cli(home, ['site', 'add', '--code', code, ...extra, '--server-name', `${code.toLowerCase()}.test`]);
    }
    for (const [code, generation] of [['UPS', 1], ['CAT', 3]] as const) {
      const file = path.join(home, `corpus-${generation}.pkg.gz`);
      await cli(home, ['corpus', 'generate', '--updates', String(updates), '--seed', seed, '--generation', String(generation), '--out', file]);
      await cli(home, ['sup', 'set', '--site', code, '--sync-source', 'none', '--wait-months', '99', '--wait-months-for-feature', '99']);
      await cli(home, ['metadata', 'import', '--site', code, '--path', file]);
    }
    await cli(home, ['sup', 'set', '--site', 'DS1', '--sync-source', 'none']);
    upstream = await serveProcess(home, ['serve', '--site', 'UPS', '--port', '0'], 'SupSync.Endpoint');
    await cli(home, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', String(upstream.record.Url)]);
    await cli(home, ['sync', '--site', 'CS1', '--wait']); // categories only: nothing selected yet
    await cli(home, ['sup', 'set', '--site', 'CS1', '--add-product', 'Windows 11', 'Office 2016', '--add-classification', 'Security Updates', 'Critical Updates', 'Updates']);
    await cli(home, ['sync', '--site', 'CS1', '--wait']);
    catalog = await serveProcess(home, ['catalog', 'serve', '--site', 'CAT', '--files-cert', certificate.certFile, '--files-key', certificate.keyFile], 'SupSync.CatalogEndpoint', devCliPath);
    catalogUrl = String(catalog.record.Url);
    downloadArgs = ['--catalog-url', catalogUrl, '--allow-download-host', String(catalog.record.AllowDownloadHost), '--download-ca', certificate.certFile];

    // Choose the updates from what each site holds.
    const inCs1 = ids(home, 'CS1');
    const inUps = ids(home, 'UPS');
    expect(inCs1.size).to.be.greaterThan(0);
    const outside = query<{ update_id: string; kb: string | null; bundle: number; child: number; files: number }>(
      home,
      'UPS',
      `SELECT u.update_id, u.kb, EXISTS (SELECT 1 FROM bundles b WHERE b.parent_key = u.update_key) AS bundle,
         EXISTS (SELECT 1 FROM bundles b WHERE b.child_id = u.update_id) AS child, (SELECT count(*) FROM files f WHERE f.update_key = u.update_key) AS files
       FROM updates u WHERE u.expired = 0 ORDER BY u.update_id`,
    ).filter((u) => !inCs1.has(u.update_id));
    const plain = outside.filter((u) => !u.bundle && !u.child && u.files > 0 && u.kb !== null);
    [pick.A, pick.B, pick.F, pick.G] = plain.slice(0, 4).map((u) => u.update_id) as [string, string, string, string];
    kbOfB = plain[1]!.kb!;
    pick.C = outside.find((u) => u.bundle && !u.child)!.update_id;
    childrenOfC = query<{ child_id: string }>(home, 'UPS', 'SELECT b.child_id FROM bundles b JOIN updates p ON p.update_key = b.parent_key WHERE p.update_id = ?', pick.C).map((r) => r.child_id);
    expect(childrenOfC.length).to.be.greaterThan(0);
    for (const child of childrenOfC) expect(inCs1.has(child), 'the bundle child is outside the selection too').to.equal(false);
    pick.D = [...inCs1][0]!;
    pick.E = query<{ update_id: string }>(home, 'CAT', 'SELECT u.update_id FROM updates u WHERE NOT EXISTS (SELECT 1 FROM bundles b WHERE b.parent_key = u.update_key OR b.child_id = u.update_id) AND EXISTS (SELECT 1 FROM files f WHERE f.update_key = u.update_key) ORDER BY u.update_id').find(
      (u) => !inUps.has(u.update_id),
    )!.update_id;
  });

  after(async () => {
    await catalog?.stop();
    await upstream?.stop();
  });

  let first: CliResult;
  let csv: string;

  it('imports a CSV of IDs and KBs into CS1: outside the selection, with bundles, from the catalog when the upstream lacks it', async () => {
    csv = path.join(home, 'updates.csv');
    exportCsv(csv, [
      ['by id', '', pick.A],
      ['by kb', `KB${kbOfB}`, ''],
      ['a bundle', '', pick.C],
      ['the first again', '', `{${pick.A.toUpperCase()}}`],
      ['broken', '', 'not-a-guid'],
      ['no such kb', 'KB9999999', ''],
      ['catalog only', '', pick.E],
    ]);
    const versionBefore = query<{ v: number }>(home, 'CS1', 'SELECT catalog_version AS v FROM sync_state')[0]!.v;
    first = await cli(home, ['catalog', 'import', '--site', 'CS1', '--path', csv, ...downloadArgs], 7);
    expect(results(first)).to.have.length(7);
    expect(byInput(first, pick.A)[0]).to.include({ Line: 3, UpdateId: pick.A, Status: 'Imported', MetadataSource: 'Upstream' });
    expect(byInput(first, pick.A)[0]!.Files).to.be.greaterThan(0);
    expect(byInput(first, `KB${kbOfB}`)[0]).to.include({ Line: 4, UpdateId: pick.B, KB: kbOfB, Status: 'Imported', MetadataSource: 'Upstream', MatchCount: 1 });
    expect(byInput(first, pick.C)[0]).to.include({ Status: 'Imported', MetadataSource: 'Upstream', RelatedUpdates: childrenOfC.length });
    expect(byInput(first, `{${pick.A.toUpperCase()}}`)[0]).to.include({ Line: 6, UpdateId: pick.A, Status: 'AlreadyPresent', DuplicateOf: 'line 3' });
    expect(byInput(first, 'not-a-guid')[0]).to.include({ Line: 7, Status: 'Invalid', UpdateId: null });
    expect(byInput(first, 'KB9999999')[0]).to.include({ Line: 8, Status: 'NotFound', KB: '9999999' });
    expect(String(byInput(first, 'KB9999999')[0]!.Reason)).to.match(/no update for KB9999999/);
    const fromCatalog = byInput(first, pick.E)[0]!;
    expect(fromCatalog).to.include({ Status: 'Imported', MetadataSource: 'Catalog', RevisionNumber: 0 });
    expect(String(fromCatalog.Reason)).to.match(/catalog's details.*upstream .* does not have it/);
    expect(summary(first)).to.include({ Inputs: 7, Imported: 4, AlreadyPresent: 1, NotFound: 1, Invalid: 1, Failed: 0, Duplicates: 1, RelatedUpdates: childrenOfC.length });

    // Stored as imported, children with their bundle; files verified in the content directory.
    const imported = ids(home, 'CS1', 'imported = 1 AND expired = 0');
    for (const id of [pick.A, pick.B, pick.C, pick.E, ...childrenOfC]) expect(imported.has(id), id).to.equal(true);
    for (const id of [pick.A, pick.B, pick.E]) {
      const dir = path.join(home, 'sites', 'CS1', 'content', id);
      const names = fs.readdirSync(dir).filter((n) => !n.startsWith('.'));
      expect(names.length, id).to.be.greaterThan(0);
      for (const name of names) {
        expect(name).to.not.match(/\.partial$/);
        expect(fs.readFileSync(path.join(dir, name)).equals(syntheticFileContent(id, name)), `${id}/${name}`).to.equal(true);
      }
    }
    const log = fs.readFileSync(path.join(home, 'sites', 'CS1', 'logs', 'wsyncmgr.log'), 'utf8');
    expect(log).to.include(`Imported update ${pick.A}`);
    expect(log).to.match(/Catalog import finished .*4 imported, 1 already present, 1 not found, 1 invalid, 0 failed/);
    expect(first.stderr).to.match(/"type":"SupSync\.Progress".*"Status":"7 of 7 inputs, [\d.]+\/s, ETA 0s"/);

    // A run in sync history like a sync's, of its own kind; the catalog version covers what it added.
    const newUpdates = 4 + childrenOfC.length;
    expect(summary(first)).to.include({ CatalogVersion: versionBefore + 1 });
    const run = (await cli(home, ['sync', 'history', '--site', 'CS1', '--last', '1'])).records[0]!;
    expect(run).to.include({ RunId: summary(first).RunId, Trigger: 'catalog', FullSync: false, State: 'succeeded', New: newUpdates, Revised: 0, Failed: 2, CatalogVersion: versionBefore + 1 });
    expect(run.BytesFetched).to.equal(summary(first).BytesDownloaded);
    expect(String(run.Source)).to.include(catalogUrl);
    // The status keeps telling the last sync (a catalog import is not one) and tells the import beside it.
    const status = (await cli(home, ['status', '--site', 'CS1'])).records[0]!;
    expect(status).to.include({ LastSyncState: 6702, SyncCatalogVersion: versionBefore + 1 });
    expect(status.Status).to.equal(`succeeded; catalog import run ${String(run.RunId)} succeeded: ${newUpdates} new, 0 revised, 2 input(s) failed; catalog version ${versionBefore + 1}`);
    expect(log).to.match(new RegExp(`Updated ${newUpdates} items in SMS database, new update source content version is ${versionBefore + 1}`));
  });

  it("serves imported updates in a child's unfiltered revision list", () => {
    const db = openSiteDb(path.join(home, 'sites', 'CS1', 'site.db'), { readonly: true });
    try {
      const listed = new Set(updateRevisions(db, {}).map((r) => r.updateId));
      for (const id of [pick.A, pick.B, pick.C, pick.E, ...childrenOfC]) expect(listed.has(id), id).to.equal(true);
    } finally {
      db.close();
    }
  });

  it('reaches PS1 and SS1 with the next sync, and survives a full sync of CS1', async () => {
    const sync = await cli(home, ['sync', '--site', 'CS1', '--wait']);
    expect(sync.records.map((r) => [r.SiteCode, r.State === 'Failed'])).to.deep.equal([
      ['CS1', false],
      ['PS1', false],
      ['SS1', false],
    ]);
    for (const code of ['PS1', 'SS1']) {
      for (const id of [pick.A, pick.B, pick.C, pick.E, ...childrenOfC]) {
        const listed = await cli(home, ['update', 'list', '--site', code, '--update-id', id]);
        expect(listed.records, `${code} ${id}`).to.have.length(1);
      }
      const fromCatalog = (await cli(home, ['update', 'list', '--site', code, '--update-id', pick.E])).records[0]!;
      expect(fromCatalog).to.include({ RevisionNumber: 0, IsExpired: false });
      expect(String(fromCatalog.Title)).to.equal(String(byInput(first, pick.E)[0]!.Title));
    }
    const full = await cli(home, ['sync', '--site', 'CS1', '--full', '--wait']);
    expect(full.records.every((r) => r.State !== 'Failed')).to.equal(true);
    for (const code of ['CS1', 'SS1']) {
      const live = ids(home, code, 'expired = 0');
      for (const id of [pick.A, pick.B, pick.C, pick.E, ...childrenOfC]) expect(live.has(id), `${code} ${id}`).to.equal(true);
    }
  });

  it('reports AlreadyPresent on a rerun and changes nothing', async () => {
    const before = maxSeq(home, 'CS1');
    const rerun = await cli(home, ['catalog', 'import', '--site', 'CS1', '--path', csv, ...downloadArgs], 7);
    for (const id of [pick.A, pick.C, pick.E]) expect(byInput(rerun, id)[0]).to.include({ Status: 'AlreadyPresent', Files: 0 });
    expect(byInput(rerun, `KB${kbOfB}`)[0]).to.include({ Status: 'AlreadyPresent', UpdateId: pick.B });
    expect(summary(rerun)).to.include({ Imported: 0, AlreadyPresent: 5, NotFound: 1, Invalid: 1, FilesDownloaded: 0 });
    expect(maxSeq(home, 'CS1')).to.equal(before);
    // Recorded, with nothing new and the version left where it was.
    const run = (await cli(home, ['sync', 'history', '--site', 'CS1', '--last', '1'])).records[0]!;
    expect(run).to.include({ RunId: summary(rerun).RunId, Trigger: 'catalog', State: 'succeeded', New: 0, Revised: 0, Failed: 2 });
    expect(summary(rerun).CatalogVersion).to.equal(query<{ v: number }>(home, 'CS1', 'SELECT catalog_version AS v FROM sync_state')[0]!.v);
  });

  it('writes nothing with --what-if', async () => {
    const dbFile = path.join(home, 'sites', 'CS1', 'site.db');
    const logFile = path.join(home, 'sites', 'CS1', 'logs', 'wsyncmgr.log');
    const before = { seq: maxSeq(home, 'CS1'), count: ids(home, 'CS1').size, log: fs.statSync(logFile).size };
    const plan = await cli(home, ['catalog', 'import', '--site', 'CS1', '--update-id', pick.F, pick.A, ...downloadArgs, '--what-if']);
    expect(byInput(plan, pick.F)[0]).to.include({ type: 'SupSync.CatalogImportPlan', Status: 'Imported', MetadataSource: 'Upstream' });
    expect(String(byInput(plan, pick.F)[0]!.Reason)).to.match(/^would import with \d+ file/);
    expect(byInput(plan, pick.A)[0]).to.include({ Status: 'AlreadyPresent' });
    expect(summary(plan)).to.include({ WhatIf: true, Imported: 1, AlreadyPresent: 1 });
    expect({ seq: maxSeq(home, 'CS1'), count: ids(home, 'CS1').size, log: fs.statSync(logFile).size }).to.deep.equal(before);
    expect(fs.existsSync(path.join(home, 'sites', 'CS1', 'content', pick.F))).to.equal(false);
    expect(fs.existsSync(dbFile)).to.equal(true);
  });

  it('imports metadata only, and calls a synchronized update AlreadyPresent', async () => {
    const run = await cli(home, ['catalog', 'import', '--site', 'CS1', '--update-id', pick.G, pick.D, '--metadata-only', '--catalog-url', catalogUrl]);
    expect(byInput(run, pick.G)[0]).to.include({ Status: 'Imported', Files: 0, MetadataSource: 'Upstream' });
    expect(byInput(run, pick.D)[0]).to.include({ Status: 'AlreadyPresent', Reason: 'already synchronized from the upstream' });
    expect(fs.existsSync(path.join(home, 'sites', 'CS1', 'content', pick.G))).to.equal(false);
    expect(ids(home, 'CS1', 'imported = 1').has(pick.G)).to.equal(true);
  });

  it('runs on the top-level site only, and not while the site is busy', async () => {
    const child = await cli(home, ['catalog', 'import', '--site', 'PS1', '--update-id', pick.F, '--catalog-url', catalogUrl], 9);
    expect(child.records[0]).to.include({ type: 'SupSync.Error', code: 'NotTopLevelSite', target: 'PS1' });
    expect(String(child.records[0]!.message)).to.match(/top-level site CS1; PS1 is a primary site/);
    const lock = path.join(home, 'sites', 'CS1', 'sync.lock');
    // A live holder's lock: its process id with its start time (a bare id proves nothing and is stale).
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, start: processStartTime(process.pid), operation: 'sync', since: new Date().toISOString() }));
    try {
      const busy = await cli(home, ['catalog', 'import', '--site', 'CS1', '--update-id', pick.F, '--catalog-url', catalogUrl], 6);
      expect(busy.records[0]).to.include({ code: 'SiteBusy', target: 'CS1' });
    } finally {
      fs.rmSync(lock);
    }
    const none = await cli(home, ['catalog', 'import', '--site', 'CS1'], 2);
    expect(none.records[0]).to.include({ code: 'NoImportInput' });
    const lookAlike = await cli(home, ['catalog', 'import', '--site', 'CS1', '--update-id', pick.F, '--allow-download-host', 'download.windowsupdate.com.evil.test'], 2);
    expect(lookAlike.records[0]).to.include({ code: 'DownloadHostNotLoopback', target: '--allow-download-host' });
    // The product has no loopback download option and no catalog stand-in: they live in the development entry point.
    const product = await runCli(home, ['catalog', 'import', '--site', 'CS1', '--update-id', pick.F, '--allow-download-host', '127.0.0.1:1']);
    expect(product.code).to.equal(2);
    expect((await runCli(home, ['catalog', 'serve', '--site', 'CS1'])).code).to.equal(2);
  });

  it('stores the catalog\'s details when the upstream is down, and stops asking it', async () => {
    await cli(home, ['site', 'add', '--code', 'DS2', '--role', 'primary', '--stand-alone', '--server-name', 'ds2.test']);
    await cli(home, ['sup', 'set', '--site', 'DS2', '--sync-source', 'upstream', '--upstream-url', 'http://127.0.0.1:1']);
    const run = await cli(home, ['catalog', 'import', '--site', 'DS2', '--update-id', pick.A, pick.B, '--metadata-only', '--catalog-url', catalogUrl, '--concurrency', '1', '--retries', '1', '--retry-delay', '0.01']);
    const [a, b] = [byInput(run, pick.A)[0]!, byInput(run, pick.B)[0]!];
    for (const result of [a, b]) expect(result).to.include({ Status: 'Imported', MetadataSource: 'Catalog', RevisionNumber: 0 });
    expect(String(a.Reason)).to.match(/upstream http:\/\/127\.0\.0\.1:1 could not give it/);
    expect(String(b.Reason)).to.match(/not asked again in this run/);
  });

  describe('on a disconnected site, from a flaky catalog', () => {
    let front: Awaited<ReturnType<typeof catalogFront>>;
    const chosen: Record<string, string> = {};
    let detailsSeen = new Map<string, number>();
    let searchSeen = 0;
    /** While set, a details page after the first one waits for it: an import held after its first update, with no clock. */
    let hold: Promise<void> | undefined;
    /** The timing-out update's details page, fetched before any import: its retry is answered from memory. */
    let timeoutPage: string;

    before(async () => {
      const candidates = query<{ update_id: string; kb: string }>(
        home,
        'CAT',
        `SELECT u.update_id, u.kb FROM updates u WHERE u.kb IS NOT NULL AND u.expired = 0 AND EXISTS (SELECT 1 FROM files f WHERE f.update_key = u.update_key)
         AND NOT EXISTS (SELECT 1 FROM bundles b WHERE b.parent_key = u.update_key OR b.child_id = u.update_id) ORDER BY u.update_id DESC LIMIT 30`,
      );
      ['errorPage', 'timeout', 'wrongDigest', 'lookAlike', 'plainHttp', 'kbEmptyTable', 'good'].forEach((name, i) => (chosen[name] = candidates[i]!.update_id));
      chosen.kb = candidates[5]!.kb;
      candidates.slice(10, 30).forEach((c, i) => (chosen[`crash${i}`] = c.update_id));
      timeoutPage = await (await fetch(`${catalogUrl}/ScopedViewInline.aspx?updateid=${encodeURIComponent(chosen.timeout!)}`)).text();
      const dialogOf = (request: RecordedRequest) => /"updateID":"([^"]+)"/.exec(decodeURIComponent(request.body))?.[1];
      front = await catalogFront(catalogUrl, async (request, forward) => {
        const url = new URL(request.url, 'http://x');
        if (url.pathname === '/ScopedViewInline.aspx') {
          const id = url.searchParams.get('updateid')!;
          const n = (detailsSeen.get(id) ?? 0) + 1;
          detailsSeen.set(id, n);
          if (id === chosen.errorPage) return { body: renderErrorPage('8DDD0010') };
          if (id === chosen.timeout) return n === 1 ? 'hang' : { body: timeoutPage };
          if (hold && [...detailsSeen.values()].reduce((a, b) => a + b, 0) > 1) await hold;
          return undefined;
        }
        if (url.pathname === '/Search.aspx' && url.searchParams.get('q') === `KB${chosen.kb}` && ++searchSeen === 1) {
          return { body: (await forward()).replace(/<tr id="[0-9a-f-]+_R\d+"[\s\S]*?<\/tr>/g, '') };
        }
        if (url.pathname === '/DownloadDialog.aspx') {
          const id = dialogOf(request);
          const body = await forward();
          if (id === chosen.wrongDigest) return { body: body.replace(/\.digest = '[^']*'/g, `.digest = '${crypto.createHash('sha1').update('other').digest('base64')}'`) };
          if (id === chosen.lookAlike) return { body: body.replace(/https:\/\/127\.0\.0\.1:\d+/g, 'https://download.windowsupdate.com.evil.test') };
          if (id === chosen.plainHttp) return { body: body.replace(/https:\/\/127\.0\.0\.1/g, 'http://127.0.0.1') };
        }
        return undefined;
      });
    });
    after(() => front?.close());
    beforeEach(() => {
      detailsSeen = new Map();
    });

    // A bound no answer meets on a loaded machine: nothing hangs in the imports that use it.
    const flakyArgs = () => ['--catalog-url', front.url, '--allow-download-host', String(catalog.record.AllowDownloadHost), '--download-ca', certificate.certFile, '--retries', '2', '--retry-delay', '0.05', '--catalog-timeout', '10'];

    it('retries error pages and empty tables, then fails only the update that stays broken; bad files never land', async () => {
      const run = await cli(home, ['catalog', 'import', '--site', 'DS1', '--update-id', chosen.errorPage!, chosen.wrongDigest!, chosen.lookAlike!, chosen.plainHttp!, chosen.good!, '--kb', chosen.kb!, ...flakyArgs()], 7);
      const status = (id: string) => byInput(run, id)[0]!;
      expect(status(chosen.errorPage!)).to.include({ Status: 'Failed' });
      expect(String(status(chosen.errorPage!).Reason)).to.match(/8DDD0010.*gave up after 3 attempts/);
      expect(detailsSeen.get(chosen.errorPage!)).to.equal(3);
      expect(status(chosen.wrongDigest!)).to.include({ Status: 'Failed' });
      expect(String(status(chosen.wrongDigest!).Reason)).to.match(/SHA-1 .* does not match/);
      expect(String(status(chosen.lookAlike!).Reason)).to.match(/Refusing to download https:\/\/download\.windowsupdate\.com\.evil\.test.*not a Microsoft download host/);
      expect(String(status(chosen.plainHttp!).Reason)).to.match(/uses http, not https/);
      expect(status(chosen.good!)).to.include({ Status: 'Imported' });
      expect(status(`${chosen.kb}`)).to.include({ Status: 'Imported', UpdateId: chosen.kbEmptyTable });
      expect(searchSeen).to.equal(2);
      expect(summary(run)).to.include({ Imported: 2, Failed: 4 });
      for (const id of [chosen.wrongDigest!, chosen.lookAlike!, chosen.plainHttp!, chosen.errorPage!]) {
        const dir = path.join(home, 'sites', 'DS1', 'content', id);
        expect(fs.existsSync(dir) ? fs.readdirSync(dir) : [], id).to.deep.equal([]);
      }
      expect(ids(home, 'DS1').has(chosen.wrongDigest!)).to.equal(false);
    });

    it('retries a page that timed out', async () => {
      // The import asks for the details page alone; its first request hangs and the retry is answered
      // from memory at once, so the short timeout is met by the hanging request alone, however busy the machine.
      const asked = front.requests.length;
      const run = await cli(home, ['catalog', 'import', '--site', 'DS1', '--update-id', chosen.timeout!, '--metadata-only', '--catalog-url', front.url, '--retries', '2', '--retry-delay', '0.05', '--catalog-timeout', '2']);
      expect(byInput(run, chosen.timeout!)[0]).to.include({ Status: 'Imported', MetadataSource: 'Catalog' });
      expect(detailsSeen.get(chosen.timeout!)).to.equal(2);
      expect(front.requests.slice(asked).map((r) => new URL(r.url, 'http://x').pathname)).to.deep.equal(['/ScopedViewInline.aspx', '/ScopedViewInline.aspx']);
      expect(summary(run)).to.include({ Imported: 1, Failed: 0 });
    });

    it('resumes after a crash: what was imported is skipped, a partial download is completed', async () => {
      const batch = Object.keys(chosen).filter((k) => k.startsWith('crash')).map((k) => chosen[k]!);
      const file = path.join(home, 'batch.txt');
      fs.writeFileSync(file, `# one GUID per line, as ImportUpdateToWSUS.ps1 reads them\n\n${batch.join('\n')}\n`);
      let release = () => {};
      hold = new Promise((resolve) => (release = resolve));
      const version = () => query<{ v: number }>(home, 'DS1', 'SELECT catalog_version AS v FROM sync_state')[0]!.v;
      const lastRuns = (n: number) => query<{ state: string; trigger: string; new_count: number; catalog_version: number | null }>(home, 'DS1', 'SELECT state, trigger, new_count, catalog_version FROM sync_runs ORDER BY id DESC LIMIT ?', n);
      const versionBefore = version();
      const killed = await runUntilFirstImport(home, ['catalog', 'import', '--site', 'DS1', '--path', file, '--concurrency', '1', ...flakyArgs()]);
      hold = undefined;
      release();
      const importedBefore = ids(home, 'DS1');
      const done = batch.filter((id) => importedBefore.has(id));
      expect(done.length, 'some imported before the crash').to.be.greaterThan(0);
      expect(done.length, 'some left after the crash').to.be.lessThan(batch.length);
      expect(killed.signalCode).to.equal('SIGKILL');
      // The killed run's record holds what it committed, under the version raised with it.
      expect(lastRuns(1)[0]).to.deep.equal({ state: 'running', trigger: 'catalog', new_count: done.length, catalog_version: versionBefore + 1 });
      // Leave half a download behind for an update not imported yet, as a crash mid-download does.
      const pending = batch.find((id) => !importedBefore.has(id))!;
      const [name] = query<{ file_name: string }>(home, 'CAT', 'SELECT f.file_name FROM files f JOIN updates u USING (update_key) WHERE u.update_id = ? ORDER BY f.file_name LIMIT 1', pending).map((r) => r.file_name);
      const content = syntheticFileContent(pending, name!);
      fs.mkdirSync(path.join(home, 'sites', 'DS1', 'content', pending), { recursive: true });
      fs.writeFileSync(path.join(home, 'sites', 'DS1', 'content', pending, `${name}.partial`), content.subarray(0, 1000));

      const rerun = await cli(home, ['catalog', 'import', '--site', 'DS1', '--path', file, ...flakyArgs()]);
      for (const id of batch) expect(byInput(rerun, id)[0]!.Status, id).to.equal(done.includes(id) ? 'AlreadyPresent' : 'Imported');
      expect(fs.readFileSync(path.join(home, 'sites', 'DS1', 'content', pending, name!)).equals(content)).to.equal(true);
      expect(fs.existsSync(path.join(home, 'sites', 'DS1', 'content', pending, `${name}.partial`))).to.equal(false);
      // Between them the two runs counted each update once, and raised the version once.
      expect(lastRuns(2)).to.deep.equal([
        { state: 'succeeded', trigger: 'catalog', new_count: batch.length - done.length, catalog_version: versionBefore + 1 },
        { state: 'interrupted', trigger: 'catalog', new_count: done.length, catalog_version: versionBefore + 1 },
      ]);
      expect(version()).to.equal(versionBefore + 1);
    });
  });
});

/** Runs an import and kills it (SIGKILL, no cleanup) as soon as its first update is imported. */
function runUntilFirstImport(home: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [devCliPath, '--home', home, '--output', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"Status":"Imported"')) child.kill('SIGKILL');
    });
    child.once('exit', () => resolve(child));
  });
}

describe('upstream metadata: revision list and downward probe', () => {
  it('finds a revision by listing, or by probing when listing fails, within the bound', async () => {
    const home = tempDir('supsync-probe-');
    await cli(home, ['site', 'add', '--code', 'UPS', '--role', 'primary', '--server-name', 'ups.test']);
    await cli(home, ['sup', 'set', '--site', 'UPS', '--sync-source', 'none']);
    const file = path.join(home, 'c.pkg.gz');
    await cli(home, ['corpus', 'generate', '--updates', '60', '--seed', 'probe', '--out', file]);
    await cli(home, ['metadata', 'import', '--site', 'UPS', '--path', file]);
    const db = openSiteDb(path.join(home, 'sites', 'UPS', 'site.db'));
    const endpoint = await new SupEndpoint({ store: new SiteStore(db) }).listen('127.0.0.1', 0);
    try {
      const [target] = query<{ update_id: string; revision: number }>(home, 'UPS', 'SELECT update_id, revision FROM updates ORDER BY update_id LIMIT 1');
      const client = new UpstreamClient({ baseUrl: endpoint.url, accountName: 'cs1.test', accountGuid: crypto.randomUUID(), retry: { limit: 0, baseDelayMs: 1, maxDelayMs: 1 } });
      const isStored = () => false;

      const listed = new UpstreamMetadata(client, { useRevisionList: true, isStored });
      expect((await listed.document(target!.update_id))?.revisionNumber).to.equal(target!.revision);
      expect(listed.probes).to.equal(0);
      expect(await listed.document(crypto.randomUUID())).to.equal(undefined);
      expect(listed.probes, 'a SUP lists every live update: nothing to probe for').to.equal(0);

      const probing = new UpstreamMetadata(client, { useRevisionList: false, isStored, probe: { from: 300, limit: 300, parallel: 10 } });
      expect((await probing.document(target!.update_id))?.revisionNumber).to.equal(target!.revision);
      // Downward from 300 in windows of 10: the window holding the revision is the last one asked.
      expect(probing.probes).to.equal(Math.ceil((301 - target!.revision) / 10) * 10);

      const bounded = new UpstreamMetadata(client, { useRevisionList: false, isStored, probe: { from: 300, limit: 40, parallel: 8 } });
      expect(await bounded.document(target!.update_id)).to.equal(undefined);
      expect(bounded.probes).to.equal(40);

      // An upstream that refuses the unfiltered list: the revision is probed for instead.
      const refusing = await catalogFront(endpoint.url, (request) =>
        String(request.headers.soapaction).includes('GetRevisionIdList')
          ? { status: 500, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: buildFault({ errorCode: 'InvalidParameters', message: 'filter', actor: endpoint.url, method: 'GetRevisionIdList' }) }
          : undefined,
      );
      try {
        const viaFront = new UpstreamClient({ baseUrl: refusing.url, accountName: 'cs1.test', accountGuid: crypto.randomUUID(), retry: { limit: 0, baseDelayMs: 1, maxDelayMs: 1 } });
        const fallback = new UpstreamMetadata(viaFront, { useRevisionList: true, isStored });
        expect((await fallback.document(target!.update_id))?.revisionNumber).to.equal(target!.revision);
        expect(fallback.listProblem).to.match(/InvalidParameters/);
        expect(fallback.probes).to.be.greaterThan(0);
      } finally {
        await refusing.close();
      }
    } finally {
      await endpoint.close();
      db.close();
    }
  });
});

describe('catalog import of a KB naming several updates (the real search page)', () => {
  it('imports every update the KB names, or those the filters leave', async () => {
    const home = tempDir('supsync-kb-');
    await cli(home, ['site', 'add', '--code', 'DS3', '--role', 'primary', '--server-name', 'ds3.test']);
    await cli(home, ['sup', 'set', '--site', 'DS3', '--sync-source', 'none']);
    const search = fs.readFileSync(path.join(catalogFixtures, 'search-kb4022233-lastpage.html'), 'utf8');
    const x64 = 'd001ca72-ce16-4700-9a6d-b2bb28974002';
    const x86 = 'a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5';
    const title = (id: string) => `Update for Microsoft Office 2013 (KB4022233) ${id === x64 ? '64' : '32'}-Bit Edition`;
    const server = await scriptedServer((request) => {
      const url = new URL(request.url, 'http://x');
      if (url.pathname === '/Search.aspx') return { body: url.searchParams.get('q') === 'KB4022233' ? search : renderErrorPage('8DDD0024') };
      const id = url.searchParams.get('updateid')!;
      return {
        body: renderDetailsPage({ updateId: id, title: title(id), kb: '4022233', classification: 'Critical Updates', products: ['Office 2013'], lastModifiedText: '9/11/2018', languages: [], supersededBy: [], supersedes: [], moreInfoUrls: [], supportUrls: [] }),
      };
    });
    try {
      const args = ['catalog', 'import', '--site', 'DS3', '--kb', 'KB4022233', '--metadata-only', '--catalog-url', server.url];
      const all = await cli(home, [...args, '--what-if']);
      expect(results(all).map((r) => [r.UpdateId, r.Status, r.MatchCount])).to.have.deep.members([
        [x64, 'Imported', 2],
        [x86, 'Imported', 2],
      ]);
      expect(String(results(all)[0]!.Reason)).to.match(/KB4022233 names 2 updates; each is imported \(narrow with --product, --architecture or --title-contains\)/);

      const narrowed = await cli(home, [...args, '--architecture', 'x64']);
      expect(results(narrowed).map((r) => [r.UpdateId, r.Status, r.Title, r.MatchCount])).to.deep.equal([[x64, 'Imported', title(x64), 1]]);
      const byTitle = await cli(home, [...args, '--product', 'office 2013', '--title-contains', '32-bit']);
      expect(results(byTitle).map((r) => [r.UpdateId, r.Status])).to.deep.equal([[x86, 'Imported']]);
      const none = await cli(home, [...args, '--product', 'Windows'], 3);
      expect(results(none)[0]).to.include({ Status: 'NotFound', UpdateId: null });
      expect(String(results(none)[0]!.Reason)).to.match(/has 2 update\(s\) for KB4022233, none matching --product "Windows"/);
      expect(ids(home, 'DS3')).to.deep.equal(new Set([x64, x86]));
    } finally {
      await server.close();
    }
  });
});
