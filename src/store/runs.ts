/**
 * Sync history: one `sync_runs` row per run with its totals, and `sync_run_counts` per phase and
 * product × classification. The only place that knows their layout.
 */
import type { SiteDb } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';

export interface RunTotals {
  new: number;
  revised: number;
  superseded: number;
  expired: number;
  removed: number;
}

export interface RunCountRow extends RunTotals {
  phase: string;
  /** '' when the update belongs to no product (or classification). */
  productId: string;
  classificationId: string;
}

export interface SyncRunRow {
  id: number;
  trigger: string;
  full_sync: number;
  source: string | null;
  started_at: string;
  ended_at: string | null;
  state: string;
  error_code: string | null;
  error_message: string | null;
  catalog_version: number | null;
  bytes_fetched: number;
  new_count: number;
  revised_count: number;
  superseded_count: number;
  expired_count: number;
  removed_count: number;
  /** The unfinished full run whose full comparison this run finishes. */
  resumes_run_id: number | null;
  failed_count: number;
}

/**
 * A finished catalog import in a phrase, for the status that otherwise tells the last sync:
 * `catalog import run 12 succeeded: 3 new, 1 revised, 2 input(s) failed; catalog version 7`.
 */
export function describeCatalogImport(run: SyncRunRow): string {
  const failed = run.failed_count > 0 ? `, ${run.failed_count} input(s) failed` : '';
  const error = run.state === 'failed' ? ` (${run.error_message ?? run.error_code ?? 'unknown error'})` : '';
  const version = run.catalog_version === null ? '' : `; catalog version ${run.catalog_version}`;
  return `catalog import run ${run.id} ${run.state}${error}: ${run.new_count} new, ${run.revised_count} revised${failed}${version}`;
}

export type RunRepository = ReturnType<typeof runRepository>;

export function runRepository(db: SiteDb, prepare: Prepare = statementCache(db)) {
  return {
    /** Opens a run (state 'running') and returns its id. */
    start(trigger: string, full: boolean, source: string, now: string, resumesRunId?: number): number {
      return Number(
        prepare("INSERT INTO sync_runs (trigger, full_sync, source, started_at, state, resumes_run_id) VALUES (?, ?, ?, ?, 'running', ?)").run(trigger, full ? 1 : 0, source, now, resumesRunId ?? null)
          .lastInsertRowid,
      );
    },
    /**
     * The newest full sync that was interrupted or failed with no full sync finished since: its
     * full comparison (the "no longer listed" expiry) is still owed, so the next sync is full.
     */
    unfinishedFullRun(): number | undefined {
      return (
        (prepare(
          `SELECT max(id) FROM sync_runs WHERE full_sync = 1 AND trigger <> 'import' AND state IN ('interrupted', 'failed')
             AND id > coalesce((SELECT max(id) FROM sync_runs WHERE full_sync = 1 AND trigger <> 'import' AND state = 'succeeded'), 0)`,
        )
          .pluck()
          .get() as number | null) ?? undefined
      );
    },
    /** The unfinished full run a run finishes, if any. */
    resumes(runId: number): number | undefined {
      return (prepare('SELECT resumes_run_id FROM sync_runs WHERE id = ?').pluck().get(runId) as number | null | undefined) ?? undefined;
    },
    /**
     * Adds counts to a run's totals and its per-phase, per-product × classification rows. Called in
     * the transaction that commits what they count, so history totals always match what is stored.
     */
    addCounts(runId: number, totals: RunTotals, rows: Iterable<RunCountRow>): void {
      prepare(
        `UPDATE sync_runs SET new_count = new_count + ?, revised_count = revised_count + ?, superseded_count = superseded_count + ?,
           expired_count = expired_count + ?, removed_count = removed_count + ? WHERE id = ?`,
      ).run(totals.new, totals.revised, totals.superseded, totals.expired, totals.removed, runId);
      const insert = prepare(`INSERT INTO sync_run_counts (run_id, phase, product_id, classification_id, new_count, revised_count, superseded_count, expired_count, removed_count)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, phase, product_id, classification_id) DO UPDATE SET new_count = new_count + excluded.new_count,
          revised_count = revised_count + excluded.revised_count, superseded_count = superseded_count + excluded.superseded_count,
          expired_count = expired_count + excluded.expired_count, removed_count = removed_count + excluded.removed_count`);
      for (const r of rows) insert.run(runId, r.phase, r.productId, r.classificationId, r.new, r.revised, r.superseded, r.expired, r.removed);
    },
    /** Bytes the run has fetched so far. */
    recordBytes(runId: number, bytesFetched: number): void {
      prepare('UPDATE sync_runs SET bytes_fetched = ? WHERE id = ?').run(bytesFetched, runId);
    },
    /** Adds what the run could not bring in (a catalog import's failed inputs). */
    addFailed(runId: number, n: number): void {
      prepare('UPDATE sync_runs SET failed_count = failed_count + ? WHERE id = ?').run(n, runId);
    },
    /**
     * The catalog version a run's changes go into, called in the transaction that commits them.
     * The version is raised once per body of changes: by the first change committed after the last
     * successful run. A run killed or failed after committing changes leaves the version raised
     * (open, marked by its row's catalog_version), and the run that finishes the work adds to it
     * without raising it again, so an interrupted and resumed sync ends at the version of an
     * uninterrupted one.
     */
    coverChanges(runId: number): number {
      const open = prepare(
        `SELECT EXISTS (SELECT 1 FROM sync_runs WHERE catalog_version IS NOT NULL AND state <> 'succeeded'
           AND id > coalesce((SELECT max(id) FROM sync_runs WHERE state = 'succeeded'), 0))`,
      )
        .pluck()
        .get() as number;
      if (!open) prepare('UPDATE sync_state SET catalog_version = catalog_version + 1 WHERE id = 1').run();
      const version = prepare('SELECT catalog_version FROM sync_state WHERE id = 1').pluck().get() as number;
      prepare('UPDATE sync_runs SET catalog_version = ? WHERE id = ?').run(version, runId);
      return version;
    },
    succeeded(runId: number, now: string, catalogVersion: number, bytesFetched: number): void {
      prepare("UPDATE sync_runs SET state = 'succeeded', ended_at = ?, catalog_version = ?, bytes_fetched = ? WHERE id = ?").run(now, catalogVersion, bytesFetched, runId);
    },
    failed(runId: number, now: string, code: string, message: string, bytesFetched: number): void {
      prepare("UPDATE sync_runs SET state = 'failed', ended_at = ?, error_code = ?, error_message = ?, bytes_fetched = ? WHERE id = ?").run(now, code, message, bytesFetched, runId);
    },
    /** Runs left 'running' (by a process that died) marked interrupted; returns their ids. */
    markInterrupted(now: string): number[] {
      const ids = prepare("SELECT id FROM sync_runs WHERE state = 'running'").pluck().all() as number[];
      if (ids.length > 0) prepare("UPDATE sync_runs SET state = 'interrupted', ended_at = ? WHERE state = 'running'").run(now);
      return ids;
    },
    /** The last `limit` runs (all when undefined), oldest first. */
    history(limit?: number): SyncRunRow[] {
      return prepare('SELECT * FROM (SELECT * FROM sync_runs ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit ?? -1) as SyncRunRow[];
    },
    row(runId: number): SyncRunRow | undefined {
      return prepare('SELECT * FROM sync_runs WHERE id = ?').get(runId) as SyncRunRow | undefined;
    },
    counts(runId: number): RunCountRow[] {
      return prepare(
        `SELECT phase, product_id AS productId, classification_id AS classificationId, new_count AS new, revised_count AS revised, superseded_count AS superseded,
           expired_count AS expired, removed_count AS removed
         FROM sync_run_counts WHERE run_id = ? ORDER BY phase, product_id, classification_id`,
      ).all(runId) as RunCountRow[];
    },
    /** Whether a run changed anything (new, revised, expired or removed updates). */
    changed(runId: number): boolean {
      const n = prepare('SELECT new_count + revised_count + expired_count + removed_count FROM sync_runs WHERE id = ?').pluck().get(runId) as number | undefined;
      return (n ?? 0) > 0;
    },
    /** What started a run (`schedule`, `manual`, `import`, …). */
    trigger(runId: number): string | undefined {
      return (prepare('SELECT trigger FROM sync_runs WHERE id = ?').pluck().get(runId) as string | undefined) ?? undefined;
    },
    /** The newest sync's id (a catalog import is not a sync of the SUP), or undefined before any sync. */
    lastSyncId(): number | undefined {
      return (prepare("SELECT max(id) FROM sync_runs WHERE trigger <> 'catalog'").pluck().get() as number | null) ?? undefined;
    },
    /** The newest run's id, or undefined before any sync. */
    lastId(): number | undefined {
      return (prepare('SELECT max(id) FROM sync_runs').pluck().get() as number | null) ?? undefined;
    },
    /** When the last successful sync started (a catalog import brings single updates, so a scheduled sync is still due after it). */
    lastSuccessStart(): Date | undefined {
      const at = prepare("SELECT max(started_at) FROM sync_runs WHERE state = 'succeeded' AND trigger <> 'catalog'").pluck().get() as string | null;
      return at === null ? undefined : new Date(at);
    },
  };
}
