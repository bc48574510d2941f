/**
 * Help that runs: every .EXAMPLE of every SupSync command, read with Get-Help in pwsh 7 and
 * executed in a test home, in an order that builds the hierarchy the examples speak of (CS1, PS1,
 * SS1, DS1), with $ErrorActionPreference = 'Stop' so that a non-terminating error fails too.
 * What stands in for the examples' world, said once here:
 * - contoso host names: https://wsus.contoso.com:8531 is a loopback upstream served over
 *   [MS-WSUSSS]; SS2's https://ss2.contoso.com:8531 a closed loopback port (SS2 is then removed);
 * - D:\ and E:\ are FileSystem PSDrives on temporary folders (D:\Transfer\metadata.pkg.gz exists);
 * - the catalog is a loopback `supsync catalog serve` ($PSDefaultParameterValues gives its URL
 *   and -MetadataOnly, since its stand-in files are not on Microsoft's hosts); the example's update
 *   GUID and KB are ones that catalog has;
 * - $ConfirmPreference = 'None': the examples run as if the admin answered Yes;
 * - the Task Scheduler examples end in TaskSchedulerUnavailable off Windows (asserted as such),
 *   and the one with Get-Credential, which prompts, runs only on Windows.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { tempDir } from './helpers/cli.js';
import { devCliPath, repoRoot } from './helpers/fixtures.js';
import { type ServedSite, serveSite, upstreamHome } from './helpers/hierarchy.js';
import { runInProcess } from './helpers/in-process.js';
import { pwshRuntimeEnv, requirePwsh } from './helpers/pwsh.js';
import { makeCertificate } from './helpers/servers.js';

describe('PowerShell module: every help example runs in a test home', function () {
  this.timeout(900_000);
  let upstream: ServedSite | undefined;
  let catalog: ChildProcess | undefined;
  let outcome: { Command: string; Code: string; Ok: boolean; Error: string | null; ErrorId: string | null }[] = [];
  let commands: string[] = [];

  before(async function () {
    const pwsh = requirePwsh(this, 'the help examples');
    const up = await upstreamHome(40, 'examples');
    upstream = await serveSite(up.home, 'UPS');
    const catalogUrl = await new Promise<string>((resolve, reject) => {
      catalog = spawn(process.execPath, [devCliPath, '--home', up.home, '--output', 'json', 'catalog', 'serve', '--site', 'UPS'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      catalog.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      catalog.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(String((JSON.parse(out.split('\n')[0]!) as { Url: string }).Url));
      });
      catalog.on('exit', (code) => reject(new Error(`catalog serve exited with ${code}: ${err}`)));
    });
    const listed = (await runInProcess(up.home, ['update', 'list', '--site', 'UPS', '--limit', '20'])).records as { UpdateId: string; ArticleId: string | null }[];
    const home = tempDir('supsync-examples-');
    const work = tempDir('supsync-examples-work-');
    const dRoot = tempDir('supsync-examples-d-');
    const eRoot = tempDir('supsync-examples-e-');
    fs.mkdirSync(path.join(dRoot, 'Transfer'));
    fs.copyFileSync(await up.corpus(1), path.join(dRoot, 'Transfer', 'metadata.pkg.gz'));
    fs.writeFileSync(path.join(work, 'updates.csv'), `UpdateId,KB\n${listed[0]!.UpdateId},\n,${listed.find((u) => u.ArticleId)!.ArticleId}\n`);
    const certificate = makeCertificate(work);
    fs.writeFileSync(path.join(work, 'contoso-root.pem'), certificate ? certificate.cert : '');
    const script = path.join(work, 'run-examples.ps1');
    fs.writeFileSync(
      script,
      `$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module $env:SUPSYNC_TEST_MODULE
$ConfirmPreference = 'None'
$PSDefaultParameterValues['Import-UpdateFromCatalog:CatalogUrl'] = $env:SUPSYNC_TEST_CATALOG
$PSDefaultParameterValues['Import-UpdateFromCatalog:MetadataOnly'] = $true
$null = New-PSDrive -Name D -PSProvider FileSystem -Root $env:SUPSYNC_TEST_D -Scope Global
$null = New-PSDrive -Name E -PSProvider FileSystem -Root $env:SUPSYNC_TEST_E -Scope Global
Set-Location $env:SUPSYNC_TEST_WORK
$substitutions = [ordered]@{
  'https://wsus.contoso.com:8531' = $env:SUPSYNC_TEST_UPSTREAM
  'https://ss2.contoso.com:8531' = 'https://127.0.0.1:9'
  '7f659ce1-a58f-41a8-bcf0-18fe434f0916' = $env:SUPSYNC_TEST_UPDATE
  '4011677' = $env:SUPSYNC_TEST_KB
  # Exporters' textfile folders, and a password typed at a prompt: the test home's folder and a fixed one.
  'C:\\Program Files\\windows_exporter\\textfile_inputs' = $env:SUPSYNC_TEST_WORK
  '/var/lib/node_exporter/textfile_collector' = $env:SUPSYNC_TEST_WORK
  '(Read-Host -AsSecureString)' = "(ConvertTo-SecureString -String 'example-password' -AsPlainText -Force)"
}
# Test set-up between the examples (not part of them): what the next examples take as given.
$setup = @{
  'Get-CMSite' = { Remove-CMSite -SiteCode SS2 }
  'Set-CMSoftwareUpdatePointComponent' = { Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -SynchronizeAction SynchronizeFromAnUpstreamDataSourceLocation -UpstreamSourceLocation $env:SUPSYNC_TEST_UPSTREAM; $null = Sync-CMSoftwareUpdate -SiteCode CS1 }
  'Import-CMSoftwareUpdateMetadata' = { $null = New-CMSite -SiteCode DS1 -Role primary -StandAlone; Set-CMSoftwareUpdatePointComponent -SiteCode DS1 -SynchronizeAction DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource }
  'Remove-CMSite' = { Remove-CMSite -SiteCode DS1 }
}
$windowsOnly = @('Register-CMSoftwareUpdateSyncTask', 'Unregister-CMSoftwareUpdateSyncTask')
$first = @('New-CMSite', 'Get-CMSite', 'Get-CMSoftwareUpdatePointComponent', 'Set-CMSoftwareUpdatePointComponent', 'Invoke-CMSoftwareUpdateSync', 'Get-CMSoftwareUpdate', 'Get-CMSoftwareUpdateCategory')
$last = @('Import-CMSoftwareUpdateMetadata', 'Remove-CMSite')
$all = @((Get-Module SupSync).ExportedFunctions.Keys | Sort-Object)
$ordered = @($first) + @($all | Where-Object { $first -notcontains $_ -and $last -notcontains $_ }) + @($last)
$outcome = foreach ($command in $ordered) {
  if ($setup.ContainsKey($command)) { $null = & $setup[$command] }
  foreach ($example in @((Get-Help $command -Examples).examples.example)) {
    $code = (@($example.code) -join [Environment]::NewLine).Trim()
    foreach ($key in $substitutions.Keys) { $code = $code.Replace($key, $substitutions[$key]) }
    if ($code -match 'Get-Credential' -and -not (Get-Command Register-ScheduledTask -ErrorAction SilentlyContinue)) { continue }
    $errorText = $null; $errorId = $null
    try { $null = & ([scriptblock]::Create($code)) } catch { $errorText = $_.Exception.Message; $errorId = $_.FullyQualifiedErrorId }
    [pscustomobject]@{ Command = $command; Code = $code; Ok = $null -eq $errorText; Error = $errorText; ErrorId = $errorId }
  }
}
'@@RESULT@@' + (ConvertTo-Json -InputObject @{ Outcome = @($outcome); Commands = $all } -Depth 4 -Compress)
`,
    );
    const result = spawnSync(pwsh, ['-NoProfile', '-NonInteractive', '-File', script], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        ...pwshRuntimeEnv,
        SUPSYNC_HOME: home,
        SUPSYNC_NODE: process.execPath,
        SUPSYNC_TEST_MODULE: path.join(repoRoot, 'module', 'SupSync.psd1'),
        SUPSYNC_TEST_CATALOG: catalogUrl,
        SUPSYNC_TEST_UPSTREAM: upstream.url,
        SUPSYNC_TEST_UPDATE: listed[0]!.UpdateId,
        SUPSYNC_TEST_KB: listed.find((u) => u.ArticleId)!.ArticleId!,
        SUPSYNC_TEST_D: dRoot,
        SUPSYNC_TEST_E: eRoot,
        SUPSYNC_TEST_WORK: work,
      },
    });
    const line = result.stdout.split('\n').find((l) => l.includes('@@RESULT@@'));
    if (!line) throw new Error(`the examples script printed no result (${result.status}):\n${result.stderr}\n${result.stdout.slice(-4000)}`);
    const parsed = JSON.parse(line.slice(line.indexOf('@@RESULT@@') + '@@RESULT@@'.length)) as { Outcome: typeof outcome; Commands: string[] };
    outcome = parsed.Outcome;
    commands = parsed.Commands;
  });

  after(async () => {
    await upstream?.stop();
    if (catalog && catalog.exitCode === null) catalog.kill();
  });

  it('ran at least two examples of every exported function', () => {
    for (const command of commands) expect(outcome.filter((o) => o.Command === command).length, command).to.be.at.least(command.includes('SyncTask') ? 1 : 2);
  });

  it('every example succeeds (Task Scheduler ones: TaskSchedulerUnavailable where Task Scheduler is missing)', () => {
    const windows = process.platform === 'win32';
    expect(outcome.every((o) => typeof o.Command === 'string'), 'only example outcomes').to.equal(true);
    const failed = outcome.filter((o) => {
      if (o.Ok) return false;
      const taskScheduler = o.Command.endsWith('CMSoftwareUpdateSyncTask') && !windows && /^TaskSchedulerUnavailable/.test(o.ErrorId ?? '');
      return !taskScheduler;
    });
    expect(failed.map((o) => `${o.Command}: ${o.Code}\n  -> ${o.ErrorId}: ${o.Error}`).join('\n'), 'failed examples').to.equal('');
  });
});
