/**
 * The synchronization of one site (BRIEF §2): 6701, categories then updates from the sync source
 * (6704), supersedence, expiry and cleanup in the site database (6705), the catalog version, 6702
 * or 6703. The sync asks the upstream's revision lists, plans from them and what is stored
 * (`planSync`, pure: the plan `--what-if` prints) and applies the plan (`applyPlan`). Every batch of
 * updates is committed in its own transaction and an anchor only with the last batch of the list
 * it covers, so a sync killed at any point resumes from what was stored: the next run asks with
 * the same anchors and skips revisions already stored.
 */
import { type SupsyncError, asSupsyncError } from '../errors.js';
import { createSiteLogger, type LogEcho, type LogFormat } from '../log/index.js';
import type { FetchStats, UpstreamClient } from '../protocol/client.js';
import type { RetryPolicy } from '../protocol/transport.js';
import { type SiteControl, isTopLevel } from '../model/site.js';
import type { Home } from '../store/home.js';
import { updateSiteControl } from '../store/site-file.js';
import { type SiteStore, withSiteStore } from '../store/site-store.js';
import { takeSyncRequests } from '../store/sync-requests.js';
import { type RunScope, applyPlan, finishRun } from './apply.js';
import { askSyncLists, planFromStore } from './ask-lists.js';
import { type RunCounts, type SyncTrigger, SyncRunRecorder, emptyCounts, markInterruptedRuns, syncTime } from './run-recorder.js';
import type { LockHolder } from '../store/site-lock.js';
import { type SiteWrite, siteBusy, tryOpenSiteWrite } from './site-write.js';
import type { SyncPlan } from './sync-plan.js';
import { type LocalParentServer, type ResolvedUpstream, clientFor, keepParentState, resolveUpstream } from './upstream.js';

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
  /** Largest answer taken from the upstream (default 512 MB). */
  maxResponseBytes?: number;
  /** The bound on GetUpdateData requests in flight (default 16): what the upstream can bear. */
  concurrency?: number;
  /** Requests in flight at first (default 2). */
  initialConcurrency?: number;
  /** False: always `concurrency` requests in flight, no adaptive window (default true). */
  adaptiveConcurrency?: boolean;
  /** Receives what the fetch did (requests, the window's figures) when the sync's client closes. */
  onFetchStats?: (stats: FetchStats) => void;
  cleanupAgeDays?: number;
  /** Receives each log line in short form (the CLI shows them with --verbose, warnings always). */
  logEcho?: LogEcho;
  /** Serves a parent of the same home to a child's sync (the CLI and service pass server/local-parent.ts). */
  serveLocalParent?: LocalParentServer;
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
  /** A queued request: the run of the holding sync it waits behind. */
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
  let write = tryOpenSiteWrite(home, code, 'sync');
  // A holder that let go between our attempt and our look at it: one more attempt.
  if ('holder' in write && !write.holder) write = tryOpenSiteWrite(home, code, 'sync');
  if ('holder' in write) {
    const { holder } = write;
    // Only a sync takes queued requests: behind an import or a removal a request would wait for nothing.
    if (holder?.operation !== 'sync') throw siteBusy(home.site(code).code, 'run the sync again', holder);
    return [withSiteStore(home.sitePaths(home.site(code).code).database, (store) => queueRequest(store, home.site(code), holder, options))];
  }
  const results: SyncResult[] = [];
  try {
    const notes = markInterruptedRuns(write.store).map((run) => `Sync run ${run} was interrupted; resuming from what it stored`);
    const files = takeSyncRequests(write.paths.inbox);
    notes.push(...files.map((f) => `Found parent sync notification file ${f.file}.`));
    let request: { trigger: SyncTrigger; full: boolean } | undefined = {
      trigger: options.trigger,
      full: Boolean(options.full) || files.some((f) => f.request?.full),
    };
    while (request) {
      results.push(await runOnce(home, write, { ...options, ...request }, notes));
      notes.length = 0;
      request = write.store.state.takeQueuedRequest();
    }
  } finally {
    write.release();
  }
  return results;
}

function queueRequest(store: SiteStore, site: SiteControl, holder: LockHolder, options: SyncOptions): SyncResult {
  store.state.queueRequest(options.trigger, Boolean(options.full));
  const state = store.state.read();
  // The holder names its run in the lock once it has started it; a run started since the lock was
  // taken is its run too; otherwise it is starting the next one.
  const newest = store.runs.history(1)[0];
  const behind = holder.runId ?? (newest && newest.state === 'running' && newest.started_at >= holder.since ? newest.id : (newest?.id ?? 0) + 1);
  return {
    site: site.code,
    state: 'Queued',
    trigger: options.trigger,
    full: Boolean(options.full),
    counts: emptyCounts(),
    catalogVersion: state.catalog_version,
    durationMs: 0,
    queuedBehindRun: behind,
  };
}

const triggerLines: Record<SyncTrigger, string[]> = {
  manual: ['Found local sync request file', 'Performing sync on local request'],
  queued: ['Found local sync request file', 'Performing sync on local request'],
  schedule: ['Wakeup for scheduled regular sync', 'Performing sync on regular schedule'],
  retry: ['Wakeup for a retry of the failed sync', 'Performing sync on retry schedule'],
  parent: ['Performing sync on parent request'],
  import: ['Performing sync on local request'],
};

async function runOnce(home: Home, write: SiteWrite, options: SyncOptions, notes: string[]): Promise<SyncResult> {
  const started = Date.now();
  const { store } = write;
  const code = write.site.code;
  const site = home.site(code); // re-read: settings may have changed while queued
  // A full sync that was killed or failed still owes its full comparison: this run finishes it.
  const unfinishedFull = store.runs.unfinishedFullRun();
  const full = Boolean(options.full) || site.sup.fullSyncRequired || unfinishedFull !== undefined;
  const log = createSiteLogger({ logDir: write.paths.logDir, format: options.logFormat ?? 'site-server', echo: options.logEcho });
  let upstream: ResolvedUpstream | undefined;
  let recorder: SyncRunRecorder | undefined;
  let client: UpstreamClient | undefined;
  try {
    log.info('Starting Sync');
    for (const note of notes) log.info(note);
    for (const line of triggerLines[options.trigger]) log.info(line);
    upstream = await resolveUpstream(home, site, options.serveLocalParent);
    recorder = new SyncRunRecorder(store, site, log, options.trigger, full, upstream?.description ?? 'none', unfinishedFull);
    // The lock names the run, so a request queued behind it can say which.
    write.lock.describe({ runId: recorder.runId });
    if (unfinishedFull !== undefined) log.info(`Sync run ${unfinishedFull} was a full sync that did not finish; this sync finishes the full comparison`);
    if (full) log.info('Performing a full sync');
    const scope: RunScope = { store, site, log, recorder, languages: summaryLanguages(home, site), ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
    let plan: SyncPlan | undefined;
    if (upstream) {
      const fetching = (client = clientFor(site, upstream, options, store));
      recorder.measureBytes(() => fetching.bytesReceived);
      recorder.status(6704);
      recorder.phase('Synchronizing WSUS Server');
      log.info(`Synchronizing WSUS server ${upstream.description} ...`);
      // The configuration (batch size) and the lists are independent: asked at once, they cost one
      // round trip to a distant upstream, not two.
      const config = client.config();
      log.info('sync: WSUS synchronizing categories');
      const lists = askSyncLists(client, store, site, upstream.url, full, log);
      await Promise.all([config, lists]);
      plan = planFromStore(store, await lists, { full });
      await applyPlan(plan, client, upstream.url, scope);
      const fetched = client.fetchStats();
      const link = fetched.roundTripMs === undefined ? '' : `; round trip ${fetched.roundTripMs} ms or less, ${fetched.gzippedAnswers} answer(s) gzipped`;
      log.info(`sync: ${fetched.httpRequests} request(s) to the upstream, up to ${fetched.maxInFlight} in flight (request window ${fetched.sizes.join(' → ')})${link}`);
      if (!plan.updates) log.info('No products or classifications are selected: synchronized categories only. Select products and classifications (sup set), then sync again');
    } else {
      log.info('The sync source is none: this site is fed by imports only; nothing to synchronize from upstream');
    }
    recorder.status(6705);
    recorder.phase('Synchronizing site database');
    log.info(`Synchronizing SMS database with WSUS server ${upstream?.description ?? site.serverName} ...`);
    const finished = finishRun(scope, {
      listed: plan?.listed,
      cleanup: true,
      ...(options.cleanupAgeDays !== undefined ? { cleanupAgeDays: options.cleanupAgeDays } : {}),
    });
    log.info(`Done synchronizing SMS with WSUS Server ${upstream?.description ?? site.serverName}`);
    const version = finished.catalogVersion;
    if (site.sup.fullSyncRequired && full) updateSiteControl(write.paths.controlFile, (s) => ({ ...s, sup: { ...s.sup, fullSyncRequired: false } }));
    log.info(`Sync succeeded. Setting sync alert to canceled state on site ${site.code}`);
    log.info(`Updated ${finished.changed} items in SMS database, new update source content version is ${version}`);
    log.info(`Sync time: ${syncTime(Date.now() - started)}`);
    if (!isTopLevel(site)) log.info(`Successfully synced site with parent ${site.parent}, version ${version}`);
    return {
      site: code,
      state: finished.changed > 0 ? 'Succeeded' : 'NoChanges',
      runId: recorder.runId,
      trigger: options.trigger,
      full,
      counts: finished.counts,
      catalogVersion: version,
      durationMs: Date.now() - started,
    };
  } catch (thrown) {
    const error = asSupsyncError(thrown);
    const failures = store.state.read().consecutive_failures + 1;
    const maxFailures = options.maxConsecutiveFailures ?? defaultMaxConsecutiveFailures;
    const nextRetry = failures >= maxFailures ? undefined : new Date(Date.now() + (options.retryDelayMs ?? defaultRetryDelayMs));
    log.error(`Sync failed: ${error.message}. Source: ${upstream?.description ?? 'site database'}`);
    if (recorder) recorder.fail(error.code, error.message, nextRetry);
    log.error(nextRetry ? `Sync failed. Will retry in ${Math.round((options.retryDelayMs ?? defaultRetryDelayMs) / 60_000)} minutes` : 'Too many consecutive failures. Aborting sync.');
    return {
      site: code,
      state: 'Failed',
      ...(recorder ? { runId: recorder.runId } : {}),
      trigger: options.trigger,
      full,
      counts: recorder?.totals() ?? emptyCounts(),
      catalogVersion: store.state.read().catalog_version,
      durationMs: Date.now() - started,
      error,
      ...(nextRetry ? { nextRetryAt: nextRetry.toISOString() } : {}),
    };
  } finally {
    if (client) {
      options.onFetchStats?.(client.fetchStats());
      try {
        keepParentState(store, site, upstream!.url, client);
      } catch (error) {
        // Only the next sync's handshake depends on it: not a reason to change this sync's outcome.
        log.warn(`Could not keep the upstream's cookie for the next sync: ${asSupsyncError(error).message}`);
      }
    }
    await client?.close();
    await upstream?.close();
    log.close();
  }
}

/** Languages of summary details to keep: the top-level site's setting. */
function summaryLanguages(home: Home, site: SiteControl): string[] | undefined {
  const top = isTopLevel(site) ? site : home.topLevelOf(site.code);
  return top?.sup.languageSummaryDetails;
}
