/**
 * The logger the rest of supsync uses for wsyncmgr.log. winston stays behind this small interface:
 * callers log a line or a status message and close; they never see transports or levels.
 *
 * Calls are synchronous: winston hands each entry to the transports within the call, so a line is
 * in the file when `info()` returns, and a failed write throws IoError `LogWriteFailed` from the
 * call that caused it.
 */
import winston from 'winston';
import { InvalidOperationError } from '../errors.js';
import { formatLogLine, oneLine, type LogFormat } from './format.js';
import { statusMessageLine, statusMessageShort, statusSeverity, type StatusMessage } from './status-messages.js';
import { EOL, WsyncmgrTransport } from './wsyncmgr-transport.js';

export type SiteLogLevel = 'error' | 'warn' | 'info';

export interface SiteLoggerOptions {
  /** Directory of wsyncmgr.log; created when missing. */
  logDir: string;
  /** Defaults to `site-server`, the layout of site server component logs. */
  format?: LogFormat;
  /** Roll-over size in bytes; defaults to 2,621,440. */
  maxBytes?: number;
  /** IANA time zone of the local times in the log; defaults to the process's zone. */
  timeZone?: string;
  /**
   * Also hands each entry to this function in short form (a status message as its id and meaning,
   * without the STATMSG fields): the CLI shows it to the person or the PowerShell module.
   */
  echo?: LogEcho;
}

/** Receives a log entry's level and short text. */
export type LogEcho = (level: SiteLogLevel, message: string) => void;

export interface SiteLogger {
  /** Full path of wsyncmgr.log. */
  readonly path: string;
  info(message: string): void;
  /**
   * Several information lines with one time, in one write: for the line-per-update detail of a
   * sync batch. They go to the file only, never to the echo.
   */
  infoLines(messages: readonly string[]): void;
  warn(message: string): void;
  error(message: string): void;
  /** Writes the `STATMSG:` line at the level of its severity; recording it in the database is the caller's job. */
  status(message: StatusMessage): void;
  /** Releases the file. Logging afterwards throws InvalidOperationError `LoggerClosed`. */
  close(): void;
}

const LEVELS: Record<SiteLogLevel, number> = { error: 0, warn: 1, info: 2 };
const LEVEL_OF_SEVERITY = { I: 'info', W: 'warn', E: 'error' } as const;

/** `name:line` of the code that called `callee` (CMTrace's file="…"), or empty when the stack does not say. */
function callerLocation(callee: (...args: never[]) => unknown): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  // One frame is all we read; capturing more would cost on every line.
  Error.stackTraceLimit = 1;
  Error.captureStackTrace(holder, callee);
  Error.stackTraceLimit = limit;
  const match = /([^/\\\s(]+):(\d+):\d+\)?\s*$/.exec(holder.stack ?? '');
  return match === null ? '' : `${match[1]}:${match[2]}`;
}

/** Opens wsyncmgr.log in `logDir` (IoError `LogWriteFailed` when it cannot be written). */
export function createSiteLogger(options: SiteLoggerOptions): SiteLogger {
  const file = new WsyncmgrTransport({ logDir: options.logDir, format: options.format, maxBytes: options.maxBytes, timeZone: options.timeZone });
  const transports: winston.transport[] = [file];
  const echo = options.echo;
  const logger = winston.createLogger({
    levels: LEVELS,
    level: 'info',
    exitOnError: false,
    format: winston.format.printf(({ level, message }) => `${level}: ${oneLine(String(message))}`),
    transports,
  });
  let failure: unknown;
  logger.on('error', (error: unknown) => {
    failure ??= error;
  });
  let closed = false;
  // Only the CMTrace layout records the caller, so only it pays for the stack capture.
  const locate = file.layout === 'cmtrace' ? callerLocation : () => '';

  const path = file.path;
  const write = (level: SiteLogLevel, message: string, source: string, short = message): void => {
    if (closed) throw new InvalidOperationError('LoggerClosed', `The log ${path} is closed`, { target: path });
    logger.log({ level, message, time: new Date(), file: source });
    if (failure !== undefined) {
      const pending = failure;
      failure = undefined;
      throw pending;
    }
    echo?.(level, oneLine(short));
  };
  const info = (message: string): void => write('info', message, locate(info));
  const infoLines = (messages: readonly string[]): void => {
    if (closed) throw new InvalidOperationError('LoggerClosed', `The log ${path} is closed`, { target: path });
    if (messages.length === 0) return;
    const time = new Date();
    const source = locate(infoLines);
    file.append(messages.map((message) => formatLogLine(file.layout, { message, time, thread: file.thread, type: 1, file: source }, file.timeZone)).join(EOL));
  };
  const warn = (message: string): void => write('warn', message, locate(warn));
  const error = (message: string): void => write('error', message, locate(error));
  const status = (message: StatusMessage): void =>
    write(LEVEL_OF_SEVERITY[statusSeverity(message)], statusMessageLine(message, { pid: process.pid, thread: file.thread }), locate(status), statusMessageShort(message));
  const close = (): void => {
    if (closed) return;
    closed = true;
    file.close();
    logger.close();
  };
  return { path, info, infoLines, warn, error, status, close };
}
