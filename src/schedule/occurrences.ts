/**
 * When a schedule runs. Local schedules follow the wall clock of a time zone the way Windows Task
 * Scheduler does (see timezone.ts for DST gaps and overlaps); UTC schedules follow UTC. Minute and
 * hour intervals step in absolute time from the start, as Task Scheduler repetition does; every
 * other kind steps in wall-clock days, weeks or months.
 *
 * Semantics where ConfigMgr's documentation is silent (inferred, and identical to what the Task
 * Scheduler export does, so both agree):
 * - weekly: the first run is the first chosen weekday on or after the start date, then every N weeks;
 * - monthly: months are counted from the start month; runs before the start are dropped;
 * - a day of the month that a month lacks (31 in April, 29 in February 2027) is skipped in that
 *   month, as Task Scheduler's DaysOfMonth does; day 0 is always the month's last day.
 */
import { addDays, daysInMonth, epochDay, fromMonthIndex, monthIndex, nthWeekdayOfMonth, onOrAfterWeekday, type WallTime } from './calendar.js';
import { DAYS_OF_WEEK, type Schedule, scheduleError, startWall, validateSchedule, type WeekOrder } from './model.js';
import { checkTimeZone, instantOf, localTimeZone, wallAt } from './timezone.js';

const ORDER_NUMBER: Readonly<Record<WeekOrder, 1 | 2 | 3 | 4 | 'last'>> = { first: 1, second: 2, third: 3, fourth: 4, last: 'last' };

/** The zone whose wall clock the schedule follows: UTC for a UTC schedule, else `timeZone` or local. */
export function scheduleClock(schedule: Pick<Schedule, 'utc'>, timeZone?: string): string {
  return schedule.utc ? 'UTC' : checkTimeZone(timeZone ?? localTimeZone());
}

/**
 * The next `count` runs strictly after `from` (a non-recurring schedule yields at most one).
 * `timeZone` (IANA name, default the process's zone) is the wall clock of a local schedule.
 */
export function nextOccurrences(schedule: Schedule, from: Date, count: number, timeZone?: string): Date[] {
  const s = validateSchedule(schedule);
  if (!Number.isInteger(count) || count < 0) throw scheduleError('--count', `--count must be a whole number of 0 or more, got ${JSON.stringify(count)}`);
  const fromMs = from instanceof Date ? from.getTime() : NaN;
  if (Number.isNaN(fromMs)) throw scheduleError('--from', `--from must be a valid date, got ${String(from)}`);
  const zone = scheduleClock(s, timeZone);
  const start = startWall(s);
  const startMs = instantOf(start, zone);
  const runs: Date[] = [];
  if (count === 0) return runs;

  if (s.kind === 'nonRecurring') return startMs > fromMs ? [new Date(startMs)] : [];
  if (s.kind === 'interval' && s.unit !== 'days') {
    const step = s.count * (s.unit === 'minutes' ? 60_000 : 3_600_000);
    for (let k = fromMs < startMs ? 0 : Math.floor((fromMs - startMs) / step) + 1; runs.length < count; k++) runs.push(new Date(startMs + k * step));
    return runs;
  }

  // Calendar kinds: period k yields at most one wall time. Begin one period before the one holding
  // `from`, so a run later that same day or month is not missed.
  const fromWall = wallAt(fromMs, zone);
  let firstPeriod: number;
  let runIn: (k: number) => WallTime | undefined;
  switch (s.kind) {
    case 'interval':
      firstPeriod = Math.floor((epochDay(fromWall) - epochDay(start)) / s.count) - 1;
      runIn = (k) => addDays(start, k * s.count);
      break;
    case 'weekly': {
      const first = onOrAfterWeekday(start, DAYS_OF_WEEK.indexOf(s.dayOfWeek));
      firstPeriod = Math.floor((epochDay(fromWall) - epochDay(first)) / (7 * s.weeks)) - 1;
      runIn = (k) => addDays(first, k * 7 * s.weeks);
      break;
    }
    case 'monthlyByDate':
    case 'monthlyByWeekday': {
      const monthly = s;
      firstPeriod = Math.floor((monthIndex(fromWall) - monthIndex(start)) / monthly.months) - 1;
      runIn = (k) => {
        const { year, month } = fromMonthIndex(monthIndex(start) + k * monthly.months);
        const day =
          monthly.kind === 'monthlyByDate'
            ? monthly.dayOfMonth === 0
              ? daysInMonth(year, month)
              : monthly.dayOfMonth
            : nthWeekdayOfMonth(year, month, DAYS_OF_WEEK.indexOf(monthly.dayOfWeek), ORDER_NUMBER[monthly.weekOrder]);
        return day > daysInMonth(year, month) ? undefined : { year, month, day, hour: start.hour, minute: start.minute };
      };
      break;
    }
  }
  // validateSchedule refused days no visited month has, so this loop always finds runs.
  for (let k = Math.max(0, firstPeriod); runs.length < count; k++) {
    const wall = runIn(k);
    if (!wall) continue;
    const ms = instantOf(wall, zone);
    if (ms >= startMs && ms > fromMs) runs.push(new Date(ms));
  }
  return runs;
}
