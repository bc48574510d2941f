/**
 * Applying what a sync or an import brings to the site database: the one place revisions are
 * stored and counted (`RevisionWriter`), a sync plan applied batch by batch with each anchor
 * committed with the batch that completes it (`applyPlan`), and the end of every run — expiry,
 * cleanup, the catalog version and the run's record (`finishRun`).
 */
import type { SiteLogger } from '../log/index.js';
import type { FetchedUpdate, UpdateMetadata } from '../model/update.js';
import { englishTitle } from '../model/update.js';
import type { StorableBatch, UpstreamClient } from '../protocol/client.js';
import type { SiteControl } from '../model/site.js';
import type { CategoryIndex } from '../store/categories.js';
import type { SiteStore } from '../store/site-store.js';
import { type StoreOutcome, membership } from '../store/updates.js';
import { checkKeys } from './checks.js';
import { applyCleanup, applyExpiry, planCleanup, planExpiry } from './expiry-apply.js';
import type { RunCounts, SyncRunRecorder } from './run-recorder.js';
import type { PhasePlan, SyncPlan } from './sync-plan.js';

/** What a run writes through. */
export interface RunScope {
  store: SiteStore;
  site: SiteControl;
  log: SiteLogger;
  recorder: SyncRunRecorder;
  /** Languages of summary details to keep (the top-level site's). */
  languages: string[] | undefined;
  onProgress?: (progress: { site: string; phase: string; processed: number; total: number }) => void;
}

export interface WriteOptions {
  /** Came from a catalog import: kept whatever the selection. */
  imported?: boolean;
  /** The run's phase the change is counted under (`categories`, `updates`). */
  phase: string;
  /** Served by an upstream: a revision served as Expired expires the stored update. */
  fromUpstream?: boolean;
}

/** Stores revisions and counts each change in the run (call inside a transaction). */
export class RevisionWriter {
  readonly #store: SiteStore;
  readonly #recorder: SyncRunRecorder | undefined;
  readonly #languages: string[] | undefined;
  readonly index: CategoryIndex;
  /** "Synchronizing update …" lines of what was written since the last `takeLines` (undefined: not kept). */
  #lines: string[] | undefined;

  constructor(store: SiteStore, recorder: SyncRunRecorder | undefined, languages: string[] | undefined, options: { logLines?: boolean } = {}) {
    this.#store = store;
    this.#recorder = recorder;
    this.#languages = languages;
    this.#lines = options.logLines ? [] : undefined;
    this.index = store.categories.index();
  }

  write(update: FetchedUpdate | UpdateMetadata, changeSeq: number, now: string, options: WriteOptions): StoreOutcome {
    const outcome = this.#store.updates.store(update, this.index, {
      changeSeq,
      now,
      ...(options.imported ? { imported: true } : {}),
      ...(this.#languages ? { languages: this.#languages } : {}),
    });
    const isUpdate = update.updateType !== 'Category' && update.updateType !== 'Detectoid';
    if (outcome !== 'unchanged' && this.#recorder) {
      const { classificationId, productIds } = membership(update, this.index);
      this.#recorder.count(options.phase, productIds, classificationId ?? null, outcome);
      if (options.phase === 'updates') this.#lines?.push(`Synchronizing update ${update.updateId} - ${englishTitle(update) ?? ''}`);
    }
    // How an expiry travels downstream: the upstream serves the revision as Expired.
    if (options.fromUpstream && update.publicationState === 'Expired' && isUpdate && this.#store.updates.expire(update.updateId, 'expired-upstream', now, changeSeq)) {
      const { classificationId, productIds } = membership(update, this.index);
      this.#recorder?.count('expiry', productIds, classificationId ?? null, 'expired');
    }
    return outcome;
  }

  takeLines(): string[] {
    const lines = this.#lines ?? [];
    if (this.#lines) this.#lines = [];
    return lines;
  }
}

/**
 * From how many revisions a sync reads its answers in the parse worker, which overlaps reading with
 * storing on a second core but costs ~0.1 CPU-s to start; below, the sync reads them itself.
 * Measured with both ways alternating (README, "A small sync's fixed CPU cost").
 */
const parseWorkerFrom = 500;

/** Applies a sync plan: fetches what it names from the upstream and stores it, then what the stored updates still miss. */
export async function applyPlan(plan: SyncPlan, client: UpstreamClient, upstreamUrl: string, scope: RunScope): Promise<void> {
  if (plan.categories.fetch.length + (plan.updates?.fetch.length ?? 0) >= parseWorkerFrom) client.prepareFetch();
  const writer = new RevisionWriter(scope.store, scope.recorder, scope.languages, { logLines: true });
  await applyPhase(plan.categories, client, upstreamUrl, scope, writer);
  if (!plan.updates) return;
  scope.log.info('sync: WSUS synchronizing updates');
  await applyPhase(plan.updates, client, upstreamUrl, scope, writer);
  await fetchMissingRelations(client, scope, writer);
}

async function applyPhase(phase: PhasePlan, client: UpstreamClient, upstreamUrl: string, scope: RunScope, writer: RevisionWriter): Promise<void> {
  const { store, recorder, log } = scope;
  const remaining = new Map(phase.anchors.map((a) => [a.key, new Set(a.waitsFor)]));
  const committed = new Set<string>();
  /** Writes each anchor whose revisions are all stored (inside the transaction that stored the last of them). */
  const commitDone = () => {
    for (const anchor of phase.anchors) {
      if (committed.has(anchor.key) || remaining.get(anchor.key)!.size > 0) continue;
      committed.add(anchor.key);
      store.anchors.set(upstreamUrl, anchor.key, anchor.anchor, new Date().toISOString());
      if (anchor.replaces) store.anchors.drop(upstreamUrl, anchor.replaces);
    }
  };
  store.transaction(commitDone)();
  if (phase.fetch.length === 0) return;
  const started = Date.now();
  let processed = 0;
  const storeBatch = recorder.transaction((updates: FetchedUpdate[], last: boolean) => {
    const seq = store.nextChangeSeq();
    const now = new Date().toISOString();
    for (const update of updates) {
      writer.write(update, seq, now, { phase: phase.phase, fromUpstream: true });
      // A phase has one to three anchor keys, so asking each is cheaper than an index by update.
      for (const waiting of remaining.values()) waiting.delete(update.updateId);
    }
    commitDone();
    // The live progress commits with the batch it counts: one commit a batch, not two.
    recorder.progress(phase.phase, processed + updates.length, phase.fetch.length, started, last);
  });
  await client.fetchUpdates(
    phase.fetch,
    (batch: StorableBatch, last: boolean) => {
      storeBatch(batch.updates, last);
      log.infoLines(writer.takeLines());
      processed += batch.updates.length;
      scope.onProgress?.({ site: scope.site.code, phase: phase.phase, processed, total: phase.fetch.length });
    },
    scope.languages,
  );
}

/**
 * Revisions to try, newest first, for an update whose revision is only hinted (a bundle names its
 * child's) or not known at all: from 300 down, as Microsoft's sync library asks for an expired
 * update (TryGetExpiredUpdate(id, 300, 100)); from a hint, the hundred below it.
 */
export function probeRevisions(hint: number | undefined): number[] {
  const top = hint ?? 300;
  const bottom = hint === undefined ? 1 : Math.max(1, hint - 100);
  const list: number[] = [];
  for (let r = top; r >= bottom; r--) list.push(r);
  return list;
}

interface MissingRelation {
  kind: 'bundled' | 'prerequisite';
  parent: string;
  /** The candidates: one bundled child, or the members of a prerequisite group (any one will do). */
  ids: string[];
  revision?: number;
}

function missingRelations(store: SiteStore, sinceSeq: number): MissingRelation[] {
  return [
    ...store.updates.missingBundledChildren(sinceSeq).map((c) => ({ kind: 'bundled' as const, parent: c.parent, ids: [c.id], ...(c.revision !== null ? { revision: c.revision } : {}) })),
    ...store.updates.missingPrerequisiteGroups(sinceSeq).map((g) => ({ kind: 'prerequisite' as const, parent: g.parent, ids: g.ids })),
  ];
}

/**
 * Bundled children and prerequisites the lists did not bring, fetched by id the way Microsoft's
 * sync library does (GetUpdateData probing revisions: a bundle names its children's revisions, a
 * prerequisite does not), never with an unfiltered GetRevisionIdList, which Microsoft Update
 * answers with nothing useful. One the upstream cannot give fails only the update that needs it:
 * logged as an error, and checked again next sync.
 */
async function fetchMissingRelations(client: UpstreamClient, scope: RunScope, writer: RevisionWriter): Promise<void> {
  const { store, log, recorder } = scope;
  // Only updates stored since the last complete check can have relations missing.
  const checkedUpTo = Number(store.meta.read(checkKeys.relations) ?? 0);
  const startSeq = store.nextChangeSeq();
  const storeBatch = recorder.transaction((updates: FetchedUpdate[]) => {
    const seq = store.nextChangeSeq();
    const now = new Date().toISOString();
    for (const update of updates) writer.write(update, seq, now, { phase: 'updates', fromUpstream: true });
  });
  let incomplete = 0;
  const tried = new Set<string>();
  // Fetched children may have relations of their own: a few rounds, each over what the last stored.
  for (let round = 0, since = checkedUpTo; round < 4; round++) {
    const missing = missingRelations(store, since).filter((m) => !tried.has(m.ids.join('|')));
    if (missing.length === 0) break;
    since = store.nextChangeSeq() - 1;
    log.info(`sync: ${missing.length} bundled update(s) or prerequisite group(s) are not stored yet; asking the upstream for them by id`);
    for (const relation of missing) {
      tried.add(relation.ids.join('|'));
      let fetched = false;
      for (const id of relation.ids) {
        const batch = await client.probeUpdate(id, probeRevisions(relation.revision), scope.languages);
        if (!batch) continue;
        storeBatch(batch.updates);
        log.infoLines(writer.takeLines());
        fetched = true;
        break;
      }
      if (!fetched) {
        incomplete++;
        const what = relation.kind === 'bundled' ? `bundled update ${relation.ids[0]}${relation.revision !== undefined ? ` (revision ${relation.revision})` : ''}` : `prerequisite ${relation.ids.join(' or ')}`;
        log.error(`Update ${relation.parent} is incomplete: the upstream does not have its ${what}; it will be asked again next sync`);
      }
    }
  }
  // Marked checked only when nothing is left, so an incomplete update is looked at again next time.
  if (incomplete === 0) store.meta.write(checkKeys.relations, String(store.nextChangeSeq() - 1));
  else if (startSeq === store.nextChangeSeq()) log.warn(`sync: ${incomplete} update(s) stay incomplete`);
}

export interface FinishOptions {
  /** After a full sync: every update id the upstream listed. */
  listed?: ReadonlySet<string> | undefined;
  /** Run the expired-update cleanup (a sync does; an import does not). */
  cleanup: boolean;
  cleanupAgeDays?: number;
}

export interface FinishedRun {
  /** What this run committed (a resumed run: what it added to the interrupted ones). */
  counts: RunCounts;
  /** New, revised, expired and removed updates. */
  changed: number;
  /** The site's catalog version, raised with the first change committed since the last successful run. */
  catalogVersion: number;
}

/** The end of every run that changed the site: expiry, cleanup and the run's record; the catalog version was raised with the changes it covers. */
export function finishRun(scope: Pick<RunScope, 'store' | 'site' | 'log' | 'recorder'>, options: FinishOptions): FinishedRun {
  const { store, site, log, recorder } = scope;
  const now = new Date();
  const input = { store, site, listed: options.listed };
  applyExpiry(input, planExpiry(input, now), recorder, log, now);
  if (options.cleanup) applyCleanup(store, planCleanup(store, site, now, options.cleanupAgeDays), recorder, log, now);
  const counts = recorder.totals();
  const changed = counts.new + counts.revised + counts.expired + counts.removed;
  const catalogVersion = recorder.succeed();
  return { counts, changed, catalogVersion };
}
