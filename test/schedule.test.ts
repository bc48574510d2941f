import { expect } from 'chai';
import {
  decodeScheduleString,
  describeSchedule,
  encodeScheduleString,
  formatWithOffset,
  localTimeZone,
  nextOccurrences,
  type Schedule,
  scheduleFromFlags,
  validateSchedule,
} from '../src/schedule/index.js';
import { expectInvalidArgument } from './helpers/expect.js';

const LA = 'America/Los_Angeles';
const BERLIN = 'Europe/Berlin';
const NOW = new Date('2026-11-23T19:30:45.123Z');


/** The runs as ISO strings with the zone's offset, for readable expectations. */
function runs(schedule: Schedule, from: string, count: number, timeZone: string): string[] {
  return nextOccurrences(schedule, new Date(from), count, timeZone).map((date) => formatWithOffset(date, timeZone));
}

function local(start: string, rest: Record<string, unknown>): Schedule {
  return validateSchedule({ start, utc: false, ...rest });
}

describe('schedule model', () => {
  const samples: Schedule[] = [
    { kind: 'interval', unit: 'minutes', count: 59, start: '2026-01-01T00:00:00', utc: false },
    { kind: 'interval', unit: 'hours', count: 23, start: '2026-01-01T00:00:00Z', utc: true },
    { kind: 'interval', unit: 'days', count: 31, start: '2033-12-31T23:59:00', utc: false },
    { kind: 'weekly', dayOfWeek: 'Saturday', weeks: 4, start: '1970-01-01T00:00:00', utc: false },
    { kind: 'monthlyByDate', dayOfMonth: 0, months: 12, start: '2026-02-01T02:00:00', utc: false },
    { kind: 'monthlyByWeekday', weekOrder: 'last', dayOfWeek: 'Friday', months: 1, start: '2026-01-01T02:00:00', utc: false },
    { kind: 'nonRecurring', start: '2026-11-23T02:00:00', utc: false, duration: { days: 1, hours: 2, minutes: 3 } },
  ];

  it('accepts every kind at the edges of its ranges and survives a JSON round trip', () => {
    for (const sample of samples) {
      expect(validateSchedule(JSON.parse(JSON.stringify(sample)))).to.deep.equal(sample);
    }
  });

  it('keeps only the model fields and drops an all-zero duration', () => {
    const cleaned = validateSchedule({ ...samples[0], extra: 'x', duration: { days: 0, hours: 0, minutes: 0 } });
    expect(cleaned).to.deep.equal(samples[0]);
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ['a minute count of 0', { kind: 'interval', unit: 'minutes', count: 0 }, '--recur-count', /1 to 59, got 0/],
    ['a minute count of 60', { kind: 'interval', unit: 'minutes', count: 60 }, '--recur-count', /1 to 59, got 60/],
    ['an hour count of 24', { kind: 'interval', unit: 'hours', count: 24 }, '--recur-count', /1 to 23, got 24/],
    ['a day count of 32', { kind: 'interval', unit: 'days', count: 32 }, '--recur-count', /1 to 31, got 32/],
    ['a fractional count', { kind: 'interval', unit: 'days', count: 1.5 }, '--recur-count', /whole number/],
    ['an unknown interval unit', { kind: 'interval', unit: 'weeks', count: 1 }, '--recur-interval', /minutes, hours, days/],
    ['5 weeks', { kind: 'weekly', dayOfWeek: 'Monday', weeks: 5 }, '--recur-count', /weeks.*1 to 4, got 5/],
    ['an unknown weekday', { kind: 'weekly', dayOfWeek: 'Funday', weeks: 1 }, '--day-of-week', /Sunday, Monday/],
    ['day of month 32', { kind: 'monthlyByDate', dayOfMonth: 32, months: 1 }, '--day-of-month', /0 to 31, got 32/],
    ['day of month -1', { kind: 'monthlyByDate', dayOfMonth: -1, months: 1 }, '--day-of-month', /0 to 31/],
    ['13 months', { kind: 'monthlyByDate', dayOfMonth: 1, months: 13 }, '--recur-count', /months.*1 to 12, got 13/],
    ['0 months', { kind: 'monthlyByWeekday', weekOrder: 'first', dayOfWeek: 'Monday', months: 0 }, '--recur-count', /1 to 12, got 0/],
    ['a fifth week', { kind: 'monthlyByWeekday', weekOrder: 'fifth', dayOfWeek: 'Monday', months: 1 }, '--week-order', /first, second, third, fourth, last/],
    ['an unknown kind', { kind: 'yearly' }, 'schedule.kind', /interval, weekly/],
  ];
  for (const [what, fields, target, message] of bad) {
    it(`refuses ${what}, naming ${target}`, () => {
      expect(expectInvalidArgument(() => local('2026-01-01T00:00:00', fields), 'ScheduleInvalid', target)).to.match(message);
    });
  }

  const badStarts: [string, unknown, boolean, RegExp][] = [
    ['an offset on a local start', '2026-01-01T00:00:00+01:00', false, /without offset/],
    ['Z on a local start', '2026-01-01T00:00:00Z', false, /without offset/],
    ['no Z on a UTC start', '2026-01-01T00:00:00', true, /UTC schedule/],
    ['seconds', '2026-01-01T00:00:30', false, /minute resolution/],
    ['February 30', '2026-02-30T00:00:00', false, /2026-02 has no day 30/],
    ['hour 24', '2026-01-01T24:00:00', false, /hour 24/],
    ['2034, past the token year range', '2034-01-01T00:00:00', false, /1970–2033/],
    ['1969', '1969-12-31T23:59:00', false, /1970–2033/],
    ['a number', 20260101, false, /YYYY-MM-DD/],
  ];
  for (const [what, start, utc, message] of badStarts) {
    it(`refuses a start with ${what}`, () => {
      const msg = expectInvalidArgument(() => validateSchedule({ kind: 'nonRecurring', start, utc }), 'ScheduleInvalid', '--start');
      expect(msg).to.match(message).and.to.include('--start');
    });
  }

  it('refuses a missing utc flag and an out-of-range duration', () => {
    expectInvalidArgument(() => validateSchedule({ kind: 'nonRecurring', start: '2026-01-01T00:00:00' }), 'ScheduleInvalid', '--utc');
    expectInvalidArgument(
      () => validateSchedule({ kind: 'nonRecurring', start: '2026-01-01T00:00:00', utc: false, duration: { days: 0, hours: 24, minutes: 0 } }),
      'ScheduleInvalid',
      'duration',
    );
  });

  it('refuses a day of the month that no visited month has', () => {
    const msg = expectInvalidArgument(() => local('2026-02-01T00:00:00', { kind: 'monthlyByDate', dayOfMonth: 30, months: 12 }), 'ScheduleInvalid', '--day-of-month');
    expect(msg).to.include('February');
    // February 29 exists in leap years, so it is allowed.
    expect(local('2026-02-01T00:00:00', { kind: 'monthlyByDate', dayOfMonth: 29, months: 12 }).kind).to.equal('monthlyByDate');
  });
});

describe('scheduleFromFlags', () => {
  it('builds an interval from --recur-interval and --recur-count (case-insensitive, counts as strings)', () => {
    expect(scheduleFromFlags({ start: '2026-11-23T02:00', recurInterval: 'Days', recurCount: '7' }, NOW, LA)).to.deep.equal({
      kind: 'interval',
      unit: 'days',
      count: 7,
      start: '2026-11-23T02:00:00',
      utc: false,
    });
  });

  it('builds weekly from --day-of-week (abbreviations, any case) with --recur-count as weeks', () => {
    expect(scheduleFromFlags({ start: '2026-01-01T02:00', dayOfWeek: 'tUe', recurCount: 2 }, NOW, LA)).to.deep.equal({
      kind: 'weekly',
      dayOfWeek: 'Tuesday',
      weeks: 2,
      start: '2026-01-01T02:00:00',
      utc: false,
    });
    expect(scheduleFromFlags({ start: '2026-01-01T02:00', dayOfWeek: 'SATURDAY' }, NOW, LA)).to.include({ kind: 'weekly', dayOfWeek: 'Saturday', weeks: 1 });
  });

  it('builds monthly by weekday from --week-order with --day-of-week, --recur-count as months', () => {
    expect(scheduleFromFlags({ start: '2026-01-01T02:00', weekOrder: 'Last', dayOfWeek: 'fri' }, NOW, LA)).to.deep.equal({
      kind: 'monthlyByWeekday',
      weekOrder: 'last',
      dayOfWeek: 'Friday',
      months: 1,
      start: '2026-01-01T02:00:00',
      utc: false,
    });
    expect(scheduleFromFlags({ start: '2026-01-01T02:00', weekOrder: 'second', dayOfWeek: 'Tuesday', recurCount: 3 }, NOW, LA)).to.include({ months: 3 });
  });

  it('builds monthly by date from --day-of-month, accepting "last" and 0 for the last day', () => {
    expect(scheduleFromFlags({ start: '2026-01-20T02:00', dayOfMonth: '15', recurCount: 3 }, NOW, LA)).to.deep.equal({
      kind: 'monthlyByDate',
      dayOfMonth: 15,
      months: 3,
      start: '2026-01-20T02:00:00',
      utc: false,
    });
    expect(scheduleFromFlags({ start: '2026-01-20T02:00', dayOfMonth: 'LAST' }, NOW, LA)).to.include({ dayOfMonth: 0, months: 1 });
    expect(scheduleFromFlags({ start: '2026-01-20T02:00', dayOfMonth: 0 }, NOW, LA)).to.include({ dayOfMonth: 0 });
  });

  it('builds a non-recurring schedule', () => {
    expect(scheduleFromFlags({ start: '2026-11-23 02:00:00', nonrecurring: true }, NOW, LA)).to.deep.equal({ kind: 'nonRecurring', start: '2026-11-23T02:00:00', utc: false });
  });

  it('defaults the start to now, to the minute, on the schedule clock', () => {
    const now = new Date('2026-03-08T10:30:45.123Z');
    const daily = { recurInterval: 'days', recurCount: 1 } as const;
    expect(scheduleFromFlags(daily, now, LA).start).to.equal('2026-03-08T03:30:00');
    expect(scheduleFromFlags(daily, now, BERLIN).start).to.equal('2026-03-08T11:30:00');
    expect(scheduleFromFlags({ ...daily, utc: true }, now, LA).start).to.equal('2026-03-08T10:30:00Z');
  });

  it('refuses --nonrecurring without --start: a run that happens once needs its time', () => {
    expect(() => scheduleFromFlags({ nonrecurring: true }, NOW, LA)).to.throw(/--nonrecurring runs once, at --start/);
  });

  it('converts a start with an offset to the schedule clock, and drops seconds', () => {
    expect(scheduleFromFlags({ start: '2026-11-23T02:00:00-08:00', nonrecurring: true, utc: true }, NOW, LA).start).to.equal('2026-11-23T10:00:00Z');
    expect(scheduleFromFlags({ start: '2026-07-01T12:00:00Z', nonrecurring: true }, NOW, BERLIN).start).to.equal('2026-07-01T14:00:00');
    expect(scheduleFromFlags({ start: '2026-07-01T12:00+0530', nonrecurring: true, utc: true }, NOW, LA).start).to.equal('2026-07-01T06:30:00Z');
    expect(scheduleFromFlags({ start: '2026-11-23T02:00', nonrecurring: true, utc: true }, NOW, LA).start).to.equal('2026-11-23T02:00:00Z');
    expect(scheduleFromFlags({ start: '2026-11-23T02:00:59.999', nonrecurring: true }, NOW, LA).start).to.equal('2026-11-23T02:00:00');
  });

  it('takes a schedule string, and lets --start replace its start', () => {
    expect(scheduleFromFlags({ scheduleString: '0001200000100038' }, NOW, LA)).to.deep.equal({
      kind: 'interval',
      unit: 'days',
      count: 7,
      start: '1970-02-01T00:00:00',
      utc: false,
    });
    expect(scheduleFromFlags({ scheduleString: '0001200000100038', start: '2026-11-23T02:00' }, NOW, LA)).to.include({
      kind: 'interval',
      count: 7,
      start: '2026-11-23T02:00:00',
    });
  });

  const conflicts: [string, Record<string, unknown>, string][] = [
    ['--nonrecurring with --recur-interval', { nonrecurring: true, recurInterval: 'days', recurCount: 1 }, '--recur-interval'],
    ['--nonrecurring with --day-of-week', { nonrecurring: true, dayOfWeek: 'Monday' }, '--day-of-week'],
    ['--day-of-month with --week-order', { dayOfMonth: 1, weekOrder: 'first', dayOfWeek: 'Monday' }, '--week-order'],
    ['--day-of-month with --day-of-week', { dayOfMonth: 1, dayOfWeek: 'Monday' }, '--day-of-week'],
    ['--recur-interval with --day-of-week', { recurInterval: 'days', recurCount: 1, dayOfWeek: 'Monday' }, '--day-of-week'],
    ['--schedule-string with --utc', { scheduleString: '0001200000100038', utc: true }, '--utc'],
    ['--schedule-string with --recur-count', { scheduleString: '0001200000100038', recurCount: 2 }, '--recur-count'],
    ['--schedule-string with --nonrecurring', { scheduleString: '0001200000100038', nonrecurring: true }, '--nonrecurring'],
  ];
  for (const [what, flags, target] of conflicts) {
    it(`refuses ${what} as a conflict`, () => {
      const msg = expectInvalidArgument(() => scheduleFromFlags({ start: '2026-01-01T00:00', ...flags }, NOW, LA), 'ScheduleConflict', target);
      expect(msg).to.include(target);
    });
  }

  const incomplete: [string, Record<string, unknown>, string, RegExp][] = [
    ['--recur-interval without --recur-count', { recurInterval: 'hours' }, '--recur-count', /needs --recur-count/],
    ['--week-order without --day-of-week', { weekOrder: 'first' }, '--day-of-week', /needs --day-of-week/],
    ['--recur-count alone', { recurCount: 3 }, '--recur-count', /needs --recur-interval/],
    ['no recurrence at all', {}, '--nonrecurring', /--nonrecurring/],
    ['a count that is not a number', { recurInterval: 'days', recurCount: 'abc' }, '--recur-count', /whole number, got "abc"/],
    ['a fractional count', { recurInterval: 'days', recurCount: 1.5 }, '--recur-count', /whole number/],
    ['an unknown interval', { recurInterval: 'weeks', recurCount: 1 }, '--recur-interval', /minutes, hours, days/],
    ['an unknown weekday', { dayOfWeek: 'Thurs' }, '--day-of-week', /first three letters/],
    ['an unknown week order', { weekOrder: 'fifth', dayOfWeek: 'Monday' }, '--week-order', /first, second/],
    ['a day of month that is not a number', { dayOfMonth: 'first' }, '--day-of-month', /whole number/],
    ['60 minutes', { recurInterval: 'minutes', recurCount: 60 }, '--recur-count', /1 to 59, got 60/],
    ['5 weeks', { dayOfWeek: 'Monday', recurCount: 5 }, '--recur-count', /1 to 4/],
    ['13 months', { dayOfMonth: 1, recurCount: 13 }, '--recur-count', /1 to 12/],
  ];
  for (const [what, flags, target, message] of incomplete) {
    it(`refuses ${what}`, () => {
      expect(expectInvalidArgument(() => scheduleFromFlags({ start: '2026-01-01T00:00', ...flags }, NOW, LA), 'ScheduleInvalid', target)).to.match(message);
    });
  }

  it('refuses a start that is not a real date and time', () => {
    expect(expectInvalidArgument(() => scheduleFromFlags({ start: 'tomorrow', nonrecurring: true }, NOW, LA), 'ScheduleInvalid', '--start')).to.include('"tomorrow"');
    expectInvalidArgument(() => scheduleFromFlags({ start: '2026-02-29T00:00', nonrecurring: true }, NOW, LA), 'ScheduleInvalid', '--start');
    expectInvalidArgument(() => scheduleFromFlags({ start: '2034-01-01T00:00', nonrecurring: true }, NOW, LA), 'ScheduleInvalid', '--start');
    expectInvalidArgument(() => scheduleFromFlags({ nonrecurring: true }, new Date(NaN), LA), 'ScheduleInvalid', '--start');
  });

  it('refuses an unknown time zone', () => {
    expect(expectInvalidArgument(() => scheduleFromFlags({ nonrecurring: true }, NOW, 'Mars/Olympus_Mons'), 'TimeZoneInvalid', '--time-zone')).to.include('Mars/Olympus_Mons');
  });
});

describe('schedule strings', () => {
  // Real strings with the meaning ConfigMgr gives them: the SUP sync default, the SDK's
  // Convert-CMSchedule example, PSCCMClient's ConvertFrom-CCMSchedule example, and tokens listed
  // with the console's own descriptions in a public maintenance-window report function.
  const known: [string, Schedule, string][] = [
    ['0001200000100038', { kind: 'interval', unit: 'days', count: 7, start: '1970-02-01T00:00:00', utc: false }, 'Occurs every 7 day(s) effective 2/1/1970 12:00 AM'],
    [
      '1033BC7B10100010',
      { kind: 'interval', unit: 'days', count: 2, start: '2019-11-19T01:04:00', utc: false, duration: { days: 0, hours: 2, minutes: 59 } },
      'Occurs every 2 day(s) effective 11/19/2019 1:04 AM',
    ],
    [
      '02C159C0381A2000',
      { kind: 'weekly', dayOfWeek: 'Monday', weeks: 1, start: '2009-05-01T22:00:00', utc: false, duration: { days: 0, hours: 7, minutes: 0 } },
      'Occurs every 1 week(s) on Monday effective 5/1/2009 10:00 PM',
    ],
    ['00011A8500080000', { kind: 'nonRecurring', start: '2012-01-01T00:00:00', utc: false, duration: { days: 0, hours: 0, minutes: 5 } }, 'Occurs on 1/1/2012 12:00 AM'],
    [
      '02811A8040100018',
      { kind: 'interval', unit: 'days', count: 3, start: '2012-01-01T20:00:00', utc: false, duration: { days: 0, hours: 8, minutes: 0 } },
      'Occurs every 3 day(s) effective 1/1/2012 8:00 PM',
    ],
    [
      '02811A80401F6000',
      { kind: 'weekly', dayOfWeek: 'Saturday', weeks: 3, start: '2012-01-01T20:00:00', utc: false, duration: { days: 0, hours: 8, minutes: 0 } },
      'Occurs every 3 week(s) on Saturday effective 1/1/2012 8:00 PM',
    ],
    [
      '02811A8040288800',
      { kind: 'monthlyByDate', dayOfMonth: 2, months: 2, start: '2012-01-01T20:00:00', utc: false, duration: { days: 0, hours: 8, minutes: 0 } },
      'Occurs day 2 of every 2 month(s) effective 1/1/2012 8:00 PM',
    ],
    [
      '02811A80402FC400',
      { kind: 'monthlyByDate', dayOfMonth: 31, months: 1, start: '2012-01-01T20:00:00', utc: false, duration: { days: 0, hours: 8, minutes: 0 } },
      'Occurs day 31 of every 1 month(s) effective 1/1/2012 8:00 PM',
    ],
    [
      '02811A8040280C00',
      { kind: 'monthlyByDate', dayOfMonth: 0, months: 3, start: '2012-01-01T20:00:00', utc: false, duration: { days: 0, hours: 8, minutes: 0 } },
      'Occurs the last day of every 3 months effective 1/1/2012 8:00 PM',
    ],
    [
      '00811A9E08221600',
      { kind: 'monthlyByWeekday', weekOrder: 'third', dayOfWeek: 'Monday', months: 1, start: '2012-01-01T04:00:00', utc: false, duration: { days: 0, hours: 1, minutes: 30 } },
      'Occurs the Third Monday of every 1 month(s) effective 1/1/2012 4:00 AM',
    ],
    [
      '02811A8040241000',
      { kind: 'monthlyByWeekday', weekOrder: 'last', dayOfWeek: 'Wednesday', months: 1, start: '2012-01-01T20:00:00', utc: false, duration: { days: 0, hours: 8, minutes: 0 } },
      'Occurs the Last Wednesday of every 1 month(s) effective 1/1/2012 8:00 PM',
    ],
    [
      '02811A8040241800',
      { kind: 'monthlyByWeekday', weekOrder: 'fourth', dayOfWeek: 'Wednesday', months: 1, start: '2012-01-01T20:00:00', utc: false, duration: { days: 0, hours: 8, minutes: 0 } },
      'Occurs the Fourth Wednesday of every 1 month(s) effective 1/1/2012 8:00 PM',
    ],
  ];
  for (const [text, schedule, description] of known) {
    it(`decodes the real string ${text} as "${description}" and encodes it back`, () => {
      expect(decodeScheduleString(text)).to.deep.equal(schedule);
      expect(encodeScheduleString(schedule)).to.equal(text);
      expect(describeSchedule(schedule)).to.equal(description);
    });
  }

  it('encodes "every 1 day" from the ConfigMgr default start', () => {
    expect(encodeScheduleString({ kind: 'interval', unit: 'days', count: 1, start: '1970-02-01T00:00:00', utc: false })).to.equal('0001200000100008');
  });

  it('sets the IsGMT bit for UTC schedules and nothing else', () => {
    const local: Schedule = { kind: 'interval', unit: 'hours', count: 6, start: '2026-11-23T02:00:00', utc: false };
    const utc: Schedule = { ...local, start: '2026-11-23T02:00:00Z', utc: true };
    const a = BigInt(`0x${encodeScheduleString(local)}`);
    const b = BigInt(`0x${encodeScheduleString(utc)}`);
    expect(b - a).to.equal(1n);
  });

  it('round-trips every kind, local and UTC, with and without durations', () => {
    const schedules: Schedule[] = [
      { kind: 'interval', unit: 'minutes', count: 59, start: '2033-12-31T23:59:00Z', utc: true, duration: { days: 31, hours: 23, minutes: 59 } },
      { kind: 'interval', unit: 'hours', count: 1, start: '1970-01-01T00:00:00', utc: false },
      { kind: 'interval', unit: 'days', count: 31, start: '2026-02-28T12:34:00', utc: false },
      { kind: 'weekly', dayOfWeek: 'Sunday', weeks: 4, start: '2026-03-08T02:30:00', utc: false },
      { kind: 'weekly', dayOfWeek: 'Saturday', weeks: 1, start: '2026-03-08T02:30:00Z', utc: true },
      { kind: 'monthlyByDate', dayOfMonth: 31, months: 12, start: '2026-01-31T02:00:00', utc: false },
      { kind: 'monthlyByDate', dayOfMonth: 0, months: 1, start: '2028-02-29T23:00:00Z', utc: true },
      { kind: 'monthlyByWeekday', weekOrder: 'first', dayOfWeek: 'Thursday', months: 12, start: '2026-01-01T00:00:00', utc: false },
      { kind: 'monthlyByWeekday', weekOrder: 'last', dayOfWeek: 'Friday', months: 6, start: '2026-01-01T00:00:00Z', utc: true, duration: { days: 0, hours: 3, minutes: 0 } },
      { kind: 'nonRecurring', start: '2026-11-23T02:00:00', utc: false },
    ];
    for (const schedule of schedules) {
      const text = encodeScheduleString(schedule);
      expect(text).to.match(/^[0-9A-F]{16}$/);
      expect(decodeScheduleString(text), text).to.deep.equal(schedule);
    }
  });

  it('accepts lower case and surrounding spaces', () => {
    expect(encodeScheduleString(decodeScheduleString(' 02811a80401f6000 '))).to.equal('02811A80401F6000');
  });

  const invalid: [string, string, RegExp][] = [
    ['too short', '000120000010003', /16 hexadecimal digits/],
    ['not hex', '0001200000100G38', /16 hexadecimal digits/],
    ['recurrence type 0', '0001200000000000', /type 0/],
    ['recurrence type 6', '0001200000300000', /type 6/],
    ['an interval with two spans', '0001200000100108', /exactly one.*has 2/],
    ['an interval with no span', '0001200000100000', /exactly one.*has 0/],
    ['a weekly day 0', '0001200000182000', /day of week 0/],
    ['bits no field uses', '0001200000192002', /bits 0x00000002/],
    ['5 weeks', '000120000019A000', /1 to 4, got 5/],
    ['start month 13', '0001D00000100008', /month 13/],
    ['start February 30', '001E200000100008', /1970-02 has no day 30/],
    ['start hour 24', '0301200000100008', /hour 24/],
  ];
  for (const [what, text, message] of invalid) {
    it(`refuses a string with ${what}`, () => {
      const msg = expectInvalidArgument(() => decodeScheduleString(text), 'ScheduleStringInvalid', '--schedule-string');
      expect(msg).to.include(text.trim()).and.to.match(message);
    });
  }

  it('refuses to encode an invalid schedule', () => {
    expectInvalidArgument(
      () => encodeScheduleString({ kind: 'interval', unit: 'days', count: 0, start: '2026-01-01T00:00:00', utc: false }),
      'ScheduleInvalid',
      '--recur-count',
    );
  });
});

describe('describeSchedule', () => {
  it('uses the console wording, 12-hour time and a UTC marker', () => {
    expect(describeSchedule(local('2026-11-23T12:05:00', { kind: 'interval', unit: 'minutes', count: 30 }))).to.equal(
      'Occurs every 30 minute(s) effective 11/23/2026 12:05 PM',
    );
    expect(describeSchedule(validateSchedule({ kind: 'interval', unit: 'hours', count: 6, start: '2026-11-23T00:00:00Z', utc: true }))).to.equal(
      'Occurs every 6 hour(s) effective 11/23/2026 12:00 AM UTC',
    );
    expect(describeSchedule(local('2026-11-23T13:00:00', { kind: 'weekly', dayOfWeek: 'Tuesday', weeks: 2 }))).to.equal(
      'Occurs every 2 week(s) on Tuesday effective 11/23/2026 1:00 PM',
    );
  });
});

describe('nextOccurrences', () => {
  describe('across DST changes', () => {
    it('keeps a daily 02:30 at 02:30 in Los Angeles, moving the skipped 02:30 forward by the gap', () => {
      const daily = local('2026-03-06T02:30:00', { kind: 'interval', unit: 'days', count: 1 });
      expect(runs(daily, '2026-03-06T00:00:00Z', 5, LA)).to.deep.equal([
        '2026-03-06T02:30:00-08:00',
        '2026-03-07T02:30:00-08:00',
        '2026-03-08T03:30:00-07:00',
        '2026-03-09T02:30:00-07:00',
        '2026-03-10T02:30:00-07:00',
      ]);
    });

    it('takes the first 01:30 when Los Angeles falls back', () => {
      const daily = local('2026-10-30T01:30:00', { kind: 'interval', unit: 'days', count: 1 });
      const result = nextOccurrences(daily, new Date('2026-10-31T12:00:00Z'), 3, LA);
      expect(result.map((d) => d.toISOString())).to.deep.equal(['2026-11-01T08:30:00.000Z', '2026-11-02T09:30:00.000Z', '2026-11-03T09:30:00.000Z']);
      expect(formatWithOffset(result[0]!, LA)).to.equal('2026-11-01T01:30:00-07:00');
    });

    it('does the same in Berlin (spring forward and fall back at different dates and hours)', () => {
      const daily = local('2026-03-27T02:30:00', { kind: 'interval', unit: 'days', count: 1 });
      expect(runs(daily, '2026-03-27T00:00:00Z', 4, BERLIN)).to.deep.equal([
        '2026-03-27T02:30:00+01:00',
        '2026-03-28T02:30:00+01:00',
        '2026-03-29T03:30:00+02:00',
        '2026-03-30T02:30:00+02:00',
      ]);
      expect(runs(daily, '2026-10-24T00:00:00Z', 3, BERLIN)).to.deep.equal(['2026-10-24T02:30:00+02:00', '2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00']);
    });

    it('keeps a weekly Sunday 02:30 on the wall clock across the spring-forward Sunday', () => {
      const weekly = local('2026-03-01T02:30:00', { kind: 'weekly', dayOfWeek: 'Sunday', weeks: 1 });
      expect(runs(weekly, '2026-03-01T00:00:00Z', 3, LA)).to.deep.equal(['2026-03-01T02:30:00-08:00', '2026-03-08T03:30:00-07:00', '2026-03-15T02:30:00-07:00']);
    });

    it('steps minute intervals in absolute time through the spring-forward gap', () => {
      const every30 = local('2026-03-08T01:00:00', { kind: 'interval', unit: 'minutes', count: 30 });
      expect(runs(every30, '2026-03-08T08:00:00Z', 5, LA)).to.deep.equal([
        '2026-03-08T01:00:00-08:00',
        '2026-03-08T01:30:00-08:00',
        '2026-03-08T03:00:00-07:00',
        '2026-03-08T03:30:00-07:00',
        '2026-03-08T04:00:00-07:00',
      ]);
    });

    it('steps hour intervals in absolute time through the repeated hour', () => {
      const hourly = local('2026-11-01T00:00:00', { kind: 'interval', unit: 'hours', count: 1 });
      expect(runs(hourly, '2026-11-01T06:00:00Z', 4, LA)).to.deep.equal([
        '2026-11-01T00:00:00-07:00',
        '2026-11-01T01:00:00-07:00',
        '2026-11-01T01:00:00-08:00',
        '2026-11-01T02:00:00-08:00',
      ]);
    });

    it('leaves UTC schedules alone whatever the zone', () => {
      const utcDaily = validateSchedule({ kind: 'interval', unit: 'days', count: 1, start: '2026-03-06T02:30:00Z', utc: true });
      const instants = ['2026-03-06T02:30:00.000Z', '2026-03-07T02:30:00.000Z', '2026-03-08T02:30:00.000Z', '2026-03-09T02:30:00.000Z'];
      expect(nextOccurrences(utcDaily, new Date('2026-03-06T00:00:00Z'), 4, LA).map((d) => d.toISOString())).to.deep.equal(instants);
      expect(nextOccurrences(utcDaily, new Date('2026-03-06T00:00:00Z'), 4, BERLIN).map((d) => d.toISOString())).to.deep.equal(instants);
      // The same instants, shown on the Los Angeles clock, move by the DST hour.
      expect(runs(utcDaily, '2026-03-06T00:00:00Z', 4, LA).slice(1)).to.deep.equal([
        '2026-03-06T18:30:00-08:00',
        '2026-03-07T18:30:00-08:00',
        '2026-03-08T19:30:00-07:00',
      ]);
    });

    it('moves a non-recurring start inside the gap forward too', () => {
      const once = local('2026-03-29T02:15:00', { kind: 'nonRecurring' });
      expect(runs(once, '2026-01-01T00:00:00Z', 5, BERLIN)).to.deep.equal(['2026-03-29T03:15:00+02:00']);
    });
  });

  describe('intervals', () => {
    it('crosses midnight in minute and hour steps', () => {
      const every45 = local('2026-01-01T23:00:00', { kind: 'interval', unit: 'minutes', count: 45 });
      expect(runs(every45, '2026-01-01T21:00:00Z', 4, BERLIN)).to.deep.equal([
        '2026-01-01T23:00:00+01:00',
        '2026-01-01T23:45:00+01:00',
        '2026-01-02T00:30:00+01:00',
        '2026-01-02T01:15:00+01:00',
      ]);
      const every5h = local('2026-01-01T22:00:00', { kind: 'interval', unit: 'hours', count: 5 });
      expect(runs(every5h, '2026-01-02T00:00:00Z', 3, BERLIN)).to.deep.equal(['2026-01-02T03:00:00+01:00', '2026-01-02T08:00:00+01:00', '2026-01-02T13:00:00+01:00']);
    });

    it('returns runs strictly after `from`, starting at the start when it is still ahead', () => {
      const every2h = validateSchedule({ kind: 'interval', unit: 'hours', count: 2, start: '2026-05-01T00:00:00Z', utc: true });
      expect(nextOccurrences(every2h, new Date('2026-04-01T00:00:00Z'), 2).map((d) => d.toISOString())).to.deep.equal(['2026-05-01T00:00:00.000Z', '2026-05-01T02:00:00.000Z']);
      expect(nextOccurrences(every2h, new Date('2026-05-01T02:00:00Z'), 1).map((d) => d.toISOString())).to.deep.equal(['2026-05-01T04:00:00.000Z']);
    });

    it('jumps far ahead without drifting from the start', () => {
      const every3d = decodeScheduleString('02811A8040100018'); // every 3 days from 1/1/2012 8:00 PM
      const result = nextOccurrences(every3d, new Date('2030-06-15T12:00:00Z'), 3, 'UTC');
      expect(result.map((d) => d.toISOString())).to.deep.equal(['2030-06-16T20:00:00.000Z', '2030-06-19T20:00:00.000Z', '2030-06-22T20:00:00.000Z']);
      const daysFromStart = (result[0]!.getTime() - Date.UTC(2012, 0, 1, 20)) / 86_400_000;
      expect(daysFromStart % 3).to.equal(0);
    });

    it('runs the SUP default (every 7 days from 2/1/1970, a Sunday) on Sundays', () => {
      const sup = decodeScheduleString('0001200000100038');
      expect(runs(sup, '2026-11-23T12:00:00Z', 2, LA)).to.deep.equal(['2026-11-29T00:00:00-08:00', '2026-12-06T00:00:00-08:00']);
    });
  });

  describe('weeks and months', () => {
    it('runs every 2 weeks from the first chosen weekday on or after the start', () => {
      // 2026-01-01 is a Thursday; the first Tuesday on or after it is January 6.
      const fortnightly = local('2026-01-01T02:00:00', { kind: 'weekly', dayOfWeek: 'Tuesday', weeks: 2 });
      expect(runs(fortnightly, '2025-12-01T00:00:00Z', 4, BERLIN)).to.deep.equal([
        '2026-01-06T02:00:00+01:00',
        '2026-01-20T02:00:00+01:00',
        '2026-02-03T02:00:00+01:00',
        '2026-02-17T02:00:00+01:00',
      ]);
      expect(runs(fortnightly, '2026-01-20T02:00:00+01:00', 1, BERLIN)).to.deep.equal(['2026-02-03T02:00:00+01:00']);
    });

    it('skips months without day 31', () => {
      const day31 = local('2026-01-31T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 31, months: 1 });
      expect(runs(day31, '2026-01-01T00:00:00Z', 7, 'UTC').map((s) => s.slice(0, 10))).to.deep.equal([
        '2026-01-31',
        '2026-03-31',
        '2026-05-31',
        '2026-07-31',
        '2026-08-31',
        '2026-10-31',
        '2026-12-31',
      ]);
    });

    it('runs day 0 on the last day of each month, February 29 in 2028 but 28 in 2027', () => {
      const last = local('2026-01-01T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 0, months: 1 });
      expect(runs(last, '2026-01-01T00:00:00Z', 4, BERLIN).map((s) => s.slice(0, 10))).to.deep.equal(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
      expect(runs(last, '2027-02-01T00:00:00Z', 1, BERLIN)).to.deep.equal(['2027-02-28T02:00:00+01:00']);
      expect(runs(last, '2028-02-01T00:00:00Z', 1, BERLIN)).to.deep.equal(['2028-02-29T02:00:00+01:00']);
    });

    it('runs day 29 in February only in leap years', () => {
      const day29 = local('2027-01-29T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 29, months: 1 });
      expect(runs(day29, '2027-01-01T00:00:00Z', 2, 'UTC').map((s) => s.slice(0, 10))).to.deep.equal(['2027-01-29', '2027-03-29']);
      expect(runs(day29, '2028-01-01T00:00:00Z', 3, 'UTC').map((s) => s.slice(0, 10))).to.deep.equal(['2028-01-29', '2028-02-29', '2028-03-29']);
      const leapDay = local('2027-02-01T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 29, months: 12 });
      expect(runs(leapDay, '2027-01-01T00:00:00Z', 3, 'UTC').map((s) => s.slice(0, 10))).to.deep.equal(['2028-02-29', '2032-02-29', '2036-02-29']);
    });

    it('counts months from the start month and drops runs before the start', () => {
      const quarterly = local('2026-01-20T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 15, months: 3 });
      expect(runs(quarterly, '2026-01-01T00:00:00Z', 4, 'UTC').map((s) => s.slice(0, 10))).to.deep.equal(['2026-04-15', '2026-07-15', '2026-10-15', '2027-01-15']);
    });

    it('finds the last Friday and the fourth Monday', () => {
      const lastFriday = local('2026-01-01T02:00:00', { kind: 'monthlyByWeekday', weekOrder: 'last', dayOfWeek: 'Friday', months: 1 });
      expect(runs(lastFriday, '2026-01-01T00:00:00Z', 4, 'UTC').map((s) => s.slice(0, 10))).to.deep.equal(['2026-01-30', '2026-02-27', '2026-03-27', '2026-04-24']);
      const fourthMonday = local('2026-01-01T02:00:00', { kind: 'monthlyByWeekday', weekOrder: 'fourth', dayOfWeek: 'Monday', months: 1 });
      expect(runs(fourthMonday, '2026-01-01T00:00:00Z', 4, 'UTC').map((s) => s.slice(0, 10))).to.deep.equal(['2026-01-26', '2026-02-23', '2026-03-23', '2026-04-27']);
      // March 2026 has five Mondays: the last is not the fourth.
      const lastMonday = local('2026-03-01T02:00:00', { kind: 'monthlyByWeekday', weekOrder: 'last', dayOfWeek: 'Monday', months: 1 });
      expect(runs(lastMonday, '2026-03-01T00:00:00Z', 1, 'UTC')).to.deep.equal(['2026-03-30T02:00:00+00:00']);
    });

    it('runs Patch Tuesday (second Tuesday) every 2 months', () => {
      const patch = local('2026-01-01T22:00:00', { kind: 'monthlyByWeekday', weekOrder: 'second', dayOfWeek: 'Tuesday', months: 2 });
      expect(runs(patch, '2026-01-01T00:00:00Z', 3, LA)).to.deep.equal(['2026-01-13T22:00:00-08:00', '2026-03-10T22:00:00-07:00', '2026-05-12T22:00:00-07:00']);
    });
  });

  describe('non-recurring and arguments', () => {
    it('yields the start once, and nothing once it has passed', () => {
      const once = local('2026-11-23T02:00:00', { kind: 'nonRecurring' });
      expect(runs(once, '2026-11-01T00:00:00Z', 3, LA)).to.deep.equal(['2026-11-23T02:00:00-08:00']);
      expect(nextOccurrences(once, new Date('2026-11-23T10:00:00Z'), 3, LA)).to.deep.equal([]);
      expect(nextOccurrences(once, new Date('2027-01-01T00:00:00Z'), 3, LA)).to.deep.equal([]);
    });

    it('returns nothing for a count of 0 and refuses bad arguments', () => {
      const daily = local('2026-01-01T00:00:00', { kind: 'interval', unit: 'days', count: 1 });
      expect(nextOccurrences(daily, NOW, 0, LA)).to.deep.equal([]);
      expectInvalidArgument(() => nextOccurrences(daily, NOW, -1, LA), 'ScheduleInvalid', '--count');
      expectInvalidArgument(() => nextOccurrences(daily, NOW, 1.5, LA), 'ScheduleInvalid', '--count');
      expectInvalidArgument(() => nextOccurrences(daily, new Date('nope'), 1, LA), 'ScheduleInvalid', '--from');
      expectInvalidArgument(() => nextOccurrences(daily, NOW, 1, 'Not/AZone'), 'TimeZoneInvalid', '--time-zone');
      expectInvalidArgument(() => nextOccurrences({ ...daily, count: 99 } as Schedule, NOW, 1, LA), 'ScheduleInvalid', '--recur-count');
    });

    it('uses the process zone when none is given', () => {
      const daily = local('2026-01-01T02:30:00', { kind: 'interval', unit: 'days', count: 1 });
      expect(nextOccurrences(daily, NOW, 3)).to.deep.equal(nextOccurrences(daily, NOW, 3, localTimeZone()));
    });
  });
});

describe('formatWithOffset', () => {
  it('prints the local time with the zone offset at that instant', () => {
    const instant = new Date('2026-03-08T10:30:00Z');
    expect(formatWithOffset(instant, LA)).to.equal('2026-03-08T03:30:00-07:00');
    expect(formatWithOffset(instant, 'Asia/Kolkata')).to.equal('2026-03-08T16:00:00+05:30');
    expect(formatWithOffset(instant, 'UTC')).to.equal('2026-03-08T10:30:00+00:00');
    expect(formatWithOffset(new Date('2026-01-15T12:00:00Z'), BERLIN)).to.equal('2026-01-15T13:00:00+01:00');
  });

  it('refuses an invalid date and an unknown zone', () => {
    expectInvalidArgument(() => formatWithOffset(new Date(NaN), LA), 'ScheduleInvalid', 'date');
    expectInvalidArgument(() => formatWithOffset(NOW, 'Nowhere/Town'), 'TimeZoneInvalid', '--time-zone');
  });
});
