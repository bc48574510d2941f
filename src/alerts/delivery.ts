/**
 * Sends the due deliveries of alerts: webhooks through got, e-mail through nodemailer (SMTP with
 * STARTTLS or TLS and authentication). Each delivery is claimed first, so two processes
 * delivering at once send it once; a failed attempt is retried with growing delays (settings),
 * then reported Failed with its last error on the alert record. Never throws for a failed delivery.
 */
import fs from 'node:fs';
import got from 'got';
import { type AlertDelivery, type AlertRecord, type AlertSettings, type AlertSubscription, nextDeliveryAttempt } from '../model/alert.js';
import { claimDelivery, dueDeliveries, openAlertDb, recordDeliveryAttempt } from '../store/alert-db.js';
import { readAlertSettings } from '../store/alert-settings.js';
import type { Home } from '../store/home.js';
import { emailMessage, webhookPayload } from './payloads.js';

export interface DeliveryOptions {
  /** Per attempt (default 15 s). */
  timeoutMs?: number;
  /** A line per attempt that failed, for the operator. */
  onNote?: (message: string) => void;
}

export interface DeliveryReport {
  delivered: number;
  /** Failed attempts that will be retried. */
  retrying: number;
  /** Deliveries that failed for good. */
  failed: number;
}

export async function deliverDueAlerts(home: Home, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
  const timeoutMs = options.timeoutMs ?? 15_000;
  const settings = readAlertSettings(home);
  const db = openAlertDb(home);
  try {
    for (const { delivery, alert } of dueDeliveries(db, new Date())) {
      const now = new Date();
      if (!claimDelivery(db, delivery.id, now, new Date(now.getTime() + timeoutMs + 60_000))) continue;
      let error: string | undefined;
      try {
        await send(settings, delivery, alert, timeoutMs);
      } catch (thrown) {
        error = describeError(thrown);
      }
      const attempts = delivery.attempts + 1;
      const next = error === undefined ? undefined : nextDeliveryAttempt(settings, attempts, new Date());
      recordDeliveryAttempt(db, delivery.id, error === undefined ? { ok: true } : { ok: false, error, nextAttemptAt: next }, new Date());
      if (error === undefined) report.delivered++;
      else {
        if (next) report.retrying++;
        else report.failed++;
        options.onNote?.(
          `Alert ${alert.id} (${alert.type}, site ${alert.site}): delivery to ${delivery.subscription} failed (attempt ${attempts}): ${error}; ${next ? `retrying at ${next.toISOString()}` : 'no more attempts'}`,
        );
      }
    }
  } finally {
    db.close();
  }
  return report;
}

async function send(settings: AlertSettings, delivery: AlertDelivery, alert: AlertRecord, timeoutMs: number): Promise<void> {
  const subscription = settings.subscriptions.find((s) => s.name === delivery.subscription);
  if (!subscription) throw new Error(`the subscription ${delivery.subscription} no longer exists`);
  if (subscription.kind === 'webhook') return sendWebhook(subscription, alert, delivery, timeoutMs);
  return sendEmail(settings, subscription, alert, delivery, timeoutMs);
}

async function sendWebhook(subscription: Extract<AlertSubscription, { kind: 'webhook' }>, alert: AlertRecord, delivery: AlertDelivery, timeoutMs: number): Promise<void> {
  // Retries are ours, across attempts with growing delays; got makes one attempt.
  try {
    await got.post(subscription.url, { json: webhookPayload(subscription.format, alert, delivery.event), timeout: { request: timeoutMs }, retry: { limit: 0 }, followRedirect: false });
  } catch (error) {
    // A webhook URL's path is its secret: it stays out of the error kept on the alert record.
    if (error instanceof Error) error.message = error.message.split(subscription.url).join(`${new URL(subscription.url).origin}/…`);
    throw error;
  }
}

async function sendEmail(settings: AlertSettings, subscription: Extract<AlertSubscription, { kind: 'email' }>, alert: AlertRecord, delivery: AlertDelivery, timeoutMs: number): Promise<void> {
  const smtp = settings.smtp;
  if (!smtp) throw new Error('no SMTP server is set (supsync alert set --smtp-server …)');
  // Loaded when mail is sent: every CLI start would pay for it otherwise.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.server,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.username !== undefined ? { auth: { user: smtp.username, pass: smtp.password ?? '' } } : {}),
    ...(smtp.caFile ? { tls: { ca: fs.readFileSync(smtp.caFile) } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const message = emailMessage(alert, delivery.event);
    await transport.sendMail({ from: smtp.from, to: subscription.to, subject: message.subject, text: message.text });
  } finally {
    transport.close();
  }
}

function describeError(error: unknown): string {
  const e = error as { message?: string; code?: string; response?: { statusCode?: number } };
  if (e.response?.statusCode !== undefined) return `HTTP ${e.response.statusCode} from the webhook`;
  return e.message ?? String(error);
}
