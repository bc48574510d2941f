/**
 * The host's start-up: CPU (user + system, from /usr/bin/time) of one host process per command,
 * a command that does little so the start is most of it. Every cmdlet call, Tab completion, child
 * sync and scheduled task starts one.
 *
 * `node dist/scripts/bench-start.js [runs] [BASE_DIST]`: `runs` starts of each command (default 20);
 * with BASE_DIST (another build's dist/ folder, e.g. a worktree of the base commit, built) the two
 * builds' starts alternate, so both see the same load. Prints the mean and median per command and build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository, whether this runs from dist/scripts or from scripts (tsx). */
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const runs = Number(process.argv[2] ?? 20);
const builds: Record<string, string> = { after: path.join(root, 'dist') };
if (process.argv[3]) builds.base = path.resolve(process.argv[3]);
const timer = '/usr/bin/time';
if (!fs.existsSync(timer)) throw new Error(`${timer} is needed to measure a child's CPU (apt-get install time)`);

/** CPU seconds and wall seconds of one run of `args` under `node`. */
function cpuOf(args: string[]): { cpu: number; wall: number } {
  const run = spawnSync(timer, ['-f', 'TIME %U %S %e', process.execPath, ...args], { encoding: 'utf8' });
  const line = run.stderr.split('\n').findLast((l) => l.startsWith('TIME '));
  if (run.status !== 0 || !line) throw new Error(`${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  const [user, system, wall] = line.slice(5).split(' ').map(Number) as [number, number, number];
  return { cpu: user + system, wall };
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'supsync-bench-start-'));
try {
  const main = (dist: string) => path.join(dist, 'src', 'cli', 'main.js');
  for (const [code, role, parent] of [['CAS', 'central'], ['PR1', 'primary', 'CAS']] as const) {
    cpuOf([main(builds.after!), '--home', home, 'site', 'add', '--code', code, '--role', role, ...(parent ? ['--parent', parent] : [])]);
  }
  const commands: Record<string, string[]> = {
    'node -e 0 (bare node)': ['-e', '0'],
    '--version': ['--version'],
    status: ['--home', home, 'status'],
    'update list --site PR1 --output clixml (what a cmdlet runs)': ['--home', home, 'update', 'list', '--site', 'PR1', '--output', 'clixml'],
    'sup get --site PR1': ['--home', home, 'sup', 'get', '--site', 'PR1'],
  };
  console.log(`bench-start: ${runs} starts per command and build, alternating; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${os.cpus().length} cores`);
  for (const [name, args] of Object.entries(commands)) {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(builds).map((b) => [b, []]));
    for (let i = 0; i < runs; i++) {
      for (const [build, dist] of Object.entries(builds)) samples[build]!.push(cpuOf(args[0] === '-e' ? args : [main(dist), ...args]).cpu);
    }
    const figures = Object.entries(samples).map(([build, cpu]) => {
      const sorted = [...cpu].sort((a, b) => a - b);
      const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
      return `${build} mean ${mean.toFixed(3)} s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} s`;
    });
    console.log(`  ${name}: ${args[0] === '-e' ? figures[0]!.replace(/^after /, '') : figures.join('; ')}`);
  }
  console.log(`bench-start: done; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}
