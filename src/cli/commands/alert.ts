/** `alert list`, `alert subscribe|subscriptions|unsubscribe`, `alert settings`, `alert set`. */
import fs from 'node:fs';
import path from 'node:path';
import { alertName } from '../../alerts/alerts.js';
import { InvalidArgumentError, NotFoundError, ResourceExistsError } from '../../errors.js';
import {
  type AlertRecord,
  type AlertSettings,
  type AlertState,
  type AlertSubscription,
  type AlertType,
  type SmtpSecurity,
  type WebhookFormat,
  isEmailAddress,
  validateAlertSettings,
} from '../../model/alert.js';
import { normalizeSiteCode } from '../../site/model.js';
import { listAlerts } from '../../store/alert-db.js';
import { readAlertSettings, updateAlertSettings } from '../../store/alert-settings.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';

const alertList: CommandHandler = ({ home, args, emit }) => {
  const site = stringArg(args, 'site');
  const id = args.id === undefined ? undefined : Number(args.id);
  if (id !== undefined && !(Number.isInteger(id) && id > 0)) throw new InvalidArgumentError('InvalidArgument', `--id must be an alert ID (a whole number from 1), got ${String(args.id)}`, { target: '--id' });
  const alerts = listAlerts(home, {
    ...(site !== undefined ? { site: normalizeSiteCode(site, '--site') } : {}),
    ...(args.state !== undefined ? { state: String(args.state) as AlertState } : {}),
    ...(args.type !== undefined ? { type: String(args.type) as AlertType } : {}),
  });
  for (const alert of alerts) if (id === undefined || alert.id === id) emit(alertRecord(alert));
};

export function alertRecord(alert: AlertRecord) {
  return {
    type: 'SupSync.Alert',
    ID: alert.id,
    Name: alertName(alert),
    AlertType: alert.type,
    SiteCode: alert.site,
    AlertState: alert.state,
    Severity: alert.severity,
    Message: alert.message,
    ErrorCode: alert.errorCode,
    StartTime: alert.raisedAt,
    LastOccurrenceTime: alert.lastOccurredAt,
    OccurrenceCount: alert.occurrences,
    CancelTime: alert.canceledAt,
    CancelReason: alert.cancelReason,
    DeliveryStatus: deliverySummary(alert),
    Deliveries: alert.deliveries.map((d) => ({
      Subscription: d.subscription,
      Channel: d.channel,
      Event: d.event,
      State: d.state,
      Attempts: d.attempts,
      LastAttemptTime: d.lastAttemptAt,
      NextAttemptTime: d.state === 'Pending' ? d.nextAttemptAt : null,
      DeliveredTime: d.deliveredAt,
      LastError: d.lastError,
    })),
  };
}

/** "Teams: Delivered, mail: Failed (connect ECONNREFUSED …)": one line for a table. */
function deliverySummary(alert: AlertRecord): string {
  if (alert.deliveries.length === 0) return 'No subscriptions';
  return alert.deliveries
    .map((d) => {
      const what = `${d.subscription}${d.event === 'canceled' ? ' (canceled)' : ''}: ${d.state}`;
      return d.state !== 'Delivered' && d.lastError ? `${what} after ${d.attempts} attempt(s): ${d.lastError}` : what;
    })
    .join('; ');
}

const subscriptionAdd: CommandHandler = ({ home, args, emit }) => {
  const name = String(args.name).trim();
  const emails = listArg(args, 'emailAddress');
  const url = stringArg(args, 'webhookUrl');
  const format = (stringArg(args, 'webhookFormat') ?? 'generic') as WebhookFormat;
  if (name === '') throw new InvalidArgumentError('InvalidArgument', '--name must not be empty', { target: '--name' });
  if ((emails === undefined) === (url === undefined)) {
    throw new InvalidArgumentError('ConflictingOptions', 'A subscription takes either --email-address or --webhook-url', { target: emails ? '--webhook-url' : '--email-address' });
  }
  if (args.webhookFormat !== undefined && url === undefined) throw new InvalidArgumentError('ConflictingOptions', '--webhook-format goes with --webhook-url', { target: '--webhook-format' });
  let subscription: AlertSubscription;
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) throw new InvalidArgumentError('InvalidUrl', `--webhook-url '${url}' is not an http or https URL`, { target: '--webhook-url' });
    subscription = { name, kind: 'webhook', url, format };
  } else {
    const bad = emails!.find((e) => !isEmailAddress(e));
    if (bad !== undefined) throw new InvalidArgumentError('InvalidEmailAddress', `--email-address '${bad}' is not an e-mail address`, { target: '--email-address' });
    subscription = { name, kind: 'email', to: emails! };
  }
  updateAlertSettings(home, (settings) => {
    if (settings.subscriptions.some((s) => s.name.toLowerCase() === name.toLowerCase())) {
      throw new ResourceExistsError('SubscriptionExists', `An alert subscription named '${name}' exists already (remove it first to change it)`, { target: name });
    }
    return { ...settings, subscriptions: [...settings.subscriptions, subscription] };
  });
  emit(subscriptionRecord(subscription));
};

const subscriptionList: CommandHandler = ({ home, emit }) => {
  for (const subscription of readAlertSettings(home).subscriptions) emit(subscriptionRecord(subscription));
};

const subscriptionRemove: CommandHandler = ({ home, args, emit }) => {
  const name = String(args.name).trim();
  let removed: AlertSubscription | undefined;
  updateAlertSettings(home, (settings) => {
    removed = settings.subscriptions.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!removed) {
      const known = settings.subscriptions.map((s) => s.name);
      throw new NotFoundError('SubscriptionNotFound', `No alert subscription is named '${name}'${known.length ? ` (subscriptions: ${known.join(', ')})` : ' (there are none)'}`, { target: name });
    }
    return { ...settings, subscriptions: settings.subscriptions.filter((s) => s !== removed) };
  });
  emit(subscriptionRecord(removed!));
};

function subscriptionRecord(subscription: AlertSubscription) {
  return {
    type: 'SupSync.AlertSubscription',
    Name: subscription.name,
    Kind: subscription.kind,
    Target: subscription.kind === 'email' ? subscription.to.join(', ') : redactUrl(subscription.url),
    WebhookFormat: subscription.kind === 'webhook' ? subscription.format : null,
  };
}

/** A webhook URL's path and query are its secret (Slack, Teams): only the scheme, host and port are shown. */
function redactUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}/…`;
}

const settingsShow: CommandHandler = ({ home, emit }) => emit(settingsRecord(readAlertSettings(home)));

const settingsSet: CommandHandler = ({ home, args, emit }) => {
  const number = (key: string, flag: string, min: number, integer = false): number | undefined => {
    if (args[key] === undefined) return undefined;
    const n = Number(args[key]);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError('InvalidArgument', `--${flag} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, got ${String(args[key])}`, { target: `--${flag}` });
    }
    return n;
  };
  const hours = number('noSuccessfulSyncHours', 'no-successful-sync-hours', 0);
  const lag = number('catalogVersionLagThreshold', 'catalog-version-lag-threshold', 0, true);
  const attempts = number('deliveryAttempts', 'delivery-attempts', 1, true);
  const retryDelay = number('retryDelaySeconds', 'retry-delay-seconds', 0);
  const port = number('smtpPort', 'smtp-port', 1, true);
  if (port !== undefined && port > 65535) throw new InvalidArgumentError('InvalidArgument', `--smtp-port must be a port number (1-65535), got ${port}`, { target: '--smtp-port' });
  const smtpFlags = ['smtpServer', 'smtpPort', 'smtpSecurity', 'smtpFrom', 'smtpUsername', 'smtpPassword', 'smtpCaFile'].filter((k) => args[k] !== undefined);
  if (args.noSmtp && smtpFlags.length > 0) throw new InvalidArgumentError('ConflictingOptions', '--no-smtp removes the SMTP server: give no other --smtp-* option with it', { target: '--no-smtp' });
  const from = stringArg(args, 'smtpFrom');
  if (from !== undefined && !isEmailAddress(from)) throw new InvalidArgumentError('InvalidEmailAddress', `--smtp-from '${from}' is not an e-mail address`, { target: '--smtp-from' });
  const caFile = stringArg(args, 'smtpCaFile');
  if (caFile !== undefined && !fs.existsSync(caFile)) throw new InvalidArgumentError('FileNotFound', `--smtp-ca-file ${caFile} does not exist`, { target: '--smtp-ca-file' });

  const next = updateAlertSettings(home, (current) => {
    const settings: AlertSettings = { ...current };
    if (hours !== undefined) settings.noSuccessfulSyncHours = hours === 0 ? null : hours;
    if (lag !== undefined) settings.catalogVersionLagThreshold = lag === 0 ? null : lag;
    if (attempts !== undefined) settings.deliveryAttempts = attempts;
    if (retryDelay !== undefined) settings.retryDelaySeconds = retryDelay;
    if (args.noSmtp) delete settings.smtp;
    else if (smtpFlags.length > 0) {
      const server = stringArg(args, 'smtpServer') ?? current.smtp?.server;
      if (server === undefined) throw new InvalidArgumentError('MissingArgument', 'No SMTP server is set yet: give --smtp-server', { target: '--smtp-server' });
      const security = (stringArg(args, 'smtpSecurity') ?? current.smtp?.security ?? 'starttls') as SmtpSecurity;
      const sender = from ?? current.smtp?.from;
      if (sender === undefined) throw new InvalidArgumentError('MissingArgument', 'An SMTP server needs a sender address: give --smtp-from', { target: '--smtp-from' });
      const username = stringArg(args, 'smtpUsername') ?? current.smtp?.username;
      const password = stringArg(args, 'smtpPassword') ?? current.smtp?.password;
      if ((username === undefined) !== (password === undefined)) {
        throw new InvalidArgumentError('MissingArgument', 'SMTP authentication takes --smtp-username and --smtp-password together', { target: username === undefined ? '--smtp-username' : '--smtp-password' });
      }
      // A new security without a port takes that security's usual port.
      const chosenPort = port ?? (args.smtpSecurity === undefined && current.smtp ? current.smtp.port : { starttls: 587, tls: 465, none: 25 }[security]);
      settings.smtp = {
        server,
        port: chosenPort,
        security,
        from: sender,
        ...(username !== undefined ? { username, password: password! } : {}),
        ...(caFile !== undefined ? { caFile: path.resolve(caFile) } : current.smtp?.caFile ? { caFile: current.smtp.caFile } : {}),
      };
    }
    return validateAlertSettings(settings, (field, expected) => {
      throw new InvalidArgumentError('InvalidArgument', `The alert setting ${field} ${expected}`, { target: field });
    });
  });
  emit(settingsRecord(next));
};

function settingsRecord(settings: AlertSettings) {
  return {
    type: 'SupSync.AlertSetting',
    NoSuccessfulSyncHours: settings.noSuccessfulSyncHours,
    CatalogVersionLagThreshold: settings.catalogVersionLagThreshold,
    DeliveryAttempts: settings.deliveryAttempts,
    RetryDelaySeconds: settings.retryDelaySeconds,
    SmtpServer: settings.smtp?.server ?? null,
    SmtpPort: settings.smtp?.port ?? null,
    SmtpSecurity: settings.smtp?.security ?? null,
    SendFrom: settings.smtp?.from ?? null,
    SmtpUserName: settings.smtp?.username ?? null,
    SmtpPasswordSet: settings.smtp?.password !== undefined,
    SmtpCaFile: settings.smtp?.caFile ?? null,
    Subscriptions: settings.subscriptions.map((s) => s.name),
  };
}

export const alertHandlers: Record<string, CommandHandler> = {
  'alert.list': alertList,
  'alert.subscribe': subscriptionAdd,
  'alert.subscriptions': subscriptionList,
  'alert.unsubscribe': subscriptionRemove,
  'alert.settings': settingsShow,
  'alert.set': settingsSet,
};
