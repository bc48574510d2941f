/**
 * ConfigMgr's schedule string: the 16-hex-digit "interval string" that New-CMSchedule
 * -ScheduleString prints and SMS_SCI_Component schedule properties store. Bit layout from the
 * SMS_ScheduleMethods ReadFromString/WriteToString reference (two DWORDs, most significant first):
 *
 *   first DWORD   31–26 start minute · 25–21 start hour · 20–16 start day · 15–12 start month
 *                 11–6 start year − 1970 · 5–0 duration minutes
 *   second DWORD  31–27 duration hours · 26–22 duration days · 21–19 recurrence type · 0 IsGMT
 *     type 1 non-recurring   (no fields)
 *     type 2 interval        18–13 minute span · 12–8 hour span · 7–3 day span
 *     type 3 weekly          18–16 day (1 = Sunday) · 15–13 number of weeks
 *     type 4 monthly/weekday 18–16 day (1 = Sunday) · 15–12 number of months · 11–9 week order (0 = last)
 *     type 5 monthly/date    18–14 day of month (0 = last) · 13–10 number of months
 */
import { InvalidArgumentError } from '../errors.js';
import {
  checkWallTime,
  DAYS_OF_WEEK,
  type IntervalUnit,
  type Schedule,
  ScheduleErrorCode,
  ScheduleFlag,
  type ScheduleKind,
  startText,
  startWall,
  validateSchedule,
  WEEK_ORDERS,
  type WeekOrder,
} from './model.js';

const TYPE_CODE: Readonly<Record<ScheduleKind, number>> = { nonRecurring: 1, interval: 2, weekly: 3, monthlyByWeekday: 4, monthlyByDate: 5 };
const KIND_OF_CODE: readonly (ScheduleKind | undefined)[] = [undefined, 'nonRecurring', 'interval', 'weekly', 'monthlyByWeekday', 'monthlyByDate'];
const WEEK_ORDER_CODE: Readonly<Record<WeekOrder, number>> = { last: 0, first: 1, second: 2, third: 3, fourth: 4 };
const SPAN: Readonly<Record<IntervalUnit, { shift: number; width: number }>> = {
  minutes: { shift: 13, width: 6 },
  hours: { shift: 8, width: 5 },
  days: { shift: 3, width: 5 },
};

/** Second-DWORD bits each type uses: durations, type and IsGMT, plus its own fields. */
const COMMON_BITS = 0xfff80001;
const TYPE_BITS: Readonly<Record<ScheduleKind, number>> = {
  nonRecurring: 0,
  interval: 0x0007fff8,
  weekly: 0x0007e000,
  monthlyByWeekday: 0x0007fe00,
  monthlyByDate: 0x0007fc00,
};

function bits(word: number, shift: number, width: number): number {
  return (word >>> shift) & ((1 << width) - 1);
}

function hex8(word: number): string {
  return (word >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** The 16 upper-case hex digits ConfigMgr writes for the schedule. */
export function encodeScheduleString(schedule: Schedule): string {
  const s = validateSchedule(schedule);
  const start = startWall(s);
  const duration = s.duration ?? { days: 0, hours: 0, minutes: 0 };
  const first = (start.minute << 26) | (start.hour << 21) | (start.day << 16) | (start.month << 12) | ((start.year - 1970) << 6) | duration.minutes;
  let fields = 0;
  switch (s.kind) {
    case 'interval':
      fields = s.count << SPAN[s.unit].shift;
      break;
    case 'weekly':
      fields = ((DAYS_OF_WEEK.indexOf(s.dayOfWeek) + 1) << 16) | (s.weeks << 13);
      break;
    case 'monthlyByWeekday':
      fields = ((DAYS_OF_WEEK.indexOf(s.dayOfWeek) + 1) << 16) | (s.months << 12) | (WEEK_ORDER_CODE[s.weekOrder] << 9);
      break;
    case 'monthlyByDate':
      fields = (s.dayOfMonth << 14) | (s.months << 10);
      break;
    case 'nonRecurring':
      break;
  }
  const second = (duration.hours << 27) | (duration.days << 22) | (TYPE_CODE[s.kind] << 19) | fields | (s.utc ? 1 : 0);
  return hex8(first) + hex8(second);
}

/** Decodes a 16-hex-digit schedule string; throws InvalidArgumentError (ScheduleStringInvalid). */
export function decodeScheduleString(text: string): Schedule {
  const target = ScheduleFlag.scheduleString;
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const fail = (what: string, cause?: unknown) =>
    new InvalidArgumentError(ScheduleErrorCode.stringInvalid, `${target} ${JSON.stringify(text)} is not a valid ConfigMgr schedule string: ${what}`, {
      target,
      ...(cause === undefined ? {} : { cause }),
    });
  if (!/^[0-9A-Fa-f]{16}$/.test(trimmed)) throw fail('it must be exactly 16 hexadecimal digits');
  const first = parseInt(trimmed.slice(0, 8), 16);
  const second = parseInt(trimmed.slice(8), 16);

  const typeCode = bits(second, 19, 3);
  const kind = KIND_OF_CODE[typeCode];
  if (!kind) throw fail(`recurrence type ${typeCode} is not one of the types 1–5 this decoder knows`);
  const unused = (second & ~(COMMON_BITS | TYPE_BITS[kind])) >>> 0;
  if (unused !== 0) throw fail(`bits 0x${hex8(unused)} are set, which a type ${typeCode} schedule does not use`);

  const utc = bits(second, 0, 1) === 1;
  const wall = {
    minute: bits(first, 26, 6),
    hour: bits(first, 21, 5),
    day: bits(first, 16, 5),
    month: bits(first, 12, 4),
    year: 1970 + bits(first, 6, 6),
  };
  const duration = { days: bits(second, 22, 5), hours: bits(second, 27, 5), minutes: bits(first, 0, 6) };
  const candidate: Record<string, unknown> = { kind, start: startText(wall, utc), utc, duration };
  const dayOfWeek = (code: number) => {
    if (code < 1 || code > 7) throw fail(`day of week ${code} is not 1 (Sunday)–7 (Saturday)`);
    return DAYS_OF_WEEK[code - 1];
  };
  switch (kind) {
    case 'interval': {
      const span = (unit: IntervalUnit) => bits(second, SPAN[unit].shift, SPAN[unit].width);
      const units = (Object.keys(SPAN) as IntervalUnit[]).filter((unit) => span(unit) !== 0);
      if (units.length !== 1) throw fail(`an interval needs exactly one of the minute, hour and day spans, it has ${units.length}`);
      Object.assign(candidate, { unit: units[0], count: span(units[0]!) });
      break;
    }
    case 'weekly':
      Object.assign(candidate, { dayOfWeek: dayOfWeek(bits(second, 16, 3)), weeks: bits(second, 13, 3) });
      break;
    case 'monthlyByWeekday': {
      const order = WEEK_ORDERS.find((o) => WEEK_ORDER_CODE[o] === bits(second, 9, 3));
      if (!order) throw fail(`week order ${bits(second, 9, 3)} is not 0 (last)–4 (fourth)`);
      Object.assign(candidate, { weekOrder: order, dayOfWeek: dayOfWeek(bits(second, 16, 3)), months: bits(second, 12, 4) });
      break;
    }
    case 'monthlyByDate':
      Object.assign(candidate, { dayOfMonth: bits(second, 14, 5), months: bits(second, 10, 4) });
      break;
    case 'nonRecurring':
      break;
  }
  try {
    checkWallTime(wall, target, 'the start');
    return validateSchedule(candidate);
  } catch (error) {
    throw error instanceof InvalidArgumentError ? fail(error.message, error) : error;
  }
}
