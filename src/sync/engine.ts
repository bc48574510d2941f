/**
 * The synchronization of one site (BRIEF §2): 6701, categories then updates from the sync source
 * (6704), supersedence, expiry and cleanup in the site database (6705), the catalog version, 6702
 * or 6703. Every batch of updates is committed in its own transaction and an anchor only with the
 * last batch of the list it covers, so a sync killed at any point resumes from what was stored:
 * the next run asks with the same anchors and skips revisions already stored.
 */
import { type SupsyncError, asSupsyncError } from '../errors.js';
import { createSiteLogger, type LogFormat, type SiteLogger } from '../log/index.js';
import type { FetchedUpdate, RevisionKey } from '../model/update.js';
import type { StorableBatch, UpstreamClient } from '../protocol/client.js';
import type { RetryPolicy } from '../protocol/transport.js';
import { type SiteControl, isTopLevel } from '../site/model.js';
import type { Home } from '../store/home.js';
import { type SiteDb, nextChangeSeq, openSiteDb } from '../store/site-db.js';
import { readMeta, writeMeta } from '../store/meta.js';
import { updateSiteControl } from '../store/site-file.js';
import { readSyncState, updateSyncState } from '../store/sync-status.js';
import { type CategoryIndex, UpdateStore, loadCategoryIndex, membership } from '../store/updates.js';
import { checkKeys } from './checks.js';
import { applyExpiry, runCleanup } from './expiry-apply.js';
import { type ListRequest, type StoredAnchor, categoryLists, updateLists } from './lists.js';
import { tryLockSite } from './lock.js';
import { takeSyncRequests } from './requests.js';
import { type RunCounts, type SyncTrigger, SyncRunRecorder, markInterruptedRuns, syncTime } from './run-recorder.js';
import { type ResolvedUpstream, clientFor, resolveUpstream } from './upstream.js';

export interface SyncOptions {
  trigger: SyncTrigger;
  full?: boolean;
  logFormat?: LogFormat;
  signal?: AbortSignal;
  /** Delay before a failed sync is retried (ConfigMgr: 60 minutes). */
  retryDelayMs?: number;
  /** Consecutive failures after which retries stop. */
  maxConsecutiveFailures?: number;
  /** Transport tuning (tests shorten timeouts and backoff). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  concurrency?: number;
  cleanupAgeDays?: number;
  /** Mirror log lines to stderr. */
  stderrLog?: boolean;
  /** Receives progress (for NDJSON progress records). */
  onProgress?: (progress: { site: string; phase: string; processed: number; total: number }) => void;
}

export type SyncState = 'Succeeded' | 'NoChanges' | 'Failed' | 'Queued';

export interface SyncResult {
  site: string;
  state: SyncState;
  runId?: number;
  trigger: SyncTrigger;
  full: boolean;
  counts: RunCounts;
  catalogVersion: number;
  durationMs: number;
  error?: SupsyncError;
  queuedBehindRun?: number;
  nextRetryAt?: string;
}

export const defaultRetryDelayMs = 60 * 60_000;
export const defaultMaxConsecutiveFailures = 5;

/**
 * Synchronizes a site. When another process is syncing it, the request is queued (at most one
 * waits; a queued full request stays full) and the result says so; the running process picks it
 * up when it finishes.
 */
export async function syncSite(home: Home, code: string, options: SyncOptions): Promise<SyncResult[]> {
  const paths = home.sitePaths(code);
  const site = home.site(code);
  const db = openSiteDb(paths.database);
  try {
    const lock = tryLockSite(paths.dir);
    if (!lock) return [queueRequest(db, site, options)];
    const results: SyncResult[] = [];
    try {
      const notes = markInterruptedRuns(db).map((run) => `Sync run ${run} was interrupted; resuming from what it stored`);
      const files = takeSyncRequests(paths.inbox);
      notes.push(...files.map((f) => `Found parent sync notification file ${f.file}.`));
      let request: { trigger: SyncTrigger; full: boolean } | undefined = {
        trigger: options.trigger,
        full: Boolean(options.full) || files.some((f) => f.request?.full),
      };
      while (request) {
        results.push(await runOnce(home, site.code, db, { ...options, ...request }, notes));
        notes.length = 0;
        request = takeQueuedRequest(db);
      }
    } finally {
      lock.release();
    }
    return results;
  } finally {
    db.close();
  }
}

function queueRequest(db: SiteDb, site: SiteControl, options: SyncOptions): SyncResult {
  const state = readSyncState(db);
  const queued = state.queued_request ? (JSON.parse(state.queued_request) as { full: boolean }) : undefined;
  updateSyncState(db, { queued_request: JSON.stringify({ trigger: options.trigger, full: Boolean(options.full) || Boolean(queued?.full) }) });
  return {
    site: site.code,
    state: 'Queued',
    trigger: options.trigger,
    full: Boolean(options.full),
    counts: { new: 0, revised: 0, superseded: 0, expired: 0, removed: 0 },
    catalogVersion: state.catalog_version,
    durationMs: 0,
    ...(state.running_run_id !== null ? { queuedBehindRun: state.running_run_id } : {}),
  };
}

/** Takes the queued request off the site (the service takes one that no running sync will). */
export function takeQueuedRequest(db: SiteDb): { trigger: SyncTrigger; full: boolean } | undefined {
  const state = readSyncState(db);
  if (!state.queued_request) return undefined;
  updateSyncState(db, { queued_request: null });
  const queued = JSON.parse(state.queued_request) as { full: boolean };
  return { trigger: 'queued', full: queued.full };
}

const triggerLines: Record<SyncTrigger, string[]> = {
  manual: ['Found local sync request file', 'Performing sync on local request'],
  queued: ['Found local sync request file', 'Performing sync on local request'],
  schedule: ['Wakeup for scheduled regular sync', 'Performing sync on regular schedule'],
  retry: ['Wakeup for a retry of the failed sync', 'Performing sync on retry schedule'],
  parent: ['Performing sync on parent request'],
  import: ['Performing sync on local request'],
};

async function runOnce(home: Home, code: string, db: SiteDb, options: SyncOptions, notes: string[]): Promise<SyncResult> {
  const started = Date.now();
  const site = home.site(code); // re-read: settings may have changed while queued
  const full = Boolean(options.full) || site.sup.fullSyncRequired;
  const log = createSiteLogger({ logDir: home.sitePaths(code).logDir, format: options.logFormat ?? 'site-server', stderr: options.stderrLog ?? false });
  let upstream: ResolvedUpstream | undefined;
  let recorder: SyncRunRecorder | undefined;
  let client: UpstreamClient | undefined;
  try {
    log.info('Starting Sync');
    for (const note of notes) log.info(note);
    for (const line of triggerLines[options.trigger]) log.info(line);
    upstream = await resolveUpstream(home, site);
    recorder = new SyncRunRecorder(db, site, log, options.trigger, full, upstream?.description ?? 'none');
    if (full) log.info('Performing a full sync');
    const context: RunContext = { home, site, db, log, recorder, options, full, startedAt: started };
    if (upstream) {
      client = clientFor(site, upstream, { ...options, concurrency: options.concurrency ?? 4 });
      client.prepareFetch();
      await synchronizeFromUpstream(context, client, upstream);
    } else {
      log.info('The sync source is none: this site is fed by imports only; nothing to synchronize from upstream');
    }
    recorder.status(6705);
    recorder.phase('Synchronizing site database');
    log.info(`Synchronizing SMS database with WSUS server ${upstream?.description ?? site.serverName} ...`);
    applyExpiry(context);
    runCleanup(context);
    log.info(`Done synchronizing SMS with WSUS Server ${upstream?.description ?? site.serverName}`);
    const counts = recorder.totals();
    const changed = counts.new + counts.revised + counts.expired + counts.removed;
    const version = readSyncState(db).catalog_version + (changed > 0 ? 1 : 0);
    recorder.succeed(version, client?.bytesReceived ?? 0);
    if (site.sup.fullSyncRequired && full) updateSiteControl(home.sitePaths(code).controlFile, (s) => ({ ...s, sup: { ...s.sup, fullSyncRequired: false } }));
    log.info(`Sync succeeded. Setting sync alert to canceled state on site ${site.code}`);
    log.info(`Updated ${changed} items in SMS database, new update source content version is ${version}`);
    log.info(`Sync time: ${syncTime(Date.now() - started)}`);
    if (!isTopLevel(site)) log.info(`Successfully synced site with parent ${site.parent}, version ${version}`);
    return {
      site: code,
      state: changed > 0 ? 'Succeeded' : 'NoChanges',
      runId: recorder.runId,
      trigger: options.trigger,
      full,
      counts,
      catalogVersion: version,
      durationMs: Date.now() - started,
    };
  } catch (thrown) {
    const error = asSupsyncError(thrown);
    const failures = readSyncState(db).consecutive_failures + 1;
    const maxFailures = options.maxConsecutiveFailures ?? defaultMaxConsecutiveFailures;
    const nextRetry = failures >= maxFailures ? undefined : new Date(Date.now() + (options.retryDelayMs ?? defaultRetryDelayMs));
    log.error(`Sync failed: ${error.message}. Source: ${upstream?.description ?? 'site database'}`);
    if (recorder) recorder.fail(error.code, error.message, nextRetry, client?.bytesReceived ?? 0);
    log.error(nextRetry ? `Sync failed. Will retry in ${Math.round((options.retryDelayMs ?? defaultRetryDelayMs) / 60_000)} minutes` : 'Too many consecutive failures. Aborting sync.');
    return {
      site: code,
      state: 'Failed',
      ...(recorder ? { runId: recorder.runId } : {}),
      trigger: options.trigger,
      full,
      counts: recorder?.totals() ?? { new: 0, revised: 0, superseded: 0, expired: 0, removed: 0 },
      catalogVersion: readSyncState(db).catalog_version,
      durationMs: Date.now() - started,
      error,
      ...(nextRetry ? { nextRetryAt: nextRetry.toISOString() } : {}),
    };
  } finally {
    await client?.close();
    await upstream?.close();
    log.close();
  }
}

export interface RunContext {
  home: Home;
  site: SiteControl;
  db: SiteDb;
  log: SiteLogger;
  recorder: SyncRunRecorder;
  options: SyncOptions;
  full: boolean;
  startedAt: number;
  /** Every update id the upstream listed in this run (full syncs: what is no longer listed expires). */
  listed?: Set<string>;
  /** "Synchronizing update …" lines of the batch being stored, written to the log in one go. */
  updateLines?: string[];
}

async function synchronizeFromUpstream(cx: RunContext, client: UpstreamClient, upstream: ResolvedUpstream): Promise<void> {
  const { db, log, recorder, site } = cx;
  recorder.status(6704);
  recorder.phase('Synchronizing WSUS Server');
  log.info(`Synchronizing WSUS server ${upstream.description} ...`);
  await client.config();
  const store = new UpdateStore(db);
  const index = loadCategoryIndex(db);
  const languages = summaryLanguages(cx);

  log.info('sync: WSUS synchronizing categories');
  await syncLists(cx, client, store, index, upstream.url, categoryLists(storedAnchors(db, upstream.url), cx.full), 'categories', languages);

  const lists = updateLists(site, storedAnchors(db, upstream.url), cx.full);
  if (lists.length === 0 && isTopLevel(site)) {
    log.info('No products or classifications are selected: synchronized categories only. Select products and classifications (sup set), then sync again');
    return;
  }
  log.info('sync: WSUS synchronizing updates');
  // Only a full sync needs what was listed: updates no longer listed expire.
  if (cx.full) cx.listed = new Set();
  await syncLists(cx, client, store, index, upstream.url, lists, 'updates', languages);
  await fetchMissingRelations(cx, client, store, index, languages);
}

function summaryLanguages(cx: RunContext): string[] | undefined {
  const top = isTopLevel(cx.site) ? cx.site : cx.home.topLevelOf(cx.site.code);
  return top?.sup.languageSummaryDetails;
}

export function storedAnchors(db: SiteDb, upstream: string): StoredAnchor[] {
  return db.prepare('SELECT filter_key AS key, anchor FROM anchors WHERE upstream = ?').all(upstream) as StoredAnchor[];
}

interface ListState {
  request: ListRequest;
  anchor: string;
  /** Wanted revisions of this list not stored yet. */
  remaining: Set<string>;
}

/**
 * The revision lists of one phase: ask each, then fetch everything wanted across the lists with
 * several batches in flight, storing batch by batch. A key's new anchor (the first of its lists to
 * answer, so the oldest) is written in the transaction of the batch that completes its last list.
 */
async function syncLists(
  cx: RunContext,
  client: UpstreamClient,
  store: UpdateStore,
  index: CategoryIndex,
  upstream: string,
  lists: ListRequest[],
  what: 'categories' | 'updates',
  languages: string[] | undefined,
): Promise<void> {
  const { db, recorder } = cx;
  const states: ListState[] = [];
  const wanted = new Map<string, RevisionKey>();
  for (const request of lists) {
    let list;
    try {
      list = await client.getRevisionIdList(request.filter);
    } catch (error) {
      if ((error as { faultCode?: string }).faultCode !== 'ServerChanged') throw error;
      // The upstream was rebuilt: its anchors mean nothing now; ask everything afresh.
      cx.log.warn(`The upstream server changed; resetting all anchors for ${upstream}`);
      db.prepare('DELETE FROM anchors WHERE upstream = ?').run(upstream);
      const fresh = what === 'categories' ? categoryLists([], true) : updateLists(cx.site, [], true);
      return syncLists({ ...cx, full: true }, client, store, index, upstream, fresh, what, languages);
    }
    const state: ListState = { request, anchor: list.anchor, remaining: new Set() };
    for (const r of list.newRevisions) {
      cx.listed?.add(r.updateId);
      if (!needsFetch(store, r, request.filter.anchor !== undefined)) continue;
      state.remaining.add(r.updateId);
      const known = wanted.get(r.updateId);
      if (!known || known.revisionNumber < r.revisionNumber) wanted.set(r.updateId, r);
    }
    states.push(state);
  }
  const setAnchor = db.prepare(
    'INSERT INTO anchors (upstream, filter_key, anchor, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (upstream, filter_key) DO UPDATE SET anchor = excluded.anchor, updated_at = excluded.updated_at',
  );
  const dropAnchor = db.prepare('DELETE FROM anchors WHERE upstream = ? AND filter_key = ?');
  const committed = new Set<string>();
  /** Writes a key's anchor once all its lists are stored (call inside a transaction). */
  const commitDone = () => {
    for (const state of states) {
      const key = state.request.key;
      if (committed.has(key) || states.some((s) => s.request.key === key && s.remaining.size > 0)) continue;
      committed.add(key);
      setAnchor.run(upstream, key, states.find((s) => s.request.key === key)!.anchor, new Date().toISOString());
      if (state.request.replaces) dropAnchor.run(upstream, state.request.replaces);
    }
  };
  db.transaction(commitDone)();
  if (wanted.size === 0) return;

  const storeBatch = db.transaction((updates: FetchedUpdate[]) => {
    cx.updateLines = [];
    const seq = nextChangeSeq(db);
    const now = new Date().toISOString();
    updates.forEach((update) => {
      storeOne(cx, store, index, update, seq, now, what, languages);
      // A phase asks one to three lists, so asking each is cheaper than an index by update.
      for (const state of states) state.remaining.delete(update.updateId);
    });
    commitDone();
  });
  const started = Date.now();
  let processed = 0;
  const toFetch = [...wanted.values()];
  wanted.clear();
  await client.fetchUpdates(
    toFetch,
    (batch: StorableBatch, last: boolean) => {
      storeBatch(batch.updates);
      cx.log.infoLines(cx.updateLines ?? []);
      processed += batch.updates.length;
      recorder.progress(what, processed, toFetch.length, started, last);
      cx.options.onProgress?.({ site: cx.site.code, phase: what, processed, total: toFetch.length });
    },
    languages,
  );
}

/**
 * Whether a listed revision must be fetched: not stored, or an older revision stored. A delta list
 * names what changed upstream, so a stored live revision it lists is fetched again (that is how an
 * expiry travels); a full list skips every revision already stored.
 */
function needsFetch(store: UpdateStore, r: RevisionKey, delta: boolean): boolean {
  const stored = store.storedRevision(r.updateId);
  if (stored === undefined || stored < r.revisionNumber) return true;
  if (!delta || stored > r.revisionNumber) return false;
  return store.isLiveUpdate(r.updateId);
}

function storeOne(
  cx: RunContext,
  store: UpdateStore,
  index: CategoryIndex,
  update: FetchedUpdate,
  seq: number,
  now: string,
  phase: string,
  languages: string[] | undefined,
): void {
  const outcome = store.store(update, index, { changeSeq: seq, now, ...(languages ? { languages } : {}) });
  const { classificationId, productIds } = membership(update, index);
  if (outcome !== 'unchanged') {
    cx.recorder.count(phase, productIds, classificationId ?? null, outcome);
    if (phase === 'updates') cx.updateLines?.push(`Synchronizing update ${update.updateId} - ${update.localized.find((l) => l.language === 'en')?.title ?? update.localized[0]?.title ?? ''}`);
  }
  if (update.publicationState === 'Expired' && update.updateType !== 'Category' && update.updateType !== 'Detectoid') {
    const changed = cx.db
      .prepare("UPDATE updates SET expired = 1, expired_at = ?, expired_reason = 'expired-upstream', change_seq = ? WHERE update_id = ? AND expired = 0")
      .run(now, seq, update.updateId).changes;
    if (changed > 0) cx.recorder.count('expiry', productIds, classificationId ?? null, 'expired');
  }
}

/**
 * Revisions to try, newest first, for an update whose revision is only hinted (a bundle names its
 * child's) or not known at all: from 300 down, as Microsoft's sync library asks for an expired
 * update (TryGetExpiredUpdate(id, 300, 100)); from a hint, the hundred below it.
 */
export function probeRevisions(hint: number | undefined): number[] {
  const top = hint ?? 300;
  const bottom = hint === undefined ? 1 : Math.max(1, hint - 100);
  const list: number[] = [];
  for (let r = top; r >= bottom; r--) list.push(r);
  return list;
}

/**
 * Bundled children and prerequisites the lists did not bring, fetched by id the way Microsoft's
 * sync library does (GetUpdateData probing revisions: a bundle names its children's revisions, a
 * prerequisite does not), never with an unfiltered GetRevisionIdList, which Microsoft Update
 * answers with nothing useful. One the upstream cannot give fails only the update that needs it:
 * logged as an error, and checked again next sync.
 */
async function fetchMissingRelations(cx: RunContext, client: UpstreamClient, store: UpdateStore, index: CategoryIndex, languages: string[] | undefined): Promise<void> {
  const { db } = cx;
  const checkedUpTo = Number(readMeta(db, checkKeys.relations) ?? 0);
  const startSeq = nextChangeSeq(db);
  const storeBatch = db.transaction((updates: FetchedUpdate[]) => {
    cx.updateLines = [];
    const seq = nextChangeSeq(db);
    const now = new Date().toISOString();
    for (const update of updates) storeOne(cx, store, index, update, seq, now, 'updates', languages);
  });
  let incomplete = 0;
  const tried = new Set<string>();
  // Fetched children may have relations of their own: a few rounds, each over what the last stored.
  for (let round = 0, since = checkedUpTo; round < 4; round++) {
    const missing = missingRelations(db, since).filter((m) => !tried.has(m.ids.join('|')));
    if (missing.length === 0) break;
    since = nextChangeSeq(db) - 1;
    cx.log.info(`sync: ${missing.length} bundled update(s) or prerequisite group(s) are not stored yet; asking the upstream for them by id`);
    for (const relation of missing) {
      tried.add(relation.ids.join('|'));
      let fetched = false;
      for (const id of relation.ids) {
        const batch = await client.probeUpdate(id, probeRevisions(relation.revision), languages);
        if (!batch) continue;
        storeBatch(batch.updates);
        cx.log.infoLines(cx.updateLines ?? []);
        fetched = true;
        break;
      }
      if (!fetched) {
        incomplete++;
        const what = relation.kind === 'bundled' ? `bundled update ${relation.ids[0]}${relation.revision !== undefined ? ` (revision ${relation.revision})` : ''}` : `prerequisite ${relation.ids.join(' or ')}`;
        cx.log.error(`Update ${relation.parent} is incomplete: the upstream does not have its ${what}; it will be asked again next sync`);
      }
    }
  }
  // Mark checked only when nothing is left, so an incomplete update is looked at again next time.
  if (incomplete === 0) writeMeta(db, checkKeys.relations, String(nextChangeSeq(db) - 1));
  else if (startSeq === nextChangeSeq(db)) cx.log.warn(`sync: ${incomplete} update(s) stay incomplete`);
}

interface MissingRelation {
  kind: 'bundled' | 'prerequisite';
  parent: string;
  /** The candidates: one bundled child, or the members of a prerequisite group (any one will do). */
  ids: string[];
  revision?: number;
}

/** Bundled children and unmet prerequisite groups of live updates stored after `sinceSeq`. */
function missingRelations(db: SiteDb, sinceSeq: number): MissingRelation[] {
  // CROSS JOIN keeps SQLite driving both queries by change_seq rather than scanning every relationship row.
  const children = db
    .prepare(
      `SELECT DISTINCT b.child_id AS id, b.parent_id AS parent, b.child_revision AS revision FROM updates p CROSS JOIN bundles b ON b.parent_id = p.update_id
       WHERE p.change_seq > ? AND p.expired = 0 AND NOT EXISTS (SELECT 1 FROM updates c WHERE c.update_id = b.child_id)`,
    )
    .all(sinceSeq) as { id: string; parent: string; revision: number | null }[];
  // A prerequisite group is met when any member is known (an update or a category/detectoid).
  const prerequisites = db
    .prepare(
      `SELECT r.update_id AS parent, group_concat(r.prerequisite_id) AS ids
       FROM updates p CROSS JOIN prerequisites r ON r.update_id = p.update_id
       WHERE p.change_seq > ? AND p.expired = 0
       GROUP BY r.update_id, r.group_no
       HAVING sum(CASE WHEN EXISTS (SELECT 1 FROM updates u WHERE u.update_id = r.prerequisite_id) OR EXISTS (SELECT 1 FROM categories c WHERE c.update_id = r.prerequisite_id) THEN 1 ELSE 0 END) = 0`,
    )
    .all(sinceSeq) as { parent: string; ids: string }[];
  return [
    ...children.map((c) => ({ kind: 'bundled' as const, parent: c.parent, ids: [c.id], ...(c.revision !== null ? { revision: c.revision } : {}) })),
    ...prerequisites.map((p) => ({ kind: 'prerequisite' as const, parent: p.parent, ids: p.ids.split(',') })),
  ];
}
