/**
 * Reads and writes the current sync state of a site's SUP and its status messages.
 */
import type { LockHolder } from './lock-file.js';
import type { SiteDb } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';

export interface SyncStateRow {
  last_sync_state: number | null;
  last_sync_state_time: string | null;
  last_successful_sync_time: string | null;
  last_sync_error_code: string | null;
  last_sync_error_message: string | null;
  catalog_version: number;
  running_run_id: number | null;
  phase: string | null;
  percent: number | null;
  queued_request: string | null;
  consecutive_failures: number;
  next_retry_at: string | null;
  replication_link_status: number;
  last_replication_link_check_time: string | null;
}

export function readSyncState(db: SiteDb): SyncStateRow {
  return db.prepare('SELECT * FROM sync_state WHERE id = 1').get() as SyncStateRow;
}

export function updateSyncState(db: SiteDb, change: Partial<SyncStateRow>): void {
  const keys = Object.keys(change);
  if (keys.length === 0) return;
  db.prepare(`UPDATE sync_state SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = 1`).run(change);
}

export interface StatusMessageRow {
  message_id: number;
  severity: string;
  time: string;
  run_id: number | null;
  text: string;
}

export function recordStatusMessage(db: SiteDb, message: StatusMessageRow): void {
  db.prepare('INSERT INTO status_messages (message_id, severity, time, run_id, text) VALUES (@message_id, @severity, @time, @run_id, @text)').run(message);
}

export interface QueuedRequest {
  trigger: 'queued';
  full: boolean;
}

export type SyncStateRepository = ReturnType<typeof syncStateRepository>;

export function syncStateRepository(db: SiteDb, prepare: Prepare = statementCache(db)) {
  const repository = {
    read: (): SyncStateRow => prepare('SELECT * FROM sync_state WHERE id = 1').get() as SyncStateRow,
    update: (change: Partial<SyncStateRow>): void => updateSyncState(db, change),
    countFailure: (): void => {
      prepare('UPDATE sync_state SET consecutive_failures = consecutive_failures + 1 WHERE id = 1').run();
    },
    recordStatusMessage: (message: StatusMessageRow): void => {
      prepare('INSERT INTO status_messages (message_id, severity, time, run_id, text) VALUES (@message_id, @severity, @time, @run_id, @text)').run(message);
    },
    /** Queues a sync request behind the running one (at most one waits; a queued full request stays full). */
    queueRequest: (trigger: string, full: boolean): void => {
      const queued = repository.read().queued_request;
      const wasFull = queued ? (JSON.parse(queued) as { full: boolean }).full : false;
      repository.update({ queued_request: JSON.stringify({ trigger, full: full || wasFull }) });
    },
    /** Takes the queued request off the site, if any. */
    takeQueuedRequest: (): QueuedRequest | undefined => {
      const queued = repository.read().queued_request;
      if (!queued) return undefined;
      repository.update({ queued_request: null });
      return { trigger: 'queued', full: (JSON.parse(queued) as { full: boolean }).full };
    },
  };
  return repository;
}

/** What status says about the running run beyond the sync state. */
export interface RunningRun {
  /** The running run finishes the full comparison of this earlier full run. */
  finishesFullSyncOf?: number | undefined;
  /** The live holder of the site's lock. */
  holder?: LockHolder | undefined;
}

/**
 * A one-phrase truthful state (BRIEF §7: status that lies is what users of peers complain about):
 * `running (phase, P%)`, `queued behind run N`, `busy (an import, a removal)`, `queued`, `interrupted`,
 * `failed (error)`, `no changes`, `succeeded`, `never synchronized`. `running` says whether a live
 * process holds the site's lock (`runningRun.holder` names it).
 */
export function describeSyncState(state: SyncStateRow, lastRunChanged: boolean | undefined, running = true, lastRunTrigger?: string, runningRun: RunningRun = {}): string {
  if (state.running_run_id !== null && !running) return `interrupted (run ${state.running_run_id}); the next sync resumes from what it stored`;
  if (state.running_run_id !== null) {
    const finishing = runningRun.finishesFullSyncOf !== undefined ? `, a full sync finishing interrupted full sync run ${runningRun.finishesFullSyncOf}` : '';
    const running = `running (${state.phase ?? 'starting'}${state.percent !== null ? `, ${Math.round(state.percent)}%` : ''}${finishing})`;
    return state.queued_request !== null ? `${running}; one request queued behind run ${state.running_run_id}` : running;
  }
  // Held with no run under way: a sync starting (or between runs), an import, a removal. Never "succeeded".
  const queued = state.queued_request !== null ? '; one request queued behind it' : '';
  if (running) {
    const holder = runningRun.holder;
    if (!holder) return `busy (another process holds the site)${queued}`;
    if (holder.operation === 'sync') return `running (starting${holder.runId !== undefined ? ` after run ${holder.runId}` : ''}, process ${holder.pid})${queued}`;
    return `busy (${holder.operation}, process ${holder.pid})${queued}`;
  }
  // Left by a sync that found the site busy as the running one ended: the next sync (or the service) runs it.
  if (state.queued_request !== null) return 'queued (one sync request waits; the next sync runs it)';
  if (state.last_sync_state === null) return 'never synchronized';
  if (state.last_sync_state === 6703) {
    // Only a scheduled or requested sync is retried; a failed metadata import waits for the admin.
    const retry = state.next_retry_at
      ? `; retry at ${state.next_retry_at}`
      : lastRunTrigger === 'import'
        ? '; the metadata import changed nothing and is not retried: fix the package and import it again'
        : `; retries stopped after too many consecutive failures (${state.consecutive_failures})`;
    return `failed (${state.last_sync_error_message ?? state.last_sync_error_code ?? 'unknown error'})${retry}`;
  }
  if (lastRunChanged === false) return 'no changes';
  return 'succeeded';
}
