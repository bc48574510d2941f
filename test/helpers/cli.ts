/** Runs the built CLI as a real child process and splits its NDJSON stdout into records. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath } from './fixtures.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  records: Record<string, unknown>[];
}

/** `entry`: the built entry point to run (default the product's, cliPath). */
export function runCli(home: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; entry?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.entry ?? cliPath, '--home', home, '--output', 'json', ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((l) => l.trim() !== '');
      let records: Record<string, unknown>[];
      try {
        records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`stdout is not NDJSON: ${(error as Error).message}\n${stdout}`));
        return;
      }
      resolve({ code, stdout, stderr, records });
    });
  });
}

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'supsync-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
