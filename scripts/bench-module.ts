/**
 * `npm run bench` (module part): the SupSync module in pwsh 7 (printed, never asserted).
 * - Get-CMSoftwareUpdate over a 20,000-update site: objects/s through the pipeline, one host start;
 * - a 1,000-row Import-Csv | Import-UpdateFromCatalog -MetadataOnly against a loopback catalog: rows/s;
 * - tab completion of a product: the first Tab press (starts the host) and the next (cached).
 * Usage: node dist/scripts/bench-module.js [updates] [rows] [module.psd1] (default 20000 1000 and
 * this checkout's module; another module, e.g. an older commit's `git archive`, gives a before
 * figure on the same host and machine). Needs pwsh on PATH or in ~/.dotnet/tools.
 * The machine's load and pwsh's own CPU seconds per step are printed beside the wall-clock figures:
 * on a shared machine the wall clock says as much about the neighbours as about the module.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
/** The development entry point: the stand-in catalog (`catalog serve`) is not a product command. */
const devCli = path.join(repoRoot, 'dist', 'src', 'dev', 'main.js');
const updates = Number(process.argv[2] ?? 20000);
const rows = Number(process.argv[3] ?? 1000);
const manifest = path.resolve(process.argv[4] ?? path.join(repoRoot, 'module', 'SupSync.psd1'));
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

function pwshPath(): string | undefined {
  const onPath = spawnSync('which', ['pwsh'], { encoding: 'utf8' });
  if (onPath.status === 0) return onPath.stdout.trim();
  const tool = path.join(os.homedir(), '.dotnet', 'tools', 'pwsh');
  return fs.existsSync(tool) ? tool : undefined;
}

function host(home: string, args: string[]): string {
  const result = spawnSync(process.execPath, [cli, '--home', home, '--output', 'json', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`supsync ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

async function main(): Promise<void> {
  const pwsh = pwshPath();
  if (!pwsh) {
    console.log('bench-module: pwsh is not installed; skipped (dotnet tool install --global PowerShell --version 7.6.10)');
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'supsync-bench-module-'));
  const home = path.join(work, 'home');
  // The importing site lives in a home of its own: a hierarchy has one central site.
  const importHome = path.join(work, 'import-home');
  const corpus = path.join(work, 'corpus.pkg.gz');
  console.log(`bench-module: ${updates} updates, ${rows} CSV rows, module ${manifest}, in ${work}; ${os.cpus().length} cores, load average ${load()}`);
  host(home, ['site', 'add', '--code', 'CAT', '--role', 'central']);
  host(home, ['sup', 'set', '--site', 'CAT', '--sync-source', 'none']);
  host(home, ['corpus', 'generate', '--updates', String(updates), '--seed', 'bench-module', '--out', corpus]);
  host(home, ['metadata', 'import', '--site', 'CAT', '--path', corpus]);
  const ids = host(home, ['update', 'list', '--site', 'CAT', '--limit', String(rows)])
    .split('\n')
    .filter(Boolean)
    .map((line) => String((JSON.parse(line) as { UpdateId: string }).UpdateId));
  fs.writeFileSync(path.join(work, 'ids.csv'), `UpdateId\n${ids.join('\n')}\n`);
  host(importHome, ['site', 'add', '--code', 'CS1', '--role', 'central']);
  host(importHome, ['sup', 'set', '--site', 'CS1', '--sync-source', 'none']);

  const catalog = spawn(process.execPath, [devCli, '--home', home, '--output', 'json', 'catalog', 'serve', '--site', 'CAT'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      catalog.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(String((JSON.parse(out.split('\n')[0]!) as { Url: string }).Url));
      });
      catalog.on('exit', (code) => reject(new Error(`catalog serve exited with ${code}`)));
    });
    const script = path.join(work, 'bench.ps1');
    fs.writeFileSync(
      script,
      `$ErrorActionPreference = 'Stop'
Import-Module '${manifest.replace(/'/g, "''")}'
$me = [System.Diagnostics.Process]::GetCurrentProcess()
function Get-Cpu { $me.Refresh(); $me.TotalProcessorTime.TotalSeconds }
$cpu = Get-Cpu
$list = Measure-Command { $script:count = (Get-CMSoftwareUpdate -SiteCode CAT | Measure-Object).Count }
'LIST ' + $script:count + ' ' + $list.TotalSeconds + ' ' + ((Get-Cpu) - $cpu)
$env:SUPSYNC_HOME = $env:BENCH_IMPORT_HOME
$cpu = Get-Cpu
$import = Measure-Command { $script:results = @(Import-Csv '${path.join(work, 'ids.csv').replace(/'/g, "''")}' | Import-UpdateFromCatalog -SiteCode CS1 -MetadataOnly -CatalogUrl $env:BENCH_CATALOG -Confirm:$false -ErrorAction SilentlyContinue | Where-Object { $_.PSObject.TypeNames[0] -eq 'SupSync.CatalogImportResult' }) }
'IMPORT ' + $script:results.Count + ' ' + $import.TotalSeconds + ' ' + ((Get-Cpu) - $cpu)
$env:SUPSYNC_HOME = $env:BENCH_HOME
$line = 'Get-CMSoftwareUpdate -SiteCode CAT -Product Win'
$cold = Measure-Command { $script:first = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.Count }
$warm = Measure-Command { $script:second = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.Count }
'COMPLETE ' + $script:first + ' ' + $cold.TotalSeconds + ' ' + $warm.TotalSeconds
`,
    );
    const run = spawnSync(pwsh, ['-NoProfile', '-NonInteractive', '-File', script], {
      encoding: 'utf8',
      env: { ...process.env, SUPSYNC_HOME: home, BENCH_HOME: home, BENCH_IMPORT_HOME: importHome, SUPSYNC_NODE: process.execPath, SUPSYNC_HOST: cli, BENCH_CATALOG: url },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`pwsh failed (${run.status}): ${run.stderr}\n${run.stdout}`);
    const field = (name: string) => run.stdout.split('\n').find((l) => l.startsWith(`${name} `))!.split(' ').slice(1).map(Number);
    const [listed, listSeconds, listCpu] = field('LIST') as [number, number, number];
    const [imported, importSeconds, importCpu] = field('IMPORT') as [number, number, number];
    const [matches, cold, warm] = field('COMPLETE') as [number, number, number];
    console.log(`Get-CMSoftwareUpdate: ${listed} objects in ${listSeconds.toFixed(2)} s = ${Math.round(listed / listSeconds)} objects/s (target >= 5,000); pwsh CPU ${listCpu.toFixed(2)} s`);
    console.log(`Import-Csv | Import-UpdateFromCatalog -MetadataOnly: ${imported} rows in ${importSeconds.toFixed(2)} s = ${(imported / importSeconds).toFixed(1)} rows/s (target >= 50); pwsh CPU ${importCpu.toFixed(2)} s`);
    console.log(`Tab completion of a product (${matches} matches): first press ${Math.round(cold * 1000)} ms, next ${Math.round(warm * 1000)} ms (target < 300 ms)`);
    console.log(`bench-module: load average at the end ${load()}`);
  } finally {
    catalog.kill();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
