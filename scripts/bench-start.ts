/**
 * The host's start-up: CPU (user + system, from /usr/bin/time) of one host process per command,
 * a command that does little so the start is most of it. Every cmdlet call, Tab completion, child
 * sync and scheduled task starts one. Then two processes that do a little work: `serve` up to its
 * endpoint record (its start), and a small sync (a central site fetching the updates of a 50-update
 * corpus from a loopback `serve`), the kind of sync the tests and a quiet schedule run.
 *
 * `node dist/scripts/bench-start.js [runs] [BASE_DIST]`: `runs` starts of each command (default 20);
 * with BASE_DIST (another build's dist/ folder, e.g. a worktree of the base commit, built) the two
 * builds' starts alternate, so both see the same load. Prints the mean and median per command and build.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository, whether this runs from dist/scripts or from scripts (tsx). */
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const runs = Number(process.argv[2] ?? 20);
const builds: Record<string, string> = { after: path.join(root, 'dist') };
if (process.argv[3]) builds.base = path.resolve(process.argv[3]);
const timer = '/usr/bin/time';
if (!fs.existsSync(timer)) throw new Error(`${timer} is needed to measure a child's CPU (apt-get install time)`);
const main = (dist: string) => path.join(dist, 'src', 'cli', 'main.js');

/** CPU seconds and wall seconds of one run of `args` under `node`. */
function cpuOf(args: string[]): { cpu: number; wall: number } {
  const run = spawnSync(timer, ['-f', 'TIME %U %S %e', process.execPath, ...args], { encoding: 'utf8' });
  const line = run.stderr.split('\n').findLast((l) => l.startsWith('TIME '));
  if (run.status !== 0 || !line) throw new Error(`${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  const [user, system, wall] = line.slice(5).split(' ').map(Number) as [number, number, number];
  return { cpu: user + system, wall };
}

/** Runs a command of the after build to set things up; returns its stdout's records. */
function setUp(home: string, args: string[]): Record<string, unknown>[] {
  const run = spawnSync(process.execPath, [main(builds.after!), '--home', home, '--output', 'json', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`supsync ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

interface Serving {
  url: string;
  /** CPU seconds the process had used when it printed its endpoint record (Linux's /proc). */
  cpuAtReady: number;
  stop(): Promise<void>;
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** `serve --site CODE --port 0` of `dist`; resolves when it printed its endpoint record. */
function serve(dist: string, home: string, code: string): Promise<Serving> {
  const child = spawn(process.execPath, [main(dist), '--home', home, '--output', 'json', 'serve', '--site', code, '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before its endpoint record`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      // utime and stime of the whole process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
      const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpuAtReady = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
      resolve({
        url: String((JSON.parse(line) as { Url: string }).Url),
        cpuAtReady,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function report(name: string, samples: Record<string, number[]>, bare = false): void {
  const figures = Object.entries(samples).map(([build, cpu]) => {
    const sorted = [...cpu].sort((a, b) => a - b);
    const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
    return `${build} mean ${mean.toFixed(3)} s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} s`;
  });
  console.log(`  ${name}: ${bare ? figures[0]!.replace(/^after /, '') : figures.join('; ')}`);
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'supsync-bench-start-'));
let upstream: Serving | undefined;
try {
  for (const [code, role, parent] of [['CAS', 'central'], ['PR1', 'primary', 'CAS']] as const) {
    setUp(home, ['site', 'add', '--code', code, '--role', role, ...(parent ? ['--parent', parent] : [])]);
  }
  const commands: Record<string, string[]> = {
    'node -e 0 (bare node)': ['-e', '0'],
    '--version': ['--version'],
    status: ['--home', home, 'status'],
    'update list --site PR1 --output clixml (what a cmdlet runs)': ['--home', home, 'update', 'list', '--site', 'PR1', '--output', 'clixml'],
    'sup get --site PR1': ['--home', home, 'sup', 'get', '--site', 'PR1'],
  };
  console.log(`bench-start: ${runs} starts per command and build, alternating; load average ${load()}; ${os.cpus().length} cores`);
  for (const [name, args] of Object.entries(commands)) {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(builds).map((b) => [b, []]));
    for (let i = 0; i < runs; i++) {
      for (const [build, dist] of Object.entries(builds)) samples[build]!.push(cpuOf(args[0] === '-e' ? args : [main(dist), ...args]).cpu);
    }
    report(name, samples, args[0] === '-e');
  }

  // An upstream with a 50-update corpus, served on loopback by the after build.
  const upstreamHome = path.join(home, 'upstream');
  setUp(upstreamHome, ['site', 'add', '--code', 'UPS', '--role', 'primary', '--server-name', 'ups.bench']);
  setUp(upstreamHome, ['sup', 'set', '--site', 'UPS', '--sync-source', 'none', '--wait-months', '99', '--wait-months-for-feature', '99']);
  const corpus = path.join(upstreamHome, 'corpus.pkg.gz');
  setUp(upstreamHome, ['corpus', 'generate', '--updates', '50', '--seed', 'bench-start', '--out', corpus]);
  setUp(upstreamHome, ['metadata', 'import', '--site', 'UPS', '--path', corpus]);
  const products = new Set<string>();
  const classifications = new Set<string>();
  for (const update of setUp(upstreamHome, ['update', 'list', '--site', 'UPS'])) {
    for (const product of (update.Products as string[] | undefined) ?? []) products.add(product);
    if (typeof update.Classification === 'string') classifications.add(update.Classification);
  }

  const serveSamples: Record<string, number[]> = Object.fromEntries(Object.keys(builds).map((b) => [b, []]));
  for (let i = 0; i < runs; i++) {
    for (const [build, dist] of Object.entries(builds)) {
      const served = await serve(dist, upstreamHome, 'UPS');
      serveSamples[build]!.push(served.cpuAtReady);
      await served.stop();
    }
  }
  report('serve --site UPS, up to its endpoint record (/proc, 10 ms ticks)', serveSamples);

  // A central site that has synchronized the categories, with every product and classification of
  // the corpus selected: each measured sync runs on a copy of it and fetches the corpus's updates.
  upstream = await serve(builds.after!, upstreamHome, 'UPS');
  const template = path.join(home, 'central');
  setUp(template, ['site', 'add', '--code', 'CS1', '--role', 'central']);
  setUp(template, ['sup', 'set', '--site', 'CS1', '--sync-source', 'upstream', '--upstream-url', upstream.url]);
  setUp(template, ['sync', '--site', 'CS1']);
  setUp(template, ['sup', 'set', '--site', 'CS1', '--add-product', ...products, '--add-classification', ...classifications]);
  const syncSamples: Record<string, number[]> = Object.fromEntries(Object.keys(builds).map((b) => [b, []]));
  let fetched = 0;
  for (let i = 0; i < runs; i++) {
    for (const [build, dist] of Object.entries(builds)) {
      const copy = path.join(home, `sync-${build}-${i}`);
      fs.cpSync(template, copy, { recursive: true });
      syncSamples[build]!.push(cpuOf([main(dist), '--home', copy, '--output', 'json', 'sync', '--site', 'CS1']).cpu);
      const history = setUp(copy, ['sync', 'history', '--site', 'CS1']);
      fetched = Number(history.reduce((last, run) => (Number(run.RunId) > Number(last.RunId) ? run : last)).New);
      fs.rmSync(copy, { recursive: true, force: true });
    }
  }
  report(`sync --site CS1 (${fetched} new updates, from a loopback serve of a 50-update corpus)`, syncSamples);
  console.log(`bench-start: done; load average ${load()}`);
} finally {
  await upstream?.stop();
  fs.rmSync(home, { recursive: true, force: true });
}
