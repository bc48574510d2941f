/**
 * The development entry point's program (`dist/src/dev/main.js`: every product command, `sync`
 * with transport tuning) run inside this process, capturing what it writes — set-up commands,
 * reads and the fault campaign's syncs cost milliseconds instead of a node start-up each — and as
 * a real child process, for the syncs the kill loop kills.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cliPath, devCliPath } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

export interface DevResult {
  code: number;
  stderr: string;
  records: Record<string, unknown>[];
  error: Record<string, unknown> | undefined;
}

/** One command line of the dev program, in this process (one at a time: stdout is captured). */
export async function dev(home: string, args: string[]): Promise<DevResult> {
  const { code, stderr, records, error } = await runInProcess(home, args, { entry: devCliPath });
  return { code, stderr, records, error };
}

/** Like `dev`, failing with the command's stderr unless it exits 0. */
export async function devOk(home: string, args: string[]): Promise<DevResult> {
  const result = await dev(home, args);
  if (result.code !== 0) throw new Error(`supsync-dev ${args.join(' ')} exited ${result.code}: ${String(result.error?.message ?? result.stderr)}`);
  return result;
}

export interface SyncChild {
  process: ChildProcess;
  /** Resolves with the exit code (null when killed) and what it wrote. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** The product's `sync` (`dist/src/cli/main.js`) as a real child process: the kill loop's subject. */
export function spawnSync(home: string, args: string[]): SyncChild {
  const child = spawn(process.execPath, [cliPath, '--home', home, '--output', 'json', 'sync', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { process: child, exited };
}
