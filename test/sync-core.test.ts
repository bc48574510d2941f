/**
 * The sync core in-process: the pure plan over a Map, and plan → apply against real SQLite files
 * and a SUP endpoint on loopback in this process (no CLI, no child processes), so each case runs in
 * well under a second. The CLI hierarchy tests keep the end-to-end cases.
 */
import path from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { BusyError, ExitCode } from '../src/errors.js';
import { serveLocalParent } from '../src/server/local-parent.js';
import { type RunningEndpoint, SupEndpoint } from '../src/server/sup-endpoint.js';
import { type SupChangeRequest, planSupChange } from '../src/model/sup-settings.js';
import { Home } from '../src/store/home.js';
import { tryLockSite } from '../src/store/site-lock.js';
import { type SiteStore, openSiteStore, withSiteStore } from '../src/store/site-store.js';
import { updateSiteControl } from '../src/store/site-file.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { syncSite } from '../src/sync/engine.js';
import { orphanedChildren } from '../src/sync/expiry.js';
import { planExpiry } from '../src/sync/expiry-apply.js';
import { importPackage } from '../src/sync/import-package.js';
import type { ListRequest } from '../src/sync/lists.js';
import { type AnsweredList, type StoredRevisions, planSync } from '../src/sync/sync-plan.js';
import { whatIfSync } from '../src/sync/what-if.js';
import { tempDir } from './helpers/cli.js';
import { corpusSite } from './helpers/corpus-site.js';

const request = (key: string, anchor?: string): ListRequest => ({ key, filter: { getConfig: false, ...(anchor ? { anchor } : {}) } });
const list = (req: ListRequest, anchor: string, revisions: [string, number][]): AnsweredList => ({ request: req, anchor, revisions: revisions.map(([updateId, revisionNumber]) => ({ updateId, revisionNumber })) });

function snapshot(stored: Record<string, { revision: number; live: boolean }>): StoredRevisions {
  return { revision: (id) => stored[id]?.revision, isLive: (id) => stored[id]?.live ?? false };
}

describe('planSync (pure)', () => {
  const stored = snapshot({ a: { revision: 1, live: true }, b: { revision: 5, live: true }, c: { revision: 2, live: false } });

  it('fetches what is not stored or stored at an older revision, newest revision once, and tells new from revised', () => {
    const plan = planSync(stored, { categories: [], updates: [list(request('u'), 'A1', [['a', 2], ['b', 5], ['n', 1], ['n', 3]])] }, { full: false });
    expect(plan.updates!.fetch).to.deep.equal([
      { updateId: 'a', revisionNumber: 2 },
      { updateId: 'n', revisionNumber: 3 },
    ]);
    expect([...plan.updates!.newIds]).to.deep.equal(['n']);
    expect(plan.updates!.anchors).to.deep.equal([{ key: 'u', anchor: 'A1', waitsFor: ['a', 'n', 'n'] }]);
    expect(plan.listed).to.equal(undefined);
  });

  it('re-fetches a stored live revision a delta names (how an expiry travels), never an expired one', () => {
    const plan = planSync(stored, { categories: [], updates: [list(request('u', 'old'), 'A2', [['b', 5], ['c', 2]])] }, { full: false });
    expect(plan.updates!.fetch.map((r) => r.updateId)).to.deep.equal(['b']);
    expect(plan.updates!.newIds.size).to.equal(0);
  });

  it('keeps the first anchor of a key and the key it replaces; a full sync lists every update id', () => {
    const first = { ...request('k'), replaces: 'old-key' };
    const plan = planSync(stored, { categories: [list(request('categories'), 'C', [])], updates: [list(first, 'K1', [['a', 1]]), list(request('k'), 'K2', [['z', 1]])] }, { full: true });
    expect(plan.updates!.anchors).to.deep.equal([{ key: 'k', anchor: 'K1', replaces: 'old-key', waitsFor: ['z'] }]);
    expect(plan.categories.anchors).to.deep.equal([{ key: 'categories', anchor: 'C', waitsFor: [] }]);
    expect([...plan.listed!].sort()).to.deep.equal(['a', 'z']);
  });

  it('plans categories only when the site selects nothing', () => {
    const plan = planSync(stored, { categories: [list(request('categories'), 'C', [['cat', 1]])], updates: undefined }, { full: true });
    expect(plan.updates).to.equal(undefined);
    expect(plan.listed).to.equal(undefined);
    expect(plan.categories.fetch).to.deep.equal([{ updateId: 'cat', revisionNumber: 1 }]);
  });
});

describe('plan and apply in-process (real SQLite, endpoint on loopback)', function () {
  this.timeout(60_000);
  let home: Home;
  let upstream: SiteStore;
  let endpoint: RunningEndpoint;

  function setSup(code: string, change: SupChangeRequest): void {
    const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
    updateSiteControl(home.sitePaths(code).controlFile, (site) => ({ ...site, sup: planSupChange(site, change, known, code).settings }));
  }
  const count = (code: string) => withSiteStore(home.sitePaths(code).database, (store) => [...store.updates.search({ expired: 'include' })].length);

  before(async () => {
    home = new Home(tempDir('supsync-core-'));
    await corpusSite(home, 'UPS', { updates: 150, seed: 'core' });
    upstream = openSiteStore(home.sitePaths('UPS').database);
    endpoint = await new SupEndpoint({ store: upstream }).listen('127.0.0.1', 0);
    applyAddSite(home, planAddSite(home, { code: 'CS1', role: 'central' }));
    setSup('CS1', { syncSource: 'upstream', upstreamUrl: endpoint.url });
    applyAddSite(home, planAddSite(home, { code: 'PS1', role: 'primary', parent: 'CS1' }));
  });
  after(async () => {
    await endpoint.close();
    upstream.close();
  });

  it('syncs categories only while nothing is selected, then applies exactly the plan the what-if printed', async () => {
    const [categoriesOnly] = await syncSite(home, 'CS1', { trigger: 'manual' });
    expect(categoriesOnly).to.include({ state: 'Succeeded' });
    expect(count('CS1')).to.equal(0);
    const known = withSiteStore(home.sitePaths('CS1').database, (store) => store.categories.known());
    setSup('CS1', { addProduct: known.products.map((p) => p.id), addClassification: known.classifications.map((c) => c.id) });

    const plan = await whatIfSync(home, 'CS1', {});
    expect(count('CS1')).to.equal(0); // the what-if wrote nothing
    const [full] = await syncSite(home, 'CS1', { trigger: 'manual' });
    expect(full!.state).to.equal('Succeeded');
    expect(full!.counts.new).to.equal(plan.totals.new);
    expect(count('CS1')).to.equal(count('UPS'));
    const again = await whatIfSync(home, 'CS1', {});
    expect(again.totals).to.include({ new: 0, revised: 0 });
  });

  it('a child syncs from its parent of the same home through the injected local-parent server, and not without it', async () => {
    const [refused] = await syncSite(home, 'PS1', { trigger: 'parent' });
    expect(refused).to.include({ state: 'Failed' });
    expect(refused!.error!.code).to.equal('ParentUnreachable');
    const [child] = await syncSite(home, 'PS1', { trigger: 'parent', serveLocalParent });
    expect(child).to.include({ state: 'Succeeded' });
    expect(count('PS1')).to.be.greaterThan(0);
  });

  it('queues a sync while another writer holds the site, and package imports get the one busy error (exit 6)', async () => {
    const lock = tryLockSite(home.sitePaths('CS1').dir, 'sync')!;
    try {
      const [queued] = await syncSite(home, 'CS1', { trigger: 'manual', full: true });
      expect(queued).to.include({ state: 'Queued' });
      expect(withSiteStore(home.sitePaths('CS1').database, (store) => store.state.read().queued_request)).to.equal(JSON.stringify({ trigger: 'manual', full: true }));
    } finally {
      lock.release();
    }
    withSiteStore(home.sitePaths('CS1').database, (store) => store.state.takeQueuedRequest());
    const upsLock = tryLockSite(home.sitePaths('UPS').dir, 'sync')!;
    try {
      let thrown: unknown;
      await importPackage(home, 'UPS', path.join(home.root, 'corpus.pkg.gz')).catch((error: unknown) => (thrown = error));
      expect(thrown).to.be.instanceOf(BusyError);
      expect(thrown).to.include({ code: 'SiteBusy', exitCode: ExitCode.busy });
    } finally {
      upsLock.release();
    }
  });

  /** A site syncing from UPS with everything selected, its categories synchronized (catalog version 1). */
  async function selectingSite(code: string): Promise<void> {
    applyAddSite(home, planAddSite(home, { code, role: 'primary', standAlone: true }));
    setSup(code, { syncSource: 'upstream', upstreamUrl: endpoint.url });
    const [categories] = await syncSite(home, code, { trigger: 'manual' });
    expect(categories).to.include({ state: 'Succeeded', catalogVersion: 1 });
    const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
    setSup(code, { addProduct: known.products.map((p) => p.id), addClassification: known.classifications.map((c) => c.id) });
  }
  /** A real SQLite failure at a chosen point, the way a full disk fails a write: a trigger the test adds and drops. */
  function failWrites(code: string, sql: string | undefined): void {
    const db = new Database(home.sitePaths(code).database);
    try {
      db.exec(sql === undefined ? 'DROP TRIGGER disk_full' : `CREATE TRIGGER disk_full ${sql} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    } finally {
      db.close();
    }
  }
  /** The new updates and categories over every run in the history, and what is stored. */
  function ledger(code: string) {
    const db = new Database(home.sitePaths(code).database, { readonly: true });
    try {
      const runs = db.prepare('SELECT * FROM sync_runs ORDER BY id').all() as { state: string; new_count: number; catalog_version: number | null; bytes_fetched: number }[];
      return {
        historyNew: runs.reduce((n, r) => n + r.new_count, 0),
        stored: (db.prepare('SELECT (SELECT count(*) FROM updates) + (SELECT count(*) FROM categories)').pluck().get() as number),
        version: db.prepare('SELECT catalog_version FROM sync_state').pluck().get() as number,
        runs,
      };
    } finally {
      db.close();
    }
  }

  it('commits counts and the catalog version with the batches: a sync failing on a full disk mid-fetch, then its retry (history totals = what is stored)', async () => {
    await selectingSite('CS4');
    const base = ledger('CS4');
    // The batch that would store the 60th update fails; the batches before it stay committed.
    failWrites('CS4', 'BEFORE INSERT ON updates WHEN (SELECT count(*) FROM updates) >= 60');
    const [failed] = await syncSite(home, 'CS4', { trigger: 'manual' });
    expect(failed!.state).to.equal('Failed');
    expect(failed!.error!.message).to.match(/disk is full/);
    const afterFailure = ledger('CS4');
    const storedByFailed = afterFailure.stored - base.stored;
    expect(storedByFailed).to.be.greaterThan(0);
    // The failed run counted exactly what it committed, and raised the version covering it.
    expect(afterFailure.runs.at(-1)).to.include({ state: 'failed', new_count: storedByFailed, catalog_version: 2 });
    expect(failed!.counts.new).to.equal(storedByFailed);
    expect(afterFailure.version).to.equal(2);
    expect(afterFailure.runs.at(-1)!.bytes_fetched).to.be.greaterThan(0);

    failWrites('CS4', undefined);
    const [retry] = await syncSite(home, 'CS4', { trigger: 'retry' });
    expect(retry!.state).to.equal('Succeeded');
    const end = ledger('CS4');
    expect(retry!.counts.new).to.equal(end.stored - afterFailure.stored);
    expect(end.historyNew).to.equal(end.stored);
    // One body of changes, one version: as an uninterrupted categories-then-updates history (CS1).
    expect(end.version).to.equal(withSiteStore(home.sitePaths('CS1').database, (store) => store.state.read().catalog_version));
    expect(end.runs.at(-1)).to.include({ state: 'succeeded', catalog_version: 2 });
  });

  it('raises the catalog version with the content even when the run fails in the 6705 phase, so the retry that finds no changes keeps it', async () => {
    await selectingSite('CS5');
    // Everything is stored; the run's final record (6702) fails, as a full disk would at that point.
    failWrites('CS5', "BEFORE UPDATE OF state ON sync_runs WHEN NEW.state = 'succeeded'");
    const [failed] = await syncSite(home, 'CS5', { trigger: 'manual' });
    expect(failed!.state).to.equal('Failed');
    const afterFailure = ledger('CS5');
    expect(afterFailure.historyNew).to.equal(afterFailure.stored);
    expect(afterFailure.version).to.equal(2);
    failWrites('CS5', undefined);
    const [retry] = await syncSite(home, 'CS5', { trigger: 'retry' });
    expect(retry).to.include({ state: 'NoChanges', catalogVersion: 2 });
    const end = ledger('CS5');
    expect(end.historyNew).to.equal(end.stored);
    // A later sync that changes nothing raises nothing either.
    const [again] = await syncSite(home, 'CS5', { trigger: 'manual' });
    expect(again).to.include({ state: 'NoChanges', catalogVersion: 2 });
  });

  it('decides expiry from what is stored, the rules and now, writing nothing', () => {
    // UPS waits 99 months: its superseded updates are live.
    const site = home.site('UPS');
    const immediately = { ...site, sup: { ...site.sup, supersedence: { ...site.sup.supersedence, immediatelyExpire: true, immediatelyExpireFeature: true } } };
    const store = upstream;
    const before = [...store.updates.search({})].length;
    const superseded = planExpiry({ store, site: immediately }, new Date()).decisions.filter((d) => d.reason === 'superseded');
    expect(superseded.length).to.be.greaterThan(0);
    // Under its own rules nothing is due yet; nothing was written either way.
    expect(planExpiry({ store, site }, new Date()).decisions.filter((d) => d.reason === 'superseded')).to.deep.equal([]);
    expect([...store.updates.search({})].length).to.equal(before);
  });
});

describe('expiry of bundled children (pure and in-process)', function () {
  this.timeout(60_000);

  it('expires a child with its last live bundle, for its reason, down nested bundles; keeps one another live bundle carries, or that stands on its own', () => {
    const bundlesOf = new Map([
      ['child', ['bundle']],
      ['grandchild', ['child']],
      ['shared', ['bundle', 'other']],
      ['listed-child', ['bundle']],
      ['superseded-child', ['old-bundle']],
    ]);
    const decisions = orphanedChildren(
      bundlesOf,
      [
        { updateId: 'bundle', reason: 'not-listed' },
        { updateId: 'old-bundle', reason: 'superseded' },
      ],
      (id) => id === 'listed-child',
    );
    expect(decisions).to.deep.equal([
      { updateId: 'child', reason: 'not-listed' },
      { updateId: 'grandchild', reason: 'not-listed' },
      { updateId: 'superseded-child', reason: 'superseded' },
    ]);
  });

  it('a full sync that no longer finds a bundle listed expires it and the children only it carried in one run; the next full sync changes nothing', async () => {
    const home = new Home(tempDir('supsync-bundles-'));
    await corpusSite(home, 'UPS', { updates: 150, seed: 'bundles' });
    // A live bundle whose children no other bundle carries.
    const raw = new Database(home.sitePaths('UPS').database);
    const bundle = raw
      .prepare(
        `SELECT p.update_id FROM bundles b JOIN updates p ON p.update_key = b.parent_key AND p.expired = 0
         WHERE p.update_id NOT IN (SELECT child_id FROM bundles)
         GROUP BY b.parent_key HAVING max((SELECT count(*) FROM bundles o WHERE o.child_id = b.child_id)) = 1 LIMIT 1`,
      )
      .pluck()
      .get() as string;
    const children = raw.prepare('SELECT child_id FROM bundles b JOIN updates p ON p.update_key = b.parent_key WHERE p.update_id = ?').pluck().all(bundle) as string[];
    expect(children.length).to.be.greaterThan(0);
    raw.close();
    const upstream = openSiteStore(home.sitePaths('UPS').database);
    const endpoint = await new SupEndpoint({ store: upstream }).listen('127.0.0.1', 0);
    try {
      applyAddSite(home, planAddSite(home, { code: 'CS1', role: 'central' }));
      const known = withSiteStore(home.sitePaths('UPS').database, (store) => store.categories.known());
      const products = known.products.map((c) => c.id);
      const classifications = known.classifications.map((c) => c.id);
      updateSiteControl(home.sitePaths('CS1').controlFile, (site) => ({
        ...site,
        sup: planSupChange(site, { syncSource: 'upstream', upstreamUrl: endpoint.url, addProduct: products, addClassification: classifications, waitMonths: 99, waitMonthsForFeature: 99 }, known, 'CS1').settings,
      }));
      const expired = () => {
        const db = new Database(home.sitePaths('CS1').database, { readonly: true });
        const ids = db.prepare('SELECT update_id FROM updates WHERE expired = 1 ORDER BY update_id').pluck().all() as string[];
        db.close();
        return ids;
      };
      expect((await syncSite(home, 'CS1', { trigger: 'manual' }))[0]!.state).to.equal('Succeeded');
      const before = expired();
      // The upstream stops listing the bundle (and so the children only it carried) without a change a delta would carry.
      const up = new Database(home.sitePaths('UPS').database);
      up.prepare('UPDATE updates SET expired = 1 WHERE update_id = ?').run(bundle);
      up.close();
      const [full] = await syncSite(home, 'CS1', { trigger: 'manual', full: true });
      expect(full!.counts.expired).to.equal(1 + children.length);
      expect(expired()).to.deep.equal([...before, bundle, ...children].sort());
      const [again] = await syncSite(home, 'CS1', { trigger: 'manual', full: true });
      expect(again).to.include({ state: 'NoChanges' });
      expect(again!.counts.expired).to.equal(0);
    } finally {
      await endpoint.close();
      upstream.close();
    }
  });
});
