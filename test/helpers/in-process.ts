/**
 * Runs the CLI's real entry point (`main` of src/cli/main.ts) inside this process, capturing what
 * it writes: hundreds of command lines cost milliseconds each instead of a node start-up each.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  records: Record<string, unknown>[];
  /** The SupSync.Error record, when the command failed with one. */
  error: Record<string, unknown> | undefined;
}

let running = false;

export async function runInProcess(home: string, args: string[]): Promise<InProcessResult> {
  if (running) throw new Error('runInProcess: one command line at a time (stdout is captured)');
  running = true;
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
  process.exitCode = undefined;
  let code: number;
  try {
    code = await main(['--home', home, '--output', 'json', ...args]);
  } finally {
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
