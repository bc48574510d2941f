/**
 * The supsync service (SMS_WSUS_SYNC_MANAGER's part of the site server): for each site it hosts,
 * scheduled syncs, sync requests from the inbox, retries of failed syncs, and the SUP endpoint for
 * children on other machines, until stopped.
 *
 * A tick reads each site's state (site.json, the site database, the inbox, the sync lock), asks
 * `planSite` what to do, and starts at most one sync per site; it runs every poll interval (request
 * files, schedule changes) and at the next time a plan names (a one-shot node-schedule job at the
 * next occurrence or retry time, so a schedule fires on time whatever the poll interval), and
 * again as soon as a sync ends. Schedule changes therefore apply at the next tick and never touch
 * a running sync. The engine's lock keeps one sync per site across processes; a sync the service
 * starts while another process holds the lock is queued behind it.
 *
 * Stopping aborts in-flight requests (the engine keeps every batch already stored), waits for the
 * syncs to end, and moves their retry to now, so the next start resumes them at once.
 */
import schedule from 'node-schedule';
import { AlertCourier } from '../alerts/courier.js';
import { BusyError, InvalidOperationError, asSupsyncError } from '../errors.js';
import { type LogFormat, createSiteLogger } from '../log/index.js';
import { type Schedule, describeSchedule, formatWithOffset, validateSchedule } from '../schedule/index.js';
import { serveLocalParent } from '../server/local-parent.js';
import { type Metrics, createMetrics } from '../monitor/metrics.js';
import { cancellation } from '../net/http.js';
import type { RunningEndpoint } from '../server/sup-endpoint.js';
import type { Home } from '../store/home.js';
import { type SiteStore, openSiteStore } from '../store/site-store.js';
import { syncWithCascade } from '../sync/cascade.js';
import type { SyncResult } from '../sync/engine.js';
import { isSiteLocked } from '../store/site-lock.js';
import { pendingSyncRequests, readSyncRequest, writeSyncRequest } from '../store/sync-requests.js';
import { type ServiceTrigger, type SitePlan, type SiteSnapshot, planSite } from './due.js';
import { type TlsFiles, serveSiteEndpoint } from './endpoints.js';
import { publishServiceHost, readLastScheduledRun, readServiceHost, recordScheduledRun, withdrawServiceHost } from './site-records.js';

export interface SyncServiceOptions {
  home: Home;
  /** Codes of the sites this service hosts. */
  sites: string[];
  pollMs: number;
  /** Delay before a failed sync is retried (ConfigMgr: 60 minutes). */
  retryDelayMs: number;
  logFormat: LogFormat;
  /** Certificate and key for sites whose URL is https. */
  tls?: TlsFiles;
  /** Starts a local child's sync after a parent's (the CLI's detached sync; see cli/child-sync.ts). */
  startChildSync?: (code: string) => void;
  /** The metrics its endpoints count requests in (default: its own); `service.metrics` renders them. */
  metrics?: Metrics;
  /** Every result of a sync the service ran. */
  onResult(result: SyncResult): void;
  /** A line for the operator. */
  onNote(message: string): void;
}

export interface HostedSiteInfo {
  code: string;
  /** Where its SUP endpoint listens, if it serves one. */
  endpointUrl: string | undefined;
  schedule: string | null;
  nextScheduledSync: Date | undefined;
}

interface HostedSite {
  code: string;
  /** The service's own connection: snapshots, its records, and the endpoint. */
  store: SiteStore;
  endpoint?: RunningEndpoint;
  task?: Promise<void>;
  /** The host record last written, so only changes are written. */
  published?: string;
  nextScheduledSync?: Date;
  /** Problems noted once while they last, by kind. */
  problems: Map<ProblemKind, string>;
}

type ProblemKind = 'tick' | 'schedule' | 'sync';

export class SyncService {
  readonly #options: SyncServiceOptions;
  /** The home's metrics, with the requests this service's SUP endpoints served. */
  readonly metrics: Metrics;
  readonly #sites: HostedSite[] = [];
  readonly #abort = cancellation();
  /** Alert evaluation and delivery, in the background of the ticks. */
  readonly #alerts: AlertCourier;
  #poll: NodeJS.Timeout | undefined;
  #wake: { at: number; job: schedule.Job } | undefined;
  #stopping = false;

  constructor(options: SyncServiceOptions) {
    this.#options = options;
    this.metrics = options.metrics ?? createMetrics(options.home);
    this.#alerts = new AlertCourier(options.home, options.onNote);
  }

  /** Opens the sites, claims them, serves their endpoints and runs the first tick (a missed scheduled run starts here). */
  async start(): Promise<HostedSiteInfo[]> {
    const { home, tls } = this.#options;
    try {
      for (const code of this.#options.sites) {
        const control = home.site(code);
        const store = openSiteStore(home.sitePaths(code).database);
        const host = readServiceHost(store);
        if (host && host.pid !== process.pid) {
          store.close();
          throw new BusyError('SiteHostedByService', `Site ${code} is already hosted by the supsync service running as process ${host.pid}`, { target: code });
        }
        const site: HostedSite = { code, store, problems: new Map() };
        this.#sites.push(site);
        this.#log(code, `supsync service started (process ${process.pid}): scheduled syncs, sync requests and retries of ${code} run here`);
        if (control.url) {
          site.endpoint = await serveSiteEndpoint({ ...control, url: control.url }, store, home.sitePaths(code).inbox, tls, this.metrics.supRequestHook(code));
          this.#log(code, `Serving the SUP endpoint for child sites at ${site.endpoint.url} (site URL ${control.url})`);
        }
      }
    } catch (error) {
      await this.#release();
      throw error;
    }
    this.#tick();
    this.#poll = setInterval(() => this.#tick(), this.#options.pollMs);
    return this.#sites.map((site) => {
      const schedule = this.#schedule(site);
      return { code: site.code, endpointUrl: site.endpoint?.url, schedule: schedule && describeSchedule(schedule), nextScheduledSync: site.nextScheduledSync };
    });
  }

  /**
   * Queues a sync of a hosted site as a local request (its own `<CODE>.SYN`, as `supsync sync`
   * leaves one for a busy site) and looks at the site at once: it starts now, or after the
   * running sync. The console's Synchronize Software Updates.
   */
  requestSync(code: string, full: boolean, requestedBy: string): { queuedBehindRun: number | null } {
    const site = this.#sites.find((s) => s.code === code);
    if (!site || this.#stopping) throw new InvalidOperationError('SiteNotHosted', `Site ${code} is not hosted by this supsync service (it hosts ${this.#sites.map((s) => s.code).join(', ') || 'none'})`, { target: code });
    const state = site.store.state.read();
    const inbox = this.#options.home.sitePaths(code).inbox;
    // A pending full request stays full.
    const pendingFull = readSyncRequest(inbox, code)?.full === true;
    writeSyncRequest(inbox, { from: code, catalogVersion: state.catalog_version, full: full || pendingFull, time: new Date().toISOString() });
    this.#log(code, `Sync requested from the console by ${requestedBy}${full ? ' (full sync)' : ''}`);
    setImmediate(() => this.#tick());
    return { queuedBehindRun: state.running_run_id };
  }

  /** Stops scheduling, lets running syncs checkpoint, and releases the sites. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#poll);
    this.#wake?.job.cancel();
    this.#abort.abort();
    const running = this.#sites.filter((s) => s.task).map((s) => s.code);
    if (running.length > 0) this.#options.onNote(`Stopping: letting the running sync of ${running.join(', ')} checkpoint`);
    await Promise.all(this.#sites.map((s) => s.task));
    await this.#alerts.stop();
    await this.#release();
  }

  async #release(): Promise<void> {
    for (const site of this.#sites) {
      await site.endpoint?.close();
      withdrawServiceHost(site.store, process.pid);
      this.#log(site.code, 'supsync service stopped');
      site.store.close();
    }
    this.#sites.length = 0;
  }

  #tick(): void {
    if (this.#stopping) return;
    const now = new Date();
    let wake: Date | undefined;
    for (const site of this.#sites) {
      try {
        let plan = planSite(this.#snapshot(site), now);
        if (plan.run) {
          this.#run(site, plan.run, now);
          // Planned again with the run under way: the next scheduled sync is now the one after it.
          plan = planSite(this.#snapshot(site), now);
        }
        this.#publish(site, plan, now);
        if (plan.wakeAt && (!wake || plan.wakeAt < wake)) wake = plan.wakeAt;
        this.#problem(site, 'tick', undefined);
      } catch (error) {
        this.#problem(site, 'tick', asSupsyncError(error).message);
      }
    }
    this.#arm(wake);
    this.#alerts.poke();
  }

  #snapshot(site: HostedSite): SiteSnapshot {
    const { home } = this.#options;
    const paths = home.sitePaths(site.code);
    const state = site.store.state.read();
    return {
      code: site.code,
      schedule: this.#schedule(site),
      lastScheduledRun: readLastScheduledRun(site.store),
      lastSuccessfulSyncStart: site.store.runs.lastSuccessStart(),
      nextRetryAt: state.next_retry_at === null ? undefined : new Date(state.next_retry_at),
      requestFiles: pendingSyncRequests(paths.inbox),
      queuedRequest: state.queued_request !== null,
      busy: site.task ? 'service' : isSiteLocked(paths.dir) ? 'other' : undefined,
    };
  }

  /**
   * The site's schedule. An invalid one (a hand-edited site.json) is noted and treated as off, so
   * the site's requests and retries go on.
   */
  #schedule(site: HostedSite): Schedule | null {
    const raw = this.#options.home.site(site.code).sup.schedule;
    if (raw == null) return null;
    try {
      const schedule = validateSchedule(raw);
      this.#problem(site, 'schedule', undefined);
      return schedule;
    } catch (error) {
      this.#problem(site, 'schedule', `the schedule in site.json is not valid (${asSupsyncError(error).message}); no scheduled syncs until it is fixed`);
      return null;
    }
  }

  #run(site: HostedSite, trigger: ServiceTrigger, now: Date): void {
    const { home, logFormat, retryDelayMs, onResult, onNote } = this.#options;
    if (trigger === 'schedule') recordScheduledRun(site.store, now);
    const queued = trigger === 'queued' ? site.store.state.takeQueuedRequest() : undefined;
    const signal = this.#abort.signal;
    onNote(`${site.code}: ${trigger} sync started`);
    site.task = (async () => {
      try {
        const results = await syncWithCascade(home, site.code, {
          trigger,
          full: queued?.full ?? false,
          logFormat,
          signal,
          retryDelayMs,
          serveLocalParent,
          ...(this.#options.startChildSync ? { startChildSync: this.#options.startChildSync } : {}),
        });
        for (const result of results) onResult(result);
        this.#problem(site, 'sync', undefined);
        if (signal.aborted && results.some((r) => r.state === 'Failed') && site.store.state.read().next_retry_at !== null) {
          // Cut short by the stop, not by the upstream: resume as soon as the service is back.
          site.store.state.update({ next_retry_at: new Date().toISOString() });
          this.#log(site.code, 'The supsync service stopped during the sync; it resumes from what it stored when the service starts again');
        }
        // New request files (the cascade's, for hosted children) and the next plan, without waiting for the poll.
        if (!this.#stopping) setImmediate(() => this.#tick());
      } catch (error) {
        // Not a failed sync (the engine records those) but an error around it; what is still due, the poll tries again.
        this.#problem(site, 'sync', `the ${trigger} sync stopped with an error: ${asSupsyncError(error).message}`);
      } finally {
        site.task = undefined;
      }
    })();
  }

  /** Notes a problem once while it lasts; `undefined` says it is over. */
  #problem(site: HostedSite, kind: ProblemKind, message: string | undefined): void {
    if (message === undefined) {
      site.problems.delete(kind);
      return;
    }
    if (site.problems.get(kind) !== message) this.#options.onNote(`${site.code}: ${message}`);
    site.problems.set(kind, message);
  }

  /** Writes the host record (what `status` shows) and logs the next scheduled sync when they change. */
  #publish(site: HostedSite, plan: SitePlan, now: Date): void {
    const next = plan.nextScheduledSync;
    const record = { pid: process.pid, nextScheduledSync: next?.toISOString() ?? null };
    const text = JSON.stringify(record);
    if (text === site.published) return;
    const first = site.published === undefined;
    publishServiceHost(site.store, record);
    site.published = text;
    site.nextScheduledSync = next;
    if (next && next > now) this.#log(site.code, `Next scheduled sync is a regular sync at ${formatWithOffset(next)}`);
    else if (!next && !first) this.#log(site.code, 'No scheduled sync to come: the site syncs on requests only');
  }

  /** One node-schedule job at the earliest time a plan named; re-armed only when that time changes. */
  #arm(wake: Date | undefined): void {
    if (wake && this.#wake?.at === wake.getTime()) return;
    this.#wake?.job.cancel();
    this.#wake = undefined;
    if (!wake) return;
    const fire = () => {
      this.#wake = undefined;
      this.#tick();
    };
    const job = schedule.scheduleJob(wake, fire);
    // null: the time passed while planning.
    if (job) this.#wake = { at: wake.getTime(), job };
    else setImmediate(fire);
  }

  #log(code: string, message: string): void {
    const log = createSiteLogger({ logDir: this.#options.home.sitePaths(code).logDir, format: this.#options.logFormat });
    try {
      log.info(message);
    } finally {
      log.close();
    }
  }
}
