/**
 * `npm run bench` fan-out figures (printed, never asserted): one parent's SUP endpoint (`supsync
 * serve`, its own process) serving N child sites — real `supsync sync` processes, each in its own
 * home — that all start a full sync at once, with the cascade's random stagger (0–500 ms before
 * each child) and without. Prints updates/s served in aggregate, the endpoint's GetUpdateData
 * times (p50/p99, from its own request log), its event-loop delay, CPU and peak RSS (from
 * scripts/bench-probe.ts preloaded into it), and each child's outcome. Connections the endpoint
 * refused are counted from its log (a child retries those).
 * With `probe`, each child is instead the parse-only probe of scripts/bench-run.ts: it lists and
 * fetches every update and reads the answers in one thread, storing nothing (no parse worker, no
 * deflate, no database), so the aggregate shows what lighter children would get from the parent.
 * With `fetch`, each child is the fetch-only probe (scripts/bench-fetch-probe.ts): the same
 * requests, its answers counted but not read, so the parent is what the two cores run out of: a
 * capacity measure of the parent, not of a child.
 * With `synced`, the parent holds what a sync brought it (a full sync from an upstream site that
 * imported the corpus, served from this process), as a central site that synced from Microsoft
 * Update does: the update XML as the cabinets the wire carried. Without it the parent imports the
 * corpus package itself (the disconnected path), and keeps the XML deflated.
 * Usage: node dist/scripts/bench-fanout.js [updates=20000] [children=25] [probe|fetch] [synced]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hostNodeOptions } from '../src/cli/node-options.js';
import { generateCorpus } from '../src/dev/corpus.js';
import { planSupChange, type SupChangeRequest } from '../src/model/sup-settings.js';
import { writePackage } from '../src/package/file.js';
import { Home, temporaryHome } from '../src/store/home.js';
import { updateSiteControl } from '../src/store/site-file.js';
import { openSiteStore, withSiteStore } from '../src/store/site-store.js';
import { SupEndpoint } from '../src/server/sup-endpoint.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { importPackage } from '../src/sync/import-package.js';
import { syncSite } from '../src/sync/engine.js';
import type { ProbeFigures } from './bench-probe.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const main = path.join(here, '..', 'src', 'cli', 'main.js');
const probe = path.join(here, 'bench-probe.js');
const runner = path.join(here, 'bench-run.js');
const fetchProbe = path.join(here, 'bench-fetch-probe.js');

/** What each child is: a real `supsync sync`, the parse-only probe, or the fetch-only probe. */
type ChildKind = 'sync' | 'probe' | 'fetch';

function setSup(home: Home, code: string, request: SupChangeRequest): void {
  const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
  updateSiteControl(home.sitePaths(code).controlFile, (site) => ({ ...site, sup: planSupChange(site, request, known).settings }));
}

export interface FanOutFigures {
  scenario: string;
  children: number;
  succeeded: number;
  updatesServed: number;
  seconds: number;
  childSeconds: { min: number; max: number };
  /** All children's CPU time (user + system, all threads). */
  childCpuSeconds: number;
  getUpdateDataMs: { count: number; p50: number; p99: number; max: number };
  getRevisionIdListMs: { count: number; max: number };
  refusedConnections: number;
  parent: ProbeFigures;
  /** 1, 5 and 15 minute load average as the scenario ended. */
  loadAverage: number[];
  /** Real children: requests and gzipped answers in all, and how many children got any answer gzipped. */
  links?: { requests: number; gzipped: number; gzipChildren: number; roundTripMs: number[] };
}

interface Parent {
  process: ChildProcess;
  url: string;
  requests: { operation: string; status: number; ms: number }[];
  exited: Promise<void>;
}

/** `supsync serve` of the parent site with the probe preloaded; resolves once it prints its URL. */
async function startParent(home: Home, code: string, probeFile: string): Promise<Parent> {
  // BENCH_PARENT_NODE_ARGS: extra Node options for the parent alone (e.g. --cpu-prof), for profiling.
  const extra = process.env.BENCH_PARENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...hostNodeOptions, ...extra, '--import', probe, main, 'serve', '--site', code, '--port', '0', '--home', home.root], {
    env: { ...process.env, SUPSYNC_BENCH_PROBE: probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const requests: Parent['requests'] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    const m = /^\S+ (\w+) (\d+) (\d+) ms$/.exec(line);
    if (m) requests.push({ operation: m[1]!, status: Number(m[2]), ms: Number(m[3]) });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { Url: string }).Url));
    child.once('exit', (code) => reject(new Error(`supsync serve exited with ${code}`)));
  });
  return { process: child, url, requests, exited };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

/**
 * What a real child's sync log says of its link: its requests, the least round trip it measured and
 * how many answers came gzipped (a child asks for gzip when that round trip is 10 ms or more, as
 * a busy parent on a loaded machine can make loopback seem).
 */
function childLink(homeDir: string): { requests: number; roundTripMs: number; gzipped: number } | undefined {
  const logs = fs.readdirSync(homeDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log'));
  for (const file of logs) {
    const m = /sync: (\d+) request\(s\) to the upstream.*round trip (\d+) ms or less, (\d+) answer\(s\) gzipped/.exec(fs.readFileSync(path.join(homeDir, file), 'utf8').split('\n').reverse().join('\n'));
    if (m) return { requests: Number(m[1]), roundTripMs: Number(m[2]), gzipped: Number(m[3]) };
  }
  return undefined;
}

/** One child's full sync (or a probe's fetch of the parent's updates) as its own process; its time, CPU and exit status. */
function runChild(homeDir: string, code: string, delayMs: number, kind: ChildKind, url: string): Promise<{ status: number; seconds: number; cpuSeconds: number; stderr: string; link?: ReturnType<typeof childLink> }> {
  return new Promise((resolve) => {
    setTimeout(() => {
      const started = performance.now();
      const args = kind === 'probe' ? [runner, 'parse-only', homeDir, url] : kind === 'fetch' ? [fetchProbe, url] : [main, 'sync', '--site', code, '--home', homeDir];
      const child = spawn(process.execPath, [...hostNodeOptions, '--import', probe, ...args], {
        env: { ...process.env, SUPSYNC_BENCH_PROBE: path.join(homeDir, 'probe.json') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
      child.once('exit', (status) => {
        const figures = fs.existsSync(path.join(homeDir, 'probe.json')) ? (JSON.parse(fs.readFileSync(path.join(homeDir, 'probe.json'), 'utf8')) as ProbeFigures) : undefined;
        resolve({ status: status ?? -1, seconds: (performance.now() - started) / 1000, cpuSeconds: figures?.cpuSeconds ?? 0, stderr, ...(kind === 'sync' ? { link: childLink(homeDir) } : {}) });
      });
    }, delayMs);
  });
}

async function fanOut(updates: number, children: number, kind: ChildKind): Promise<FanOutFigures[]> {
  const home = temporaryHome('supsync-fanout-');
  const childTemplate = temporaryHome('supsync-fanout-child-');
  const childHomes: string[] = [];
  try {
    applyAddSite(home, planAddSite(home, { code: 'PAR', role: 'central' }));
    setSup(home, 'PAR', { syncSource: 'none', waitMonths: 99, waitMonthsForFeature: 99 });
    const header = { serverId: 'bench', creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: ['en'] };
    const pkg = path.join(home.root, 'corpus.pkg.gz');
    await writePackage(pkg, header, generateCorpus({ updates, seed: 'bench', generation: 1 }));
    if (synced) await syncFromUpstream(home, 'PAR', pkg);
    else await importPackage(home, 'PAR', pkg);

    const out: FanOutFigures[] = [];
    for (const [scenario, staggerMs] of [['stagger off', 0], ['stagger on (0-500 ms)', 500]] as const) {
      const probeFile = path.join(home.root, `probe-${out.length}.json`);
      const parent = await startParent(home, 'PAR', probeFile);
      try {
        if (out.length === 0) {
          // One child home with every product and classification selected, copied for each child.
          applyAddSite(childTemplate, planAddSite(childTemplate, { code: 'CHD', role: 'primary' }));
          setSup(childTemplate, 'CHD', { syncSource: 'upstream', upstreamUrl: parent.url, waitMonths: 99, waitMonthsForFeature: 99 });
          const [categories] = await syncSite(childTemplate, 'CHD', { trigger: 'manual' });
          if (categories!.state === 'Failed') throw categories!.error;
          const known = withSiteStore(childTemplate.sitePaths('CHD').database, (store) => store.categories.known());
          setSup(childTemplate, 'CHD', { addProduct: known.products.map((p) => p.id), addClassification: known.classifications.map((c) => c.id) });
        }
        for (const dir of childHomes.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
        for (let i = 0; i < children; i++) {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supsync-fanout-c-'));
          fs.cpSync(childTemplate.root, dir, { recursive: true });
          setSup(new Home(dir), 'CHD', { upstreamUrl: parent.url });
          childHomes.push(dir);
        }
        parent.requests.length = 0;
        // From here the parent's CPU is serving (its start-up and the template's category sync before).
        parent.process.kill('SIGUSR2');
        const started = performance.now();
        const results = await Promise.all(childHomes.map((dir) => runChild(dir, 'CHD', Math.random() * staggerMs, kind, parent.url)));
        const seconds = (performance.now() - started) / 1000;
        for (const r of results) if (r.status !== 0) process.stderr.write(`a child failed (exit ${r.status}): ${r.stderr}\n`);
        const succeeded = results.filter((r) => r.status === 0).length;
        const data = parent.requests.filter((r) => r.operation === 'GetUpdateData' && r.status === 200).map((r) => r.ms).sort((a, b) => a - b);
        const lists = parent.requests.filter((r) => r.operation === 'GetRevisionIdList').map((r) => r.ms);
        parent.process.kill('SIGINT');
        await parent.exited;
        out.push({
          scenario,
          children,
          succeeded,
          updatesServed: succeeded * updates,
          seconds,
          childSeconds: { min: Math.min(...results.map((r) => r.seconds)), max: Math.max(...results.map((r) => r.seconds)) },
          childCpuSeconds: results.reduce((sum, r) => sum + r.cpuSeconds, 0),
          getUpdateDataMs: { count: data.length, p50: percentile(data, 50), p99: percentile(data, 99), max: data[data.length - 1] ?? 0 },
          getRevisionIdListMs: { count: lists.length, max: Math.max(0, ...lists) },
          refusedConnections: parent.requests.filter((r) => r.operation === 'ConnectionRefused').length,
          parent: JSON.parse(fs.readFileSync(probeFile, 'utf8')) as ProbeFigures,
          loadAverage: os.loadavg(),
          ...(kind === 'sync'
            ? {
                links: {
                  requests: results.reduce((n, r) => n + (r.link?.requests ?? 0), 0),
                  gzipped: results.reduce((n, r) => n + (r.link?.gzipped ?? 0), 0),
                  gzipChildren: results.filter((r) => (r.link?.gzipped ?? 0) > 0).length,
                  roundTripMs: results.flatMap((r) => (r.link ? [r.link.roundTripMs] : [])).sort((a, b) => a - b),
                },
              }
            : {}),
        });
      } finally {
        if (parent.process.exitCode === null) {
          parent.process.kill('SIGINT');
          await parent.exited;
        }
      }
    }
    return out;
  } finally {
    for (const dir of [home.root, childTemplate.root, ...childHomes]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Fills the site `code` by a full sync of the package's corpus from an upstream site served from this process. */
async function syncFromUpstream(home: Home, code: string, pkg: string): Promise<void> {
  applyAddSite(home, planAddSite(home, { code: 'UPS', role: 'primary', standAlone: true }));
  setSup(home, 'UPS', { syncSource: 'none', waitMonths: 99, waitMonthsForFeature: 99 });
  await importPackage(home, 'UPS', pkg);
  const upstream = openSiteStore(home.sitePaths('UPS').database);
  const endpoint = await new SupEndpoint({ store: upstream }).listen('127.0.0.1', 0);
  try {
    setSup(home, code, { syncSource: 'upstream', upstreamUrl: endpoint.url });
    for (const step of ['categories', 'updates']) {
      const [result] = await syncSite(home, code, { trigger: 'manual' });
      if (result!.state === 'Failed') throw result!.error;
      if (step === 'categories') {
        const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
        setSup(home, code, { addProduct: known.products.map((p) => p.id), addClassification: known.classifications.map((c) => c.id) });
      }
    }
    // What it serves is what it holds; it syncs from nothing while it serves.
    setSup(home, code, { syncSource: 'none' });
  } finally {
    await endpoint.close();
    upstream.close();
  }
}

const [updatesArg, childrenArg] = process.argv.slice(2).map(Number);
const synced = process.argv.includes('synced');
const updates = updatesArg || 20_000;
const children = childrenArg || 25;
const kind: ChildKind = process.argv.includes('fetch') ? 'fetch' : process.argv.includes('probe') ? 'probe' : 'sync';
const childName = { sync: 'children (supsync sync)', probe: 'parse-only probe children', fetch: 'fetch-only probe children (a capacity measure of the parent, not real children)' }[kind];
process.stderr.write(`fan-out: ${children} ${childName}, ${updates} updates each, the parent ${synced ? 'filled by a sync' : 'filled by a package import'}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.cpus().length} cores\n`);
for (const f of await fanOut(updates, children, kind)) {
  console.log(`fan-out, ${f.scenario}: ${f.children} ${childName} × ${updates} updates; load average ${f.loadAverage.map((l) => l.toFixed(1)).join(' ')} at the end`);
  console.log(`  children succeeded ${f.succeeded}/${f.children} in ${f.seconds.toFixed(1)} s (each ${f.childSeconds.min.toFixed(1)}–${f.childSeconds.max.toFixed(1)} s); refused connections ${f.refusedConnections}`);
  const serving = f.parent.cpuSecondsSinceMark ?? f.parent.cpuSeconds;
  console.log(`  served ${Math.round(f.updatesServed / f.seconds)} updates/s in aggregate (target >= 10,000)`);
  console.log(`  parent CPU serving ${serving.toFixed(2)} s = ${Math.round(f.updatesServed / serving)} updates per parent CPU-second, ${((serving * 1e6) / Math.max(f.updatesServed, 1)).toFixed(0)} µs/update (handshakes and lists included; ${f.parent.cpuSeconds.toFixed(1)} s with its start-up)`);
  console.log(`  GetUpdateData ${f.getUpdateDataMs.count} requests: p50 ${f.getUpdateDataMs.p50} ms, p99 ${f.getUpdateDataMs.p99} ms, max ${f.getUpdateDataMs.max} ms (target p99 <= 2000); GetRevisionIdList max ${f.getRevisionIdListMs.max} ms`);
  console.log(`  children CPU ${f.childCpuSeconds.toFixed(1)} s = ${Math.round(f.updatesServed / Math.max(f.childCpuSeconds, 0.001))} updates per child CPU-second (${((f.childCpuSeconds * 1e6) / Math.max(f.updatesServed, 1)).toFixed(0)} µs/update)`);
  if (f.links) console.log(`  children's link: ${f.links.gzipped} of ${f.links.requests} answers gzipped, to ${f.links.gzipChildren} of ${f.children} children; their least round trip ${f.links.roundTripMs[0] ?? '?'}–${f.links.roundTripMs[f.links.roundTripMs.length - 1] ?? '?'} ms (gzip asked from 10 ms up, and before the first answer)`);
  console.log(`  parent event-loop delay p50 ${f.parent.loopDelayMs.p50} ms, p99 ${f.parent.loopDelayMs.p99} ms, max ${f.parent.loopDelayMs.max} ms; peak RSS ${f.parent.peakRssMb.toFixed(0)} MB (target <= 400)`);
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
