/**
 * What a command handler gets: the home, its parsed arguments (keyed by the spec's flags,
 * camel-cased, typed from the spec in command-args.ts), and the output. Handlers emit records and
 * return their exit status (undefined: 0).
 */
import type { SiteLogLevel } from '../log/index.js';
import type { Home } from '../store/home.js';
import type { CommandArgs, CommandId } from './command-args.js';
import type { Output, OutputRecord } from './output.js';
import type { ProgressCounts } from './terminal.js';

export interface CommandContext<Args = Record<string, unknown>> {
  home: Home;
  args: Args;
  logFormat: 'site-server' | 'cmtrace';
  emit(record: OutputRecord): void;
  /** Settles once stdout has taken what was emitted so far (Output.drained): a long listing awaits it now and then. */
  drained(): Promise<void>;
  /** A line for the human on stderr. */
  note(message: string): void;
  /**
   * Progress of long work on stderr: an NDJSON `SupSync.Progress` record in json mode (the
   * PowerShell module turns it into Write-Progress), a live bar on a terminal (with `counts`, one
   * bar per `counts.key`), nothing on a pipe in a table mode.
   */
  progress(activity: string, status: string, percent: number | undefined, counts?: ProgressCounts): void;
  /** Ends the live progress of what a record reports (emit does this for the records it is given). */
  settle(record: OutputRecord): void;
  /** The echo of log lines: shown with --verbose; warnings and errors always. */
  log(level: SiteLogLevel, message: string): void;
  output: Output;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

/** The handler of command `Id`, held by the compiler to that command's arguments. */
export type CommandHandler<Id extends CommandId> = (context: CommandContext<CommandArgs[Id]>) => Promise<number | void> | number | void;

/** A handler as an entry point runs it (the arguments checked against the spec at run time). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler's own argument type; see CommandHandler
export type AnyCommandHandler = (context: CommandContext<any>) => Promise<number | void> | number | void;

/** Reads an optional string argument. */
export function stringArg(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  return value === undefined || value === null ? undefined : String(value);
}

/** Reads a string-list argument (repeated flags or space-separated values). */
export function listArg(args: Record<string, unknown>, key: string): string[] | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}
