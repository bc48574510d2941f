/**
 * The supsync service: what is due when (pure, fast), where endpoints listen, and the service
 * itself as a real child process of the built CLI over real SQLite and real HTTP on 127.0.0.1:
 * a missed scheduled run once at start-up, a manual request queued behind it, the cascade to a
 * hosted child, requests from a remote parent, the endpoint for a child on another machine,
 * schedule changes without restart, next run times in status, retries on their own timer, and a
 * clean stop on SIGTERM whose interrupted sync resumes at the next start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { ExitCode } from '../src/errors.js';
import { type Schedule, nextOccurrences } from '../src/schedule/index.js';
import { type SiteSnapshot, planSite, requestTrigger } from '../src/service/due.js';
import { endpointAddress } from '../src/service/endpoints.js';
import { writeSyncRequest } from '../src/store/sync-requests.js';
import { tempDir } from './helpers/cli.js';
import { cliPath } from './helpers/fixtures.js';
import { type GatedProxy, type ServedSite, cli, gatedProxy, query, serveSite, siteContent, upstreamHome } from './helpers/hierarchy.js';

const at = (iso: string) => new Date(iso);
const hourly: Schedule = { kind: 'interval', unit: 'hours', count: 1, start: '2026-01-01T00:00:00Z', utc: true };
const dailyAt2: Schedule = { kind: 'interval', unit: 'days', count: 1, start: '2026-01-01T02:00:00Z', utc: true };

function snapshot(change: Partial<SiteSnapshot> = {}): SiteSnapshot {
  return {
    code: 'CS1',
    schedule: null,
    lastScheduledRun: undefined,
    lastSuccessfulSyncStart: undefined,
    nextRetryAt: undefined,
    requestFiles: [],
    queuedRequest: false,
    busy: undefined,
    ...change,
  };
}

describe('service: what is due', () => {
  const now = at('2026-03-10T12:30:00Z');

  it('does nothing for a site without schedule, requests or retry', () => {
    expect(planSite(snapshot(), now)).to.deep.equal({});
  });

  it('runs the occurrence that has come, then plans the next one', () => {
    const plan = planSite(snapshot({ schedule: hourly, lastScheduledRun: at('2026-03-10T11:00:00Z') }), now);
    expect(plan).to.deep.equal({ run: 'schedule', nextScheduledSync: at('2026-03-10T12:00:00Z') });
    const after = planSite(snapshot({ schedule: hourly, lastScheduledRun: now, busy: 'service' }), now);
    expect(after).to.deep.equal({ nextScheduledSync: at('2026-03-10T13:00:00Z'), wakeAt: at('2026-03-10T13:00:00Z') });
  });

  it('after downtime runs the missed occurrences once, not once each', () => {
    const down = snapshot({ schedule: hourly, lastScheduledRun: at('2026-03-07T09:00:00Z') });
    expect(planSite(down, now).run).to.equal('schedule');
    const recorded = planSite({ ...down, lastScheduledRun: now }, now);
    expect(recorded.run).to.equal(undefined);
    expect(recorded.wakeAt).to.deep.equal(at('2026-03-10T13:00:00Z'));
  });

  it('is not behind a missed occurrence when the site synced successfully after it', () => {
    const plan = planSite(snapshot({ schedule: dailyAt2, lastScheduledRun: at('2026-03-08T02:00:00Z'), lastSuccessfulSyncStart: at('2026-03-10T09:00:00Z') }), now);
    expect(plan).to.deep.equal({ nextScheduledSync: at('2026-03-11T02:00:00Z'), wakeAt: at('2026-03-11T02:00:00Z') });
  });

  it('runs a never-synchronized site whose schedule has started, and waits for one that has not', () => {
    expect(planSite(snapshot({ schedule: dailyAt2 }), now).run).to.equal('schedule');
    const future: Schedule = { kind: 'nonRecurring', start: '2026-04-01T08:00:00Z', utc: true };
    expect(planSite(snapshot({ schedule: future }), now)).to.deep.equal({ nextScheduledSync: at('2026-04-01T08:00:00Z'), wakeAt: at('2026-04-01T08:00:00Z') });
    const past: Schedule = { kind: 'nonRecurring', start: '2026-03-01T08:00:00Z', utc: true };
    expect(planSite(snapshot({ schedule: past, lastScheduledRun: at('2026-03-01T08:00:00Z') }), now)).to.deep.equal({});
  });

  it('a changed schedule counts from the last run: an occurrence since then runs once, older ones never', () => {
    const weekly: Schedule = { kind: 'weekly', dayOfWeek: 'Sunday', weeks: 1, start: '2026-01-04T02:00:00Z', utc: true };
    const lastRun = at('2026-03-08T02:00:00Z'); // a Sunday
    expect(planSite(snapshot({ schedule: weekly, lastScheduledRun: lastRun }), now).nextScheduledSync).to.deep.equal(at('2026-03-15T02:00:00Z'));
    expect(planSite(snapshot({ schedule: dailyAt2, lastScheduledRun: lastRun }), now).run).to.equal('schedule');
    const monthlyFirst: Schedule = { kind: 'monthlyByDate', dayOfMonth: 1, months: 1, start: '2026-01-01T02:00:00Z', utc: true };
    expect(planSite(snapshot({ schedule: monthlyFirst, lastScheduledRun: lastRun }), now)).to.deep.equal({
      nextScheduledSync: at('2026-04-01T02:00:00Z'),
      wakeAt: at('2026-04-01T02:00:00Z'),
    });
  });

  it('local schedules follow the wall clock of the given zone', () => {
    const local: Schedule = { kind: 'interval', unit: 'days', count: 1, start: '2026-03-01T02:30:00', utc: false };
    // New York moves to daylight time on 2026-03-08: 02:30 EST is 07:30Z before, 02:30 EDT 06:30Z after.
    const plan = planSite(snapshot({ schedule: local, lastScheduledRun: at('2026-03-09T12:00:00Z') }), now, 'America/New_York');
    expect(plan.nextScheduledSync).to.deep.equal(at('2026-03-10T06:30:00Z'));
    expect(planSite(snapshot({ schedule: local, lastScheduledRun: at('2026-03-06T12:00:00Z') }), at('2026-03-07T07:29:00Z'), 'America/New_York').wakeAt).to.deep.equal(
      at('2026-03-07T07:30:00Z'),
    );
  });

  it('never starts a second sync of a site the service is syncing', () => {
    const busy = snapshot({ schedule: hourly, busy: 'service', requestFiles: ['CS1.SYN'], queuedRequest: true, nextRetryAt: at('2026-03-10T12:00:00Z') });
    const plan = planSite(busy, now);
    expect(plan.run).to.equal(undefined);
    // Overdue while the site is busy: published as it is, and no timer for what is already due.
    expect(plan.nextScheduledSync).to.deep.equal(at('2026-01-01T00:00:00Z'));
    expect(plan.wakeAt).to.equal(undefined);
  });

  it('hands a due scheduled run to another process syncing the site, and otherwise waits for its lock', () => {
    expect(planSite(snapshot({ schedule: hourly, busy: 'other' }), now).run).to.equal('schedule');
    expect(planSite(snapshot({ requestFiles: ['CAS.SYN'], busy: 'other' }), now).run).to.equal(undefined);
    expect(planSite(snapshot({ queuedRequest: true, busy: 'other' }), now).run).to.equal(undefined);
    expect(planSite(snapshot({ nextRetryAt: at('2026-03-10T12:00:00Z'), busy: 'other' }), now).run).to.equal(undefined);
  });

  it('picks up request files, a left-over queued request and due retries, in that order after the schedule', () => {
    expect(planSite(snapshot({ requestFiles: ['CAS.SYN'] }), now).run).to.equal('parent');
    expect(planSite(snapshot({ requestFiles: ['CS1.SYN'] }), now).run).to.equal('manual');
    expect(planSite(snapshot({ queuedRequest: true }), now).run).to.equal('queued');
    expect(planSite(snapshot({ nextRetryAt: at('2026-03-10T12:00:00Z') }), now).run).to.equal('retry');
    expect(planSite(snapshot({ schedule: hourly, requestFiles: ['CAS.SYN'], queuedRequest: true }), now).run).to.equal('schedule');
    expect(planSite(snapshot({ requestFiles: ['CAS.SYN'], queuedRequest: true, nextRetryAt: now }), now).run).to.equal('parent');
    expect(planSite(snapshot({ queuedRequest: true, nextRetryAt: now }), now).run).to.equal('queued');
  });

  it('wakes at the earlier of the next occurrence and the retry time', () => {
    const base = { schedule: dailyAt2, lastScheduledRun: at('2026-03-10T02:00:00Z') };
    expect(planSite(snapshot({ ...base, nextRetryAt: at('2026-03-10T13:30:00Z') }), now)).to.deep.equal({
      nextScheduledSync: at('2026-03-11T02:00:00Z'),
      wakeAt: at('2026-03-10T13:30:00Z'),
    });
    expect(planSite(snapshot({ ...base, nextRetryAt: at('2026-03-12T00:00:00Z') }), now).wakeAt).to.deep.equal(at('2026-03-11T02:00:00Z'));
  });

  it('tells a local request from a parent notification', () => {
    expect(requestTrigger('PS1', ['PS1.SYN'])).to.equal('manual');
    expect(requestTrigger('PS1', ['CS1.SYN'])).to.equal('parent');
    expect(requestTrigger('PS1', ['CS1.SYN', 'PS1.SYN'])).to.equal('parent');
  });
});

describe('service: where an endpoint listens', () => {
  it('on the address of an IP URL, on loopback for localhost, on every interface for a name', () => {
    expect(endpointAddress('http://127.0.0.1:8530')).to.deep.equal({ host: '127.0.0.1', port: 8530, tls: false });
    expect(endpointAddress('https://[::1]:8531')).to.deep.equal({ host: '::1', port: 8531, tls: true });
    expect(endpointAddress('http://LocalHost:8530')).to.deep.equal({ host: '127.0.0.1', port: 8530, tls: false });
    expect(endpointAddress('http://ps1.contoso.com:8530')).to.deep.equal({ host: undefined, port: 8530, tls: false });
    expect(endpointAddress('http://ps1.contoso.com')).to.deep.equal({ host: undefined, port: 80, tls: false });
    expect(endpointAddress('https://ps1.contoso.com')).to.deep.equal({ host: undefined, port: 443, tls: true });
  });
});

/** `supsync service …` as a child process, its NDJSON records collected as they come. */
class ServiceProcess {
  readonly child: ChildProcess;
  readonly records: Record<string, unknown>[] = [];
  stderr = '';
  readonly #exit: Promise<number | null>;

  constructor(home: string, args: string[]) {
    this.child = spawn(process.execPath, [cliPath, '--home', home, '--output', 'json', 'service', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim() !== '') this.records.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.#exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  results(site: string): Record<string, unknown>[] {
    return this.records.filter((r) => r.type === 'SupSync.SyncResult' && r.SiteCode === site);
  }

  async started(): Promise<Record<string, unknown>[]> {
    await waitFor(() => this.stderr.includes('stop with Ctrl+C') || this.child.exitCode !== null, 'the service to start');
    if (this.child.exitCode !== null) throw new Error(`the service exited with ${this.child.exitCode}: ${this.stderr}`);
    return this.records.filter((r) => r.type === 'SupSync.ServiceSite');
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.#exit;
  }

  exited(): Promise<number | null> {
    return this.#exit;
  }
}

/** Polls a condition (files and databases of other processes); the bound only turns a hang into a failure. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  const server = http.createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    }),
  );
}

/** A schedule start (UTC, minute resolution) `hours` before now. */
function startHoursAgo(hours: number): string {
  return new Date(Math.floor((Date.now() - hours * 3600_000) / 60_000) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface RunRow {
  id: number;
  trigger: string;
  state: string;
  started_at: string;
  ended_at: string | null;
  error_code: string | null;
  new_count: number;
}

const runs = (home: string, code: string) => query<RunRow>(home, code, 'SELECT id, trigger, state, started_at, ended_at, error_code, new_count FROM sync_runs ORDER BY id');
const storedUpdates = (home: string, code: string) => query<{ n: number }>(home, code, 'SELECT count(*) AS n FROM updates')[0]!.n;
const siteLog = (home: string, code: string) => fs.readFileSync(path.join(home, 'sites', code, 'logs', 'wsyncmgr.log'), 'utf8');
const inbox = (home: string, code: string) => path.join(home, 'sites', code, 'inbox');
const pendingFiles = (home: string, code: string) => (fs.existsSync(inbox(home, code)) ? fs.readdirSync(inbox(home, code)) : []);

async function statusOf(home: string, code: string): Promise<Record<string, unknown>> {
  return (await cli(home, ['status', '--site', code])).records[0]!;
}

describe('supsync service (CLI)', function () {
  this.timeout(300_000);
  let home: string;
  let upstream: ServedSite;
  let gate: GatedProxy;
  let selection: string[];
  let cs1Port: number;
  let ps1Port: number;
  let service: ServiceProcess;
  let serviceStartedAt: Date;
  const hourlyFlags = (start: string) => ['--start', start, '--utc', '--recur-interval', 'hours', '--recur-count', '1'];
  const cs1Start = startHoursAgo(3.5);

  /** A top-level site syncing through the gate with everything selected (GUIDs: it has not synced yet). */
  async function topLevelSite(code: string, role: 'central' | 'primary', extra: string[] = []): Promise<void> {
    await cli(home, ['site', 'add', '--code', code, '--role', role, '--server-name', `${code.toLowerCase()}.test`, ...extra]);
    await cli(home, ['sup', 'set', '--site', code, '--sync-source', 'upstream', '--upstream-url', gate.url, ...selection]);
  }

  before(async () => {
    ({ home } = await upstreamHome(400, 'service-test'));
    // Small batches through a gate: a test holds a sync in its fetch phase while it acts.
    upstream = await serveSite(home, 'UPS', ['--max-updates-per-request', '10']);
    gate = await gatedProxy(upstream.url);
    const products = (await cli(home, ['category', 'list', '--site', 'UPS', '--type', 'product'])).records.map((r) => String(r.Id));
    const classifications = (await cli(home, ['category', 'list', '--site', 'UPS', '--type', 'classification'])).records.map((r) => String(r.Id));
    selection = ['--add-product', ...products, '--add-classification', ...classifications];
    [cs1Port, ps1Port] = [await freePort(), await freePort()];
    await topLevelSite('CS1', 'central', ['--url', `http://127.0.0.1:${cs1Port}`]);
    // Every hour from 3.5 hours ago: three occurrences missed before the service first starts.
    await cli(home, ['sup', 'set', '--site', 'CS1', ...hourlyFlags(cs1Start)]);
    await cli(home, ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1', '--url', `http://127.0.0.1:${ps1Port}`, '--sync-request-secret', 'cs1-to-ps1']);
  });
  after(async () => {
    await service?.stop();
    await gate.stop();
    await upstream.stop();
  });

  it('runs the missed scheduled sync once at start-up and queues a manual request that arrives during it', async () => {
    serviceStartedAt = new Date();
    gate.close();
    service = new ServiceProcess(home, ['--site', 'CS1', '--site', 'PS1', '--poll-seconds', '0.3']);
    const hosted = await service.started();
    const cs1Schedule: Schedule = { kind: 'interval', unit: 'hours', count: 1, start: cs1Start, utc: true };
    const next = nextOccurrences(cs1Schedule, serviceStartedAt, 1)[0]!;
    expect(hosted.map((r) => [r.SiteCode, r.EndpointUrl, r.NextScheduledSync])).to.deep.equal([
      ['CS1', `http://127.0.0.1:${cs1Port}`, next.toISOString()],
      ['PS1', `http://127.0.0.1:${ps1Port}`, null],
    ]);

    await gate.held(); // the scheduled sync runs, held at the gate
    const running = runs(home, 'CS1')[0]!;
    expect(running).to.include({ trigger: 'schedule', state: 'running' });
    const manual = await cli(home, ['sync', '--site', 'CS1'], ExitCode.queued);
    expect(manual.records[0]).to.include({ State: 'Queued', QueuedBehindRun: running.id });
    // A schedule change while the sync runs: taken at once, and the running sync goes on.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await cli(home, ['sup', 'set', '--site', 'CS1', '--start', `${tomorrow}T02:00:00Z`, '--utc', '--recur-interval', 'days', '--recur-count', '1']);
    gate.open();
    await waitFor(() => service.results('CS1').length === 2, 'the scheduled and the queued sync');
    expect(service.results('CS1').map((r) => [r.Trigger, r.State])).to.deep.equal([
      ['schedule', 'Succeeded'],
      ['queued', 'NoChanges'],
    ]);
    expect(runs(home, 'CS1').map((r) => [r.trigger, r.state])).to.deep.equal([
      ['schedule', 'succeeded'],
      ['queued', 'succeeded'],
    ]);
    expect(storedUpdates(home, 'CS1')).to.equal(storedUpdates(home, 'UPS'));
    const log = siteLog(home, 'CS1');
    expect(log.match(/Wakeup for scheduled regular sync/g)).to.have.length(1);
    expect(log).to.contain('Performing sync on regular schedule');
    // The service re-reads the changed schedule at its next look at the site.
    await eventually(async () => siteLog(home, 'CS1').includes(`Next scheduled sync is a regular sync at ${tomorrow}T02:00:00+00:00`), 'the new next run in the log');
  });

  it('cascades to the hosted child, which consumes the request file and syncs from its parent', async () => {
    await waitFor(() => runs(home, 'PS1').some((r) => r.state === 'succeeded') && pendingFiles(home, 'PS1').length === 0 && !runs(home, 'PS1').some((r) => r.state === 'running'), 'PS1 to sync');
    expect(runs(home, 'PS1').every((r) => r.trigger === 'parent' && r.state === 'succeeded')).to.equal(true);
    expect(siteContent(home, 'PS1', { liveOnly: true })).to.deep.equal(siteContent(home, 'CS1', { liveOnly: true }));
    const log = siteLog(home, 'PS1');
    expect(log).to.contain('Found parent sync notification file CS1.SYN.');
    // Synced by the service itself, not by a spawned "supsync sync".
    const syncLines = log.split('\n').filter((l) => l.startsWith('Performing sync on parent request'));
    expect(syncLines).to.not.be.empty;
    for (const line of syncLines) expect(line).to.contain(`thread=${service.child.pid} `);

    // A notification written beside the service is picked up too.
    const before = runs(home, 'PS1').length;
    writeSyncRequest(inbox(home, 'PS1'), { from: 'CS1', catalogVersion: 1, full: false, time: new Date().toISOString() });
    await waitFor(() => runs(home, 'PS1').length === before + 1 && runs(home, 'PS1')[before]!.state !== 'running', 'PS1 to sync on the request file');
    expect(runs(home, 'PS1')[before]).to.include({ trigger: 'parent', state: 'succeeded' });
    expect(pendingFiles(home, 'PS1')).to.deep.equal([]);
  });

  it('shows the next scheduled sync in status and follows schedule changes without restart', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(await statusOf(home, 'CS1')).to.include({ NextScheduledSync: `${tomorrow}T02:00:00.000Z` });
    expect(await statusOf(home, 'PS1')).to.include({ NextScheduledSync: null });

    const weekly = ['--start', '2026-01-04T03:15:00Z', '--utc', '--day-of-week', 'Sunday', '--recur-count', '1'];
    await cli(home, ['sup', 'set', '--site', 'CS1', ...weekly]);
    const schedule: Schedule = { kind: 'weekly', dayOfWeek: 'Sunday', weeks: 1, start: '2026-01-04T03:15:00Z', utc: true };
    const expected = nextOccurrences(schedule, new Date(), 1)[0]!.toISOString();
    await eventually(async () => (await statusOf(home, 'CS1')).NextScheduledSync === expected, 'status to show the weekly schedule');
    // The site synced after the last Sunday occurrence: nothing is due, so no sync ran.
    expect(runs(home, 'CS1').filter((r) => r.trigger === 'schedule')).to.have.length(1);

    await cli(home, ['sup', 'set', '--site', 'CS1', '--no-schedule']);
    await waitFor(() => siteLog(home, 'CS1').includes('No scheduled sync to come'), 'the service to see the schedule off');
    expect(await statusOf(home, 'CS1')).to.include({ NextScheduledSync: null });
  });

  it('serves the endpoint of a hosted site for a child on another machine and takes requests from a remote parent', async () => {
    const remote = tempDir('supsync-remote-');
    await cli(remote, ['site', 'add', '--code', 'RM1', '--role', 'primary', '--parent', 'CS1', '--parent-url', `http://127.0.0.1:${cs1Port}`]);
    const synced = await cli(remote, ['sync', '--site', 'RM1']);
    expect(synced.records[0]).to.include({ State: 'Succeeded' });
    expect(siteContent(remote, 'RM1', { liveOnly: true })).to.deep.equal(siteContent(home, 'CS1', { liveOnly: true }));

    const before = runs(home, 'PS1').length;
    const body = JSON.stringify({ from: 'CS1', catalogVersion: 1, full: false });
    const unauthenticated = await fetch(`http://127.0.0.1:${ps1Port}/supsync/SyncRequest`, { method: 'POST', body });
    expect(unauthenticated.status).to.equal(401);
    const authorization = `Basic ${Buffer.from('CS1:cs1-to-ps1').toString('base64')}`;
    const answer = await fetch(`http://127.0.0.1:${ps1Port}/supsync/SyncRequest`, { method: 'POST', body, headers: { authorization } });
    expect(answer.status).to.equal(202);
    await waitFor(() => runs(home, 'PS1').length === before + 1 && runs(home, 'PS1')[before]!.state !== 'running', 'PS1 to sync on the remote request');
    expect(runs(home, 'PS1')[before]).to.include({ trigger: 'parent', state: 'succeeded' });

    const second = await cli(home, ['service', '--site', 'CS1'], 6);
    expect(second.records[0]).to.include({ type: 'SupSync.Error', code: 'SiteHostedByService' });

    expect(await service.stop('SIGINT')).to.equal(0);
    expect(await statusOf(home, 'CS1')).to.include({ NextScheduledSync: null });
    expect(fs.existsSync(path.join(home, 'sites', 'CS1', 'sync.lock'))).to.equal(false);
  });

  it('on SIGTERM lets the running sync checkpoint and exits 0 with a consistent database; the next start resumes it', async () => {
    await topLevelSite('PS3', 'primary', ['--stand-alone']);
    await cli(home, ['sup', 'set', '--site', 'PS3', ...hourlyFlags(startHoursAgo(2.5))]);
    gate.close();
    const first = new ServiceProcess(home, ['--site', 'PS3', '--poll-seconds', '0.3']);
    await first.started();
    // Batch by batch until the first updates are stored; the rest stay held, so the sync is surely running at the stop.
    while (storedUpdates(home, 'PS3') === 0) await gate.pass(1);
    expect(await first.stop('SIGTERM')).to.equal(0);
    gate.open();

    const db = new Database(path.join(home, 'sites', 'PS3', 'site.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).to.equal('ok');
      const orphans = db.prepare('SELECT count(*) AS n FROM updates u WHERE NOT EXISTS (SELECT 1 FROM update_languages l WHERE l.update_key = u.update_key)').get() as { n: number };
      expect(orphans.n).to.equal(0);
      expect(db.prepare('SELECT running_run_id, queued_request FROM sync_state').get()).to.deep.equal({ running_run_id: null, queued_request: null });
    } finally {
      db.close();
    }
    const stored = storedUpdates(home, 'PS3');
    const total = storedUpdates(home, 'UPS');
    expect(stored).to.be.lessThan(total);
    expect(runs(home, 'PS3').map((r) => [r.trigger, r.state, r.error_code])).to.deep.equal([['schedule', 'failed', 'Aborted']]);
    const status = await statusOf(home, 'PS3');
    expect(status.NextScheduledSync).to.equal(null);
    expect(Date.parse(String(status.NextRetryTime))).to.be.at.most(Date.now());
    expect(fs.existsSync(path.join(home, 'sites', 'PS3', 'sync.lock'))).to.equal(false);
    expect(first.stderr).to.contain('checkpoint');

    const second = new ServiceProcess(home, ['--site', 'PS3', '--poll-seconds', '0.3']);
    await second.started();
    await waitFor(() => second.results('PS3').length === 1, 'the resumed sync');
    expect(second.results('PS3')[0]).to.include({ Trigger: 'retry', State: 'Succeeded', New: total - stored });
    expect(await second.stop('SIGTERM')).to.equal(0);
    // The missed occurrences caused one scheduled run over both starts.
    expect(runs(home, 'PS3').map((r) => [r.trigger, r.state])).to.deep.equal([
      ['schedule', 'failed'],
      ['retry', 'succeeded'],
    ]);
  });

  it('retries a failed sync at its retry time, woken by its timer rather than the poll', async () => {
    // An upstream that answers 404 to everything: a permanent failure, at once.
    const broken = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      await cli(home, ['site', 'add', '--code', 'PS4', '--role', 'primary', '--stand-alone']);
      await cli(home, ['sup', 'set', '--site', 'PS4', '--sync-source', 'upstream', '--upstream-url', `http://127.0.0.1:${(broken.address() as AddressInfo).port}`, ...hourlyFlags(startHoursAgo(1.5))]);
      // The next poll is 10 minutes away: a retry before it can only come from the retry timer, however slow the machine.
      const retrying = new ServiceProcess(home, ['--site', 'PS4', '--poll-seconds', '600', '--retry-delay-seconds', '1']);
      await retrying.started();
      await waitFor(() => retrying.results('PS4').length === 2, 'the retry', 240_000);
      expect(await retrying.stop()).to.equal(0);
      const [failed, retry] = runs(home, 'PS4');
      expect([failed!.trigger, failed!.state, retry!.trigger, retry!.state]).to.deep.equal(['schedule', 'failed', 'retry', 'failed']);
      const gap = Date.parse(retry!.started_at) - Date.parse(failed!.ended_at!);
      // Due 1 s (the shortest retry delay) after the failure, never earlier; the next poll would have come 600 s after the start.
      expect(gap).to.be.within(900, 599_000);
    } finally {
      await new Promise((resolve) => broken.close(resolve));
    }
  });
});
