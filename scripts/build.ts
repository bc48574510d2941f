/**
 * `npm run build`, after esbuild has compiled src/ and scripts/ into dist/ file by file (the first
 * step of the npm script; this file is one of them). tsc type-checks, it does not emit: its emit was
 * about a quarter of its time, and esbuild writes the same modules in a second. The type-check covers the
 * tests too (tsconfig.test.json) and runs beside the rest of the build, after the handler argument
 * types are generated so it checks the fresh ones; the build fails when it fails. It is incremental
 * (its record in dist/), so a rebuild checks only what changed and what depends on it.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** Runs `script` (a path, relative to the repository or absolute) with node; resolves to its exit code. */
function run(script: string, args: string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve(root, script), ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Runs the steps one after another, stopping at the first that fails; resolves to its exit code (0: all passed). */
async function inTurn(scripts: string[]): Promise<number> {
  for (const script of scripts) {
    const code = await run(script);
    if (code !== 0) return code;
  }
  return 0;
}

const generated = await run('dist/scripts/generate-args.js');
if (generated !== 0) process.exit(generated);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const [typeCheck, rest] = await Promise.all([
  run(tsc, ['-p', 'tsconfig.test.json']),
  inTurn(['dist/scripts/bundle-hosts.js', 'dist/scripts/generate-module.js', 'dist/scripts/generate-docs.js']),
]);
if (typeCheck !== 0) console.error('build: the type-check failed (tsc -p tsconfig.test.json)');
process.exit(typeCheck || rest);
