/**
 * `npm run bench`: synchronization figures on a loopback upstream (printed, never asserted).
 * For each corpus size: the parse-only baseline (download and parse the same SOAP bytes, store
 * nothing), a full sync, a delta sync with ~1% changed, and a child's sync from its parent. Each
 * measurement runs in its own process, started as every launcher starts the host (hostNodeOptions),
 * so its peak RSS is its own; the upstream is served from this process, started afresh on the same
 * port before the baseline and before the full sync, so that both fetch from a cold upstream that
 * encodes every answer (with one endpoint for both, the full sync was served what the baseline's
 * requests left in its encoded-entry cache: all of it at 20,000 updates, none at 100,000). Then the largest
 * selections: 32,000 driver updates (the Drivers classification) and 20,000 updates that each carry
 * 40 languages of localized properties, whose full sync's peak RSS is set against the 20,000 figure.
 * Usage: node dist/scripts/bench.js [sizes...] [largest] (default: 20000 100000 and largest).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostNodeOptions } from '../src/cli/node-options.js';
import { type CorpusOptions, generateCorpus } from '../src/dev/corpus.js';
import { writePackage } from '../src/package/file.js';
import { SupEndpoint } from '../src/server/sup-endpoint.js';
import { planSupChange } from '../src/model/sup-settings.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { type Home, temporaryHome } from '../src/store/home.js';
import { openSiteStore, withSiteStore } from '../src/store/site-store.js';
import { updateSiteControl } from '../src/store/site-file.js';
import type { SupChangeRequest } from '../src/model/sup-settings.js';
import { importPackage } from '../src/sync/import-package.js';
import type { Measurement } from './bench-measurement.js';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-run.js');

function setSup(home: Home, code: string, request: SupChangeRequest): void {
  const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
  updateSiteControl(home.sitePaths(code).controlFile, (site) => ({ ...site, sup: planSupChange(site, request, known).settings }));
}

/** A measurement, with the CPU this process spent meanwhile: serving the upstream; a sync's, with the size of its site.db after it. */
type Figure = Measurement & { upstreamCpuSeconds: number; siteDbBytes?: number };

/**
 * BENCH_DELTA_AGAINST=<another build's dist directory>: the delta is measured again from the same
 * stored state, alternating that build's runner with this one's (BENCH_DELTA_ROUNDS rounds, 5 by
 * default), so that a change's effect on the delta is seen within one run on a noisy machine.
 */
const deltaAgainst = process.env.BENCH_DELTA_AGAINST ? path.resolve(process.env.BENCH_DELTA_AGAINST, 'scripts', 'bench-run.js') : undefined;
const deltaRounds = Number(process.env.BENCH_DELTA_ROUNDS ?? 5);
const fullRounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));

/** Runs a measurement in its own process; asynchronously, since the upstream is served from this one. */
async function measure(scenario: string, home: Home, ...args: string[]): Promise<Figure> {
  return measureWith(runner, scenario, home, ...args);
}

async function measureWith(entry: string, scenario: string, home: Home, ...args: string[]): Promise<Figure> {
  const before = process.cpuUsage();
  // BENCH_NODE_ARGS: extra Node options for the measured processes (e.g. --cpu-prof), for profiling.
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const { stdout } = await promisify(execFile)(process.execPath, [...hostNodeOptions, ...extra, entry, scenario, home.root, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const served = process.cpuUsage(before);
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as Measurement), upstreamCpuSeconds: (served.user + served.system) / 1e6 };
}

type CorpusShape = Pick<CorpusOptions, 'classification' | 'localizedLanguages'>;

/** Baseline, full, child and delta syncs of a corpus; only baseline and full with `fullOnly`. */
async function benchSize(updates: number, shape: CorpusShape = {}, fullOnly = false): Promise<Record<string, Figure>> {
  const home = temporaryHome('supsync-bench-');
  try {
    applyAddSite(home, planAddSite(home, { code: 'UPS', role: 'primary' }));
    setSup(home, 'UPS', { syncSource: 'none', waitMonths: 99, waitMonthsForFeature: 99 });
    const header = { serverId: 'bench', creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: ['en'] };
    const first = path.join(home.root, 'corpus-1.pkg.gz');
    await writePackage(first, header, generateCorpus({ updates, seed: 'bench', generation: 1, ...shape }));
    await importPackage(home, 'UPS', first);
    const upstreamStore = openSiteStore(home.sitePaths('UPS').database);
    let endpoint = await new SupEndpoint({ store: upstreamStore }).listen('127.0.0.1', 0);
    const port = Number(new URL(endpoint.url).port);
    /** The upstream again with nothing encoded yet, at the URL the sites know (anchors are kept by it). */
    const coldUpstream = async () => {
      await endpoint.close();
      endpoint = await new SupEndpoint({ store: upstreamStore }).listen('127.0.0.1', port);
    };
    try {
      applyAddSite(home, planAddSite(home, { code: 'CS1', role: 'central' }));
      setSup(home, 'CS1', { syncSource: 'upstream', upstreamUrl: endpoint.url });
      applyAddSite(home, planAddSite(home, { code: 'PS1', role: 'primary', parent: 'CS1' }));
      await measure('sync', home, 'CS1'); // categories only: nothing selected yet
      const known = withSiteStore(home.sitePaths('CS1').database, (store) => store.categories.known());
      setSup(home, 'CS1', { addProduct: known.products.map((p) => p.id), addClassification: known.classifications.map((c) => c.id) });
      const figures: Record<string, Figure> = {};
      // BENCH_ROUNDS > 1: baseline and full sync again from the same stored state, alternating, and
      // the median ratio kept: on a shared machine one pair's ratio moves by a tenth between runs.
      const site = path.dirname(home.sitePaths('CS1').database);
      const beforeFull = `${site}.before-full`;
      if (fullRounds > 1) fs.cpSync(site, beforeFull, { recursive: true });
      const pairs: { baseline: Figure; full: Figure }[] = [];
      for (let round = 0; round < fullRounds; round++) {
        if (round > 0) {
          fs.rmSync(site, { recursive: true, force: true });
          fs.cpSync(beforeFull, site, { recursive: true });
        }
        await coldUpstream();
        const baseline = await measure('parse-only', home, endpoint.url);
        await coldUpstream();
        const full = { ...(await measure('sync', home, 'CS1')), siteDbBytes: fs.statSync(home.sitePaths('CS1').database).size };
        pairs.push({ baseline, full });
      }
      if (fullRounds > 1) {
        console.log(`  ${updates} updates, ${fullRounds} rounds of baseline then full sync: full / baseline time ${pairs.map((p) => `${(p.full.seconds / p.baseline.seconds).toFixed(2)} (${p.full.seconds.toFixed(1)} s / ${p.baseline.seconds.toFixed(1)} s, CPU ${p.full.cpuSeconds.toFixed(1)} + ${p.full.upstreamCpuSeconds.toFixed(1)} / ${p.baseline.cpuSeconds.toFixed(1)} + ${p.baseline.upstreamCpuSeconds.toFixed(1)} s)`).join(', ')}`);
        fs.rmSync(beforeFull, { recursive: true, force: true });
      }
      // The pair with the median ratio; the site keeps the last round's sync (the child and delta start from it).
      const median = [...pairs].sort((a, b) => a.full.seconds / a.baseline.seconds - b.full.seconds / b.baseline.seconds)[pairs.length >> 1]!;
      figures.baseline = median.baseline;
      figures.full = median.full;
      if (fullOnly) return figures;
      figures.child = await measure('sync', home, 'PS1');
      const second = path.join(home.root, 'corpus-2.pkg.gz');
      await writePackage(second, header, generateCorpus({ updates, seed: 'bench', generation: 2, ...shape }));
      await importPackage(home, 'UPS', second);
      if (deltaAgainst) await compareDeltas(home, figures);
      else figures.delta = await measure('sync', home, 'CS1');
      return figures;
    } finally {
      await endpoint.close();
      upstreamStore.close();
    }
  } finally {
    fs.rmSync(home.root, { recursive: true, force: true });
  }
}

/** The delta from one stored state, this build and the other alternating; the figure kept is this build's median. */
async function compareDeltas(home: Home, figures: Record<string, Figure>): Promise<void> {
  const site = path.dirname(home.sitePaths('CS1').database);
  const saved = `${site}.before-delta`;
  fs.cpSync(site, saved, { recursive: true });
  const runs: Record<'this' | 'other', Figure[]> = { this: [], other: [] };
  for (let round = 0; round < deltaRounds; round++) {
    for (const build of round % 2 === 0 ? (['other', 'this'] as const) : (['this', 'other'] as const)) {
      fs.rmSync(site, { recursive: true, force: true });
      fs.cpSync(saved, site, { recursive: true });
      runs[build].push(await measureWith(build === 'this' ? runner : deltaAgainst!, 'sync', home, 'CS1'));
    }
  }
  const median = (list: Figure[]) => [...list].sort((a, b) => a.cpuSeconds - b.cpuSeconds)[list.length >> 1]!;
  for (const build of ['other', 'this'] as const) {
    const list = runs[build];
    console.log(`  delta (${build === 'this' ? 'this build' : deltaAgainst}): CPU ${list.map((m) => m.cpuSeconds.toFixed(2)).join(' ')} s, wall ${list.map((m) => m.seconds.toFixed(2)).join(' ')} s; median CPU ${median(list).cpuSeconds.toFixed(2)} s`);
  }
  figures.delta = median(runs.this);
}

const args = process.argv.slice(2);
const sizes = args.map(Number).filter((n) => n > 0);
const largest = args.includes('largest') || args.length === 0;
const line = (name: string, m: Figure) =>
  `  ${name.padEnd(9)} ${String(m.updates).padStart(7)} updates  ${m.seconds.toFixed(1).padStart(6)} s  ${Math.round(m.updates / m.seconds).toString().padStart(6)} updates/s  peak RSS ${m.peakRssMb.toFixed(0)} MB  CPU ${m.cpuSeconds.toFixed(1)} s (${((m.cpuSeconds * 1e6) / Math.max(1, m.updates)).toFixed(0)} µs/update)  upstream CPU ${m.upstreamCpuSeconds.toFixed(1)} s`;
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const results: Record<number, Record<string, Figure>> = {};
// The largest selections are set against the 20,000-update full sync, so that runs with them.
const runSizes = args.length === 0 ? [20_000, 100_000] : [...new Set([...sizes, ...(largest ? [20_000] : [])])];
for (const size of runSizes) {
  process.stderr.write(`benchmarking ${size} updates ...\n`);
  results[size] = await benchSize(size);
  const f = results[size]!;
  console.log(`${size} updates:`);
  for (const [name, m] of Object.entries(f)) console.log(line(name, m));
  console.log(`  full / baseline time: ${(f.full!.seconds / f.baseline!.seconds).toFixed(2)}x (target <= 1.2)`);
  // Both ends share the machine's cores: the CPU of the sync and its upstream together is the steadier ratio.
  const cpu = (m: Figure) => m.cpuSeconds + m.upstreamCpuSeconds;
  console.log(`  full / baseline CPU, with the upstream's: ${(cpu(f.full!) / cpu(f.baseline!)).toFixed(2)}x; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  site.db after the full sync: ${f.full!.siteDbBytes} bytes, ${Math.round(f.full!.siteDbBytes! / f.full!.updates)} bytes/update`);
  console.log(`  delta / full time:    ${((f.delta!.seconds / f.full!.seconds) * 100).toFixed(1)}% (target <= 5%)`);
  console.log(`  child / full time:    ${(f.child!.seconds / f.full!.seconds).toFixed(2)}x (target <= 1.2)`);
}
if (results[20_000] && results[100_000]) {
  console.log(`peak RSS 100k / 20k: ${(results[100_000]!.full!.peakRssMb / results[20_000]!.full!.peakRssMb).toFixed(2)}x (target <= 1.3; <= 300 MB at 100k)`);
}
if (largest) {
  const reference = results[20_000]!.full!;
  for (const [name, updates, shape] of [
    ['Drivers classification', 32_000, { classification: 'Drivers' }],
    ['40 languages each', 20_000, { localizedLanguages: 40 }],
  ] as const) {
    process.stderr.write(`benchmarking ${name} ...\n`);
    const f = await benchSize(updates, shape, true);
    console.log(`largest selection, ${name} (${updates} updates):`);
    for (const [scenario, m] of Object.entries(f)) console.log(line(scenario, m));
    console.log(`  full / baseline time: ${(f.full!.seconds / f.baseline!.seconds).toFixed(2)}x; peak RSS / the 20,000-update full sync: ${(f.full!.peakRssMb / reference.peakRssMb).toFixed(2)}x (target <= 1.3)`);
  }
}
console.log(`load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
