/**
 * Synchronization end to end, through the built CLI: an upstream site seeded from a generated
 * corpus and served over [MS-WSUSSS] on loopback by a `supsync serve` child process, a central site
 * CS1 syncing from it, primaries PS1 and PS2 and a secondary SS1 under PS1 following through the
 * cascade; full sync, what-if, delta after new revisions, history, status and queries. The full
 * sync runs as a real child process of the built entry point; the other command lines run its
 * `main` in this process (helpers/hierarchy.ts `cli`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { tempDir } from './helpers/cli.js';
import { type ServedSite, cli, cliProcess, query, serveSite, siteContent, siteRevisions, upstreamHome } from './helpers/hierarchy.js';

describe('sync down a hierarchy over the protocol (CLI)', function () {
  this.timeout(180_000);
  let home: string;
  let corpus: (generation: number) => Promise<string>;
  let upstream: ServedSite;

  before(async () => {
    ({ home, corpus } = await upstreamHome(1000, 'sync-test'));
    upstream = await serveSite(home, 'UPS');
    await cli(home, ['site', 'add', '--code', 'CS1', '--role', 'central', '--server-name', 'cs1.test']);
    await cli(home, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', upstream.url]);
    await cli(home, ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1']);
    await cli(home, ['site', 'add', '--code', 'PS2', '--role', 'primary', '--parent', 'CS1']);
    await cli(home, ['site', 'add', '--code', 'SS1', '--role', 'secondary', '--parent', 'PS1']);
  });
  after(() => upstream.stop());

  it('first sync with nothing selected fetches categories only, says so, and cascades', async () => {
    const result = await cli(home, ['--verbose', 'sync', '--site', 'CS1', '--wait']); // the host is quiet without --verbose
    expect(result.records.map((r) => [r.SiteCode, r.State])).to.have.deep.members([
      ['CS1', 'Succeeded'],
      ['PS1', 'Succeeded'],
      ['PS2', 'Succeeded'],
      ['SS1', 'Succeeded'],
    ]);
    expect(result.stderr).to.contain('No products or classifications are selected');
    const log = fs.readFileSync(path.join(home, 'sites', 'CS1', 'logs', 'wsyncmgr.log'), 'utf8');
    expect(log).to.contain('Sending sync notification to child site(s): PS1, PS2');
    const childLog = fs.readFileSync(path.join(home, 'sites', 'SS1', 'logs', 'wsyncmgr.log'), 'utf8');
    expect(childLog).to.contain('Found parent sync notification file PS1.SYN.');
    expect(childLog).to.contain('Successfully synced site with parent PS1, version 1');
    const products = await cli(home, ['category', 'list', '--site', 'CS1', '--type', 'product']);
    expect(products.records.length).to.be.greaterThan(90);
    const classifications = await cli(home, ['category', 'list', '--site', 'SS1', '--type', 'classification']);
    expect(classifications.records.map((r) => r.Title)).to.include.members(['Security Updates', 'Definition Updates', 'Drivers']);
    expect(query(home, 'CS1', 'SELECT count(*) AS n FROM updates')[0]).to.deep.equal({ n: 0 });
  });

  it('--what-if plans the full sync per product and classification, writing nothing', async () => {
    const products = (await cli(home, ['category', 'list', '--site', 'CS1', '--type', 'product'])).records.map((r) => String(r.Id));
    const classifications = (await cli(home, ['category', 'list', '--site', 'CS1', '--type', 'classification'])).records.map((r) => String(r.Title));
    await cli(home, ['sup', 'set', '--site', 'CS1', '--add-product', ...products, '--add-classification', ...classifications, '--add-language', 'de']);
    const before = fs.readFileSync(path.join(home, 'sites', 'CS1', 'site.db'));
    const plan = await cli(home, ['sync', '--site', 'CS1', '--what-if']);
    const summary = plan.records.find((r) => r.type === 'SupSync.SyncPlanSummary')!;
    const upstreamCount = siteRevisions(home, 'UPS').size;
    expect(summary.New).to.equal(upstreamCount);
    expect(summary.BytesToFetch).to.be.greaterThan(0);
    const rows = plan.records.filter((r) => r.type === 'SupSync.SyncPlan');
    expect(rows.length).to.be.greaterThan(20);
    expect(rows.reduce((n, r) => n + Number(r.New), 0)).to.equal(upstreamCount);
    expect(rows.find((r) => r.Classification === 'Definition Updates')!.Product).to.equal('Microsoft Defender Antivirus');
    expect(fs.readFileSync(path.join(home, 'sites', 'CS1', 'site.db')).equals(before)).to.equal(true);
    expect((await cli(home, ['sync', 'history', '--site', 'CS1'])).records).to.have.length(1);
  });

  it('full sync stores exactly the upstream content at CS1 and its live content at every child', async () => {
    const result = await cliProcess(home, ['sync', '--site', 'CS1', '--wait']);
    const own = result.records.find((r) => r.SiteCode === 'CS1')!;
    expect(own.State).to.equal('Succeeded');
    const upstreamContent = siteContent(home, 'UPS', { liveOnly: true });
    const cs1 = siteContent(home, 'CS1');
    expect(own.New).to.equal(upstreamContent.size);
    expect([...cs1.keys()].sort()).to.deep.equal([...upstreamContent.keys()].sort());
    for (const [id, value] of upstreamContent) expect(cs1.get(id)!.replace(/\|[01]\|/, '||'), id).to.equal(value);
    // CS1 expired superseded updates per its rules (3 months); children hold CS1's live content.
    expect(Number(own.Expired)).to.be.greaterThan(0);
    const live = siteContent(home, 'CS1', { liveOnly: true });
    for (const child of ['PS1', 'PS2', 'SS1']) expect(siteContent(home, child, { liveOnly: true }), child).to.deep.equal(live);
    const status = await cli(home, ['status']);
    for (const record of status.records.filter((r) => ['PS1', 'PS2', 'SS1'].includes(String(r.SiteCode)))) {
      expect(record.CatalogVersionLag).to.equal(0);
      expect(record.LastSyncState).to.equal(6702);
    }
    expect(query(home, 'CS1', 'SELECT DISTINCT message_id FROM status_messages ORDER BY message_id').map((r) => (r as { message_id: number }).message_id)).to.deep.equal([
      6701, 6702, 6704, 6705,
    ]);
    const log = fs.readFileSync(path.join(home, 'sites', 'CS1', 'logs', 'wsyncmgr.log'), 'utf8');
    expect(log).to.match(/sync: WSUS synchronizing updates, processed \d+ out of \d+ items \(\d+%\), ETA in \d\d:\d\d:\d\d/);
    expect(log).to.match(/Synchronizing update [0-9a-f-]{36} - /);
    expect(log).to.match(/Updated \d+ items in SMS database, new update source content version is 2/);
  });

  it('keeps only the selected summary languages, plus the default', () => {
    const languages = query<{ language: string }>(home, 'CS1', 'SELECT DISTINCT language FROM update_languages ORDER BY language').map((r) => r.language);
    expect(languages).to.deep.equal(['de', 'en']);
  });

  it('delta sync after new revisions fetches only what changed, matching the what-if plan', async () => {
    await cli(home, ['metadata', 'import', '--site', 'UPS', '--path', await corpus(2)]);
    const plan = (await cli(home, ['sync', '--site', 'CS1', '--what-if'])).records.find((r) => r.type === 'SupSync.SyncPlanSummary')!;
    expect(Number(plan.New) + Number(plan.Revised)).to.be.greaterThan(0);
    const result = await cli(home, ['sync', '--site', 'CS1', '--wait']);
    const own = result.records.find((r) => r.SiteCode === 'CS1')!;
    expect([own.New, own.Revised]).to.deep.equal([plan.New, plan.Revised]);
    const history = (await cli(home, ['sync', 'history', '--site', 'CS1'])).records;
    const [full, delta] = history.slice(-2);
    expect(Number(delta!.BytesFetched)).to.be.lessThan(Number(full!.BytesFetched) / 10);
    const upstreamContent = siteContent(home, 'UPS', { liveOnly: true });
    const cs1 = siteContent(home, 'CS1');
    for (const [id, value] of upstreamContent) expect(cs1.get(id)?.replace(/\|[01]\|/, '||'), id).to.equal(value);
    const live = siteContent(home, 'CS1', { liveOnly: true });
    for (const child of ['PS1', 'PS2', 'SS1']) expect(siteContent(home, child, { liveOnly: true }), child).to.deep.equal(live);
    // A child never held the revisions CS1 had already expired, so it gets some of them as new.
    const child = result.records.find((r) => r.SiteCode === 'SS1')!;
    expect(Number(child.Revised)).to.be.at.most(Number(own.Revised));
    expect(Number(child.New) + Number(child.Revised)).to.be.at.least(Number(own.New));
  });

  it('a sync with nothing new says "no changes" and keeps the catalog version', async () => {
    const before = (await cli(home, ['status', '--site', 'CS1'])).records[0]!;
    const result = await cli(home, ['sync', '--site', 'CS1']);
    expect(result.records[0]!.State).to.equal('NoChanges');
    const after = (await cli(home, ['status', '--site', 'CS1'])).records[0]!;
    expect(after.SyncCatalogVersion).to.equal(before.SyncCatalogVersion);
    expect(after.Status).to.equal('no changes');
  });

  it('lists history with counts per product and classification', async () => {
    const history = (await cli(home, ['sync', 'history', '--site', 'CS1'])).records;
    expect(history.map((r) => r.State)).to.deep.equal(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const full = history[1]!;
    const counts = full.Counts as { Phase: string; ProductId: string | null; ClassificationId: string | null; New: number }[];
    expect(counts.filter((c) => c.Phase === 'updates').length).to.be.greaterThan(20);
    expect(counts.every((c) => c.Phase !== 'updates' || c.ProductId)).to.equal(true);
    // Bundle leaves have no classification of their own (as on Microsoft Update): counted under none.
    expect(counts.some((c) => c.Phase === 'updates' && c.ClassificationId === null)).to.equal(true);
    expect((await cli(home, ['sync', 'history', '--site', 'CS1', '--last', '1'])).records).to.have.length(1);
  });

  it('queries updates by KB, product, classification and title', async () => {
    const any = (await cli(home, ['update', 'list', '--site', 'CS1', '--classification', 'Security Updates', '--limit', '5'])).records;
    expect(any).to.have.length(5);
    for (const u of any) expect(u.Classification).to.equal('Security Updates');
    const kb = String(any[0]!.ArticleId);
    const byKb = (await cli(home, ['update', 'list', '--site', 'CS1', '--kb', `KB${kb}`])).records;
    expect(byKb.map((u) => u.UpdateId)).to.include(any[0]!.UpdateId);
    const defender = (await cli(home, ['update', 'list', '--site', 'PS1', '--product', 'Microsoft Defender Antivirus', '--classification', 'Definition Updates'])).records;
    expect(defender.length).to.be.greaterThan(0);
    expect(defender.every((u) => (u.Products as string[]).includes('Microsoft Defender Antivirus'))).to.equal(true);
    const expired = (await cli(home, ['update', 'list', '--site', 'CS1', '--include-expired'])).records.filter((u) => u.IsExpired);
    expect(expired.length).to.be.greaterThan(0);
    expect(expired.every((u) => u.ExpiredReason === 'superseded')).to.equal(true);
    const titled = (await cli(home, ['update', 'list', '--site', 'CS1', '--title', '100%_'])).records;
    expect(titled).to.deep.equal([]);
    const bad = await cli(home, ['update', 'list', '--site', 'CS1', '--kb', 'KBabc'], 2);
    expect(bad.records[0]!.code).to.equal('InvalidKb');
  });

  it('exports the metadata as a package another (disconnected) site imports to the same content', async () => {
    const file = path.join(home, 'export.pkg.gz');
    const exported = await cli(home, ['metadata', 'export', '--site', 'PS2', '--path', file]);
    const held = query<{ n: number }>(home, 'PS2', 'SELECT (SELECT count(*) FROM updates) + (SELECT count(*) FROM categories) AS n')[0]!.n;
    expect(exported.records[0]!.Records).to.equal(held);
    await cli(home, ['site', 'add', '--code', 'DS1', '--role', 'primary', '--stand-alone']);
    await cli(home, ['sup', 'set', '--site', 'DS1', '--sync-source', 'none', '--wait-months', '99']);
    await cli(home, ['metadata', 'import', '--site', 'DS1', '--path', file]);
    expect(siteRevisions(home, 'DS1')).to.deep.equal(siteRevisions(home, 'PS2', 'expired = 0'));
  });
});

describe('a hierarchy across two machines (two homes, endpoints on loopback)', function () {
  // A bound against a hang only: three servers and four syncs take minutes on a loaded machine.
  this.timeout(300_000);
  it('a parent notifies its remote child, which then syncs from the parent endpoint', async () => {
    // A small corpus: the test proves the notification and the child's copy, not volume.
    const { home } = await upstreamHome(60, 'remote-test');
    const upstream = await serveSite(home, 'UPS');
    const other = tempDir('supsync-other-machine-');
    let parentEndpoint: ServedSite | undefined;
    let childEndpoint: ServedSite | undefined;
    try {
      await cli(home, ['site', 'add', '--code', 'CS1', '--role', 'central']);
      await cli(home, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', upstream.url]);
      await cli(home, ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1']);
      await cli(home, ['sync', '--site', 'CS1', '--wait']);
      const products = (await cli(home, ['category', 'list', '--site', 'CS1', '--type', 'product'])).records.map((r) => String(r.Id));
      await cli(home, ['sup', 'set', '--site', 'CS1', '--add-product', ...products, '--add-classification', 'Security Updates', 'Updates', 'Critical Updates']);
      parentEndpoint = await serveSite(home, 'PS1');
      // The other machine: SS2 knows its parent's endpoint; its own endpoint receives sync requests.
      // They share the credential the parent presents with its sync requests.
      await cli(other, ['site', 'add', '--code', 'SS2', '--role', 'secondary', '--parent', 'PS1', '--parent-url', parentEndpoint.url, '--sync-request-secret', 'ps1-to-ss2-secret']);
      childEndpoint = await serveSite(other, 'SS2');
      const recorded = await cli(home, ['site', 'add', '--code', 'SS2', '--role', 'secondary', '--parent', 'PS1', '--url', childEndpoint.url, '--remote', '--sync-request-secret', 'ps1-to-ss2-secret']);
      expect(recorded.records[0]!.Children).to.deep.equal(['SS2']);

      await cli(home, ['sync', '--site', 'CS1', '--wait']);
      expect(fs.readFileSync(path.join(home, 'sites', 'PS1', 'logs', 'wsyncmgr.log'), 'utf8')).to.contain('Sending sync notification to child site(s): SS2');
      expect(fs.readdirSync(path.join(other, 'sites', 'SS2', 'inbox'))).to.deep.equal(['PS1.SYN']);
      const synced = await cli(other, ['sync', '--site', 'SS2']);
      expect(synced.records[0]!.State).to.equal('Succeeded');
      expect(fs.readFileSync(path.join(other, 'sites', 'SS2', 'logs', 'wsyncmgr.log'), 'utf8')).to.contain('Found parent sync notification file PS1.SYN.');
      expect(siteContent(other, 'SS2', { liveOnly: true })).to.deep.equal(siteContent(home, 'PS1', { liveOnly: true }));
      const status = (await cli(other, ['status'])).records[0]!;
      expect(status.WSUSSourceServer).to.equal(parentEndpoint.url);
      await cli(home, ['site', 'remove', '--code', 'SS2']);
      expect((await cli(home, ['site', 'list'])).records.find((r) => r.SiteCode === 'PS1')!.Children).to.deep.equal([]);
    } finally {
      await childEndpoint?.stop();
      await parentEndpoint?.stop();
      await upstream.stop();
    }
  });
});
