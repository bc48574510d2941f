/**
 * The upstream fault modes of issue 16's campaign (test/campaign/fault-modes.ts): a real SUP
 * endpoint on loopback behind a proxy that misbehaves per mode, the sync run through the
 * development entry point's real command line (the product's `sync` plus short timeouts) in this
 * process. A failure must be clean — exit 5, State Failed with the mode's error code, 6703 and a
 * retry time in the status, integrity_check ok, no update stored half, no anchor ahead of what is
 * stored — and the next sync, the upstream healthy again, must end with the upstream's content. A
 * recovery must end with that content at once. `npm test` runs one mode of each kind,
 * `npm run campaign` all of them and writes the figures into README.md.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { SupEndpoint, type RunningEndpoint } from '../src/server/sup-endpoint.js';
import { openSiteDb, type SiteDb } from '../src/store/site-db.js';
import { SiteStore } from '../src/store/site-store.js';
import { tempDir } from './helpers/cli.js';
import { makeCertificate } from './helpers/servers.js';
import { dev, devOk } from './campaign/dev-cli.js';
import { type FaultEndpoints, type FaultMode, FaultProxy, faultModes, faultSyncArgs, untrustedTlsServer } from './campaign/fault-modes.js';
import { type SiteDump, describeDifference, dumpSite, halfWrittenUpdates } from './campaign/site-dump.js';
import { faultFigures, writeReadmeFigures } from './campaign/figures.js';

export interface FaultOutcome {
  mode: FaultMode;
  outcome: string;
  exit: number;
  code: string | null;
  seconds: number;
  problems: string[];
}

/** Every anchored update list of the site is stored whole: no anchor went ahead of its content. */
function anchorsAheadOfContent(home: string, upstreamHome: string): string[] {
  const site = new Database(path.join(home, 'sites', 'CS1', 'site.db'), { readonly: true });
  const upstream = new Database(path.join(upstreamHome, 'sites', 'UPS', 'site.db'), { readonly: true });
  try {
    const stored = new Set(site.prepare('SELECT update_id FROM updates').pluck().all() as string[]);
    const problems: string[] = [];
    for (const key of site.prepare("SELECT filter_key FROM anchors WHERE filter_key LIKE 'updates:%'").pluck().all() as string[]) {
      const product = /product=([0-9a-f-]+)/.exec(key)?.[1];
      if (!product) continue;
      const listed = upstream.prepare('SELECT u.update_id FROM update_products p JOIN updates u USING (update_key) WHERE p.product_id = ? AND u.expired = 0').pluck().all(product) as string[];
      const missing = listed.filter((id) => !stored.has(id));
      if (missing.length > 0) problems.push(`anchor ${key} committed with ${missing.length} of its updates not stored`);
    }
    return problems;
  } finally {
    site.close();
    upstream.close();
  }
}

describe('upstream fault campaign', function () {
  this.timeout(120_000);
  let root: string;
  let upstreamHome: string;
  let upstreamDb: SiteDb;
  let endpoint: RunningEndpoint;
  let proxy: FaultProxy;
  let tls: { url: string; close(): Promise<void> };
  let endpoints: FaultEndpoints;
  let template: string;
  let reference: SiteDump;
  const outcomes: FaultOutcome[] = [];
  const started = Date.now();

  before(async () => {
    root = tempDir('supsync-fault-campaign-');
    upstreamHome = path.join(root, 'upstream');
    await devOk(upstreamHome, ['site', 'add', '--code', 'UPS', '--role', 'primary', '--server-name', 'ups.test']);
    await devOk(upstreamHome, ['sup', 'set', '--site', 'UPS', '--sync-source', 'none', '--wait-months', '99', '--wait-months-for-feature', '99']);
    const corpus = path.join(root, 'corpus.pkg.gz');
    await devOk(root, ['corpus', 'generate', '--updates', '60', '--seed', 'fault-campaign', '--out', corpus]);
    await devOk(upstreamHome, ['metadata', 'import', '--site', 'UPS', '--path', corpus]);
    upstreamDb = openSiteDb(path.join(upstreamHome, 'sites', 'UPS', 'site.db'));
    endpoint = await new SupEndpoint({ store: new SiteStore(upstreamDb), maxUpdatesPerRequest: 10 }).listen('127.0.0.1', 0);
    proxy = new FaultProxy(endpoint.url);
    await proxy.listen();
    const certificate = makeCertificate(root);
    if (!certificate) throw new Error('openssl is needed for the TLS fault modes');
    tls = await untrustedTlsServer(certificate.cert, certificate.key);
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = `http://127.0.0.1:${(closed.address() as net.AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    endpoints = { proxy: proxy.url, untrustedTls: tls.url, closedPort };

    template = path.join(root, 'template');
    const products = upstreamDb.prepare("SELECT update_id FROM categories WHERE category_type = 'Product'").pluck().all() as string[];
    const classifications = upstreamDb.prepare("SELECT update_id FROM categories WHERE category_type = 'UpdateClassification'").pluck().all() as string[];
    await devOk(template, ['site', 'add', '--code', 'CS1', '--role', 'central', '--server-name', 'cs1.test']);
    await devOk(template, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', proxy.url]);
    // The categories are synced once here (a first sync with nothing selected), so each mode's sync fetches updates only.
    await devOk(template, ['sync', '--site', 'CS1', ...faultSyncArgs]);
    await devOk(template, ['sup', 'set', '--site', 'CS1', '--add-product', ...products, '--add-classification', ...classifications]);
    const clean = path.join(root, 'reference');
    fs.cpSync(template, clean, { recursive: true });
    proxy.use(undefined);
    await devOk(clean, ['sync', '--site', 'CS1', ...faultSyncArgs]);
    reference = dumpSite(clean, 'CS1');
    expect(reference.counts.updates).to.be.greaterThan(40);
  });

  after(async () => {
    await proxy?.close();
    await tls?.close();
    await endpoint?.close();
    upstreamDb?.close();
    if (outcomes.length === 0) return;
    const figures = faultFigures(outcomes, (Date.now() - started) / 1000);
    process.stderr.write(`${figures.text.split('\n').map((l) => `      ${l}`).join('\n')}\n`);
    if (process.env.CAMPAIGN === 'full') writeReadmeFigures('fault-modes', figures.markdown);
  });

  it('has at least 18 fault modes, each named once', () => {
    expect(faultModes.length).to.be.at.least(18);
    expect(new Set(faultModes.map((m) => m.name)).size).to.equal(faultModes.length);
  });

  // `npm test` runs one mode of each kind; `npm run campaign` (CAMPAIGN=full) runs them all.
  for (const mode of faultModes.filter((m) => m.inSuite || process.env.CAMPAIGN === 'full')) {
    it(`${mode.name}: ${mode.what} → ${mode.expect.outcome === 'failed' ? `fails cleanly (${mode.expect.code.source})` : mode.expect.outcome === 'recovered' ? 'recovers' : 'accepted, nothing stored'}`, async () => {
      const modeStarted = Date.now();
      const home = path.join(root, `mode-${mode.name}`);
      fs.cpSync(template, home, { recursive: true });
      if (mode.upstreamUrl) await devOk(home, ['sup', 'set', '--site', 'CS1', '--upstream-url', mode.upstreamUrl(endpoints)]);
      proxy.use(mode.fault);
      if (mode.before) {
        await dev(home, ['sync', '--site', 'CS1', ...faultSyncArgs]);
        proxy.use(undefined);
      }
      const run = await dev(home, ['sync', '--site', 'CS1', ...faultSyncArgs]);
      proxy.use(undefined);
      const result = run.records.find((r) => r.type === 'SupSync.SyncResult') ?? {};
      const status = (await devOk(home, ['status', '--site', 'CS1'])).records[0]!;
      const dump = dumpSite(home, 'CS1');
      const problems: string[] = [];
      const check = (ok: boolean, problem: string) => ok || problems.push(problem);
      check(dump.integrity === 'ok', `integrity_check says ${dump.integrity}`);
      check(halfWrittenUpdates(home, 'CS1') === 0, 'updates stored without their languages');
      problems.push(...anchorsAheadOfContent(home, upstreamHome));
      const code = (result.ErrorCode as string | null | undefined) ?? null;
      let outcome: string = run.code === 0 ? String(result.State) : `failed ${code ?? run.error?.code ?? '?'}`;
      if (mode.expect.outcome === 'failed') {
        check(run.code === mode.expect.exit, `exit ${run.code}, expected ${mode.expect.exit} (${String(result.Error ?? run.error?.message ?? run.stderr.slice(-200))})`);
        check(result.State === 'Failed', `State ${String(result.State)}, expected Failed`);
        check(code !== null && mode.expect.code.test(code), `error code ${String(code)}, expected ${mode.expect.code.source}`);
        check(status.LastSyncState === 6703, `status shows ${String(status.LastSyncState)}, expected 6703`);
        const retry = Date.parse(String(status.NextRetryTime));
        check(Number.isFinite(retry) && retry - Date.now() > 55 * 60_000 && retry - Date.now() < 61 * 60_000, `retry time ${String(status.NextRetryTime)}, expected in 60 minutes`);
        check(/^failed \(.+\); retry at [^\n]+$/.test(String(status.Status)), `status says '${String(status.Status)}' (one line expected)`);
        // The upstream healthy again (the site's own URL back): the next sync ends with its content.
        if (mode.upstreamUrl) await devOk(home, ['sup', 'set', '--site', 'CS1', '--upstream-url', proxy.url]);
        const healed = await dev(home, ['sync', '--site', 'CS1', ...faultSyncArgs]);
        check(healed.code === 0, `the sync after the fault exited ${healed.code}: ${String(healed.error?.message ?? healed.stderr.slice(-300))}`);
        const after = dumpSite(home, 'CS1');
        check(after.digest === reference.digest, `after the fault the content differs from a clean sync's: ${describeDifference(reference, after)}`);
      } else if (mode.expect.outcome === 'recovered') {
        check(run.code === 0 && (result.State === 'Succeeded' || result.State === 'NoChanges'), `exit ${run.code}, State ${String(result.State)} ${String(code ?? '')} ${String(result.Error ?? run.stderr.slice(-200))}`);
        check(dump.digest === reference.digest, `content differs from a clean sync's: ${describeDifference(reference, dump)}`);
        if (run.code === 0) outcome = 'recovered';
      } else {
        check(run.code === 0 && (result.State === 'Succeeded' || result.State === 'NoChanges'), `exit ${run.code}, State ${String(result.State)}`);
        check(dump.counts.updates === 0, `${dump.counts.updates} updates stored from empty lists`);
        // Lists that were empty leave anchors behind: a full sync, as an operator would run, brings the content.
        const full = await dev(home, ['sync', '--site', 'CS1', '--full', ...faultSyncArgs]);
        check(full.code === 0, `the full sync after the empty lists exited ${full.code}`);
        const after = dumpSite(home, 'CS1');
        check(after.digest === reference.digest, `after a full sync the content differs from a clean sync's: ${describeDifference(reference, after)}`);
        if (run.code === 0) outcome = 'accepted';
      }
      outcomes.push({ mode, outcome, exit: run.code, code, seconds: (Date.now() - modeStarted) / 1000, problems });
      fs.rmSync(home, { recursive: true, force: true });
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  }
});
