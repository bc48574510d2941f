/**
 * Migrations 6 and 7 of the site database: relationship rows keyed by the update's update_key
 * instead of its GUID (6), and each update's document in update_documents instead of its updates
 * row (7). An older site keeps every row, and goes on storing and serving as a site that never had
 * the old layout.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { generateCorpus } from '../src/dev/corpus.js';
import { writePackage } from '../src/package/file.js';
import { Home } from '../src/store/home.js';
import { schemaVersion } from '../src/store/site-db.js';
import { withSiteStore } from '../src/store/site-store.js';
import { importPackage } from '../src/sync/import-package.js';
import { dumpSite } from './campaign/site-dump.js';
import { tempDir } from './helpers/cli.js';
import { corpusSite } from './helpers/corpus-site.js';
import { asSchema5, asSchema6 } from './helpers/older-site-db.js';

const relationshipTables = ['update_products', 'update_languages', 'supersedence', 'bundles', 'prerequisites', 'files'];

function columnsOf(file: string, table: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
  } finally {
    db.close();
  }
}

/** Two sites holding the same corpus: OLD, which a test takes back to an older layout, and NEW, which never had it. */
async function twinSites(prefix: string, corpus: { updates: number; seed: string }): Promise<{ home: Home; file: string }> {
  const home = new Home(tempDir(prefix));
  await corpusSite(home, 'OLD', corpus);
  await corpusSite(home, 'NEW', corpus);
  return { home, file: home.sitePaths('OLD').database };
}

/** Imports the corpus's next generation (revisions, new updates, expiries) into both sites. */
async function importNextGeneration(home: Home, corpus: { updates: number; seed: string }): Promise<void> {
  const next = path.join(home.root, 'generation-2.pkg.gz');
  const header = { serverId: 't', creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: ['en'] };
  await writePackage(next, header, generateCorpus({ ...corpus, generation: 2 }));
  for (const code of ['OLD', 'NEW']) expect((await importPackage(home, code, next)).state, code).to.equal('Succeeded');
}

describe('site database migration 6 (relationship rows keyed by update_key)', function () {
  this.timeout(120_000);

  it('keeps every row of a schema-5 site, and the site stores and serves on as one that never had the old layout', async () => {
    const corpus = { updates: 400, seed: 'migration-6' };
    const { home, file } = await twinSites('supsync-migrate-keys-', corpus);
    const query = (store: Parameters<Parameters<typeof withSiteStore>[1]>[0]) => {
      const known = store.categories.known();
      // A product filter reaches bundled children and prerequisites through the relationship rows.
      return store.served.updateRevisions({ products: known.products.slice(0, Math.ceil(known.products.length / 2)).map((p) => p.id) });
    };
    const before = dumpSite(home.root, 'OLD');
    const servedBefore = withSiteStore(file, query);
    for (const table of ['supersedence', 'bundles', 'prerequisites', 'files']) expect(before.counts[table], table).to.be.greaterThan(0);
    expect(servedBefore.length).to.be.greaterThan(20);

    const old = new Database(file);
    asSchema5(old);
    old.close();
    expect(columnsOf(file, 'updates')).to.not.include('update_key');
    expect(columnsOf(file, 'bundles')).to.include('parent_id');

    // Opening it migrates it.
    expect(withSiteStore(file, query)).to.deep.equal(servedBefore);
    expect(columnsOf(file, 'updates')[0]).to.equal('update_key');
    for (const table of relationshipTables) expect(columnsOf(file, table)[0], table).to.equal(table === 'bundles' ? 'parent_key' : 'update_key');
    const migrated = new Database(file, { readonly: true });
    try {
      expect(migrated.pragma('user_version', { simple: true })).to.equal(schemaVersion);
      expect(migrated.pragma('integrity_check', { simple: true })).to.equal('ok');
      // Compacted: the old tables' pages are not left free in the file.
      expect(migrated.pragma('freelist_count', { simple: true })).to.equal(0);
      for (const table of relationshipTables) {
        const key = table === 'bundles' ? 'parent_key' : 'update_key';
        const orphans = migrated.prepare(`SELECT count(*) FROM ${table} r WHERE NOT EXISTS (SELECT 1 FROM updates u WHERE u.update_key = r.${key})`).pluck().get();
        expect(orphans, table).to.equal(0);
      }
    } finally {
      migrated.close();
    }
    const after = dumpSite(home.root, 'OLD');
    expect(after.counts).to.deep.equal(before.counts);
    expect(after.digest).to.equal(before.digest);

    // The next generation stored into both sites leaves them alike.
    await importNextGeneration(home, corpus);
    const old2 = dumpSite(home.root, 'OLD');
    const new2 = dumpSite(home.root, 'NEW');
    expect(old2.digest).to.not.equal(before.digest);
    expect(old2.counts).to.deep.equal(new2.counts);
    expect(old2.digest).to.equal(new2.digest);
    expect(withSiteStore(file, query)).to.deep.equal(withSiteStore(home.sitePaths('NEW').database, query));
  });

  it('leaves a site whose migration fails as it was, says so, and migrates it once the cause is gone', async () => {
    const home = new Home(tempDir('supsync-migrate-fails-'));
    await corpusSite(home, 'OLD', { updates: 60, seed: 'migration-6-fails' });
    const file = home.sitePaths('OLD').database;
    const before = dumpSite(home.root, 'OLD');
    const old = new Database(file);
    asSchema5(old);
    // A table in the way of the one migration 6 builds.
    old.exec('CREATE TABLE updates_keyed (x)');
    old.close();

    let failure: (Error & { code?: string }) | undefined;
    try {
      withSiteStore(file, () => undefined);
    } catch (error) {
      failure = error as Error & { code?: string };
    }
    expect(failure?.code).to.equal('SiteDatabaseMigrationFailed');
    expect(failure?.message).to.include(file).and.include('schema version 6').and.include('left as it was, at version 5');
    const left = new Database(file);
    try {
      expect(left.pragma('user_version', { simple: true })).to.equal(5);
      expect((left.pragma('table_info(bundles)') as { name: string }[]).map((c) => c.name)).to.include('parent_id');
      expect(left.prepare('SELECT count(*) FROM updates').pluck().get()).to.equal(before.counts.updates);
      left.exec('DROP TABLE updates_keyed');
    } finally {
      left.close();
    }
    withSiteStore(file, () => undefined);
    expect(dumpSite(home.root, 'OLD').digest).to.equal(before.digest);
  });
});

describe('site database migration 7 (update documents in a table of their own)', function () {
  this.timeout(120_000);

  it('keeps every document of a schema-6 site, and the site stores and serves on as one that never had the old layout', async () => {
    const corpus = { updates: 300, seed: 'migration-7' };
    const { home, file } = await twinSites('supsync-migrate-documents-', corpus);
    // What the SUP endpoint serves of every update: its stored XML, expiry and files.
    const served = (store: Parameters<Parameters<typeof withSiteStore>[1]>[0]) => store.served.updateRevisions({}).map((key) => [key, store.served.revision(key)]);
    const before = dumpSite(home.root, 'OLD');
    const servedBefore = withSiteStore(file, served);
    expect(servedBefore.length).to.equal(before.counts.updates);

    const old = new Database(file);
    asSchema6(old);
    const documentsBefore = old.prepare('SELECT update_key, metadata_format, metadata FROM updates ORDER BY update_key').raw().all();
    old.close();
    expect(columnsOf(file, 'updates')).to.include.members(['metadata', 'metadata_format']);

    // Opening it migrates it.
    expect(withSiteStore(file, served)).to.deep.equal(servedBefore);
    expect(columnsOf(file, 'updates')).to.not.include('metadata').and.not.include('metadata_format');
    const migrated = new Database(file, { readonly: true });
    try {
      expect(migrated.pragma('user_version', { simple: true })).to.equal(schemaVersion);
      expect(migrated.pragma('integrity_check', { simple: true })).to.equal('ok');
      expect(migrated.pragma('freelist_count', { simple: true })).to.equal(0);
      expect(migrated.prepare('SELECT update_key, metadata_format, metadata FROM update_documents ORDER BY update_key').raw().all()).to.deep.equal(documentsBefore);
      expect(migrated.prepare('SELECT count(*) FROM updates u WHERE NOT EXISTS (SELECT 1 FROM update_documents d WHERE d.update_key = u.update_key)').pluck().get()).to.equal(0);
    } finally {
      migrated.close();
    }
    expect(dumpSite(home.root, 'OLD').digest).to.equal(before.digest);

    // The next generation stored into both sites leaves them alike.
    await importNextGeneration(home, corpus);
    const old2 = dumpSite(home.root, 'OLD');
    expect(old2.digest).to.not.equal(before.digest);
    expect(old2.digest).to.equal(dumpSite(home.root, 'NEW').digest);
    expect(withSiteStore(file, served)).to.deep.equal(withSiteStore(home.sitePaths('NEW').database, served));
  });

  it('is not made by a read-only open, which reads the state of a schema-6 site but refuses its updates, saying what to do', async () => {
    const { home, file } = await twinSites('supsync-migrate-readonly-', { updates: 40, seed: 'migration-7-readonly' });
    const summary = (store: Parameters<Parameters<typeof withSiteStore>[1]>[0]) => {
      const id = store.served.updateRevisions({})[0]!.updateId;
      return store.updates.storedSummary(id);
    };
    const expected = withSiteStore(file, summary);
    const old = new Database(file);
    asSchema6(old);
    old.close();

    // What monitoring reads (metrics, alerts) still reads.
    const state = withSiteStore(file, (store) => store.state.read(), { readonly: true });
    expect(state.last_sync_state).to.equal(withSiteStore(home.sitePaths('NEW').database, (store) => store.state.read()).last_sync_state);
    let refusal: (Error & { code?: string; category?: string }) | undefined;
    try {
      withSiteStore(file, summary, { readonly: true });
    } catch (error) {
      refusal = error as Error & { code?: string; category?: string };
    }
    expect(refusal?.code).to.equal('SiteDatabaseNotMigrated');
    expect(refusal?.category).to.equal('InvalidOperation');
    expect(refusal?.message).to.include(file).and.include('schema version 6').and.include('sync the site');
    // Every reader of updates and their documents refuses it.
    for (const reader of ['updates', 'served', 'catalogView', 'console'] as const) {
      expect(() => withSiteStore(file, (store) => store[reader], { readonly: true }), reader)
        .to.throw()
        .with.property('code', 'SiteDatabaseNotMigrated');
    }
    expect(columnsOf(file, 'updates')).to.include('metadata');

    // A writer's open migrates it; read-only opens read its updates after that.
    withSiteStore(file, () => undefined);
    expect(withSiteStore(file, summary, { readonly: true })).to.deep.equal(expected);
  });
});
