/**
 * Supersedence and expiry rules (BRIEF §2), as pure functions over facts the store gathers:
 * superseded updates expire immediately or N months after the superseding update was created
 * (separate rules for feature updates); definition updates never expire through supersedence;
 * updates outside the selection expire; expired updates older than the cleanup age and referenced
 * by nothing live are removed.
 */
import { definitionUpdatesId, upgradesId } from '../model/classifications.js';
import type { SupersedenceRules } from '../model/site.js';

export type ExpiryReason = 'superseded' | 'outside-selection' | 'not-listed' | 'expired-upstream';

export interface SupersededCandidate {
  updateId: string;
  classificationId: string | null;
  /** Creation date of the earliest superseding update. */
  supersededSince: string;
}

export interface ExpiryDecision {
  updateId: string;
  reason: ExpiryReason;
}

/** Adds whole months in UTC, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const out = new Date(date.getTime());
  const day = out.getUTCDate();
  out.setUTCDate(1);
  out.setUTCMonth(out.getUTCMonth() + months);
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(day, last));
  return out;
}

/** When a superseded update expires under the rules (the epoch when immediately), or undefined for never. */
function supersedenceDue(candidate: SupersededCandidate, rules: SupersedenceRules): Date | undefined {
  if (candidate.classificationId === definitionUpdatesId) return undefined;
  const feature = candidate.classificationId === upgradesId;
  if (feature ? rules.immediatelyExpireFeature : rules.immediatelyExpire) return new Date(0);
  return addMonths(new Date(candidate.supersededSince), feature ? rules.waitMonthsFeature : rules.waitMonths);
}

/**
 * Judges superseded updates in one pass (the store streams them): those that expire now, and the
 * earliest time one of the others falls due (undefined when none will).
 */
export function judgeSuperseded(candidates: Iterable<SupersededCandidate>, rules: SupersedenceRules, now: Date): { expire: ExpiryDecision[]; nextDue: Date | undefined } {
  const expire: ExpiryDecision[] = [];
  let nextDue: Date | undefined;
  for (const candidate of candidates) {
    const due = supersedenceDue(candidate, rules);
    if (due === undefined) continue;
    if (due <= now) expire.push({ updateId: candidate.updateId, reason: 'superseded' });
    else if (nextDue === undefined || due < nextDue) nextDue = due;
  }
  return { expire, nextDue };
}

export interface SelectionMember {
  updateId: string;
  classificationId: string | null;
  productIds: string[];
}

/** Members that belong to no selected product × classification (the store streams them). */
export function outsideSelection(members: Iterable<SelectionMember>, products: Set<string>, classifications: Set<string>): ExpiryDecision[] {
  const out: ExpiryDecision[] = [];
  for (const m of members) {
    if (m.classificationId === null || !classifications.has(m.classificationId) || !m.productIds.some((p) => products.has(p))) out.push({ updateId: m.updateId, reason: 'outside-selection' });
  }
  return out;
}

/**
 * Bundled children left without a live bundle by the expiries decided: a child is judged with its
 * bundle (it has no classification of its own), so it expires with its last live bundle, for that
 * bundle's reason, unless `keeps` says it stands on its own (an upstream that lists it); children
 * of those children in turn, so one plan reaches what the next would otherwise decide.
 * `bundlesOf` maps each live child to the live bundles that carry it.
 */
export function orphanedChildren(bundlesOf: ReadonlyMap<string, readonly string[]>, decisions: readonly ExpiryDecision[], keeps: (updateId: string, reason: ExpiryReason) => boolean): ExpiryDecision[] {
  const reasons = new Map<string, ExpiryReason>();
  for (const d of decisions) if (!reasons.has(d.updateId)) reasons.set(d.updateId, d.reason);
  const judged = new Set<string>();
  const out: ExpiryDecision[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const [child, bundles] of bundlesOf) {
      if (reasons.has(child) || judged.has(child) || !bundles.every((b) => reasons.has(b))) continue;
      judged.add(child);
      const reason = reasons.get(bundles[0]!)!;
      if (keeps(child, reason)) continue;
      out.push({ updateId: child, reason });
      reasons.set(child, reason);
      changed = true;
    }
  }
  return out;
}

/** Whether an expired update is old enough to be removed. */
export function cleanupDue(expiredAt: string, now: Date, cleanupAgeDays: number): boolean {
  return new Date(expiredAt).getTime() + cleanupAgeDays * 86_400_000 <= now.getTime();
}

export const defaultCleanupAgeDays = 7;
/** ConfigMgr runs the expired-update cleanup at the end of a sync at most every 3 hours. */
export const cleanupIntervalMs = 3 * 3_600_000;
