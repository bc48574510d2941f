#!/usr/bin/env node
/** The supsync entry point: the product's commands (spec.ts) and their handlers. */
import { hideBin } from './yargs.js';
import { handlers } from './commands/index.js';
import { exitWith, isEntryPoint, runCli } from './run.js';
import { commandSpec } from './spec.js';

/** Runs one command line and returns its exit code (exported so the bad-input campaign can run many in one process). */
export function main(rawArgv: string[]): Promise<number> {
  return runCli({ name: 'supsync', commands: commandSpec, handlers }, rawArgv);
}

if (isEntryPoint(import.meta.url)) exitWith(main(hideBin(process.argv)), 'supsync');
