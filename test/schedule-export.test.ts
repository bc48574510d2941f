import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  decodeScheduleString,
  describeSchedule,
  encodeUtf16le,
  nextOccurrences,
  type Schedule,
  TASK_NAMESPACE,
  toCrontabLine,
  toSystemdUnits,
  toTaskXml,
  validateSchedule,
} from '../src/schedule/index.js';
import { expectInvalidArgument } from './helpers/expect.js';

const BERLIN = 'Europe/Berlin';
const ACTION = { command: 'C:\\Program Files\\supsync\\supsync.exe', arguments: 'sync --site PS1' };


function local(start: string, rest: Record<string, unknown>): Schedule {
  return validateSchedule({ start, utc: false, ...rest });
}

const minutes = local('2026-01-10T02:07:00', { kind: 'interval', unit: 'minutes', count: 15 });
const hours = local('2026-01-10T02:07:00', { kind: 'interval', unit: 'hours', count: 6 });
const daily = local('2026-01-10T02:30:00', { kind: 'interval', unit: 'days', count: 1 });
const fortnightly = local('2026-01-01T02:00:00', { kind: 'weekly', dayOfWeek: 'Tuesday', weeks: 2 });
const quarterly = local('2026-01-20T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 15, months: 3 });
const lastDay = local('2026-01-01T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 0, months: 1 });
const patchTuesday = local('2026-01-01T22:00:00', { kind: 'monthlyByWeekday', weekOrder: 'second', dayOfWeek: 'Tuesday', months: 1 });
const lastFriday = local('2026-01-01T02:00:00', { kind: 'monthlyByWeekday', weekOrder: 'last', dayOfWeek: 'Friday', months: 6 });
const once = local('2026-11-23T02:00:00', { kind: 'nonRecurring' });
const utcDaily = validateSchedule({ kind: 'interval', unit: 'days', count: 1, start: '2026-01-10T02:30:00Z', utc: true });
const every5Months = local('2026-01-01T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 1, months: 5 });

describe('toTaskXml', () => {
  type Node = Record<string, unknown>;
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: true });
  const nameOf = (node: Node) => Object.keys(node).find((key) => key !== ':@')!;
  const childrenOf = (node: Node) => (node[nameOf(node)] as Node[]).filter((child) => nameOf(child) !== '#text');
  const names = (node: Node) => childrenOf(node).map(nameOf);
  const attributesOf = (node: Node) => (node[':@'] ?? {}) as Record<string, string>;
  const textOf = (node: Node) => String(((node[nameOf(node)] as Node[])[0] ?? {})['#text'] ?? '');
  function child(node: Node, ...path: string[]): Node {
    let current = node;
    for (const name of path) {
      const next = childrenOf(current).find((c) => nameOf(c) === name);
      expect(next, `<${name}> under <${nameOf(current)}>`).to.not.equal(undefined);
      current = next!;
    }
    return current;
  }
  function parseTask(xml: string): Node {
    expect(XMLValidator.validate(xml)).to.equal(true);
    const nodes = parser.parse(xml) as Node[];
    expect(nodes.map(nameOf)).to.deep.equal(['?xml', 'Task']);
    return nodes[1]!;
  }
  function triggerOf(schedule: Schedule): Node {
    const triggers = child(parseTask(toTaskXml(schedule, ACTION)), 'Triggers');
    expect(childrenOf(triggers)).to.have.length(1);
    return childrenOf(triggers)[0]!;
  }
  // triggerBaseType's xs:sequence, then timeTriggerType's / calendarTriggerType's extension.
  const TRIGGER_SEQUENCE = ['Enabled', 'StartBoundary', 'EndBoundary', 'Repetition', 'ExecutionTimeLimit', 'RandomDelay', 'ScheduleBy'];
  function expectSchemaOrder(trigger: Node): void {
    const positions = names(trigger).map((name) => TRIGGER_SEQUENCE.findIndex((allowed) => name.startsWith(allowed)));
    expect(positions, names(trigger).join(', ')).to.not.include(-1);
    expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
  }

  it('writes a 1.2 task with the UTF-16 declaration and the required parts in order', () => {
    const xml = toTaskXml(daily, ACTION);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-16"?>\r\n')).to.equal(true);
    const task = parseTask(xml);
    expect(attributesOf(task)).to.deep.equal({ version: '1.2', xmlns: TASK_NAMESPACE });
    expect(names(task)).to.deep.equal(['RegistrationInfo', 'Triggers', 'Principals', 'Settings', 'Actions']);
    expect(textOf(child(task, 'RegistrationInfo', 'Description'))).to.equal(describeSchedule(daily));

    const principal = child(task, 'Principals', 'Principal');
    expect(attributesOf(principal)).to.deep.equal({ id: 'Author' });
    expect(names(principal)).to.deep.equal(['UserId', 'RunLevel']);
    expect(textOf(child(principal, 'UserId'))).to.equal('S-1-5-18');
    expect(textOf(child(principal, 'RunLevel'))).to.equal('HighestAvailable');

    const settings = child(task, 'Settings');
    expect(textOf(child(settings, 'MultipleInstancesPolicy'))).to.equal('IgnoreNew');
    expect(textOf(child(settings, 'StartWhenAvailable'))).to.equal('true');
    expect(textOf(child(settings, 'ExecutionTimeLimit'))).to.match(/^PT\d+H$/);
    expect(names(settings)).to.not.include.members(['UseUnifiedSchedulingEngine', 'DisallowStartOnRemoteAppSession']); // 1.3 only

    const actions = child(task, 'Actions');
    expect(attributesOf(actions)).to.deep.equal({ Context: 'Author' });
    expect(names(child(actions, 'Exec'))).to.deep.equal(['Command', 'Arguments']);
    expect(textOf(child(actions, 'Exec', 'Command'))).to.equal(ACTION.command);
  });

  it('writes a minute or hour interval as a TimeTrigger with an indefinite Repetition', () => {
    for (const [schedule, interval] of [
      [minutes, 'PT15M'],
      [hours, 'PT6H'],
    ] as const) {
      const trigger = triggerOf(schedule);
      expect(nameOf(trigger)).to.equal('TimeTrigger');
      expect(names(trigger)).to.deep.equal(['StartBoundary', 'Repetition']);
      expectSchemaOrder(trigger);
      expect(textOf(child(trigger, 'StartBoundary'))).to.equal('2026-01-10T02:07:00');
      expect(names(child(trigger, 'Repetition'))).to.deep.equal(['Interval']);
      expect(textOf(child(trigger, 'Repetition', 'Interval'))).to.equal(interval);
    }
  });

  it('writes a day interval as ScheduleByDay', () => {
    const trigger = triggerOf(local('2026-01-10T02:30:00', { kind: 'interval', unit: 'days', count: 3 }));
    expect(nameOf(trigger)).to.equal('CalendarTrigger');
    expect(names(trigger)).to.deep.equal(['StartBoundary', 'ScheduleByDay']);
    expectSchemaOrder(trigger);
    expect(textOf(child(trigger, 'ScheduleByDay', 'DaysInterval'))).to.equal('3');
  });

  it('writes weekly as ScheduleByWeek, starting on the first run day', () => {
    const trigger = triggerOf(fortnightly);
    expect(names(trigger)).to.deep.equal(['StartBoundary', 'ScheduleByWeek']);
    expectSchemaOrder(trigger);
    // 2026-01-01 is a Thursday; the first Tuesday on or after it is January 6.
    expect(textOf(child(trigger, 'StartBoundary'))).to.equal('2026-01-06T02:00:00');
    expect(names(child(trigger, 'ScheduleByWeek'))).to.deep.equal(['WeeksInterval', 'DaysOfWeek']);
    expect(textOf(child(trigger, 'ScheduleByWeek', 'WeeksInterval'))).to.equal('2');
    expect(names(child(trigger, 'ScheduleByWeek', 'DaysOfWeek'))).to.deep.equal(['Tuesday']);
  });

  it('writes monthly by date as ScheduleByMonth with the months the step visits', () => {
    const trigger = triggerOf(quarterly);
    expect(names(trigger)).to.deep.equal(['StartBoundary', 'ScheduleByMonth']);
    expectSchemaOrder(trigger);
    expect(names(child(trigger, 'ScheduleByMonth'))).to.deep.equal(['DaysOfMonth', 'Months']);
    expect(textOf(child(trigger, 'ScheduleByMonth', 'DaysOfMonth', 'Day'))).to.equal('15');
    expect(names(child(trigger, 'ScheduleByMonth', 'Months'))).to.deep.equal(['January', 'April', 'July', 'October']);

    const last = triggerOf(lastDay);
    expect(textOf(child(last, 'ScheduleByMonth', 'DaysOfMonth', 'Day'))).to.equal('Last');
    expect(names(child(last, 'ScheduleByMonth', 'Months'))).to.have.length(12);
  });

  it('writes monthly by weekday as ScheduleByMonthDayOfWeek', () => {
    const trigger = triggerOf(patchTuesday);
    expect(names(trigger)).to.deep.equal(['StartBoundary', 'ScheduleByMonthDayOfWeek']);
    expectSchemaOrder(trigger);
    const byWeekday = child(trigger, 'ScheduleByMonthDayOfWeek');
    expect(names(byWeekday)).to.deep.equal(['Weeks', 'DaysOfWeek', 'Months']);
    expect(textOf(child(byWeekday, 'Weeks', 'Week'))).to.equal('2');
    expect(names(child(byWeekday, 'DaysOfWeek'))).to.deep.equal(['Tuesday']);
    expect(names(child(byWeekday, 'Months'))).to.deep.equal([
      'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December',
    ]);

    const last = child(triggerOf(lastFriday), 'ScheduleByMonthDayOfWeek');
    expect(textOf(child(last, 'Weeks', 'Week'))).to.equal('Last');
    expect(names(child(last, 'Months'))).to.deep.equal(['January', 'July']);
  });

  it('writes a non-recurring schedule as a bare TimeTrigger', () => {
    const trigger = triggerOf(once);
    expect(nameOf(trigger)).to.equal('TimeTrigger');
    expect(names(trigger)).to.deep.equal(['StartBoundary']);
    expect(textOf(child(trigger, 'StartBoundary'))).to.equal('2026-11-23T02:00:00');
  });

  it('writes a UTC start boundary with Z', () => {
    expect(textOf(child(triggerOf(utcDaily), 'StartBoundary'))).to.equal('2026-01-10T02:30:00Z');
  });

  it('refuses a month step that does not divide the year', () => {
    expect(expectInvalidArgument(() => toTaskXml(every5Months, ACTION), 'ScheduleNotExpressible', '--recur-count')).to.match(/Task Scheduler.*every 5 months/);
  });

  it('escapes text and keeps it exact, and takes the options', () => {
    const action = { command: 'C:\\a&b\\<sync>.exe', arguments: `--name "it's" --x=1<2`, workingDirectory: 'C:\\work & play' };
    const task = parseTask(toTaskXml(daily, action, { description: 'Sync <PS1> & "more"', author: 'CONTOSO\\admin', userId: 'CONTOSO\\svc-sync' }));
    expect(textOf(child(task, 'Actions', 'Exec', 'Command'))).to.equal(action.command);
    expect(textOf(child(task, 'Actions', 'Exec', 'Arguments'))).to.equal(action.arguments);
    expect(names(child(task, 'Actions', 'Exec'))).to.deep.equal(['Command', 'Arguments', 'WorkingDirectory']);
    expect(textOf(child(task, 'Actions', 'Exec', 'WorkingDirectory'))).to.equal(action.workingDirectory);
    expect(textOf(child(task, 'RegistrationInfo', 'Description'))).to.equal('Sync <PS1> & "more"');
    expect(textOf(child(task, 'RegistrationInfo', 'Author'))).to.equal('CONTOSO\\admin');
    const principal = child(task, 'Principals', 'Principal');
    expect(textOf(child(principal, 'UserId'))).to.equal('CONTOSO\\svc-sync');
    expect(textOf(child(principal, 'LogonType'))).to.equal('Password');
  });

  it('leaves Arguments out when empty and refuses what XML cannot hold', () => {
    expect(names(child(parseTask(toTaskXml(daily, { command: 'supsync.exe', arguments: '' })), 'Actions', 'Exec'))).to.deep.equal(['Command']);
    expectInvalidArgument(() => toTaskXml(daily, { command: 'supsync\u0007.exe', arguments: '' }), 'ScheduleInvalid', 'command');
    expectInvalidArgument(() => toTaskXml(daily, { command: '  ', arguments: '' }), 'ScheduleInvalid', 'command');
  });

  it('encodes the file as UTF-16LE with a byte order mark', () => {
    const xml = toTaskXml(daily, { command: 'C:\\Tâches\\supsync.exe', arguments: '' });
    const bytes = encodeUtf16le(xml);
    expect([...bytes.subarray(0, 4)]).to.deep.equal([0xff, 0xfe, 0x3c, 0x00]); // BOM, then "<"
    expect(bytes.length).to.equal(2 + 2 * xml.length);
    expect(bytes.subarray(2).toString('utf16le')).to.equal(xml);
  });
});

describe('toSystemdUnits', () => {
  const timerLines = (schedule: Schedule, timeZone?: string) =>
    toSystemdUnits(schedule, { description: 'supsync PS1', execStart: '/usr/bin/supsync sync', ...(timeZone ? { timeZone } : {}) })
      .timer.split('\n')
      .filter((line) => /^(OnCalendar|OnActiveSec|OnUnitActiveSec|Persistent)=/.test(line));

  const calendars: [string, Schedule, string | undefined, string][] = [
    ['daily, in a named zone', daily, BERLIN, '*-*-* 02:30:00 Europe/Berlin'],
    ['daily, on the machine clock', daily, undefined, '*-*-* 02:30:00'],
    ['daily UTC', utcDaily, BERLIN, '*-*-* 02:30:00 UTC'],
    ['every 7 days from a Sunday', decodeScheduleString('0001200000100038'), undefined, 'Sun *-*-* 00:00:00'],
    ['weekly', local('2026-01-01T02:00:00', { kind: 'weekly', dayOfWeek: 'Tuesday', weeks: 1 }), BERLIN, 'Tue *-*-* 02:00:00 Europe/Berlin'],
    ['quarterly on the 15th', quarterly, undefined, '*-01,04,07,10-15 02:00:00'],
    ['the last day of the month', lastDay, undefined, '*-*~01 02:00:00'],
    ['the second Tuesday', patchTuesday, undefined, 'Tue *-*-08..14 22:00:00'],
    ['the last Friday every 6 months', lastFriday, undefined, 'Fri *-01,07~07/1 02:00:00'],
    ['once', once, BERLIN, '2026-11-23 02:00:00 Europe/Berlin'],
    // 02:07 in Berlin in January is 01:07 UTC; absolute steps are written in UTC.
    ['every 15 minutes', minutes, BERLIN, '*-*-* *:07/15:00 UTC'],
    ['every 6 hours', hours, BERLIN, '*-*-* 01/6:07:00 UTC'],
    ['every hour', local('2026-01-10T02:07:00', { kind: 'interval', unit: 'hours', count: 1 }), BERLIN, '*-*-* *:07:00 UTC'],
    ['every minute', local('2026-01-10T02:07:00', { kind: 'interval', unit: 'minutes', count: 1 }), BERLIN, '*-*-* *:*:00 UTC'],
  ];
  for (const [what, schedule, timeZone, expression] of calendars) {
    it(`writes ${what} as OnCalendar=${expression}, persistent`, () => {
      expect(timerLines(schedule, timeZone)).to.deep.equal([`OnCalendar=${expression}`, 'Persistent=true']);
    });
  }

  it('falls back to monotonic timers for a step that does not divide the hour or day', () => {
    const every7 = local('2026-01-10T02:07:00', { kind: 'interval', unit: 'minutes', count: 7 });
    expect(timerLines(every7)).to.deep.equal(['OnActiveSec=7min', 'OnUnitActiveSec=7min']);
    const every5h = local('2026-01-10T02:07:00', { kind: 'interval', unit: 'hours', count: 5 });
    const timer = toSystemdUnits(every5h, { description: 'x', execStart: 'y' }).timer;
    expect(timer).to.include('OnUnitActiveSec=5h').and.to.match(/^# Every 5 hours counted from when the timer starts/m);
  });

  const refused: [string, Schedule, RegExp][] = [
    ['every 3 days', local('2026-01-10T02:30:00', { kind: 'interval', unit: 'days', count: 3 }), /every 3 days/],
    ['every 2 weeks', fortnightly, /every 2 weeks/],
    ['every 5 months', every5Months, /every 5 months/],
  ];
  for (const [what, schedule, message] of refused) {
    it(`refuses ${what}`, () => {
      expect(expectInvalidArgument(() => toSystemdUnits(schedule, { description: 'x', execStart: 'y' }), 'ScheduleNotExpressible', '--recur-count')).to.match(message);
    });
  }

  it('writes a oneshot service, escapes % and refuses multi-line values', () => {
    const units = toSystemdUnits(daily, { description: 'supsync 100% sync', execStart: '/usr/bin/supsync sync --note 50%' });
    expect(units.service.split('\n')).to.include.members(['[Service]', 'Type=oneshot', 'ExecStart=/usr/bin/supsync sync --note 50%%', 'Description=supsync 100%% sync']);
    expect(units.timer.split('\n')).to.include.members(['[Timer]', '[Install]', 'WantedBy=timers.target']);
    expectInvalidArgument(() => toSystemdUnits(daily, { description: 'a\nb', execStart: 'y' }), 'ScheduleInvalid', 'description');
    expectInvalidArgument(() => toSystemdUnits(daily, { description: 'a', execStart: '' }), 'ScheduleInvalid', 'execStart');
    expectInvalidArgument(() => toSystemdUnits(daily, { description: 'a', execStart: 'y', timeZone: 'Bad/Zone' }), 'TimeZoneInvalid', '--time-zone');
  });

  // systemd-analyze computes when an OnCalendar expression elapses: it must agree with
  // nextOccurrences (away from DST gaps, where systemd skips the time instead of moving it).
  const analyze = spawnSync('systemd-analyze', ['--version']);
  (analyze.error || analyze.status !== 0 ? it.skip : it)('agrees with systemd-analyze on when each expression elapses', () => {
    const base = new Date('2026-05-05T12:34:00Z');
    const cases: [Schedule, string | undefined][] = [
      [daily, BERLIN],
      [utcDaily, undefined],
      [decodeScheduleString('0001200000100038'), BERLIN],
      [quarterly, BERLIN],
      [lastDay, BERLIN],
      [local('2026-01-31T02:00:00', { kind: 'monthlyByDate', dayOfMonth: 31, months: 1 }), BERLIN],
      [patchTuesday, BERLIN],
      [lastFriday, BERLIN],
      [local('2026-01-01T02:00:00', { kind: 'monthlyByWeekday', weekOrder: 'fourth', dayOfWeek: 'Monday', months: 2 }), BERLIN],
      [minutes, BERLIN],
      [hours, BERLIN],
      [local('2026-01-01T23:59:00', { kind: 'weekly', dayOfWeek: 'Saturday', weeks: 1 }), 'Asia/Kolkata'],
    ];
    for (const [schedule, timeZone] of cases) {
      const calendar = timerLines(schedule, timeZone ?? 'UTC')[0]!.slice('OnCalendar='.length);
      const output = execFileSync('systemd-analyze', ['calendar', '--iterations=6', `--base-time=@${base.getTime() / 1000}`, calendar], {
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC' },
      });
      const elapses = [...output.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC/g)].map((m) => `${m[1]}T${m[2]}.000Z`);
      const ours = nextOccurrences(schedule, base, 6, timeZone ?? 'UTC').map((d) => d.toISOString());
      expect(elapses, calendar).to.deep.equal(ours);
    }
  });
});

describe('toCrontabLine', () => {
  const lines: [string, Schedule, string, string][] = [
    ['daily', daily, BERLIN, '30 2 * * * supsync sync'],
    ['every 7 days from a Sunday', decodeScheduleString('0001200000100038'), BERLIN, '0 0 * * 0 supsync sync'],
    ['weekly on Tuesday', local('2026-01-01T02:00:00', { kind: 'weekly', dayOfWeek: 'Tuesday', weeks: 1 }), BERLIN, '0 2 * * 2 supsync sync'],
    ['every 15 minutes', minutes, BERLIN, '7,22,37,52 * * * * supsync sync'],
    ['every minute', local('2026-01-10T02:07:00', { kind: 'interval', unit: 'minutes', count: 1 }), BERLIN, '* * * * * supsync sync'],
    ['every hour', local('2026-01-10T02:07:00', { kind: 'interval', unit: 'hours', count: 1 }), BERLIN, '7 * * * * supsync sync'],
    ['every 6 hours where the clock never shifts', hours, 'Asia/Tokyo', '7 2,8,14,20 * * * supsync sync'],
    ['quarterly on the 15th', quarterly, BERLIN, '0 2 15 1,4,7,10 * supsync sync'],
    ['the second Tuesday', patchTuesday, BERLIN, '0 22 8-14 * * [ "$(date +\\%w)" = 2 ] && supsync sync'],
    ['a UTC schedule where cron runs in UTC', utcDaily, 'UTC', '30 2 * * * supsync sync'],
  ];
  for (const [what, schedule, timeZone, line] of lines) {
    it(`writes ${what}`, () => {
      expect(toCrontabLine(schedule, 'supsync sync', { timeZone })).to.equal(line);
    });
  }

  const refused: [string, Schedule, string, string, RegExp][] = [
    ['every 3 days', local('2026-01-10T02:30:00', { kind: 'interval', unit: 'days', count: 3 }), BERLIN, '--recur-count', /every 3 days from a given start/],
    ['every 2 weeks', fortnightly, BERLIN, '--recur-count', /every 2 weeks/],
    ['every 7 minutes', local('2026-01-10T02:07:00', { kind: 'interval', unit: 'minutes', count: 7 }), BERLIN, '--recur-count', /7 does not divide 60/],
    ['every 5 hours', local('2026-01-10T02:07:00', { kind: 'interval', unit: 'hours', count: 5 }), 'UTC', '--recur-count', /5 does not divide 24/],
    ['every 6 hours across DST', hours, BERLIN, '--recur-count', /DST/],
    ['every 5 months', every5Months, BERLIN, '--recur-count', /every 5 months/],
    ['the last day of the month', lastDay, BERLIN, '--day-of-month', /last day of the month/],
    ['the last Friday', lastFriday, BERLIN, '--week-order', /last Friday/],
    ['a single run', once, BERLIN, '--nonrecurring', /no year field/],
    ['a UTC schedule on a clock with DST', utcDaily, BERLIN, '--utc', /Europe\/Berlin.*not UTC/],
  ];
  for (const [what, schedule, timeZone, target, message] of refused) {
    it(`refuses ${what}, saying why`, () => {
      expect(expectInvalidArgument(() => toCrontabLine(schedule, 'supsync sync', { timeZone }), 'ScheduleNotExpressible', target)).to.match(message);
    });
  }

  it('escapes % in the command and refuses a multi-line command', () => {
    expect(toCrontabLine(daily, 'supsync sync --label 100%', { timeZone: BERLIN })).to.equal('30 2 * * * supsync sync --label 100\\%');
    expectInvalidArgument(() => toCrontabLine(daily, 'supsync\nrm -rf /', { timeZone: BERLIN }), 'ScheduleInvalid', 'command');
  });
});
