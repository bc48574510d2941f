/**
 * What a delivery says: a generic JSON body (every field of the alert), a Slack incoming-webhook
 * message, a Microsoft Teams message with an Adaptive Card (what Teams' workflow webhooks take),
 * and an e-mail's subject and text. No secret is part of an alert, so none reaches a payload.
 */
import type { AlertRecord, DeliveryEvent, WebhookFormat } from '../model/alert.js';
import { alertName } from './alerts.js';

export function alertFacts(alert: AlertRecord, event: DeliveryEvent): [string, string][] {
  return [
    ['Site', alert.site],
    ['Alert', alert.type],
    ['State', event === 'raised' ? 'Active' : 'Canceled'],
    ['Severity', alert.severity],
    ['Raised', alert.raisedAt],
    ...(alert.errorCode ? ([['Error code', alert.errorCode]] as [string, string][]) : []),
    ...(event === 'canceled' && alert.canceledAt ? ([['Canceled', alert.canceledAt], ['Reason', alert.cancelReason ?? '']] as [string, string][]) : []),
  ];
}

export function headline(alert: AlertRecord, event: DeliveryEvent): string {
  return `${event === 'raised' ? '' : 'Canceled: '}${alertName(alert)}`;
}

export function webhookPayload(format: WebhookFormat, alert: AlertRecord, event: DeliveryEvent): unknown {
  const title = headline(alert, event);
  const facts = alertFacts(alert, event);
  switch (format) {
    case 'generic':
      return {
        source: 'supsync',
        event,
        alert: {
          id: alert.id,
          name: alertName(alert),
          type: alert.type,
          site: alert.site,
          state: event === 'raised' ? 'Active' : 'Canceled',
          severity: alert.severity,
          message: alert.message,
          errorCode: alert.errorCode,
          raisedAt: alert.raisedAt,
          canceledAt: alert.canceledAt,
          cancelReason: alert.cancelReason,
          occurrences: alert.occurrences,
        },
      };
    case 'slack':
      return {
        text: `${title}: ${alert.message}`,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
          { type: 'section', text: { type: 'mrkdwn', text: alert.message } },
          { type: 'section', fields: facts.map(([name, value]) => ({ type: 'mrkdwn', text: `*${name}*\n${value}` })) },
        ],
      };
    case 'teams':
      return {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true, color: event === 'raised' ? (alert.severity === 'Error' ? 'Attention' : 'Warning') : 'Good' },
                { type: 'TextBlock', text: alert.message, wrap: true },
                { type: 'FactSet', facts: facts.map(([name, value]) => ({ title: name, value })) },
              ],
            },
          },
        ],
      };
  }
}

export function emailMessage(alert: AlertRecord, event: DeliveryEvent): { subject: string; text: string } {
  const facts = alertFacts(alert, event);
  const width = Math.max(...facts.map(([name]) => name.length));
  return {
    subject: `[supsync] ${headline(alert, event)}`,
    text: [alert.message, '', ...facts.map(([name, value]) => `${name.padEnd(width)}  ${value}`), '', 'Sent by supsync (supsync alert list shows every alert).'].join('\n'),
  };
}
