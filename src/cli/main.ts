#!/usr/bin/env node
/** The supsync entry point: the product's commands (spec.ts) and their handlers. */
import { hideBin } from 'yargs/helpers';
import { handlers } from './commands/index.js';
import { exitWith, runCli } from './run.js';
import { commandSpec } from './spec.js';

exitWith(runCli({ name: 'supsync', commands: commandSpec, handlers }, hideBin(process.argv)), 'supsync');
