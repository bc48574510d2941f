/**
 * Sites, SUP settings and status through the built CLI on real files: the CLI's `main` in this
 * process (helpers/in-process.ts), and `site list` as a real child process of the built entry point.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { runCli, tempDir } from './helpers/cli.js';
import { runCommandLine } from './helpers/in-process.js';

describe('supsync site / sup / status (CLI)', () => {
  let home: string;

  before(async () => {
    home = tempDir();
    for (const args of [
      ['site', 'add', '--code', 'cs1', '--role', 'central', '--server-name', 'cs1.contoso.com'],
      ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1'],
      ['site', 'add', '--code', 'PS2', '--role', 'primary', '--parent', 'cs1'],
      ['site', 'add', '--code', 'SS1', '--role', 'secondary', '--parent', 'PS1'],
    ]) {
      const result = await runCommandLine(home, args);
      expect(result.code, result.stderr).to.equal(0);
    }
  });

  it('creates each site directory with site.json, site.db and logs, code upper-cased', async () => {
    for (const code of ['CS1', 'PS1', 'PS2', 'SS1']) {
      const dir = path.join(home, 'sites', code);
      expect(fs.existsSync(path.join(dir, 'site.db')), code).to.equal(true);
      expect(fs.statSync(path.join(dir, 'logs')).isDirectory()).to.equal(true);
      const control = JSON.parse(fs.readFileSync(path.join(dir, 'site.json'), 'utf8'));
      expect(control.code).to.equal(code);
    }
    const list = await runCli(home, ['site', 'list']);
    expect(list.records.map((r) => [r.SiteCode, r.Role, r.ParentSiteCode, r.TopLevel])).to.deep.equal([
      ['CS1', 'central', null, true],
      ['PS1', 'primary', 'CS1', false],
      ['PS2', 'primary', 'CS1', false],
      ['SS1', 'secondary', 'PS1', false],
    ]);
    expect(list.records[0]!.Children).to.deep.equal(['PS1', 'PS2']);
    expect(list.records.every((r) => r.type === 'SupSync.Site')).to.equal(true);
  });

  const refused: [string, string[], string, number][] = [
    ['an invalid site code', ['site', 'add', '--code', 'TOOLONG', '--role', 'primary'], 'InvalidSiteCode', 2],
    ['a duplicate code', ['site', 'add', '--code', 'ps1', '--role', 'primary', '--parent', 'CS1'], 'SiteExists', 2],
    ['a second central site', ['site', 'add', '--code', 'CS2', '--role', 'central'], 'CentralSiteExists', 9],
    ['a secondary under the central site', ['site', 'add', '--code', 'SS9', '--role', 'secondary', '--parent', 'CS1'], 'InvalidParent', 2],
    ['a primary under a primary', ['site', 'add', '--code', 'PS9', '--role', 'primary', '--parent', 'PS1'], 'InvalidParent', 2],
    ['a secondary without parent', ['site', 'add', '--code', 'SS9', '--role', 'secondary'], 'ParentRequired', 2],
    ['a central site with a parent', ['site', 'add', '--code', 'CS9', '--role', 'central', '--parent', 'PS1'], 'InvalidParent', 2],
    ['an unknown parent', ['site', 'add', '--code', 'PS9', '--role', 'primary', '--parent', 'XX1'], 'ParentNotFound', 2],
    ['a site as its own parent', ['site', 'add', '--code', 'PS9', '--role', 'primary', '--parent', 'PS9'], 'InvalidParent', 2],
    ['an unknown role', ['site', 'add', '--code', 'PS9', '--role', 'tertiary'], 'UsageError', 2],
    ['a malformed URL', ['site', 'add', '--code', 'PS9', '--role', 'primary', '--parent', 'CS1', '--url', 'not a url'], 'InvalidUrl', 2],
    ['an ftp URL', ['site', 'add', '--code', 'PS9', '--role', 'primary', '--parent', 'CS1', '--url', 'ftp://x'], 'InvalidUrl', 2],
    ['a bad server name', ['site', 'add', '--code', 'PS9', '--role', 'primary', '--parent', 'CS1', '--server-name', 'bad name!'], 'InvalidServerName', 2],
    ['removing a site with children', ['site', 'remove', '--code', 'PS1'], 'SiteHasChildren', 9],
    ['an unknown site', ['sup', 'get', '--site', 'ZZ9'], 'SiteNotFound', 3],
    ['an unknown command', ['frobnicate'], 'UsageError', 2],
    ['settings on a child site', ['sup', 'set', '--site', 'PS1', '--add-classification', 'Security Updates'], 'NotTopLevelSite', 9],
    ['an unknown classification', ['sup', 'set', '--site', 'CS1', '--add-classification', 'Securty Updates'], 'UnknownClassification', 3],
    ['a product title before the first sync', ['sup', 'set', '--site', 'CS1', '--add-product', 'Windows 11'], 'CategoriesNotSynchronized', 9],
    ['upstream without URL', ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream'], 'UpstreamUrlRequired', 2],
    ['a malformed upstream URL', ['sup', 'set', '--site', 'CS1', '--upstream-url', 'http//x'], 'InvalidUrl', 2],
    ['conflicting options', ['sup', 'set', '--site', 'CS1', '--add-language', 'de', '--remove-language', 'DE'], 'ConflictingOptions', 2],
    ['sync source given twice', ['sup', 'set', '--site', 'CS1', '--sync-source', 'none', '--synchronize-action', 'SynchronizeFromMicrosoftUpdate'], 'ConflictingOptions', 2],
    ['an unknown language', ['sup', 'set', '--site', 'CS1', '--add-language', 'klingon'], 'UnknownLanguage', 2],
    ['a non-numeric month count', ['sup', 'set', '--site', 'CS1', '--wait-months', 'three'], 'InvalidArgument', 2],
    ['an out-of-range month count', ['sup', 'set', '--site', 'CS1', '--wait-months', '0'], 'InvalidArgument', 2],
    ['a non-boolean flag value', ['sup', 'set', '--site', 'CS1', '--enable-sync-failure-alert', 'maybe'], 'InvalidArgument', 2],
  ];
  for (const [what, args, code, exit] of refused) {
    it(`refuses ${what} with ${code}, exit ${exit}, changing nothing`, async () => {
      const before = snapshot(home);
      const result = await runCommandLine(home, args);
      expect(result.code, result.stderr).to.equal(exit);
      expect(result.records).to.have.length(1);
      const error = result.records[0]!;
      expect(error.type).to.equal('SupSync.Error');
      expect(error.code).to.equal(code);
      expect(error.message).to.be.a('string').and.not.equal('');
      expect(error.category).to.be.oneOf(['InvalidArgument', 'ObjectNotFound', 'InvalidOperation', 'ResourceExists']);
      expect(result.stderr).to.contain(String(error.message).split('\n')[0]);
      expect(snapshot(home)).to.deep.equal(before);
    });
  }

  it('sets SUP settings idempotently on the top-level site and reports them with --pass-thru', async () => {
    const set = await runCommandLine(home, [
      'sup', 'set', '--site', 'CS1', '--add-classification', 'Security Updates', 'critical updates', '0fa1201d-4330-4fa8-8ae9-b877473b6441',
      '--add-language', 'de', '--sync-source', 'upstream', '--upstream-url', 'https://wsus.contoso.com:8531/', '--enable-sync-failure-alert', 'true', '--pass-thru',
    ]);
    expect(set.code, set.stderr).to.equal(0);
    const sup = set.records[0]!;
    expect(sup.type).to.equal('SupSync.SupComponent');
    expect(sup.UpdateClassifications).to.deep.equal(['Security Updates', 'Critical Updates']);
    expect(sup.LanguageSummaryDetails).to.deep.equal(['en', 'de']);
    expect(sup.SynchronizeAction).to.equal('SynchronizeFromAnUpstreamDataSourceLocation');
    expect(sup.UpstreamSourceLocation).to.equal('https://wsus.contoso.com:8531');
    expect(sup.EnableSyncFailureAlert).to.equal(true);
    expect(sup.FullSyncRequired).to.equal(false);
    const again = await runCommandLine(home, ['sup', 'set', '--site', 'CS1', '--add-classification', 'Security Updates', '--pass-thru']);
    expect(again.records[0]!.UpdateClassifications).to.deep.equal(['Security Updates', 'Critical Updates']);
    const removed = await runCommandLine(home, ['sup', 'set', '--site', 'CS1', '--remove-classification', 'Critical Updates', 'Drivers', '--pass-thru']);
    expect(removed.records[0]!.UpdateClassifications).to.deep.equal(['Security Updates']);
  });

  it('marks the next sync full when supersedence rules change, and --what-if changes nothing', async () => {
    const before = fs.readFileSync(path.join(home, 'sites', 'CS1', 'site.json'), 'utf8');
    const plan = await runCommandLine(home, ['sup', 'set', '--site', 'CS1', '--immediately-expire-supersedence', 'true', '--what-if']);
    expect(plan.code).to.equal(0);
    expect(plan.records[0]).to.include({ type: 'SupSync.SupChangePlan', SiteCode: 'CS1', ForcesFullSync: true });
    expect(plan.records[0]!.Changes).to.deep.equal([{ setting: 'immediatelyExpireSupersedence', from: false, to: true }]);
    expect(plan.stderr).to.contain('What if');
    expect(fs.readFileSync(path.join(home, 'sites', 'CS1', 'site.json'), 'utf8')).to.equal(before);
    const applied = await runCommandLine(home, ['sup', 'set', '--site', 'CS1', '--immediately-expire-supersedence', 'true', '--pass-thru']);
    expect(applied.records[0]).to.include({ ImmediatelyExpireSupersedence: true, FullSyncRequired: true });
  });

  it('never prints the proxy password back', async () => {
    const set = await runCommandLine(home, ['sup', 'set', '--site', 'PS1', '--proxy', 'http://svc-sup:S3cret!@proxy.contoso.com:8080', '--pass-thru']);
    expect(set.code, set.stderr).to.equal(0);
    expect(set.records[0]).to.include({ ProxyUrl: 'http://proxy.contoso.com:8080/', ProxyUserName: 'svc-sup', ProxyHasPassword: true });
    const get = await runCommandLine(home, ['sup', 'get', '--site', 'PS1']);
    expect(get.stdout + get.stderr + set.stdout + set.stderr).not.to.contain('S3cret');
  });

  it("reports a child's sync source as its parent and gives one status record per SUP", async () => {
    const child = await runCommandLine(home, ['sup', 'get', '--site', 'SS1']);
    expect(child.records[0]).to.include({ SyncSource: 'parent', SynchronizeAction: 'SynchronizeFromAnUpstreamDataSourceLocation', TopLevel: false });
    const status = await runCommandLine(home, ['status']);
    expect(status.code).to.equal(0);
    expect(status.records.map((r) => r.SiteCode)).to.deep.equal(['CS1', 'PS1', 'PS2', 'SS1']);
    for (const record of status.records) {
      expect(record.type).to.equal('SupSync.SyncStatus');
      for (const field of ['WSUSServerName', 'SiteCode', 'WSUSSourceServer', 'SyncCatalogVersion', 'LastSuccessfulSyncTime', 'LastSyncState', 'LastSyncStateTime',
        'LastSyncErrorCode', 'ReplicationLinkStatus', 'LastReplicationLinkCheckTime']) {
        expect(record, field).to.have.property(field);
      }
      expect(record.Status).to.equal('never synchronized');
    }
    expect(status.records[0]).to.include({ WSUSServerName: 'cs1.contoso.com', WSUSSourceServer: 'https://wsus.contoso.com:8531', SyncCatalogVersion: 0 });
    expect(status.records[3]).to.include({ WSUSSourceServer: status.records[1]!.WSUSServerName, CatalogVersionLag: 0 });
    const one = await runCommandLine(home, ['status', '--site', 'ps2']);
    expect(one.records.map((r) => r.SiteCode)).to.deep.equal(['PS2']);
  });

  it('refuses a corrupted or hand-edited site.json and a damaged site.db, naming the file', async () => {
    const other = tempDir();
    expect((await runCommandLine(other, ['site', 'add', '--code', 'CS1', '--role', 'central'])).code).to.equal(0);
    const control = path.join(other, 'sites', 'CS1', 'site.json');
    const good = fs.readFileSync(control, 'utf8');
    fs.writeFileSync(control, good.slice(0, 40));
    let result = await runCommandLine(other, ['sup', 'get', '--site', 'CS1']);
    expect(result.code).to.equal(4);
    expect(result.records[0]).to.include({ code: 'SiteFileCorrupt', target: control });
    fs.writeFileSync(control, good.replace('"central"', '"tertiary"'));
    result = await runCommandLine(other, ['sup', 'set', '--site', 'CS1', '--add-language', 'fr']);
    expect(result.records[0]).to.include({ code: 'SiteFileInvalid' });
    expect(result.records[0]!.message).to.contain("'role'");
    expect(fs.readFileSync(control, 'utf8')).to.contain('"tertiary"');
    fs.writeFileSync(control, good);
    const database = path.join(other, 'sites', 'CS1', 'site.db');
    fs.writeFileSync(database, 'this is not a database at all, just text');
    result = await runCommandLine(other, ['status']);
    expect(result.code).to.equal(4);
    expect(result.records[0]).to.include({ code: 'SiteDatabaseCorrupt', target: database });
  });

  it('refuses a home that cannot be written, naming it', async function () {
    if (process.getuid?.() === 0) {
      // root ignores permission bits; a path below a regular file cannot be created by anyone.
      const file = path.join(tempDir(), 'file');
      fs.writeFileSync(file, '');
      const result = await runCommandLine(path.join(file, 'home'), ['site', 'add', '--code', 'CS1', '--role', 'central']);
      expect(result.code).to.equal(8);
      expect(result.records[0]).to.include({ code: 'HomeNotWritable', target: path.join(file, 'home') });
      return;
    }
    const locked = tempDir();
    fs.chmodSync(locked, 0o500);
    const result = await runCommandLine(locked, ['site', 'add', '--code', 'CS1', '--role', 'central']);
    expect(result.code).to.equal(8);
    expect(result.records[0]).to.include({ code: 'HomeNotWritable' });
  });

  it('removes a leaf site, with --what-if first', async () => {
    const plan = await runCommandLine(home, ['site', 'remove', '--code', 'PS2', '--what-if']);
    expect(plan.records[0]).to.include({ type: 'SupSync.SitePlan', Action: 'Remove', SiteCode: 'PS2' });
    expect(fs.existsSync(path.join(home, 'sites', 'PS2'))).to.equal(true);
    const removed = await runCommandLine(home, ['site', 'remove', '--code', 'PS2']);
    expect(removed.code).to.equal(0);
    expect(fs.existsSync(path.join(home, 'sites', 'PS2'))).to.equal(false);
    const list = await runCommandLine(home, ['site', 'list']);
    expect(list.records.map((r) => r.SiteCode)).to.deep.equal(['CS1', 'PS1', 'SS1']);
  });
});

/** Every file of the home with its content, to prove a refused command changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('-wal') || entry.name.endsWith('-shm')) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = fs.readFileSync(file).toString('base64');
  }
  return out;
}
