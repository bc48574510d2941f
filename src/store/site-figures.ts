/** Figures of a site database that monitoring shows (metrics, alerts): the last finished sync and the updates by state. */
import type { SiteDb } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';

export interface UpdateStateCounts {
  /** Neither expired nor superseded by a stored update. */
  active: number;
  /** Not expired, superseded by a stored update. */
  superseded: number;
  expired: number;
}

export interface LastFinishedRun {
  id: number;
  state: string;
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
}

function lastFinishedRun(prepare: Prepare): LastFinishedRun | undefined {
  // A catalog import is a run of its own kind, not a sync (store/runs.ts).
  const row = prepare("SELECT id, state, started_at, ended_at FROM sync_runs WHERE ended_at IS NOT NULL AND state <> 'running' AND trigger <> 'catalog' ORDER BY id DESC LIMIT 1").get() as
    | { id: number; state: string; started_at: string; ended_at: string }
    | undefined;
  if (!row) return undefined;
  return { id: row.id, state: row.state, startedAt: row.started_at, endedAt: row.ended_at, durationSeconds: (Date.parse(row.ended_at) - Date.parse(row.started_at)) / 1000 };
}

function updateStateCounts(prepare: Prepare): UpdateStateCounts {
  const row = prepare(
      `SELECT coalesce(sum(u.expired), 0) AS expired,
              coalesce(sum(u.expired = 0 AND EXISTS (SELECT 1 FROM supersedence s WHERE s.superseded_id = u.update_id)), 0) AS superseded,
              count(*) AS total
       FROM updates u`,
  ).get() as { expired: number; superseded: number; total: number };
  return { active: row.total - row.expired - row.superseded, superseded: row.superseded, expired: row.expired };
}

export type SiteFigures = ReturnType<typeof siteFigures>;

export function siteFigures(db: SiteDb, prepare: Prepare = statementCache(db)) {
  return {
    lastFinishedRun: () => lastFinishedRun(prepare),
    updateStateCounts: () => updateStateCounts(prepare),
  };
}
