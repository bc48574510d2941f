/** The alert commands of the command spec (merged into commandSpec in spec.ts). */
import { alertTypes, smtpSecurities, webhookFormats } from '../model/alert.js';
import type { CommandSpec } from './spec-types.js';

export const alertCommands: CommandSpec[] = [
  {
    id: 'alert.list',
    words: ['alert', 'list'],
    summary: 'Lists the alerts of the sites of this home, newest first, with their deliveries.',
    description:
      "Alerts are raised when a sync fails on any site of the hierarchy (SyncFailure, when the top-level site's EnableSyncFailureAlert is on; the next successful sync cancels it), when a site has had no successful sync for the hours set with \"alert set --no-successful-sync-hours\" (NoSuccessfulSync), and when a child site's catalog version is more than \"alert set --catalog-version-lag-threshold\" versions behind its parent's (CatalogVersionLag). Each record shows the site, the error, when it was raised and canceled, how often it occurred, and every delivery to the subscriptions with its state (Pending, Delivered, Failed), attempts and last error.",
    changesState: false,
    outputTypes: ['SupSync.Alert'],
    params: [
      { flag: 'id', type: 'number', description: 'Only the alert with this ID.', ps: { name: 'Id', pipeline: 'property' } },
      { flag: 'site', type: 'string', description: 'Only alerts about this site.', ps: { name: 'SiteCode', completer: 'site' } },
      { flag: 'state', type: 'string', choices: ['Active', 'Canceled'], description: 'Only Active or only Canceled alerts.', ps: { name: 'AlertState' } },
      { flag: 'type', type: 'string', choices: alertTypes, description: 'Only alerts of this type.', ps: { name: 'AlertType' } },
    ],
    ps: {
      verb: 'Get',
      noun: 'CMAlert',
      examples: [
        { code: 'Get-CMAlert -AlertState Active', remarks: 'Lists the active alerts.' },
        { code: "Get-CMAlert -SiteCode PS1 -AlertType SyncFailure | Select-Object -ExpandProperty Deliveries", remarks: 'Shows where the sync failure alerts of PS1 were delivered, and any failed delivery.' },
      ],
    },
  },
  {
    id: 'alert.subscribe',
    words: ['alert', 'subscribe'],
    summary: 'Adds a subscription: alerts are delivered to a webhook or by e-mail.',
    description:
      'Every alert raised or canceled afterwards is delivered to the subscription: a webhook gets a JSON POST (--webhook-format generic: the alert\'s fields; slack: a Slack incoming-webhook message; teams: a Microsoft Teams message with an Adaptive Card), an e-mail subscription gets a mail through the SMTP server set with "alert set --smtp-server". A failed delivery is retried with growing delays ("alert set --delivery-attempts/--retry-delay-seconds") and then shown as Failed in "alert list"; it never delays or fails a sync.',
    changesState: true,
    outputTypes: ['SupSync.AlertSubscription'],
    params: [
      { flag: 'name', type: 'string', required: true, description: 'A name for the subscription (unique in the home).', ps: { name: 'Name', position: 0 } },
      { flag: 'email-address', type: 'string[]', description: 'Deliver by e-mail to these addresses.', ps: { name: 'EmailAddress' } },
      { flag: 'webhook-url', type: 'string', description: 'Deliver to this webhook URL (http or https).', ps: { name: 'WebhookUrl' } },
      { flag: 'webhook-format', type: 'string', choices: webhookFormats, description: 'The webhook body: generic JSON (default), slack or teams.', ps: { name: 'WebhookFormat' } },
    ],
    ps: {
      verb: 'New',
      noun: 'CMAlertSubscription',
      examples: [
        { code: "New-CMAlertSubscription -Name 'SUP admins' -EmailAddress 'sup-admins@contoso.com'", remarks: 'Mails every alert to the SUP admins (set the SMTP server with Set-SupSyncAlertSetting first).' },
        { code: "New-CMAlertSubscription -Name Teams -WebhookUrl 'https://contoso.webhook.office.com/workflows/abc' -WebhookFormat teams", remarks: 'Posts every alert to a Teams channel.' },
      ],
    },
  },
  {
    id: 'alert.subscriptions',
    words: ['alert', 'subscriptions'],
    summary: 'Lists the alert subscriptions.',
    description: 'Each subscription with its kind and target: the e-mail addresses, or the webhook\'s scheme and host (a webhook URL\'s path often carries its secret and is never shown).',
    changesState: false,
    outputTypes: ['SupSync.AlertSubscription'],
    params: [],
    ps: {
      verb: 'Get',
      noun: 'CMAlertSubscription',
      examples: [
        { code: 'Get-CMAlertSubscription', remarks: 'Lists where alerts are delivered.' },
        { code: "Get-CMAlertSubscription | Where-Object Kind -eq 'email'", remarks: 'Lists the e-mail subscriptions.' },
      ],
    },
  },
  {
    id: 'alert.unsubscribe',
    words: ['alert', 'unsubscribe'],
    summary: 'Removes an alert subscription.',
    description: 'Alerts are no longer delivered to it; pending deliveries to it end as Failed.',
    changesState: true,
    outputTypes: ['SupSync.AlertSubscription'],
    params: [{ flag: 'name', type: 'string', required: true, description: 'The subscription to remove.', ps: { name: 'Name', position: 0, pipeline: 'property' } }],
    ps: {
      verb: 'Remove',
      noun: 'CMAlertSubscription',
      confirmImpact: 'Medium',
      examples: [
        { code: 'Remove-CMAlertSubscription -Name Teams', remarks: 'Stops delivering alerts to the Teams subscription, after confirmation.' },
        { code: "Get-CMAlertSubscription | Where-Object Kind -eq 'webhook' | Remove-CMAlertSubscription -Confirm:$false", remarks: 'Removes every webhook subscription without asking.' },
      ],
    },
  },
  {
    id: 'alert.settings',
    words: ['alert', 'settings'],
    summary: 'Shows the alert settings of this home.',
    description: 'The thresholds of the no-successful-sync and catalog-version-lag alerts, the delivery retries, the SMTP server (the password is never shown) and the subscriptions. The sync failure alert is switched by the top-level site\'s EnableSyncFailureAlert (Set-CMSoftwareUpdatePointComponent).',
    changesState: false,
    outputTypes: ['SupSync.AlertSetting'],
    params: [],
    ps: {
      verb: 'Get',
      noun: 'SupSyncAlertSetting',
      examples: [
        { code: 'Get-SupSyncAlertSetting', remarks: 'Shows the alert thresholds, the SMTP server and the subscriptions.' },
        { code: '(Get-SupSyncAlertSetting).NoSuccessfulSyncHours', remarks: 'Shows after how many hours without a successful sync a site raises an alert (empty: off).' },
      ],
    },
  },
  {
    id: 'alert.set',
    words: ['alert', 'set'],
    summary: 'Changes the alert settings of this home: thresholds, delivery retries, the SMTP server.',
    description:
      'Sets when the no-successful-sync and catalog-version-lag alerts are raised (0 turns each off), how deliveries are retried, and the SMTP server e-mail subscriptions are sent through (STARTTLS on port 587 by default, with a user name and password when the server asks for one).',
    changesState: true,
    outputTypes: ['SupSync.AlertSetting'],
    params: [
      { flag: 'no-successful-sync-hours', type: 'number', description: 'Raise an alert when a site has had no successful sync for more than this many hours (0: off).', ps: { name: 'NoSuccessfulSyncHours' } },
      {
        flag: 'catalog-version-lag-threshold',
        type: 'number',
        description: "Raise an alert when a child site's catalog version is more than this many versions behind its parent's (0: off).",
        ps: { name: 'CatalogVersionLagThreshold' },
      },
      { flag: 'delivery-attempts', type: 'number', description: 'Attempts per delivery before it is reported Failed (default 6).', ps: { name: 'DeliveryAttempts' } },
      { flag: 'retry-delay-seconds', type: 'number', description: 'Delay before the first retry of a failed delivery; each next one waits four times longer, at most 6 hours (default 30).', ps: { name: 'RetryDelaySeconds' } },
      { flag: 'smtp-server', type: 'string', description: 'The SMTP server for e-mail subscriptions.', ps: { name: 'SmtpServerFqdn' } },
      { flag: 'smtp-port', type: 'number', description: 'Its port (default 587 with starttls, 465 with tls, 25 with none).', ps: { name: 'Port' } },
      { flag: 'smtp-security', type: 'string', choices: smtpSecurities, description: 'starttls (default: required upgrade of the connection), tls (TLS from the start) or none.', ps: { name: 'SmtpSecurity' } },
      { flag: 'smtp-from', type: 'string', description: 'The sender address.', ps: { name: 'SendFrom' } },
      { flag: 'smtp-username', type: 'string', description: 'The SMTP account name (with --smtp-password).', ps: { name: 'UserName' } },
      { flag: 'smtp-password', type: 'string', secret: true, description: 'The SMTP password (stored, never shown).', ps: { name: 'Password' } },
      { flag: 'smtp-ca-file', type: 'string', description: "A PEM bundle of extra trusted certificate authorities for the SMTP server's certificate.", ps: { name: 'CaFile', kind: 'path' } },
      { flag: 'no-smtp', type: 'switch', description: 'Remove the SMTP server setting.', ps: { name: 'NoSmtp' } },
    ],
    ps: {
      verb: 'Set',
      noun: 'SupSyncAlertSetting',
      examples: [
        { code: 'Set-SupSyncAlertSetting -NoSuccessfulSyncHours 26 -CatalogVersionLagThreshold 2', remarks: 'Alerts when a site has not synced successfully for 26 hours, or a child is more than 2 catalog versions behind.' },
        { code: "Set-SupSyncAlertSetting -SmtpServerFqdn 'smtp.contoso.com' -SendFrom 'supsync@contoso.com' -UserName 'supsync' -Password (Read-Host -AsSecureString)", remarks: 'Sends alert mail through smtp.contoso.com with STARTTLS on port 587, asking for the password.' },
      ],
    },
  },
];
