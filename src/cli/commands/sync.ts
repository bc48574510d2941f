/** `sync` (with the cascade and --what-if) and `sync history`. */
import { ExitCode } from '../../errors.js';
import { isServedByService } from '../../service/site-records.js';
import { normalizeSiteCode } from '../../site/model.js';
import { openSiteDb } from '../../store/site-db.js';
import { syncWithCascade } from '../../sync/cascade.js';
import type { SyncResult } from '../../sync/engine.js';
import { planSync } from '../../sync/plan.js';
import type { SyncTrigger } from '../../sync/run-recorder.js';
import { type CommandHandler, stringArg } from '../context.js';

export const sync: CommandHandler = async ({ home, args, emit, note, progress, logFormat, signal, output }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  if (args.whatIf) {
    const plan = await planSync(home, code, { full: Boolean(args.full), signal });
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
    return;
  }
  const results = await syncWithCascade(home, code, {
    trigger: (stringArg(args, 'trigger') as SyncTrigger | undefined) ?? 'manual',
    full: Boolean(args.full),
    wait: Boolean(args.wait),
    servedByService: (child) => isServedByService(home, child),
    logFormat,
    signal,
    stderrLog: true,
    onProgress: (p) => progress(`Synchronizing ${p.site}`, `${p.phase}: ${p.processed} of ${p.total}`, p.total === 0 ? 100 : Math.floor((p.processed / p.total) * 100)),
  });
  for (const result of results) emit(syncResultRecord(result));
  output.flush();
  // Loaded here, after the sync: the alert step's libraries would slow every start of the CLI.
  const { settleAlertsAfterSync } = await import('../../alerts/after-sync.js');
  await settleAlertsAfterSync(home, note);
  const own = results[0]!;
  if (results.some((r) => r.state === 'Failed')) process.exitCode = own.state === 'Failed' ? (own.error?.exitCode ?? ExitCode.upstream) : ExitCode.partial;
  if (own.state === 'Queued') note(`${code}: a sync is running (run ${own.queuedBehindRun ?? '?'}); this request is queued behind it`);
};

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

export const syncHistory: CommandHandler = ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const db = openSiteDb(home.sitePaths(code).database);
  try {
    const limit = args.last === undefined ? -1 : Number(args.last);
    const runs = db.prepare('SELECT * FROM (SELECT * FROM sync_runs ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit) as Record<string, unknown>[];
    const detail = db.prepare(
      'SELECT phase, product_id, classification_id, new_count, revised_count, superseded_count, expired_count, removed_count FROM sync_run_counts WHERE run_id = ? ORDER BY phase, product_id, classification_id',
    );
    for (const run of runs) {
      const rows = detail.all(run.id) as Record<string, string | number>[];
      emit({
        type: 'SupSync.SyncRun',
        SiteCode: code,
        RunId: run.id,
        Trigger: run.trigger,
        FullSync: run.full_sync === 1,
        Source: run.source,
        StartTime: run.started_at,
        EndTime: run.ended_at,
        State: run.state,
        ErrorCode: run.error_code,
        Error: run.error_message,
        CatalogVersion: run.catalog_version,
        BytesFetched: run.bytes_fetched,
        New: run.new_count,
        Revised: run.revised_count,
        Superseded: run.superseded_count,
        Expired: run.expired_count,
        Removed: run.removed_count,
        Counts: rows.map((r) => ({ Phase: r.phase, ProductId: r.product_id || null, ClassificationId: r.classification_id || null, New: r.new_count, Revised: r.revised_count, Superseded: r.superseded_count, Expired: r.expired_count, Removed: r.removed_count })),
      });
    }
  } finally {
    db.close();
  }
};
