/**
 * Runs the CLI's real entry point (`main` of the built dist/src/cli/main.js) inside this process,
 * capturing what it writes: a command line costs milliseconds instead of a node start-up (about
 * 0.8 s of CPU). The built file, not the source, so that what the CLI derives from its own location
 * (the detached child sync it starts, the command line a schedule registers) is the same as in a
 * child process.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { main as Main } from '../../src/cli/main.js';
import { type CliResult, runCli } from './cli.js';
import { cliPath } from './fixtures.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  records: Record<string, unknown>[];
  /** The SupSync.Error record, when the command failed with one. */
  error: Record<string, unknown> | undefined;
}

let running = false;
const loaded = new Map<string, Promise<typeof Main>>();

/** Hides a terminal from the command, as a child process with piped output sees none. */
function withoutTerminal(stream: NodeJS.WriteStream): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, 'isTTY');
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(stream, 'isTTY', own);
    else delete (stream as { isTTY?: boolean }).isTTY;
  };
}

/**
 * `entry`: the built entry point whose `main` runs, the product's (cliPath, the default) or the development one (devCliPath).
 * `env`: variables set for the command's run only. `asGiven`: `args` is the whole command line, without the
 * `--home`/`--output json` put before it otherwise (the module's `--argv-env NAME`, which must come first).
 */
export async function runInProcess(home: string, args: string[], options: { entry?: string; env?: Record<string, string>; asGiven?: boolean } = {}): Promise<InProcessResult> {
  if (running) throw new Error('runInProcess: one command line at a time (stdout is captured)');
  running = true;
  const entry = options.entry ?? cliPath;
  let main: typeof Main;
  try {
    if (!fs.existsSync(entry)) throw new Error(`Build first (npm run build): ${entry} is missing`);
    if (!loaded.has(entry)) loaded.set(entry, import(pathToFileURL(entry).href).then((m: { main: typeof Main }) => m.main));
    main = await loaded.get(entry)!;
  } catch (error) {
    running = false;
    throw error;
  }
  let stdout = '';
  let stderr = '';
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  const capture = (sink: (text: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture((t) => (stdout += t));
  process.stderr.write = capture((t) => (stderr += t));
  const restoreTerminals = [withoutTerminal(process.stdout), withoutTerminal(process.stderr)];
  process.exitCode = undefined;
  const savedEnv = Object.keys(options.env ?? {}).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, options.env);
  let code: number;
  try {
    code = await main(options.asGiven ? args : ['--home', home, '--output', 'json', ...args]);
  } finally {
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    for (const restore of restoreTerminals) restore();
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    process.exitCode = undefined;
    running = false;
  }
  const records = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout is not NDJSON: ${l}`);
      }
    });
  return { code, stdout, stderr, records, error: records.find((r) => r.type === 'SupSync.Error') };
}

/**
 * One command line in this process, or as a child process while another one runs here (a sync held
 * at a gate while the test asks for the status): what a test needs when it is not about the process.
 */
export function runCommandLine(home: string, args: string[], options: { entry?: string } = {}): Promise<CliResult> {
  return running ? runCli(home, args, options) : runInProcess(home, args, options);
}

/** A digest of every file and directory under `dir` (names, kinds, sizes, contents), to prove nothing changed. */
export function hashTree(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (at: string, rel: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(at);
    } catch {
      hash.update(`missing ${rel}\n`);
      return;
    }
    if (stat.isDirectory()) {
      hash.update(`dir ${rel}\n`);
      for (const name of fs.readdirSync(at).sort()) walk(path.join(at, name), `${rel}/${name}`);
    } else if (stat.isFile()) {
      hash.update(`file ${rel} ${stat.size}\n`);
      hash.update(fs.readFileSync(at));
    } else {
      hash.update(`other ${rel} ${stat.mode}\n`);
    }
  };
  walk(dir, '.');
  return hash.digest('hex');
}
