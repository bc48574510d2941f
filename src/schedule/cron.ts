/**
 * One crontab line for a schedule, where cron can run it on exactly its occurrences. Cron reads its
 * fields on the wall clock of the zone it runs in (`timeZone`, default the machine's), has no year
 * and no start boundary, no "every N days/weeks" across month ends, no last day of the month, and
 * ORs day-of-month with day-of-week; anything needing those is refused with the reason. An
 * "Nth weekday" is written as days N·7−6…N·7 plus a POSIX `date +%w` test, the usual cron idiom.
 * Around DST changes cron's own handling of skipped and repeated local times applies.
 */
import { weekdayOf } from './calendar.js';
import { DAYS_OF_WEEK, notExpressible, type Schedule, ScheduleFlag, startWall, validateSchedule } from './model.js';
import { monthsOfYear, singleLine } from './targets.js';
import { checkTimeZone, fixedOffset, localTimeZone } from './timezone.js';

export interface CrontabOptions {
  /** The zone the cron daemon runs in; default the machine's (this process's) zone. */
  timeZone?: string;
}

const ORDER_DAYS = { first: '1-7', second: '8-14', third: '15-21', fourth: '22-28' } as const;

function steps(first: number, every: number, limit: number): string {
  const values: number[] = [];
  for (let value = first; value < limit; value += every) values.push(value);
  return values.join(',');
}

/**
 * `minute hour day-of-month month day-of-week command`. Throws InvalidArgumentError
 * (ScheduleNotExpressible) naming the reason when cron cannot express the schedule exactly.
 */
export function toCrontabLine(schedule: Schedule, command: string, options: CrontabOptions = {}): string {
  const s = validateSchedule(schedule);
  // An unescaped % in a crontab command ends the command (the rest becomes its stdin).
  const cronCommand = singleLine(command, 'command').replace(/%/g, '\\%');
  const cronZone = checkTimeZone(options.timeZone ?? localTimeZone());
  const start = startWall(s);
  // A clock that never changes offset ticks like UTC; only then do UTC and absolute steps map onto it.
  const steadyZone = () => fixedOffset(cronZone, start.year) !== undefined;
  if (s.utc && fixedOffset(cronZone, start.year) !== 0) {
    throw notExpressible(ScheduleFlag.utc, `cron reads its fields in its own zone (${cronZone}), which is not UTC all year, so it cannot run a UTC schedule; use the systemd timer or a local schedule`);
  }
  const line = (minute: string, hour: string, dayOfMonth: string, month: string, dayOfWeek: string, run = cronCommand) =>
    `${minute} ${hour} ${dayOfMonth} ${month} ${dayOfWeek} ${run}`;
  const minute = String(start.minute);
  const hour = String(start.hour);
  const monthField = (every: number) => (every === 1 ? '*' : monthsOfYear(start.month, every, 'cron').join(','));
  const refuse = (target: string, why: string) => notExpressible(target, `cron cannot express ${why}`);

  switch (s.kind) {
    case 'nonRecurring':
      throw refuse(ScheduleFlag.nonrecurring, 'a run that happens once: it has no year field, so the line would repeat every year; use the systemd timer or Task Scheduler');
    case 'interval':
      if (s.unit === 'minutes') {
        if (60 % s.count !== 0) throw refuse(ScheduleFlag.recurCount, `every ${s.count} minutes: its minute steps restart each hour, and ${s.count} does not divide 60`);
        return line(s.count === 1 ? '*' : steps(start.minute % s.count, s.count, 60), '*', '*', '*', '*');
      }
      if (s.unit === 'hours') {
        if (s.count === 1) return line(minute, '*', '*', '*', '*');
        if (24 % s.count !== 0) throw refuse(ScheduleFlag.recurCount, `every ${s.count} hours: its hour steps restart each day, and ${s.count} does not divide 24`);
        if (!steadyZone()) {
          throw refuse(ScheduleFlag.recurCount, `every ${s.count} hours in ${cronZone}: the schedule steps in absolute time, and cron's wall clock there shifts by an hour at each DST change`);
        }
        return line(minute, steps(start.hour % s.count, s.count, 24), '*', '*', '*');
      }
      if (s.count === 1) return line(minute, hour, '*', '*', '*');
      // Seven wall-clock days from the start is the start's weekday every week.
      if (s.count === 7) return line(minute, hour, '*', '*', String(weekdayOf(start)));
      throw refuse(ScheduleFlag.recurCount, `every ${s.count} days from a given start: its day-of-month steps restart each month; use 1 or 7 days, or a weekly schedule`);
    case 'weekly':
      if (s.weeks !== 1) throw refuse(ScheduleFlag.recurCount, `every ${s.weeks} weeks: it has no week numbers to step; use every week`);
      return line(minute, hour, '*', '*', String(DAYS_OF_WEEK.indexOf(s.dayOfWeek)));
    case 'monthlyByDate':
      if (s.dayOfMonth === 0) throw refuse(ScheduleFlag.dayOfMonth, 'the last day of the month: it has no such field; use the systemd timer or Task Scheduler');
      return line(minute, hour, String(s.dayOfMonth), monthField(s.months), '*');
    case 'monthlyByWeekday':
      if (s.weekOrder === 'last') throw refuse(ScheduleFlag.weekOrder, `the last ${s.dayOfWeek} of the month portably; use the systemd timer or Task Scheduler`);
      return line(minute, hour, ORDER_DAYS[s.weekOrder], monthField(s.months), '*', `[ "$(date +\\%w)" = ${DAYS_OF_WEEK.indexOf(s.dayOfWeek)} ] && ${cronCommand}`);
  }
}
