/**
 * What a person sees at a terminal, under a real pseudo-terminal: tables that fit 120 columns, a
 * live bar redrawn in place and ended by a summary, quiet logs unless --verbose, colour only where
 * it belongs, errors in words; and on a pipe, NDJSON records only, as before.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { runCli, tempDir } from './helpers/cli.js';
import { repoRoot } from './helpers/fixtures.js';
import { cli, serveSite, upstreamHome, type ServedSite } from './helpers/hierarchy.js';
import { colourCodes, runInPty, screenOf } from './helpers/pty.js';
import { pwshRuntimeEnv, requirePwsh } from './helpers/pwsh.js';

/**
 * A proxy in front of the upstream whose GetUpdateData answers can be held: a sync stays in its
 * updates phase, with some batches stored, for as long as the test wants.
 */
async function gatedProxy(target: string) {
  let open = true;
  let answered = 0;
  const held: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const request = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        });
        request.on('error', () => res.destroy());
        request.end(body);
      };
      const isData = body.includes('GetUpdateData');
      if (!isData || open || answered < 1) {
        if (isData) answered += 1;
        forward();
      } else {
        held.push(forward);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** From now on, the first GetUpdateData is answered and the rest wait for release(). */
    hold: () => {
      open = false;
      answered = 0;
    },
    /** Lets the held answers through, then holds again after one more. */
    advance: () => {
      answered = 0;
      for (const next of held.splice(0)) next();
    },
    release: () => {
      open = true;
      for (const next of held.splice(0)) next();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('terminal: what a person sees', function () {
  this.timeout(240_000);
  let home: string;
  let upstream: ServedSite;
  let gate: Awaited<ReturnType<typeof gatedProxy>>;
  let productGroups: string[][] = [];

  before(async () => {
    const built = await upstreamHome(240, 'terminal');
    home = built.home;
    // Batches of at most 20: each product group (about 100 updates) takes several GetUpdateData requests even where the
    // client, its loopback round trips slowed by a busy machine, takes the link for a WAN and asks for full batches at once.
    upstream = await serveSite(home, 'UPS', ['--max-updates-per-request', '20']);
    gate = await gatedProxy(upstream.url);
    await cli(home, ['site', 'add', '--code', 'CS1', '--role', 'central', '--server-name', 'cs1.contoso.com']);
    await cli(home, ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1', '--server-name', 'ps1.contoso.com']);
    await cli(home, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', gate.url]);
    await cli(home, ['sync', '--site', 'CS1', '--wait']);
    // Every classification, and the products in three groups: each later sync has updates of its own to fetch.
    const ids = async (type: string) => (await cli(home, ['category', 'list', '--site', 'CS1', '--type', type])).records.map((r) => String(r.Id));
    const products = await ids('product');
    const third = Math.ceil(products.length / 3);
    productGroups = [products.slice(0, third), products.slice(third, 2 * third), products.slice(2 * third)];
    await cli(home, ['sup', 'set', '--site', 'CS1', '--add-product', ...productGroups[0]!, '--add-classification', ...(await ids('classification'))]);
  });

  after(async () => {
    gate?.release();
    await gate?.close();
    await upstream?.stop();
  });

  it('shows a long sync as one bar per site, redrawn in place, each ended by its summary line', async () => {
    gate.hold();
    const run = runInPty(home, ['sync', '--site', 'CS1', '--wait', '--full']);
    // A frame of CS1's bar in the updates phase with some updates stored and more held back ...
    const first = await run.waitFor(/CS1 {2}updates +\S+ ([1-9][\d,]*) of [\d,]+ \(\d+%\)/);
    const during = await screenOf(run.output());
    expect(during.filter((l) => l.text.startsWith('CS1 ')), 'one line for CS1 while it syncs').to.have.length(1);
    expect(during.find((l) => l.text.startsWith('CS1 '))!.text).to.match(/^CS1 {2}updates +[█░]{24} [\d,]+ of [\d,]+ \(\d+%\) {2}[\d.,]+\/s {2}ETA \S+$/);
    // ... then a later frame, further on, drawn over the same line.
    const stored = Number(first[1]!.replace(/,/g, ''));
    gate.advance();
    await run.waitFor(new RegExp(`CS1 {2}updates +\\S+ (?!${first[1]} of)[\\d,]+ of`));
    const later = await screenOf(run.output());
    const line = later.filter((l) => l.text.startsWith('CS1 '));
    expect(line, 'still one line for CS1').to.have.length(1);
    expect(Number(/ ([\d,]+) of/.exec(line[0]!.text)![1]!.replace(/,/g, ''))).to.be.above(stored);
    gate.release();
    const { code, output } = await run.exited;
    expect(code, output).to.equal(0);
    const screen = await screenOf(output);
    const text = screen.map((l) => l.text);
    // ... always on the same line: at the end that line is the summary, and no bar is left.
    expect(text.filter((l) => l.startsWith('CS1 ')), text.join('\n')).to.have.length(2); // the summary and the results table's row
    expect(text.find((l) => l.startsWith('CS1 '))).to.match(/^CS1 {2}Succeeded {2}new [\d,]+.* {2}catalog \d+ {2}[\d.]+s$/);
    expect(text.find((l) => l.startsWith('PS1 '))).to.match(/^PS1 {2}Succeeded {2}new [\d,]+/);
    expect(text.some((l) => /[█░]/.test(l)), text.join('\n')).to.equal(false);
    expect(text).to.include.members(['Site State      Full      New  Revised Superseded  Expired  Removed Catalog  Duration Error']);
    expect(screen.some((l) => l.wrapped)).to.equal(false);
  });

  it('says on the bar that Ctrl+C stopped the sync', async () => {
    // Updates not stored yet, so that the sync has batches to fetch.
    await cli(home, ['sup', 'set', '--site', 'CS1', '--add-product', ...productGroups[1]!]);
    gate.hold();
    const run = runInPty(home, ['sync', '--site', 'CS1']);
    await run.waitFor(/CS1 {2}updates +\S+ [1-9][\d,]* of/);
    run.type('\x03');
    await run.waitFor(/interrupted \(Ctrl\+C\)/);
    gate.release();
    const { code, output } = await run.exited;
    expect(code, output).to.not.equal(0);
    const text = (await screenOf(output)).map((l) => l.text);
    expect(text.find((l) => l.startsWith('CS1 ')), text.join('\n')).to.match(/^CS1 {2}interrupted \(Ctrl\+C\) in updates at [\d,]+ of [\d,]+; the next sync resumes from what was stored$/);
    await cli(home, ['sync', '--site', 'CS1', '--wait']);
  });

  // The syncs up to the comparison of two status snapshots below run with --wait: PS1 syncs in the same process, so no
  // detached child sync of PS1 (what a sync without --wait starts) is still running when the snapshots are taken.
  it('keeps log lines in wsyncmgr.log unless --verbose, which shows them in short form', async () => {
    const quiet = await runInPty(home, ['sync', '--site', 'CS1', '--wait']).exited;
    expect(quiet.code, quiet.output).to.equal(0);
    const quietText = (await screenOf(quiet.output)).map((l) => l.text);
    expect(quietText.some((l) => l.includes('Starting Sync') || l.includes('STATMSG'))).to.equal(false);
    expect(quietText.some((l) => /^CS1 {2}No changes/.test(l)), quietText.join('\n')).to.equal(true);

    const verbose = await runInPty(home, ['sync', '--site', 'CS1', '--wait', '--verbose']).exited;
    expect(verbose.code, verbose.output).to.equal(0);
    const text = (await screenOf(verbose.output)).map((l) => l.text);
    expect(text, text.join('\n')).to.include.members(['info: Starting Sync', 'info: 6701 WSUS synchronization started: manual', 'info: 6702 WSUS synchronization done']);
    expect(text.some((l) => l.includes('STATMSG') || l.includes('$$<'))).to.equal(false);
  });

  it('prints the status and history tables within 120 columns, without a wrapped row, with human values', async () => {
    const screens = new Map<string, string[]>();
    for (const args of [['status'], ['sync', 'history', '--site', 'CS1']]) {
      const { code, output } = await runInPty(home, args).exited;
      expect(code, output).to.equal(0);
      const screen = await screenOf(output);
      expect(screen.some((l) => l.wrapped), output).to.equal(false);
      for (const line of screen) expect(line.text.length, line.text).to.be.at.most(120);
      expect(output).to.not.match(/\d{4}-\d\d-\d\dT\d\d:\d\d/); // no raw ISO times
      expect(colourCodes.test(output), 'states in colour on a terminal').to.equal(true);
      screens.set(args[0]!, screen.map((l) => l.text));
    }
    const status = screens.get('status')!;
    expect(status[0]).to.equal('Site Server                   State     Since       Last success     Catalog Lag Status');
    expect(status.find((l) => l.startsWith('CS1 '))).to.match(/^CS1  cs1\.contoso\.com +Succeeded \d+ (s|min) ago +\d{4}-\d\d-\d\d \d\d:\d\d +\d+ +no changes$/);
    const history = screens.get('sync')!;
    expect(history[0]).to.equal('  Run Trigger  Full Started          Duration State           New Revised Expired Removed Failed Catalog   Fetched');
    expect(history.slice(2).every((l) => /^ +\d+ (manual|parent) +(Yes|No) +\d{4}-\d\d-\d\d \d\d:\d\d +\S+ (Succeeded|Failed|Interrupted) .* [\d.]+ (B|KB|MB)$/.test(l)), history.join('\n')).to.equal(true);
  });

  it('writes no escape code with NO_COLOR, and no colour on the bar line either', async () => {
    for (const args of [['status'], ['sync', 'history', '--site', 'CS1']]) {
      const { code, output } = await runInPty(home, args, { env: { NO_COLOR: '1' } }).exited;
      expect(code, output).to.equal(0);
      expect(output).to.not.include('\x1b');
    }
    const sync = await runInPty(home, ['sync', '--site', 'CS1', '--full', '--wait'], { env: { NO_COLOR: '1' } }).exited;
    expect(sync.code, sync.output).to.equal(0);
    expect(colourCodes.test(sync.output)).to.equal(false);
  });

  it('shows every field with --output list and wide, and keeps json for -o json', async () => {
    const list = await runInPty(home, ['--output', 'list', 'status', '--site', 'CS1']).exited;
    const fields = (await screenOf(list.output)).map((l) => l.text.split(/ +:/)[0]!);
    expect(fields).to.include.members(['WSUSServerName', 'WSUSSourceServer', 'LastSyncErrorCode', 'ReplicationLinkStatus', 'NextScheduledSync']);
    const wide = await runInPty(home, ['-o', 'wide', 'status', '--site', 'CS1'], { cols: 400 }).exited;
    expect((await screenOf(wide.output, 400))[0]!.text.split(/ +/)).to.include.members(['WSUSSourceServer', 'LastReplicationLinkCheckTime']);
    const json = await runInPty(home, ['-o', 'json', 'status']).exited;
    const piped = await runCli(home, ['status']);
    expect(json.output.replace(/\r\n/g, '\n')).to.equal(piped.stdout);
  });

  it('gives a pipe NDJSON records only, with the fields and order of before, and progress records on stderr', async () => {
    const status = await runCli(home, ['status']);
    expect(status.stderr).to.equal('');
    for (const line of status.stdout.trimEnd().split('\n')) {
      expect(Object.keys(JSON.parse(line) as object)).to.deep.equal([
        'type', 'WSUSServerName', 'SiteCode', 'WSUSSourceServer', 'SyncCatalogVersion', 'LastSuccessfulSyncTime', 'LastSyncState', 'LastSyncStateTime',
        'LastSyncErrorCode', 'ReplicationLinkStatus', 'LastReplicationLinkCheckTime', 'Status', 'ParentSiteCode', 'CatalogVersionLag', 'NextRetryTime', 'NextScheduledSync',
      ]);
    }
    expect(status.records.map((r) => r.LastSyncState)).to.include(6702); // exact values: the state's number, ISO times
    expect(String(status.records[0]!.LastSuccessfulSyncTime)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    await cli(home, ['sup', 'set', '--site', 'CS1', '--add-product', ...productGroups[2]!]);
    const sync = await runCli(home, ['sync', '--site', 'CS1']);
    expect(sync.code, sync.stderr).to.equal(0);
    expect(sync.records.map((r) => r.type)).to.deep.equal(['SupSync.SyncResult']);
    expect(Object.keys(sync.records[0]!)).to.deep.equal([
      'type', 'SiteCode', 'State', 'RunId', 'Trigger', 'FullSync', 'New', 'Revised', 'Superseded', 'Expired', 'Removed', 'CatalogVersion', 'DurationSeconds', 'QueuedBehindRun', 'ErrorCode', 'Error', 'NextRetryTime',
    ]);
    const stderr = sync.stderr.trimEnd().split('\n');
    expect(stderr.length).to.be.at.least(1);
    for (const line of stderr) expect(JSON.parse(line)).to.include({ type: 'SupSync.Progress' }).and.have.keys('type', 'Activity', 'Status', 'PercentComplete');
    expect(sync.stderr).to.not.include('\x1b');
  });

  it('gives the module its log lines as verbose records under -Verbose only', async function () {
    const pwsh = requirePwsh(this, 'the module under -Verbose');
    // One pwsh for both runs (a pwsh start and module import cost seconds); asynchronous: the upstream's proxy runs in this process.
    const sync = (verbose: boolean) =>
      `Invoke-CMSoftwareUpdateSync -SiteCode CS1 -Confirm:$false${verbose ? ' -Verbose' : ''} 4>&1 | ForEach-Object { $_.GetType().Name + ': ' + $(if ($_ -is [System.Management.Automation.InformationalRecord]) { $_.Message } else { $_.PSObject.TypeNames[0] }) }`;
    const script = `Import-Module $env:SUPSYNC_TEST_MODULE; ${sync(true)}; '@@QUIET@@'; ${sync(false)}`;
    const lines = await new Promise<string[]>((resolve, reject) => {
      const child = spawn(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script], {
        env: { ...process.env, ...pwshRuntimeEnv, SUPSYNC_HOME: home, SUPSYNC_NODE: process.execPath, SUPSYNC_TEST_MODULE: path.join(repoRoot, 'module', 'SupSync.psd1') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out.split(/\r?\n/).filter(Boolean)) : reject(new Error(`pwsh exited with ${code}: ${err}${out}`))));
    });
    expect(lines, lines.join('\n')).to.include('@@QUIET@@');
    const loud = lines.slice(0, lines.indexOf('@@QUIET@@'));
    const quiet = lines.slice(lines.indexOf('@@QUIET@@') + 1);
    expect(loud, loud.join('\n')).to.include.members(['VerboseRecord: info: Starting Sync', 'VerboseRecord: info: 6702 WSUS synchronization done', 'PSCustomObject: SupSync.SyncResult']);
    expect(quiet, quiet.join('\n')).to.deep.equal(['PSCustomObject: SupSync.SyncResult']);
  });

  it('reports a bad input at a terminal as one line in words with the code in brackets, and as a record on a pipe', async () => {
    const { code, output } = await runInPty(home, ['status', '--site', 'ZZ9'], { env: { NO_COLOR: '1' } }).exited;
    expect(code).to.not.equal(0);
    const text = (await screenOf(output)).map((l) => l.text);
    expect(text, output).to.have.length(1);
    expect(text[0]).to.match(/^supsync: .*ZZ9.* \[[A-Za-z]+\]$/);
    expect(output).to.not.include('{');
    const usage = (await screenOf((await runInPty(home, ['sync', 'history', '--site', 'CS1', '--last', 'many'], { env: { NO_COLOR: '1' } }).exited).output)).map((l) => l.text);
    expect(usage).to.deep.equal(["supsync: --last must be a number, got 'many' (supsync <command> --help lists the options) [InvalidArgument]"]);

    const piped = await runCli(home, ['status', '--site', 'ZZ9']);
    expect(piped.records).to.have.length(1);
    expect(piped.records[0]).to.include({ type: 'SupSync.Error' });
  });
});

describe('terminal: the demo (npm start)', function () {
  this.timeout(240_000);

  it('shows one line per step with the bars, the status and the runs as tables, and where the home is', async () => {
    const { code, output } = await runInPty(tempDir(), ['demo', '--updates', '60']).exited;
    expect(code, output).to.equal(0);
    const screen = await screenOf(output);
    const text = screen.map((l) => l.text);
    expect(screen.some((l) => l.wrapped), text.join('\n')).to.equal(false);
    for (const step of ['First sync of CS1: nothing selected yet, so categories only', 'Full sync of CS1 with its selection, cascading to PS1, PS2 and SS1', 'Delta sync of CS1, cascading down the hierarchy']) {
      expect(text, text.join('\n')).to.include(step);
    }
    // Every site's summary after each sync step, and no bar left on the screen.
    expect(text.filter((l) => /^(CS1|PS1|PS2|SS1) {2}(Succeeded|No changes) /.test(l))).to.have.length(12);
    expect(text.some((l) => /[█░]/.test(l)), text.join('\n')).to.equal(false);
    expect(text).to.include('Site Server                   State     Since       Last success     Catalog Lag Status');
    expect(text).to.include('  Run Trigger  Full Started          Duration State           New Revised Expired Removed Failed Catalog   Fetched');
    expect(text.at(-1)).to.match(/^Demo home \/\S+, removed on exit\. To explore it: npm start -- --keep, then supsync --home DIR status$/);
    expect(text.some((l) => l.includes('STATMSG') || l.includes('$$<'))).to.equal(false);
  });
});
