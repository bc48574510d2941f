/**
 * Reading wsyncmgr.log back, the way CMTrace shows it: one entry per line with its time, component,
 * thread and type, in either layout `format.ts` writes. The rolled-over `wsyncmgr.lo_` comes first.
 *
 * The site-server layout records no type, so an entry's type is read from the text as CMTrace
 * highlights such logs: a STATMSG line by its SEV=, otherwise "error"/"fail" marks an error and
 * "warn" a warning.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type LogType } from './format.js';
import { LOG_FILE_NAME, ROLLED_FILE_NAME } from './wsyncmgr-transport.js';

export interface ReadLogEntry {
  message: string;
  /** Undefined for a line that is in neither layout (shown as it is). */
  time: Date | undefined;
  component: string;
  thread: number | undefined;
  type: LogType;
  /** Which file it came from. */
  file: typeof LOG_FILE_NAME | typeof ROLLED_FILE_NAME;
}

const siteServerTail = /^<(?<component>[^>]*)><(?<date>\d\d-\d\d-\d{4}) (?<time>\d\d:\d\d:\d\d\.\d{3})(?<bias>[+-]\d+)><thread=(?<thread>\d+)[^>]*>$/;
const cmtraceTail =
  /^<time="(?<time>\d\d:\d\d:\d\d\.\d{3})(?<bias>[+-]\d+)" date="(?<date>\d\d-\d\d-\d{4})" component="(?<component>[^"]*)" context="[^"]*" type="(?<type>[0-3])" thread="(?<thread>\d+)"[^>]*>$/;

/** Local wall clock plus Windows' bias (UTC − local, minutes). */
function instant(date: string, time: string, bias: string): Date {
  const [month, day, year] = date.split('-').map(Number) as [number, number, number];
  const [hms, ms] = time.split('.') as [string, string];
  const [hour, minute, second] = hms.split(':').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, Number(ms)) + Number(bias) * 60_000);
}

export function typeFromText(message: string): LogType {
  const severity = /^STATMSG: .*?\bSEV=([IWE])\b/.exec(message)?.[1];
  if (severity) return severity === 'E' ? 3 : severity === 'W' ? 2 : 1;
  if (/\b(error|fail(s|ed|ure)?)\b/i.test(message)) return 3;
  if (/\bwarn(ing)?\b/i.test(message)) return 2;
  return 1;
}

/** One line of either layout; a line in neither is kept whole as the message. */
export function parseLogLine(line: string, file: ReadLogEntry['file'] = LOG_FILE_NAME): ReadLogEntry {
  if (line.startsWith('<![LOG[')) {
    const end = line.lastIndexOf(']LOG]!>');
    const tail = end < 0 ? null : cmtraceTail.exec(line.slice(end + ']LOG]!>'.length));
    if (tail?.groups) {
      const g = tail.groups;
      const type = Number(g.type);
      const message = line.slice('<![LOG['.length, end);
      return { message, time: instant(g.date!, g.time!, g.bias!), component: g.component!, thread: Number(g.thread), type: type >= 1 ? (type as LogType) : typeFromText(message), file };
    }
  }
  const at = line.lastIndexOf('$$<');
  if (at >= 0) {
    const tail = siteServerTail.exec(line.slice(at + 2));
    if (tail?.groups) {
      const g = tail.groups;
      const message = line.slice(0, at).replace(/ {1,2}$/, '');
      return { message, time: instant(g.date!, g.time!, g.bias!), component: g.component!, thread: Number(g.thread), type: typeFromText(message), file };
    }
  }
  return { message: line, time: undefined, component: '', thread: undefined, type: typeFromText(line), file };
}

/** The lines of a log text: BOM dropped, CRLF or LF, no empty trailing line. */
export function logLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Where the reader of a log stopped: the file (by inode) and the byte offset. */
export interface LogCursor {
  ino: number;
  offset: number;
}

/**
 * Every entry of `wsyncmgr.lo_` then `wsyncmgr.log` in `logDir` (missing files are empty), and the
 * cursor at the end of wsyncmgr.log for `readLogSince`.
 */
export function readSiteLog(logDir: string): { entries: ReadLogEntry[]; cursor: LogCursor } {
  const entries: ReadLogEntry[] = [];
  for (const name of [ROLLED_FILE_NAME, LOG_FILE_NAME] as const) {
    const text = readOptional(path.join(logDir, name));
    if (text !== undefined) for (const line of logLines(text.toString('utf8'))) entries.push(parseLogLine(line, name));
  }
  return { entries, cursor: cursorAtEnd(logDir) };
}

function readOptional(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function cursorAtEnd(logDir: string): LogCursor {
  try {
    const stat = fs.statSync(path.join(logDir, LOG_FILE_NAME));
    return { ino: stat.ino, offset: stat.size };
  } catch {
    return { ino: 0, offset: 0 };
  }
}

/**
 * The entries appended since `cursor` and the new cursor. When the log rolled over since (another
 * file under the name now), the rest of the old file (now wsyncmgr.lo_) and the whole new file are
 * read. Only whole lines are returned; a line being written stays for the next call.
 */
export function readLogSince(logDir: string, cursor: LogCursor): { entries: ReadLogEntry[]; cursor: LogCursor } {
  const file = path.join(logDir, LOG_FILE_NAME);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { entries: [], cursor };
  }
  const entries: ReadLogEntry[] = [];
  let offset = cursor.offset;
  if (stat.ino !== cursor.ino || stat.size < cursor.offset) {
    const rolled = path.join(logDir, ROLLED_FILE_NAME);
    try {
      if (cursor.ino !== 0 && fs.statSync(rolled).ino === cursor.ino) entries.push(...readFrom(rolled, cursor.offset, ROLLED_FILE_NAME).entries);
    } catch {
      // No rolled file: nothing of the old one is left to read.
    }
    offset = 0;
  }
  const fresh = readFrom(file, offset, LOG_FILE_NAME);
  entries.push(...fresh.entries);
  return { entries, cursor: { ino: stat.ino, offset: fresh.end } };
}

function readFrom(file: string, offset: number, name: ReadLogEntry['file']): { entries: ReadLogEntry[]; end: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return { entries: [], end: offset };
    const buffer = Buffer.alloc(size - offset);
    fs.readSync(fd, buffer, 0, buffer.length, offset);
    const lastBreak = buffer.lastIndexOf(0x0a);
    if (lastBreak < 0) return { entries: [], end: offset };
    const text = buffer.subarray(0, lastBreak + 1).toString('utf8');
    return { entries: logLines(text).map((line) => parseLogLine(line, name)), end: offset + lastBreak + 1 };
  } finally {
    fs.closeSync(fd);
  }
}
