/**
 * The plan of a sync (pure): given what the site stores and the revision lists the upstream
 * answered, which revisions to fetch, which of them are new, and which anchor each list commits
 * once everything it named is stored. The sync applies this plan (apply.ts); `sync --what-if`
 * prints it (what-if.ts). No I/O: the stored side is a read-only view, so the plan is testable
 * against a Map in microseconds.
 */
import type { RevisionKey } from '../model/update.js';
import type { ListRequest } from './lists.js';

/** A revision list as the upstream answered it. */
export interface AnsweredList {
  request: ListRequest;
  /** The anchor the upstream gave with the list. */
  anchor: string;
  revisions: RevisionKey[];
}

/** What the planner reads of the site database. */
export interface StoredRevisions {
  /** The stored revision of an update or category, if any. */
  revision(updateId: string): number | undefined;
  /** True for a stored, unexpired update. */
  isLive(updateId: string): boolean;
}

export type SyncPhase = 'categories' | 'updates';

/** One anchor key of a phase: written once every revision its lists named is stored. */
export interface AnchorCommit {
  key: string;
  /** The first of its lists to answer, so the oldest. */
  anchor: string;
  /** An older key (the previous selection's) this anchor replaces. */
  replaces?: string;
  /** Update ids its lists named that the sync fetches. */
  waitsFor: string[];
}

export interface PhasePlan {
  phase: SyncPhase;
  /** The revisions to fetch and store: per update, the newest any list named. */
  fetch: RevisionKey[];
  /** Of `fetch`, the updates nothing is stored of (the others are revisions). */
  newIds: Set<string>;
  anchors: AnchorCommit[];
}

export interface SyncPlan {
  full: boolean;
  categories: PhasePlan;
  /** Undefined when a top-level site selects no product or classification: categories only. */
  updates: PhasePlan | undefined;
  /** After a full sync, every update id the upstream listed: live updates not in it expire. */
  listed: Set<string> | undefined;
}

export interface SyncSettings {
  full: boolean;
}

/**
 * Whether a listed revision must be fetched: not stored, or an older revision stored. A delta list
 * names what changed upstream, so a stored live revision it lists is fetched again (that is how an
 * expiry travels); a full list skips every revision already stored.
 */
export function needsFetch(stored: StoredRevisions, r: RevisionKey, delta: boolean, revision = stored.revision(r.updateId)): boolean {
  if (revision === undefined || revision < r.revisionNumber) return true;
  if (!delta || revision > r.revisionNumber) return false;
  return stored.isLive(r.updateId);
}

export function planPhase(phase: SyncPhase, lists: AnsweredList[], stored: StoredRevisions): PhasePlan {
  const wanted = new Map<string, RevisionKey>();
  const newIds = new Set<string>();
  const anchors = new Map<string, AnchorCommit>();
  for (const list of lists) {
    const key = list.request.key;
    let commit = anchors.get(key);
    if (!commit) anchors.set(key, (commit = { key, anchor: list.anchor, ...(list.request.replaces ? { replaces: list.request.replaces } : {}), waitsFor: [] }));
    const delta = list.request.filter.anchor !== undefined;
    for (const r of list.revisions) {
      const revision = stored.revision(r.updateId);
      if (!needsFetch(stored, r, delta, revision)) continue;
      commit.waitsFor.push(r.updateId);
      const known = wanted.get(r.updateId);
      if (!known || known.revisionNumber < r.revisionNumber) wanted.set(r.updateId, r);
      if (revision === undefined) newIds.add(r.updateId);
    }
  }
  return { phase, fetch: [...wanted.values()], newIds, anchors: [...anchors.values()] };
}

/**
 * The whole sync: categories, then (unless nothing is selected) updates; after a full sync the
 * ids listed, for the "no longer listed" expiry.
 */
export function planSync(snapshot: StoredRevisions, lists: { categories: AnsweredList[]; updates: AnsweredList[] | undefined }, settings: SyncSettings): SyncPlan {
  const updates = lists.updates && planPhase('updates', lists.updates, snapshot);
  let listed: Set<string> | undefined;
  if (settings.full && lists.updates) {
    listed = new Set();
    for (const list of lists.updates) for (const r of list.revisions) listed.add(r.updateId);
  }
  return { full: settings.full, categories: planPhase('categories', lists.categories, snapshot), updates, listed };
}
