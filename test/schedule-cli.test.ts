/**
 * The launch lines `supsync schedule systemd|crontab|task-xml` write, through the built CLI: they
 * start the host the way every launcher does (hostNodeOptions), and the command they carry runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'chai';
import { hostNodeOptions } from '../src/cli/node-options.js';
import { tempDir } from './helpers/cli.js';
import { runCommandLine } from './helpers/in-process.js';
import { cliPath } from './helpers/fixtures.js';

describe('supsync schedule systemd / crontab / task-xml (CLI)', () => {
  let home: string;
  const hostCommand = [process.execPath, ...hostNodeOptions, fs.realpathSync(cliPath)].join(' ');

  before(async () => {
    home = tempDir();
    for (const args of [
      ['site', 'add', '--code', 'PS1', '--role', 'primary'],
      ['sup', 'set', '--site', 'PS1', '--sync-source', 'none', '--recur-interval', 'days', '--recur-count', '1', '--start', '2026-01-01T02:00:00'],
    ]) {
      const result = await runCommandLine(home, args);
      expect(result.code, result.stderr).to.equal(0);
    }
  });

  it('writes a systemd service whose ExecStart starts the host with its Node.js options, and that command syncs the site', async () => {
    const result = await runCommandLine(home, ['schedule', 'systemd', '--site', 'PS1']);
    expect(result.code, result.stderr).to.equal(0);
    const execStart = String(result.records[0]!.Service)
      .split('\n')
      .find((line) => line.startsWith('ExecStart='))!
      .slice('ExecStart='.length);
    expect(execStart).to.equal(`${hostCommand} --home ${home} sync --site PS1 --trigger schedule`);
    // Temporary paths hold no spaces, so the line splits as systemd would split it.
    const [program, ...args] = execStart.split(' ');
    execFileSync(program!, args, { stdio: 'ignore' });
    const history = await runCommandLine(home, ['sync', 'history', '--site', 'PS1']);
    expect(history.records.map((r) => r.Trigger)).to.include('schedule');
  });

  it('writes a crontab line that runs the same command', async () => {
    const result = await runCommandLine(home, ['schedule', 'crontab', '--site', 'PS1']);
    expect(result.code, result.stderr).to.equal(0);
    expect(String(result.records[0]!.Line)).to.match(/^0 2 \* \* \* /);
    expect(String(result.records[0]!.Line).endsWith(`${hostCommand} --home ${home} sync --site PS1 --trigger schedule`)).to.equal(true);
  });

  it('writes a Task Scheduler task that runs the module, which starts the host with the same options', async () => {
    const result = await runCommandLine(home, ['schedule', 'task-xml', '--site', 'PS1']);
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.stringify(result.records[0])).to.match(/Invoke-CMSoftwareUpdateSync -SiteCode PS1/);
    const module = fs.readFileSync(new URL('../module/SupSync.psm1', import.meta.url), 'utf8');
    expect(module).to.include(`$script:SupSyncNodeOptions = @(${hostNodeOptions.map((o) => `'${o}'`).join(', ')})`);
    const host = fs.readFileSync(new URL('../module/Private/Invoke-SupSyncHost.ps1', import.meta.url), 'utf8');
    expect(host).to.include("ConvertTo-SupSyncCommandLine -Arguments (@($script:SupSyncNodeOptions) + @($hostPath, '--argv-env', 'SUPSYNC_ARGV'))");
  });

  it('npm start runs the demo with the same options', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).to.include(`node ${hostNodeOptions.join(' ')} dist/src/cli/main.js demo`);
  });
});
