/**
 * SupSync.Format.ps1xml: the default table views, made from the same definitions as the CLI's
 * tables (src/cli/views.ts), so Get-CMSoftwareUpdateSyncStatus and `supsync status` show the same
 * columns with the same headings, widths and values. A plain column shows its property; a
 * formatted one a script block doing what src/cli/human.ts does. Format script blocks cannot call
 * the module's private functions, so each carries its own small body. They take a value as a
 * string (Windows PowerShell 5.1's ConvertFrom-Json) or as a [datetime] (pwsh 7's, or the module's
 * own conversion) alike. Unlisted types fall back to PowerShell's default list or table.
 */
import { type ValueFormat, type ViewColumn, columnLabel, tableViews } from '../../src/cli/views.js';

export { tableViews };

const invariant = '[System.Globalization.CultureInfo]::InvariantCulture';

/** `$d`: the value `$v` as a UTC [datetime], or $null when it is none. */
const parseMoment = (v: string, d: string) =>
  `${d} = $null; if (${v} -is [datetime]) { ${d} = ${v}.ToUniversalTime() } elseif (${v} -is [datetimeoffset]) { ${d} = ${v}.UtcDateTime } elseif (${v} -is [string] -and ${v} -ne '') { $p = [datetime]::MinValue; if ([datetime]::TryParse(${v}, ${invariant}, [System.Globalization.DateTimeStyles]::RoundtripKind, [ref]$p)) { ${d} = $p.ToUniversalTime() } }`;

/** `$s` seconds as `4.2s`, `1m 23s`, … (formatDuration). */
const duration =
  "if ($s -lt 10) { $t = [math]::Floor($s * 10 + 0.5); '{0}.{1}s' -f [math]::Floor($t / 10), ($t - [math]::Floor($t / 10) * 10) } " +
  "else { $r = [long][math]::Floor($s + 0.5); if ($r -lt 60) { '{0}s' -f $r } elseif ($r -lt 3600) { '{0}m {1:00}s' -f [math]::Floor($r / 60), ($r % 60) } " +
  "elseif ($r -lt 86400) { '{0}h {1:00}m' -f [math]::Floor($r / 3600), [math]::Floor(($r % 3600) / 60) } else { '{0}d {1:00}h' -f [math]::Floor($r / 86400), [math]::Floor(($r % 86400) / 3600) } }";

const numeric = '($v -is [int] -or $v -is [long] -or $v -is [double] -or $v -is [decimal])';

/** The body of a format's script block; `$v` holds the value, `$_` the record. */
const formatBodies: Record<Exclude<ValueFormat, 'text'>, (column: ViewColumn) => string> = {
  count: () => `if (${numeric}) { ([double]$v).ToString('#,0', ${invariant}) } else { [string]$v }`,
  yesno: () => "if ($v -is [bool]) { if ($v) { 'Yes' } else { 'No' } } else { [string]$v }",
  state: () =>
    "$k = ([string]$v).ToLowerInvariant(); switch ($k) { '6701' { 'Running' } '6704' { 'Running' } '6705' { 'Running' } '6702' { 'Succeeded' } '6703' { 'Failed' } 'nochanges' { 'No changes' } '' { '' } default { $k.Substring(0, 1).ToUpperInvariant() + $k.Substring(1) } }",
  time: () => `${parseMoment('$v', '$d')}; if ($null -eq $d) { [string]$v } else { $d.ToLocalTime().ToString('yyyy-MM-dd HH:mm', ${invariant}) }`,
  age: () =>
    `${parseMoment('$v', '$d')}; if ($null -eq $d) { [string]$v } else { $n = [long][math]::Floor(([datetime]::UtcNow - $d).TotalSeconds + 0.5); $a = [math]::Abs($n); ` +
    "if ($a -lt 60) { $w = '{0} s' -f $a } elseif ($a -lt 3600) { $w = '{0} min' -f [math]::Floor($a / 60) } elseif ($a -lt 86400) { $w = '{0} h' -f [math]::Floor($a / 3600) } else { $w = '{0} d' -f [math]::Floor($a / 86400) }; " +
    "if ($n -ge 0) { $w + ' ago' } else { 'in ' + $w } }",
  seconds: () => `if (${numeric}) { $s = [double]$v; ${duration} } else { [string]$v }`,
  span: (column) => `${parseMoment('$v', '$d')}; $e = $_.'${column.end}'; ${parseMoment('$e', '$f')}; if ($null -eq $d -or $null -eq $f) { '' } else { $s = ($f - $d).TotalSeconds; ${duration} }`,
  bytes: () =>
    `if (${numeric}) { $b = [double]$v; if ($b -lt 1024) { '{0} B' -f $b } else { $u = 'KB', 'MB', 'GB', 'TB'; $i = -1; do { $b = $b / 1024; $i++ } while ($b -ge 1024 -and $i -lt 3); ` +
    "$t = [math]::Floor($b * 10 + 0.5); '{0}.{1} {2}' -f [math]::Floor($t / 10), ($t % 10), $u[$i] } } else { [string]$v }",
};

/** The script block text of a formatted column (what a test runs against the CLI's cells). */
export function columnScript(column: ViewColumn): string | undefined {
  if (!column.format || column.format === 'text') return undefined;
  return `$v = $_.'${column.property}'; if ($null -eq $v) { '' } else { ${formatBodies[column.format](column)} }`;
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export function renderFormat(header: string): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<!-- ${header} -->`, '<Configuration>', '  <ViewDefinitions>'];
  for (const [type, columns] of Object.entries(tableViews)) {
    lines.push('    <View>', `      <Name>${escapeXml(type)}</Name>`, `      <ViewSelectedBy><TypeName>${escapeXml(type)}</TypeName></ViewSelectedBy>`, '      <TableControl>', '        <TableHeaders>');
    for (const column of columns) {
      const parts = [`<Label>${escapeXml(columnLabel(column))}</Label>`];
      if (column.width !== undefined) parts.push(`<Width>${column.width}</Width>`);
      if (column.right) parts.push('<Alignment>Right</Alignment>');
      lines.push(`          <TableColumnHeader>${parts.join('')}</TableColumnHeader>`);
    }
    lines.push('        </TableHeaders>', '        <TableRowEntries>', '          <TableRowEntry>', '            <Wrap />', '            <TableColumnItems>');
    for (const column of columns) {
      const script = columnScript(column);
      const item = script === undefined ? `<PropertyName>${escapeXml(column.property)}</PropertyName>` : `<ScriptBlock>${escapeXml(script)}</ScriptBlock>`;
      lines.push(`              <TableColumnItem>${item}</TableColumnItem>`);
    }
    lines.push('            </TableColumnItems>', '          </TableRowEntry>', '        </TableRowEntries>', '      </TableControl>', '    </View>');
  }
  lines.push('  </ViewDefinitions>', '</Configuration>');
  return `${lines.join('\n')}\n`;
}
