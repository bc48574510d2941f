/**
 * The home's alert records (`<home>/alerts.db`): alerts about any site of the home and their
 * deliveries to the subscriptions. One database for the home, not one per site, because an alert
 * list is hierarchy-wide and a delivery must be claimed once across the processes that deliver
 * (the service, a `supsync sync` finishing).
 */
import path from 'node:path';
import { IoError } from '../errors.js';
import type { AlertDelivery, AlertRecord, AlertSeverity, AlertState, AlertType, DeliveryEvent } from '../model/alert.js';
import type { Home } from './home.js';
import { type Connection, openConnection } from './sqlite.js';

export type AlertDb = Connection;

const schema = `
  CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    site TEXT NOT NULL,
    state TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    error_code TEXT,
    raised_at TEXT NOT NULL,
    canceled_at TEXT,
    cancel_reason TEXT,
    occurrences INTEGER NOT NULL DEFAULT 1,
    last_occurred_at TEXT NOT NULL
  );
  -- At most one active alert of a kind per site: a failing site keeps one alert, not one per run.
  CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_active ON alerts (type, site) WHERE state = 'Active';
  CREATE TABLE IF NOT EXISTS alert_deliveries (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    subscription TEXT NOT NULL,
    channel TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    next_attempt_at TEXT,
    last_error TEXT,
    delivered_at TEXT
  );
  CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries (state, next_attempt_at);
`;

export function alertDbFile(home: Home): string {
  return path.join(home.root, 'alerts.db');
}

/** Opens (creating if needed) the home's alert database. */
export function openAlertDb(home: Home): AlertDb {
  const file = alertDbFile(home);
  let db: AlertDb;
  try {
    db = openConnection(file);
  } catch (error) {
    throw new IoError('AlertDatabaseOpenFailed', `Cannot open the alert database ${file}: ${(error as Error).message}`, { target: file, cause: error });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.exec(schema);
  return db;
}

export interface AlertFilter {
  site?: string;
  state?: AlertState;
  type?: AlertType;
}

interface AlertRow {
  id: number;
  type: AlertType;
  site: string;
  state: AlertState;
  severity: AlertSeverity;
  message: string;
  error_code: string | null;
  raised_at: string;
  canceled_at: string | null;
  cancel_reason: string | null;
  occurrences: number;
  last_occurred_at: string;
}

interface DeliveryRow {
  id: number;
  alert_id: number;
  subscription: string;
  channel: 'webhook' | 'email';
  event: DeliveryEvent;
  state: AlertDelivery['state'];
  attempts: number;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  last_error: string | null;
  delivered_at: string | null;
}

const toDelivery = (r: DeliveryRow): AlertDelivery => ({
  id: r.id,
  alertId: r.alert_id,
  subscription: r.subscription,
  channel: r.channel,
  event: r.event,
  state: r.state,
  attempts: r.attempts,
  lastAttemptAt: r.last_attempt_at,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  deliveredAt: r.delivered_at,
});

const toAlert = (r: AlertRow, deliveries: AlertDelivery[]): AlertRecord => ({
  id: r.id,
  type: r.type,
  site: r.site,
  state: r.state,
  severity: r.severity,
  message: r.message,
  errorCode: r.error_code,
  raisedAt: r.raised_at,
  canceledAt: r.canceled_at,
  cancelReason: r.cancel_reason,
  occurrences: r.occurrences,
  lastOccurredAt: r.last_occurred_at,
  deliveries,
});

/** Alerts with their deliveries, newest first. */
export function queryAlerts(db: AlertDb, filter: AlertFilter = {}): AlertRecord[] {
  const where: string[] = [];
  const params: string[] = [];
  for (const [column, value] of [['site', filter.site], ['state', filter.state], ['type', filter.type]] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  const rows = db.prepare(`SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`).all(...params) as AlertRow[];
  const deliveries = db.prepare('SELECT * FROM alert_deliveries WHERE alert_id = ? ORDER BY id');
  return rows.map((r) => toAlert(r, (deliveries.all(r.id) as DeliveryRow[]).map(toDelivery)));
}

/** The home's alerts (newest first), for `alert list` and the console; none before the first alert. */
export function listAlerts(home: Home, filter: AlertFilter = {}): AlertRecord[] {
  const db = openAlertDb(home);
  try {
    return queryAlerts(db, filter);
  } finally {
    db.close();
  }
}

export interface NewAlert {
  type: AlertType;
  site: string;
  severity: AlertSeverity;
  message: string;
  errorCode: string | null;
  /** Occurrences so far (a SyncFailure raised after 3 failed runs: 3); default 1. */
  occurrences?: number;
}

export interface DeliveryTarget {
  subscription: string;
  channel: 'webhook' | 'email';
}

/** Raises an alert with a pending delivery to each target; undefined when one of its kind is already active for the site. */
export function raiseAlert(db: AlertDb, alert: NewAlert, targets: DeliveryTarget[], now: Date): number | undefined {
  const at = now.toISOString();
  return db.transaction(() => {
    const result = db
      .prepare("INSERT OR IGNORE INTO alerts (type, site, state, severity, message, error_code, raised_at, occurrences, last_occurred_at) VALUES (?, ?, 'Active', ?, ?, ?, ?, ?, ?)")
      .run(alert.type, alert.site, alert.severity, alert.message, alert.errorCode, at, alert.occurrences ?? 1, at);
    if (result.changes === 0) return undefined;
    const id = Number(result.lastInsertRowid);
    addDeliveries(db, id, 'raised', targets, at);
    return id;
  })();
}

/** The condition of an active alert was found again: the newer message and the occurrences so far. */
export function recordAlertOccurrence(db: AlertDb, id: number, change: { message: string; errorCode: string | null; occurrences: number }, now: Date): void {
  db.prepare("UPDATE alerts SET message = ?, error_code = ?, occurrences = ?, last_occurred_at = ? WHERE id = ? AND state = 'Active'").run(
    change.message,
    change.errorCode,
    change.occurrences,
    now.toISOString(),
    id,
  );
}

/** Cancels an active alert, with a pending "canceled" delivery to each target that was told it was raised. */
export function cancelAlert(db: AlertDb, id: number, reason: string, now: Date): boolean {
  const at = now.toISOString();
  return db.transaction(() => {
    const changed = db.prepare("UPDATE alerts SET state = 'Canceled', canceled_at = ?, cancel_reason = ? WHERE id = ? AND state = 'Active'").run(at, reason, id).changes;
    if (changed === 0) return false;
    const told = db.prepare("SELECT DISTINCT subscription, channel FROM alert_deliveries WHERE alert_id = ? AND event = 'raised'").all(id) as DeliveryTarget[];
    addDeliveries(db, id, 'canceled', told, at);
    return true;
  })();
}

function addDeliveries(db: AlertDb, alertId: number, event: DeliveryEvent, targets: DeliveryTarget[], at: string): void {
  const insert = db.prepare("INSERT INTO alert_deliveries (alert_id, subscription, channel, event, state, next_attempt_at) VALUES (?, ?, ?, ?, 'Pending', ?)");
  for (const t of targets) insert.run(alertId, t.subscription, t.channel, event, at);
}

/** Pending deliveries whose next attempt is due, oldest first, with their alert. */
export function dueDeliveries(db: AlertDb, now: Date): { delivery: AlertDelivery; alert: AlertRecord }[] {
  const rows = db.prepare("SELECT * FROM alert_deliveries WHERE state = 'Pending' AND next_attempt_at <= ? ORDER BY id").all(now.toISOString()) as DeliveryRow[];
  const alert = db.prepare('SELECT * FROM alerts WHERE id = ?');
  return rows.map((r) => ({ delivery: toDelivery(r), alert: toAlert(alert.get(r.alert_id) as AlertRow, []) }));
}

/** The earliest time a pending delivery is due, if any. */
export function nextDeliveryTime(db: AlertDb): Date | undefined {
  const at = db.prepare("SELECT min(next_attempt_at) FROM alert_deliveries WHERE state = 'Pending'").pluck().get() as string | null;
  return at === null ? undefined : new Date(at);
}

/**
 * Claims a due delivery for one attempt: its next attempt moves to `leaseUntil`, so another
 * process delivering at the same time skips it (a delivery is sent once). False: someone else has it.
 */
export function claimDelivery(db: AlertDb, id: number, now: Date, leaseUntil: Date): boolean {
  return (
    db
      .prepare("UPDATE alert_deliveries SET next_attempt_at = ? WHERE id = ? AND state = 'Pending' AND next_attempt_at <= ?")
      .run(leaseUntil.toISOString(), id, now.toISOString()).changes === 1
  );
}

export type DeliveryOutcome = { ok: true } | { ok: false; error: string; nextAttemptAt: Date | undefined };

/** Records an attempt: delivered, retried later (nextAttemptAt), or failed for good (no next attempt). */
export function recordDeliveryAttempt(db: AlertDb, id: number, outcome: DeliveryOutcome, now: Date): void {
  const at = now.toISOString();
  if (outcome.ok) {
    db.prepare("UPDATE alert_deliveries SET state = 'Delivered', attempts = attempts + 1, last_attempt_at = ?, delivered_at = ?, next_attempt_at = NULL WHERE id = ?").run(at, at, id);
    return;
  }
  db.prepare('UPDATE alert_deliveries SET state = ?, attempts = attempts + 1, last_attempt_at = ?, last_error = ?, next_attempt_at = ? WHERE id = ?').run(
    outcome.nextAttemptAt ? 'Pending' : 'Failed',
    at,
    outcome.error,
    outcome.nextAttemptAt?.toISOString() ?? null,
    id,
  );
}

/** Deliveries by state, for metrics. */
export function deliveryStateCounts(db: AlertDb): { state: AlertDelivery['state']; count: number }[] {
  return db.prepare('SELECT state, count(*) AS count FROM alert_deliveries GROUP BY state').all() as { state: AlertDelivery['state']; count: number }[];
}
