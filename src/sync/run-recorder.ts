/**
 * Records one sync run: the history row, the current sync state that `status` shows, status
 * messages 6701–6705 (in wsyncmgr.log and the database) and progress lines with an ETA.
 */
import type { SiteLogger, StatusMessageId } from '../log/index.js';
import { statusMessages } from '../log/index.js';
import type { SiteControl } from '../model/site.js';
import type { SiteStore } from '../store/site-store.js';

export type SyncTrigger = 'manual' | 'schedule' | 'parent' | 'retry' | 'import' | 'queued';

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
  readonly #counts = new Map<string, RunCounts>();
  readonly #totals = emptyCounts();
  #lastProgress = 0;

  /** `resumesRun`: the unfinished full run whose full comparison this run finishes. */
  constructor(store: SiteStore, site: SiteControl, log: SiteLogger, trigger: SyncTrigger, full: boolean, source: string, resumesRun?: number) {
    this.#store = store;
    this.#site = site;
    this.#log = log;
    this.runId = store.runs.start(trigger, full, source, new Date().toISOString(), resumesRun);
    store.state.update({ running_run_id: this.runId, phase: 'starting', percent: 0 });
    this.status(6701, [trigger]);
  }

  /** Raises a status message: the STATMSG line in the log, a row in the database, the current state. */
  status(id: StatusMessageId, properties: string[] = []): void {
    const time = new Date();
    this.#log.status({ id, system: this.#site.serverName, site: this.#site.code, time, properties });
    this.#store.state.recordStatusMessage({ message_id: id, severity: statusMessages[id].severity, time: time.toISOString(), run_id: this.runId, text: statusMessages[id].meaning });
    this.#store.state.update({ last_sync_state: id, last_sync_state_time: time.toISOString() });
  }

  phase(name: string): void {
    this.#store.progress.clear();
    this.#store.state.update({ phase: name, percent: 0 });
  }

  /**
   * The live progress (every batch, for the console) and the log line
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
   * per-product × classification rows.
   */
  count(phase: string, productIds: readonly string[], classificationId: string | null, field: CountField, n = 1): void {
    this.#totals[field] += n;
    for (const productId of productIds.length > 0 ? productIds : ['']) {
      const key = `${phase}\u0000${productId}\u0000${classificationId ?? ''}`;
      const counts = this.#counts.get(key) ?? emptyCounts();
      counts[field] += n;
      this.#counts.set(key, counts);
    }
  }

  totals(): RunCounts {
    return { ...this.#totals };
  }

  /** Writes the totals and the per-phase, per-product × classification counts (in the caller's transaction). */
  flushCounts(): void {
    const rows = [...this.#counts].map(([key, c]) => {
      const [phase, productId, classificationId] = key.split('\u0000') as [string, string, string];
      return { phase, productId, classificationId, ...c };
    });
    this.#store.runs.writeCounts(this.runId, this.#totals, rows);
  }

  succeed(catalogVersion: number, bytesFetched: number): void {
    const now = new Date().toISOString();
    this.#store.transaction(() => {
      this.flushCounts();
      this.#store.progress.clear();
      this.#store.runs.succeeded(this.runId, now, catalogVersion, bytesFetched);
      this.#store.state.update({
        running_run_id: null,
        phase: null,
        percent: null,
        catalog_version: catalogVersion,
        last_successful_sync_time: now,
        last_sync_error_code: null,
        last_sync_error_message: null,
        consecutive_failures: 0,
        next_retry_at: null,
      });
      this.status(6702);
    })();
  }

  fail(code: string, message: string, nextRetryAt: Date | undefined, bytesFetched: number): void {
    const now = new Date().toISOString();
    this.#store.transaction(() => {
      this.flushCounts();
      this.#store.progress.clear();
      this.#store.runs.failed(this.runId, now, code, message, bytesFetched);
      this.#store.state.countFailure();
      this.#store.state.update({
        running_run_id: null,
        phase: null,
        percent: null,
        last_sync_error_code: code,
        last_sync_error_message: message,
        next_retry_at: nextRetryAt?.toISOString() ?? null,
      });
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
