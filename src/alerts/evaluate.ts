/**
 * What the alerts of a home should be, from the sites' sync state: a pure function of the sites,
 * the active alerts, the settings and the time. The caller applies the plan through the store.
 *
 * - SyncFailure: the site's last sync failed (6703) and its top-level site's EnableSyncFailureAlert
 *   is on. One alert per failing streak: further failures add occurrences; the next successful
 *   sync (6702) cancels it, as ConfigMgr's "Setting sync alert to canceled state".
 * - NoSuccessfulSync: no successful sync for more than `noSuccessfulSyncHours` (a site never
 *   synchronized counts from its creation).
 * - CatalogVersionLag: a child's catalog version is more than `catalogVersionLagThreshold` behind
 *   its parent's (both in the home), and the child is not syncing.
 */
import type { AlertRecord, AlertSettings, AlertType } from '../model/alert.js';
import type { NewAlert } from '../store/alert-db.js';

export interface SiteAlertInput {
  code: string;
  serverName: string;
  parent: string | undefined;
  createdAt: string;
  lastSyncState: number | null;
  running: boolean;
  lastSyncErrorCode: string | null;
  lastSyncErrorMessage: string | null;
  lastSuccessfulSyncTime: string | null;
  catalogVersion: number;
  consecutiveFailures: number;
  /** The top-level site's EnableSyncFailureAlert (the site's own when its top is not in the home). */
  syncFailureAlertEnabled: boolean;
}

export interface AlertPlan {
  raise: NewAlert[];
  /** Active alerts whose condition was found again, with the newer message. */
  recur: { id: number; message: string; errorCode: string | null; occurrences: number }[];
  cancel: { id: number; reason: string }[];
}

export function planAlerts(sites: SiteAlertInput[], active: AlertRecord[], settings: AlertSettings, now: Date): AlertPlan {
  const plan: AlertPlan = { raise: [], recur: [], cancel: [] };
  const byCode = new Map(sites.map((s) => [s.code, s]));
  const activeOf = (type: AlertType, code: string) => active.find((a) => a.type === type && a.site === code);
  for (const site of sites) {
    const wanted = [syncFailure(site), noSuccessfulSync(site, settings, now), catalogLag(site, site.parent === undefined ? undefined : byCode.get(site.parent), settings)];
    for (const want of wanted) {
      const current = activeOf(want.type, site.code);
      if (want.alert && !current) plan.raise.push(want.alert);
      else if (want.alert && current && want.alert.occurrences !== undefined && want.alert.occurrences > current.occurrences) {
        plan.recur.push({ id: current.id, message: want.alert.message, errorCode: want.alert.errorCode, occurrences: want.alert.occurrences });
      }
      else if (!want.alert && current && want.cancelReason) plan.cancel.push({ id: current.id, reason: want.cancelReason });
    }
  }
  // Alerts about sites no longer in the home end with them.
  for (const alert of active) if (!byCode.has(alert.site)) plan.cancel.push({ id: alert.id, reason: `Site ${alert.site} was removed` });
  return plan;
}

interface Wanted {
  type: AlertType;
  alert?: NewAlert;
  /** Why an active alert ends; undefined keeps it (e.g. while a sync after a failure runs). */
  cancelReason?: string;
}

function syncFailure(site: SiteAlertInput): Wanted {
  const type = 'SyncFailure';
  if (site.lastSyncState === 6703 && !site.running) {
    if (!site.syncFailureAlertEnabled) return { type, cancelReason: 'EnableSyncFailureAlert is off' };
    const error = site.lastSyncErrorMessage ?? site.lastSyncErrorCode ?? 'unknown error';
    return {
      type,
      alert: {
        type,
        site: site.code,
        severity: 'Error',
        message: `Synchronization failed on software update point ${site.serverName} of site ${site.code}: ${error}`,
        errorCode: site.lastSyncErrorCode,
        // One occurrence per failed run of the streak.
        occurrences: Math.max(1, site.consecutiveFailures),
      },
    };
  }
  if (site.lastSyncState === 6702) return { type, cancelReason: `Sync succeeded on site ${site.code}` };
  return { type, ...(site.syncFailureAlertEnabled ? {} : { cancelReason: 'EnableSyncFailureAlert is off' }) };
}

function noSuccessfulSync(site: SiteAlertInput, settings: AlertSettings, now: Date): Wanted {
  const type = 'NoSuccessfulSync';
  const hours = settings.noSuccessfulSyncHours;
  if (hours === null) return { type, cancelReason: 'The no-successful-sync alert is off' };
  const since = site.lastSuccessfulSyncTime ?? site.createdAt;
  const elapsedHours = (now.getTime() - Date.parse(since)) / 3_600_000;
  if (elapsedHours <= hours) return { type, cancelReason: site.lastSuccessfulSyncTime ? `Sync succeeded on site ${site.code} at ${site.lastSuccessfulSyncTime}` : `Within ${hours} hours` };
  const what = site.lastSuccessfulSyncTime ? `since ${site.lastSuccessfulSyncTime}` : `since the site was created (${site.createdAt}); it never synchronized`;
  return {
    type,
    alert: {
      type,
      site: site.code,
      severity: 'Warning',
      message: `No successful synchronization on software update point ${site.serverName} of site ${site.code} for ${Math.floor(elapsedHours)} hours (${what}); the threshold is ${hours} hours`,
      errorCode: site.lastSyncErrorCode,
    },
  };
}

function catalogLag(site: SiteAlertInput, parent: SiteAlertInput | undefined, settings: AlertSettings): Wanted {
  const type = 'CatalogVersionLag';
  const threshold = settings.catalogVersionLagThreshold;
  if (threshold === null) return { type, cancelReason: 'The catalog version lag alert is off' };
  if (!parent) return { type, cancelReason: 'The site has no parent in this home' };
  const lag = parent.catalogVersion - site.catalogVersion;
  if (lag <= threshold) return { type, cancelReason: `Site ${site.code} caught up with ${parent.code} (catalog version ${site.catalogVersion}, parent ${parent.catalogVersion})` };
  // A child syncing is catching up: judged when it is done.
  if (site.running) return { type };
  return {
    type,
    alert: {
      type,
      site: site.code,
      severity: 'Warning',
      message: `Site ${site.code} is ${lag} catalog versions behind its parent ${parent.code} (catalog version ${site.catalogVersion}, parent ${parent.catalogVersion}); the threshold is ${threshold}`,
      errorCode: null,
    },
  };
}
