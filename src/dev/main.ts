#!/usr/bin/env node
/**
 * The development entry point (`node dist/src/dev/main.js`): every supsync command, plus what
 * tests and demos need and the product must not offer (see dev/commands.ts).
 */
import { hideBin } from 'yargs/helpers';
import { exitWith, runCli } from '../cli/run.js';
import { devProgram } from './commands.js';

exitWith(runCli(devProgram, hideBin(process.argv)), 'supsync-dev');
