/** `status`: Get-CMSoftwareUpdateSyncStatus for every SUP of the home (or one). */
import { type SiteControl, isTopLevel, microsoftUpdateUrl, normalizeSiteCode } from '../../model/site.js';
import type { Home } from '../../store/home.js';
import { type SyncRunRow, describeCatalogImport } from '../../store/runs.js';
import { openSiteStore } from '../../store/site-store.js';
import { readServiceHost } from '../../service/site-records.js';
import { type RunningRun, type SyncStateRow, describeSyncState } from '../../store/sync-status.js';
import { siteLockHolder } from '../../store/site-lock.js';
import { type CommandHandler, stringArg } from '../context.js';

interface SiteState {
  site: SiteControl;
  state: SyncStateRow;
  lastRunChanged: boolean | undefined;
  lastRunTrigger?: string | undefined;
  /** A catalog import that finished after the last sync. */
  lastCatalogImport?: SyncRunRow | undefined;
  locked: boolean;
  runningRun: RunningRun;
  /** Published by the running service hosting the site. */
  nextScheduledSync: string | null;
}

export const status: CommandHandler<'status'> = ({ home, args, emit }) => {
  const only = stringArg(args, 'site');
  const sites = only !== undefined ? [home.site(normalizeSiteCode(only, '--site'))] : home.sites();
  const states = new Map<string, SiteState>();
  const stateOf = (code: string): SiteState | undefined => {
    if (!states.has(code) && home.hasSite(code)) states.set(code, readSiteState(home, home.site(code)));
    return states.get(code);
  };
  for (const site of sites) emit(statusRecord(home, stateOf(site.code)!, site.parent ? stateOf(site.parent) : undefined));
};

function readSiteState(home: Home, site: SiteControl): SiteState {
  const store = openSiteStore(home.sitePaths(site.code).database);
  try {
    // The state tells the last sync; a catalog import since then is told beside it.
    const runId = store.runs.lastSyncId();
    const newest = store.runs.lastId();
    const lastCatalogImport = newest !== undefined && newest !== runId ? store.runs.row(newest) : undefined;
    const state = store.state.read();
    const holder = siteLockHolder(home.sitePaths(site.code).dir);
    return {
      site,
      state,
      runningRun: { finishesFullSyncOf: state.running_run_id === null ? undefined : store.runs.resumes(state.running_run_id), holder },
      lastRunChanged: runId === undefined ? undefined : store.runs.changed(runId),
      lastRunTrigger: runId === undefined ? undefined : store.runs.trigger(runId),
      lastCatalogImport: lastCatalogImport?.state === 'running' ? undefined : lastCatalogImport,
      locked: holder !== undefined,
      nextScheduledSync: readServiceHost(store)?.nextScheduledSync ?? null,
    };
  } finally {
    store.close();
  }
}

export function statusRecord(home: Home, { site, state, lastRunChanged, lastRunTrigger, lastCatalogImport, locked, runningRun, nextScheduledSync }: SiteState, parent: SiteState | undefined) {
  const source = isTopLevel(site)
    ? site.sup.syncSource.kind === 'microsoft-update'
      ? microsoftUpdateUrl
      : site.sup.syncSource.kind === 'upstream'
        ? site.sup.syncSource.upstreamUrl
        : 'none'
    : (site.parentUrl ?? (site.parent && home.hasSite(site.parent) ? home.site(site.parent).serverName : site.parent));
  return {
    type: 'SupSync.SyncStatus',
    WSUSServerName: site.serverName,
    SiteCode: site.code,
    WSUSSourceServer: source ?? null,
    SyncCatalogVersion: state.catalog_version,
    LastSuccessfulSyncTime: state.last_successful_sync_time,
    LastSyncState: state.last_sync_state,
    LastSyncStateTime: state.last_sync_state_time,
    LastSyncErrorCode: state.last_sync_error_code,
    ReplicationLinkStatus: state.replication_link_status,
    LastReplicationLinkCheckTime: state.last_replication_link_check_time,
    Status: [describeSyncState(state, lastRunChanged, locked, lastRunTrigger, runningRun), ...(lastCatalogImport ? [describeCatalogImport(lastCatalogImport)] : [])].join('; '),
    ParentSiteCode: site.parent ?? null,
    CatalogVersionLag: parent ? Math.max(0, parent.state.catalog_version - state.catalog_version) : null,
    NextRetryTime: state.next_retry_at,
    NextScheduledSync: nextScheduledSync,
  };
}
