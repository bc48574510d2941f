/**
 * What the service keeps in a site's database (`meta` table, one row each, written in one
 * statement): the time of the last scheduled run it started, so that after a restart it knows
 * which occurrences it missed; and while it runs, its host record (pid, next scheduled sync),
 * which `status` shows and which tells a cascade that a service picks up the site's requests.
 */
import type { Home } from '../store/home.js';
import { type SiteDb, openSiteDb } from '../store/site-db.js';
import { isProcessAlive } from '../store/lock-file.js';
import { readMeta, writeMeta } from '../store/meta.js';

const lastScheduledRunKey = 'service_last_scheduled_run';
const hostKey = 'service_host';

export interface ServiceHostRecord {
  pid: number;
  /** ISO 8601 UTC, null without a schedule. */
  nextScheduledSync: string | null;
}

export function readLastScheduledRun(db: SiteDb): Date | undefined {
  const value = readMeta(db, lastScheduledRunKey);
  return value === undefined ? undefined : new Date(value);
}

export function recordScheduledRun(db: SiteDb, at: Date): void {
  writeMeta(db, lastScheduledRunKey, at.toISOString());
}

export function publishServiceHost(db: SiteDb, record: ServiceHostRecord): void {
  writeMeta(db, hostKey, JSON.stringify(record));
}

/** The record of the service hosting the site, when that process is alive (a killed service leaves a stale one). */
export function readServiceHost(db: SiteDb): ServiceHostRecord | undefined {
  const value = readMeta(db, hostKey);
  if (value === undefined) return undefined;
  const record = JSON.parse(value) as ServiceHostRecord;
  return isProcessAlive(record.pid) ? record : undefined;
}

/** Removes the host record if it is this process's. */
export function withdrawServiceHost(db: SiteDb, pid: number): void {
  db.prepare("DELETE FROM meta WHERE key = ? AND json_extract(value, '$.pid') = ?").run(hostKey, pid);
}

export function isServedByService(home: Home, code: string): boolean {
  if (!home.hasSite(code)) return false;
  const db = openSiteDb(home.sitePaths(code).database);
  try {
    return readServiceHost(db) !== undefined;
  } finally {
    db.close();
  }
}

