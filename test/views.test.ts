/**
 * The views are defined once (src/cli/views.ts) and shown twice: by the CLI's tables and by the
 * module's SupSync.Format.ps1xml. These tests prove that both come from the same definitions:
 * the committed Format.ps1xml has each view's columns, headings, widths and alignment; its script
 * blocks, run in real PowerShell on the records as the module receives them (dates as strings, as
 * Windows PowerShell 5.1 leaves them, and as [datetime]), give the very cells the CLI prints; and
 * PowerShell's Format-Table heads a table the way the CLI does.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { columnScript } from '../scripts/module/format.js';
import { formatAge, formatBytes, formatCell, formatDuration } from '../src/cli/human.js';
import { renderTable } from '../src/cli/output.js';
import { columnLabel, maxViewWidth, tableViews, viewWidth } from '../src/cli/views.js';
import { repoRoot } from './helpers/fixtures.js';
import { pwshRuntimeEnv, requirePwsh } from './helpers/pwsh.js';

const formatFile = path.join(repoRoot, 'module', 'SupSync.Format.ps1xml');

interface XmlView {
  Name: string;
  TableControl: {
    TableHeaders: { TableColumnHeader: { Label: string; Width?: number; Alignment?: string }[] };
    TableRowEntries: { TableRowEntry: { TableColumnItems: { TableColumnItem: { PropertyName?: string; ScriptBlock?: string }[] } } };
  };
}

function xmlViews(): Map<string, XmlView> {
  const parsed = new XMLParser({ isArray: (name) => ['View', 'TableColumnHeader', 'TableColumnItem'].includes(name), parseTagValue: false }).parse(fs.readFileSync(formatFile, 'utf8')) as {
    Configuration: { ViewDefinitions: { View: XmlView[] } };
  };
  return new Map(parsed.Configuration.ViewDefinitions.View.map((v) => [v.Name, v]));
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Records of each viewed type with values that exercise every format, edges included. */
function sampleRecords(now: number): Record<string, unknown>[] {
  const start = now - (3 * 3600 + 20 * 60) * 1000;
  return [
    { type: 'SupSync.SyncRun', SiteCode: 'CS1', RunId: 12345, Trigger: 'manual', FullSync: true, StartTime: iso(start), EndTime: iso(start + 83_400), State: 'succeeded', New: 1_234_567, Revised: 0, Superseded: 2, Expired: 3, Removed: 999, CatalogVersion: 42, BytesFetched: 13_002_342 },
    { type: 'SupSync.SyncRun', SiteCode: 'CS1', RunId: 7, Trigger: 'parent', FullSync: false, StartTime: iso(start - 86_400_000 * 3), EndTime: null, State: 'interrupted', New: 0, Revised: 1000, Superseded: 0, Expired: 0, Removed: 0, CatalogVersion: 0, BytesFetched: 1023 },
    { type: 'SupSync.SyncRun', SiteCode: 'CS1', RunId: 8, Trigger: 'schedule', FullSync: false, StartTime: iso(start), EndTime: iso(start + 9_949), State: 'failed', New: 0, Revised: 0, Superseded: 0, Expired: 0, Removed: 0, CatalogVersion: 3, BytesFetched: 5_000_000_000 },
    { type: 'SupSync.SyncResult', SiteCode: 'PS1', State: 'NoChanges', FullSync: false, New: 0, Revised: 0, Superseded: 0, Expired: 0, Removed: 0, CatalogVersion: 9, DurationSeconds: 0.05, Error: null },
    { type: 'SupSync.SyncResult', SiteCode: 'PS1', State: 'Failed', FullSync: true, New: 12, Revised: 1, Superseded: 0, Expired: 0, Removed: 0, CatalogVersion: 9, DurationSeconds: 3599.6, Error: 'The upstream server did not answer' },
    { type: 'SupSync.SyncResult', SiteCode: 'SS1', State: 'Queued', FullSync: false, New: 0, Revised: 0, Superseded: 0, Expired: 0, Removed: 0, CatalogVersion: 9, DurationSeconds: 2 * 86400 + 5 * 3600 + 7, Error: null },
    { type: 'SupSync.SyncStatus', SiteCode: 'CS1', WSUSServerName: 'cs1.contoso.com', LastSyncState: 6703, LastSyncStateTime: iso(now + 12.5 * 60_000), LastSuccessfulSyncTime: null, SyncCatalogVersion: 12_000, CatalogVersionLag: null, Status: 'failed (upstream down)' },
    { type: 'SupSync.SyncStatus', SiteCode: 'PS1', WSUSServerName: 'ps1.contoso.com', LastSyncState: 6704, LastSyncStateTime: iso(now - 30.5 * 60_000), LastSuccessfulSyncTime: iso(start), SyncCatalogVersion: 11, CatalogVersionLag: 1, Status: 'running (updates, 45%)' },
    { type: 'SupSync.SyncPlan', Product: 'Windows 11', Classification: 'Security Updates', New: 1, Revised: 0, Superseded: 0, Expired: 0, Removed: 0, BytesToFetch: 1536000 },
    { type: 'SupSync.SyncPlan', Product: 'Office 2016', Classification: 'Updates', New: 0, Revised: 0, Superseded: 0, Expired: 0, Removed: 0, BytesToFetch: 512 },
    { type: 'SupSync.Site', SiteCode: 'CS1', Role: 'central', ParentSiteCode: null, TopLevel: true, ServerName: 'cs1.contoso.com', SyncSource: 'upstream' },
    { type: 'SupSync.Update', ArticleId: '5034441', Title: 'Security update', Classification: 'Security Updates', MsrcSeverity: 'Critical', CreationDate: iso(start), IsExpired: false },
    { type: 'SupSync.Schedule', ScheduleString: '0001200000100038', Description: 'Every Sunday', NextRun: '2026-12-13T02:00:00+01:00' },
  ];
}

describe('views: one definition for the CLI and the module', () => {
  it('keeps every default view within 120 columns, each heading within its column', () => {
    for (const [type, columns] of Object.entries(tableViews)) {
      expect(viewWidth(columns), type).to.be.at.most(maxViewWidth);
      for (const column of columns) if (column.width !== undefined) expect(columnLabel(column).length, `${type} ${columnLabel(column)}`).to.be.at.most(column.width);
    }
  });

  it('writes each view into SupSync.Format.ps1xml with its headings, widths, alignment and script blocks, and the CLI heads its tables the same', () => {
    const views = xmlViews();
    expect([...views.keys()]).to.deep.equal(Object.keys(tableViews));
    for (const [type, columns] of Object.entries(tableViews)) {
      const view = views.get(type)!;
      const headers = view.TableControl.TableHeaders.TableColumnHeader;
      expect(headers.map((h) => h.Label), type).to.deep.equal(columns.map(columnLabel));
      expect(headers.map((h) => (h.Width === undefined ? undefined : Number(h.Width))), type).to.deep.equal(columns.map((c) => c.width));
      expect(headers.map((h) => h.Alignment === 'Right'), type).to.deep.equal(columns.map((c) => Boolean(c.right)));
      const items = view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem;
      expect(items.map((i) => i.PropertyName ?? i.ScriptBlock), type).to.deep.equal(columns.map((c) => columnScript(c) ?? c.property));
      // The CLI's heading: each label in its column's width and alignment, one space apart.
      const heading = columns.map((c) => (c.right ? columnLabel(c).padStart(c.width ?? 0) : columnLabel(c).padEnd(c.width ?? 0))).join(' ').trimEnd();
      expect(renderTable(columns, []).split('\n')[0], type).to.equal(heading);
    }
  });

  it('formats counts, sizes, durations and ages by the stated rules', () => {
    expect(formatCell({ property: 'n', format: 'count' }, { n: 1_234_567 })).to.equal('1,234,567');
    expect(formatBytes(512)).to.equal('512 B');
    expect(formatBytes(13_002_342)).to.equal('12.4 MB');
    expect(formatDuration(83.4)).to.equal('1m 23s');
    expect(formatDuration(4.25)).to.equal('4.3s');
    expect(formatDuration(3599.6)).to.equal('1h 00m');
    expect(formatAge(new Date(Date.now() - 3 * 3600_000 - 60_000))).to.equal('3 h ago');
    expect(formatAge(new Date(Date.now() + 12.5 * 60_000))).to.equal('in 12 min');
    expect(formatCell({ property: 's', format: 'state' }, { s: 6702 })).to.equal('Succeeded');
    expect(formatCell({ property: 's', format: 'state' }, { s: 'NoChanges' })).to.equal('No changes');
  });
});

describe('views: the module shows the cells the CLI shows (pwsh)', function () {
  this.timeout(120_000);
  const zone = 'Pacific/Chatham'; // +12:45/+13:45: a local time no UTC slip can match by chance
  let savedZone: string | undefined;
  let now: number;
  let records: Record<string, unknown>[];
  /** What each part of the one pwsh run printed: the script blocks' cells, and Format-Table with the module imported. */
  let cells: string;
  let table: string;

  // One pwsh for both checks (a start costs about a second of CPU): each part prints between its markers.
  before(function () {
    const pwsh = requirePwsh(this, 'the Format.ps1xml views');
    savedZone = process.env.TZ;
    process.env.TZ = zone;
    now = Date.now();
    records = sampleRecords(now);
    const script = `
      $ErrorActionPreference = 'Stop'
      $xml = [xml](Get-Content -Raw -LiteralPath $env:FORMAT_FILE)
      $views = @{}
      foreach ($view in $xml.Configuration.ViewDefinitions.View) { $views[$view.Name] = @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem) }
      $json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($env:RECORDS))
      '@@CELLS@@'
      foreach ($kind in 'String', 'Default') {
        foreach ($line in $json -split "\\n") {
          $record = if ($kind -eq 'String') { ConvertFrom-Json -InputObject $line -DateKind String } else { ConvertFrom-Json -InputObject $line }
          $cells = foreach ($item in $views[$record.type]) {
            if ($item.ScriptBlock) { [string]($record | ForEach-Object ([scriptblock]::Create($item.ScriptBlock))) }
            else { [string]$record.($item.PropertyName) }
          }
          $kind + ' ' + (ConvertTo-Json -InputObject @($cells) -Compress)
        }
      }
      '@@TABLE@@'
      Import-Module $env:MODULE
      $runs = foreach ($line in $json -split "\\n") { $r = ConvertFrom-Json -InputObject $line; if ($r.type -eq 'SupSync.SyncRun') { $r.PSTypeNames.Insert(0, $r.type); $r } }
      $runs | Format-Table | Out-String -Width 200`;
    const env = { FORMAT_FILE: formatFile, MODULE: path.join(repoRoot, 'module', 'SupSync.psd1'), RECORDS: Buffer.from(records.map((r) => JSON.stringify(r)).join('\n')).toString('base64') };
    const result = spawnSync(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script], { encoding: 'utf8', env: { ...process.env, ...pwshRuntimeEnv, ...env, TZ: zone } });
    expect(result.status, result.stderr + result.stdout).to.equal(0);
    const [, afterCells] = result.stdout.split(/^@@CELLS@@\r?\n/m);
    [cells, table] = (afterCells ?? '').split(/^@@TABLE@@\r?\n/m) as [string, string];
    expect(table, result.stdout).to.be.a('string');
  });

  after(() => {
    if (savedZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedZone;
  });

  it('runs the script blocks of SupSync.Format.ps1xml on the records, dates as strings and as [datetime], and gets the CLI cells', () => {
    const lines = cells.trimEnd().split(/\r?\n/);
    expect(lines).to.have.length(records.length * 2);
    const expected = records.map((record) => JSON.stringify(tableViews[String(record.type)]!.map((column) => formatCell(column, record, now))));
    expect(lines.filter((l) => l.startsWith('String ')).map((l) => l.slice(7))).to.deep.equal(expected);
    expect(lines.filter((l) => l.startsWith('Default ')).map((l) => l.slice(8))).to.deep.equal(expected);
  });

  it('heads Format-Table with the CLI table heading, once the module is imported', () => {
    const runs = records.filter((r) => r.type === 'SupSync.SyncRun');
    const psLines = table.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => l.trimEnd());
    const cliLines = renderTable(tableViews['SupSync.SyncRun']!, runs as never[], { now }).split('\n');
    expect(psLines[0]).to.equal(cliLines[0]);
    // The rows carry the same cells (PowerShell underlines each heading only as wide as its text).
    expect(psLines.slice(2)).to.deep.equal(cliLines.slice(2));
  });
});
