/**
 * Alerts (ConfigMgr's SMS_Alert, as Get-CMAlert shows them) and the home's alert settings: what
 * raises one, where it is delivered. Pure shapes; `store/` keeps them, `alerts/` evaluates and
 * delivers them.
 */

/** SyncFailure: the last sync of a site failed. NoSuccessfulSync: none succeeded for N hours. CatalogVersionLag: a child is behind its parent. */
export type AlertType = 'SyncFailure' | 'NoSuccessfulSync' | 'CatalogVersionLag';
export const alertTypes: readonly AlertType[] = ['SyncFailure', 'NoSuccessfulSync', 'CatalogVersionLag'];

/** ConfigMgr's AlertState values that apply here: Active (0) and Canceled (2). */
export type AlertState = 'Active' | 'Canceled';
export type AlertSeverity = 'Error' | 'Warning';

/** What a delivery tells: the alert was raised, or it was canceled (the condition is over). */
export type DeliveryEvent = 'raised' | 'canceled';
/** Pending: not sent yet (or being retried, see lastError). Failed: retries exhausted. */
export type DeliveryState = 'Pending' | 'Delivered' | 'Failed';

export interface AlertDelivery {
  id: number;
  alertId: number;
  subscription: string;
  channel: 'webhook' | 'email';
  event: DeliveryEvent;
  state: DeliveryState;
  attempts: number;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  deliveredAt: string | null;
}

export interface AlertRecord {
  id: number;
  type: AlertType;
  /** The site the alert is about. */
  site: string;
  state: AlertState;
  severity: AlertSeverity;
  /** One line for a person: what happened, where, the error. */
  message: string;
  /** The failed sync's error code (SyncFailure). */
  errorCode: string | null;
  /** ISO 8601 UTC. */
  raisedAt: string;
  canceledAt: string | null;
  /** Why it was canceled, e.g. "Sync succeeded on PS1". */
  cancelReason: string | null;
  /** How many evaluations found the condition (failed runs for SyncFailure) while it was active. */
  occurrences: number;
  lastOccurredAt: string;
  deliveries: AlertDelivery[];
}

export type WebhookFormat = 'generic' | 'teams' | 'slack';
export const webhookFormats: readonly WebhookFormat[] = ['generic', 'teams', 'slack'];

export type AlertSubscription =
  | { name: string; kind: 'webhook'; url: string; format: WebhookFormat }
  | { name: string; kind: 'email'; to: string[] };

export type SmtpSecurity = 'starttls' | 'tls' | 'none';
export const smtpSecurities: readonly SmtpSecurity[] = ['starttls', 'tls', 'none'];

export interface SmtpSettings {
  server: string;
  port: number;
  /** starttls: upgrade a plain connection (required, port 587); tls: TLS from the start (465); none: plain (a relay on loopback). */
  security: SmtpSecurity;
  from: string;
  username?: string;
  /** Stored so mail can be sent; never shown. */
  password?: string;
  /** PEM bundle of extra trusted certificate authorities for the SMTP server's certificate. */
  caFile?: string;
}

/** `<home>/alerts.json`. The sync failure alert itself is switched by the top-level site's EnableSyncFailureAlert. */
export interface AlertSettings {
  /** Raise NoSuccessfulSync when a site has had no successful sync for this many hours; null = off. */
  noSuccessfulSyncHours: number | null;
  /** Raise CatalogVersionLag when a child's catalog version is more than this many versions behind its parent's; null = off. */
  catalogVersionLagThreshold: number | null;
  subscriptions: AlertSubscription[];
  smtp?: SmtpSettings;
  /** Attempts per delivery before it is reported Failed. */
  deliveryAttempts: number;
  /** Delay before the first retry of a delivery; each next retry waits four times longer (at most 6 hours). */
  retryDelaySeconds: number;
}

export const defaultAlertSettings = (): AlertSettings => ({
  noSuccessfulSyncHours: null,
  catalogVersionLagThreshold: null,
  subscriptions: [],
  deliveryAttempts: 6,
  retryDelaySeconds: 30,
});

/** When the next attempt of a delivery that failed `attempts` times is due; undefined: give up. */
export function nextDeliveryAttempt(settings: Pick<AlertSettings, 'deliveryAttempts' | 'retryDelaySeconds'>, attempts: number, now: Date): Date | undefined {
  if (attempts >= settings.deliveryAttempts) return undefined;
  const seconds = Math.min(settings.retryDelaySeconds * 4 ** (attempts - 1), 6 * 3600);
  return new Date(now.getTime() + seconds * 1000);
}

/** Checks alert settings read from a file or built from a command; names the first wrong field. */
export function validateAlertSettings(json: unknown, fail: (field: string, expected: string) => never): AlertSettings {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(json)) return fail('(root)', 'must be a JSON object');
  const optionalNumber = (field: string, min: number) => {
    const v = json[field];
    if (v !== null && !(typeof v === 'number' && Number.isFinite(v) && v >= min)) fail(field, `must be null (off) or a number of at least ${min}`);
  };
  optionalNumber('noSuccessfulSyncHours', 0.01);
  optionalNumber('catalogVersionLagThreshold', 0);
  if (!Number.isInteger(json.deliveryAttempts) || (json.deliveryAttempts as number) < 1) fail('deliveryAttempts', 'must be a whole number of at least 1');
  if (!(typeof json.retryDelaySeconds === 'number' && json.retryDelaySeconds >= 0)) fail('retryDelaySeconds', 'must be a number of seconds, at least 0');
  if (!Array.isArray(json.subscriptions)) return fail('subscriptions', 'must be a list');
  const names = new Set<string>();
  json.subscriptions.forEach((s: unknown, i: number) => {
    const field = `subscriptions[${i}]`;
    if (!isObject(s) || typeof s.name !== 'string' || s.name.trim() === '') return fail(`${field}.name`, 'must be a name');
    if (names.has(s.name.toLowerCase())) fail(`${field}.name`, `must be unique ('${s.name}' is used twice)`);
    names.add(s.name.toLowerCase());
    if (s.kind === 'webhook') {
      if (typeof s.url !== 'string' || !/^https?:\/\//i.test(s.url)) fail(`${field}.url`, 'must be an http(s) URL');
      if (!webhookFormats.includes(s.format as WebhookFormat)) fail(`${field}.format`, `must be one of ${webhookFormats.join(', ')}`);
    } else if (s.kind === 'email') {
      if (!Array.isArray(s.to) || s.to.length === 0 || !s.to.every(isEmailAddress)) fail(`${field}.to`, 'must be a list of e-mail addresses');
    } else fail(`${field}.kind`, 'must be webhook or email');
  });
  if (json.smtp !== undefined) {
    const smtp = json.smtp;
    if (!isObject(smtp)) return fail('smtp', 'must be an object');
    if (typeof smtp.server !== 'string' || smtp.server.trim() === '') fail('smtp.server', 'must be a host name');
    if (!Number.isInteger(smtp.port) || (smtp.port as number) < 1 || (smtp.port as number) > 65535) fail('smtp.port', 'must be a port number (1-65535)');
    if (!smtpSecurities.includes(smtp.security as SmtpSecurity)) fail('smtp.security', `must be one of ${smtpSecurities.join(', ')}`);
    if (!isEmailAddress(smtp.from)) fail('smtp.from', 'must be an e-mail address');
    if ((smtp.username === undefined) !== (smtp.password === undefined)) fail(smtp.username === undefined ? 'smtp.username' : 'smtp.password', 'goes with a user name and a password together');
    for (const key of ['username', 'password', 'caFile']) if (smtp[key] !== undefined && typeof smtp[key] !== 'string') fail(`smtp.${key}`, 'must be text');
  }
  return json as unknown as AlertSettings;
}

export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && /^[^\s@<>]+@[^\s@<>]+$/.test(value);
}
