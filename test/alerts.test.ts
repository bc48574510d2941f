/**
 * Alerts: what raises and cancels them (pure, fast), what a delivery says, and the whole path on
 * real parts: a hierarchy synced by the built CLI and the service from an upstream on 127.0.0.1
 * that fails and recovers, a loopback webhook receiver, a real SMTP server (smtp-server) with
 * STARTTLS and a login, and a dead webhook that answers 503.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { simpleParser } from 'mailparser';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { type SiteAlertInput, planAlerts } from '../src/alerts/evaluate.js';
import { emailMessage, webhookPayload } from '../src/alerts/payloads.js';
import { type AlertRecord, defaultAlertSettings, nextDeliveryAttempt } from '../src/model/alert.js';
import { createMetrics } from '../src/monitor/metrics.js';
import { Home } from '../src/store/home.js';
import { type MailReceiver, type WebhookReceiver, mailReceiver, waitFor, webhookReceiver } from './helpers/alert-receivers.js';
import { tempDir } from './helpers/cli.js';
import { type ServedSite, cli, serveSite, upstreamHome } from './helpers/hierarchy.js';
import { cliPath } from './helpers/fixtures.js';
import { runCommandLine } from './helpers/in-process.js';
import { makeCertificate } from './helpers/servers.js';
import { spawn } from 'node:child_process';

const now = new Date('2026-03-10T12:00:00Z');

function site(change: Partial<SiteAlertInput> = {}): SiteAlertInput {
  return {
    code: 'CS1',
    serverName: 'cs1.test',
    parent: undefined,
    createdAt: '2026-03-01T00:00:00Z',
    lastSyncState: 6702,
    running: false,
    lastSyncErrorCode: null,
    lastSyncErrorMessage: null,
    lastSuccessfulSyncTime: '2026-03-10T11:00:00Z',
    catalogVersion: 3,
    consecutiveFailures: 0,
    syncFailureAlertEnabled: true,
    ...change,
  };
}

function active(change: Partial<AlertRecord>): AlertRecord {
  return {
    id: 1,
    type: 'SyncFailure',
    site: 'CS1',
    state: 'Active',
    severity: 'Error',
    message: 'm',
    errorCode: null,
    raisedAt: '2026-03-10T10:00:00Z',
    canceledAt: null,
    cancelReason: null,
    occurrences: 1,
    lastOccurredAt: '2026-03-10T10:00:00Z',
    deliveries: [],
    ...change,
  };
}

const failed = { lastSyncState: 6703, lastSyncErrorCode: 'UpstreamUnreachable', lastSyncErrorMessage: 'connect ECONNREFUSED', consecutiveFailures: 1 };

describe('alerts: what raises and cancels them', () => {
  const settings = defaultAlertSettings();

  it('raises a sync failure alert with the site and the error when EnableSyncFailureAlert is on, and none when it is off', () => {
    const plan = planAlerts([site(failed)], [], settings, now);
    expect(plan.raise).to.have.length(1);
    expect(plan.raise[0]).to.include({ type: 'SyncFailure', site: 'CS1', severity: 'Error', errorCode: 'UpstreamUnreachable' });
    expect(plan.raise[0]!.message).to.contain('CS1').and.to.contain('connect ECONNREFUSED');
    expect(planAlerts([site({ ...failed, syncFailureAlertEnabled: false })], [], settings, now).raise).to.deep.equal([]);
  });

  it('keeps one alert while the site goes on failing, counting the failed runs, and cancels it at the next success only', () => {
    const current = active({ occurrences: 1 });
    expect(planAlerts([site({ ...failed, consecutiveFailures: 1 })], [current], settings, now)).to.deep.equal({ raise: [], recur: [], cancel: [] });
    expect(planAlerts([site({ ...failed, consecutiveFailures: 2 })], [current], settings, now).recur).to.deep.equal([
      { id: 1, message: 'Synchronization failed on software update point cs1.test of site CS1: connect ECONNREFUSED', errorCode: 'UpstreamUnreachable', occurrences: 2 },
    ]);
    // A sync under way after the failure does not cancel it; its success does.
    expect(planAlerts([site({ lastSyncState: 6704, running: true })], [current], settings, now).cancel).to.deep.equal([]);
    expect(planAlerts([site()], [current], settings, now).cancel).to.deep.equal([{ id: 1, reason: 'Sync succeeded on site CS1' }]);
  });

  it('raises the no-successful-sync alert past the threshold, counting a never-synchronized site from its creation', () => {
    const hours = { ...settings, noSuccessfulSyncHours: 24 };
    expect(planAlerts([site({ lastSuccessfulSyncTime: '2026-03-09T13:00:00Z' })], [], hours, now).raise).to.deep.equal([]);
    const late = planAlerts([site({ lastSuccessfulSyncTime: '2026-03-09T11:00:00Z' })], [], hours, now).raise;
    expect(late.map((a) => [a.type, a.severity])).to.deep.equal([['NoSuccessfulSync', 'Warning']]);
    expect(late[0]!.message).to.contain('for 25 hours');
    const never = planAlerts([site({ lastSyncState: null, lastSuccessfulSyncTime: null })], [], hours, now).raise;
    expect(never[0]!.message).to.contain('never synchronized');
    expect(planAlerts([site()], [active({ type: 'NoSuccessfulSync' })], hours, now).cancel).to.have.length(1);
  });

  it("raises the catalog version lag alert when a child is more than the threshold behind, not while it syncs", () => {
    const lag = { ...settings, catalogVersionLagThreshold: 2 };
    const parent = site({ catalogVersion: 10 });
    const child = (v: number, running = false) => site({ code: 'PS1', parent: 'CS1', catalogVersion: v, running });
    expect(planAlerts([parent, child(8)], [], lag, now).raise).to.deep.equal([]);
    expect(planAlerts([parent, child(7)], [], lag, now).raise.map((a) => [a.type, a.site])).to.deep.equal([['CatalogVersionLag', 'PS1']]);
    expect(planAlerts([parent, child(7, true)], [], lag, now).raise).to.deep.equal([]);
    expect(planAlerts([parent, child(9)], [active({ id: 4, type: 'CatalogVersionLag', site: 'PS1' })], lag, now).cancel.map((c) => c.id)).to.deep.equal([4]);
  });

  it('retries a delivery with growing delays, then gives up', () => {
    const retry = { deliveryAttempts: 4, retryDelaySeconds: 30 };
    const delays = [1, 2, 3].map((attempts) => (nextDeliveryAttempt(retry, attempts, now)!.getTime() - now.getTime()) / 1000);
    expect(delays).to.deep.equal([30, 120, 480]);
    expect(nextDeliveryAttempt(retry, 4, now)).to.equal(undefined);
    expect((nextDeliveryAttempt({ deliveryAttempts: 20, retryDelaySeconds: 30 }, 12, now)!.getTime() - now.getTime()) / 1000).to.equal(6 * 3600);
  });
});

describe('alerts: what a delivery says', () => {
  const alert = active({ id: 7, site: 'PS1', message: 'Synchronization failed on software update point ps1.test of site PS1: HTTP 404', errorCode: 'UpstreamHttpError' });

  it('a generic JSON body with every field, a Slack message, a Teams Adaptive Card and a mail', () => {
    expect(webhookPayload('generic', alert, 'raised')).to.deep.include({ source: 'supsync', event: 'raised' });
    expect((webhookPayload('generic', alert, 'raised') as { alert: object }).alert).to.include({ id: 7, type: 'SyncFailure', site: 'PS1', state: 'Active', errorCode: 'UpstreamHttpError' });
    const slack = webhookPayload('slack', alert, 'raised') as { text: string; blocks: { type: string }[] };
    expect(slack.text).to.contain('PS1').and.to.contain('HTTP 404');
    expect(slack.blocks.map((b) => b.type)).to.deep.equal(['header', 'section', 'section']);
    const teams = webhookPayload('teams', alert, 'canceled') as { type: string; attachments: { contentType: string; content: { type: string; body: { type: string; text?: string }[] } }[] };
    expect(teams.type).to.equal('message');
    expect(teams.attachments[0]!.contentType).to.equal('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0]!.content.type).to.equal('AdaptiveCard');
    expect(teams.attachments[0]!.content.body[0]!.text).to.match(/^Canceled: /);
    const mail = emailMessage(alert, 'raised');
    expect(mail.subject).to.equal('[supsync] Synchronization failure alert for software update point of site PS1');
    expect(mail.text).to.contain('HTTP 404').and.to.contain('UpstreamHttpError');
  });
});

describe('alerts on a live hierarchy (CLI, service, webhook, SMTP)', function () {
  this.timeout(180_000);
  let home: string;
  let upstream: ServedSite;
  let gate: { url: string; open: boolean; close(): Promise<void> };
  let hook: WebhookReceiver;
  let dead: WebhookReceiver;
  let mail: MailReceiver;

  const alerts = async (...args: string[]) => (await cli(home, ['alert', 'list', ...args])).records;
  const hookEvents = (path: string) => hook.posts.filter((p) => p.path === path).map((p) => p.body as { event: string; alert: Record<string, unknown> });

  before(async () => {
    ({ home } = await upstreamHome(40, 'alerts-test'));
    upstream = await serveSite(home, 'UPS');
    gate = await upstreamGate(upstream.url);
    const certificate = makeCertificate(tempDir('supsync-alert-cert-'));
    if (!certificate) throw new Error('openssl is needed to make the SMTP server certificate');
    [hook, dead, mail] = await Promise.all([webhookReceiver(), webhookReceiver(503), mailReceiver(certificate, 'alerts', 'smtp-pass-1')]);

    const products = (await cli(home, ['category', 'list', '--site', 'UPS', '--type', 'product'])).records.map((r) => String(r.Id));
    const classifications = (await cli(home, ['category', 'list', '--site', 'UPS', '--type', 'classification'])).records.map((r) => String(r.Id));
    await cli(home, ['site', 'add', '--code', 'CS1', '--role', 'central', '--server-name', 'cs1.test']);
    await cli(home, ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1', '--server-name', 'ps1.test']);
    await cli(home, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', gate.url, '--add-product', ...products, '--add-classification', ...classifications]);
    await cli(home, ['sup', 'set', '--site', 'CS1', '--enable-sync-failure-alert', 'true']);
    const smtp = ['--smtp-server', '127.0.0.1', '--smtp-port', String(mail.port), '--smtp-security', 'starttls', '--smtp-from', 'supsync@test.example'];
    await cli(home, ['alert', 'set', ...smtp, '--smtp-username', 'alerts', '--smtp-password', 'smtp-pass-1', '--smtp-ca-file', certificate.certFile]);
    await cli(home, ['alert', 'subscribe', '--name', 'ops-hook', '--webhook-url', `${hook.url}/generic/secret-token`]);
    await cli(home, ['alert', 'subscribe', '--name', 'ops-slack', '--webhook-url', `${hook.url}/slack`, '--webhook-format', 'slack']);
    await cli(home, ['alert', 'subscribe', '--name', 'ops-mail', '--email-address', 'sup-admins@test.example']);
  });
  after(async () => {
    await Promise.all([gate?.close(), upstream?.stop(), hook?.close(), dead?.close(), mail?.close()]);
  });

  it('refuses bad settings and subscriptions with the input named, changing nothing', async () => {
    const before = (await cli(home, ['alert', 'settings'])).records;
    for (const [args, target] of [
      [['alert', 'subscribe', '--name', 'x', '--webhook-url', 'ftp://example.test/'], '--webhook-url'],
      [['alert', 'subscribe', '--name', 'x', '--email-address', 'not-an-address'], '--email-address'],
      [['alert', 'subscribe', '--name', 'x', '--webhook-url', 'http://127.0.0.1/', '--email-address', 'a@test.example'], '--webhook-url'],
      [['alert', 'subscribe', '--name', 'OPS-HOOK', '--webhook-url', 'http://127.0.0.1/'], 'OPS-HOOK'],
      [['alert', 'set', '--no-successful-sync-hours', '-1'], '--no-successful-sync-hours'],
      [['alert', 'set', '--catalog-version-lag-threshold', '1.5'], '--catalog-version-lag-threshold'],
      [['alert', 'set', '--smtp-port', '70000'], '--smtp-port'],
      [['alert', 'set', '--smtp-from', 'nobody'], '--smtp-from'],
      [['alert', 'unsubscribe', '--name', 'nope'], 'nope'],
    ] as [string[], string][]) {
      const result = await runCommandLine(home, args);
      expect(result.code, args.join(' ')).to.not.equal(0);
      expect(result.records[0], args.join(' ')).to.include({ type: 'SupSync.Error', target });
    }
    expect((await cli(home, ['alert', 'settings'])).records).to.deep.equal(before);
    // The webhook URL's path (its secret) and the SMTP password are never shown.
    const shown = JSON.stringify([...before, ...(await cli(home, ['alert', 'subscriptions'])).records]);
    expect(shown).to.not.contain('secret-token').and.to.not.contain('smtp-pass-1');
    expect(before[0]).to.include({ SmtpPasswordSet: true, SmtpUserName: 'alerts', SmtpSecurity: 'starttls' });
  });

  it('a failing upstream raises one alert, delivered once to the webhooks and by mail with the site and the error', async () => {
    gate.open = false;
    const first = await runCommandLine(home, ['sync', '--site', 'CS1']);
    expect(first.code).to.not.equal(0);
    const result = first.records.find((r) => r.type === 'SupSync.SyncResult')!;
    expect(result).to.include({ SiteCode: 'CS1', State: 'Failed' });
    const status = (await cli(home, ['status', '--site', 'CS1'])).records[0]!;
    expect(status.LastSyncState).to.equal(6703);

    const [alert] = await alerts();
    expect(alert).to.include({ AlertType: 'SyncFailure', SiteCode: 'CS1', AlertState: 'Active', Severity: 'Error', ErrorCode: status.LastSyncErrorCode, OccurrenceCount: 1 });
    expect(String(alert!.Message)).to.contain(String(result.Error));
    expect((alert!.Deliveries as Record<string, unknown>[]).map((d) => [d.Subscription, d.Event, d.State, d.Attempts])).to.deep.equal([
      ['ops-hook', 'raised', 'Delivered', 1],
      ['ops-slack', 'raised', 'Delivered', 1],
      ['ops-mail', 'raised', 'Delivered', 1],
    ]);

    const generic = hookEvents('/generic/secret-token');
    expect(generic).to.have.length(1);
    expect(generic[0]!.event).to.equal('raised');
    expect(generic[0]!.alert).to.include({ id: alert!.ID, site: 'CS1', type: 'SyncFailure', state: 'Active', errorCode: status.LastSyncErrorCode });
    expect(String(generic[0]!.alert.message)).to.contain(String(result.Error));
    const slack = hook.posts.filter((p) => p.path === '/slack').map((p) => p.body as { text: string });
    expect(slack).to.have.length(1);
    expect(slack[0]!.text).to.contain('CS1').and.to.contain(String(result.Error));

    expect(mail.messages).to.have.length(1);
    const message = mail.messages[0]!;
    // Sent over STARTTLS with the login.
    expect(message).to.include({ from: 'supsync@test.example', user: 'alerts', secure: true });
    expect(message.to).to.deep.equal(['sup-admins@test.example']);
    const parsed = await simpleParser(message.raw);
    expect(parsed.subject).to.equal('[supsync] Synchronization failure alert for software update point of site CS1');
    expect(parsed.text).to.contain(String(result.Error)).and.to.contain(String(status.LastSyncErrorCode));

    // Failing again: still one alert, one more occurrence, nothing delivered twice.
    expect((await runCommandLine(home, ['sync', '--site', 'CS1'])).code).to.not.equal(0);
    const again = await alerts();
    expect(again).to.have.length(1);
    expect(again[0]).to.include({ ID: alert!.ID, AlertState: 'Active', OccurrenceCount: 2 });
    expect(hook.posts).to.have.length(2);
    expect(mail.messages).to.have.length(1);
  });

  it('the next successful sync cancels it, and the subscriptions are told once', async () => {
    gate.open = true;
    const ok = await cli(home, ['sync', '--site', 'CS1', '--wait']);
    expect(ok.records.filter((r) => r.type === 'SupSync.SyncResult').map((r) => [r.SiteCode, r.State])).to.deep.equal([
      ['CS1', 'Succeeded'],
      ['PS1', 'Succeeded'],
    ]);
    const [alert] = await alerts();
    expect(alert).to.include({ AlertState: 'Canceled', CancelReason: 'Sync succeeded on site CS1' });
    expect(alert!.CancelTime).to.be.a('string');
    expect((alert!.Deliveries as Record<string, unknown>[]).filter((d) => d.Event === 'canceled').map((d) => [d.Subscription, d.State])).to.deep.equal([
      ['ops-hook', 'Delivered'],
      ['ops-slack', 'Delivered'],
      ['ops-mail', 'Delivered'],
    ]);
    expect(hookEvents('/generic/secret-token').map((e) => [e.event, e.alert.state])).to.deep.equal([
      ['raised', 'Active'],
      ['canceled', 'Canceled'],
    ]);
    expect(mail.messages).to.have.length(2);
    expect((await simpleParser(mail.messages[1]!.raw)).subject).to.equal('[supsync] Canceled: Synchronization failure alert for software update point of site CS1');
    expect(await alerts('--state', 'Active')).to.deep.equal([]);
  });

  it('a dead webhook is retried with backoff by the service and reported Failed, without harming the syncs', async () => {
    await cli(home, ['alert', 'set', '--delivery-attempts', '3', '--retry-delay-seconds', '0.2']);
    await cli(home, ['alert', 'subscribe', '--name', 'dead-hook', '--webhook-url', `${dead.url}/hook`]);
    const service = new ServiceProcess(home, ['--site', 'CS1', '--site', 'PS1', '--poll-seconds', '0.3']);
    try {
      await service.started();
      gate.open = false;
      const failing = await runCommandLine(home, ['sync', '--site', 'CS1']);
      // The sync's own outcome: the upstream's failure, nothing about the webhook (the CLI or the service, whichever claims it first, makes the first attempt).
      const result = failing.records.find((r) => r.type === 'SupSync.SyncResult')!;
      expect(result).to.include({ State: 'Failed', ErrorCode: 'UpstreamHttpError' });

      // The service retries the dead webhook until the attempts are used up.
      const deadDelivery = async () => ((await alerts('--state', 'Active'))[0]?.Deliveries as Record<string, unknown>[] | undefined)?.find((d) => d.Subscription === 'dead-hook');
      await waitFor(async () => (await deadDelivery())?.State === 'Failed', 'the dead webhook delivery to be reported Failed');
      const delivery = (await deadDelivery())!;
      expect(delivery).to.include({ State: 'Failed', Attempts: 3, LastError: 'HTTP 503 from the webhook', NextAttemptTime: null });
      expect(dead.hits).to.equal(3);
      const [alert] = await alerts('--state', 'Active');
      expect(String(alert!.DeliveryStatus)).to.contain('dead-hook: Failed after 3 attempt(s): HTTP 503 from the webhook');
      // The others were delivered once each.
      expect((alert!.Deliveries as Record<string, unknown>[]).filter((d) => d.Subscription !== 'dead-hook').map((d) => [d.Subscription, d.State, d.Attempts])).to.deep.equal([
        ['ops-hook', 'Delivered', 1],
        ['ops-slack', 'Delivered', 1],
        ['ops-mail', 'Delivered', 1],
      ]);
      expect(hookEvents('/generic/secret-token').filter((e) => e.alert.id === alert!.ID)).to.have.length(1);
      // The failed delivery shows in the metrics too.
      const scraped = parsePrometheusTextFormat((await createMetrics(new Home(home), { processMetrics: false }).render()).body);
      const deliveries = scraped.find((f) => f.name === 'supsync_alert_deliveries')!.metrics;
      expect(deliveries.find((m) => m.labels?.state === 'Failed')?.value).to.equal('1');

      // A sync with the webhook still dead succeeds as usual and cancels the alert.
      gate.open = true;
      const ok = await runCommandLine(home, ['sync', '--site', 'CS1']);
      expect(ok.code).to.equal(0);
      expect(ok.records.find((r) => r.type === 'SupSync.SyncResult')).to.include({ State: 'NoChanges' });
      expect((await alerts('--id', String(alert!.ID)))[0]).to.include({ AlertState: 'Canceled' });
    } finally {
      expect(await service.stop()).to.equal(0);
    }
  });
});

/** A loopback reverse proxy to the upstream that, when closed, answers 404 to everything (a permanent failure, at once). */
async function upstreamGate(target: string): Promise<{ url: string; open: boolean; close(): Promise<void> }> {
  const gate = { open: true };
  const server = http.createServer((req, res) => {
    if (!gate.open) {
      req.resume();
      return res.writeHead(404).end();
    }
    const forward = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(gate, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  });
}

/** `supsync service` as a child process. */
class ServiceProcess {
  readonly #child;
  stderr = '';
  readonly #exit: Promise<number | null>;
  constructor(home: string, args: string[]) {
    this.#child = spawn(process.execPath, [cliPath, '--home', home, '--output', 'json', 'service', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.#exit = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }
  async started(): Promise<void> {
    await waitFor(() => this.stderr.includes('stop with Ctrl+C') || this.#child.exitCode !== null, 'the service to start');
    if (this.#child.exitCode !== null) throw new Error(`the service exited with ${this.#child.exitCode}: ${this.stderr}`);
  }
  stop(): Promise<number | null> {
    if (this.#child.exitCode === null) this.#child.kill('SIGTERM');
    return this.#exit;
  }
}
