/**
 * What the console shows of each SUP: the SMS_SUPSyncStatus fields in words, the hierarchy as a
 * tree, the live progress of a running sync with its ETA. Read through store/ functions only.
 */
import { statusMessages } from '../log/index.js';
import { shownUrl } from './address.js';
import { readServiceHost } from '../service/site-records.js';
import { type SiteControl, isTopLevel, microsoftUpdateUrl } from '../model/site.js';
import type { Home } from '../store/home.js';
import { siteLockHolder } from '../store/site-lock.js';
import { type SiteStore, openSiteStore } from '../store/site-store.js';
import { describeSyncState } from '../store/sync-status.js';
import { pendingSyncRequests } from '../store/sync-requests.js';

/** How the console colours a site. */
export type Health = 'ok' | 'running' | 'queued' | 'failed' | 'interrupted' | 'never';

export interface SiteProgress {
  runId: number;
  phase: string;
  /** What is being fetched (categories, updates), when fetching. */
  what: string | undefined;
  processed: number | undefined;
  total: number | undefined;
  percent: number;
  /** Seconds left at the current rate, when it can be told. */
  etaSeconds: number | undefined;
}

export interface SiteStatus {
  code: string;
  role: SiteControl['role'];
  serverName: string;
  parent: string | undefined;
  topLevel: boolean;
  source: string;
  health: Health;
  /** The one-phrase truthful state (the same words as `supsync status`). */
  summary: string;
  lastSyncState: number | null;
  lastSyncStateName: string;
  lastSyncStateTime: string | null;
  lastSuccessfulSyncTime: string | null;
  lastSyncErrorCode: string | null;
  lastSyncErrorMessage: string | null;
  catalogVersion: number;
  /** Catalog versions behind the parent (null for a top-level site or a parent on another machine). */
  lag: number | null;
  nextScheduledSync: string | null;
  nextRetryTime: string | null;
  consecutiveFailures: number;
  replicationLinkStatus: number;
  requestPending: boolean;
  hostedByService: boolean;
  lastRunId: number | undefined;
  progress: SiteProgress | undefined;
}

export function stateName(id: number | null): string {
  if (id === null) return 'Never synchronized';
  const known = (statusMessages as Record<number, { meaning: string }>)[id];
  return known ? `${known.meaning} (${id})` : String(id);
}

/** Opens each site database once and keeps it for the console's life. */
export class SiteStores {
  readonly #home: Home;
  readonly #open = new Map<string, SiteStore>();
  constructor(home: Home) {
    this.#home = home;
  }
  get(code: string): SiteStore {
    let store = this.#open.get(code);
    if (!store) {
      this.#home.site(code); // NotFoundError for an unknown site
      store = openSiteStore(this.#home.sitePaths(code).database);
      this.#open.set(code, store);
    }
    return store;
  }
  close(): void {
    for (const store of this.#open.values()) store.close();
    this.#open.clear();
  }
}

export function siteStatus(home: Home, stores: SiteStores, site: SiteControl, now = Date.now()): SiteStatus {
  const store = stores.get(site.code);
  const state = store.state.read();
  const runId = store.runs.lastId();
  const holder = siteLockHolder(home.sitePaths(site.code).dir);
  const locked = holder !== undefined;
  // The summary tells the last sync (a catalog import is not one).
  const lastSyncId = store.runs.lastSyncId();
  const lastChanged = lastSyncId === undefined ? undefined : store.runs.changed(lastSyncId);
  const parentState = site.parent && home.hasSite(site.parent) ? stores.get(site.parent).state.read() : undefined;
  const host = readServiceHost(store);
  const requestPending = pendingSyncRequests(home.sitePaths(site.code).inbox).length > 0 || state.queued_request !== null;
  const running = state.running_run_id !== null && locked;
  const health: Health = running
    ? 'running'
    : state.running_run_id !== null
      ? 'interrupted'
      : requestPending
        ? 'queued'
        : state.last_sync_state === 6703
          ? 'failed'
          : state.last_sync_state === null
            ? 'never'
            : 'ok';
  return {
    code: site.code,
    role: site.role,
    serverName: site.serverName,
    parent: site.parent,
    topLevel: isTopLevel(site),
    source: sourceOf(home, site),
    health,
    summary: summaryOf(health, describeSyncState(state, lastChanged, locked, undefined, { holder }), state.last_sync_error_message ?? state.last_sync_error_code),
    lastSyncState: state.last_sync_state,
    lastSyncStateName: stateName(state.last_sync_state),
    lastSyncStateTime: state.last_sync_state_time,
    lastSuccessfulSyncTime: state.last_successful_sync_time,
    lastSyncErrorCode: state.last_sync_error_code,
    lastSyncErrorMessage: state.last_sync_error_message,
    catalogVersion: state.catalog_version,
    lag: parentState ? Math.max(0, parentState.catalog_version - state.catalog_version) : null,
    nextScheduledSync: host?.nextScheduledSync ?? null,
    nextRetryTime: state.next_retry_at,
    consecutiveFailures: state.consecutive_failures,
    replicationLinkStatus: state.replication_link_status,
    requestPending,
    hostedByService: host !== undefined,
    lastRunId: runId,
    progress: running ? progressOf(store, state.running_run_id!, state.phase, state.percent, now) : undefined,
  };
}

/** `supsync status`'s phrase, but for what the card shows in the viewer's own words (the retry time is a field of its own). */
function summaryOf(health: Health, phrase: string, error: string | null): string {
  if (health === 'queued') return `sync requested; waiting to start${error ? ` (the last sync failed: ${error})` : ''}`;
  if (health === 'failed') return `failed: ${error ?? 'unknown error'}`;
  return phrase;
}

function progressOf(store: SiteStore, runId: number, phase: string | null, percent: number | null, now: number): SiteProgress {
  const record = store.progress.read(runId);
  if (!record) return { runId, phase: phase ?? 'starting', what: undefined, processed: undefined, total: undefined, percent: percent ?? 0, etaSeconds: undefined };
  const elapsed = Date.parse(record.at) - Date.parse(record.startedAt);
  const rate = record.processed > 0 && elapsed > 0 ? record.processed / elapsed : undefined;
  // The ETA counts from the last batch, so it keeps falling while a batch is awaited.
  const eta = rate === undefined ? undefined : Math.max(0, Math.round(((record.total - record.processed) / rate - (now - Date.parse(record.at))) / 1000));
  return {
    runId,
    phase: phase ?? 'starting',
    what: record.what,
    processed: record.processed,
    total: record.total,
    percent: record.total === 0 ? 100 : Math.floor((record.processed / record.total) * 100),
    etaSeconds: eta,
  };
}

function sourceOf(home: Home, site: SiteControl): string {
  if (isTopLevel(site)) {
    const source = site.sup.syncSource;
    return source.kind === 'microsoft-update' ? microsoftUpdateUrl : source.kind === 'upstream' ? shownUrl(source.upstreamUrl ?? 'upstream') : 'none (imports only)';
  }
  return (site.parentUrl && shownUrl(site.parentUrl)) ?? (site.parent && home.hasSite(site.parent) ? `${site.parent} (${home.site(site.parent).serverName})` : (site.parent ?? ''));
}

export interface TreeNode {
  site: SiteControl;
  children: TreeNode[];
  /** Children on other machines (their status is on their own console). */
  remoteChildren: SiteControl['remoteChildren'];
}

/** CAS → primaries → secondaries: sites whose parent is not in this home are roots. */
export function hierarchy(home: Home): TreeNode[] {
  const sites = home.sites();
  const byParent = new Map<string | undefined, SiteControl[]>();
  const codes = new Set(sites.map((s) => s.code));
  for (const site of sites) {
    const parent = site.parent && codes.has(site.parent) ? site.parent : undefined;
    byParent.set(parent, [...(byParent.get(parent) ?? []), site]);
  }
  const node = (site: SiteControl, seen: Set<string>): TreeNode => ({
    site,
    children: seen.has(site.code) ? [] : (byParent.get(site.code) ?? []).map((child) => node(child, new Set([...seen, site.code]))),
    remoteChildren: site.remoteChildren,
  });
  const roleOrder = { central: 0, primary: 1, secondary: 2 } as const;
  return (byParent.get(undefined) ?? []).sort((a, b) => roleOrder[a.role] - roleOrder[b.role] || a.code.localeCompare(b.code)).map((s) => node(s, new Set()));
}

