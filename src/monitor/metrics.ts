/**
 * The home's Prometheus metrics, through prom-client: per site the figures `status` shows (read
 * from the site databases at each scrape, so every process sees the same values), and per SUP
 * endpoint the requests this process served (counted as they happen through `observeSupRequest`).
 *
 * Naming follows Prometheus conventions: a `supsync_` prefix, base units (seconds, bytes), `_total`
 * on counters, `_timestamp_seconds` for points in time, state sets as one series per state with
 * value 1 for the current one. No secret is a label or a value.
 */
import client from 'prom-client';
import { type SiteControl } from '../site/model.js';
import { deliveryStateCounts, openAlertDb, queryAlerts } from '../store/alert-db.js';
import type { Home } from '../store/home.js';
import { openSiteDb } from '../store/site-db.js';
import { lastFinishedRun, updateStateCounts } from '../store/site-figures.js';
import { readSyncState } from '../store/sync-status.js';
import { readServiceHost } from '../service/site-records.js';
import { isSiteLocked } from '../sync/lock.js';

/** How a SUP endpoint request ended: answered, answered with a SOAP fault, or refused (4xx: unknown path, wrong method, credentials, size). */
export type SupRequestResult = 'success' | 'fault' | 'rejected';

export interface SupRequestSample {
  /** The site whose endpoint served the request. */
  site: string;
  /** The [MS-WSUSSS] operation (GetUpdateData, …), `SyncRequest`, or `unknown`. */
  operation: string;
  result: SupRequestResult;
  seconds: number;
  /** Response body bytes sent. */
  bytes: number;
}

/** The SupEndpoint's onRequest option: operation, HTTP status, milliseconds, response bytes. */
export type SupRequestHook = (operation: string, status: number, ms: number, bytes: number) => void;

export interface Metrics {
  /** The registry, for a caller that adds its own metrics (the console's). */
  readonly registry: client.Registry;
  /** The Prometheus text exposition of every metric, the site figures read now. */
  render(): Promise<{ contentType: string; body: string }>;
  /** Counts one request served by a site's SUP endpoint. */
  observeSupRequest(sample: SupRequestSample): void;
  /** A SupEndpoint `onRequest` hook that counts the requests of `site`'s endpoint. */
  supRequestHook(site: string): SupRequestHook;
}

/** The sync states of `supsync_site_last_sync_state`. */
export const siteSyncStates = ['never', 'running', 'succeeded', 'failed', 'interrupted'] as const;

export function supRequestResult(status: number): SupRequestResult {
  if (status < 400) return 'success';
  return status >= 500 ? 'fault' : 'rejected';
}

export interface MetricsOptions {
  /**
   * prom-client's process_* and nodejs_* metrics of this process (default true). Off for a file
   * that node_exporter's textfile collector reads: there they would clash with its own.
   */
  processMetrics?: boolean;
}

export function createMetrics(home: Home, options: MetricsOptions = {}): Metrics {
  const registry = new client.Registry();
  if (options.processMetrics ?? true) client.collectDefaultMetrics({ register: registry });
  const site = (name: string, help: string, labelNames: string[] = []) =>
    new client.Gauge({ name: `supsync_site_${name}`, help, labelNames: ['site', ...labelNames], registers: [registry] });
  const gauges = {
    info: site('info', 'A site of the home (value 1) with its role, parent and SUP server name.', ['role', 'parent', 'server']),
    state: site('last_sync_state', 'The state of the last sync of the site (1 for the current state, 0 for the others).', ['state']),
    statusMessage: site('last_sync_status_message_id', 'The status message id of the last sync state (LastSyncState: 6701 started, 6702 completed, 6703 failed, 6704 in progress, 6705 syncing the site database).'),
    lastSuccess: site('last_successful_sync_timestamp_seconds', 'When the last successful sync of the site ended (Unix time).'),
    duration: site('last_sync_duration_seconds', 'How long the last finished sync of the site took.'),
    updates: site('updates', 'Updates in the site database by state (active, superseded, expired).', ['state']),
    catalog: site('catalog_version', 'The catalog version of the site (SyncCatalogVersion).'),
    lag: site('catalog_version_lag', "How many catalog versions the site is behind its parent (child sites whose parent is in this home)."),
    failures: site('consecutive_failures', 'Consecutive failed syncs of the site (0 after a success).'),
    nextScheduled: site('next_scheduled_sync_timestamp_seconds', 'The next scheduled sync of the site (Unix time), while a supsync service hosts it.'),
    nextRetry: site('next_retry_timestamp_seconds', 'When a failed sync of the site is retried (Unix time).'),
    alerts: new client.Gauge({ name: 'supsync_alerts_active', help: 'Active alerts by site and type.', labelNames: ['site', 'type'], registers: [registry] }),
    deliveries: new client.Gauge({
      name: 'supsync_alert_deliveries',
      help: 'Deliveries of alerts to subscriptions by state (Pending, Delivered, Failed: retries exhausted).',
      labelNames: ['state'],
      registers: [registry],
    }),
  };
  const requests = new client.Counter({
    name: 'supsync_sup_requests_total',
    help: 'Requests served by the SUP endpoint of a site, by operation and result (success, fault, rejected).',
    labelNames: ['site', 'operation', 'result'],
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'supsync_sup_request_duration_seconds',
    help: 'Time to answer a request of the SUP endpoint of a site, by operation.',
    labelNames: ['site', 'operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const bytes = new client.Counter({
    name: 'supsync_sup_response_bytes_total',
    help: 'Response bytes served by the SUP endpoint of a site, by operation.',
    labelNames: ['site', 'operation'],
    registers: [registry],
  });

  const refreshSites = () => {
    for (const gauge of Object.values(gauges)) gauge.reset();
    const sites = home.sites();
    const catalogVersions = new Map<string, number>();
    for (const s of sites) {
      const version = readSite(home, s, gauges);
      if (version !== undefined) catalogVersions.set(s.code, version);
    }
    for (const s of sites) {
      const own = catalogVersions.get(s.code);
      const parent = s.parent === undefined ? undefined : catalogVersions.get(s.parent);
      if (own !== undefined && parent !== undefined) gauges.lag.set({ site: s.code }, Math.max(0, parent - own));
    }
    const alertDb = openAlertDb(home);
    try {
      for (const alert of queryAlerts(alertDb, { state: 'Active' })) gauges.alerts.inc({ site: alert.site, type: alert.type });
      for (const state of ['Pending', 'Delivered', 'Failed'] as const) gauges.deliveries.set({ state }, 0);
      for (const { state, count } of deliveryStateCounts(alertDb)) gauges.deliveries.set({ state }, count);
    } finally {
      alertDb.close();
    }
  };

  const observeSupRequest = (sample: SupRequestSample) => {
    requests.inc({ site: sample.site, operation: sample.operation, result: sample.result });
    latency.observe({ site: sample.site, operation: sample.operation }, sample.seconds);
    bytes.inc({ site: sample.site, operation: sample.operation }, sample.bytes);
  };

  return {
    registry,
    async render() {
      refreshSites();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    observeSupRequest,
    supRequestHook: (code) => (operation, status, ms, sent) => observeSupRequest({ site: code, operation, result: supRequestResult(status), seconds: ms / 1000, bytes: sent }),
  };
}

type SiteGauges = Record<'info' | 'state' | 'statusMessage' | 'lastSuccess' | 'duration' | 'updates' | 'catalog' | 'failures' | 'nextScheduled' | 'nextRetry', client.Gauge>;

/** Sets one site's gauges; returns its catalog version (undefined when its database cannot be read). */
function readSite(home: Home, s: SiteControl, g: SiteGauges): number | undefined {
  const labels = { site: s.code };
  g.info.set({ ...labels, role: s.role, parent: s.parent ?? '', server: s.serverName }, 1);
  let db;
  try {
    db = openSiteDb(home.sitePaths(s.code).database, { readonly: true });
  } catch {
    return undefined; // a site being created or a damaged database: `status` names the problem
  }
  try {
    const state = readSyncState(db);
    const current =
      state.running_run_id !== null
        ? isSiteLocked(home.sitePaths(s.code).dir)
          ? 'running'
          : 'interrupted'
        : state.last_sync_state === null
          ? 'never'
          : state.last_sync_state === 6703
            ? 'failed'
            : 'succeeded';
    for (const name of siteSyncStates) g.state.set({ ...labels, state: name }, name === current ? 1 : 0);
    if (state.last_sync_state !== null) g.statusMessage.set(labels, state.last_sync_state);
    if (state.last_successful_sync_time !== null) g.lastSuccess.set(labels, Date.parse(state.last_successful_sync_time) / 1000);
    const run = lastFinishedRun(db);
    if (run) g.duration.set(labels, run.durationSeconds);
    const updates = updateStateCounts(db);
    for (const [name, n] of Object.entries(updates)) g.updates.set({ ...labels, state: name }, n);
    g.catalog.set(labels, state.catalog_version);
    g.failures.set(labels, state.consecutive_failures);
    const next = readServiceHost(db)?.nextScheduledSync;
    if (next) g.nextScheduled.set(labels, Date.parse(next) / 1000);
    if (state.next_retry_at !== null) g.nextRetry.set(labels, Date.parse(state.next_retry_at) / 1000);
    return state.catalog_version;
  } finally {
    db.close();
  }
}
