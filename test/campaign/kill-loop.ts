/**
 * The kill -9 loop (issue 16's proof): real `sync` processes (`dist/src/cli/main.js`) against a
 * real `serve` process on loopback, killed at points drawn from a seeded random generator over the
 * phases of a sync (start, categories, update lists, update data batches, 6705/expiry/finish), in
 * three scenarios (the first sync of an empty site, a delta after the upstream gained revisions,
 * a full sync that must expire what the upstream stopped listing), resumed runs killed again, and
 * the upstream server killed mid-sync. After the kills the site is synced again until a run
 * finishes, and its content, catalog version and history totals must equal an uninterrupted run's.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/cli.js';
import { type ServerProcess, serveProcess } from '../helpers/servers.js';
import { devOk, spawnSync, type SyncChild } from './dev-cli.js';
import { type HeldRequest, KillGate, type Passage, type Phase } from './kill-gate.js';
import { type SiteDump, describeDifference, dumpSite, halfWrittenUpdates, latestStatusMessage, storedRevision } from './site-dump.js';

export type Scenario = 'initial' | 'delta' | 'full';
export type KillPhase = Phase | 'finish';
/** held: while the request waits at the gate; answered: once its answer was sent; stored: once its batch is committed. */
export type KillMoment = 'held' | 'answered' | 'stored';

export interface KillPoint {
  phase: KillPhase;
  /** Which request of the phase (1-based); unused for finish. */
  ordinal: number;
  moment: KillMoment;
  /** Kill the upstream server instead of the sync: restarted at once, or left down until the sync fails. */
  server?: 'restart' | 'down';
}

export interface Trial {
  scenario: Scenario;
  /** The first kills the first run, each later one the resumed run. */
  kills: KillPoint[];
}

export interface Reference {
  dump: SiteDump;
  catalogVersion: number;
  totals: HistoryTotals;
  /** Requests per phase of the uninterrupted run. */
  requests: Record<Phase, number>;
  seconds: number;
}

export interface HistoryTotals {
  new: number;
  revised: number;
  expired: number;
}

export interface KillRecord {
  point: KillPoint;
  /** What happened: killed where asked, or the run finished before reaching the point. */
  outcome: 'killed' | 'server-killed' | 'not-reached';
  /** For finish: the status message the site showed when killed (6705, or 6702 when it had finished). */
  state?: number | null;
  integrity: string;
  halfWritten: number;
}

export interface TrialResult {
  trial: Trial;
  kills: KillRecord[];
  /** Runs it took to finish after the kills (a run failing on a dead server counts). */
  resumes: number;
  identical: boolean;
  problems: string[];
  seconds: number;
}

/** mulberry32: a small, well-known seeded generator; the same seed draws the same campaign. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * Draws `count` trials: the scenario, one to three kill points (a second or third kills the
 * resumed run), each point's phase among those the scenario's uninterrupted run passes through, the
 * request within it and the moment; every sixth trial kills the server instead of the sync,
 * alternately restarted at once and left down until the sync gives up (unless `serverDown` is
 * false: that waits out the sync's retries).
 */
export function drawTrials(random: () => number, count: number, references: Partial<Record<Scenario, Reference>>, options: { serverDown?: boolean } = {}): Trial[] {
  const trials: Trial[] = [];
  const scenarios = (['initial', 'delta', 'full'] as Scenario[]).filter((s) => references[s]);
  for (let i = 0; i < count; i++) {
    const scenario = scenarios[i % scenarios.length]!;
    const requests = references[scenario]!.requests;
    const phases: KillPhase[] = (['start', 'categories', 'lists', 'updates'] as Phase[]).filter((p) => requests[p] > 0);
    const weighted: KillPhase[] = ([...phases, 'updates', 'updates', 'finish', 'finish'] as KillPhase[]).filter((p) => p === 'finish' || requests[p] > 0);
    const kills: KillPoint[] = [];
    const chain = random() < 0.35 ? (random() < 0.3 ? 3 : 2) : 1;
    for (let k = 0; k < chain; k++) {
      const phase = pick(random, weighted);
      const moments: KillMoment[] = phase === 'updates' || phase === 'categories' ? ['held', 'answered', 'stored'] : ['held', 'answered'];
      // A resumed run asks for less: its kill points are drawn from the first half.
      const span = phase === 'finish' ? 1 : Math.max(1, Math.floor(requests[phase] / (k === 0 ? 1 : 2)));
      kills.push({ phase, ordinal: 1 + Math.floor(random() * span), moment: pick(random, moments) });
    }
    // Every sixth trial kills the upstream server instead, alternately brought back at once and left down.
    if (i % 6 === 5 && requests.updates > 0) {
      const down = options.serverDown !== false && Math.floor(i / 6) % 2 === 1;
      kills[0] = { phase: 'updates', ordinal: 1 + Math.floor(random() * requests.updates), moment: 'held', server: down ? 'down' : 'restart' };
    }
    trials.push({ scenario, kills });
  }
  return trials;
}

export interface CampaignOptions {
  /** Updates of the generated upstream corpus. */
  updates: number;
  /** The server's MaxNumberOfUpdatesPerRequest (smaller: more batches, more kill points). */
  batch: number;
  /** Corpus generation of the upstream the delta and full scenarios sync from (each adds ~1.5% changes). */
  generation: number;
  /** The scenarios to prepare references for (the initial one is always run: it is the others' start). */
  scenarios: Scenario[];
  log?: (line: string) => void;
}

/** The upstream servers, the gate, the site templates and the uninterrupted references. */
export class KillCampaign {
  readonly gate: KillGate;
  readonly references: Partial<Record<Scenario, Reference>> = {};
  readonly #options: CampaignOptions;
  readonly #root: string;
  /** Upstream homes: A at corpus generation 1, B at generation 2 with a few updates no longer listed. */
  readonly #upstreamHomes: Record<'A' | 'B', string>;
  readonly #servers = {} as Record<'A' | 'B', ServerProcess>;
  readonly #templates = {} as Record<'empty' | 'synced', string>;

  private constructor(options: CampaignOptions, root: string, categoryIds: Set<string>, upstreamHomes: Record<'A' | 'B', string>) {
    this.#options = options;
    this.#root = root;
    this.gate = new KillGate(categoryIds);
    this.#upstreamHomes = upstreamHomes;
  }

  static async prepare(options: CampaignOptions): Promise<KillCampaign> {
    const root = tempDir('supsync-kill-loop-');
    const a = path.join(root, 'upstream-a');
    await devOk(a, ['site', 'add', '--code', 'UPS', '--role', 'primary', '--server-name', 'ups.test']);
    await devOk(a, ['sup', 'set', '--site', 'UPS', '--sync-source', 'none', '--wait-months', '99', '--wait-months-for-feature', '99']);
    const corpus = async (generation: number) => {
      const file = path.join(root, `corpus-${generation}.pkg.gz`);
      await devOk(root, ['corpus', 'generate', '--updates', String(options.updates), '--seed', 'kill-loop', '--generation', String(generation), '--out', file]);
      return file;
    };
    await devOk(a, ['metadata', 'import', '--site', 'UPS', '--path', await corpus(1)]);
    const b = path.join(root, 'upstream-b');
    fs.cpSync(a, b, { recursive: true });
    await devOk(b, ['metadata', 'import', '--site', 'UPS', '--path', await corpus(options.generation)]);
    const db = new Database(path.join(b, 'sites', 'UPS', 'site.db'));
    const categoryIds = new Set((db.prepare('SELECT update_id FROM categories').pluck().all() as string[]).map((id) => id.toLowerCase()));
    // The upstream stops listing five updates without a change a delta would carry: only a full
    // sync notices, and expires them as no longer listed (issue 16 item 1).
    db.prepare(
      'UPDATE updates SET expired = 1 WHERE update_id IN (SELECT update_id FROM updates WHERE expired = 0 AND update_id NOT IN (SELECT child_id FROM bundles) ORDER BY update_id LIMIT 5)',
    ).run();
    db.close();
    const campaign = new KillCampaign(options, root, categoryIds, { A: a, B: b });
    await campaign.gate.listen();
    for (const name of ['A', 'B'] as const) campaign.#servers[name] = await campaign.#serve(name);

    const empty = path.join(root, 'template-empty');
    const upstreamDb = new Database(path.join(a, 'sites', 'UPS', 'site.db'), { readonly: true });
    const products = upstreamDb.prepare("SELECT update_id FROM categories WHERE category_type = 'Product'").pluck().all() as string[];
    const classifications = upstreamDb.prepare("SELECT update_id FROM categories WHERE category_type = 'UpdateClassification'").pluck().all() as string[];
    upstreamDb.close();
    await devOk(empty, ['site', 'add', '--code', 'CS1', '--role', 'central', '--server-name', 'cs1.test']);
    await devOk(empty, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', campaign.gate.url, '--add-product', ...products, '--add-classification', ...classifications]);
    campaign.#templates.empty = empty;
    campaign.references.initial = await campaign.#reference('initial');
    const synced = path.join(root, 'template-synced');
    fs.cpSync(campaign.#referenceHome('initial'), synced, { recursive: true });
    campaign.#templates.synced = synced;
    if (options.scenarios.includes('delta')) campaign.references.delta = await campaign.#reference('delta');
    if (options.scenarios.includes('full')) campaign.references.full = await campaign.#reference('full');
    if (!options.scenarios.includes('initial')) delete campaign.references.initial;
    return campaign;
  }

  async close(): Promise<void> {
    await this.gate.stop();
    for (const server of Object.values(this.#servers)) await server.stop();
  }

  #serve(name: 'A' | 'B'): Promise<ServerProcess> {
    return serveProcess(this.#upstreamHomes[name], ['serve', '--site', 'UPS', '--port', '0', '--max-updates-per-request', String(this.#options.batch)], 'SupSync.Endpoint');
  }

  #upstreamOf(scenario: Scenario): 'A' | 'B' {
    return scenario === 'initial' ? 'A' : 'B';
  }

  #aim(scenario: Scenario): void {
    this.gate.reset();
    this.gate.target = String(this.#servers[this.#upstreamOf(scenario)].record.Url);
  }

  #referenceHome(scenario: Scenario): string {
    return path.join(this.#root, `reference-${scenario}`);
  }

  #freshHome(scenario: Scenario, name: string): string {
    const home = path.join(this.#root, name);
    fs.cpSync(scenario === 'initial' ? this.#templates.empty : this.#templates.synced, home, { recursive: true });
    return home;
  }

  async #reference(scenario: Scenario): Promise<Reference> {
    const home = this.#freshHome(scenario, `reference-${scenario}`);
    this.#aim(scenario);
    const started = Date.now();
    const run = await spawnSync(home, ['--site', 'CS1', ...(scenario === 'full' ? ['--full'] : [])]).exited;
    if (run.code !== 0) throw new Error(`the uninterrupted ${scenario} sync exited ${run.code}: ${run.stderr}`);
    const seconds = (Date.now() - started) / 1000;
    const requests = { start: 0, categories: 0, lists: 0, updates: 0 } as Record<Phase, number>;
    for (const p of this.gate.passages) requests[p.phase] = Math.max(requests[p.phase], p.ordinal);
    // A full comparison's reference must be a fixed point: a full sync of it against the same
    // upstream changes nothing (else a resumed run, which repeats the comparison, would rightly
    // differ from it). A delta's is not: a full sync then finds what no delta carries.
    if (scenario !== 'delta') await this.#expectFixedPoint(home, scenario);
    return { dump: dumpSite(home, 'CS1'), catalogVersion: await catalogVersion(home), totals: await historyTotals(home), requests, seconds };
  }

  async #expectFixedPoint(home: string, scenario: Scenario): Promise<void> {
    const again = `${home}-again`;
    fs.cpSync(home, again, { recursive: true });
    const repeat = await spawnSync(again, ['--site', 'CS1', '--full']).exited;
    const repeated = JSON.parse(repeat.stdout.split('\n').find((l) => l.includes('SupSync.SyncResult')) ?? '{}') as Record<string, unknown>;
    fs.rmSync(again, { recursive: true, force: true });
    if (repeat.code !== 0 || repeated.State !== 'NoChanges') throw new Error(`a full sync after the uninterrupted ${scenario} sync changed the site: exit ${repeat.code}, ${JSON.stringify(repeated)}`);
  }

  /** Runs one trial on a fresh copy of its scenario's starting site. */
  async run(trial: Trial, index: number): Promise<TrialResult> {
    const started = Date.now();
    const home = this.#freshHome(trial.scenario, `trial-${index}`);
    const problems: string[] = [];
    const kills: KillRecord[] = [];
    const args = ['--site', 'CS1', ...(trial.scenario === 'full' ? ['--full'] : [])];
    let resumes = 0;
    try {
      for (const [k, point] of trial.kills.entries()) {
        this.#aim(trial.scenario);
        // Only the first run is asked for a full sync; every later one is a plain `sync`, as an operator resumes.
        const record = await this.#killAt(home, point, k === 0 ? args : ['--site', 'CS1']);
        kills.push(record);
        if (record.integrity !== 'ok') problems.push(`after kill ${k + 1}: integrity_check says ${record.integrity}`);
        if (record.halfWritten > 0) problems.push(`after kill ${k + 1}: ${record.halfWritten} updates stored without their languages`);
        if (record.outcome === 'not-reached') break;
      }
      this.#aim(trial.scenario);
      // Sync again until a run finishes (a run may fail once more on a server left down: it came back).
      for (;;) {
        const last = kills[kills.length - 1];
        if (last?.outcome !== 'not-reached' || resumes > 0) {
          resumes++;
          const run = await spawnSync(home, ['--site', 'CS1']).exited;
          const result = JSON.parse(run.stdout.split('\n').find((l) => l.includes('SupSync.SyncResult')) ?? '{}') as Record<string, unknown>;
          if (run.code === 0 && (result.State === 'Succeeded' || result.State === 'NoChanges')) break;
          if (resumes >= 3) {
            problems.push(`the resumed sync did not finish: exit ${run.code}, ${String(result.State)} ${String(result.ErrorCode ?? '')} ${run.stderr.slice(-300)}`);
            break;
          }
        } else break;
      }
      const reference = this.references[trial.scenario]!;
      const dump = dumpSite(home, 'CS1');
      if (dump.integrity !== 'ok') problems.push(`integrity_check says ${dump.integrity}`);
      if (dump.digest !== reference.dump.digest) problems.push(`content differs from the uninterrupted run: ${describeDifference(reference.dump, dump)}`);
      const version = await catalogVersion(home);
      if (version !== reference.catalogVersion) problems.push(`catalog version ${version}, uninterrupted ${reference.catalogVersion}`);
      const totals = await historyTotals(home);
      for (const field of ['new', 'revised', 'expired'] as const) {
        if (totals[field] !== reference.totals[field]) problems.push(`history total ${field} ${totals[field]}, uninterrupted ${reference.totals[field]}`);
      }
    } finally {
      // A trial that differs keeps its site home (the log, the database) for whoever looks into it.
      if (problems.length === 0) fs.rmSync(home, { recursive: true, force: true });
      else problems.push(`its home is kept at ${home}`);
    }
    return { trial, kills, resumes, identical: problems.length === 0, problems, seconds: (Date.now() - started) / 1000 };
  }

  async #killAt(home: string, point: KillPoint, args: string[]): Promise<KillRecord> {
    let child: SyncChild | undefined;
    let state: number | null | undefined;
    let outcome: KillRecord['outcome'] = 'killed';
    if (point.phase === 'finish') {
      const since = latestStatusMessage(home, 'CS1')?.id ?? 0;
      child = spawnSync(home, args);
      state = await untilFinishing(home, child, since);
      if (state === 6705) await kill(child);
      else outcome = 'not-reached';
      await child.exited;
    } else {
      const held = this.gate.arm((p: Passage) => p.phase === point.phase && p.ordinal === point.ordinal);
      child = spawnSync(home, args);
      const first = await Promise.race([held, child.exited.then(() => undefined)]);
      if (!first) {
        outcome = 'not-reached';
      } else if (point.server) {
        outcome = 'server-killed';
        await this.#killServer(point.server, first, child);
      } else {
        await this.#reach(home, point.moment, first);
        await kill(child);
      }
      await child.exited;
    }
    this.gate.reset();
    return { point, outcome, ...(state !== undefined ? { state } : {}), integrity: dumpSite(home, 'CS1').integrity, halfWritten: halfWrittenUpdates(home, 'CS1') };
  }

  async #reach(home: string, moment: KillMoment, held: HeldRequest): Promise<void> {
    if (moment === 'held') return;
    await held.pass();
    if (moment === 'answered') return;
    const wanted = held.passage.revisions;
    await until(() => {
      const stored = storedRevision(home, 'CS1', wanted.map((r) => r.updateId));
      return wanted.every((r) => (stored.get(r.updateId) ?? -1) >= r.revision);
    }, 'the passed batch to be committed');
  }

  /**
   * kill -9 of the upstream server while the sync's request is held. restart: a new server (same
   * database, another port) takes the held requests and the sync carries on. down: the sync's
   * requests meet a dead server until its retries give up and the run fails; the server then
   * comes back for the resume.
   */
  async #killServer(mode: 'restart' | 'down', held: HeldRequest, child: SyncChild): Promise<void> {
    const name = this.gate.target === String(this.#servers.A.record.Url) ? 'A' : 'B';
    const server = this.#servers[name];
    server.process.kill('SIGKILL');
    await new Promise<void>((resolve) => (server.process.exitCode !== null || server.process.signalCode !== null ? resolve() : server.process.once('exit', () => resolve())));
    if (mode === 'restart') {
      this.#servers[name] = await this.#serve(name);
      this.gate.target = String(this.#servers[name].record.Url);
      void held.pass();
      this.gate.release();
      await child.exited;
      return;
    }
    void held.pass();
    this.gate.release();
    await child.exited;
    this.#servers[name] = await this.#serve(name);
    this.gate.target = String(this.#servers[name].record.Url);
  }
}

async function kill(child: SyncChild): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

/**
 * Watches the site until the sync started after status message `since` raises 6705 (the finish:
 * expiry, cleanup, the catalog version, the run's record) or ends; returns the last message seen.
 * The watch reads the database in bursts without pausing (the finish takes milliseconds; the gate
 * is open, so nothing in this process needs to run meanwhile), one event-loop turn between bursts.
 */
async function untilFinishing(home: string, child: SyncChild, since: number): Promise<number | null> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (;;) {
    for (let i = 0; i < 200; i++) {
      let latest: { id: number; messageId: number } | undefined;
      try {
        latest = latestStatusMessage(home, 'CS1');
      } catch {
        latest = undefined; // the database is busy being opened
      }
      if (latest && latest.id > since && [6702, 6703, 6705].includes(latest.messageId)) return latest.messageId;
    }
    if (exited) return null;
    await new Promise((r) => setImmediate(r));
  }
}

/** Waits for progress made by another process (the sync committing a batch); the bound only turns a hang into a failure. */
async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function catalogVersion(home: string): Promise<number> {
  const status = await devOk(home, ['status', '--site', 'CS1']);
  return Number(status.records[0]!.SyncCatalogVersion);
}

/** Sums New, Revised and Expired over `sync history`. */
export async function historyTotals(home: string): Promise<HistoryTotals> {
  const history = await devOk(home, ['sync', 'history', '--site', 'CS1']);
  const totals: HistoryTotals = { new: 0, revised: 0, expired: 0 };
  for (const run of history.records) {
    totals.new += Number(run.New);
    totals.revised += Number(run.Revised);
    totals.expired += Number(run.Expired);
  }
  return totals;
}

