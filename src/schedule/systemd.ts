/**
 * systemd timer and service units for a schedule. Calendar kinds become OnCalendar= expressions on
 * the schedule's clock (a UTC schedule says UTC; a local one names `timeZone`, or uses the
 * machine's zone when none is given), with Persistent=true so a run missed while the machine was
 * off happens once at the next boot. Minute and hour intervals step in absolute time, so they are
 * written in UTC when the step divides the hour or the day; other steps fall back to monotonic
 * OnActiveSec=/OnUnitActiveSec= timers counted from when the timer starts (systemd cannot anchor
 * them to the start). A timer has no start boundary: runs matching the expression before the
 * schedule's start happen too if the timer is enabled earlier. Around DST changes systemd's own
 * handling of skipped and repeated local times applies.
 */
import { pad2, weekdayOf } from './calendar.js';
import { DAYS_OF_WEEK, notExpressible, type Schedule, ScheduleFlag, startWall, validateSchedule } from './model.js';
import { scheduleClock } from './occurrences.js';
import { monthsOfYear, singleLine } from './targets.js';
import { checkTimeZone, instantOf } from './timezone.js';

export interface SystemdOptions {
  description: string;
  /** The command line, literally: `%` is escaped so systemd does not read specifiers. */
  execStart: string;
  /** IANA zone a local schedule follows; default the machine's zone. */
  timeZone?: string;
}

export interface SystemdUnits {
  timer: string;
  service: string;
}

const ORDER_DAYS = { first: '01..07', second: '08..14', third: '15..21', fourth: '22..28' } as const;

function dayName(index: number): string {
  return DAYS_OF_WEEK[index]!.slice(0, 3);
}

/** The [Timer] lines for the schedule. */
function timerLines(s: Schedule, timeZone: string | undefined): string[] {
  const start = startWall(s);
  const zone = s.utc ? ' UTC' : timeZone === undefined ? '' : ` ${checkTimeZone(timeZone)}`;
  const time = `${pad2(start.hour)}:${pad2(start.minute)}:00`;
  const calendar = (expression: string) => [`OnCalendar=${expression} ${time}${zone}`, 'Persistent=true'];
  const monthField = (every: number) => (every === 1 ? '*' : monthsOfYear(start.month, every, 'systemd OnCalendar').map(pad2).join(','));
  switch (s.kind) {
    case 'nonRecurring':
      return calendar(`${start.year}-${pad2(start.month)}-${pad2(start.day)}`);
    case 'interval': {
      if (s.unit === 'days') {
        if (s.count === 1) return calendar('*-*-*');
        // Seven wall-clock days from the start is the start's weekday every week.
        if (s.count === 7) return calendar(`${dayName(weekdayOf(start))} *-*-*`);
        throw notExpressible(
          ScheduleFlag.recurCount,
          `systemd OnCalendar cannot express every ${s.count} days from a given start (its day-of-month steps restart each month); use 1 or 7 days, or a weekly schedule`,
        );
      }
      const at = new Date(instantOf(start, scheduleClock(s, timeZone)));
      const minute = pad2(at.getUTCMinutes());
      if (s.unit === 'minutes' && 60 % s.count === 0) {
        return [`OnCalendar=*-*-* *:${s.count === 1 ? '*' : `${pad2(at.getUTCMinutes() % s.count)}/${s.count}`}:00 UTC`, 'Persistent=true'];
      }
      if (s.unit === 'hours' && 24 % s.count === 0) {
        return [`OnCalendar=*-*-* ${s.count === 1 ? '*' : `${pad2(at.getUTCHours() % s.count)}/${s.count}`}:${minute}:00 UTC`, 'Persistent=true'];
      }
      const span = `${s.count}${s.unit === 'minutes' ? 'min' : 'h'}`;
      return [
        `# Every ${s.count} ${s.unit} counted from when the timer starts: a step that does not divide the ${s.unit === 'minutes' ? 'hour' : 'day'} cannot be anchored to the schedule's start.`,
        `OnActiveSec=${span}`,
        `OnUnitActiveSec=${span}`,
      ];
    }
    case 'weekly':
      if (s.weeks !== 1) {
        throw notExpressible(ScheduleFlag.recurCount, `systemd OnCalendar cannot express every ${s.weeks} weeks (it has no week numbers to step); use every week`);
      }
      return calendar(`${dayName(DAYS_OF_WEEK.indexOf(s.dayOfWeek))} *-*-*`);
    case 'monthlyByDate':
      return calendar(s.dayOfMonth === 0 ? `*-${monthField(s.months)}~01` : `*-${monthField(s.months)}-${pad2(s.dayOfMonth)}`);
    case 'monthlyByWeekday': {
      const day = dayName(DAYS_OF_WEEK.indexOf(s.dayOfWeek));
      // "~07/1": the last seven days of the month, so exactly one of them is the weekday.
      return calendar(s.weekOrder === 'last' ? `${day} *-${monthField(s.months)}~07/1` : `${day} *-${monthField(s.months)}-${ORDER_DAYS[s.weekOrder]}`);
    }
  }
}

/** `%` starts a specifier in unit files. */
function unitText(value: string, target: string): string {
  return singleLine(value, target).replace(/%/g, '%%');
}

/**
 * A `.timer` and a oneshot `.service` of the same name (the caller picks the name). A oneshot
 * service is not started again while it runs, so runs never overlap.
 */
export function toSystemdUnits(schedule: Schedule, options: SystemdOptions): SystemdUnits {
  const s = validateSchedule(schedule);
  const description = unitText(options.description, 'description');
  const execStart = unitText(options.execStart, 'execStart');
  const timer = ['[Unit]', `Description=${description} (timer)`, '', '[Timer]', ...timerLines(s, options.timeZone), 'AccuracySec=1s', '', '[Install]', 'WantedBy=timers.target', ''];
  const service = [
    '[Unit]',
    `Description=${description}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${execStart}`,
    '',
  ];
  return { timer: timer.join('\n'), service: service.join('\n') };
}
