/// <reference lib="dom" />
/**
 * The web console in a real browser (Debian's chromium through playwright-core) against a live
 * loopback hierarchy hosted by `supsync service`: the tree and its states, a failed site with its
 * error, the run history, the log's colours, filter, rolled-over file and live tail, the update
 * search and relations, and Synchronize Software Updates → Yes with the progress moving while the
 * upstream's answers are held by a gate. Screenshots of each page go to test-output/console/.
 * Then bad input over plain HTTP: each a clear error, nothing changed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { expect } from 'chai';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { formatSiteServerLine, statusMessageLine } from '../src/log/index.js';
import { createSiteLogger } from '../src/log/site-logger.js';
import { runCli, tempDir } from './helpers/cli.js';
import { runCommandLine } from './helpers/in-process.js';
import { cliPath, devCliPath, repoRoot } from './helpers/fixtures.js';
import { type GatedProxy, type ServedSite, cli, gatedProxy, query, serveSite, upstreamHome } from './helpers/hierarchy.js';
import { makeCertificate } from './helpers/servers.js';

const chromiumPath = '/usr/bin/chromium';
const shots = path.join(repoRoot, 'test-output', 'console');
const password = 'correct horse battery';
const proxySecret = 'pr0xy-secret-value';

/** A long-running supsync command whose NDJSON records are collected as they come. */
class HostProcess {
  readonly child: ChildProcess;
  readonly records: Record<string, unknown>[] = [];
  stderr = '';
  readonly exit: Promise<number | null>;
  constructor(home: string, args: string[]) {
    this.child = spawn(process.execPath, [cliPath, '--home', home, '--output', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim() !== '') this.records.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }
  /** The console's URL once it listens (rejects if the process exits first). */
  async consoleUrl(): Promise<string> {
    for (;;) {
      const record = this.records.find((r) => r.type === 'SupSync.Console');
      if (record) return String(record.Url);
      if (this.child.exitCode !== null) throw new Error(`exited with ${this.child.exitCode}: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exit;
  }
}

const runs = (home: string, code: string) => query<{ id: number; state: string; trigger: string }>(home, code, 'SELECT id, state, trigger FROM sync_runs ORDER BY id');

describe('web console (chromium)', function () {
  this.timeout(180_000);
  let home: string;
  let upstream: ServedSite;
  let gate: GatedProxy;
  let service: HostProcess;
  let url: string;
  let browser: BrowserContext;
  let page: Page;
  let laterProducts: string[];

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  }

  before(async function () {
    if (!fs.existsSync(chromiumPath)) {
      if (process.env.CI) throw new Error(`${chromiumPath} is missing: .ci/run installs Debian's chromium`);
      this.skip();
    }
    fs.mkdirSync(shots, { recursive: true });
    ({ home } = await upstreamHome(300, 'console-test'));
    upstream = await serveSite(home, 'UPS', ['--max-updates-per-request', '10']);
    gate = await gatedProxy(upstream.url);
    const ids = async (type: string) => (await cli(home, ['category', 'list', '--site', 'UPS', '--type', type])).records.map((r) => String(r.Id));
    // Half the products at first: the Synchronize test adds the rest, so that sync has hundreds of updates to fetch.
    const products = await ids('product');
    laterProducts = products.slice(products.length / 2);
    const selection = ['--add-product', ...products.slice(0, products.length / 2), '--add-classification', ...(await ids('classification'))];
    await cli(home, ['site', 'add', '--code', 'CS1', '--role', 'central', '--server-name', 'cs1.test']);
    await cli(home, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', gate.url, ...selection]);
    await cli(home, ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1', '--server-name', 'ps1.test']);
    await cli(home, ['site', 'add', '--code', 'SS1', '--role', 'secondary', '--parent', 'PS1', '--server-name', 'ss1.test']);
    await cli(home, ['sync', '--site', 'CS1', '--wait']);
    // A second top-level site whose upstream is gone: its sync fails.
    await cli(home, ['site', 'add', '--code', 'BAD', '--role', 'primary', '--stand-alone', '--server-name', 'bad.test']);
    await cli(home, ['sup', 'set', '--site', 'BAD', '--sync-source', 'upstream', '--upstream-url', 'http://127.0.0.1:9', '--enable-sync-failure-alert', 'true']);
    // The development entry's sync without transport retries: the refused connection fails at once, not after 7 s of backoff.
    expect((await runCommandLine(home, ['sync', '--site', 'BAD', '--retry-limit', '0'], { entry: devCliPath })).code).to.equal(5);
    // BAD's log has rolled over once: its older part, with a warning and an error, is in wsyncmgr.lo_.
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const old = new Date(Date.now() - 86_400_000);
    const rolled = [
      formatSiteServerLine({ message: 'Starting Sync', time: old, thread: 4242 }, zone),
      formatSiteServerLine({ message: statusMessageLine({ id: 6707, system: 'bad.test', site: 'BAD', time: old }, { pid: 4242, thread: 4242 }), time: old, thread: 4242 }, zone),
      formatSiteServerLine({ message: 'Sync failed: the rolled-over failure. Source: http://127.0.0.1:9', time: old, thread: 4242 }, zone),
    ];
    // A proxy with a password (set after the failed sync, so nothing ever tries it): the password never shows.
    await cli(home, ['sup', 'set', '--site', 'BAD', '--proxy', 'http://proxy.test:3128', '--proxy-username', 'svc-sync', '--proxy-password', proxySecret]);
    fs.writeFileSync(path.join(home, 'sites', 'BAD', 'logs', 'wsyncmgr.lo_'), `\uFEFF${rolled.join('\r\n')}\r\n`);
    expect((await runCli(home, ['console', 'credential', '--user', 'admin'], { env: { SUPSYNC_CONSOLE_PASSWORD: password } })).code).to.equal(0);

    service = new HostProcess(home, ['service', '--site', 'CS1', '--site', 'PS1', '--site', 'SS1', '--poll-seconds', '0.3', '--admin-listen', '127.0.0.1:0']);
    url = await service.consoleUrl();
    browser = await chromium.launchPersistentContext(tempDir('supsync-chromium-'), {
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
      httpCredentials: { username: 'admin', password },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => {
      throw error;
    });
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await gate?.stop();
    await upstream?.stop();
  });

  it('shows the hierarchy as a tree with each SUP state in words, and the failed site with its error', async () => {
    await page.goto(`${url}/status`);
    // CAS → primary → secondary, nested; BAD and UPS are top-level sites of their own.
    expect(await page.locator('ul.tree > li > section.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-code')))).to.deep.equal(['CS1', 'BAD', 'UPS']);
    await expect1(page.locator('ul.tree > li:has(> #site-CS1) > ul > li:has(> #site-PS1) > ul > li > #site-SS1'));
    for (const code of ['CS1', 'PS1', 'SS1']) {
      expect(await page.locator(`#site-${code} .badge`).textContent()).to.equal('Synchronized');
      expect(await page.locator(`#site-${code} .state`).textContent()).to.match(/^WSUS synchronization done \(6702\), /);
      // The viewer's local time and the age: "(just now)", "(2 min ago)".
      expect(await page.locator(`#site-${code} .last-success time`).textContent()).to.match(/\((just now|\d+ min ago)\)$/);
    }
    expect(await page.locator('#site-PS1 .catalog').textContent()).to.match(/^\d+ up to date with CS1$/);
    const bad = page.locator('#site-BAD');
    expect(await bad.getAttribute('data-health')).to.equal('failed');
    expect(await bad.locator('.badge').textContent()).to.equal('Failed');
    expect(await bad.locator('.state').textContent()).to.match(/^WSUS synchronization failed \(6703\)/);
    expect(await bad.locator('.error-text').textContent()).to.contain('ECONNREFUSED 127.0.0.1:9').and.contain('UpstreamUnreachable');
    expect(await bad.locator('.next-retry time').textContent()).to.match(/\(in (59|60) min\)$/);
    expect(await bad.locator('.summary').textContent()).to.match(/^failed: .*ECONNREFUSED/);
    // BAD's EnableSyncFailureAlert raised an alert: every page shows it.
    const alert = page.locator('#alerts li.alert.error[data-type="SyncFailure"]');
    expect(await alert.count()).to.equal(1);
    expect(await alert.textContent()).to.match(/^Sync failure on BAD: /).and.contain('ECONNREFUSED');
    await shot('status');
  });

  it("shows a site's run history with its chart, the last run's counts, its settings and children", async () => {
    await page.goto(`${url}/sites/CS1`);
    const history = runs(home, 'CS1');
    expect(await page.locator('table.runs tbody tr').count()).to.equal(history.length);
    expect(await page.locator('table.runs tbody tr').first().locator('td.state').textContent()).to.equal('succeeded');
    await page.locator('#history-chart canvas').waitFor();
    expect(await page.locator('#history-chart .u-legend').textContent()).to.contain('Duration (s)').and.contain('Expired');
    const counts = query<{ n: number }>(home, 'CS1', "SELECT count(DISTINCT product_id || '|' || classification_id) AS n FROM sync_run_counts WHERE run_id = ? AND phase <> 'categories'", history.at(-1)!.id)[0]!.n;
    expect(await page.locator('table.counts tbody tr').count()).to.equal(counts);
    expect(await page.locator('dl.settings').textContent()).to.contain(`upstream server ${gate.url}`);
    expect(await page.locator('ul.children li').allTextContents()).to.deep.equal(['PS1 · primary · ps1.test']);
    await shot('site');
  });

  it('shows wsyncmgr.log like CMTrace: errors red, warnings yellow, the rolled-over file first, a text filter and the live tail', async () => {
    await page.goto(`${url}/sites/BAD/log`);
    const marks = await page.locator('tr.file-mark').allTextContents();
    expect(marks).to.deep.equal(['wsyncmgr.lo_ (rolled over)', 'wsyncmgr.log']);
    const warning = page.locator('tr.type-2', { hasText: 'ID=6707' });
    expect(await warning.locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor)).to.equal('rgb(255, 243, 107)');
    const rolledError = page.locator('tr.type-3', { hasText: 'the rolled-over failure' });
    expect(await rolledError.locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor)).to.equal('rgb(255, 157, 157)');
    expect(await page.locator('tr.type-3', { hasText: 'ECONNREFUSED' }).count()).to.be.greaterThan(0);
    expect(await page.locator('#log-rows tr:not(.file-mark)').first().locator('td').nth(1).textContent()).to.equal('SMS_WSUS_SYNC_MANAGER');
    expect(await page.locator('#log-rows tr:not(.file-mark)').nth(1).locator('td').nth(3).textContent()).to.equal('4242');
    await shot('log');

    const total = await page.locator('#log-rows tr:not(.file-mark)').count();
    await page.locator('#log-filter').fill('STATMSG: ID=6703');
    const visible = page.locator('#log-rows tr:not(.file-mark):not([hidden])');
    expect(await visible.count()).to.equal(1);
    expect(await page.locator('#log-count').textContent()).to.equal(`1 of ${total} entries match`);
    expect(new URL(page.url()).searchParams.get('q')).to.equal('STATMSG: ID=6703');
    await page.locator('#log-filter').fill('');

    // The tail: a line written now appears without reloading.
    const log = createSiteLogger({ logDir: path.join(home, 'sites', 'BAD', 'logs') });
    log.warn('A warning written while the page is open');
    log.close();
    const live = page.locator('#log-rows tr', { hasText: 'A warning written while the page is open' });
    await live.waitFor();
    expect(await live.getAttribute('class')).to.equal('type-2');
  });

  it('searches updates by KB and superseded state, and shows an update with its relations', async () => {
    const [superseding] = query<{ update_id: string; kb: string; supersedes: number }>(
      home,
      'CS1',
      `SELECT u.update_id, u.kb, (SELECT count(*) FROM supersedence s WHERE s.update_key = u.update_key) AS supersedes FROM updates u
       WHERE u.kb IS NOT NULL AND EXISTS (SELECT 1 FROM supersedence s WHERE s.update_key = u.update_key) ORDER BY u.update_id LIMIT 1`,
    );
    expect(superseding, 'the corpus has supersedence').to.not.equal(undefined);
    const withKb = query<{ n: number }>(home, 'CS1', 'SELECT count(*) AS n FROM updates WHERE kb = ? AND expired = 0', superseding!.kb)[0]!.n;
    await page.goto(`${url}/sites/CS1/updates?kb=KB${superseding!.kb}`);
    expect(await page.locator('table.updates tbody tr').count()).to.equal(withKb);
    await shot('updates');

    const onlySuperseded = query<{ n: number }>(home, 'CS1', 'SELECT count(*) AS n FROM updates u WHERE u.expired = 0 AND EXISTS (SELECT 1 FROM supersedence s WHERE s.superseded_id = u.update_id)')[0]!.n;
    await page.goto(`${url}/sites/CS1/updates`);
    await page.locator('select[name="superseded"]').selectOption('only');
    await page.locator('form.search button[type="submit"]').click();
    await page.waitForURL(/superseded=only/);
    expect(await page.locator('#update-count').textContent()).to.match(new RegExp(`^${onlySuperseded} updates?`));

    await page.goto(`${url}/sites/CS1/updates/${superseding!.update_id}`);
    expect(await page.locator('#supersedes li').count()).to.equal(superseding!.supersedes);
    for (const id of ['superseded-by', 'bundles', 'bundled-in', 'prerequisites']) await page.locator(`#${id} h2`).waitFor();
    const target = await page.locator('#supersedes li a').first().getAttribute('href');
    await page.locator('#supersedes li a').first().click();
    await page.waitForURL(`${url}${target}`);
    expect(await page.locator(`#superseded-by li a[href="/sites/CS1/updates/${superseding!.update_id}"]`).count()).to.equal(1);
    await shot('update');
  });

  it('Synchronize Software Updates → Yes queues a sync in the service, shows its progress moving while held, then the finished run', async () => {
    const before = runs(home, 'CS1').length;
    await cli(home, ['sup', 'set', '--site', 'CS1', '--add-product', ...laterProducts]);
    gate.close();
    await page.goto(`${url}/sites/CS1`);
    await page.locator('#sync-button').click();
    const dialog = page.locator('#sync-dialog');
    expect(await dialog.locator('p').first().textContent()).to.match(/^Do you want to initiate a site-wide synchronization of software updates\?/);
    await dialog.locator('input[value="full"]').check();
    await page.locator('#sync-yes').click();
    await page.locator('#sync-message:not([hidden])').waitFor();
    expect(await page.locator('#sync-message').textContent()).to.match(/^Full synchronization of CS1 requested/);

    // Held at the first GetUpdateData: running, nothing fetched yet.
    await gate.held(1);
    const card = page.locator('#site-CS1');
    await page.locator('#site-CS1[data-health="running"]').waitFor();
    expect(await card.locator('.badge').textContent()).to.equal('Synchronizing');
    const count = async () => {
      await page.locator('#site-CS1 .progress .count').waitFor();
      const match = /^(categories|updates): (\d+) of (\d+)$/.exec((await card.locator('.progress .count').textContent()) ?? '');
      expect(match, 'N of M').to.not.equal(null);
      return { processed: Number(match![2]), total: Number(match![3]) };
    };
    void gate.pass(1);
    await page.waitForFunction(() => /: [1-9]\d* of \d+$/.test(document.querySelector('#site-CS1 .progress .count')?.textContent ?? ''));
    const first = await count();
    await shot('sync-progress');
    await gate.pass(1);
    await page.waitForFunction((n) => Number(/: (\d+) of/.exec(document.querySelector('#site-CS1 .progress .count')?.textContent ?? '')?.[1] ?? 0) > n, first.processed);
    const second = await count();
    expect(second.processed).to.be.greaterThan(first.processed);
    expect(second.processed).to.be.lessThan(second.total);
    expect(await card.locator('.progress').getAttribute('aria-valuenow')).to.equal(String(Math.floor((second.processed / second.total) * 100)));
    expect(await card.locator('.progress .eta').textContent()).to.match(/^ETA \d/);

    gate.open();
    await page.locator('#site-CS1[data-health="ok"]').waitFor({ timeout: 120_000 });
    await page.locator(`table.runs tbody tr[data-run="${before + 1}"] td.state`, { hasText: 'succeeded' }).waitFor();
    const run = runs(home, 'CS1').at(-1)!;
    expect(run).to.deep.equal({ id: before + 1, state: 'succeeded', trigger: 'manual' });
    expect(fs.readFileSync(path.join(home, 'sites', 'CS1', 'logs', 'wsyncmgr.log'), 'utf8')).to.contain('Sync requested from the console by admin (full sync)');
    await shot('sync-finished');
  });

  it('serves /metrics in the Prometheus text format with the values the status shows, and no secret', async () => {
    // The service cascades the previous test's sync to PS1 and SS1 in the background: compare once
    // the hierarchy is at rest, so that /metrics and /api/status describe the same state.
    type Rest = { health: string; requestPending: boolean; lag: number | null };
    const atRest = (sites: Rest[]) => sites.every((s) => !['running', 'queued'].includes(s.health) && !s.requestPending && (s.lag === null || s.lag === 0));
    for (const deadline = Date.now() + 120_000; !atRest((await (await fetch(`${url}/api/status`)).json()) as Rest[]); ) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the cascade to PS1 and SS1 to finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    const response = await fetch(`${url}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const families = parsePrometheusTextFormat(text) as ParsedFamily[];
    const value = (name: string, site: string) => Number(families.find((f) => f.name === name)?.metrics.find((m) => m.labels?.site === site)?.value);
    const status = (await (await fetch(`${url}/api/status`)).json()) as { code: string; catalogVersion: number; consecutiveFailures: number; lastSuccessfulSyncTime: string | null }[];
    for (const s of status) {
      expect(value('supsync_site_catalog_version', s.code), s.code).to.equal(s.catalogVersion);
      expect(value('supsync_site_consecutive_failures', s.code), s.code).to.equal(s.consecutiveFailures);
      if (s.lastSuccessfulSyncTime) expect(value('supsync_site_last_successful_sync_timestamp_seconds', s.code), s.code).to.be.closeTo(Date.parse(s.lastSuccessfulSyncTime) / 1000, 0.001);
    }
    expect(text).to.not.contain(password).and.not.contain('scrypt$').and.not.contain(proxySecret);
    // Nor in a page: the proxy is shown without its password.
    await page.goto(`${url}/sites/BAD`);
    expect(await page.locator('dl.settings').textContent()).to.contain('http://proxy.test:3128/ as svc-sync (password set)');
    for (const target of ['/sites/BAD', '/status', '/api/status', '/sites/BAD/log']) expect(await (await fetch(`${url}${target}`)).text(), target).to.not.contain(proxySecret);
  });

  describe('bad input: a clear HTTP error each, nothing changed', () => {
    let token: string;
    const nothingQueued = () => {
      expect(fs.existsSync(path.join(home, 'sites', 'CS1', 'inbox')) ? fs.readdirSync(path.join(home, 'sites', 'CS1', 'inbox')) : []).to.deep.equal([]);
    };
    const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
    const post = (code: string, headers: Record<string, string>, body = '{"full":false}') =>
      fetch(`${url}/sites/${code}/sync`, { method: 'POST', headers: { Origin: url, 'Content-Type': 'application/json', 'X-CSRF-Token': token, ...headers }, body });
    const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

    before(async () => {
      const html = await (await fetch(`${url}/status`)).text();
      token = /name="csrf-token" content="([^"]+)"/.exec(html)![1]!;
      await page.goto(`${url}/status`);
      await page.locator('#site-CS1[data-health="ok"]').waitFor();
    });

    it('unknown site, malformed site code, unknown update and page: 404 or 400 naming it', async () => {
      for (const [target, status, code, text] of [
        ['/sites/XYZ', 404, 'SiteNotFound', 'Site XYZ does not exist'],
        ['/sites/XYZ/log', 404, 'SiteNotFound', 'XYZ'],
        ['/sites/C%241', 400, 'InvalidSiteCode', "'C$1'"],
        ['/sites/CS1/updates/not-a-guid', 400, 'InvalidUpdateId', "'not-a-guid'"],
        ['/sites/CS1/updates/00000000-0000-0000-0000-000000000000', 404, 'UpdateNotFound', '00000000-0000-0000-0000-000000000000'],
        ['/nowhere', 404, 'PageNotFound', '/nowhere'],
      ] as const) {
        const response = await fetch(`${url}${target}`);
        expect(response.status, target).to.equal(status);
        const error = await errorOf(response);
        expect(error.code, target).to.equal(code);
        expect(error.message, target).to.contain(text);
      }
      // A person gets the same as a page.
      await page.goto(`${url}/sites/XYZ`);
      expect(await page.locator('h1').textContent()).to.match(/^404 Not Found/);
      expect(await page.locator('.error-box').textContent()).to.contain('Site XYZ does not exist');
      await shot('error');
    });

    it('malformed query parameters: 400 naming the parameter', async () => {
      for (const [target, name] of [
        ['/sites/CS1/updates?page=abc', "'page'"],
        ['/sites/CS1/updates?page=0', "'page'"],
        ['/sites/CS1/updates?superseded=maybe', "'superseded'"],
        ['/sites/CS1/updates?expired=yes', "'expired'"],
        ['/sites/CS1/updates?kb=abc', "'kb'"],
        ['/sites/CS1/updates?product=No%20Such%20Product', "'product'"],
        ['/sites/CS1/updates?page=1&page=2', "'page'"],
        ['/sites/CS1/updates?sort=title', "'sort'"],
        ['/sites/CS1/log?limit=-5', "'limit'"],
        ['/events/sites/CS1/log?offset=x', "'offset'"],
        ['/status?x=1', "'x'"],
      ] as const) {
        const response = await fetch(`${url}${target}`);
        expect(response.status, target).to.equal(400);
        expect((await errorOf(response)).message, target).to.contain(name);
      }
    });

    it('the sync action without the credential or with a wrong one: 401, nothing queued', async () => {
      const runsBefore = runs(home, 'CS1').length;
      const missing = await post('CS1', {});
      expect(missing.status).to.equal(401);
      expect(missing.headers.get('www-authenticate')).to.match(/^Basic realm="supsync console"/);
      expect((await errorOf(missing)).code).to.equal('CredentialRequired');
      for (const authorization of [basic('admin', 'wrong password'), basic('nobody', password), 'Bearer not-the-token', 'Basic !!!']) {
        const wrong = await post('CS1', { Authorization: authorization });
        expect(wrong.status, authorization).to.equal(401);
        expect((await errorOf(wrong)).code).to.equal('CredentialRejected');
      }
      nothingQueued();
      expect(runs(home, 'CS1').length).to.equal(runsBefore);
    });

    it('a cross-site POST is refused even with the credential: wrong Origin, no CSRF token, a form body', async () => {
      const good = basic('admin', password);
      const crossOrigin = await post('CS1', { Authorization: good, Origin: 'http://evil.example' });
      expect(crossOrigin.status).to.equal(403);
      expect((await errorOf(crossOrigin)).code).to.equal('CrossSiteRequest');
      const crossFetch = await post('CS1', { Authorization: good, 'Sec-Fetch-Site': 'cross-site' });
      expect(crossFetch.status).to.equal(403);
      const noToken = await post('CS1', { Authorization: good, 'X-CSRF-Token': '' });
      expect(noToken.status).to.equal(403);
      expect((await errorOf(noToken)).code).to.equal('CsrfTokenInvalid');
      const form = await post('CS1', { Authorization: good, 'Content-Type': 'application/x-www-form-urlencoded' }, 'full=true');
      expect(form.status).to.equal(415);
      // A page on another name that resolves to loopback (DNS rebinding) reads nothing.
      const rebound = await new Promise<number>((resolve, reject) => {
        import('node:http').then(({ default: http }) =>
          http.get(`${url}/api/status`, { headers: { Host: 'evil.example' } }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          }).on('error', reject),
        );
      });
      expect(rebound).to.equal(403);
      nothingQueued();
    });

    it('the sync action on a child site or with a malformed body: 409 / 400, nothing queued', async () => {
      const good = basic('admin', password);
      const child = await post('PS1', { Authorization: good });
      expect(child.status).to.equal(409);
      expect((await errorOf(child)).message).to.contain('runs on the top-level site CS1');
      const malformed = await post('CS1', { Authorization: good }, '{"full":"yes"}');
      expect(malformed.status).to.equal(400);
      const notJson = await post('CS1', { Authorization: good }, '{full');
      expect(notJson.status).to.equal(400);
      const unknown = await post('XYZ', { Authorization: good });
      expect(unknown.status).to.equal(404);
      nothingQueued();
      for (const code of ['PS1']) expect(fs.existsSync(path.join(home, 'sites', code, 'inbox')) ? fs.readdirSync(path.join(home, 'sites', code, 'inbox')) : []).to.deep.equal([]);
    });

    it('supsync console is read-only: the sync action is 405', async () => {
      const readOnly = new HostProcess(home, ['console', '--listen', '127.0.0.1:0']);
      try {
        const roUrl = await readOnly.consoleUrl();
        const html = await (await fetch(`${roUrl}/sites/CS1`)).text();
        expect(html).to.contain('id="sync-button" class="primary" type="button" disabled');
        const roToken = /name="csrf-token" content="([^"]+)"/.exec(html)![1]!;
        const response = await fetch(`${roUrl}/sites/CS1/sync`, {
          method: 'POST',
          headers: { Origin: roUrl, 'Content-Type': 'application/json', 'X-CSRF-Token': roToken, Authorization: basic('admin', password) },
          body: '{}',
        });
        expect(response.status).to.equal(405);
        expect((await errorOf(response)).code).to.equal('ConsoleReadOnly');
        nothingQueued();
      } finally {
        await readOnly.stop();
      }
    });

    it('bound beyond loopback: refused without HTTPS or without a credential; over HTTPS every page needs the credential', async () => {
      const noTls = await runCommandLine(home, ['console', '--listen', '0.0.0.0:0']);
      expect(noTls.code).to.not.equal(0);
      expect(noTls.stderr).to.contain('is served over HTTPS only');
      const cert = makeCertificate(tempDir('supsync-console-cert-'));
      if (!cert) return;
      const bare = tempDir('supsync-console-bare-');
      const noCredential = await runCommandLine(bare, ['console', '--listen', '0.0.0.0:0', '--cert', cert.certFile, '--key', cert.keyFile]);
      expect(noCredential.code).to.not.equal(0);
      expect(noCredential.stderr).to.contain('needs an admin credential');
      const created = await runCommandLine(home, ['console', 'credential', '--new-token']);
      const adminToken = String(created.records[0]!.Token);
      expect(adminToken).to.match(/^[A-Za-z0-9_-]{32}$/);
      expect(fs.readFileSync(path.join(home, 'console.json'), 'utf8')).to.not.contain(adminToken).and.not.contain(password);
      const secure = new HostProcess(home, ['console', '--listen', '0.0.0.0:0', '--cert', cert.certFile, '--key', cert.keyFile]);
      try {
        const port = new URL(await secure.consoleUrl()).port;
        const get = (authorization?: string) =>
          new Promise<{ status: number; body: string }>((resolve, reject) => {
            https
              .get({ host: '127.0.0.1', port, path: '/status', ca: cert.cert, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
                let body = '';
                res.setEncoding('utf8').on('data', (d: string) => (body += d));
                res.on('end', () => resolve({ status: res.statusCode!, body }));
              })
              .on('error', reject);
          });
        expect((await get()).status).to.equal(401);
        expect((await get(basic('admin', 'nope'))).status).to.equal(401);
        const viaPassword = await get(basic('admin', password));
        expect(viaPassword.status).to.equal(200);
        expect((await get(`Bearer ${adminToken}`)).status).to.equal(200);
        // No secret in a page.
        expect(viaPassword.body).to.not.contain(password).and.not.contain(adminToken).and.not.contain('scrypt$');
      } finally {
        await secure.stop();
      }
    });
  });
});

async function expect1(locator: ReturnType<Page['locator']>): Promise<void> {
  expect(await locator.count()).to.equal(1);
}
