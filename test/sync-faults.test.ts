/**
 * Faults during a sync (upstream down, answering 5xx or ServerBusy, malformed XML, cookie expiry
 * mid-sync, a bundled update missing upstream, a corrupt package): a clear error, status 6703 with
 * the reason, retries scheduled after 60 minutes and stopped after too many failures, and the
 * previous content untouched. Plus the expiry and cleanup rules. The engine runs in-process here
 * (so retry timings can be shortened) against real servers on loopback and real SQLite files.
 * The upstream and the top-level site are built once (`before`), with and without a first full
 * sync; each test works on its own copy of them.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { definitionUpdatesId, upgradesId } from '../src/model/classifications.js';
import { SupEndpoint, type RunningEndpoint } from '../src/server/sup-endpoint.js';
import { planSupChange } from '../src/model/sup-settings.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { knownCategories } from '../src/store/categories.js';
import { Home } from '../src/store/home.js';
import { type SiteDb, openSiteDb } from '../src/store/site-db.js';
import { SiteStore } from '../src/store/site-store.js';
import { updateSiteControl } from '../src/store/site-file.js';
import { type SyncOptions, syncSite } from '../src/sync/engine.js';
import { addMonths, cleanupDue, judgeSuperseded, outsideSelection } from '../src/sync/expiry.js';
import type { SupChangeRequest } from '../src/model/sup-settings.js';
import { tempDir } from './helpers/cli.js';
import { corpusSite } from './helpers/corpus-site.js';
import { cli, copyHome, query, siteContent, siteRevisions } from './helpers/hierarchy.js';

const fast: Partial<SyncOptions> = { retry: { limit: 1, baseDelayMs: 5, maxDelayMs: 10 }, timeoutMs: 2000 };

function setSup(home: Home, code: string, request: SupChangeRequest): void {
  const db = openSiteDb(home.sitePaths(code).database);
  const known = knownCategories(db);
  db.close();
  updateSiteControl(home.sitePaths(code).controlFile, (site) => ({ ...site, sup: planSupChange(site, request, known).settings }));
}

/** A copy of a home built in `before`, its upstream UPS served in-process behind the file's front URL. */
async function fixture(template: string, front: UpstreamFront): Promise<{ home: Home; upstreamDb: SiteDb; endpoint: RunningEndpoint; close(): Promise<void> }> {
  const home = new Home(copyHome(template, 'supsync-faults-'));
  const upstreamDb = openSiteDb(home.sitePaths('UPS').database);
  const endpoint = await new SupEndpoint({ store: new SiteStore(upstreamDb), maxUpdatesPerRequest: 25 }).listen('127.0.0.1', 0);
  front.route(endpoint.url);
  return {
    home,
    upstreamDb,
    endpoint,
    close: async () => {
      await endpoint.close();
      upstreamDb.close();
    },
  };
}

async function topLevel(home: Home, code: string, url: string): Promise<void> {
  applyAddSite(home, planAddSite(home, { code, role: 'primary' }));
  setSup(home, code, { syncSource: 'upstream', upstreamUrl: url });
  await syncSite(home, code, { trigger: 'manual', ...fast });
  const db = openSiteDb(home.sitePaths(code).database);
  const known = knownCategories(db);
  db.close();
  setSup(home, code, { addProduct: known.products.map((p) => p.id), addClassification: known.classifications.map((c) => c.id) });
}

type Fault = (operation: string, call: number) => { status: number; body: string } | undefined;

/**
 * The one upstream URL every site of the file syncs from: a proxy passing each request to the
 * current test's upstream endpoint, so that sites built once, and the anchors they hold for this
 * URL, serve every test. Once armed, a test's `fault` replaces the answer to the Nth call of an
 * operation (counted from arming, so the set-up syncs pass untouched).
 */
interface UpstreamFront {
  url: string;
  counts: Map<string, number>;
  /** The request bodies of each operation since the front was armed, in the order they came. */
  requests: Map<string, string[]>;
  /** Passes requests to `target` from now on, unarmed, with `fault` for when the test arms it. */
  route(target: string, fault?: Fault): void;
  arm(): void;
  close(): Promise<void>;
}

function upstreamFront(): Promise<UpstreamFront> {
  const counts = new Map<string, number>();
  const requests = new Map<string, string[]>();
  let target = '';
  let fault: Fault | undefined;
  let armed = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers.soapaction ?? '').replace(/^"|"$/g, '').split('/').pop()!;
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      if (armed) requests.set(operation, [...(requests.get(operation) ?? []), Buffer.concat(chunks).toString('utf8')]);
      const replaced = armed ? fault?.(operation, counts.get(operation)!) : undefined;
      if (replaced) {
        res.writeHead(replaced.status, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(replaced.body);
        return;
      }
      const forward = http.request(`${target}${req.url}`, { method: 'POST', headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        counts,
        requests,
        route: (to, withFault) => {
          target = to;
          fault = withFault;
          armed = false;
        },
        arm: () => {
          counts.clear();
          requests.clear();
          armed = true;
        },
        close: () => new Promise((done) => (server.close(() => done()), server.closeAllConnections())),
      }),
    ),
  );
}

const soapFault = (code: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Fault occurred</faultstring><faultactor>x</faultactor><detail><ErrorCode>${code}</ErrorCode><Message></Message><ID>1</ID><Method></Method></detail></soap:Fault></soap:Body></soap:Envelope>`;

describe('sync faults', function () {
  this.timeout(120_000);
  let front: UpstreamFront;
  /** UPS with a 400-update corpus, and CS1 syncing from the front: its categories synced, every product and classification selected. */
  let selected: string;
  /** The same after CS1's first full sync. */
  let synced: string;
  let current: Awaited<ReturnType<typeof fixture>> | undefined;
  /** The test's own copy of a home built in `before`, closed after the test. */
  const copyOf = async (template: string) => (current = await fixture(template, front));

  before(async () => {
    front = await upstreamFront();
    const upstream = new Home(tempDir('supsync-faults-upstream-'));
    await corpusSite(upstream, 'UPS', { updates: 400, seed: 'faults' }, { syncSource: 'none', waitMonths: 99 });
    const building = await fixture(upstream.root, front);
    await topLevel(building.home, 'CS1', front.url);
    await building.close();
    selected = building.home.root;
    const syncing = await fixture(selected, front);
    const [first] = await syncSite(syncing.home, 'CS1', { trigger: 'manual', ...fast });
    expect(first!.state, first!.error?.message).to.equal('Succeeded');
    await syncing.close();
    synced = syncing.home.root;
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  after(() => front.close());

  it('upstream down: 6703 with the reason, retry in 60 minutes, content untouched; retries stop after too many failures', async () => {
    const f = await copyOf(synced);
    const before = siteContent(f.home.root, 'CS1');
    setSup(f.home, 'CS1', { upstreamUrl: 'http://127.0.0.1:9' });
    const started = Date.now();
    const [failed] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast, maxConsecutiveFailures: 3 });
    expect(failed!.state).to.equal('Failed');
    expect(failed!.error!.code).to.equal('UpstreamUnreachable');
    const retryAt = Date.parse(failed!.nextRetryAt!);
    expect(retryAt - started).to.be.within(59 * 60_000, 61 * 60_000);
    expect(siteContent(f.home.root, 'CS1')).to.deep.equal(before);
    const state = query<{ last_sync_state: number; last_sync_error_code: string; consecutive_failures: number }>(f.home.root, 'CS1', 'SELECT * FROM sync_state')[0]!;
    expect(state).to.include({ last_sync_state: 6703, last_sync_error_code: 'UpstreamUnreachable', consecutive_failures: 1 });
    const status = (await cli(f.home.root, ['status', '--site', 'CS1'])).records[0]!;
    expect(status.Status).to.match(/^failed \(.*127\.0\.0\.1:9.*\); retry at /);
    await syncSite(f.home, 'CS1', { trigger: 'retry', ...fast, maxConsecutiveFailures: 3 });
    const [third] = await syncSite(f.home, 'CS1', { trigger: 'retry', ...fast, maxConsecutiveFailures: 3 });
    expect(third!.nextRetryAt).to.equal(undefined);
    const log = fs.readFileSync(path.join(f.home.sitePaths('CS1').logDir, 'wsyncmgr.log'), 'utf8');
    expect(log).to.contain('Sync failed. Will retry in 60 minutes');
    expect(log).to.contain('Too many consecutive failures. Aborting sync.');
    expect(log).to.match(/STATMSG: ID=6703 SEV=E/);
    expect((await cli(f.home.root, ['status', '--site', 'CS1'])).records[0]!.Status).to.contain('retries stopped after too many consecutive failures');
    // A success resets the count.
    setSup(f.home, 'CS1', { upstreamUrl: front.url });
    expect((await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast }))[0]!.state).to.be.oneOf(['Succeeded', 'NoChanges']);
    expect(query<{ consecutive_failures: number }>(f.home.root, 'CS1', 'SELECT consecutive_failures FROM sync_state')[0]!.consecutive_failures).to.equal(0);
  });

  it('malformed XML from the upstream fails the sync; only lists stored whole keep their new anchor', async () => {
    const f = await copyOf(selected);
    front.route(f.endpoint.url, (op, n) => (op === 'GetUpdateData' && n === 3 ? { status: 200, body: '<soap:Envelope><soap:Body><GetUpdateDataResponse>' } : undefined));
    front.arm();
    const [result] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast, concurrency: 1 });
    expect(result!.state).to.equal('Failed');
    expect(result!.error!.code).to.match(/^(XmlMalformed|SoapMalformed)$/);
    // Lists are fetched product by product; the one that met the fault has no new anchor.
    const anchored = query<{ filter_key: string }>(f.home.root, 'CS1', "SELECT filter_key FROM anchors WHERE filter_key LIKE 'updates:%'").map((a) => a.filter_key);
    const products = query<{ n: number }>(f.home.root, 'CS1', "SELECT count(*) AS n FROM categories WHERE category_type = 'Product'")[0]!.n;
    expect(anchored.length).to.be.lessThan(products);
    for (const key of anchored) {
      const product = /product=([0-9a-f-]+)/.exec(key)![1]!;
      const upstreamIds = query<{ id: string }>(f.home.root, 'UPS', 'SELECT u.update_id AS id FROM update_products p JOIN updates u USING (update_key) WHERE p.product_id = ?', product).map((r) => r.id);
      const stored = new Set(query<{ id: string }>(f.home.root, 'CS1', 'SELECT update_id AS id FROM updates').map((r) => r.id));
      expect(upstreamIds.every((id) => stored.has(id)), key).to.equal(true);
    }
    expect(query<{ message_id: number }>(f.home.root, 'CS1', 'SELECT message_id FROM status_messages ORDER BY id DESC LIMIT 1')[0]!.message_id).to.equal(6703);
    // Every update the two answers before the fault carried is stored: each answer is committed
    // as it arrives, so a fetch that fails keeps what it had.
    const answered = front.requests.get('GetUpdateData')!.slice(0, 2).flatMap((body) => [...body.matchAll(/<UpdateID>([0-9a-f-]+)<\/UpdateID>/g)].map((m) => m[1]!));
    expect(answered).to.have.length.greaterThan(0);
    const storedIds = query<{ id: string }>(f.home.root, 'CS1', 'SELECT update_id AS id FROM updates').map((r) => r.id);
    expect(storedIds).to.have.members(answered);
    // The batches stored before the fault stay; the next sync completes from there.
    const [again] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast });
    expect(again!.state).to.equal('Succeeded');
    expect(siteContent(f.home.root, 'CS1').size).to.equal(siteContent(f.home.root, 'UPS').size);
  });

  it('rides out HTTP 503 and ServerBusy with retries', async () => {
    const f = await copyOf(selected);
    front.route(f.endpoint.url, (op, n) =>
      op === 'GetRevisionIdList' && n === 2 ? { status: 503, body: 'busy' } : op === 'GetUpdateData' && n === 2 ? { status: 500, body: soapFault('ServerBusy') } : undefined,
    );
    front.arm();
    const [result] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast, retry: { limit: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    expect(result!.state).to.equal('Succeeded');
  });

  it('re-authenticates when the cookie expires mid-sync', async () => {
    const f = await copyOf(selected);
    front.route(f.endpoint.url, (op, n) => (op === 'GetUpdateData' && n === 4 ? { status: 500, body: soapFault('InvalidCookie') } : undefined));
    front.arm();
    const [result] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast, concurrency: 1 });
    expect(result!.state).to.equal('Succeeded');
    // The sync starts with the cookie its site's categories sync kept (no handshake); the refused
    // cookie restarts the protocol from GetAuthConfig, once.
    expect(front.counts.get('GetCookie')).to.equal(1);
    expect(front.counts.get('GetAuthConfig')).to.equal(1);
    expect(siteContent(f.home.root, 'CS1').size).to.equal(siteContent(f.home.root, 'UPS').size);
  });

  it('a bundled update missing upstream fails only its bundle: logged as incomplete, the rest stored, asked again next sync', async () => {
    const f = await copyOf(selected);
    const child = query<{ child_id: string; parent_id: string }>(f.home.root, 'UPS', 'SELECT b.child_id, p.update_id AS parent_id FROM bundles b JOIN updates p ON p.update_key = b.parent_key LIMIT 1')[0]!;
    f.upstreamDb.prepare('DELETE FROM updates WHERE update_id = ?').run(child.child_id);
    const [result] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast });
    expect(result!.state, result!.error?.message).to.equal('Succeeded');
    const held = siteRevisions(f.home.root, 'CS1');
    expect(held.has(child.parent_id)).to.equal(true);
    expect(held.has(child.child_id)).to.equal(false);
    const log = fs.readFileSync(path.join(f.home.root, 'sites', 'CS1', 'logs', 'wsyncmgr.log'), 'utf8');
    expect(log).to.contain(`Update ${child.parent_id} is incomplete: the upstream does not have its bundled update ${child.child_id}`);
  });

  it('refuses a corrupt or altered package and leaves the previous content untouched', async () => {
    const f = await copyOf(selected);
    const before = siteContent(f.home.root, 'UPS');
    const good = path.join(f.home.root, 'corpus.pkg.gz');
    const truncated = path.join(f.home.root, 'truncated.pkg.gz');
    fs.writeFileSync(truncated, fs.readFileSync(good).subarray(0, 20_000));
    const result = await cli(f.home.root, ['metadata', 'import', '--site', 'UPS', '--path', truncated], 4);
    expect(result.records[0]!.code).to.equal('PackageCorrupt');
    expect(result.records[0]!.message).to.contain(truncated);
    const altered = path.join(f.home.root, 'altered.pkg.gz');
    const text = (await import('node:zlib')).gunzipSync(fs.readFileSync(good)).toString('utf8').replace('Security Update for', 'Insecure Update for');
    fs.writeFileSync(altered, (await import('node:zlib')).gzipSync(Buffer.from(text)));
    expect((await cli(f.home.root, ['metadata', 'import', '--site', 'UPS', '--path', altered], 4)).records[0]!.message).to.contain('digest');
    expect(siteContent(f.home.root, 'UPS')).to.deep.equal(before);
    expect((await cli(f.home.root, ['metadata', 'import', '--site', 'UPS', '--path', path.join(f.home.root, 'missing.gz')], 3)).records[0]!.code).to.equal('PackageNotFound');
  });

  it('a supersedence change makes the next sync full, once', async () => {
    const f = await copyOf(synced);
    setSup(f.home, 'CS1', { immediatelyExpireSupersedence: true });
    const [full] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast });
    expect(full!.full).to.equal(true);
    expect(full!.counts.expired).to.be.greaterThan(0);
    const [next] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast });
    expect(next!.full).to.equal(false);
  });

  it('judges only updates stored since the last supersedence check until a deferred expiry falls due, then every candidate', async () => {
    const f = await copyOf(synced);
    const readCheck = () => JSON.parse(query<{ value: string }>(f.home.root, 'CS1', "SELECT value FROM meta WHERE key = 'supersedence_checked'")[0]!.value) as { rules: string; seq: number; nextDue: string | null };
    const check = readCheck();
    expect(JSON.parse(check.rules)).to.deep.equal(f.home.site('CS1').sup.supersedence);
    expect(check.seq).to.be.greaterThan(0);
    // A live superseded update (waiting its months), its superseding update backdated behind the
    // site's back: nothing was stored, so while no deferred expiry is due it is not judged again.
    const db = openSiteDb(f.home.sitePaths('CS1').database);
    const pair = db
      .prepare('SELECT b.update_id AS by, s.superseded_id AS id FROM supersedence s JOIN updates b USING (update_key) JOIN updates u ON u.update_id = s.superseded_id WHERE u.expired = 0 AND u.classification_id IS NOT ? LIMIT 1')
      .get(definitionUpdatesId) as { by: string; id: string };
    db.prepare('UPDATE updates SET creation_date = ? WHERE update_id = ?').run('2020-01-01T00:00:00.000Z', pair.by);
    const setDue = (due: string) => db.prepare("UPDATE meta SET value = json_set(value, '$.nextDue', ?) WHERE key = 'supersedence_checked'").run(due);
    setDue('2999-01-01T00:00:00.000Z');
    await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast });
    const expiredOf = (id: string) => query<{ expired: number; reason: string | null }>(f.home.root, 'CS1', 'SELECT expired, expired_reason AS reason FROM updates WHERE update_id = ?', id)[0]!;
    expect(expiredOf(pair.id)).to.deep.equal({ expired: 0, reason: null });
    // Once the recorded due time has passed, every candidate is judged: it expires.
    setDue('2000-01-01T00:00:00.000Z');
    db.close();
    const [result] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast });
    expect(expiredOf(pair.id)).to.deep.equal({ expired: 1, reason: 'superseded' });
    expect(result!.counts.superseded).to.be.greaterThan(0);
    const after = readCheck();
    expect(after.nextDue === null || new Date(after.nextDue) > new Date()).to.equal(true);
  });

  it('expires updates outside the selection, and removes expired ones after the cleanup age', async () => {
    const f = await copyOf(synced);
    const security = '0fa1201d-4330-4fa8-8ae9-b877473b6441';
    const securityCount = query<{ n: number }>(f.home.root, 'CS1', 'SELECT count(*) AS n FROM updates WHERE classification_id = ? AND expired = 0', security)[0]!.n;
    setSup(f.home, 'CS1', { removeClassification: [security] });
    const [result] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast });
    expect(result!.counts.expired).to.be.at.least(securityCount);
    const reasons = query<{ r: string }>(f.home.root, 'CS1', 'SELECT DISTINCT expired_reason AS r FROM updates WHERE classification_id = ? AND expired = 1', security).map((x) => x.r);
    expect(reasons).to.include('outside-selection');
    expect(reasons.every((r) => r === 'outside-selection' || r === 'superseded')).to.equal(true);
    // Pretend the expiry happened 8 days ago and the last cleanup long ago: the cleanup removes them.
    const db = openSiteDb(f.home.sitePaths('CS1').database);
    db.prepare("UPDATE updates SET expired_at = ? WHERE expired = 1").run(new Date(Date.now() - 8 * 86_400_000).toISOString());
    db.prepare("DELETE FROM meta WHERE key = 'last_cleanup_at'").run();
    db.close();
    const [cleaned] = await syncSite(f.home, 'CS1', { trigger: 'manual', ...fast });
    expect(cleaned!.counts.removed).to.be.greaterThan(0);
    expect(query(f.home.root, 'CS1', 'SELECT count(*) AS n FROM updates WHERE classification_id = ? AND expired = 1', security)).to.deep.equal([{ n: 0 }]);
    // A removed update takes its document and its relationship rows with it.
    for (const table of ['update_documents', 'update_products', 'update_languages', 'supersedence', 'bundles', 'prerequisites', 'files']) {
      const key = table === 'bundles' ? 'parent_key' : 'update_key';
      expect(query(f.home.root, 'CS1', `SELECT count(*) AS n FROM ${table} r WHERE NOT EXISTS (SELECT 1 FROM updates u WHERE u.update_key = r.${key})`), table).to.deep.equal([{ n: 0 }]);
    }
    expect(fs.readFileSync(path.join(f.home.sitePaths('CS1').logDir, 'wsyncmgr.log'), 'utf8')).to.match(/Deleted \d+ expired updates/);
  });
});

describe('expiry rules', () => {
  const rules = { immediatelyExpire: false, waitMonths: 3, immediatelyExpireFeature: false, waitMonthsFeature: 6 };
  const now = new Date('2026-11-23T12:00:00Z');
  it('expires superseded updates N months after the superseding update was created, never definition updates', () => {
    const { expire: decisions } = judgeSuperseded(
      [
        { updateId: 'old', classificationId: null, supersededSince: '2026-08-23T12:00:00Z' },
        { updateId: 'recent', classificationId: null, supersededSince: '2026-08-24T12:00:00Z' },
        { updateId: 'definition', classificationId: definitionUpdatesId, supersededSince: '2020-01-01T00:00:00Z' },
        { updateId: 'feature', classificationId: upgradesId, supersededSince: '2026-06-01T00:00:00Z' },
      ],
      rules,
      now,
    );
    expect(decisions.map((d) => d.updateId)).to.deep.equal(['old']);
    expect(judgeSuperseded([{ updateId: 'recent', classificationId: null, supersededSince: '2026-11-20T00:00:00Z' }], { ...rules, immediatelyExpire: true }, now).expire).to.have.length(1);
    expect(judgeSuperseded([{ updateId: 'feature', classificationId: upgradesId, supersededSince: '2026-05-23T00:00:00Z' }], rules, now).expire).to.have.length(1);
  });
  it('tells when the next deferred supersedence expiry falls due', () => {
    const candidates = [
      { updateId: 'due-now', classificationId: null, supersededSince: '2026-08-01T00:00:00Z' },
      { updateId: 'recent', classificationId: null, supersededSince: '2026-09-15T00:00:00Z' },
      { updateId: 'feature', classificationId: upgradesId, supersededSince: '2026-06-10T00:00:00Z' },
      { updateId: 'definition', classificationId: definitionUpdatesId, supersededSince: '2026-11-01T00:00:00Z' },
    ];
    const judged = judgeSuperseded(candidates, rules, now);
    expect(judged.expire.map((d) => d.updateId)).to.deep.equal(['due-now']);
    expect(judged.nextDue?.toISOString()).to.equal('2026-12-10T00:00:00.000Z');
    expect(judgeSuperseded(candidates.slice(0, 2), rules, now).nextDue?.toISOString()).to.equal('2026-12-15T00:00:00.000Z');
    expect(judgeSuperseded([candidates[3]!], rules, now).nextDue).to.equal(undefined);
    expect(judgeSuperseded(candidates, { ...rules, immediatelyExpire: true, immediatelyExpireFeature: true }, now).nextDue).to.equal(undefined);
  });
  it('adds months clamping to the end of the month', () => {
    expect(addMonths(new Date('2026-01-31T00:00:00Z'), 1).toISOString()).to.equal('2026-02-28T00:00:00.000Z');
    expect(addMonths(new Date('2027-11-30T00:00:00Z'), 3).toISOString()).to.equal('2028-02-29T00:00:00.000Z');
  });
  it('finds updates outside the selected products × classifications', () => {
    const out = outsideSelection(
      [
        { updateId: 'in', classificationId: 'c1', productIds: ['p1', 'p9'] },
        { updateId: 'wrong-product', classificationId: 'c1', productIds: ['p9'] },
        { updateId: 'wrong-class', classificationId: 'c2', productIds: ['p1'] },
        { updateId: 'unclassified', classificationId: null, productIds: ['p1'] },
      ],
      new Set(['p1']),
      new Set(['c1']),
    );
    expect(out.map((d) => d.updateId)).to.deep.equal(['wrong-product', 'wrong-class', 'unclassified']);
  });
  it('removes expired updates only after the cleanup age', () => {
    expect(cleanupDue('2026-11-16T12:00:00Z', now, 7)).to.equal(true);
    expect(cleanupDue('2026-11-16T12:00:01Z', now, 7)).to.equal(false);
  });
});
