#!/usr/bin/env node
/**
 * The development entry point (`node dist/src/dev/main.js`): every supsync command, plus what
 * tests and demos need and the product must not offer (see dev/commands.ts).
 */
import { hideBin } from 'yargs/helpers';
import { handlers } from '../cli/commands/index.js';
import { exitWith, isEntryPoint, runCli } from '../cli/run.js';
import { commandSpec } from '../cli/spec.js';
import { devCommands, devHandlers } from './commands.js';

const replaced = new Set(devCommands.map((c) => c.id));
const commands = [...commandSpec.filter((c) => !replaced.has(c.id)), ...devCommands];

/** Runs one command line and returns its exit code (exported so tests can run many in one process). */
export function main(rawArgv: string[]): Promise<number> {
  return runCli({ name: 'supsync-dev', commands, handlers: { ...handlers, ...devHandlers } }, rawArgv);
}

if (isEntryPoint(import.meta.url)) exitWith(main(hideBin(process.argv)), 'supsync-dev');
