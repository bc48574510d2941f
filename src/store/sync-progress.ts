/**
 * The live progress of a site's running sync (phase, N of M, when the phase's fetching started),
 * kept in the `meta` table so any process can read it: the console shows it whichever process
 * runs the sync. Written on every stored batch (one small row), cleared when the run ends.
 */
import { readMeta, writeMeta } from './meta.js';
import type { SiteDb } from './site-db.js';

const progressKey = 'sync_progress';

export interface SyncProgressRecord {
  runId: number;
  /** What is being fetched: `categories` or `updates`. */
  what: string;
  processed: number;
  total: number;
  /** ISO 8601: when fetching this list started (for the ETA). */
  startedAt: string;
  /** ISO 8601: when this record was written. */
  at: string;
}

export function writeSyncProgress(db: SiteDb, record: SyncProgressRecord): void {
  writeMeta(db, progressKey, JSON.stringify(record));
}

export function clearSyncProgress(db: SiteDb): void {
  db.prepare('DELETE FROM meta WHERE key = ?').run(progressKey);
}

/** The progress of run `runId`, if that run wrote one. */
export function readSyncProgress(db: SiteDb, runId: number): SyncProgressRecord | undefined {
  const text = readMeta(db, progressKey);
  if (text === undefined) return undefined;
  const record = JSON.parse(text) as SyncProgressRecord;
  return record.runId === runId ? record : undefined;
}

export type SyncProgressRepository = ReturnType<typeof syncProgressRepository>;

export function syncProgressRepository(db: SiteDb) {
  return {
    write: (record: SyncProgressRecord) => writeSyncProgress(db, record),
    clear: () => clearSyncProgress(db),
    read: (runId: number) => readSyncProgress(db, runId),
  };
}
