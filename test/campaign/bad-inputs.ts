/**
 * The bad-input campaign: command lines a hostile user or an unlucky operator types, each with the
 * error code and exit code it must end with. Every case runs through the CLI's real entry point
 * and must leave the home byte-for-byte as it was (the runner hashes it before and after).
 *
 * `setup` cases change a fresh copy of the base home first (a hand-edited site.json, a damaged
 * site.db): the hash is taken after the setup, so the command itself must change nothing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface BadInputCase {
  name: string;
  args: string[];
  code: string;
  exit: number;
  /** Prepares a fresh copy of the base home; gets the home and the scratch directory. */
  setup?: (home: string, scratch: string) => void;
  /** Replaces `--home <home>` (for homes that are not directories). */
  home?: (scratch: string) => string;
}

/** Where the runner keeps files the cases point at. */
export interface CampaignFiles {
  scratch: string;
  /** A port something already listens on. */
  busyPort: number;
}

const badCodes: [string, string][] = [
  ['AB', 'InvalidSiteCode'],
  ['ABCD', 'InvalidSiteCode'],
  ['../x', 'InvalidSiteCode'],
  ['A/B', 'InvalidSiteCode'],
  ['C S', 'InvalidSiteCode'],
  ['CS1;', 'InvalidSiteCode'],
  ['$(x)', 'InvalidSiteCode'],
  ['ÄÖÜ', 'InvalidSiteCode'],
  ['NUL', 'InvalidSiteCode'],
  ['CON', 'InvalidSiteCode'],
  ['SMS', 'InvalidSiteCode'],
  ['-1', 'InvalidSiteCode'],
  [' ', 'InvalidArgument'],
];

const siteJson = (home: string, code = 'CS1') => path.join(home, 'sites', code, 'site.json');
const siteDb = (home: string, code = 'CS1') => path.join(home, 'sites', code, 'site.db');
const editSite = (change: (site: Record<string, any>) => void, code = 'CS1') => (home: string) => {
  const site = JSON.parse(fs.readFileSync(siteJson(home, code), 'utf8')) as Record<string, any>;
  change(site);
  fs.writeFileSync(siteJson(home, code), JSON.stringify(site, null, 2));
};
const damageDb = (sql: string) => (home: string) => {
  const db = new Database(siteDb(home));
  db.exec(sql);
  db.close();
};

export function badInputCases(files: CampaignFiles): BadInputCase[] {
  const { scratch } = files;
  const missing = path.join(scratch, 'no-such-file.pkg.gz');
  const cases: BadInputCase[] = [];
  const add = (name: string, args: string[], code: string, exit: number, extra: Partial<BadInputCase> = {}) => cases.push({ name, args, code, exit, ...extra });

  // Site codes, for every command that takes --site.
  const siteCommands: [string, string[]][] = [
    ['sup get', ['sup', 'get']],
    ['sup set', ['sup', 'set', '--add-language', 'de']],
    ['status', ['status']],
    ['sync --what-if', ['sync', '--what-if']],
    ['sync history', ['sync', 'history']],
    ['update list', ['update', 'list']],
    ['category list', ['category', 'list']],
    ['metadata export', ['metadata', 'export', '--path', path.join(scratch, 'out.pkg.gz')]],
    ['metadata import', ['metadata', 'import', '--path', missing]],
    ['schedule systemd', ['schedule', 'systemd']],
    ['schedule crontab', ['schedule', 'crontab']],
    ['schedule task-xml', ['schedule', 'task-xml']],
    ['serve', ['serve', '--port', '0']],
  ];
  for (const [label, words] of siteCommands) {
    for (const [code, error] of badCodes) add(`${label} --site '${code}'`, [...words, '--site', code], error, 2);
    add(`${label} --site of an unknown site`, [...words, '--site', 'ZZ9'], 'SiteNotFound', 3);
  }
  for (const [code, error] of badCodes) add(`site add --code '${code}'`, ['site', 'add', '--code', code, '--role', 'primary', '--parent', 'CS1'], error, 2);

  // Numbers out of range.
  for (const value of ['0', '-1', '1.5', 'abc', '1e300', 'Infinity', 'NaN', '']) {
    add(`update list --limit '${value}'`, ['update', 'list', '--site', 'CS1', '--limit', value], 'InvalidArgument', 2);
    add(`sync history --last '${value}'`, ['sync', 'history', '--site', 'CS1', '--last', value], 'InvalidArgument', 2);
  }
  for (const value of ['0', '100', '1e300', '-1', '2.5', 'abc']) {
    add(`sup set --wait-months '${value}'`, ['sup', 'set', '--site', 'CS1', '--wait-months', value], 'InvalidArgument', 2);
    add(`sup set --wait-months-for-feature '${value}'`, ['sup', 'set', '--site', 'CS1', '--wait-months-for-feature', value], 'InvalidArgument', 2);
  }
  for (const value of ['0', '-1', '1.5', '100000', 'x']) add(`serve --max-updates-per-request '${value}'`, ['serve', '--site', 'CS1', '--max-updates-per-request', value], 'InvalidArgument', 2);
  for (const value of ['-1', '65536', '1.5', 'http']) add(`serve --port '${value}'`, ['serve', '--site', 'CS1', '--port', value], 'InvalidArgument', 2);
  for (const value of ['0', '-1', '1001', 'x']) add(`schedule next --count '${value}'`, ['schedule', 'next', '--recur-interval', 'days', '--recur-count', '1', '--count', value], 'InvalidArgument', 2);
  for (const value of ['0', '-5', '3000000', 'x']) add(`corpus generate --updates '${value}'`, ['corpus', 'generate', '--updates', value, '--out', path.join(scratch, 'c.pkg.gz')], 'InvalidArgument', 2);
  for (const value of ['0', '-1', 'x']) add(`upstream get-update --revision '${value}'`, ['upstream', 'get-update', '--url', 'http://127.0.0.1:9', '--update-id', '00000000-0000-0000-0000-000000000001', '--revision', value], 'InvalidArgument', 2);

  // URLs.
  const urls: [string, string][] = [
    ['https://wsus.contoso.com:8531/path', 'UrlHasPath'],
    ['https://wsus.contoso.com/?q=1', 'UrlHasPath'],
    ['https://wsus.contoso.com/#frag', 'UrlHasPath'],
    ['https://user:pw@wsus.contoso.com', 'UrlHasCredentials'],
    ['ftp://wsus.contoso.com', 'InvalidUrl'],
    ['not a url', 'InvalidUrl'],
    ['javascript:alert(1)', 'InvalidUrl'],
    ['file:///etc/passwd', 'InvalidUrl'],
  ];
  for (const [url, code] of urls) {
    add(`sup set --upstream-url '${url}'`, ['sup', 'set', '--site', 'CS1', '--upstream-url', url], code, 2);
    add(`site add --url '${url}'`, ['site', 'add', '--code', 'PS7', '--role', 'primary', '--parent', 'CS1', '--url', url], code, 2);
    add(`site add --parent-url '${url}'`, ['site', 'add', '--code', 'PS7', '--role', 'primary', '--parent', 'XX7', '--parent-url', url], code, 2);
  }
  for (const url of ['ftp://proxy:8080', 'proxy', 'file:///x']) add(`sup set --proxy '${url}'`, ['sup', 'set', '--site', 'CS1', '--proxy', url], 'InvalidUrl', 2);
  add('sup set --proxy-password without a proxy', ['sup', 'set', '--site', 'CS1', '--proxy-password', 'pw'], 'ProxyUrlRequired', 2);
  add('sup set --no-proxy with --proxy', ['sup', 'set', '--site', 'CS1', '--no-proxy', '--proxy', 'http://p:8080'], 'ConflictingOptions', 2);
  add('sup set --sync-source upstream without a URL', ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream'], 'UpstreamUrlRequired', 2);
  add('sup set --upstream-url with --sync-source none', ['sup', 'set', '--site', 'CS1', '--sync-source', 'none', '--upstream-url', 'https://w'], 'ConflictingOptions', 2);
  add('sup set --sync-source and --synchronize-action', ['sup', 'set', '--site', 'CS1', '--sync-source', 'none', '--synchronize-action', 'SynchronizeFromMicrosoftUpdate'], 'ConflictingOptions', 2);

  // Languages.
  for (const flag of ['--add-language', '--add-language-update-file', '--add-language-summary-detail', '--remove-language']) {
    for (const language of ['zz', 'english', 'en-zz', '../en']) add(`sup set ${flag} '${language}'`, ['sup', 'set', '--site', 'CS1', flag, language], 'UnknownLanguage', 2);
  }
  add('sup set removing every language', ['sup', 'set', '--site', 'CS1', '--remove-language', 'en'], 'NoLanguageLeft', 2);
  add('sup set removing every update-file language', ['sup', 'set', '--site', 'CS1', '--remove-language-update-file', 'en'], 'NoLanguageLeft', 2);
  add('sup set removing every summary-detail language', ['sup', 'set', '--site', 'CS1', '--remove-language-summary-detail', 'en'], 'NoLanguageLeft', 2);
  add('sup set adding and removing one language', ['sup', 'set', '--site', 'CS1', '--add-language', 'de', '--remove-language', 'de'], 'ConflictingOptions', 2);
  add('sup set on a child site', ['sup', 'set', '--site', 'PS1', '--add-language', 'de'], 'NotTopLevelSite', 9);
  add('sup set an unknown classification', ['sup', 'set', '--site', 'CS1', '--add-classification', 'Securty Updates'], 'UnknownClassification', 3);
  add('sup set a product title before any sync', ['sup', 'set', '--site', 'CS1', '--add-product', 'Windows 11'], 'CategoriesNotSynchronized', 9);
  for (const value of ['yes', '1', '']) add(`sup set --immediately-expire-supersedence '${value}'`, ['sup', 'set', '--site', 'CS1', '--immediately-expire-supersedence', value], 'InvalidArgument', 2);

  // KB numbers and update IDs.
  for (const kb of ['12345678901234567890', 'KB', 'abc', '-1', '0', 'KB0', '1.5', 'KB 123', '1234567890']) add(`update list --kb '${kb}'`, ['update', 'list', '--site', 'CS1', '--kb', kb], kb === '' ? 'InvalidArgument' : 'InvalidKb', 2);
  for (const id of ['x', '123', 'g0000000-0000-0000-0000-000000000000', '{00000000-0000-0000-0000-00000000000}']) add(`update list --update-id '${id}'`, ['update', 'list', '--site', 'CS1', '--update-id', id], 'InvalidUpdateId', 2);
  add('update list an unknown classification', ['update', 'list', '--site', 'CS1', '--classification', 'Nope'], 'UnknownClassification', 3);
  add('category list --type bogus', ['category', 'list', '--site', 'CS1', '--type', 'bogus'], 'InvalidCategoryType', 2);

  // Schedules.
  add('schedule new --nonrecurring without --start', ['schedule', 'new', '--nonrecurring'], 'ScheduleInvalid', 2);
  add('sup set --nonrecurring without --start', ['sup', 'set', '--site', 'CS1', '--nonrecurring'], 'ScheduleInvalid', 2);
  add('schedule new --recur-interval without --recur-count', ['schedule', 'new', '--recur-interval', 'days'], 'ScheduleInvalid', 2);
  add('schedule new --day-of-week Funday', ['schedule', 'new', '--day-of-week', 'Funday'], 'ScheduleInvalid', 2);
  add('schedule new --schedule-string zz', ['schedule', 'new', '--schedule-string', 'zz'], 'ScheduleStringInvalid', 2);
  add('schedule new --start yesterday', ['schedule', 'new', '--nonrecurring', '--start', 'yesterday'], 'ScheduleInvalid', 2);
  add('schedule new --day-of-month 32', ['schedule', 'new', '--day-of-month', '32'], 'ScheduleInvalid', 2);
  add('schedule new --recur-count 0', ['schedule', 'new', '--recur-interval', 'days', '--recur-count', '0'], 'ScheduleInvalid', 2);
  add('schedule new with nothing', ['schedule', 'new'], 'ScheduleInvalid', 2);
  add('sup set --no-schedule with schedule flags', ['sup', 'set', '--site', 'CS1', '--no-schedule', '--recur-interval', 'days', '--recur-count', '1'], 'ConflictingOptions', 2);
  add('schedule systemd of a site without a schedule', ['schedule', 'systemd', '--site', 'PS1'], 'NoSchedule', 9);

  // Sites and the hierarchy.
  add('a stand-alone primary beside the central site', ['site', 'add', '--code', 'PS8', '--role', 'primary'], 'ParentRequired', 9);
  add('--stand-alone with a parent', ['site', 'add', '--code', 'PS8', '--role', 'primary', '--parent', 'CS1', '--stand-alone'], 'ConflictingOptions', 2);
  add('--stand-alone on a secondary', ['site', 'add', '--code', 'SS8', '--role', 'secondary', '--parent', 'PS1', '--stand-alone'], 'ConflictingOptions', 2);
  add('a second central site', ['site', 'add', '--code', 'CS2', '--role', 'central'], 'CentralSiteExists', 9);
  add('a secondary without a parent', ['site', 'add', '--code', 'SS8', '--role', 'secondary'], 'ParentRequired', 2);
  add('a secondary under the central site', ['site', 'add', '--code', 'SS8', '--role', 'secondary', '--parent', 'CS1'], 'InvalidParent', 2);
  add('a site as its own parent', ['site', 'add', '--code', 'PS8', '--role', 'primary', '--parent', 'PS8'], 'InvalidParent', 2);
  add('an unknown parent', ['site', 'add', '--code', 'PS8', '--role', 'primary', '--parent', 'XX8'], 'ParentNotFound', 2);
  add('a duplicate site', ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1'], 'SiteExists', 2);
  add('--parent-url without --parent', ['site', 'add', '--code', 'PS8', '--role', 'primary', '--parent-url', 'https://cs1.contoso.com'], 'ConflictingOptions', 2);
  add('a short --sync-request-secret', ['site', 'add', '--code', 'PS8', '--role', 'primary', '--parent', 'CS1', '--sync-request-secret', 'short'], 'WeakSecret', 2);
  add('--allow-unauthenticated-sync-requests on a top-level site', ['site', 'add', '--code', 'CS8', '--role', 'central', '--allow-unauthenticated-sync-requests'], 'ConflictingOptions', 2, {
    home: (s) => path.join(s, 'no-home-yet'),
  });
  add('--sync-request-secret on a top-level site', ['site', 'add', '--code', 'CS8', '--role', 'central', '--sync-request-secret', 'long-enough-secret'], 'ConflictingOptions', 2, {
    home: (s) => path.join(s, 'no-home-yet'),
  });
  add('a bad --server-name', ['site', 'add', '--code', 'PS8', '--role', 'primary', '--parent', 'CS1', '--server-name', 'bad name!'], 'InvalidServerName', 2);
  add('a tertiary role', ['site', 'add', '--code', 'PS8', '--role', 'tertiary'], 'UsageError', 2);
  add('--remote without --url', ['site', 'add', '--code', 'RM8', '--role', 'primary', '--parent', 'CS1', '--remote'], 'RemoteChildIncomplete', 2);
  add('removing a site with children', ['site', 'remove', '--code', 'CS1'], 'SiteHasChildren', 9);
  add('removing an unknown site', ['site', 'remove', '--code', 'ZZ8'], 'SiteNotFound', 3);

  // Files named by the user.
  add('metadata import of a directory', ['metadata', 'import', '--site', 'CS1', '--path', scratch], 'PackageNotFile', 2);
  add('metadata import of /dev/null', ['metadata', 'import', '--site', 'CS1', '--path', '/dev/null'], 'PackageNotFile', 2);
  add('metadata import of a missing file', ['metadata', 'import', '--site', 'CS1', '--path', missing], 'PackageNotFound', 3);
  add('metadata import into a connected site', ['metadata', 'import', '--site', 'PS1', '--path', missing], 'ImportNeedsDisconnectedSite', 9);
  for (const [label, target, code] of [
    ['/dev/full', '/dev/full', 'OutputNotRegularFile'],
    ['/dev/null', '/dev/null', 'OutputNotRegularFile'],
    ['a directory', scratch, 'OutputNotRegularFile'],
    ['a symlink', path.join(scratch, 'link.pkg.gz'), 'OutputNotRegularFile'],
    ['a FIFO', path.join(scratch, 'fifo'), 'OutputNotRegularFile'],
    ['a missing directory', path.join(scratch, 'no', 'such', 'dir', 'x.pkg.gz'), 'OutputDirectoryMissing'],
  ] as const) {
    add(`metadata export --path ${label}`, ['metadata', 'export', '--site', 'CS1', '--path', target], code, 2);
    add(`schedule task-xml --out ${label}`, ['schedule', 'task-xml', '--site', 'CS1', '--out', target], code, 2);
    add(`corpus generate --out ${label}`, ['corpus', 'generate', '--updates', '1', '--out', target], code, 2);
  }
  add('schedule task-xml --out into /proc', ['schedule', 'task-xml', '--site', 'CS1', '--out', '/proc/x.xml'], 'OutputWriteFailed', 8);
  add('serve --cert without --key', ['serve', '--site', 'CS1', '--cert', missing], 'ConflictingOptions', 2);
  add('serve on a port in use', ['serve', '--site', 'CS1', '--port', String(files.busyPort)], 'EndpointPortInUse', 6);
  add('catalog import with no input', ['catalog', 'import', '--site', 'CS1'], 'NoImportInput', 2);
  add('catalog import of a missing batch file', ['catalog', 'import', '--site', 'CS1', '--path', missing], 'BatchFileNotFound', 3);

  // The command line itself.
  add('an unknown command', ['frobnicate'], 'UsageError', 2);
  add('an unknown flag', ['status', '--frobnicate'], 'UsageError', 2);
  add('--output xml', ['--output', 'xml', 'status'], 'UsageError', 2);
  add('--log-format foo', ['--log-format', 'foo', 'status'], 'UsageError', 2);
  add('a flag given twice', ['update', 'list', '--site', 'CS1', '--limit', '1', '--limit', '2'], 'InvalidArgument', 2);
  add('a group without its subcommand', ['site'], 'UsageError', 2);
  add('a flag without its value', ['sync', 'history', '--site'], 'UsageError', 2);
  add('--home a regular file', ['status'], 'HomeNotDirectory', 2, { home: (s) => path.join(s, 'home-file') });
  add('--home a regular file, site add', ['site', 'add', '--code', 'CS1', '--role', 'central'], 'HomeNotDirectory', 2, { home: (s) => path.join(s, 'home-file') });
  add('--home /proc/1, site add', ['site', 'add', '--code', 'CS1', '--role', 'central'], 'HomeNotWritable', 8, { home: () => '/proc/1' });

  // Hand-edited site.json (a fresh copy of the home each).
  const edits: [string, (site: Record<string, any>) => void][] = [
    ['a code that does not match its directory', (s) => (s.code = 'CS9')],
    ['waitMonths 1e300', (s) => (s.sup.supersedence.waitMonths = 1e300)],
    ['waitMonths 0', (s) => (s.sup.supersedence.waitMonths = 0)],
    ['waitMonthsFeature 100', (s) => (s.sup.supersedence.waitMonthsFeature = 100)],
    ['language "zz"', (s) => (s.sup.languageSummaryDetails = ['en', 'zz'])],
    ['no update-file language', (s) => (s.sup.languageUpdateFiles = [])],
    ['a central site whose parent is itself', (s) => (s.parent = 'CS1')],
    ['a central site with a parent', (s) => (s.parent = 'PS1')],
    ['a remote child code "../x"', (s) => (s.remoteChildren = [{ code: '../x', url: 'https://x.contoso.com' }])],
    ['a remote child with a bad URL', (s) => (s.remoteChildren = [{ code: 'RM1', url: 'not a url' }])],
    ['upstreamUrl a number', (s) => (s.sup.syncSource = { kind: 'upstream', upstreamUrl: 42 })],
    ['upstreamUrl missing', (s) => (s.sup.syncSource = { kind: 'upstream' })],
    ['upstreamUrl ftp', (s) => (s.sup.syncSource = { kind: 'upstream', upstreamUrl: 'ftp://x' })],
    ['a bad proxy URL', (s) => (s.sup.proxy = { url: 'not a url' })],
    ['a proxy that is a string', (s) => (s.sup.proxy = 'http://proxy:8080')],
    ['a proxy password that is a number', (s) => (s.sup.proxy = { url: 'http://proxy:8080', password: 5 })],
    ['schemaVersion 2', (s) => (s.schemaVersion = 2)],
    ['role "tertiary"', (s) => (s.role = 'tertiary')],
    ['a lower-case code', (s) => (s.code = 'cs1')],
    ['sync source "carrier pigeon"', (s) => (s.sup.syncSource = { kind: 'carrier pigeon' })],
    ['products not a list', (s) => (s.sup.products = 'all')],
    ['a short sync-request secret', (s) => (s.syncRequests = { secret: 'x' })],
    ['fullSyncRequired "yes"', (s) => (s.sup.fullSyncRequired = 'yes')],
    ['serverName empty', (s) => (s.serverName = '')],
  ];
  for (const [label, change] of edits) {
    for (const words of [['sup', 'get', '--site', 'CS1'], ['status']]) {
      add(`site.json with ${label}: ${words[0]}`, words, 'SiteFileInvalid', 4, { setup: editSite(change) });
    }
  }
  add('site.json not JSON', ['sup', 'get', '--site', 'CS1'], 'SiteFileCorrupt', 4, { setup: (h) => fs.writeFileSync(siteJson(h), '{ "code": ') });
  add('site.json empty', ['sup', 'get', '--site', 'CS1'], 'SiteFileCorrupt', 4, { setup: (h) => fs.writeFileSync(siteJson(h), '') });
  add('site.json a directory', ['sup', 'get', '--site', 'CS1'], 'SiteFileInvalid', 4, {
    setup: (h) => {
      fs.rmSync(siteJson(h));
      fs.mkdirSync(siteJson(h));
    },
  });
  add('a secondary whose site.json has no parent', ['sup', 'get', '--site', 'SS1'], 'SiteFileInvalid', 4, { setup: editSite((s) => delete s.parent, 'SS1') });

  // A damaged site database: found at open or while reading, it is exit 4; a read never creates one.
  const dbCases: [string, (home: string) => void, string][] = [
    ['site.db deleted', (h) => fs.rmSync(siteDb(h)), 'SiteDatabaseMissing'],
    ['site.db empty', (h) => fs.writeFileSync(siteDb(h), ''), 'SiteDatabaseCorrupt'],
    ['site.db a directory', (h) => (fs.rmSync(siteDb(h)), fs.mkdirSync(siteDb(h))), 'SiteDatabaseCorrupt'],
    ['site.db overwritten with text', (h) => fs.writeFileSync(siteDb(h), 'this is not a database at all'), 'SiteDatabaseCorrupt'],
    ['site.db truncated to its header', (h) => fs.truncateSync(siteDb(h), 100), 'SiteDatabaseCorrupt'],
    ['the updates table dropped', damageDb('DROP TABLE updates'), 'SiteDatabaseCorrupt'],
    ['the sync_runs table dropped', damageDb('DROP TABLE sync_run_counts; DROP TABLE sync_runs'), 'SiteDatabaseCorrupt'],
    ['the sync_state table dropped', damageDb('DROP TABLE sync_state'), 'SiteDatabaseCorrupt'],
    ['a schema version from the future', damageDb('PRAGMA user_version = 99'), 'SiteDatabaseTooNew'],
    ['damaged pages after the header', corruptPages, 'SiteDatabaseCorrupt'],
  ];
  for (const [label, setup, code] of dbCases) {
    for (const words of [['update', 'list', '--site', 'CS1'], ['sync', 'history', '--site', 'CS1'], ['status', '--site', 'CS1']]) {
      if (label.includes('updates table') && words[0] !== 'update') continue;
      if (label.includes('sync_runs') && words[0] === 'update') continue;
      if (label.includes('sync_state') && words[0] !== 'status') continue;
      add(`${label}: ${words.slice(0, 2).join(' ')}`, words, code, 4, { setup });
    }
  }
  return cases;
}

/** Overwrites the b-tree pages after the first with noise, leaving the header readable. */
function corruptPages(home: string): void {
  const file = siteDb(home);
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  db.close();
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  const noise = Buffer.alloc(size - 4096, 0xa5);
  fs.writeSync(fd, noise, 0, noise.length, 4096);
  fs.closeSync(fd);
}

/** Files the cases point at, made once in the scratch directory. */
export function prepareScratch(scratch: string): void {
  fs.writeFileSync(path.join(scratch, 'home-file'), 'not a directory\n');
  fs.symlinkSync('/dev/null', path.join(scratch, 'link.pkg.gz'));
  execFileSync('mkfifo', [path.join(scratch, 'fifo')]);
  fs.writeFileSync(path.join(scratch, 'out.pkg.gz'), 'a file the export must not touch when refused\n');
}
