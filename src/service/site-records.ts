/**
 * What the service keeps in a site's database (`meta` table, one row each, written in one
 * statement): the time of the last scheduled run it started, so that after a restart it knows
 * which occurrences it missed; and while it runs, its host record (pid, next scheduled sync),
 * which `status` shows and which tells a cascade that a service picks up the site's requests.
 */
import type { Home } from '../store/home.js';
import { type SiteStore, withSiteStore } from '../store/site-store.js';
import { isProcessAlive } from '../store/lock-file.js';

const lastScheduledRunKey = 'service_last_scheduled_run';
const hostKey = 'service_host';

export interface ServiceHostRecord {
  pid: number;
  /** ISO 8601 UTC, null without a schedule. */
  nextScheduledSync: string | null;
}

export function readLastScheduledRun(store: SiteStore): Date | undefined {
  const value = store.meta.read(lastScheduledRunKey);
  return value === undefined ? undefined : new Date(value);
}

export function recordScheduledRun(store: SiteStore, at: Date): void {
  store.meta.write(lastScheduledRunKey, at.toISOString());
}

export function publishServiceHost(store: SiteStore, record: ServiceHostRecord): void {
  store.meta.write(hostKey, JSON.stringify(record));
}

/** The record of the service hosting the site, when that process is alive (a killed service leaves a stale one). */
export function readServiceHost(store: SiteStore): ServiceHostRecord | undefined {
  const value = store.meta.read(hostKey);
  if (value === undefined) return undefined;
  const record = JSON.parse(value) as ServiceHostRecord;
  return isProcessAlive(record.pid) ? record : undefined;
}

/** Removes the host record if it is this process's. */
export function withdrawServiceHost(store: SiteStore, pid: number): void {
  store.meta.deleteOwned(hostKey, pid);
}

export function isServedByService(home: Home, code: string): boolean {
  if (!home.hasSite(code)) return false;
  return withSiteStore(home.sitePaths(code).database, (store) => readServiceHost(store) !== undefined);
}

