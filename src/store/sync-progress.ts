/**
 * The live progress of a site's running sync (phase, N of M, when the phase's fetching started),
 * kept in the `meta` table so any process can read it: the console shows it whichever process
 * runs the sync. Written on every stored batch (one small row), cleared when the run ends.
 */
import type { SiteDb } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';

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

export type SyncProgressRepository = ReturnType<typeof syncProgressRepository>;

/** Written once a batch: through prepared statements, not a prepare per write. */
export function syncProgressRepository(db: SiteDb, prepare: Prepare = statementCache(db)) {
  return {
    write: (record: SyncProgressRecord): void => {
      prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(progressKey, JSON.stringify(record));
    },
    clear: (): void => {
      prepare('DELETE FROM meta WHERE key = ?').run(progressKey);
    },
    /** The progress of run `runId`, if that run wrote one. */
    read: (runId: number): SyncProgressRecord | undefined => {
      const text = prepare('SELECT value FROM meta WHERE key = ?').pluck().get(progressKey) as string | undefined;
      if (text === undefined) return undefined;
      const record = JSON.parse(text) as SyncProgressRecord;
      return record.runId === runId ? record : undefined;
    },
  };
}
