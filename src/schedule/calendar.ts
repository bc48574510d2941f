/**
 * Wall-clock calendar arithmetic on plain fields (proleptic Gregorian, no time zone). Every date
 * computation of the schedule core goes through here so month ends, leap years and weekdays are
 * decided in one place.
 */

/** A wall-clock minute: what a clock on the wall shows, with no zone attached. */
export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  /** 0–23 */
  hour: number;
  /** 0–59 */
  minute: number;
}

const MS_PER_DAY = 86_400_000;

/** English month names, index 0 = January (Task Scheduler's element names and messages). */
export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 of the wall date (the time of day is ignored). */
export function epochDay(wall: Pick<WallTime, 'year' | 'month' | 'day'>): number {
  return Math.floor(Date.UTC(wall.year, wall.month - 1, wall.day) / MS_PER_DAY);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(wall: Pick<WallTime, 'year' | 'month' | 'day'>): number {
  // 1970-01-01 was a Thursday (4).
  return (((epochDay(wall) + 4) % 7) + 7) % 7;
}

/** The same time of day `days` calendar days later (or earlier). */
export function addDays(wall: WallTime, days: number): WallTime {
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** Months since January 1970, so month steps are plain integer arithmetic. */
export function monthIndex(wall: Pick<WallTime, 'year' | 'month'>): number {
  return wall.year * 12 + (wall.month - 1);
}

export function fromMonthIndex(index: number): { year: number; month: number } {
  return { year: Math.floor(index / 12), month: (((index % 12) + 12) % 12) + 1 };
}

/**
 * The day of the month of the `order`-th `weekday` (0 = Sunday) in that month; order 1–4, or
 * 'last'. The fourth always exists (days 22–28), so there is always an answer.
 */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, order: 1 | 2 | 3 | 4 | 'last'): number {
  if (order === 'last') {
    const last = daysInMonth(year, month);
    return last - ((weekdayOf({ year, month, day: last }) - weekday + 7) % 7);
  }
  const first = 1 + ((weekday - weekdayOf({ year, month, day: 1 }) + 7) % 7);
  return first + (order - 1) * 7;
}

/** The months of the year (1–12, ascending) reached by stepping `step` months from `startMonth`. */
export function monthsVisited(startMonth: number, step: number): number[] {
  const months = new Set<number>();
  for (let k = 0; k < 12; k++) months.add(((startMonth - 1 + k * step) % 12) + 1);
  return [...months].sort((a, b) => a - b);
}

export function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** The first date on or after `wall`'s date that falls on `weekday` (0 = Sunday), same time of day. */
export function onOrAfterWeekday(wall: WallTime, weekday: number): WallTime {
  return addDays(wall, (weekday - weekdayOf(wall) + 7) % 7);
}
