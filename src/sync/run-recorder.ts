/**
 * Records one run — a sync, a package import or a catalog import: the history row, the current
 * sync state that `status` shows, status messages 6701–6705 (in wsyncmgr.log and the database) and
 * progress lines with an ETA. A run's counts, bytes and catalog version are committed in the
 * transactions that commit what they count (`transaction`), so a run killed or failed at any
 * point leaves a history whose totals match what is stored.
 */
import type { SiteLogger, StatusMessageId } from '../log/index.js';
import { statusMessages } from '../log/index.js';
import type { SiteControl } from '../model/site.js';
import type { SiteStore } from '../store/site-store.js';

export type SyncTrigger = 'manual' | 'schedule' | 'parent' | 'retry' | 'import' | 'queued';

/**
 * What a run is, as history shows it: a sync and what started it (`import`: a metadata package
 * import, the disconnected site's sync), or `catalog`: a catalog import, which adds single updates
 * and is not a sync of the SUP, so it leaves the last sync's state, error and retry alone.
 */
export type RunKind = SyncTrigger | 'catalog';

export type CountField = 'new' | 'revised' | 'superseded' | 'expired' | 'removed';

export interface RunCounts {
  new: number;
  revised: number;
  superseded: number;
  expired: number;
  removed: number;
}

export const emptyCounts = (): RunCounts => ({ new: 0, revised: 0, superseded: 0, expired: 0, removed: 0 });

export class SyncRunRecorder {
  readonly runId: number;
  readonly #store: SiteStore;
  readonly #site: SiteControl;
  readonly #log: SiteLogger;
  /** A sync of the SUP (not a catalog import): its outcome is the site's last sync state. */
  readonly #syncsSup: boolean;
  /** Counts made since the last commit, written by the transaction that commits what they count. */
  #pending = new Map<string, RunCounts>();
  #pendingTotals = emptyCounts();
  #bytes: () => number = () => 0;
  #lastProgress = 0;

  /** `resumesRun`: the unfinished full run whose full comparison this run finishes. */
  constructor(store: SiteStore, site: SiteControl, log: SiteLogger, kind: RunKind, full: boolean, source: string, resumesRun?: number) {
    this.#store = store;
    this.#site = site;
    this.#log = log;
    this.#syncsSup = kind !== 'catalog';
    this.runId = store.runs.start(kind, full, source, new Date().toISOString(), resumesRun);
    store.state.update({ running_run_id: this.runId, phase: 'starting', percent: 0 });
    this.status(6701, [kind]);
  }

  /** Where the run's fetched bytes are counted (recorded with every commit and at the end). */
  measureBytes(bytesFetched: () => number): void {
    this.#bytes = bytesFetched;
  }

  /** Raises a status message: the STATMSG line in the log, a row in the database, the current state (of a sync). */
  status(id: StatusMessageId, properties: string[] = []): void {
    const time = new Date();
    this.#log.status({ id, system: this.#site.serverName, site: this.#site.code, time, properties });
    this.#store.state.recordStatusMessage({ message_id: id, severity: statusMessages[id].severity, time: time.toISOString(), run_id: this.runId, text: statusMessages[id].meaning });
    if (this.#syncsSup) this.#store.state.update({ last_sync_state: id, last_sync_state_time: time.toISOString() });
  }

  phase(name: string): void {
    this.#store.progress.clear();
    this.#store.state.update({ phase: name, percent: 0 });
  }

  /**
   * The live progress (every batch, for the console; a sync writes it in the batch's transaction) and the log line
   * `sync: WSUS synchronizing updates, processed N out of M items (P%), ETA in hh:mm:ss`, at most every 2 s.
   */
  progress(what: string, processed: number, total: number, startedAt: number, force = false): void {
    const now = Date.now();
    this.#store.progress.write({ runId: this.runId, what, processed, total, startedAt: new Date(startedAt).toISOString(), at: new Date(now).toISOString() });
    if (!force && now - this.#lastProgress < 2000 && processed < total) return;
    this.#lastProgress = now;
    const percent = total === 0 ? 100 : Math.floor((processed / total) * 100);
    const elapsed = now - startedAt;
    const eta = processed === 0 ? 0 : Math.round(((total - processed) * elapsed) / processed / 1000);
    this.#log.info(`sync: WSUS synchronizing ${what}, processed ${processed} out of ${total} items (${percent}%), ETA in ${clock(eta)}`);
    this.#store.state.update({ percent });
  }

  /**
   * Counts an update's change once in the totals and once per product it belongs to in the
   * per-product × classification rows; committed by the enclosing `transaction`.
   */
  count(phase: string, productIds: readonly string[], classificationId: string | null, field: CountField, n = 1): void {
    this.#pendingTotals[field] += n;
    for (const productId of productIds.length > 0 ? productIds : ['']) {
      const key = `${phase}\u0000${productId}\u0000${classificationId ?? ''}`;
      const counts = this.#pending.get(key) ?? emptyCounts();
      counts[field] += n;
      this.#pending.set(key, counts);
    }
  }

  /**
   * Wraps `fn` in a store transaction that also commits the counts `fn` made, the bytes fetched so
   * far and, when something changed, the catalog version covering it; a transaction that fails
   * takes its counts with it.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const run = this.#store.transaction((...args: A) => {
      const result = fn(...args);
      this.#commitCounts();
      return result;
    });
    return (...args: A) => {
      try {
        return run(...args);
      } catch (error) {
        this.#dropCounts();
        throw error;
      }
    };
  }

  /** As `transaction`, for one write transaction spanning awaits (`SiteStore.writeAcross`). */
  async writeAcross<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await this.#store.writeAcross(async () => {
        const result = await fn();
        this.#commitCounts();
        return result;
      });
    } catch (error) {
      this.#dropCounts();
      throw error;
    }
  }

  /** Adds what the run could not bring in (a catalog import's failed inputs), committed at once. */
  countFailed(n = 1): void {
    this.#store.transaction(() => this.#store.runs.addFailed(this.runId, n))();
  }

  /** The run's committed totals. */
  totals(): RunCounts {
    const row = this.#store.runs.row(this.runId)!;
    return { new: row.new_count, revised: row.revised_count, superseded: row.superseded_count, expired: row.expired_count, removed: row.removed_count };
  }

  #commitCounts(): void {
    const totals = this.#pendingTotals;
    const rows = [...this.#pending].map(([key, c]) => {
      const [phase, productId, classificationId] = key.split('\u0000') as [string, string, string];
      return { phase, productId, classificationId, ...c };
    });
    this.#dropCounts();
    const runs = this.#store.runs;
    if (rows.length > 0) runs.addCounts(this.runId, totals, rows);
    runs.recordBytes(this.runId, this.#bytes());
    if (totals.new + totals.revised + totals.expired + totals.removed > 0) runs.coverChanges(this.runId);
  }

  #dropCounts(): void {
    this.#pending = new Map();
    this.#pendingTotals = emptyCounts();
  }

  /** Ends the run as succeeded; returns the site's catalog version, which covers everything stored. */
  succeed(): number {
    const now = new Date().toISOString();
    return this.#store.transaction(() => {
      const catalogVersion = this.#store.state.read().catalog_version;
      this.#store.progress.clear();
      this.#store.runs.succeeded(this.runId, now, catalogVersion, this.#bytes());
      this.#store.state.update({ running_run_id: null, phase: null, percent: null });
      if (this.#syncsSup) {
        this.#store.state.update({
          last_successful_sync_time: now,
          last_sync_error_code: null,
          last_sync_error_message: null,
          consecutive_failures: 0,
          next_retry_at: null,
        });
      }
      this.status(6702);
      return catalogVersion;
    })();
  }

  fail(code: string, reason: string, nextRetryAt: Date | undefined): void {
    const now = new Date().toISOString();
    // Status, history and the log show the reason on one line; OpenSSL's texts carry line breaks.
    const message = reason.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    this.#dropCounts();
    this.#store.transaction(() => {
      this.#store.progress.clear();
      this.#store.runs.failed(this.runId, now, code, message, this.#bytes());
      this.#store.state.update({ running_run_id: null, phase: null, percent: null });
      if (this.#syncsSup) {
        this.#store.state.countFailure();
        this.#store.state.update({ last_sync_error_code: code, last_sync_error_message: message, next_retry_at: nextRetryAt?.toISOString() ?? null });
      }
      this.status(6703, [message]);
    })();
  }
}

/** `0d00h03m53s`, the wording of "Sync time:" lines. */
export function syncTime(ms: number): string {
  const s = Math.round(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 86400)}d${two(Math.floor((s % 86400) / 3600))}h${two(Math.floor((s % 3600) / 60))}m${two(s % 60)}s`;
}

function clock(seconds: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
}

/** Marks runs left 'running' by a process that died (kill -9, power loss) as interrupted. */
export function markInterruptedRuns(store: SiteStore): number[] {
  return store.transaction(() => {
    const ids = store.runs.markInterrupted(new Date().toISOString());
    if (ids.length > 0) store.state.update({ running_run_id: null, phase: null, percent: null });
    return ids;
  })();
}
