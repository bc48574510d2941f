/**
 * Evaluates the home's alerts now and records the outcome: reads each site's sync state, plans
 * with `planAlerts`, and raises, updates and cancels alert records (each raise and cancel with a
 * pending delivery per subscription, sent later by `deliverDueAlerts`). Called after syncs and
 * on the service's ticks; it never fails a sync (callers note its errors and go on).
 */
import { type AlertType } from '../model/alert.js';
import { isTopLevel } from '../site/model.js';
import { type AlertDb, cancelAlert, openAlertDb, queryAlerts, raiseAlert, recordAlertOccurrence } from '../store/alert-db.js';
import { readAlertSettings } from '../store/alert-settings.js';
import type { Home } from '../store/home.js';
import { openSiteDb } from '../store/site-db.js';
import { readSyncState } from '../store/sync-status.js';
import { isSiteLocked } from '../sync/lock.js';
import { type AlertPlan, type SiteAlertInput, planAlerts } from './evaluate.js';

/** ConfigMgr-like alert names, e.g. "Synchronization failure alert for software update point of site PS1". */
export function alertName(alert: { type: AlertType; site: string }): string {
  switch (alert.type) {
    case 'SyncFailure':
      return `Synchronization failure alert for software update point of site ${alert.site}`;
    case 'NoSuccessfulSync':
      return `No successful synchronization alert for site ${alert.site}`;
    case 'CatalogVersionLag':
      return `Catalog version lag alert for site ${alert.site}`;
  }
}

export function evaluateAlerts(home: Home, now = new Date()): AlertPlan {
  const settings = readAlertSettings(home);
  const sites = readSiteInputs(home);
  const db = openAlertDb(home);
  try {
    const plan = planAlerts(sites, queryAlerts(db, { state: 'Active' }), settings, now);
    applyPlan(db, plan, settings.subscriptions.map((s) => ({ subscription: s.name, channel: s.kind })), now);
    return plan;
  } finally {
    db.close();
  }
}

function applyPlan(db: AlertDb, plan: AlertPlan, targets: { subscription: string; channel: 'webhook' | 'email' }[], now: Date): void {
  for (const alert of plan.raise) raiseAlert(db, alert, targets, now);
  for (const change of plan.recur) recordAlertOccurrence(db, change.id, change, now);
  for (const { id, reason } of plan.cancel) cancelAlert(db, id, reason, now);
}

function readSiteInputs(home: Home): SiteAlertInput[] {
  const inputs: SiteAlertInput[] = [];
  for (const site of home.sites()) {
    let db;
    try {
      db = openSiteDb(home.sitePaths(site.code).database, { readonly: true });
    } catch {
      continue; // being created, or damaged: `status` names the problem
    }
    try {
      const state = readSyncState(db);
      let top = site;
      for (const seen = new Set<string>(); !isTopLevel(top) && top.parent && home.hasSite(top.parent) && !seen.has(top.code); ) {
        seen.add(top.code);
        top = home.site(top.parent);
      }
      inputs.push({
        code: site.code,
        serverName: site.serverName,
        parent: site.parent,
        createdAt: site.createdAt,
        lastSyncState: state.last_sync_state,
        running: state.running_run_id !== null && isSiteLocked(home.sitePaths(site.code).dir),
        lastSyncErrorCode: state.last_sync_error_code,
        lastSyncErrorMessage: state.last_sync_error_message,
        lastSuccessfulSyncTime: state.last_successful_sync_time,
        catalogVersion: state.catalog_version,
        consecutiveFailures: state.consecutive_failures,
        syncFailureAlertEnabled: top.sup.enableSyncFailureAlert,
      });
    } finally {
      db.close();
    }
  }
  return inputs;
}
