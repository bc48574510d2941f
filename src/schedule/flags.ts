/**
 * Builds a schedule from command-line flags that mirror New-CMSchedule's parameters
 * (--start, --recur-interval, --recur-count, --day-of-week, --week-order, --day-of-month,
 * --nonrecurring, --utc, --schedule-string). Pure: the caller passes "now" and the local zone.
 */
import { InvalidArgumentError } from '../errors.js';
import { daysInMonth, type WallTime } from './calendar.js';
import {
  DAYS_OF_WEEK,
  type DayOfWeek,
  INTERVAL_UNITS,
  type IntervalUnit,
  type Schedule,
  scheduleError,
  ScheduleErrorCode,
  ScheduleFlag,
  startText,
  validateSchedule,
  WEEK_ORDERS,
  type WeekOrder,
} from './model.js';
import { decodeScheduleString } from './token.js';
import { checkTimeZone, localTimeZone, wallAt } from './timezone.js';

/** The flags as a CLI parser hands them over (numbers may still be strings). */
export interface ScheduleFlags {
  /** ISO 8601 date-time; an offset or Z is converted to the schedule's clock. */
  start?: string;
  /** minutes | hours | days */
  recurInterval?: string;
  /** The interval count, or the weeks/months between runs. */
  recurCount?: number | string;
  /** Sunday…Saturday or Sun…Sat, any case. */
  dayOfWeek?: string;
  /** first | second | third | fourth | last */
  weekOrder?: string;
  /** 0–31 (0 = last day) or `last`. */
  dayOfMonth?: number | string;
  nonrecurring?: boolean;
  utc?: boolean;
  /** 16 hex digits; only --start may be combined with it. */
  scheduleString?: string;
}

const START_INPUT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

function conflict(target: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(ScheduleErrorCode.conflict, message, { target });
}

function parseWholeNumber(value: number | string, target: string): number {
  const number = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number)) throw scheduleError(target, `${target} must be a whole number, got ${JSON.stringify(value)}`);
  return number;
}

function parseName<T extends string>(value: string, allowed: readonly T[], target: string, abbreviations: boolean): T {
  const text = String(value).trim().toLowerCase();
  const match = allowed.find((name) => name.toLowerCase() === text || (abbreviations && name.slice(0, 3).toLowerCase() === text));
  if (!match) {
    throw scheduleError(target, `${target} must be one of ${allowed.join(', ')}${abbreviations ? ' (or their first three letters)' : ''}, got ${JSON.stringify(value)}`);
  }
  return match;
}

function parseDayOfMonth(value: number | string): number {
  if (typeof value === 'string' && value.trim().toLowerCase() === 'last') return 0;
  return parseWholeNumber(value, ScheduleFlag.dayOfMonth);
}

/** The wall time on the schedule's clock (UTC fields for a UTC schedule). */
function clockAt(ms: number, utc: boolean, timeZone: string): WallTime {
  if (!utc) return wallAt(ms, timeZone);
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** Seconds are dropped: schedule tokens have minute resolution (New-CMSchedule drops them too). */
function parseStart(text: string, utc: boolean, timeZone: string): string {
  const target = ScheduleFlag.start;
  const m = START_INPUT.exec(String(text).trim());
  if (!m) throw scheduleError(target, `${target} must be an ISO 8601 date and time such as 2026-11-23T02:00, got ${JSON.stringify(text)}`);
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw scheduleError(target, `${target} ${JSON.stringify(text)} is not a real date and time`);
  }
  const offset = m[7];
  if (offset === undefined) return startText({ year, month, day, hour, minute }, utc);
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.replace(/[^\d]/g, '');
  const offsetMs = /z/i.test(offset) ? 0 : sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  return startText(clockAt(Date.UTC(year, month - 1, day, hour, minute) - offsetMs, utc, timeZone), utc);
}

/**
 * Builds and validates a schedule from flags. `now` is the default start (to the minute), and
 * `timeZone` (default: the process's zone) is the local clock for a local schedule's default start
 * and for a --start given with an offset. Throws InvalidArgumentError: ScheduleInvalid for a bad
 * value, ScheduleConflict for flags that cannot go together.
 */
export function scheduleFromFlags(flags: ScheduleFlags, now: Date, timeZone: string = localTimeZone()): Schedule {
  checkTimeZone(timeZone);
  const given = (name: keyof ScheduleFlags) => (typeof flags[name] === 'boolean' ? flags[name] === true : flags[name] !== undefined);
  const flagNames = (names: (keyof ScheduleFlags)[]) => names.filter(given).map((name) => ScheduleFlag[name]);

  if (given('scheduleString')) {
    const others = flagNames(['recurInterval', 'recurCount', 'dayOfWeek', 'weekOrder', 'dayOfMonth', 'nonrecurring', 'utc']);
    if (others.length > 0) {
      throw conflict(others[0]!, `${ScheduleFlag.scheduleString} carries the whole schedule (including UTC or local time); only ${ScheduleFlag.start} may be given with it, not ${others.join(', ')}`);
    }
    const decoded = decodeScheduleString(flags.scheduleString!);
    return given('start') ? validateSchedule({ ...decoded, start: parseStart(flags.start!, decoded.utc, timeZone) }) : decoded;
  }

  const utc = flags.utc === true;
  if (!given('start') && Number.isNaN(now.getTime())) throw scheduleError(ScheduleFlag.start, 'The current time passed in is not a valid date');
  const start = given('start') ? parseStart(flags.start!, utc, timeZone) : startText(clockAt(now.getTime(), utc, timeZone), utc);
  const count = given('recurCount') ? parseWholeNumber(flags.recurCount!, ScheduleFlag.recurCount) : undefined;
  const common = { start, utc };

  if (given('nonrecurring')) {
    if (!given('start')) throw scheduleError(ScheduleFlag.start, `${ScheduleFlag.nonrecurring} runs once, at ${ScheduleFlag.start}: give ${ScheduleFlag.start} (e.g. 2026-11-29T02:00)`);
    const others = flagNames(['recurInterval', 'recurCount', 'dayOfWeek', 'weekOrder', 'dayOfMonth']);
    if (others.length > 0) throw conflict(others[0]!, `${ScheduleFlag.nonrecurring} runs once and cannot be combined with ${others.join(', ')}`);
    return validateSchedule({ kind: 'nonRecurring', ...common });
  }
  if (given('recurInterval')) {
    const others = flagNames(['dayOfWeek', 'weekOrder', 'dayOfMonth']);
    if (others.length > 0) throw conflict(others[0]!, `${ScheduleFlag.recurInterval} cannot be combined with ${others.join(', ')}`);
    const unit: IntervalUnit = parseName(flags.recurInterval!, INTERVAL_UNITS, ScheduleFlag.recurInterval, false);
    if (count === undefined) throw scheduleError(ScheduleFlag.recurCount, `${ScheduleFlag.recurInterval} ${unit} needs ${ScheduleFlag.recurCount} (how many ${unit} between runs)`);
    return validateSchedule({ kind: 'interval', unit, count, ...common });
  }
  if (given('dayOfMonth')) {
    const others = flagNames(['weekOrder', 'dayOfWeek']);
    if (others.length > 0) {
      throw conflict(others[0]!, `${ScheduleFlag.dayOfMonth} (monthly by date) cannot be combined with ${others.join(', ')} (monthly by weekday or weekly)`);
    }
    return validateSchedule({ kind: 'monthlyByDate', dayOfMonth: parseDayOfMonth(flags.dayOfMonth!), months: count ?? 1, ...common });
  }
  if (given('weekOrder') && !given('dayOfWeek')) {
    throw scheduleError(ScheduleFlag.dayOfWeek, `${ScheduleFlag.weekOrder} needs ${ScheduleFlag.dayOfWeek} (e.g. --week-order second --day-of-week Tuesday)`);
  }
  if (given('dayOfWeek')) {
    const dayOfWeek: DayOfWeek = parseName(flags.dayOfWeek!, DAYS_OF_WEEK, ScheduleFlag.dayOfWeek, true);
    if (given('weekOrder')) {
      const weekOrder: WeekOrder = parseName(flags.weekOrder!, WEEK_ORDERS, ScheduleFlag.weekOrder, false);
      return validateSchedule({ kind: 'monthlyByWeekday', weekOrder, dayOfWeek, months: count ?? 1, ...common });
    }
    return validateSchedule({ kind: 'weekly', dayOfWeek, weeks: count ?? 1, ...common });
  }
  if (count !== undefined) {
    throw scheduleError(ScheduleFlag.recurCount, `${ScheduleFlag.recurCount} needs ${ScheduleFlag.recurInterval}, ${ScheduleFlag.dayOfWeek} or ${ScheduleFlag.dayOfMonth} to say what it counts`);
  }
  throw scheduleError(
    ScheduleFlag.nonrecurring,
    `Say how the schedule recurs: give ${ScheduleFlag.recurInterval} with ${ScheduleFlag.recurCount}, ${ScheduleFlag.dayOfWeek}, ${ScheduleFlag.dayOfMonth}, ${ScheduleFlag.nonrecurring} or ${ScheduleFlag.scheduleString}`,
  );
}
