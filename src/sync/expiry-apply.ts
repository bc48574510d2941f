/**
 * Applies the expiry rules of expiry.ts to the site database at the end of a sync: gathers the
 * facts with SQL, decides with the pure rules, writes the decisions in one transaction. An expiry
 * bumps the update's change sequence so child sites learn of it through their next delta.
 */
import { isTopLevel } from '../site/model.js';
import type { SiteDb } from '../store/site-db.js';
import { nextChangeSeq } from '../store/site-db.js';
import type { RunContext } from './engine.js';
import {
  type ExpiryDecision,
  type SelectionMember,
  type SupersededCandidate,
  cleanupDue,
  cleanupIntervalMs,
  defaultCleanupAgeDays,
  outsideSelection,
  supersedenceExpiries,
} from './expiry.js';

/**
 * Live updates that nothing live bundles: the ones the "no longer listed" rule may expire (a bundled
 * child fetched for its bundle need not be in the lists).
 */
const unbundledLive = `u.expired = 0 AND u.imported = 0
  AND NOT EXISTS (SELECT 1 FROM bundles b JOIN updates p ON p.update_id = b.parent_id AND p.expired = 0 WHERE b.child_id = u.update_id)`;

export interface ExpiryPlan {
  decisions: ExpiryDecision[];
}

/** What the expiry rules would expire now (pure decision over gathered facts; writes nothing). */
export function planExpiry(cx: Pick<RunContext, 'db' | 'site' | 'listed' | 'full'>, now = new Date()): ExpiryDecision[] {
  const { db, site } = cx;
  const decisions: ExpiryDecision[] = [];
  // Children mirror their parent's expiries (served as PublicationState="Expired"); the rules run where the settings are.
  if (isTopLevel(site)) {
    const candidates = db
      .prepare(
        `SELECT u.update_id AS updateId, u.classification_id AS classificationId, min(s2.creation_date) AS supersededSince
         FROM supersedence s JOIN updates u ON u.update_id = s.superseded_id JOIN updates s2 ON s2.update_id = s.update_id
         WHERE u.expired = 0 GROUP BY u.update_id`,
      )
      .all() as SupersededCandidate[];
    decisions.push(...supersedenceExpiries(candidates, site.sup.supersedence, now));
    if (site.sup.syncSource.kind !== 'none') {
      // With the selection unchanged since the last check, only updates stored since can fall outside it.
      const checked = lastSelectionCheck(db);
      const since = checked?.selection === selectionOf(site) ? checked.seq : undefined;
      decisions.push(...outsideSelection(selectionMembers(db, since), new Set(site.sup.products.map((p) => p.id)), new Set(site.sup.classifications.map((c) => c.id))));
    }
  }
  if (cx.full && cx.listed) {
    const listed = cx.listed;
    const rows = db.prepare(`SELECT u.update_id AS id FROM updates u WHERE ${unbundledLive}`).pluck().all() as string[];
    for (const id of rows) if (!listed.has(id)) decisions.push({ updateId: id, reason: 'not-listed' });
  }
  // One decision per update: the first reason found wins.
  const seen = new Set<string>();
  return decisions.filter((d) => !seen.has(d.updateId) && seen.add(d.updateId));
}

const selectionOf = (site: RunContext['site']) =>
  JSON.stringify([site.sup.products.map((p) => p.id).sort(), site.sup.classifications.map((c) => c.id).sort()]);

function lastSelectionCheck(db: SiteDb): { selection: string; seq: number } | undefined {
  const text = db.prepare("SELECT value FROM meta WHERE key = 'selection_checked'").pluck().get() as string | undefined;
  return text ? (JSON.parse(text) as { selection: string; seq: number }) : undefined;
}

function selectionMembers(db: SiteDb, sinceSeq: number | undefined): SelectionMember[] {
  const rows = db
    .prepare(
      `SELECT u.update_id AS updateId, u.classification_id AS classificationId, group_concat(p.product_id) AS products
       FROM updates u LEFT JOIN update_products p ON p.update_id = u.update_id
       WHERE u.expired = 0 AND u.imported = 0 AND u.change_seq > ? GROUP BY u.update_id`,
    )
    .all(sinceSeq ?? -1) as { updateId: string; classificationId: string | null; products: string | null }[];
  return rows.map((r) => ({ updateId: r.updateId, classificationId: r.classificationId, productIds: r.products ? r.products.split(',') : [] }));
}

export function applyExpiry(cx: RunContext, now = new Date()): void {
  const { db, recorder, log } = cx;
  const decisions = planExpiry(cx, now);
  const recordCheck = () =>
    db
      .prepare("INSERT INTO meta (key, value) VALUES ('selection_checked', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(JSON.stringify({ selection: selectionOf(cx.site), seq: nextChangeSeq(db) - 1 }));
  if (decisions.length === 0) {
    recordCheck();
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
    recordCheck();
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
  const last = db.prepare("SELECT value FROM meta WHERE key = 'last_cleanup_at'").pluck().get() as string | undefined;
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
    db.prepare("INSERT INTO meta (key, value) VALUES ('last_cleanup_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(now.toISOString());
  })();
  if (doomed.length > 0) log.info(`Deleted ${doomed.length} expired updates`);
}
