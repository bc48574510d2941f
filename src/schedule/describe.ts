/**
 * One-line English descriptions in the Configuration Manager console's wording, e.g.
 * "Occurs every 7 day(s) effective 2/1/1970 12:00 AM" or "Occurs the Third Monday of every
 * 1 month(s) effective 1/1/2012 4:00 AM". The console's "the last day of every N months" (no
 * "(s)") is kept as it writes it.
 */
import { pad2 } from './calendar.js';
import { type Schedule, startWall, validateSchedule } from './model.js';

const UNIT_WORD = { minutes: 'minute(s)', hours: 'hour(s)', days: 'day(s)' } as const;

/** `M/D/YYYY h:mm AM` (en-US, as the console shows it), with ` UTC` for a UTC schedule. */
function effective(schedule: Schedule): string {
  const w = startWall(schedule);
  const hour12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
  return `${w.month}/${w.day}/${w.year} ${hour12}:${pad2(w.minute)} ${w.hour < 12 ? 'AM' : 'PM'}${schedule.utc ? ' UTC' : ''}`;
}

export function describeSchedule(schedule: Schedule): string {
  const s = validateSchedule(schedule);
  const when = effective(s);
  switch (s.kind) {
    case 'nonRecurring':
      return `Occurs on ${when}`;
    case 'interval':
      return `Occurs every ${s.count} ${UNIT_WORD[s.unit]} effective ${when}`;
    case 'weekly':
      return `Occurs every ${s.weeks} week(s) on ${s.dayOfWeek} effective ${when}`;
    case 'monthlyByDate':
      return s.dayOfMonth === 0
        ? `Occurs the last day of every ${s.months} months effective ${when}`
        : `Occurs day ${s.dayOfMonth} of every ${s.months} month(s) effective ${when}`;
    case 'monthlyByWeekday': {
      const order = s.weekOrder.charAt(0).toUpperCase() + s.weekOrder.slice(1);
      return `Occurs the ${order} ${s.dayOfWeek} of every ${s.months} month(s) effective ${when}`;
    }
  }
}
