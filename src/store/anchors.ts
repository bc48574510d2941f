/**
 * Anchors: one per (upstream, filter key), advanced in the transaction that stores what it covers.
 */
import type { SiteDb } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';

export interface StoredAnchor {
  key: string;
  anchor: string;
}

export type AnchorRepository = ReturnType<typeof anchorRepository>;

export function anchorRepository(db: SiteDb, prepare: Prepare = statementCache(db)) {
  return {
    list: (upstream: string): StoredAnchor[] => prepare('SELECT filter_key AS key, anchor FROM anchors WHERE upstream = ?').all(upstream) as StoredAnchor[],
    set: (upstream: string, key: string, anchor: string, now: string): void => {
      prepare(
        'INSERT INTO anchors (upstream, filter_key, anchor, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (upstream, filter_key) DO UPDATE SET anchor = excluded.anchor, updated_at = excluded.updated_at',
      ).run(upstream, key, anchor, now);
    },
    drop: (upstream: string, key: string): void => {
      prepare('DELETE FROM anchors WHERE upstream = ? AND filter_key = ?').run(upstream, key);
    },
    /** Forgets every anchor of an upstream (it was rebuilt: its anchors mean nothing now). */
    reset: (upstream: string): void => {
      prepare('DELETE FROM anchors WHERE upstream = ?').run(upstream);
    },
  };
}
