/**
 * Pure formatting of wsyncmgr.log lines in the two layouts Configuration Manager uses, and the
 * local-time arithmetic they need. No I/O here: the transport decides when and where a line goes.
 *
 * Decisions (see also the transport):
 * - Time is the wall clock of an IANA time zone, computed with Intl (no tz database of our own).
 * - The suffix after the milliseconds is Windows' bias in minutes, UTC minus local, so UTC-7 is
 *   `+420` and UTC+1 is `-60`. Real logs show negative biases unpadded (`-60`, `-120`) and
 *   positive ones with three digits (`+420`, `+300`, `+240`); UTC is written `+000`, the form
 *   CMTrace-compatible writers use. So: `+` and three digits when bias ≥ 0, `-` and the bare
 *   number when negative (inferred from those examples; an exact printf was not found).
 * - A log line is one physical line: CR, LF, CRLF and the Unicode line separators in a message
 *   become one space each, and other control characters (but TAB) become a space too, so a line
 *   reader never sees half an entry.
 * - Text that would end a field early is defused by inserting a space: `]LOG]!>` becomes
 *   `]LOG] !>` and `<![LOG[` becomes `<! [LOG[` (CMTrace layout), `$$<` becomes `$ $<`
 *   (site-server layout, whose readers split at `$$<`). The change stays visible on purpose.
 */
import { InvalidArgumentError } from '../errors.js';
import { processTimeZone, wallClockFormatter } from '../model/wall-clock.js';

/** The component name every wsyncmgr.log line carries. */
export const COMPONENT = 'SMS_WSUS_SYNC_MANAGER';

/** `site-server`: `message  $$<COMP><date time+bias><thread=N (0xHEX)>`; `cmtrace`: `<![LOG[…]LOG]!><time=… …>`. */
export type LogFormat = 'site-server' | 'cmtrace';

/** CMTrace's entry type: 1 information, 2 warning, 3 error. */
export type LogType = 1 | 2 | 3;

export interface LogEntry {
  message: string;
  time: Date;
  /** Written as `thread=N (0xHEX)` or `thread="N"`. */
  thread: number;
  /** Only the CMTrace layout records it; defaults to 1. */
  type?: LogType;
  /** Source location `name:line` (CMTrace layout only); empty when unknown. */
  file?: string;
}

/** A moment as a Windows log writes it: local date and time plus the bias in minutes (UTC − local). */
export interface LocalTime {
  /** `MM-DD-YYYY` */
  date: string;
  /** `HH:MM:SS.mmm` */
  time: string;
  bias: number;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const formatter = wallClockFormatter(timeZone);
  if (!formatter) throw new InvalidArgumentError('InvalidTimeZone', `Unknown time zone '${timeZone}': use an IANA name such as Europe/Berlin`, { target: timeZone });
  return formatter;
}

/** The process's own time zone (what a Windows service would log in). */
export function defaultTimeZone(): string {
  return processTimeZone();
}

/** Throws InvalidArgumentError `InvalidTimeZone` unless Intl knows the zone. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** The wall-clock fields of the last second asked for: a sync writes many lines per second, and Intl is slow. */
let lastSecond: { timeZone: string; second: number; fields: Record<string, number> } | undefined;

function wallFields(epochMs: number, timeZone: string): Record<string, number> {
  const second = Math.floor(epochMs / 1000);
  if (lastSecond?.timeZone === timeZone && lastSecond.second === second) return lastSecond.fields;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(second * 1000))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  lastSecond = { timeZone, second, fields };
  return fields;
}

export function localTime(time: Date, timeZone: string): LocalTime {
  const epochMs = time.getTime();
  if (Number.isNaN(epochMs)) throw new InvalidArgumentError('InvalidLogTime', 'A log line needs a valid time');
  const fields = wallFields(epochMs, timeZone);
  const year = fields.year ?? 0;
  const month = fields.month ?? 1;
  const day = fields.day ?? 1;
  const hour = fields.hour ?? 0;
  const minute = fields.minute ?? 0;
  const second = fields.second ?? 0;
  const ms = ((epochMs % 1000) + 1000) % 1000;
  // The wall clock read back as if it were UTC differs from the real instant by exactly the bias.
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return {
    date: `${pad(month, 2)}-${pad(day, 2)}-${pad(year, 4)}`,
    time: `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(ms, 3)}`,
    bias: Math.round((epochMs - wallAsUtc) / 60_000),
  };
}

/** `+420`, `-60`, `+000` (see the module comment). */
export function formatBias(bias: number): string {
  return bias < 0 ? String(bias) : `+${pad(bias, 3)}`;
}

const lineBreak = /\r\n|[\r\n\u0085\u2028\u2029]/g;
const otherControl = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/** The message as one physical line (see the module comment). */
export function oneLine(message: string): string {
  return message.replace(lineBreak, ' ').replace(otherControl, ' ');
}

export function formatSiteServerLine(entry: LogEntry, timeZone: string): string {
  const { date, time, bias } = localTime(entry.time, timeZone);
  const message = oneLine(entry.message).replaceAll('$$<', '$ $<');
  const thread = `thread=${entry.thread} (0x${entry.thread.toString(16).toUpperCase()})`;
  return `${message}  $$<${COMPONENT}><${date} ${time}${formatBias(bias)}><${thread}>`;
}

export function formatCmtraceLine(entry: LogEntry, timeZone: string): string {
  const { date, time, bias } = localTime(entry.time, timeZone);
  const message = oneLine(entry.message).replaceAll(']LOG]!>', ']LOG] !>').replaceAll('<![LOG[', '<! [LOG[');
  // Attribute values are quoted; a quote in the source location would end one early.
  const file = oneLine(entry.file ?? '').replaceAll('"', "'");
  return (
    `<![LOG[${message}]LOG]!><time="${time}${formatBias(bias)}" date="${date}" component="${COMPONENT}" ` +
    `context="" type="${entry.type ?? 1}" thread="${entry.thread}" file="${file}">`
  );
}

/** One log line without its line ending. */
export function formatLogLine(format: LogFormat, entry: LogEntry, timeZone: string): string {
  return format === 'cmtrace' ? formatCmtraceLine(entry, timeZone) : formatSiteServerLine(entry, timeZone);
}
