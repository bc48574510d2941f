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
}

export const defaultAlertSettings = (): AlertSettings => ({ noSuccessfulSyncHours: null, catalogVersionLagThreshold: null, subscriptions: [] });
