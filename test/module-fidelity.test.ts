/**
 * The SupSync module in real PowerShell 7, under Set-StrictMode -Version Latest, against a
 * loopback hierarchy: an upstream site served over [MS-WSUSSS] by `supsync serve`, CS1 syncing
 * from it, PS1 below CS1 and SS1 below PS1, and a loopback catalog. Scripts written for the real
 * ConfigMgr cmdlets run unchanged; the issue's predicted failures each have a test here.
 * Data reaches PowerShell only through the environment and files (node-powershell's templates
 * would run `$(…)` inside values).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { tempDir } from './helpers/cli.js';
import { devCliPath, repoRoot } from './helpers/fixtures.js';
import { runInProcess } from './helpers/in-process.js';
import { type ServedSite, serveSite, upstreamHome } from './helpers/hierarchy.js';
import { pwshRuntimeEnv, requirePwsh } from './helpers/pwsh.js';
import { batchChars, batchSize } from '../scripts/module/model.js';
import { cliXmlRecord } from '../src/cli/output.js';

const moduleDir = path.join(repoRoot, 'module');

/** A command line's records, the host run in this process (the cmdlets below start it as a process). */
async function host(home: string, args: string[]): Promise<Record<string, unknown>[]> {
  const result = await runInProcess(home, args);
  expect(result.code, result.stderr).to.equal(0);
  return result.records;
}

/** `supsync catalog serve` on loopback for the updates of a site; resolves with its URL. */
function serveCatalog(home: string, site: string): Promise<{ url: string; process: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [devCliPath, '--home', home, '--output', 'json', 'catalog', 'serve', '--site', site], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve({ url: String((JSON.parse(out.split('\n')[0]!) as { Url: string }).Url), process: child });
    });
    child.on('exit', (code) => reject(new Error(`catalog serve exited with ${code}`)));
  });
}

describe('PowerShell module: ConfigMgr drop-in fidelity in pwsh, under Set-StrictMode -Version Latest', function () {
  this.timeout(300_000);
  let shell: { invoke(command: string): Promise<{ raw: string }>; dispose(): Promise<void> } | undefined;
  let upstream: ServedSite | undefined;
  let catalog: { url: string; process: ChildProcess } | undefined;
  let home: string;
  let work: string;
  let scripts: string;
  let starts: string;
  let catalogIds: string[] = [];
  let catalogKbs: string[] = [];

  before(async function () {
    const pwsh = requirePwsh(this, 'the ConfigMgr fidelity tests');
    const up = await upstreamHome(60, 'fidelity');
    upstream = await serveSite(up.home, 'UPS');
    catalog = await serveCatalog(up.home, 'UPS');
    const listed = await host(up.home, ['update', 'list', '--site', 'UPS', '--limit', '70']);
    catalogIds = listed.map((r) => String(r.UpdateId));
    catalogKbs = [...new Set(listed.map((r) => r.ArticleId).filter((kb): kb is string => typeof kb === 'string'))];
    home = tempDir('supsync-fidelity-');
    work = tempDir('supsync-fidelity-work-');
    scripts = tempDir('supsync-fidelity-scripts-');
    starts = path.join(work, 'node-starts.log');
    // Counts Node.js starts: the module runs this instead of node.
    const countingNode = path.join(work, 'counting-node');
    fs.writeFileSync(countingNode, `#!/bin/sh\necho start >> '${starts}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(work, 'upstream-url.txt'), upstream.url);
    fs.writeFileSync(path.join(work, 'catalog-url.txt'), catalog.url);
    const { PowerShell } = await import('node-powershell');
    shell = new PowerShell({
      executable: pwsh,
      throwOnInvocationError: false,
      executableOptions: { '-NoProfile': true },
      spawnOptions: {
        env: {
          ...process.env,
          ...pwshRuntimeEnv,
          SUPSYNC_HOME: home,
          SUPSYNC_NODE: process.platform === 'win32' ? process.execPath : countingNode,
          SUPSYNC_TEST_MODULE: path.join(moduleDir, 'SupSync.psd1'),
          SUPSYNC_TEST_WORK: work,
        },
      },
    });
    // Strict mode in the module's own scope (its functions' parent) and in every test script.
    await shell.invoke('Import-Module $env:SUPSYNC_TEST_MODULE -Force; . (Get-Module SupSync) { Set-StrictMode -Version Latest }');
    const { result } = await run(`
$null = New-CMSite -SiteCode CS1 -Role central -ServerName 'cs1.contoso.com'
$null = New-CMSite -SiteCode PS1 -Role primary -ParentSiteCode CS1 -ServerName 'ps1.contoso.com'
$null = New-CMSite -SiteCode SS1 -Role secondary -ParentSiteCode PS1 -ServerName 'ss1.contoso.com'
$url = (Get-Content -Raw ./upstream-url.txt).Trim()
Set-CMSoftwareUpdatePointComponent -SynchronizeAction SynchronizeFromAnUpstreamDataSourceLocation -UpstreamSourceLocation $url -WaitMonth 99 -WaitMonthForFeature 99
$ids = @(Get-CMSoftwareUpdateCategory -SiteCode CS1 | Select-Object -ExpandProperty Id)
$result = @{ Strict = (Get-Variable -Name PSStrictMode -ErrorAction SilentlyContinue) -eq $null; Categories = $ids.Count }`);
    expect(result.Categories).to.equal(0);
  });

  after(async () => {
    await shell?.dispose();
    await upstream?.stop();
    if (catalog && catalog.process.exitCode === null) catalog.process.kill();
  });

  let counter = 0;
  /** Runs a script in the work directory and returns its $result as JSON and everything it printed. */
  async function run(body: string): Promise<{ result: any; raw: string }> {
    const file = path.join(scripts, `script-${++counter}.ps1`);
    fs.writeFileSync(file, `Set-StrictMode -Version Latest\n$ErrorActionPreference = 'Stop'\n$result = $null\nSet-Location $env:SUPSYNC_TEST_WORK\n${body}\n'@@RESULT@@' + (ConvertTo-Json -InputObject $result -Depth 8 -Compress)\n`, 'utf8');
    const { raw } = await shell!.invoke(`& '${file}'`);
    const line = raw.split('\n').find((l) => l.includes('@@RESULT@@'));
    if (!line) throw new Error(`the script printed no result:\n${raw}`);
    return { result: JSON.parse(line.slice(line.indexOf('@@RESULT@@') + '@@RESULT@@'.length).trim()), raw };
  }
  const nodeStarts = () => (fs.existsSync(starts) ? fs.readFileSync(starts, 'utf8').split('\n').filter(Boolean).length : 0);

  it('runs under Set-StrictMode -Version Latest', async () => {
    const { result } = await run(`
function Test-Strict { try { $null = $undefinedVariable; $false } catch { $true } }
$result = @{ Script = (Test-Strict); Module = (& (Get-Module SupSync) { try { $null = $undefinedVariable; $false } catch { $true } }) }`);
    expect(result).to.deep.equal({ Script: true, Module: true });
  });

  it('Sync-CMSoftwareUpdate -FullSync $true syncs the top-level site (said in -Verbose) with Write-Progress records, and the cascade reaches PS1 and SS1', async () => {
    const { result } = await run(`
$null = Sync-CMSoftwareUpdate -Confirm:$false
# Categories are known after the first sync: select them all, as an admin picks products.
$classes = @(Get-CMSoftwareUpdateCategory -TypeName UpdateClassification | ForEach-Object { $_.Id })
$products = @(Get-CMSoftwareUpdateCategory -TypeName Product | ForEach-Object { $_.Id })
Set-CMSoftwareUpdatePointComponent -AddUpdateClassification $classes -AddProduct $products
$ps = [powershell]::Create()
$null = $ps.AddScript('Set-StrictMode -Version Latest; Import-Module $env:SUPSYNC_TEST_MODULE; Sync-CMSoftwareUpdate -FullSync $true -Confirm:$false -Verbose')
$out = @($ps.Invoke())
$verbose = @($ps.Streams.Verbose | ForEach-Object { $_.Message })
$progress = @($ps.Streams.Progress | ForEach-Object { $_.Activity })
$errors = @($ps.Streams.Error | ForEach-Object { $_.ToString() })
$ps.Dispose()
$waited = @(Invoke-CMSoftwareUpdateSync -SiteCode PS1 -FullSync $false -Wait -Confirm:$false)
$status = @(Get-CMSoftwareUpdateSyncStatus)
$result = @{
  States = @($out | ForEach-Object { [string]$_.State })
  Sites = @($out | ForEach-Object { [string]$_.SiteCode })
  TopLevelSaid = @($verbose | Where-Object { $_ -like '*using CS1, the top-level site*' }).Count
  Progress = $progress.Count
  Errors = $errors
  WaitedSites = @($waited | ForEach-Object { [string]$_.SiteCode })
  StatusSites = @($status | ForEach-Object { [string]$_.SiteCode })
  LastSync = @($status | Where-Object { $null -ne $_.LastSuccessfulSyncTime } | ForEach-Object { $_.LastSuccessfulSyncTime.GetType().FullName } | Select-Object -Unique)
  Synced = @($status | Where-Object { $null -ne $_.LastSuccessfulSyncTime } | ForEach-Object { [string]$_.SiteCode })
}`);
    expect(result.Errors).to.deep.equal([]);
    expect(result.Sites).to.include('CS1');
    expect(result.States[0]).to.match(/Succeeded|NoChanges/);
    expect(result.TopLevelSaid).to.equal(1);
    expect(result.Progress, 'Write-Progress records during the sync').to.be.greaterThan(0);
    expect(result.WaitedSites).to.include('PS1');
    expect(result.StatusSites).to.include.members(['CS1', 'PS1', 'SS1']);
    expect(result.Synced).to.include.members(['CS1', 'PS1']);
    expect(result.LastSync).to.deep.equal(['System.DateTime']);
  });

  it('Get-CMSoftwareUpdate takes ConfigMgr\'s filters (-Name wildcards, -IsSuperseded, -IsExpired, -OnlyExpired, -DatePostedMin) and writes SMS_SoftwareUpdate\'s property names', async () => {
    const { result } = await run(`
$all = @(Get-CMSoftwareUpdate -IncludeExpired)
$live = @(Get-CMSoftwareUpdate)
$superseded = @(Get-CMSoftwareUpdate -IsSuperseded $true -IncludeExpired)
$notSuperseded = @(Get-CMSoftwareUpdate -IsSuperseded $false -IncludeExpired)
$expired = @(Get-CMSoftwareUpdate -IsExpired $true)
$onlyExpired = @(Get-CMSoftwareUpdate -OnlyExpired)
$windows = @(Get-CMSoftwareUpdate -Name '*Windows*')
$first = $live[0]
$posted = @(Get-CMSoftwareUpdate -DatePostedMin $first.DatePosted | Where-Object CI_UniqueID -eq $first.CI_UniqueID)
$later = @(Get-CMSoftwareUpdate -DatePostedMin $first.DatePosted.AddMinutes(1) | Where-Object CI_UniqueID -eq $first.CI_UniqueID)
$result = @{
  All = $all.Count; Live = $live.Count
  Superseded = $superseded.Count; NotSuperseded = $notSuperseded.Count
  SupersededFlags = @($superseded | ForEach-Object { $_.IsSuperseded } | Select-Object -Unique)
  WhereSuperseded = @($all | Where-Object IsSuperseded).Count
  Expired = $expired.Count; OnlyExpired = $onlyExpired.Count
  ExpiredFlags = @($expired | ForEach-Object { $_.IsExpired } | Select-Object -Unique)
  Windows = $windows.Count
  WindowsTitles = @($windows | Where-Object { $_.LocalizedDisplayName -notlike '*Windows*' }).Count
  Names = @($first.PSObject.Properties.Name)
  DateType = $first.DatePosted.GetType().FullName
  DateKind = [string]$first.DatePosted.Kind
  Posted = $posted.Count; Later = $later.Count
  Severity = $first.Severity.GetType().Name
}`);
    expect(result.All).to.be.greaterThan(0);
    expect(result.Superseded + result.NotSuperseded).to.equal(result.All);
    expect(result.Superseded).to.equal(result.WhereSuperseded);
    if (result.Superseded > 0) expect(result.SupersededFlags).to.deep.equal([true]);
    expect(result.Expired).to.equal(result.OnlyExpired);
    expect(result.Expired + result.Live).to.equal(result.All);
    if (result.Expired > 0) expect(result.ExpiredFlags).to.deep.equal([true]);
    expect(result.Windows).to.be.greaterThan(0);
    expect(result.WindowsTitles).to.equal(0);
    expect(result.Names).to.include.members(['LocalizedDisplayName', 'ArticleId', 'CI_UniqueID', 'DatePosted', 'DateRevised', 'IsSuperseded', 'IsExpired', 'Severity']);
    expect(result.DateType).to.equal('System.DateTime');
    expect(result.DateKind).to.equal('Local');
    expect(result.Posted, '-DatePostedMin $u.DatePosted round-trips').to.equal(1);
    expect(result.Later).to.equal(0);
    expect(result.Severity).to.equal('Int64');
  });

  it('Get-CMSoftwareUpdate turns the host\'s lines into objects block by block and keeps every record, its order, type and local [datetime]s', async () => {
    const listed = await host(home, ['update', 'list', '--site', 'CS1', '--include-expired']);
    const { result } = await run(`
$all = @(Get-CMSoftwareUpdate -SiteCode CS1 -IncludeExpired)
$result = @{
  Ids = @($all | ForEach-Object { [string]$_.UpdateId })
  Types = @($all | ForEach-Object { $_.PSObject.TypeNames[0] } | Select-Object -Unique)
  HasType = @($all | Where-Object { $null -ne $_.PSObject.Properties['type'] }).Count
  Posted = @($all | ForEach-Object { $_.DatePosted.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [System.Globalization.CultureInfo]::InvariantCulture) })
  Kinds = @($all | ForEach-Object { [string]$_.DatePosted.Kind; [string]$_.ArrivalDate.Kind } | Select-Object -Unique)
  Products = @($all | ForEach-Object { @($_.Products).Count })
  Names = @($all | ForEach-Object { @($_.PSObject.Properties.Name) -join ',' } | Select-Object -Unique)
  Computed = @($all | ForEach-Object { [ordered]@{ IsSuperseded = $_.IsSuperseded; Severity = $_.Severity; SeverityName = $_.SeverityName; LocalizedCategoryInstanceNames = @($_.LocalizedCategoryInstanceNames) } })
  ComputedTypes = @($all | ForEach-Object { $_.Severity.GetType().Name; $_.LocalizedCategoryInstanceNames.GetType().Name } | Select-Object -Unique)
}`);
    expect(listed.length, 'the host listed a multi-block stream').to.be.greaterThan(50);
    expect(result.Ids).to.deep.equal(listed.map((r) => r.UpdateId));
    expect(result.Types).to.deep.equal(['SupSync.Update']);
    expect(result.HasType).to.equal(0);
    expect(result.Posted).to.deep.equal(listed.map((r) => r.DatePosted));
    expect(result.Kinds).to.deep.equal(['Local']);
    expect(result.Products).to.deep.equal(listed.map((r) => (r.Products as unknown[]).length));
    // The ConfigMgr properties the module computes (type data) are the host's fields, in the host's order.
    expect(result.Names).to.deep.equal([Object.keys(listed[0]!).filter((k) => k !== 'type').join(',')]);
    const computed = (r: Record<string, unknown>) => ({ IsSuperseded: r.IsSuperseded, Severity: r.Severity, SeverityName: r.SeverityName, LocalizedCategoryInstanceNames: r.LocalizedCategoryInstanceNames });
    expect(result.Computed).to.deep.equal(listed.map(computed));
    expect(result.ComputedTypes).to.deep.equal(['Int64', 'ArrayList']);
  });

  it('reads the host\'s CliXml lines block by block as the single lines would be: bad lines alone are $null, typed values, dates only where the record has one', async () => {
    const quoted = (line: string) => `'${line.replace(/'/g, "''")}'`;
    const record = quoted(cliXmlRecord({ type: 'T.A', When: '2026-03-01T10:00:00.123Z', Offset: '2026-03-01T10:00:00+02:00', Wall: '2026-03-01T10:00', Text: '2026-03-01T10:00:00Z is text', Nested: { Text: '2026-01-01T00:00:00Z' }, N: 1, F: 1.5, B: true, None: null, List: ['a', 2], Odd: "line\nfeed\r\ttab _x0041_ <&>\"' \u{1F600} \u0001" }));
    const error = quoted(cliXmlRecord({ type: 'SupSync.Error', code: 'X', message: 'm' }));
    const { result } = await run(`
$convert = { param([string[]] $Lines) & (Get-Module SupSync) { param($l) Complete-SupSyncRecordXml -Block (Start-SupSyncRecordXml -Lines $l) } $Lines }
$record = ${record}
$describe = {
  param($r)
  if ($null -eq $r) { return 'null' }
  $invariant = [System.Globalization.CultureInfo]::InvariantCulture
  @(($r.PSObject.TypeNames -join ','),
    $r.When.GetType().Name, [string]$r.When.Kind, $r.When.ToUniversalTime().ToString('o', $invariant),
    $r.Offset.ToUniversalTime().ToString('o', $invariant),
    $r.Wall.GetType().Name, [string]$r.Wall.Kind, $r.Wall.ToString('s', $invariant),
    $r.Text, [string]$r.Nested.Text.GetType().Name,
    $r.N.GetType().Name, $r.F.GetType().Name, $r.B.GetType().Name, [string]($null -eq $r.None), (@($r.List) -join '+'), $r.List[1].GetType().Name,
    [string]($r.Odd -ceq ("line\`nfeed\`r\`ttab _x0041_ <&>\`"' " + [char]::ConvertFromUtf32(0x1F600) + ' ' + [char]1)),
    [string]($null -eq $r.PSObject.Properties['type'])) -join '|'
}
$good = & $describe (& $convert @($record))[0]
# One list for the block, as long as its lines ($null included): foreach statements, not pipelines, keep the $nulls.
$result = @{
  Good = $good
  Shifted = @(foreach ($r in (& $convert @($record, '<S>a</S><S>b</S>', $record))) { & $describe $r })
  Broken = @(foreach ($r in (& $convert @($record, 'not xml', $record))) { & $describe $r })
  Odd = @(foreach ($r in (& $convert @(${error}, '<Obj><MS><I64 N="noType">1</I64></MS></Obj>', '<S>text</S>', '<Nil />'))) { if ($null -eq $r) { 'null' } else { $r.PSObject.TypeNames[0] } })
}`);
    const good = 'T.A,System.Management.Automation.PSCustomObject,System.Object|DateTime|Local|2026-03-01T10:00:00.1230000Z|2026-03-01T08:00:00.0000000Z|DateTime|Unspecified|2026-03-01T10:00:00|2026-03-01T10:00:00Z is text|String|Int64|Double|Boolean|True|a+2|Int64|True|';
    expect(result.Good.startsWith(good), result.Good).to.equal(true);
    expect(result.Good.endsWith('|True'), 'the type is the type name, not a property').to.equal(true);
    expect(result.Shifted).to.deep.equal([result.Good, 'null', result.Good]);
    expect(result.Broken).to.deep.equal([result.Good, 'null', result.Good]);
    expect(result.Odd).to.deep.equal(['SupSync.Error', 'null', 'null', 'null']);
  });

  it('pipes Get-CMSoftwareUpdateCategory into Get-CMSoftwareUpdate as -Category in one host call, and spells category types alike in output and -TypeName', async () => {
    const { result } = await run(`
$classes = @(Get-CMSoftwareUpdateCategory -TypeName UpdateClassification)
$types = @(Get-CMSoftwareUpdateCategory | ForEach-Object { $_.CategoryTypeName } | Select-Object -Unique)
$roundTrip = @($types | ForEach-Object { @(Get-CMSoftwareUpdateCategory -TypeName $_).Count })
$before = @(Get-Content -Path $env:SUPSYNC_TEST_WORK/node-starts.log).Count
$piped = @($classes | Get-CMSoftwareUpdate)
$after = @(Get-Content -Path $env:SUPSYNC_TEST_WORK/node-starts.log).Count
$security = @(Get-CMSoftwareUpdateCategory -Name 'Security Updates' | Get-CMSoftwareUpdate)
$result = @{
  Classes = $classes.Count
  Types = $types
  RoundTrip = $roundTrip
  Piped = $piped.Count
  # Bundled leaves carry no classification of their own (as Microsoft Update's do): no classification lists them.
  Live = @(Get-CMSoftwareUpdate | Where-Object { $_.Classification }).Count
  Starts = $after - $before
  Security = @($security | ForEach-Object { $_.Classification } | Select-Object -Unique)
  OldSpelling = @(Get-CMSoftwareUpdateCategory -CategoryType classification).Count
}`);
    expect(result.Classes).to.be.greaterThan(1);
    expect(result.Types).to.include.members(['Product', 'UpdateClassification']);
    for (const count of result.RoundTrip) expect(count).to.be.greaterThan(0);
    expect(result.Piped).to.equal(result.Live);
    expect(result.Starts, 'one Node.js start for every piped category').to.equal(1);
    if (result.Security.length > 0) expect(result.Security).to.deep.equal(['Security Updates']);
    expect(result.OldSpelling).to.equal(result.Classes);
  });

  it('Set-CMSoftwareUpdatePointComponent takes ConfigMgr\'s syntax: aliases, -Name, -InputObject, stored settings with a warning, refused parameters named', async () => {
    const { result } = await run(`
$warnings = $null
$set = Set-CMSoftwareUpdatePointComponent -ReportingEvent DoNotCreateWsusReportingEvents -EnableThirdPartyUpdates $true -DefaultWsusServer 'wsus.contoso.com' -NonFeatureUpdateMaxRuntimeMins 90 -WaitMonthForNonFeature 4 -PassThru -WarningVariable warnings -WarningAction SilentlyContinue
$byName = Set-CMSoftwareUpdatePointComponent -Name 'ps1.contoso.com' -EnableSyncFailureAlert $true -PassThru
$piped = Get-CMSoftwareUpdatePointComponent -SiteCode CS1 | Set-CMSoftwareUpdatePointComponent -WaitMonth 5 -PassThru
$get = Get-CMSoftwareUpdatePointComponent -SiteSystemServerName 'cs1.contoso.com' -WsusSyncManager
$refused = $null
try { Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -AddCompany 'Microsoft' } catch { $refused = $_ }
$accepted = Get-CMSoftwareUpdate -Fast -ForceWildcardHandling -First 1
$result = @{
  Reporting = $get.ReportingEvent; ThirdParty = $get.EnableThirdPartyUpdates; Wsus = $get.DefaultWsusServer; Runtime = $get.NonFeatureUpdateMaxRuntimeMins
  Warnings = @($warnings | ForEach-Object { [string]$_ })
  SetSite = $set.SiteCode; ByNameSite = $byName.SiteCode; ByNameAlert = $byName.EnableSyncFailureAlert
  PipedSite = $piped.SiteCode; Wait = $get.WaitMonth
  RefusedId = $refused.FullyQualifiedErrorId; RefusedTarget = [string]$refused.TargetObject; RefusedMessage = $refused.Exception.Message
  Accepted = @($accepted).Count
}`);
    expect(result).to.deep.include({ Reporting: 'DoNotCreateWsusReportingEvents', ThirdParty: true, Wsus: 'wsus.contoso.com', Runtime: 90, SetSite: 'CS1', ByNameSite: 'PS1', ByNameAlert: true, PipedSite: 'CS1', Wait: 5 });
    expect(result.Warnings.join('\n')).to.match(/ReportingEvent is stored and shown, but changes nothing/);
    expect(result.Warnings.join('\n')).to.match(/EnableThirdPartyUpdates/);
    expect(result.RefusedId).to.equal('ParameterNotSupported,Set-CMSoftwareUpdatePointComponent');
    expect(result.RefusedTarget).to.equal('AddCompany');
    expect(result.RefusedMessage).to.match(/^-AddCompany is not supported/);
    expect(result.Accepted).to.equal(1);
  });

  it('New-CMSchedule and Convert-CMSchedule with ConfigMgr\'s parameters; -Schedule takes a schedule shaped like New-CMSchedule\'s result', async () => {
    const { result } = await run(`
$start = Get-Date -Year 2026 -Month 11 -Day 29 -Hour 2 -Minute 0 -Second 0 -Millisecond 0
$weekly = New-CMSchedule -DayOfWeek ([System.DayOfWeek]::Sunday) -Start $start
$again = New-CMSchedule -DayOfWeek Sunday -Start $weekly.StartTime
$last = New-CMSchedule -LastDayOfMonth -Start $start
$text = New-CMSchedule -RecurInterval Hours -RecurCount 12 -Start $start -ScheduleString
$decoded = Convert-CMSchedule -ScheduleString $text
$encoded = $decoded | Convert-CMSchedule
# A schedule token as ConfigMgr's New-CMSchedule returns it (no ScheduleString).
$token = [pscustomobject]@{ SmsProviderObjectPath = 'SMS_ST_RecurInterval'; DaySpan = 7; HourSpan = 0; MinuteSpan = 0; StartTime = $start; IsGMT = $false; DayDuration = 0; HourDuration = 0; MinuteDuration = 0 }
$set = Set-CMSoftwareUpdatePointComponent -Schedule $token -PassThru
$refused = $null
try { New-CMSchedule -DayOfWeek Monday -DurationCount 2 -DurationInterval Hours } catch { $refused = $_.FullyQualifiedErrorId }
$result = @{
  Class = $weekly.SmsProviderObjectPath; Day = $weekly.Day; Weeks = $weekly.ForNumberOfWeeks
  StartType = $weekly.StartTime.GetType().FullName; Start = $weekly.StartTime.ToString('yyyy-MM-ddTHH:mm'); Same = $again.ScheduleString -eq $weekly.ScheduleString
  LastClass = $last.SmsProviderObjectPath; MonthDay = $last.MonthDay
  Text = $text; DecodedHours = $decoded.HourSpan; Encoded = $encoded
  SetSchedule = $set.Schedule
  Refused = $refused
}`);
    expect(result).to.deep.include({ Class: 'SMS_ST_RecurWeekly', Day: 1, Weeks: 1, StartType: 'System.DateTime', Start: '2026-11-29T02:00', Same: true, LastClass: 'SMS_ST_RecurMonthlyByDate', MonthDay: 0, DecodedHours: 12 });
    expect(result.Text).to.match(/^[0-9A-F]{16}$/);
    expect(result.Encoded).to.equal(result.Text);
    expect(result.SetSchedule).to.match(/every 7 day/);
    expect(result.Refused).to.match(/^ParameterNotSupported/);
  });

  it('Get-CMSite takes -SiteCode and -Name with wildcards', async () => {
    const { result } = await run(`
$result = @{
  Ps = @(Get-CMSite -SiteCode 'PS*' | ForEach-Object { $_.SiteCode })
  ByName = @(Get-CMSite -Name 'ss1.*' | ForEach-Object { $_.SiteCode })
  Positional = @(Get-CMSite CS1 | ForEach-Object { $_.SiteCode })
}`);
    expect(result).to.deep.equal({ Ps: ['PS1'], ByName: ['SS1'], Positional: ['CS1'] });
  });

  it('speaks of PowerShell parameters in errors (message and target), never of CLI flags or exit codes', async () => {
    const { result } = await run(`
$caught = $null
try { Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -WaitMonth 300 } catch { $caught = $_ }
$result = @{ Message = $caught.Exception.Message; Target = [string]$caught.TargetObject; Id = $caught.FullyQualifiedErrorId }`);
    expect(result.Message).to.include('-WaitMonth');
    expect(result.Message).to.not.match(/--wait-months|exit code/);
    expect(result.Target).to.equal('-WaitMonth');
  });

  it('resolves a relative -Path against the file system when the location is on another provider (a PS CS1:\\> prompt)', async () => {
    const { result } = await run(`
$null = New-PSDrive -Name CS1 -PSProvider Variable -Root '' -Scope Global -ErrorAction SilentlyContinue
Push-Location CS1:\\
try { $package = Export-CMSoftwareUpdateMetadata -SiteCode CS1 -Path ./relative-export.pkg.gz } finally { Pop-Location }
$result = @{ Exists = Test-Path -LiteralPath (Join-Path $env:SUPSYNC_TEST_WORK 'relative-export.pkg.gz') }`);
    expect(result.Exists).to.equal(true);
  });

  it('shows the Task Scheduler XML under -WhatIf, with -ExecutionPolicy RemoteSigned so that a restrictive machine policy does not stop it, and says Task Scheduler is Windows-only where it is missing', async () => {
    const { result, raw } = await run(`
Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule (New-CMSchedule -RecurInterval Days -RecurCount 1)
Register-CMSoftwareUpdateSyncTask -SiteCode CS1 -Shell pwsh -WhatIf
$missing = $null
if (-not (Get-Command Register-ScheduledTask -ErrorAction SilentlyContinue)) {
  try { Register-CMSoftwareUpdateSyncTask -SiteCode CS1 -Confirm:$false } catch { $missing = $_.FullyQualifiedErrorId }
}
$result = @{ Missing = $missing; Windows = [bool](Get-Command Register-ScheduledTask -ErrorAction SilentlyContinue) }`);
    expect(raw).to.include('<Task');
    expect(raw).to.include('Invoke-CMSoftwareUpdateSync -SiteCode CS1');
    expect(raw).to.include('SupSync.psd1');
    expect(raw).to.include('-ExecutionPolicy RemoteSigned');
    if (!result.Windows) expect(result.Missing).to.match(/^TaskSchedulerUnavailable/);
  });

  it('completes site codes, products and classifications without starting Node.js, from the sites\' completion caches', async () => {
    const { result } = await run(`
function Complete($line) { @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText }) }
$sites = Complete 'Get-CMSoftwareUpdatePointComponent -SiteCode '
$products = Complete 'Set-CMSoftwareUpdatePointComponent -AddProduct Win'
$before = @(Get-Content -Path $env:SUPSYNC_TEST_WORK/node-starts.log).Count
$again = Complete 'Set-CMSoftwareUpdatePointComponent -AddProduct Win'
$classes = Complete 'Get-CMSoftwareUpdate -Classification Sec'
$classesAgain = Complete 'Get-CMSoftwareUpdate -Classification Cri'
$childClasses = Complete 'Set-CMSoftwareUpdatePointComponent -SiteCode PS1 -AddUpdateClassification Sec'
$after = @(Get-Content -Path $env:SUPSYNC_TEST_WORK/node-starts.log).Count
$result = @{ Sites = $sites; Products = $products.Count; Again = $again.Count; Classes = $classes; ChildClasses = $childClasses; Starts = $after - $before }`);
    expect(result.Sites).to.include.members(['CS1', 'PS1', 'SS1']);
    expect(result.Products).to.be.greaterThan(0);
    expect(result.Again).to.equal(result.Products);
    expect(result.Classes).to.include("'Security Updates'");
    expect(result.ChildClasses, "a child site's classifications, for -AddUpdateClassification").to.include("'Security Updates'");
    expect(result.Starts, "every completion came from the sites' completion caches").to.equal(0);
  });

  it('completes from the completion cache without starting Node.js, sees the products a sync adds at once, and asks the host when a site\'s cache is gone', async () => {
    // A second home with a central site that has never synced, made in this process: the cmdlets that would make it are proven above.
    const completionHome = path.join(work, 'completion-home');
    await host(completionHome, ['site', 'add', '--code=CC1', '--role=central', '--server-name=cc1.contoso.com']);
    await host(completionHome, ['sup', 'set', '--site=CC1', '--synchronize-action=SynchronizeFromAnUpstreamDataSourceLocation', `--upstream-url=${upstream!.url}`]);
    const { result } = await run(`
$saved = $env:SUPSYNC_HOME
$env:SUPSYNC_HOME = Join-Path $env:SUPSYNC_TEST_WORK 'completion-home'
try {
  function Complete($line) { @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.ListItemText }) }
  function Starts { @(Get-Content -Path $env:SUPSYNC_TEST_WORK/node-starts.log).Count }
  $s0 = Starts
  $sites = Complete 'Get-CMSoftwareUpdate -SiteCode '
  # Asked of the completer itself: with nothing to offer, TabExpansion2 would fall back to file names.
  $before = & (Get-Module SupSync) { @(Complete-SupSyncArgument -Kind product -WordToComplete '' -FakeBoundParameters @{ SiteCode = 'CC1' }) }
  $s1 = Starts
  $null = Sync-CMSoftwareUpdate -SiteCode CC1 -Confirm:$false
  $s2 = Starts
  $after = Complete 'Get-CMSoftwareUpdate -SiteCode cc1 -Product '
  $top = Complete 'Get-CMSoftwareUpdate -Product '
  $s3 = Starts
  $expected = @(Get-CMSoftwareUpdateCategory -SiteCode CC1 -TypeName Product | ForEach-Object { $_.Title } | Sort-Object -Unique)
  Remove-Item -LiteralPath (Join-Path $env:SUPSYNC_HOME 'sites/CC1/completion.json')
  $s4 = Starts
  $fallback = Complete 'Get-CMSoftwareUpdate -SiteCode CC1 -Product '
  $s5 = Starts
  $result = @{
    Sites = @($sites); Before = @($before).Count; After = @($after); Top = @($top); Expected = $expected; Fallback = @($fallback)
    CacheStarts = ($s1 - $s0) + ($s3 - $s2); FallbackStarts = $s5 - $s4
  }
} finally { $env:SUPSYNC_HOME = $saved }`);
    expect(result.Sites).to.deep.equal(['CC1']);
    expect(result.Before, 'no products before the first sync').to.equal(0);
    expect(result.Expected.length).to.be.greaterThan(0);
    expect(result.After, "the sync's products, at once").to.deep.equal(result.Expected);
    expect(result.Top, 'the top-level site without -SiteCode').to.deep.equal(result.Expected);
    expect(result.CacheStarts).to.equal(0);
    expect(result.Fallback).to.deep.equal(result.Expected);
    expect(result.FallbackStarts, 'site list and category list: the sync dropped the answers kept in the session').to.equal(2);
  });

  describe('Import-Csv | Import-UpdateFromCatalog', () => {
    const importCsv = async (csv: string | Buffer, options = '') => {
      fs.writeFileSync(path.join(work, 'ids.csv'), csv);
      const before = nodeStarts();
      const { result } = await run(`
$url = (Get-Content -Raw ./catalog-url.txt).Trim()
$r = Import-Csv ./ids.csv ${options} | Import-UpdateFromCatalog -SiteCode CS1 -MetadataOnly -CatalogUrl $url -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable problems
$results = @($r | Where-Object { $_.PSObject.TypeNames[0] -eq 'SupSync.CatalogImportResult' })
$result = @{
  Inputs = @($results | ForEach-Object { [string]$_.Input })
  Statuses = @($results | ForEach-Object { [string]$_.Status })
  Summaries = @($r | Where-Object { $_.PSObject.TypeNames[0] -eq 'SupSync.CatalogImportSummary' }).Count
  Errors = @($problems | ForEach-Object { $_.FullyQualifiedErrorId })
}`);
      return { ...result, starts: nodeStarts() - before };
    };
    const ok = (status: string) => ['Imported', 'AlreadyPresent'].includes(status);

    it('an UpdateId column only: one result per row, one Node.js start for the 55 rows', async () => {
      const ids = catalogIds.slice(0, 55);
      const result = await importCsv(`UpdateId\n${ids.join('\n')}\n`);
      expect(result.Inputs).to.have.members(ids);
      expect(result.Statuses.every(ok)).to.equal(true);
      expect(result.starts).to.equal(1);
    });

    it('valid rows and an invalid one: a result each, one host call and one summary for the four rows, a PartialFailure error', async () => {
      const ids = catalogIds.slice(55, 58);
      const result = await importCsv(`UpdateId,Note\n${ids.map((id) => `${id},ok`).join('\n')}\nnot-a-guid,bad\n`);
      expect(result.Inputs).to.have.members([...ids, 'not-a-guid']);
      expect(result.Statuses.filter(ok)).to.have.length(3);
      expect(result.Statuses.filter((s: string) => s === 'Invalid')).to.have.length(1);
      expect(result.Summaries, 'one host call for the four rows').to.equal(1);
      expect(result.starts).to.equal(1);
      expect(result.Errors).to.have.length(1);
      expect(result.Errors[0]).to.match(/^PartialFailure/);
    });

    it(`ends a batch at ${batchSize} rows or ${batchChars} characters of values: one more Node.js start each, every row answered`, async () => {
      const many = Array.from({ length: batchSize + 10 }, (_, i) => `not-a-guid-${i}`);
      const byCount = await importCsv(`UpdateId\n${many.join('\n')}\n`);
      expect(byCount.Inputs).to.deep.equal(many);
      expect(byCount.starts).to.equal(2);
      const long = Array.from({ length: 20 }, (_, i) => `${i}-${'x'.repeat(1000)}`);
      const byChars = await importCsv(`UpdateId\n${long.join('\n')}\n`);
      expect(byChars.Inputs).to.deep.equal(long);
      expect(byChars.Statuses.every((status: string) => status === 'Invalid')).to.equal(true);
      expect(byChars.starts).to.equal(2);
    });

    it('a KB column only', async () => {
      const kbs = catalogKbs.slice(0, 3);
      const result = await importCsv(`KB\n${kbs.join('\n')}\n`);
      expect(result.Inputs.map((i: string) => i.replace(/^KB/i, ''))).to.have.members(kbs);
      expect(result.Statuses.every(ok)).to.equal(true);
    });

    it('both columns with blank cells, a BOM and ; delimiters: the right value per row, nothing dropped', async () => {
      const rows = [`${catalogIds[0]};`, `;${catalogKbs[1]}`, `${catalogIds[2]};`, `;${catalogKbs[3]}`];
      const result = await importCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`UpdateId;KB\n${rows.join('\n')}\n`)]), '-Delimiter ";"');
      expect(result.Inputs).to.have.length(4);
      expect(result.Inputs).to.include.members([catalogIds[0], catalogIds[2]]);
      expect(result.Inputs.map((i: string) => i.replace(/^KB/i, ''))).to.include.members([catalogKbs[1], catalogKbs[3]]);
      expect(result.Statuses.every(ok)).to.equal(true);
    });

    it('a last batch of one blank row, and -UpdateId \'\': an Invalid result each, no crash', async () => {
      const ids = [...catalogIds.slice(0, 50), ...Array.from({ length: batchSize - 50 }, (_, i) => `not-a-guid-${i}`)];
      const result = await importCsv(`UpdateId,KB\n${ids.map((id) => `${id},`).join('\n')}\n,\n`);
      expect(result.Inputs).to.have.length(batchSize + 1);
      expect(result.Inputs[batchSize]).to.equal('');
      expect(result.starts).to.equal(2);
      expect(result.Statuses.filter((s: string) => s === 'Invalid')).to.have.length(batchSize - 50 + 1);
      const direct = await run(`
$url = (Get-Content -Raw ./catalog-url.txt).Trim()
$r = @(Import-UpdateFromCatalog -SiteCode CS1 -UpdateId '' -MetadataOnly -CatalogUrl $url -Confirm:$false -ErrorAction SilentlyContinue)
$result = @{ Statuses = @($r | Where-Object { $_.PSObject.TypeNames[0] -eq 'SupSync.CatalogImportResult' } | ForEach-Object { [string]$_.Status }) }`);
      expect(direct.result.Statuses).to.deep.equal(['Invalid']);
    });

    it('keeps every result in $r when every item fails, with non-terminating errors that -ErrorAction SilentlyContinue silences', async () => {
      const result = await importCsv('UpdateId\nnot-a-guid\nalso-bad\n');
      expect(result.Statuses).to.deep.equal(['Invalid', 'Invalid']);
      expect(result.Errors.length).to.be.greaterThan(0);
      const { result: loud, raw } = await run(`
$url = (Get-Content -Raw ./catalog-url.txt).Trim()
$r = Import-Csv ./ids.csv | Import-UpdateFromCatalog -SiteCode CS1 -MetadataOnly -CatalogUrl $url -Confirm:$false -ErrorAction Continue 2>&1
$result = @{ Records = @($r | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }).Count; Errors = @($r | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { [string]$_.CategoryInfo.Category }) }`);
      expect(raw).to.not.include('@@FAILED');
      expect(loud.Records).to.equal(3);
      expect(loud.Errors.length).to.be.greaterThan(0);
    });
  });

  it('renders the default views with Format-Table | Out-String -Width 120 without cutting a header or value (views: issue 15)', async () => {
    const { result } = await run(`
$tables = @(
  (Get-CMSite | Format-Table | Out-String -Width 120),
  (Get-CMSoftwareUpdateSyncStatus | Format-Table | Out-String -Width 120),
  (Get-CMSoftwareUpdate -First 5 | Format-Table | Out-String -Width 120),
  (Get-CMSoftwareUpdateCategory -TypeName UpdateClassification | Format-Table | Out-String -Width 120)
)
$result = @{ Tables = $tables }`);
    for (const table of result.Tables as string[]) {
      expect(table, table).to.not.include('…');
      expect(table, table).to.not.match(/\.\.\.\s*$/m);
    }
  });
});

describe('PowerShell module: Windows PowerShell 5.1 compatibility of the module files (5.1 cannot run here)', () => {
  /** Syntax and APIs that PowerShell 7 has and Windows PowerShell 5.1 (.NET Framework 4.x) has not. */
  const sevenOnly: [RegExp, string][] = [
    [/\?\?=?/, 'the null-coalescing operator ??'],
    [/\?\.\w|\?\[/, 'null-conditional member access ?. / ?['],
    [/\)\s*&&|\)\s*\|\||[\w'"]\s+&&\s|\s\|\|\s/, 'pipeline chain operators && and ||'],
    [/\s\?\s[^:\n]+\s:\s/, 'the ternary operator ? :'],
    [/ForEach-Object\s+-Parallel|-ThrottleLimit/, 'ForEach-Object -Parallel'],
    [/-AsHashtable|-DateKind|-EscapeHandling|-AdditionalChildPath|-SkipCertificateCheck|-NoEnumerate/, 'a pwsh-only cmdlet parameter'],
    [/\$PSStyle|Get-Error\b|Test-Json\b|ConvertFrom-Markdown|Join-String\b|Get-Uptime/, 'a pwsh-only cmdlet or variable'],
    [/::GetRelativePath\(|\.Contains\([^)]*StringComparison|\[System\.IO\.Path\]::Join\(|\.ReplaceLineEndings\(/, 'a .NET Core-only API'],
    [/\$IsWindows|\$IsLinux|\$IsMacOS|\$IsCoreCLR/, 'pwsh-only automatic variables (undefined in 5.1; strict mode fails on them)'],
    [/\bclean\s*\{/, 'the clean block'],
  ];
  const files = [
    'SupSync.psm1',
    ...['Private', 'Public'].flatMap((dir) =>
      fs
        .readdirSync(path.join(moduleDir, dir))
        .filter((f) => f.endsWith('.ps1'))
        .map((f) => `${dir}/${f}`),
    ),
  ];

  it('finds a 7-only construct when one is there (the check works)', () => {
    const hits = (code: string) => sevenOnly.filter(([pattern]) => pattern.test(code)).map(([, what]) => what);
    expect(hits('$a = $b ?? 1')).to.include('the null-coalescing operator ??');
    expect(hits('$x = $y?.Name')).to.include('null-conditional member access ?. / ?[');
    expect(hits("Get-Thing && 'done'")).to.include('pipeline chain operators && and ||');
    expect(hits('$v = $c ? 1 : 2')).to.include('the ternary operator ? :');
    expect(hits('1..3 | ForEach-Object -Parallel { $_ }')).to.include('ForEach-Object -Parallel');
    expect(hits('ConvertFrom-Json -AsHashtable')).to.include('a pwsh-only cmdlet parameter');
    expect(hits('if ($IsWindows) { }')).to.include('pwsh-only automatic variables (undefined in 5.1; strict mode fails on them)');
  });

  for (const file of files) {
    it(`${file} uses no PowerShell-7-only syntax or API`, () => {
      const code = fs
        .readFileSync(path.join(moduleDir, file), 'utf8')
        // Comments and single-quoted strings (help text, messages) are not code.
        .replace(/<#[\s\S]*?#>/g, '')
        .replace(/(^|\s)#.*$/gm, '$1')
        .replace(/'(?:[^']|'')*'/g, "''");
      for (const [pattern, what] of sevenOnly) expect(pattern.test(code), `${file}: ${what} (${pattern.exec(code)?.[0]})`).to.equal(false);
    });
  }
});
