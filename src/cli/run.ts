/**
 * Running a command line: builds the yargs CLI from a command spec, runs the handler and turns its
 * outcome into an exit code. The entry points (main.ts, and dev/main.ts for development) call it
 * with their commands and are the only places that exit the process.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from './yargs.js';
import { ExitCode, InvalidArgumentError, SupsyncError, asSupsyncError } from '../errors.js';
import { cancellation } from '../net/http.js';
import { Home, resolveHome } from '../store/home.js';
import type { AnyCommandHandler, CommandContext } from './context.js';
import { type OutputMode, colorFor, createOutput, isRecordStream } from './output.js';
import { globalParams } from './spec.js';
import type { CommandSpec, ParamSpec } from './spec-types.js';
import { Terminal } from './terminal.js';

/** A command line program: its name, its commands and a handler for each. */
export interface CliProgram {
  name: string;
  commands: readonly CommandSpec[];
  handlers: Readonly<Record<string, AnyCommandHandler>>;
}

export async function runCli(program: CliProgram, rawArgv: string[]): Promise<number> {
  const abort = cancellation();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await runCommandLine(program, rawArgv, abort.signal);
  } finally {
    // Removed after each run: a process running many command lines (the bad-input campaign) keeps none behind.
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function runCommandLine(program: CliProgram, rawArgv: string[], signal: AbortSignal): Promise<number> {
  let argv: string[];
  try {
    argv = hostArguments(rawArgv);
  } catch (error) {
    createOutput('json').error(asSupsyncError(error));
    return ExitCode.usage;
  }
  // Until the arguments are parsed, pick the output mode the same way the parser will.
  const asked = (mode: OutputMode) => argv.some((a, i) => a === `--output=${mode}` || a === `-o=${mode}` || ((a === '--output' || a === '-o') && argv[i + 1] === mode));
  let output = createOutput(asked('clixml') ? 'clixml' : asked('json') || !process.stdout.isTTY ? 'json' : 'table');
  let terminal: Terminal | undefined;
  try {
    let run: { command: CommandSpec; args: Record<string, unknown> } | undefined;
    const cli = buildCli(program, argv, (command, args) => {
      run = { command, args };
    });
    await cli.parseAsync();
    if (!run) return ExitCode.ok; // --help or --version was printed
    const { command, args } = run;
    const mode = ((args.output as OutputMode | undefined) ?? (process.stdout.isTTY ? 'table' : 'json')) as OutputMode;
    output = createOutput(mode);
    const shown = new Terminal({
      stream: process.stderr,
      json: isRecordStream(mode),
      live: !isRecordStream(mode) && Boolean(process.stderr.isTTY),
      color: colorFor(process.stderr),
      verbose: Boolean(args.verbose),
      signal,
    });
    terminal = shown;
    const context: CommandContext = {
      home: new Home(resolveHome(args.home as string | undefined)),
      args,
      logFormat: (args.logFormat as CommandContext['logFormat'] | undefined) ?? 'site-server',
      emit: (record) => {
        shown.settle(record);
        output.emit(record);
      },
      drained: () => output.drained(),
      note: (message) => shown.note(message),
      progress: (activity, status, percent, counts) => shown.progress(activity, status, percent, counts),
      settle: (record) => shown.settle(record),
      log: (level, message) => shown.log(level, message),
      output,
      signal,
    };
    const status = await program.handlers[command.id]!(context);
    terminal.stop();
    output.flush();
    return status ?? ExitCode.ok;
  } catch (error) {
    terminal?.stop();
    output.flush();
    const typed = asSupsyncError(error);
    output.error(typed);
    if (typed.exitCode === ExitCode.internal && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return typed.exitCode;
  }
}

function buildCli(program: CliProgram, argv: string[], onRun: (command: CommandSpec, args: Record<string, unknown>) => void): Argv {
  let cli = yargs(argv)
    .scriptName(program.name)
    // --no-proxy and --no-schedule are flags of their own, not negations of --proxy / --schedule.
    .parserConfiguration({ 'boolean-negation': false })
    .usage('$0 [--home DIR] [--output table|list|wide|json|clixml] [--verbose] <command>')
    .strict()
    .exitProcess(false)
    .help()
    .version()
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // yargs reports some usage errors as its own YError (a flag given without its value): usage too, not an internal error.
      if (error && error.name !== 'YError') throw error;
      throw new InvalidArgumentError('UsageError', message ?? error?.message ?? 'Invalid command line', { target: 'argv' });
    });
  for (const param of globalParams) cli = cli.option(param.flag, { ...optionFor(param), global: true });

  const groups = new Map<string, CommandSpec[]>();
  for (const command of program.commands) groups.set(command.words[0]!, [...(groups.get(command.words[0]!) ?? []), command]);
  for (const [word, commands] of groups) {
    // A word can be a command of its own and a group at once (`sync`, `sync history`).
    const base = commands.find((c) => c.words.length === 1);
    const subcommands = commands.filter((c) => c !== base);
    if (subcommands.length === 0 && base) {
      cli = cli.command(word, base.summary, (y) => addParams(y, base), (args) => onRun(base, typedArgs(base, args)));
      continue;
    }
    const listing = subcommands.map((c) => c.words.slice(1).join(' ')).join(' | ');
    cli = cli.command(
      word,
      base ? `${base.summary} Also: ${word} ${listing}` : listing,
      (group) => {
        let sub = base ? addParams(group, base) : group;
        for (const command of subcommands) {
          sub = sub.command(command.words.slice(1).join(' '), command.summary, (y) => addParams(y, command), (args) => onRun(command, typedArgs(command, args)));
        }
        return base ? sub : sub.demandCommand(1, `Give a ${word} subcommand: ${subcommands.map((c) => c.words.slice(1).join(' ')).join(', ')}`);
      },
      base ? (args) => onRun(base, typedArgs(base, args)) : undefined,
    );
  }
  return cli.demandCommand(1, `Give a command; see ${program.name} --help`);
}

function addParams(y: Argv, command: CommandSpec): Argv {
  let out = y.usage(`${command.summary}\n\n${command.description}`);
  for (const param of command.params) out = out.option(param.flag, optionFor(param));
  return out;
}

function optionFor(param: ParamSpec) {
  const base = { describe: param.description, demandOption: param.required ?? false, requiresArg: param.type !== 'switch', ...(param.short ? { alias: param.short } : {}) };
  switch (param.type) {
    case 'switch':
      return { ...base, type: 'boolean' as const };
    case 'string[]':
      return { ...base, type: 'array' as const, string: true };
    case 'boolean':
      return { ...base, type: 'string' as const, describe: `${param.description} (true|false)` };
    default:
      return { ...base, type: 'string' as const, ...(param.choices ? { choices: [...param.choices] } : {}) };
  }
}

/**
 * Converts parsed values to the spec's types after yargs has run, so a bad value becomes a typed
 * error naming the flag (yargs would wrap errors thrown from coerce functions).
 */
function typedArgs(command: CommandSpec, args: Record<string, unknown>): Record<string, unknown> {
  const out = camelArgs(args);
  for (const param of [...globalParams, ...command.params]) {
    const key = camel(param.flag);
    const value = out[key];
    if (value === undefined) continue;
    const flag = `--${param.flag}`;
    if (param.type !== 'string[]' && Array.isArray(value)) {
      throw new InvalidArgumentError('InvalidArgument', `${flag} was given more than once`, { target: flag });
    }
    if (param.type === 'boolean') {
      const text = String(value).toLowerCase();
      if (text !== 'true' && text !== 'false') throw new InvalidArgumentError('InvalidArgument', `${flag} must be true or false, got '${value}'`, { target: flag });
      out[key] = text === 'true';
    } else if (param.type === 'number') {
      const number = Number(value);
      if (String(value).trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError('InvalidArgument', `${flag} must be a number, got '${value}'`, { target: flag });
      const range = param.range;
      if (range && (number < range.min || number > range.max || (range.integer && !Number.isInteger(number)))) {
        throw new InvalidArgumentError('InvalidArgument', `${flag} must be ${range.integer ? 'a whole number ' : ''}from ${range.min} to ${range.max}, got '${value}'`, { target: flag });
      }
      out[key] = number;
    } else if (param.type === 'string' && typeof value === 'string' && value.trim() === '') {
      throw new InvalidArgumentError('InvalidArgument', `${flag} must not be empty`, { target: flag });
    }
  }
  return out;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** yargs gives both kebab and camel keys; handlers read camel-case only. */
function camelArgs(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([key]) => !key.includes('-') && key !== '_' && key !== '$0'));
}

/**
 * `--argv-env NAME`: the real arguments come base64-encoded (a UTF-8 JSON array of strings) in the
 * environment variable NAME. The PowerShell module calls the host this way, so quotes, `$(...)`,
 * `;` and non-ASCII text arrive intact whatever the shell's native-argument quoting rules
 * (Windows PowerShell 5.1 mangles embedded quotes).
 */
function hostArguments(argv: string[]): string[] {
  if (argv[0] !== '--argv-env') return argv;
  const name = argv[1] ?? '';
  const encoded = process.env[name];
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || encoded === undefined) throw new InvalidArgumentError('UsageError', `--argv-env names no environment variable holding the arguments (${name})`, { target: '--argv-env' });
  const decoded = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as unknown;
  if (!Array.isArray(decoded) || !decoded.every((a) => typeof a === 'string')) throw new InvalidArgumentError('UsageError', `${name} must hold a base64 JSON array of strings`, { target: '--argv-env' });
  return [...decoded, ...argv.slice(2)];
}

/** Exits with the program's code once stdout has drained (pipes are asynchronous on Windows). */
/** True when the module at `moduleUrl` is the process's entry point (also through the npm bin symlink). */
export function isEntryPoint(moduleUrl: string): boolean {
  try {
    return process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

export function exitWith(run: Promise<number>, name: string): void {
  run.then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof SupsyncError ? error.message : String(error)}\n`);
      process.exit(ExitCode.internal);
    },
  );
}
