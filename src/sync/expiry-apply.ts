/**
 * Applies the expiry rules of expiry.ts to the site database at the end of a sync: gathers the
 * facts with SQL, decides with the pure rules, writes the decisions in one transaction. An expiry
 * bumps the update's change sequence so child sites learn of it through their next delta.
 */
import { isTopLevel } from '../site/model.js';
import type { SiteDb } from '../store/site-db.js';
import { nextChangeSeq } from '../store/site-db.js';
import { readMeta, writeMeta } from '../store/meta.js';
import { checkKeys } from './checks.js';
import type { RunContext } from './engine.js';
import {
  type ExpiryDecision,
  type SelectionMember,
  type SupersededCandidate,
  cleanupDue,
  cleanupIntervalMs,
  defaultCleanupAgeDays,
  judgeSuperseded,
  outsideSelection,
} from './expiry.js';

/**
 * Live updates that nothing live bundles: the ones the "no longer listed" rule may expire (a bundled
 * child fetched for its bundle need not be in the lists).
 */
const unbundledLive = `u.expired = 0 AND u.imported = 0
  AND NOT EXISTS (SELECT 1 FROM bundles b JOIN updates p ON p.update_id = b.parent_id AND p.expired = 0 WHERE b.child_id = u.update_id)`;

/** What the last supersedence check covered: its rules, the change sequence, and when a deferred expiry falls due. */
interface SupersedenceCheck {
  rules: string;
  seq: number;
  nextDue: string | null;
}

interface PlannedExpiry {
  decisions: ExpiryDecision[];
  /** The supersedence check to record with the decisions (top-level sites). */
  supersedence?: Omit<SupersedenceCheck, 'seq'>;
}

/** What the expiry rules would expire now (pure decision over gathered facts; writes nothing). */
export function planExpiry(cx: Pick<RunContext, 'db' | 'site' | 'listed' | 'full'>, now = new Date()): ExpiryDecision[] {
  return planExpiryAndChecks(cx, now).decisions;
}

function planExpiryAndChecks(cx: Pick<RunContext, 'db' | 'site' | 'listed' | 'full'>, now: Date): PlannedExpiry {
  const { db, site } = cx;
  const decisions: ExpiryDecision[] = [];
  let supersedence: PlannedExpiry['supersedence'];
  // Children mirror their parent's expiries (served as PublicationState="Expired"); the rules run where the settings are.
  if (isTopLevel(site)) {
    // With the rules unchanged and no deferred expiry due yet, only updates stored since the last
    // check (and what they supersede) can have a new decision; otherwise every candidate is judged.
    const rules = JSON.stringify(site.sup.supersedence);
    const checked = readCheck<SupersedenceCheck>(db, checkKeys.supersedence);
    const incremental = checked?.rules === rules && (checked.nextDue === null || now < new Date(checked.nextDue));
    const judged = judgeSuperseded(supersededCandidates(db, incremental ? checked.seq : undefined), site.sup.supersedence, now);
    decisions.push(...judged.expire);
    const due = [judged.nextDue, incremental && checked.nextDue ? new Date(checked.nextDue) : undefined]
      .filter((d): d is Date => d !== undefined)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    supersedence = { rules, nextDue: due?.toISOString() ?? null };
    if (site.sup.syncSource.kind !== 'none') {
      // With the selection unchanged since the last check, only updates stored since can fall outside it.
      const checkedSelection = readCheck<{ selection: string; seq: number }>(db, checkKeys.selection);
      const since = checkedSelection?.selection === selectionOf(site) ? checkedSelection.seq : undefined;
      decisions.push(...outsideSelection(selectionMembers(db, since), new Set(site.sup.products.map((p) => p.id)), new Set(site.sup.classifications.map((c) => c.id))));
    }
  }
  if (cx.full && cx.listed) {
    const listed = cx.listed;
    const live = db.prepare(`SELECT u.update_id AS id FROM updates u WHERE ${unbundledLive}`).pluck().iterate() as IterableIterator<string>;
    for (const id of live) if (!listed.has(id)) decisions.push({ updateId: id, reason: 'not-listed' });
  }
  // One decision per update: the first reason found wins.
  const seen = new Set<string>();
  return { decisions: decisions.filter((d) => !seen.has(d.updateId) && seen.add(d.updateId)), ...(supersedence ? { supersedence } : {}) };
}

/**
 * Live superseded updates with the creation date of their earliest superseding update: all of
 * them, or (since a change sequence) those superseded by an update stored since, or stored since.
 */
function supersededCandidates(db: SiteDb, sinceSeq: number | undefined): IterableIterator<SupersededCandidate> {
  // Streamed: a first check judges every superseded update of the catalog.
  const candidates = `SELECT u.update_id AS updateId, u.classification_id AS classificationId, min(s2.creation_date) AS supersededSince
    FROM supersedence s JOIN updates u ON u.update_id = s.superseded_id JOIN updates s2 ON s2.update_id = s.update_id
    WHERE u.expired = 0`;
  if (sinceSeq === undefined) return db.prepare(`${candidates} GROUP BY u.update_id`).iterate() as IterableIterator<SupersededCandidate>;
  return db
    .prepare(
      `${candidates} AND s.superseded_id IN (
         SELECT r.superseded_id FROM updates c CROSS JOIN supersedence r ON r.update_id = c.update_id WHERE c.change_seq > ?
         UNION ALL SELECT update_id FROM updates WHERE change_seq > ?)
       GROUP BY u.update_id`,
    )
    .iterate(sinceSeq, sinceSeq) as IterableIterator<SupersededCandidate>;
}

const selectionOf = (site: RunContext['site']) =>
  JSON.stringify([site.sup.products.map((p) => p.id).sort(), site.sup.classifications.map((c) => c.id).sort()]);

function readCheck<T>(db: SiteDb, key: string): T | undefined {
  const text = readMeta(db, key);
  return text ? (JSON.parse(text) as T) : undefined;
}

/** Live updates that may fall outside the selection; bundled children are judged with their bundle (a real leaf has no classification of its own). */
function* selectionMembers(db: SiteDb, sinceSeq: number | undefined): Generator<SelectionMember> {
  // Streamed, and driven by change_seq (a correlated subquery, not GROUP BY, which would scan the whole table).
  const rows = db
    .prepare(
      `SELECT u.update_id AS updateId, u.classification_id AS classificationId,
         (SELECT group_concat(p.product_id) FROM update_products p WHERE p.update_id = u.update_id) AS products
       FROM updates u WHERE u.change_seq > ? AND u.expired = 0 AND u.imported = 0
         AND NOT EXISTS (SELECT 1 FROM bundles b JOIN updates p ON p.update_id = b.parent_id AND p.expired = 0 WHERE b.child_id = u.update_id)`,
    )
    .iterate(sinceSeq ?? -1) as IterableIterator<{ updateId: string; classificationId: string | null; products: string | null }>;
  for (const r of rows) yield { updateId: r.updateId, classificationId: r.classificationId, productIds: r.products ? r.products.split(',') : [] };
}

export function applyExpiry(cx: RunContext, now = new Date()): void {
  const { db, recorder, log } = cx;
  const { decisions, supersedence } = planExpiryAndChecks(cx, now);
  const checkedBefore = nextChangeSeq(db) - 1;
  // Recorded with the decisions: the next sync looks only at what is stored after this.
  const recordChecks = () => {
    const seq = nextChangeSeq(db) - 1;
    writeMeta(db, checkKeys.selection, JSON.stringify({ selection: selectionOf(cx.site), seq }));
    if (supersedence) writeMeta(db, checkKeys.supersedence, JSON.stringify({ ...supersedence, seq } satisfies SupersedenceCheck));
    // Expiring bumps change_seq; the missing-relations check looks at live updates only, so when
    // it had covered everything before the expiries, it covers them too.
    if (Number(readMeta(db, checkKeys.relations) ?? 0) >= checkedBefore) writeMeta(db, checkKeys.relations, String(seq));
  };
  if (decisions.length === 0) {
    db.transaction(recordChecks)();
    return;
  }
  const membershipOf = db.prepare('SELECT u.classification_id AS c, group_concat(p.product_id) AS p FROM updates u LEFT JOIN update_products p ON p.update_id = u.update_id WHERE u.update_id = ? GROUP BY u.update_id');
  const expire = db.prepare('UPDATE updates SET expired = 1, expired_at = ?, expired_reason = ?, change_seq = ? WHERE update_id = ? AND expired = 0');
  db.transaction(() => {
    const seq = nextChangeSeq(db);
    for (const d of decisions) {
      if (expire.run(now.toISOString(), d.reason, seq, d.updateId).changes === 0) continue;
      const m = membershipOf.get(d.updateId) as { c: string | null; p: string | null };
      const products = m.p ? m.p.split(',') : [];
      recorder.count('expiry', products, m.c, 'expired');
      if (d.reason === 'superseded') recorder.count('expiry', products, m.c, 'superseded');
    }
    recordChecks();
  })();
  const by = (reason: string) => decisions.filter((d) => d.reason === reason).length;
  log.info(`Expired ${decisions.length} updates (superseded ${by('superseded')}, outside the selection ${by('outside-selection')}, no longer listed upstream ${by('not-listed')})`);
}

/**
 * Deletes expired updates older than the cleanup age that nothing live references (bundles,
 * prerequisites), at most every 3 hours, when the WSUS cleanup is enabled.
 */
export function runCleanup(cx: RunContext, now = new Date()): void {
  const { db, site, recorder, log } = cx;
  if (!site.sup.enableCallWsusCleanupWizard) return;
  const last = readMeta(db, 'last_cleanup_at');
  if (last && now.getTime() - Date.parse(last) < cleanupIntervalMs) return;
  const ageDays = cx.options.cleanupAgeDays ?? defaultCleanupAgeDays;
  const expired = db
    .prepare(
      `SELECT u.update_id AS id, u.expired_at AS expiredAt FROM updates u WHERE u.expired = 1
       AND NOT EXISTS (SELECT 1 FROM bundles b JOIN updates p ON p.update_id = b.parent_id AND p.expired = 0 WHERE b.child_id = u.update_id)
       AND NOT EXISTS (SELECT 1 FROM prerequisites r JOIN updates p ON p.update_id = r.update_id AND p.expired = 0 WHERE r.prerequisite_id = u.update_id)`,
    )
    .all() as { id: string; expiredAt: string }[];
  const doomed = expired.filter((e) => cleanupDue(e.expiredAt, now, ageDays)).map((e) => e.id);
  const membershipOf = db.prepare('SELECT u.classification_id AS c, group_concat(p.product_id) AS p FROM updates u LEFT JOIN update_products p ON p.update_id = u.update_id WHERE u.update_id = ? GROUP BY u.update_id');
  const deletes = ['update_products', 'update_languages', 'supersedence', 'prerequisites', 'files'].map((t) => db.prepare(`DELETE FROM ${t} WHERE update_id = ?`));
  const deleteBundles = db.prepare('DELETE FROM bundles WHERE parent_id = ?');
  const deleteUpdate = db.prepare('DELETE FROM updates WHERE update_id = ?');
  db.transaction(() => {
    for (const id of doomed) {
      const m = membershipOf.get(id) as { c: string | null; p: string | null };
      recorder.count('cleanup', m.p ? m.p.split(',') : [], m.c, 'removed');
      for (const d of deletes) d.run(id);
      deleteBundles.run(id);
      deleteUpdate.run(id);
    }
    writeMeta(db, 'last_cleanup_at', now.toISOString());
  })();
  if (doomed.length > 0) log.info(`Deleted ${doomed.length} expired updates`);
}
