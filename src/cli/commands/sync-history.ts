/** `sync history`: the site's runs, newest first (apart from sync.ts, so listing runs loads no sync engine). */
import { normalizeSiteCode } from '../../model/site.js';
import { openSiteStore } from '../../store/site-store.js';
import type { CommandHandler } from '../context.js';

export const syncHistory: CommandHandler<'sync.history'> = ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const store = openSiteStore(home.sitePaths(code).database);
  try {
    for (const run of store.runs.history(args.last === undefined ? undefined : Number(args.last))) {
      const rows = store.runs.counts(run.id);
      emit({
        type: 'SupSync.SyncRun',
        SiteCode: code,
        RunId: run.id,
        Trigger: run.trigger,
        FullSync: run.full_sync === 1,
        // Full because an earlier full sync did not finish: the run whose full comparison this one finishes.
        FinishesFullSyncOfRun: run.resumes_run_id,
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
        // What the run could not bring in: a catalog import's inputs not found, invalid or failed.
        Failed: run.failed_count,
        Counts: rows.map((r) => ({ Phase: r.phase, ProductId: r.productId || null, ClassificationId: r.classificationId || null, New: r.new, Revised: r.revised, Superseded: r.superseded, Expired: r.expired, Removed: r.removed })),
      });
    }
  } finally {
    store.close();
  }
};
