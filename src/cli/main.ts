#!/usr/bin/env node
/** The supsync entry point: the product's commands (spec.ts) and their handlers. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hideBin } from 'yargs/helpers';
import { handlers } from './commands/index.js';
import { exitWith, runCli } from './run.js';
import { commandSpec } from './spec.js';

/** Runs one command line and returns its exit code (exported so the bad-input campaign can run many in one process). */
export function main(rawArgv: string[]): Promise<number> {
  return runCli({ name: 'supsync', commands: commandSpec, handlers }, rawArgv);
}

/** True when this module is the process's entry point (also through the npm bin symlink). */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) exitWith(main(hideBin(process.argv)), 'supsync');
