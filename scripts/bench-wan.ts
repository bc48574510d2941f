/**
 * `npm run bench:wan` (also part of `npm run bench`): syncs across a WAN, printed, never asserted.
 * The upstream (supsync's SUP endpoint serving a generated corpus, in this process) is reached
 * through the WAN shaper (src/dev/wan-shaper.ts, in a thread of its own: scripts/wan-shaper-thread.ts) at two profiles — RTT 80 ms and 100 Mbit/s, RTT
 * 200 ms and 20 Mbit/s — by a full sync and then a delta (~1% changed), once with the old fixed
 * four requests in flight (before) and once with the adaptive request window (after), each in its
 * own process. A loopback sync of the same corpus in the same run gives the CPU floor.
 *
 * Each run prints the wire bytes (gzip included) and round trips the shaper saw, the most requests
 * in flight, and the limit max(bytes ÷ bandwidth, round trips × RTT ÷ requests in flight) with the
 * run's bound on requests in flight, and the ratio of the time to it; and, as the CPU floor on a
 * shared machine, the ratio to the larger of that limit and the loopback sync's time in the same run.
 * Usage: [BENCH_WAN_BASE=<dist of an earlier build>] node dist/scripts/bench-wan.js [updates] [modes: base,before,after] [rtt]
 * (default 100000, every mode, both profiles).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostNodeOptions } from '../src/cli/node-options.js';
import { generateCorpus } from '../src/dev/corpus.js';
import type { WanProfile } from '../src/dev/wan-shaper.js';
import { writePackage } from '../src/package/file.js';
import { SupEndpoint } from '../src/server/sup-endpoint.js';
import { planSupChange, type SupChangeRequest } from '../src/model/sup-settings.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { type Home, temporaryHome } from '../src/store/home.js';
import { openSiteStore, withSiteStore } from '../src/store/site-store.js';
import { updateSiteControl } from '../src/store/site-file.js';
import { importPackage } from '../src/sync/import-package.js';
import type { Measurement } from './bench-measurement.js';
import { ShaperThread } from './wan-shaper-thread.js';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-run.js');

const profiles: (WanProfile & { name: string })[] = [
  { name: 'RTT 80 ms, 100 Mbit/s', rttMs: 80, bitsPerSecond: 100e6 },
  { name: 'RTT 200 ms, 20 Mbit/s', rttMs: 200, bitsPerSecond: 20e6 },
];
interface Mode {
  name: string;
  window: object;
  bound: number;
  /** The bench-run.js that syncs: this build's, or an earlier build's (BENCH_WAN_BASE). */
  runner: string;
}
const modes: Mode[] = [
  { name: 'before: fixed 4 in flight', window: { concurrency: 4, adaptiveConcurrency: false }, bound: 4, runner },
  { name: 'after: adaptive window', window: {}, bound: 16, runner },
];
// BENCH_WAN_BASE=<dist directory of an earlier build>: its sync beside this one's, in the same run
// against the same upstream (which change moved which figure).
const base = process.env.BENCH_WAN_BASE;
if (base) modes.unshift({ name: `base: the build in ${base}, adaptive window`, window: {}, bound: 16, runner: path.join(base, 'scripts', 'bench-run.js') });

interface WanRun {
  measurement: Measurement;
  bytesDown: number;
  bytesUp: number;
  connections: number;
  /** CPU time of this process (the upstream's endpoint and the shaper) during the run. */
  upstreamCpuSeconds: number;
  /** The downstream link's busy share of each second of the run. */
  utilization: number[];
  /** When the first GetUpdateData left the client and the last answer byte arrived (s from the run's start). */
  firstDataRequest: number | undefined;
  lastByte: number;
  /** Requests before the first GetUpdateData: action@seconds. */
  before: string[];
}

function setSup(home: Home, code: string, request: SupChangeRequest): void {
  const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
  updateSiteControl(home.sitePaths(code).controlFile, (site) => ({ ...site, sup: planSupChange(site, request, known).settings }));
}

async function measure(home: Home, code: string, window: object, syncRunner = runner): Promise<Measurement> {
  const args = [...hostNodeOptions, syncRunner, 'sync', home.root, code, JSON.stringify(window)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Measurement;
}

/** A top-level site syncing from `url` with everything selected (its categories synced first, unmeasured). */
async function addSite(home: Home, code: string, url: string, window: object): Promise<void> {
  applyAddSite(home, planAddSite(home, { code, role: 'primary' }));
  setSup(home, code, { syncSource: 'upstream', upstreamUrl: url });
  await measure(home, code, window);
  const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
  setSup(home, code, { addProduct: known.products.map((p) => p.id), addClassification: known.classifications.map((c) => c.id) });
}

async function shapedRun(home: Home, code: string, shaper: ShaperThread, mode: Mode): Promise<WanRun> {
  await shaper.reset();
  const cpu = process.cpuUsage();
  const measurement = await measure(home, code, mode.window, mode.runner);
  const used = process.cpuUsage(cpu);
  const seen = await shaper.read();
  const firstData = seen.requests.findIndex((r) => r.action === 'GetUpdateData');
  return {
    measurement,
    ...seen.counters,
    upstreamCpuSeconds: (used.user + used.system) / 1e6,
    utilization: seen.utilization,
    firstDataRequest: firstData < 0 ? undefined : seen.requests[firstData]!.atMs / 1000,
    lastByte: seen.lastDownMs / 1000,
    before: seen.requests.slice(0, firstData < 0 ? undefined : firstData).map((r) => `${r.action}@${(r.atMs / 1000).toFixed(2)}`),
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function report(profile: WanProfile, bound: number, run: WanRun, loopbackSeconds: number): string {
  const m = run.measurement;
  const fetch = m.fetch!;
  const roundTrips = fetch.httpRequests + run.connections;
  const bandwidthTerm = (Math.max(run.bytesDown, run.bytesUp) * 8) / profile.bitsPerSecond;
  const latencyTerm = (roundTrips * profile.rttMs) / 1000 / bound;
  const limit = Math.max(bandwidthTerm, latencyTerm);
  return [
    `${m.updates} updates in ${m.seconds.toFixed(1)} s`,
    `wire ${mb(run.bytesDown)} down / ${mb(run.bytesUp)} up (${mb(fetch.bytes)} of SOAP once decompressed)`,
    `${fetch.httpRequests} requests + ${run.connections} connections = ${roundTrips} round trips`,
    `least round trip measured ${fetch.roundTripMs ?? '-'} ms, ${fetch.gzippedAnswers ?? 'all large'} answers gzipped`,
    `in flight max ${fetch.maxInFlight} (window ${fetch.sizes.join('→')}, halved ${fetch.reductions}x)`,
    `limit max(${bandwidthTerm.toFixed(1)} s bytes/bw, ${latencyTerm.toFixed(2)} s RTTs/${bound}) = ${limit.toFixed(1)} s`,
    `ratio ${(m.seconds / limit).toFixed(2)}x; to max(limit, the loopback sync of this run) ${(m.seconds / Math.max(limit, loopbackSeconds)).toFixed(2)}x`,
    `first GetUpdateData sent at ${run.firstDataRequest?.toFixed(2) ?? '-'} s after ${run.before.length} requests (${run.before.join(' ')}), last byte in at ${run.lastByte.toFixed(2)} s`,
    `link busy per second (tenths, 9 = 90-100%): ${run.utilization.map((u) => Math.min(9, Math.floor(u * 10))).join('')}`,
    `CPU: sync ${m.cpuSeconds.toFixed(1)} s, upstream+shaper ${run.upstreamCpuSeconds.toFixed(1)} s; sync peak RSS ${m.peakRssMb.toFixed(0)} MB`,
  ].join('\n      ');
}

const size = Number(process.argv[2] ?? 100_000);
// One mode alone: the 100k runs take many minutes on a shared machine.
const only = process.argv[3]?.split(',');
const chosen = modes.filter((mode) => !only || only.some((prefix) => mode.name.startsWith(prefix)));
// One profile alone, by its RTT (e.g. 200).
const onlyRtt = process.argv[4] ? Number(process.argv[4]) : undefined;
const home = temporaryHome('supsync-bench-wan-');
try {
  console.log(`WAN sync, ${size} updates. Conditions: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start, ${new Date().toISOString()}`);
  applyAddSite(home, planAddSite(home, { code: 'UPS', role: 'primary' }));
  setSup(home, 'UPS', { syncSource: 'none', waitMonths: 99, waitMonthsForFeature: 99 });
  const header = { serverId: 'bench', creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: ['en'] };
  const corpus = async (generation: number) => {
    const file = path.join(home.root, `corpus-${generation}.pkg.gz`);
    await writePackage(file, header, generateCorpus({ updates: size, seed: 'bench', generation }));
    await importPackage(home, 'UPS', file);
  };
  await corpus(1);
  const upstreamStore = openSiteStore(home.sitePaths('UPS').database);
  const endpoint = await new SupEndpoint({ store: upstreamStore }).listen('127.0.0.1', 0);
  const upstream = { host: '127.0.0.1', port: Number(new URL(endpoint.url).port) };
  const shapers = await Promise.all(profiles.map((profile) => ShaperThread.start(upstream, profile)));
  try {
    await addSite(home, 'LB1', endpoint.url, {});
    if (base) await addSite(home, 'LB0', endpoint.url, {});
    const sites: { code: string; profile: number; mode: number }[] = [];
    for (const [p, profile] of profiles.entries()) {
      if (onlyRtt !== undefined && profile.rttMs !== onlyRtt) continue;
      for (const [w, mode] of modes.entries()) {
        if (!chosen.includes(mode)) continue;
        const code = `W${p}${w}`;
        await addSite(home, code, shapers[p]!.url, mode.window);
        sites.push({ code, profile: p, mode: w });
      }
    }
    for (const kind of ['full', 'delta'] as const) {
      if (kind === 'delta') await corpus(2);
      process.stderr.write(`${kind} syncs ...\n`);
      // The upstream's CPU (this process) during a loopback sync: gzip's cost shows there.
      const upstreamCpu = async (code: string, syncRunner: string) => {
        const cpu = process.cpuUsage();
        const measurement = await measure(home, code, {}, syncRunner);
        const used = process.cpuUsage(cpu);
        return { measurement, seconds: (used.user + used.system) / 1e6 };
      };
      if (base) {
        const { measurement: earlier, seconds } = await upstreamCpu('LB0', modes[0]!.runner);
        console.log(`${kind}, loopback, ${modes[0]!.name}: ${earlier.updates} updates in ${earlier.seconds.toFixed(1)} s, sync CPU ${earlier.cpuSeconds.toFixed(1)} s, upstream CPU ${seconds.toFixed(1)} s, ${earlier.fetch?.gzippedAnswers ?? 'all large'} answers gzipped`);
      }
      const { measurement: loopback, seconds } = await upstreamCpu('LB1', runner);
      console.log(`${kind}, loopback (no shaping, the CPU floor): ${loopback.updates} updates in ${loopback.seconds.toFixed(1)} s, sync CPU ${loopback.cpuSeconds.toFixed(1)} s, upstream CPU ${seconds.toFixed(1)} s, peak RSS ${loopback.peakRssMb.toFixed(0)} MB, ${loopback.fetch?.gzippedAnswers} answers gzipped (least round trip ${loopback.fetch?.roundTripMs} ms)`);
      for (const site of sites) {
        const profile = profiles[site.profile]!;
        const mode = modes[site.mode]!;
        const run = await shapedRun(home, site.code, shapers[site.profile]!, mode);
        console.log(`${kind}, ${profile.name}, ${mode.name}:\n      ${report(profile, mode.bound, run, loopback.seconds)}`);
      }
    }
    console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    for (const shaper of shapers) await shaper.close();
    await endpoint.close();
    upstreamStore.close();
  }
} finally {
  fs.rmSync(home.root, { recursive: true, force: true });
}
