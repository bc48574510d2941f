/**
 * Catalog import throughput and memory: batches of update IDs imported metadata-only into a
 * top-level site, against local servers on loopback — an upstream SUP endpoint and a local
 * catalog, both serving an upstream site seeded from a generated corpus. Two paths:
 *   upstream  the site syncs from the upstream: one GetUpdateData per ID (revision from the list)
 *   catalog   the site's sync source is none: one details page per ID, stored as built documents
 * Each import is `supsync catalog import` as a child process of the built CLI, so the figures are
 * the import's own: its peak RSS, and its largest live heap (sampled after a forced GC once a
 * second), which is what stays flat when nothing is retained per ID; 250 and 1,000 IDs show
 * whether memory grows with the batch (peak RSS also reflects how lazily V8 collects).
 *
 * Run: npm run build && npx tsx scripts/bench-catalog.ts [ids...]   (default 250 1000),
 * or compiled: node dist/scripts/bench-catalog.js [ids...]
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { CatalogServer } from '../src/dev/catalog-server.js';
import { SupEndpoint } from '../src/server/sup-endpoint.js';
import { openSiteStore } from '../src/store/site-store.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Run with tsx from scripts/, or compiled from dist/scripts/: the CLI measured is the built one either way.
const cli = import.meta.url.endsWith('.ts') ? path.join(here, '..', 'dist', 'src', 'cli', 'main.js') : path.join(here, '..', 'src', 'cli', 'main.js');
const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
const batches = sizes.length > 0 ? sizes : [250, 1000];
const corpusUpdates = Math.max(...batches) + 200;
/** A child measures itself: the live heap after a forced GC each second, the peak RSS (KiB) on exit. */
const memoryHook =
  'data:text/javascript,let live=0;setInterval(()=>{globalThis.gc();live=Math.max(live,process.memoryUsage().heapUsed)},1000).unref();' +
  'process.on("exit",()=>{globalThis.gc();live=Math.max(live,process.memoryUsage().heapUsed);process.stderr.write("\\nmaxrss "+process.resourceUsage().maxRSS+" live "+live+"\\n")})';

if (!fs.existsSync(cli)) {
  console.error(`Build first (npm run build): ${cli} is missing`);
  process.exit(1);
}
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'supsync-bench-catalog-'));
// Asynchronous: the servers the commands talk to run in this process.
const run = async (args: string[]) => (await promisify(execFile)(process.execPath, [cli, '--home', home, '--output', 'json', ...args])).stdout;

interface Row {
  path: 'upstream' | 'catalog';
  ids: number;
  wallSeconds: number;
  importSeconds: number;
  idsPerSecond: number;
  peakRssMiB: number;
  liveHeapMiB: number;
  imported: number;
  failed: number;
}

function importBatch(code: string, file: string, catalogUrl: string): Promise<{ wallMs: number; maxRssKiB: number; liveBytes: number; summary: Record<string, number> }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', memoryHook, cli, '--home', home, '--output', 'json', 'catalog', 'import', '--site', code, '--path', file, '--metadata-only', '--catalog-url', catalogUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (exit) => {
      const summary = out.split('\n').find((l) => l.includes('SupSync.CatalogImportSummary'));
      const memory = /maxrss (\d+) live (\d+)/.exec(err);
      if (!summary || !memory) return reject(new Error(`import exited with ${exit}: ${err.slice(-2000)}`));
      resolve({ wallMs: Date.now() - started, maxRssKiB: Number(memory[1]), liveBytes: Number(memory[2]), summary: JSON.parse(summary) as Record<string, number> });
    }),
  );
}

async function main(): Promise<void> {
  console.log(`Setting up: an upstream site with ${corpusUpdates} generated updates in ${home}`);
  await run(['site', 'add', '--code', 'UPS', '--role', 'primary', '--server-name', 'ups.bench']);
  await run(['sup', 'set', '--site', 'UPS', '--sync-source', 'none', '--wait-months', '99', '--wait-months-for-feature', '99']);
  const corpus = path.join(home, 'corpus.pkg.gz');
  await run(['corpus', 'generate', '--updates', String(corpusUpdates), '--seed', 'bench-catalog', '--out', corpus]);
  await run(['metadata', 'import', '--site', 'UPS', '--path', corpus]);

  const store = openSiteStore(path.join(home, 'sites', 'UPS', 'site.db'));
  const endpoint = await new SupEndpoint({ store }).listen('127.0.0.1', 0);
  const catalog = await new CatalogServer({ store }).listen('127.0.0.1', 0);
  const reader = new Database(path.join(home, 'sites', 'UPS', 'site.db'), { readonly: true });
  const allIds = reader.prepare('SELECT update_id FROM updates ORDER BY update_id').pluck().all() as string[];
  reader.close();

  const rows: Row[] = [];
  try {
    for (const kind of ['upstream', 'catalog'] as const) {
      for (const [index, size] of batches.entries()) {
        const code = `${kind === 'upstream' ? 'U' : 'C'}${String(index).padStart(2, '0')}`;
        await run(['site', 'add', '--code', code, '--role', 'primary', '--server-name', `${code.toLowerCase()}.bench`]);
        if (kind === 'upstream') {
          await run(['sup', 'set', '--site', code, '--sync-source', 'upstream', '--upstream-url', endpoint.url]);
          await run(['sync', '--site', code]); // categories only: no products selected, so every update is outside the selection
        } else {
          await run(['sup', 'set', '--site', code, '--sync-source', 'none']);
        }
        const file = path.join(home, `${code}.txt`);
        fs.writeFileSync(file, `${allIds.slice(0, size).join('\n')}\n`);
        const result = await importBatch(code, file, catalog.url);
        const seconds = result.summary.DurationSeconds!;
        rows.push({
          path: kind,
          ids: size,
          wallSeconds: Math.round(result.wallMs / 100) / 10,
          importSeconds: seconds,
          idsPerSecond: Math.round(size / seconds),
          peakRssMiB: Math.round(result.maxRssKiB / 1024),
          liveHeapMiB: Math.round(result.liveBytes / 1048576),
          imported: result.summary.Imported!,
          failed: result.summary.Failed! + result.summary.NotFound! + result.summary.Invalid!,
        });
        console.log(JSON.stringify(rows[rows.length - 1]));
      }
    }
  } finally {
    await catalog.close();
    await endpoint.close();
    store.close();
  }
  console.table(rows);
  const slowest = Math.min(...rows.map((r) => r.idsPerSecond));
  console.log(`Slowest path: ${slowest} IDs/s (target >= 50). Memory by batch size (peak RSS / live heap): ${rows.map((r) => `${r.path} ${r.ids}: ${r.peakRssMiB} / ${r.liveHeapMiB} MiB`).join(', ')}`);
  fs.rmSync(home, { recursive: true, force: true });
}

await main();
