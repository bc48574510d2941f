/**
 * A sync killed with SIGKILL at several points leaves a consistent database, the status says it was
 * interrupted, and the next sync resumes from what was stored and ends with exactly the content of
 * an uninterrupted run. And one sync at a time per site: a request arriving while one runs is queued
 * (at most one) and the status says so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { ExitCode } from '../src/errors.js';
import { cliPath } from './helpers/fixtures.js';
import { type GatedProxy, type ServedSite, cli, gatedProxy, query, serveSite, siteContent, upstreamHome } from './helpers/hierarchy.js';

function startSync(home: string, code: string, extra: string[] = []): ChildProcess {
  return spawn(process.execPath, [cliPath, '--home', home, '--output', 'json', 'sync', '--site', code, ...extra], { stdio: 'ignore' });
}

function storedUpdates(home: string, code: string): number {
  const db = new Database(path.join(home, 'sites', code, 'site.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM updates').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** What history says was added over all runs, what is stored (updates and categories), and the catalog version. */
function ledger(home: string, code: string): { historyNew: number; stored: number; version: number } {
  const db = new Database(path.join(home, 'sites', code, 'site.db'), { readonly: true });
  try {
    return {
      historyNew: db.prepare('SELECT sum(new_count) FROM sync_runs').pluck().get() as number,
      stored: db.prepare('SELECT (SELECT count(*) FROM updates) + (SELECT count(*) FROM categories)').pluck().get() as number,
      version: db.prepare('SELECT catalog_version FROM sync_state').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

/** Polls a condition (the database of another process); the bound only turns a hang into a failure. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

describe('sync resume and one-at-a-time (CLI)', function () {
  this.timeout(240_000);
  let home: string;
  let upstream: ServedSite;
  let gate: GatedProxy;

  /** A stand-alone primary (top-level) site syncing from `url`, with every product and classification selected. */
  async function centralSite(code: string, url: string): Promise<void> {
    await cli(home, ['site', 'add', '--code', code, '--role', 'primary', '--server-name', `${code.toLowerCase()}.test`]);
    await cli(home, ['sup', 'set', '--site', code, '--sync-source', 'upstream', '--upstream-url', url]);
  }

  before(async () => {
    // 400 updates in batches of 20: 20 batches, enough for kills at 10, 45 and 80 % of the run.
    ({ home } = await upstreamHome(400, 'resume-test'));
    // Small batches through a gate the test opens batch by batch: a sync is held where the test wants it.
    upstream = await serveSite(home, 'UPS', ['--max-updates-per-request', '20']);
    gate = await gatedProxy(upstream.url);
    // The reference: an uninterrupted sync of the same selection, from the same upstream.
    await centralSite('REF', upstream.url);
    await cli(home, ['sync', '--site', 'REF']);
    const products = (await cli(home, ['category', 'list', '--site', 'REF', '--type', 'product'])).records.map((r) => String(r.Id));
    const classifications = (await cli(home, ['category', 'list', '--site', 'REF', '--type', 'classification'])).records.map((r) => String(r.Id));
    await cli(home, ['sup', 'set', '--site', 'REF', '--add-product', ...products, '--add-classification', ...classifications]);
    await cli(home, ['sync', '--site', 'REF']);
    expect(storedUpdates(home, 'REF')).to.be.greaterThan(300);
  });
  after(async () => {
    await gate.stop();
    await upstream.stop();
  });

  it('resumes after kill -9 at several points and ends with the content, catalog version and history totals of an uninterrupted run', async () => {
    // A site on another machine cannot share REF's database, but it can be told the same selection.
    await centralSite('CS2', gate.url);
    await cli(home, ['sync', '--site', 'CS2']);
    const products = (await cli(home, ['category', 'list', '--site', 'CS2', '--type', 'product'])).records.map((r) => String(r.Id));
    const classifications = (await cli(home, ['category', 'list', '--site', 'CS2', '--type', 'classification'])).records.map((r) => String(r.Id));
    await cli(home, ['sup', 'set', '--site', 'CS2', '--add-product', ...products, '--add-classification', ...classifications]);
    const total = storedUpdates(home, 'REF');
    const reference = ledger(home, 'REF');

    gate.close();
    for (const fraction of [0.1, 0.45, 0.8]) {
      const child = startSync(home, 'CS2');
      // Batch by batch up to the fraction; the next batches stay held, so the sync cannot finish before the kill.
      while (storedUpdates(home, 'CS2') < total * fraction) {
        const before = storedUpdates(home, 'CS2');
        await gate.pass(1);
        await waitFor(() => storedUpdates(home, 'CS2') > before, 'the passed batch to be stored');
      }
      child.kill('SIGKILL');
      await exited(child);
      await gate.idle();
      const db = new Database(path.join(home, 'sites', 'CS2', 'site.db'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).to.equal('ok');
        // Every stored update is whole: its languages are there (they commit in the same transaction).
        const orphans = db.prepare('SELECT count(*) AS n FROM updates u WHERE NOT EXISTS (SELECT 1 FROM update_languages l WHERE l.update_key = u.update_key)').get() as { n: number };
        expect(orphans.n).to.equal(0);
      } finally {
        db.close();
      }
      const status = (await cli(home, ['status', '--site', 'CS2'])).records[0]!;
      expect(status.Status).to.match(/^interrupted \(run \d+\)/);
      // Counts and the version were committed with the batches: history matches what is stored,
      // and the version covering it is already the uninterrupted run's (so a kill in the 6705 phase loses nothing).
      const killed = ledger(home, 'CS2');
      expect(killed.historyNew).to.equal(killed.stored);
      expect(killed.version).to.equal(reference.version);
    }
    const stored = storedUpdates(home, 'CS2');
    expect(stored).to.be.lessThan(total);
    gate.open();

    const resumed = await cli(home, ['sync', '--site', 'CS2']);
    expect(resumed.records[0]!.State).to.equal('Succeeded');
    // The resumed run fetched only what the killed runs had not stored.
    expect(Number(resumed.records[0]!.New)).to.equal(total - stored);
    expect(siteContent(home, 'CS2')).to.deep.equal(siteContent(home, 'REF'));
    expect(ledger(home, 'CS2')).to.deep.equal(reference);
    const history = (await cli(home, ['sync', 'history', '--site', 'CS2'])).records;
    expect(history.map((r) => r.State)).to.deep.equal(['succeeded', 'interrupted', 'interrupted', 'interrupted', 'succeeded']);
    for (const run of history.filter((r) => r.State === 'interrupted')) {
      expect(Number(run.New), `run ${String(run.RunId)}`).to.be.greaterThan(0);
      expect(Number(run.BytesFetched), `run ${String(run.RunId)}`).to.be.greaterThan(0);
    }
    expect(fsLog(home, 'CS2')).to.match(/Sync run \d+ was interrupted; resuming from what it stored/);
  });

  it('queues a request that arrives while a sync runs (at most one) and says so', async () => {
    // The first sync is held at the gate until both requests have arrived.
    const held = await gatedProxy(upstream.url);
    after(() => held.stop());
    await centralSite('CS3', held.url);
    await cli(home, ['sync', '--site', 'CS3']);
    const products = (await cli(home, ['category', 'list', '--site', 'CS3', '--type', 'product'])).records.map((r) => String(r.Id));
    await cli(home, ['sup', 'set', '--site', 'CS3', '--add-product', ...products, '--add-classification', 'Security Updates', 'Updates', 'Drivers']);
    held.close();
    const running = startSync(home, 'CS3');
    await held.held();
    const runId = query<{ id: number }>(home, 'CS3', "SELECT id FROM sync_runs WHERE state = 'running'")[0]!.id;

    // Queued is no error, but its own exit code (10): the request runs later, in the running process.
    const queued = await cli(home, ['sync', '--site', 'CS3'], ExitCode.queued);

    expect(queued.records[0]).to.include({ State: 'Queued', QueuedBehindRun: runId });
    expect(queued.stderr).to.contain(`queued behind it`);
    const again = await cli(home, ['sync', '--site', 'CS3', '--full'], ExitCode.queued);
    expect(again.records[0]).to.include({ State: 'Queued', QueuedBehindRun: runId });
    const status = (await cli(home, ['status', '--site', 'CS3'])).records[0]!;
    expect(status.Status).to.match(new RegExp(`^running \\(Synchronizing WSUS Server, \\d+%\\); one request queued behind run ${runId}$`));
    // Issue 16 item 5: a site that syncs is not removed from under the sync.
    const remove = await cli(home, ['site', 'remove', '--code', 'CS3'], ExitCode.busy);
    expect(remove.records[0]).to.include({ code: 'SiteBusy' });
    expect(String(remove.records[0]!.message)).to.contain(`Site CS3 is synchronizing (run ${runId}, process ${running.pid})`);
    held.open();

    expect(await exited(running)).to.equal(0);
    expect(fsLog(home, 'CS3')).not.to.contain('LogWriteFailed');
    const history = (await cli(home, ['sync', 'history', '--site', 'CS3'])).records;
    const last = history[history.length - 1]!;
    // The running process picked up the one queued request, kept full because one asked for it.
    expect(last).to.include({ Trigger: 'queued', FullSync: true, State: 'succeeded' });
    expect(history.filter((r) => r.Trigger === 'queued')).to.have.length(1);
    expect(query(home, 'CS3', 'SELECT queued_request FROM sync_state')[0]).to.deep.equal({ queued_request: null });
  });

  it('finishes the full comparison of a killed full sync, even when the next sync is a plain one', async () => {
    const held = await gatedProxy(upstream.url);
    after(() => held.stop());
    await centralSite('CS4', held.url);
    await cli(home, ['sync', '--site', 'CS4']);
    const products = (await cli(home, ['category', 'list', '--site', 'CS4', '--type', 'product'])).records.map((r) => String(r.Id));
    await cli(home, ['sup', 'set', '--site', 'CS4', '--add-product', ...products, '--add-classification', 'Security Updates']);
    await cli(home, ['sync', '--site', 'CS4']);
    // X: a live update the upstream then stops listing (expired there without a new change, so no delta names it).
    const x = query<{ update_id: string }>(home, 'CS4', 'SELECT update_id FROM updates WHERE expired = 0 AND update_id NOT IN (SELECT child_id FROM bundles) ORDER BY update_id LIMIT 1')[0]!.update_id;
    const upstreamDb = new Database(path.join(home, 'sites', 'UPS', 'site.db'));
    const unlist = (expired: number) => upstreamDb.prepare('UPDATE updates SET expired = ? WHERE update_id = ?').run(expired, x);
    unlist(1);
    after(() => {
      unlist(0);
      upstreamDb.close();
    });
    // More classifications, so the full sync has updates to fetch and the gate can hold it there.
    await cli(home, ['sup', 'set', '--site', 'CS4', '--add-classification', 'Updates', 'Drivers']);

    held.close();
    const full = startSync(home, 'CS4', ['--full']);
    await held.held();
    const killedRun = query<{ id: number }>(home, 'CS4', "SELECT id FROM sync_runs WHERE state = 'running'")[0]!.id;
    full.kill('SIGKILL');
    await exited(full);
    await held.idle();

    // A plain sync, held in its fetch phase so status shows what it does.
    const resumed = startSync(home, 'CS4');
    await held.held();
    const status = (await cli(home, ['status', '--site', 'CS4'])).records[0]!;
    expect(status.Status).to.contain(`a full sync finishing interrupted full sync run ${killedRun}`);
    held.open();
    expect(await exited(resumed)).to.equal(0);

    const updates = (await cli(home, ['update', 'list', '--site', 'CS4', '--update-id', x, '--include-expired'])).records;
    expect(updates[0]).to.include({ IsExpired: true });
    expect(query(home, 'CS4', 'SELECT expired_reason FROM updates WHERE update_id = ?', x)).to.deep.equal([{ expired_reason: 'not-listed' }]);
    const history = (await cli(home, ['sync', 'history', '--site', 'CS4', '--last', '2'])).records;
    expect(history[0]).to.include({ RunId: killedRun, FullSync: true, State: 'interrupted', FinishesFullSyncOfRun: null });
    expect(history[1]).to.include({ Trigger: 'manual', FullSync: true, State: 'succeeded', FinishesFullSyncOfRun: killedRun });
    expect(fsLog(home, 'CS4')).to.contain(`Sync run ${killedRun} was a full sync that did not finish; this sync finishes the full comparison`);
    // Finished: the next plain sync is a delta again.
    const next = await cli(home, ['sync', '--site', 'CS4']);
    expect(next.records[0]).to.include({ FullSync: false });
  });
});

function fsLog(home: string, code: string): string {
  return fs.readFileSync(path.join(home, 'sites', code, 'logs', 'wsyncmgr.log'), 'utf8');
}
