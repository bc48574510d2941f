/**
 * What a command handler gets: the home, its parsed arguments (keyed by the spec's flags,
 * camel-cased), and the output. Handlers emit records and return their exit status (undefined: 0).
 */
import type { Home } from '../store/home.js';
import type { Output, OutputRecord } from './output.js';

export interface CommandContext {
  home: Home;
  args: Record<string, unknown>;
  logFormat: 'site-server' | 'cmtrace';
  emit(record: OutputRecord): void;
  /** A line for the human on stderr. */
  note(message: string): void;
  /**
   * Progress of long work on stderr: an NDJSON `SupSync.Progress` record in json mode (the
   * PowerShell module turns it into Write-Progress), a text line otherwise.
   */
  progress(activity: string, status: string, percent: number | undefined): void;
  output: Output;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

export type CommandHandler = (context: CommandContext) => Promise<number | void> | number | void;

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
