/**
 * What the service does for one site at a given moment, decided from a snapshot of the site's
 * state: no clock, no files. The service reads the snapshot, asks, and acts.
 *
 * Scheduled runs follow systemd's `Persistent=true` timers: a scheduled run is due when an
 * occurrence of the schedule has passed since the reference — the later of the last scheduled run
 * the service started and the start of the site's last successful sync (a site that synced after
 * an occurrence is not behind it). After downtime the missed occurrences therefore cause one run,
 * not one each, and a schedule changed to one that already had an occurrence since then runs once
 * at once. A site that never synced and has no scheduled run yet is due as soon as its schedule's
 * first occurrence has passed.
 */
import { type Schedule, nextOccurrences } from '../schedule/index.js';
import type { SyncTrigger } from '../sync/run-recorder.js';

export interface SiteSnapshot {
  code: string;
  /** The site's schedule (site.json `sup.schedule`), null when scheduled sync is off. */
  schedule: Schedule | null;
  /** When the service last started a scheduled run of the site (persisted across restarts). */
  lastScheduledRun: Date | undefined;
  /** The start of the site's last successful sync, whatever started it. */
  lastSuccessfulSyncStart: Date | undefined;
  /** When the engine wants the last failed sync retried (sync_state.next_retry_at). */
  nextRetryAt: Date | undefined;
  /** Request files waiting in the site's inbox (`<CODE>.SYN`). */
  requestFiles: string[];
  /** sync_state.queued_request is set. */
  queuedRequest: boolean;
  /** `service`: this service is syncing the site; `other`: another live process holds its sync lock. */
  busy: 'service' | 'other' | undefined;
}

export type ServiceTrigger = Extract<SyncTrigger, 'schedule' | 'parent' | 'manual' | 'queued' | 'retry'>;

export interface SitePlan {
  /** The sync to start now, if any. */
  run?: ServiceTrigger;
  /** The next scheduled run (in the past when it is due but the site is busy); undefined without one. */
  nextScheduledSync?: Date;
  /** When to look at the site again at the latest, besides polling. */
  wakeAt?: Date;
}

/** Before any schedule's first occurrence (schedules start in 1970 at the earliest, in any zone). */
const beforeAnySchedule = new Date(Date.UTC(1969, 11, 30));

export function planSite(site: SiteSnapshot, now: Date, timeZone?: string): SitePlan {
  const reference = latest(site.lastScheduledRun, site.lastSuccessfulSyncStart) ?? beforeAnySchedule;
  const nextScheduledSync = site.schedule ? nextOccurrences(site.schedule, reference, 1, timeZone)[0] : undefined;
  const scheduleDue = nextScheduledSync !== undefined && nextScheduledSync <= now;
  const retryDue = site.nextRetryAt !== undefined && site.nextRetryAt <= now;
  const wakeAt = earliest(scheduleDue ? undefined : nextScheduledSync, retryDue ? undefined : site.nextRetryAt);
  const plan: SitePlan = { ...(nextScheduledSync ? { nextScheduledSync } : {}), ...(wakeAt ? { wakeAt } : {}) };

  const run = chooseRun(site, scheduleDue, retryDue);
  return run ? { ...plan, run } : plan;
}

function chooseRun(site: SiteSnapshot, scheduleDue: boolean, retryDue: boolean): ServiceTrigger | undefined {
  if (site.busy === 'service') return undefined;
  // The engine queues a scheduled run behind the other process's sync; anything else waits for the
  // lock to be free (the request files stay in the inbox until then), so the service never spins.
  if (site.busy === 'other') return scheduleDue ? 'schedule' : undefined;
  if (scheduleDue) return 'schedule';
  if (site.requestFiles.length > 0) return requestTrigger(site.code, site.requestFiles);
  // Queued by a sync that found the site busy just as the running one was ending: nobody else will take it.
  if (site.queuedRequest) return 'queued';
  return retryDue ? 'retry' : undefined;
}

/** `<own code>.SYN` is a local request (ConfigMgr's "local sync request file"); any other is a parent's. */
export function requestTrigger(code: string, files: readonly string[]): 'manual' | 'parent' {
  return files.every((f) => f.toUpperCase() === `${code}.SYN`) ? 'manual' : 'parent';
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a || !b) return a ?? b;
  return a > b ? a : b;
}

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a || !b) return a ?? b;
  return a < b ? a : b;
}
