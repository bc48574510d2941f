/**
 * The schedule model: ConfigMgr's five schedule token kinds (SMS_ST_NonRecurring,
 * SMS_ST_RecurInterval, SMS_ST_RecurWeekly, SMS_ST_RecurMonthlyByDate,
 * SMS_ST_RecurMonthlyByWeekday) as a JSON-serialisable discriminated union, with the ranges the
 * SMS Provider documents. `validateSchedule` is the one gate every schedule passes: from flags,
 * from a schedule string, or read back from the settings file.
 */
import { InvalidArgumentError } from '../errors.js';
import { daysInMonth, MONTH_NAMES, monthsVisited, pad2, type WallTime } from './calendar.js';

export const DAYS_OF_WEEK = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

export const WEEK_ORDERS = ['first', 'second', 'third', 'fourth', 'last'] as const;
export type WeekOrder = (typeof WEEK_ORDERS)[number];

export const INTERVAL_UNITS = ['minutes', 'hours', 'days'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

/** SMS_ST_RecurInterval: MinuteSpan 1–59, HourSpan 1–23, DaySpan 1–31. */
export const MAX_INTERVAL: Readonly<Record<IntervalUnit, number>> = { minutes: 59, hours: 23, days: 31 };
/** SMS_ST_RecurWeekly.ForNumberOfWeeks 1–4. */
export const MAX_WEEKS = 4;
/** ForNumberOfMonths 1–12 (both monthly kinds). */
export const MAX_MONTHS = 12;
/** The token's start year is 6 bits counted from 1970. */
export const MIN_START_YEAR = 1970;
export const MAX_START_YEAR = 2033;

/** Stable error codes of the schedule core. */
export const ScheduleErrorCode = {
  /** A field is out of range or malformed. */
  invalid: 'ScheduleInvalid',
  /** Flags that cannot be combined. */
  conflict: 'ScheduleConflict',
  /** A 16-hex-digit schedule string that does not decode. */
  stringInvalid: 'ScheduleStringInvalid',
  /** The target scheduler (Task Scheduler, systemd, cron) cannot express the schedule exactly. */
  notExpressible: 'ScheduleNotExpressible',
  /** Not an IANA time zone name this runtime knows. */
  timeZoneInvalid: 'TimeZoneInvalid',
} as const;

/** The command-line flags (New-CMSchedule's parameters) each field comes from: error targets. */
export const ScheduleFlag = {
  start: '--start',
  recurInterval: '--recur-interval',
  recurCount: '--recur-count',
  dayOfWeek: '--day-of-week',
  weekOrder: '--week-order',
  dayOfMonth: '--day-of-month',
  nonrecurring: '--nonrecurring',
  utc: '--utc',
  scheduleString: '--schedule-string',
  timeZone: '--time-zone',
} as const;

/** How long a maintenance-window-like schedule lasts; only schedule strings carry it. */
export interface ScheduleDuration {
  /** 0–31 */
  days: number;
  /** 0–23 */
  hours: number;
  /** 0–59 */
  minutes: number;
}

interface ScheduleCommon {
  /**
   * Local schedules: wall-clock `YYYY-MM-DDTHH:mm:00` (no offset), read in the zone the schedule
   * runs in. UTC schedules: the instant `YYYY-MM-DDTHH:mm:00Z`. Minute resolution, years 1970–2033,
   * as in a schedule token.
   */
  start: string;
  utc: boolean;
  /** Present only when a decoded schedule string had a non-zero duration; kept for round trips. */
  duration?: ScheduleDuration;
}

export interface IntervalSchedule extends ScheduleCommon {
  kind: 'interval';
  unit: IntervalUnit;
  /** 1–59 minutes, 1–23 hours or 1–31 days. */
  count: number;
}

export interface WeeklySchedule extends ScheduleCommon {
  kind: 'weekly';
  dayOfWeek: DayOfWeek;
  /** Every 1–4 weeks. */
  weeks: number;
}

export interface MonthlyByDateSchedule extends ScheduleCommon {
  kind: 'monthlyByDate';
  /** 1–31, or 0 for the last day of the month. A day a month lacks is skipped in that month. */
  dayOfMonth: number;
  /** Every 1–12 months, counted from the start month. */
  months: number;
}

export interface MonthlyByWeekdaySchedule extends ScheduleCommon {
  kind: 'monthlyByWeekday';
  weekOrder: WeekOrder;
  dayOfWeek: DayOfWeek;
  /** Every 1–12 months, counted from the start month. */
  months: number;
}

export interface NonRecurringSchedule extends ScheduleCommon {
  kind: 'nonRecurring';
}

export type Schedule = IntervalSchedule | WeeklySchedule | MonthlyByDateSchedule | MonthlyByWeekdaySchedule | NonRecurringSchedule;
export type ScheduleKind = Schedule['kind'];

/** A schedule value out of range or malformed; `target` is the flag (or field) it came from. */
export function scheduleError(target: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(ScheduleErrorCode.invalid, message, { target });
}

/** The target scheduler cannot run the schedule on exactly its occurrences. */
export function notExpressible(target: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(ScheduleErrorCode.notExpressible, message, { target });
}

const START_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z?)$/;

/** The start as wall-clock fields (UTC fields for a UTC schedule). Assumes a validated schedule. */
export function startWall(schedule: Pick<Schedule, 'start'>): WallTime {
  const m = START_PATTERN.exec(schedule.start)!;
  return { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]! };
}

/** The schedule's start field text for a wall time. */
export function startText(wall: WallTime, utc: boolean): string {
  return `${String(wall.year).padStart(4, '0')}-${pad2(wall.month)}-${pad2(wall.day)}T${pad2(wall.hour)}:${pad2(wall.minute)}:00${utc ? 'Z' : ''}`;
}

/** Checks a wall time's fields (and the token's year range); `label` names it in the message. */
export function checkWallTime(wall: WallTime, target: string, label: string): void {
  const fail = (what: string) => scheduleError(target, `${label} is not a valid start: ${what}`);
  if (wall.month < 1 || wall.month > 12) throw fail(`month ${wall.month} is not 1–12`);
  if (wall.day < 1 || wall.day > daysInMonth(wall.year, wall.month)) {
    throw fail(`${wall.year}-${pad2(wall.month)} has no day ${wall.day}`);
  }
  if (wall.hour > 23) throw fail(`hour ${wall.hour} is not 0–23`);
  if (wall.minute > 59) throw fail(`minute ${wall.minute} is not 0–59`);
  if (wall.year < MIN_START_YEAR || wall.year > MAX_START_YEAR) {
    throw fail(`the year must be ${MIN_START_YEAR}–${MAX_START_YEAR}, the range a ConfigMgr schedule token can hold`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integerIn(value: unknown, min: number, max: number, target: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw scheduleError(target, `${target} (${what}) must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], target: string, what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw scheduleError(target, `${target} (${what}) must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function validateStart(value: unknown, utc: boolean): string {
  const target = ScheduleFlag.start;
  const m = typeof value === 'string' ? START_PATTERN.exec(value) : null;
  const form = utc ? 'YYYY-MM-DDTHH:mm:00Z (a UTC schedule starts at an instant)' : 'YYYY-MM-DDTHH:mm:00 without offset (a local schedule starts at a wall-clock time)';
  if (!m || (m[7] === 'Z') !== utc) throw scheduleError(target, `${target} must be ${form}, got ${JSON.stringify(value)}`);
  if (m[6] !== '00') throw scheduleError(target, `${target} ${value} has seconds; schedules have minute resolution`);
  checkWallTime({ year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]! }, target, `${target} ${value}`);
  return value as string;
}

function validateDuration(value: unknown): ScheduleDuration | undefined {
  if (value === undefined) return undefined;
  const target = 'duration';
  if (!isRecord(value)) throw scheduleError(target, `${target} must be an object with days, hours and minutes, got ${JSON.stringify(value)}`);
  const duration = {
    days: integerIn(value.days, 0, 31, target, 'days'),
    hours: integerIn(value.hours, 0, 23, target, 'hours'),
    minutes: integerIn(value.minutes, 0, 59, target, 'minutes'),
  };
  // An all-zero duration is stored as absent, so equal schedules have one JSON form.
  return duration.days + duration.hours + duration.minutes === 0 ? undefined : duration;
}

/**
 * A day of the month that none of the visited months has would never occur; ConfigMgr would
 * accept it silently, we refuse it.
 */
function checkDayReachable(dayOfMonth: number, startMonth: number, months: number): void {
  if (dayOfMonth === 0) return;
  const visited = monthsVisited(startMonth, months);
  // 2000 is a leap year: the longest each month can be.
  if (!visited.some((month) => dayOfMonth <= daysInMonth(2000, month))) {
    const names = visited.map((m) => MONTH_NAMES[m - 1]);
    throw scheduleError(
      ScheduleFlag.dayOfMonth,
      `${ScheduleFlag.dayOfMonth} ${dayOfMonth} never occurs: every ${months} month(s) from the start month visits only ${names.join(', ')}`,
    );
  }
}

/**
 * Checks any value (typically parsed JSON) against the model and returns a clean copy holding only
 * the model's fields. Throws InvalidArgumentError (ScheduleInvalid) naming the flag of the field.
 */
export function validateSchedule(value: unknown): Schedule {
  if (!isRecord(value)) throw scheduleError('schedule', `A schedule must be an object, got ${JSON.stringify(value)}`);
  if (typeof value.utc !== 'boolean') {
    throw scheduleError(ScheduleFlag.utc, `${ScheduleFlag.utc} (utc) must be true or false, got ${JSON.stringify(value.utc)}`);
  }
  const utc = value.utc;
  const start = validateStart(value.start, utc);
  const duration = validateDuration(value.duration);
  const common = { start, utc, ...(duration ? { duration } : {}) };
  const count = ScheduleFlag.recurCount;
  switch (value.kind) {
    case 'interval': {
      const unit = oneOf(value.unit, INTERVAL_UNITS, ScheduleFlag.recurInterval, 'interval unit');
      return { kind: 'interval', unit, count: integerIn(value.count, 1, MAX_INTERVAL[unit], count, unit), ...common };
    }
    case 'weekly':
      return {
        kind: 'weekly',
        dayOfWeek: oneOf(value.dayOfWeek, DAYS_OF_WEEK, ScheduleFlag.dayOfWeek, 'day of week'),
        weeks: integerIn(value.weeks, 1, MAX_WEEKS, count, 'weeks'),
        ...common,
      };
    case 'monthlyByDate': {
      const dayOfMonth = integerIn(value.dayOfMonth, 0, 31, ScheduleFlag.dayOfMonth, 'day of month, 0 = last day');
      const months = integerIn(value.months, 1, MAX_MONTHS, count, 'months');
      checkDayReachable(dayOfMonth, +start.slice(5, 7), months);
      return { kind: 'monthlyByDate', dayOfMonth, months, ...common };
    }
    case 'monthlyByWeekday':
      return {
        kind: 'monthlyByWeekday',
        weekOrder: oneOf(value.weekOrder, WEEK_ORDERS, ScheduleFlag.weekOrder, 'week of the month'),
        dayOfWeek: oneOf(value.dayOfWeek, DAYS_OF_WEEK, ScheduleFlag.dayOfWeek, 'day of week'),
        months: integerIn(value.months, 1, MAX_MONTHS, count, 'months'),
        ...common,
      };
    case 'nonRecurring':
      return { kind: 'nonRecurring', ...common };
    default:
      throw scheduleError(
        'schedule.kind',
        `schedule.kind must be one of interval, weekly, monthlyByDate, monthlyByWeekday, nonRecurring, got ${JSON.stringify(value.kind)}`,
      );
  }
}
