/**
 * Wall clock ↔ instant conversion in an IANA time zone with `Intl.DateTimeFormat` (no tz library).
 * Wall times that a DST change skips or repeats are resolved as Windows Task Scheduler does: a
 * skipped time moves forward by the gap, a repeated time takes its first instance.
 */
import { InvalidArgumentError } from '../errors.js';
import { processTimeZone, wallClockFormatter } from '../model/wall-clock.js';
import { pad2, type WallTime } from './calendar.js';
import { ScheduleErrorCode, ScheduleFlag } from './model.js';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const formatter = wallClockFormatter(timeZone);
  if (!formatter) {
    throw new InvalidArgumentError(ScheduleErrorCode.timeZoneInvalid, `${ScheduleFlag.timeZone} ${JSON.stringify(timeZone)} is not an IANA time zone name this runtime knows (e.g. America/Los_Angeles)`, {
      target: ScheduleFlag.timeZone,
    });
  }
  return formatter;
}

/** The process's own zone: what "local time" means when the caller names none. */
export function localTimeZone(): string {
  return processTimeZone();
}

/** Throws TimeZoneInvalid unless the runtime knows `timeZone`; returns it. */
export function checkTimeZone(timeZone: string): string {
  formatterFor(timeZone);
  return timeZone;
}

interface WallSecond extends WallTime {
  second: number;
}

/** What a clock in `timeZone` shows at instant `ms`. */
export function wallAt(ms: number, timeZone: string): WallSecond {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour!, minute: fields.minute!, second: fields.second! };
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (east positive). */
export function offsetAt(ms: number, timeZone: string): number {
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  const w = wallAt(wholeSecond, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - wholeSecond;
}

/** The instant a wall time names in `timeZone` (see the module comment for gaps and overlaps). */
export function instantOf(wall: WallTime, timeZone: string): number {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // Offsets a day either side bracket any DST change near this wall time.
  const before = offsetAt(naive - MS_PER_DAY, timeZone);
  const after = offsetAt(naive + MS_PER_DAY, timeZone);
  const candidates = [naive - before, naive - after].sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (candidate + offsetAt(candidate, timeZone) === naive) return candidate;
  }
  // Skipped by a spring-forward: reading it with the pre-change offset lands the gap later.
  return naive - before;
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-03-08T03:30:00-07:00`. */
export function formatWithOffset(date: Date, timeZone: string = localTimeZone()): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new InvalidArgumentError(ScheduleErrorCode.invalid, 'Cannot format an invalid Date', { target: 'date' });
  const w = wallAt(ms, timeZone);
  const offsetMinutes = Math.round(offsetAt(ms, timeZone) / MS_PER_MINUTE);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)}T${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/**
 * The zone's offset if it never changes from `fromYear` through 2037 (sampled monthly; tz rules
 * past that only repeat today's), else undefined: whether a wall clock there ticks like UTC.
 */
export function fixedOffset(timeZone: string, fromYear: number): number | undefined {
  const offset = offsetAt(Date.UTC(fromYear, 0, 1), timeZone);
  for (let year = fromYear; year <= Math.max(fromYear, 2037); year++) {
    for (let month = 0; month < 12; month++) {
      if (offsetAt(Date.UTC(year, month, 1), timeZone) !== offset) return undefined;
    }
  }
  return offset;
}
