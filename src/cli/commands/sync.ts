/** `sync` (with the cascade and --what-if); `sync history` is in sync-history.ts. */
import { ExitCode } from '../../errors.js';
import { serveLocalParent } from '../../server/local-parent.js';
import { normalizeSiteCode } from '../../model/site.js';
import { syncWithCascade } from '../../sync/cascade.js';
import type { SyncOptions, SyncResult } from '../../sync/engine.js';
import { whatIfSync } from '../../sync/what-if.js';
import type { SyncTrigger } from '../../sync/run-recorder.js';
import { childSyncStarter } from '../child-sync.js';
import { type CommandHandler, stringArg } from '../context.js';

/** Transport tuning a caller may impose on the sync (the development entry point's short timeouts for the fault campaign). */
export type SyncTuning = Pick<SyncOptions, 'timeoutMs' | 'retry' | 'maxResponseBytes'>;

export const syncHandler = (tuning: SyncTuning = {}): CommandHandler<'sync'> => async ({ home, args, emit, note, progress, log, logFormat, signal, output }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  if (args.whatIf) {
    const plan = await whatIfSync(home, code, { full: Boolean(args.full), signal, serveLocalParent });
    for (const line of plan.notes) note(`What if: ${line}`);
    note(`What if: ${code} would fetch ${plan.categories.new} new and ${plan.categories.revised} revised categories from ${plan.source}`);
    for (const row of plan.rows) {
      emit({
        type: 'SupSync.SyncPlan',
        SiteCode: code,
        Product: row.product,
        Classification: row.classification,
        New: row.new,
        Revised: row.revised,
        Superseded: row.superseded,
        Expired: row.expired,
        Removed: row.removed,
        BytesToFetch: row.bytesToFetch,
        ProductId: row.productId,
        ClassificationId: row.classificationId,
      });
    }
    emit({
      type: 'SupSync.SyncPlanSummary',
      SiteCode: code,
      Source: plan.source,
      FullSync: plan.full,
      NewCategories: plan.categories.new,
      RevisedCategories: plan.categories.revised,
      New: plan.totals.new,
      Revised: plan.totals.revised,
      Superseded: plan.totals.superseded,
      Expired: plan.totals.expired,
      Removed: plan.totals.removed,
      BytesToFetch: plan.totals.bytesToFetch,
      Notes: plan.notes,
    });
    return undefined;
  }
  const results = await syncWithCascade(home, code, {
    ...tuning,
    trigger: (stringArg(args, 'trigger') as SyncTrigger | undefined) ?? 'manual',
    full: Boolean(args.full),
    wait: Boolean(args.wait),
    serveLocalParent,
    startChildSync: childSyncStarter(home, logFormat),
    logFormat,
    signal,
    logEcho: log,
    onProgress: (p) =>
      progress(`Synchronizing ${p.site}`, `${p.phase}: ${p.processed} of ${p.total}`, p.total === 0 ? 100 : Math.floor((p.processed / p.total) * 100), { key: p.site, ...p }),
  });
  for (const result of results) emit(syncResultRecord(result));
  output.flush();
  // A request only queued ran nothing: the process running the sync takes the alert step.
  if (results.some((r) => r.state !== 'Queued')) {
    // Loaded here, after the sync: the alert step's libraries would slow every start of the CLI.
    const { settleAlertsAfterSync } = await import('../../alerts/after-sync.js');
    await settleAlertsAfterSync(home, note);
  }
  const own = results[0]!;
  if (own.state === 'Queued') {
    note(`${code}: a sync is running (run ${own.queuedBehindRun}); this request is queued behind it and runs when that finishes`);
    return ExitCode.queued;
  }
  if (!results.some((r) => r.state === 'Failed')) return undefined;
  return own.state === 'Failed' ? (own.error?.exitCode ?? ExitCode.upstream) : ExitCode.partial;
};

export const sync = syncHandler();

export function syncResultRecord(result: SyncResult) {
  return {
    type: 'SupSync.SyncResult',
    SiteCode: result.site,
    State: result.state,
    RunId: result.runId ?? null,
    Trigger: result.trigger,
    FullSync: result.full,
    New: result.counts.new,
    Revised: result.counts.revised,
    Superseded: result.counts.superseded,
    Expired: result.counts.expired,
    Removed: result.counts.removed,
    CatalogVersion: result.catalogVersion,
    DurationSeconds: Math.round(result.durationMs / 100) / 10,
    QueuedBehindRun: result.queuedBehindRun ?? null,
    ErrorCode: result.error?.code ?? null,
    Error: result.error?.message ?? null,
    NextRetryTime: result.nextRetryAt ?? null,
  };
}
