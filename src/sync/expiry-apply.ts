/**
 * Applies the expiry rules of expiry.ts to the site database at the end of a sync or import: the
 * store streams the facts, the pure rules decide (`planExpiry`), and the decisions are written in
 * one transaction (`applyExpiry`). An expiry bumps the update's change sequence so child sites
 * learn of it through their next delta.
 */
import type { SiteLogger } from '../log/index.js';
import { type SiteControl, isTopLevel } from '../model/site.js';
import type { SiteStore } from '../store/site-store.js';
import { checkKeys } from './checks.js';
import { type ExpiryDecision, cleanupDue, cleanupIntervalMs, defaultCleanupAgeDays, judgeSuperseded, orphanedChildren, outsideSelection } from './expiry.js';
import type { SyncRunRecorder } from './run-recorder.js';

/** What the last supersedence check covered: its rules, the change sequence, and when a deferred expiry falls due. */
interface SupersedenceCheck {
  rules: string;
  seq: number;
  nextDue: string | null;
}

export interface ExpiryPlan {
  decisions: ExpiryDecision[];
  /** The supersedence check to record with the decisions (top-level sites). */
  supersedence?: Omit<SupersedenceCheck, 'seq'>;
}

/** What the expiry rules look at: the site's settings and, after a full sync, every update id the upstream listed. */
export interface ExpiryInput {
  store: SiteStore;
  site: SiteControl;
  /** Set after a full sync: live updates not in it expire. */
  listed?: ReadonlySet<string> | undefined;
}

/** What the expiry rules would expire now (decided by the pure rules over what the store streams; writes nothing). */
export function planExpiry({ store, site, listed }: ExpiryInput, now: Date): ExpiryPlan {
  const decisions: ExpiryDecision[] = [];
  let supersedence: ExpiryPlan['supersedence'];
  // Children mirror their parent's expiries (served as PublicationState="Expired"); the rules run where the settings are.
  if (isTopLevel(site)) {
    // With the rules unchanged and no deferred expiry due yet, only updates stored since the last
    // check (and what they supersede) can have a new decision; otherwise every candidate is judged.
    const rules = JSON.stringify(site.sup.supersedence);
    const checked = store.meta.readJson<SupersedenceCheck>(checkKeys.supersedence);
    const incremental = checked?.rules === rules && (checked.nextDue === null || now < new Date(checked.nextDue));
    const judged = judgeSuperseded(store.updates.supersededCandidates(incremental ? checked.seq : undefined), site.sup.supersedence, now);
    decisions.push(...judged.expire);
    const due = [judged.nextDue, incremental && checked.nextDue ? new Date(checked.nextDue) : undefined]
      .filter((d): d is Date => d !== undefined)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    supersedence = { rules, nextDue: due?.toISOString() ?? null };
    if (site.sup.syncSource.kind !== 'none') {
      // With the selection unchanged since the last check, only updates stored since can fall outside it.
      const checkedSelection = store.meta.readJson<{ selection: string; seq: number }>(checkKeys.selection);
      const since = checkedSelection?.selection === selectionOf(site) ? checkedSelection.seq : undefined;
      decisions.push(...outsideSelection(store.updates.selectionMembers(since), new Set(site.sup.products.map((p) => p.id)), new Set(site.sup.classifications.map((c) => c.id))));
    }
  }
  if (listed) for (const id of store.updates.unbundledLiveIds()) if (!listed.has(id)) decisions.push({ updateId: id, reason: 'not-listed' });
  // A child whose last live bundle expires now expires with it in this same plan: otherwise the
  // next sync would decide it, and a sync resumed after its bundle's expiry was committed would
  // differ from one that ran straight through. One the upstream lists in its own right stays.
  if (decisions.length > 0) {
    const carriers = store.updates.liveBundlesOfChildren(decisions.map((d) => d.updateId));
    decisions.push(...orphanedChildren(carriers, decisions, (id, reason) => reason === 'not-listed' && listed?.has(id) === true));
  }
  // One decision per update: the first reason found wins.
  const seen = new Set<string>();
  return { decisions: decisions.filter((d) => !seen.has(d.updateId) && seen.add(d.updateId)), ...(supersedence ? { supersedence } : {}) };
}

const selectionOf = (site: SiteControl) => JSON.stringify([site.sup.products.map((p) => p.id).sort(), site.sup.classifications.map((c) => c.id).sort()]);

/** Writes an expiry plan in one transaction, counting each expiry in the run, and records what the checks covered. */
export function applyExpiry(input: ExpiryInput, plan: ExpiryPlan, recorder: SyncRunRecorder, log: SiteLogger, now: Date): void {
  const { store, site } = input;
  const { decisions, supersedence } = plan;
  const checkedBefore = store.nextChangeSeq() - 1;
  // Recorded with the decisions: the next sync looks only at what is stored after this.
  const recordChecks = () => {
    const seq = store.nextChangeSeq() - 1;
    store.meta.write(checkKeys.selection, JSON.stringify({ selection: selectionOf(site), seq }));
    if (supersedence) store.meta.write(checkKeys.supersedence, JSON.stringify({ ...supersedence, seq } satisfies SupersedenceCheck));
    // Expiring bumps change_seq; the missing-relations check looks at live updates only, so when
    // it had covered everything before the expiries, it covers them too.
    if (Number(store.meta.read(checkKeys.relations) ?? 0) >= checkedBefore) store.meta.write(checkKeys.relations, String(seq));
  };
  if (decisions.length === 0) {
    store.transaction(recordChecks)();
    return;
  }
  recorder.transaction(() => {
    const seq = store.nextChangeSeq();
    for (const d of decisions) {
      if (!store.updates.expire(d.updateId, d.reason, now.toISOString(), seq)) continue;
      const m = store.updates.membershipOf(d.updateId)!;
      recorder.count('expiry', m.productIds, m.classificationId, 'expired');
      if (d.reason === 'superseded') recorder.count('expiry', m.productIds, m.classificationId, 'superseded');
    }
    recordChecks();
  })();
  const by = (reason: string) => decisions.filter((d) => d.reason === reason).length;
  log.info(`Expired ${decisions.length} updates (superseded ${by('superseded')}, outside the selection ${by('outside-selection')}, no longer listed upstream ${by('not-listed')})`);
}

/**
 * The expired updates the cleanup would delete now: older than the cleanup age and referenced by
 * nothing live (bundles, prerequisites), at most every 3 hours, when the WSUS cleanup is enabled.
 */
export function planCleanup(store: SiteStore, site: SiteControl, now: Date, cleanupAgeDays = defaultCleanupAgeDays): string[] | undefined {
  if (!site.sup.enableCallWsusCleanupWizard) return undefined;
  const last = store.meta.read('last_cleanup_at');
  if (last && now.getTime() - Date.parse(last) < cleanupIntervalMs) return undefined;
  return store.updates
    .unreferencedExpired()
    .filter((e) => cleanupDue(e.expiredAt, now, cleanupAgeDays))
    .map((e) => e.id);
}

/** Deletes what `planCleanup` chose, counting each removal, and records when the cleanup ran. */
export function applyCleanup(store: SiteStore, doomed: string[] | undefined, recorder: SyncRunRecorder, log: SiteLogger, now: Date): void {
  if (doomed === undefined) return;
  recorder.transaction(() => {
    for (const id of doomed) {
      const m = store.updates.membershipOf(id)!;
      recorder.count('cleanup', m.productIds, m.classificationId, 'removed');
      store.updates.remove(id);
    }
    store.meta.write('last_cleanup_at', now.toISOString());
  })();
  if (doomed.length > 0) log.info(`Deleted ${doomed.length} expired updates`);
}
