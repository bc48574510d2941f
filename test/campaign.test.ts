/**
 * The bad-input campaign (issue 16): every case of test/campaign/bad-inputs.ts through the CLI's
 * real entry point, in this process. Each must end with its error code and exit code, write a
 * SupSync.Error record naming the problem, and leave the home byte-for-byte unchanged.
 * `npm run campaign` runs this file alone and prints the summary figures.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { type BadInputCase, badInputCases, prepareScratch } from './campaign/bad-inputs.js';
import { tempDir } from './helpers/cli.js';
import { hashTree, runInProcess } from './helpers/in-process.js';

describe('bad-input campaign', function () {
  this.timeout(600_000);
  let base: string;
  let scratch: string;
  let busy: net.Server;
  let cases: BadInputCase[];

  before(async () => {
    base = tempDir('supsync-campaign-home-');
    scratch = tempDir('supsync-campaign-scratch-');
    prepareScratch(scratch);
    for (const args of [
      ['site', 'add', '--code', 'CS1', '--role', 'central'],
      ['site', 'add', '--code', 'PS1', '--role', 'primary', '--parent', 'CS1'],
      ['site', 'add', '--code', 'SS1', '--role', 'secondary', '--parent', 'PS1'],
      ['sup', 'set', '--site', 'CS1', '--sync-source', 'none', '--recur-interval', 'days', '--recur-count', '1', '--start', '2026-01-01T02:00'],
    ]) {
      const result = await runInProcess(base, args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).to.equal(0);
    }
    busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    cases = badInputCases({ scratch, busyPort: (busy.address() as net.AddressInfo).port });
  });
  after(() => busy?.close());

  it('has at least 250 cases, each named once', () => {
    expect(cases.length).to.be.at.least(250);
    expect(new Set(cases.map((c) => c.name)).size).to.equal(cases.length);
  });

  it('refuses every bad input with its code and exit code, and changes nothing on disk', async () => {
    const failures: string[] = [];
    const byExit = new Map<number, number>();
    const started = Date.now();
    let copies = 0;
    // Nothing but the cases touches the base home, so its digest after one case is its digest before the next.
    let baseDigest = hashTree(base);
    for (const c of cases) {
      let home = base;
      if (c.setup) {
        home = path.join(scratch, `home-${copies++}`);
        fs.cpSync(base, home, { recursive: true });
        c.setup(home, scratch);
      }
      if (c.home) home = c.home(scratch);
      const watched = c.home ? base : home;
      const before = watched === base ? baseDigest : hashTree(watched);
      const result = await runInProcess(home, c.args);
      const after = hashTree(watched);
      if (watched === base) baseDigest = after;
      const error = result.error;
      const problems = [
        result.code !== c.exit ? `exit ${result.code}, expected ${c.exit}` : '',
        error?.code !== c.code ? `code ${String(error?.code)}, expected ${c.code}` : '',
        error && typeof error.message === 'string' && error.message.length < 10 ? 'no readable message' : '',
        before !== after ? 'the home changed on disk' : '',
        result.records.some((r) => r.type !== 'SupSync.Error') ? 'wrote records besides the error' : '',
      ].filter((p) => p !== '');
      if (problems.length > 0) failures.push(`${c.name}: ${problems.join('; ')} (${String(error?.message ?? result.stderr.slice(0, 200))})`);
      byExit.set(result.code, (byExit.get(result.code) ?? 0) + 1);
      if (c.setup) fs.rmSync(home, { recursive: true, force: true });
    }
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `      campaign: ${cases.length} cases in ${seconds.toFixed(1)} s (${((seconds * 1000) / cases.length).toFixed(0)} ms each); ` +
        `${cases.length - failures.length} as expected; by exit code ${[...byExit].sort((a, b) => a[0] - b[0]).map(([code, n]) => `${code}: ${n}`).join(', ')}\n`,
    );
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  it('left the device nodes, the FIFO and the symlink it was pointed at as they were', () => {
    expect(fs.statSync('/dev/full').isCharacterDevice()).to.equal(true);
    expect(fs.statSync('/dev/null').isCharacterDevice()).to.equal(true);
    expect(fs.lstatSync(path.join(scratch, 'link.pkg.gz')).isSymbolicLink()).to.equal(true);
    expect(fs.lstatSync(path.join(scratch, 'fifo')).isFIFO()).to.equal(true);
    expect(fs.readFileSync(path.join(scratch, 'out.pkg.gz'), 'utf8')).to.equal('a file the export must not touch when refused\n');
    expect(fs.readdirSync(scratch).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
  });
});
