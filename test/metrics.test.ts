/**
 * Metrics on a live hierarchy: sites synced by the built CLI from a SUP endpoint served in this
 * process with the metrics hook, a failing site, a child behind its parent. The text written by
 * `supsync metrics` and rendered for the service is parsed with a Prometheus text parser
 * (parse-prometheus-text-format) and compared with `supsync status` and the site databases; the
 * endpoint's request histogram is read back through prom-client's registry.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import type client from 'prom-client';
import { type Metrics, createMetrics } from '../src/monitor/metrics.js';
import { type RunningEndpoint, SupEndpoint } from '../src/server/sup-endpoint.js';
import { Home } from '../src/store/home.js';
import { type SiteDb, openSiteDb } from '../src/store/site-db.js';
import { SiteStore } from '../src/store/site-store.js';
import { tempDir } from './helpers/cli.js';
import { cli, query, upstreamHome } from './helpers/hierarchy.js';

type Series = Map<string, { labels: Record<string, string>; value: number }[]>;

function series(text: string): { families: ParsedFamily[]; values: Series } {
  const families = parsePrometheusTextFormat(text);
  const values: Series = new Map();
  for (const family of families) values.set(family.name, family.metrics.filter((m) => m.value !== undefined).map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })));
  return { families, values };
}

function valueOf(values: Series, name: string, labels: Record<string, string>): number | undefined {
  const found = (values.get(name) ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(found.length, `${name} ${JSON.stringify(labels)}`).to.be.at.most(1);
  return found[0]?.value;
}

describe('metrics', function () {
  this.timeout(180_000);
  let home: string;
  let upsDb: SiteDb;
  let metrics: Metrics;
  let endpoint: RunningEndpoint;
  let broken: http.Server;

  before(async () => {
    ({ home } = await upstreamHome(40, 'metrics-test'));
    metrics = createMetrics(new Home(home));
    upsDb = openSiteDb(path.join(home, 'sites', 'UPS', 'site.db'));
    // UPS's SUP endpoint in this process, counting its requests into `metrics`, as the service does.
    endpoint = await new SupEndpoint({ store: new SiteStore(upsDb), maxUpdatesPerRequest: 10, onRequest: metrics.supRequestHook('UPS') }).listen('127.0.0.1', 0);
    broken = http.createServer((req, res) => {
      req.resume();
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));

    const products = (await cli(home, ['category', 'list', '--site', 'UPS', '--type', 'product'])).records.map((r) => String(r.Id));
    const classifications = (await cli(home, ['category', 'list', '--site', 'UPS', '--type', 'classification'])).records.map((r) => String(r.Id));
    await cli(home, ['site', 'add', '--code', 'CS1', '--role', 'central', '--server-name', 'cs1.test']);
    await cli(home, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', endpoint.url, '--add-product', ...products, '--add-classification', ...classifications]);
    await cli(home, ['sync', '--site', 'CS1']);
    // Added after CS1 synced, and never synced: one catalog version behind.
    await cli(home, ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1', '--server-name', 'ps1.test']);
    // A top-level site whose upstream fails, with the failure alert on.
    await cli(home, ['site', 'add', '--code', 'CS2', '--role', 'primary', '--stand-alone', '--server-name', 'cs2.test']);
    await cli(home, ['sup', 'set', '--site', 'CS2', '--sync-source', 'upstream', '--upstream-url', `http://127.0.0.1:${(broken.address() as AddressInfo).port}`, '--enable-sync-failure-alert', 'true']);
    await cli(home, ['sync', '--site', 'CS2'], 5);
  });
  after(async () => {
    await endpoint?.close();
    upsDb?.close();
    await new Promise((resolve) => broken?.close(resolve));
  });

  it('`supsync metrics` writes what `status` shows, per site, in the Prometheus text format', async () => {
    const file = path.join(tempDir('supsync-metrics-'), 'supsync.prom');
    const written = await cli(home, ['metrics', '--out', file]);
    expect(written.records[0]).to.include({ type: 'SupSync.MetricsFile', Path: file });
    const { families, values } = series(fs.readFileSync(file, 'utf8'));
    // Prometheus conventions: one prefix, help and type on every family, units in the names, no process metrics in a textfile.
    for (const family of families) {
      expect(family.name).to.match(/^supsync_[a-z_]+$/);
      expect(family.help, family.name).to.not.equal('');
    }
    expect(families.find((f) => f.name === 'supsync_site_last_successful_sync_timestamp_seconds')!.type).to.equal('GAUGE');
    expect(families.some((f) => f.name.startsWith('process_'))).to.equal(false);
    expect(written.records[0]!.Series).to.equal([...values.values()].reduce((n, s) => n + s.length, 0));

    const status = (await cli(home, ['status'])).records;
    expect(status.map((s) => s.SiteCode)).to.deep.equal(['CS1', 'CS2', 'PS1', 'UPS']);
    for (const s of status) {
      const site = { site: String(s.SiteCode) };
      expect(valueOf(values, 'supsync_site_catalog_version', site), `${site.site} catalog version`).to.equal(s.SyncCatalogVersion);
      expect(valueOf(values, 'supsync_site_last_sync_status_message_id', site), `${site.site} last sync state`).to.equal(s.LastSyncState ?? undefined);
      const lastSuccess = valueOf(values, 'supsync_site_last_successful_sync_timestamp_seconds', site);
      expect(lastSuccess === undefined ? null : new Date(lastSuccess * 1000).toISOString(), `${site.site} last success`).to.equal(s.LastSuccessfulSyncTime);
      expect(valueOf(values, 'supsync_site_catalog_version_lag', site) ?? null, `${site.site} lag`).to.equal(s.CatalogVersionLag);
      const retry = valueOf(values, 'supsync_site_next_retry_timestamp_seconds', site);
      expect(retry === undefined ? null : new Date(retry * 1000).toISOString(), `${site.site} next retry`).to.equal(s.NextRetryTime);
      expect(valueOf(values, 'supsync_site_info', { ...site, server: String(s.WSUSServerName), parent: String(s.ParentSiteCode ?? '') })).to.equal(1);

      const [state] = query<{ consecutive_failures: number }>(home, site.site, 'SELECT consecutive_failures FROM sync_state');
      expect(valueOf(values, 'supsync_site_consecutive_failures', site)).to.equal(state!.consecutive_failures);
      const [updates] = query<{ total: number; expired: number }>(home, site.site, 'SELECT count(*) AS total, coalesce(sum(expired), 0) AS expired FROM updates');
      const byState = ['active', 'superseded', 'expired'].map((state) => valueOf(values, 'supsync_site_updates', { ...site, state })!);
      expect(byState.reduce((a, b) => a + b, 0), `${site.site} updates`).to.equal(updates!.total);
      expect(byState[2]).to.equal(updates!.expired);
      const history = (await cli(home, ['sync', 'history', '--site', site.site])).records.filter((r) => r.EndTime);
      const last = history.at(-1);
      expect(valueOf(values, 'supsync_site_last_sync_duration_seconds', site) ?? null).to.equal(last ? (Date.parse(String(last.EndTime)) - Date.parse(String(last.StartTime))) / 1000 : null);
    }
    const stateOf = (site: string) => (values.get('supsync_site_last_sync_state') ?? []).filter((s) => s.labels.site === site && s.value === 1).map((s) => s.labels.state);
    expect([stateOf('CS1'), stateOf('CS2'), stateOf('PS1')]).to.deep.equal([['succeeded'], ['failed'], ['never']]);
    expect(valueOf(values, 'supsync_site_catalog_version_lag', { site: 'PS1' })).to.equal(1);
    expect(valueOf(values, 'supsync_site_consecutive_failures', { site: 'CS2' })).to.equal(1);
    expect(valueOf(values, 'supsync_alerts_active', { site: 'CS2', type: 'SyncFailure' })).to.equal(1);
    // No subscriptions here: nothing to deliver.
    expect(values.get('supsync_alert_deliveries')!.map((s) => [s.labels.state, s.value])).to.deep.equal([
      ['Pending', 0],
      ['Delivered', 0],
      ['Failed', 0],
    ]);
    expect(values.get('supsync_site_updates')!.filter((s) => s.labels.site === 'CS1').every((s) => s.value >= 0)).to.equal(true);
  });

  it("counts the SUP endpoint's requests by operation and result, their latency and the bytes served", async () => {
    // A request the endpoint refuses (GET on the SOAP service).
    await new Promise<void>((resolve, reject) => http.get(`${endpoint.url}/ClientWebService/client.asmx`, (res) => res.resume().on('end', resolve)).on('error', reject));
    const rendered = await metrics.render();
    expect(rendered.contentType).to.match(/^text\/plain; version=0\.0\.4/);
    const { families, values } = series(rendered.body);
    expect(families.find((f) => f.name === 'supsync_sup_requests_total')!.type).to.equal('COUNTER');
    expect(families.find((f) => f.name === 'supsync_sup_request_duration_seconds')!.type).to.equal('HISTOGRAM');
    // The service's own process metrics are there too.
    expect(families.some((f) => f.name === 'process_cpu_seconds_total')).to.equal(true);

    const requests = values.get('supsync_sup_requests_total')!.filter((s) => s.labels.site === 'UPS');
    const ops = Object.fromEntries(requests.map((s) => [`${s.labels.operation}/${s.labels.result}`, s.value]));
    expect(ops['unknown/rejected']).to.equal(1);
    for (const op of ['GetAuthConfig', 'GetAuthorizationCookie', 'GetCookie', 'GetConfigData', 'GetRevisionIdList', 'GetUpdateData']) expect(ops[`${op}/success`], op).to.be.above(0);
    // 40 updates and their categories in batches of at most 10.
    const [stored] = query<{ n: number }>(home, 'CS1', 'SELECT (SELECT count(*) FROM updates) + (SELECT count(*) FROM categories) AS n');
    expect(ops['GetUpdateData/success']).to.be.at.least(Math.ceil(stored!.n / 10));

    // Every request has its latency observed, under the same operation.
    const histogram = (await (metrics.registry.getSingleMetric('supsync_sup_request_duration_seconds') as client.Histogram).get()).values;
    for (const s of requests) {
      const count = histogram.find((v) => v.metricName === 'supsync_sup_request_duration_seconds_count' && v.labels.site === 'UPS' && v.labels.operation === s.labels.operation);
      const sameOperation = requests.filter((r) => r.labels.operation === s.labels.operation).reduce((n, r) => n + r.value, 0);
      expect(count?.value, s.labels.operation).to.equal(sameOperation);
    }
    // Bytes served to CS1's sync = bytes CS1 received (it alone synced from this endpoint), plus the refused request's answer.
    const served = values.get('supsync_sup_response_bytes_total')!.filter((s) => s.labels.site === 'UPS');
    const [fetched] = query<{ bytes: number }>(home, 'CS1', 'SELECT sum(bytes_fetched) AS bytes FROM sync_runs');
    expect(served.filter((s) => s.labels.operation !== 'unknown').reduce((n, s) => n + s.value, 0)).to.equal(fetched!.bytes);
  });
});
