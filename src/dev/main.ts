#!/usr/bin/env node
/**
 * The development entry point (`node dist/src/dev/main.js`): every supsync command, plus what
 * tests and demos need and the product must not offer (see dev/commands.ts).
 */
import { hideBin } from '../cli/yargs.js';
import { exitWith, isEntryPoint, runCli } from '../cli/run.js';
import { devProgram } from './commands.js';

/** Runs one command line and returns its exit code (exported so tests can run many in one process). */
export function main(rawArgv: string[]): Promise<number> {
  return runCli(devProgram, rawArgv);
}

if (isEntryPoint(import.meta.url)) exitWith(main(hideBin(process.argv)), 'supsync-dev');
