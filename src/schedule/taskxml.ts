/**
 * Windows Task Scheduler task definitions (schema version 1.2, [MS-TSCH] 2.5) for a schedule, so
 * `schtasks /Create /XML` or Register-ScheduledTask runs the sync on the same occurrences that
 * `nextOccurrences` computes. Trigger children follow triggerBaseType's xs:sequence (StartBoundary,
 * Repetition) then calendarTriggerType's (the ScheduleBy* choice); Enabled is left at its default.
 *
 * Task Scheduler has no "every N months": ScheduleByMonth and ScheduleByMonthDayOfWeek list months
 * of the year. Every N months from the start month is written as the months it visits, which is
 * exact when N divides 12 (1, 2, 3, 4, 6, 12); other N drift through the year and are refused.
 */
import { escapeXml } from '../protocol/xml.js';
import { InvalidArgumentError } from '../errors.js';
import { MONTH_NAMES, onOrAfterWeekday } from './calendar.js';
import { describeSchedule } from './describe.js';
import {
  DAYS_OF_WEEK,
  type Schedule,
  ScheduleErrorCode,
  startText,
  startWall,
  validateSchedule,
  type WeekOrder,
} from './model.js';
import { monthsOfYear } from './targets.js';

export interface TaskAction {
  command: string;
  /** Empty for none. */
  arguments: string;
  workingDirectory?: string;
}

export interface TaskOptions {
  /** Defaults to the schedule's description. */
  description?: string;
  author?: string;
  /** SID or account the task runs as; default S-1-5-18 (LocalSystem). */
  userId?: string;
}

export const TASK_NAMESPACE = 'http://schemas.microsoft.com/windows/2004/02/mit/task';
/** LocalSystem, LocalService, NetworkService: service accounts need no logon type. */
const SERVICE_ACCOUNT_SIDS = new Set(['S-1-5-18', 'S-1-5-19', 'S-1-5-20']);
/** Task Scheduler's own default; a sync of a large catalog can take hours. */
const EXECUTION_TIME_LIMIT = 'PT72H';
const TASK_WEEK: Readonly<Record<WeekOrder, string>> = { first: '1', second: '2', third: '3', fourth: '4', last: 'Last' };

interface XmlElement {
  name: string;
  attributes?: Record<string, string>;
  text?: string;
  children?: XmlElement[];
}

function el(name: string, content?: string | XmlElement[], attributes?: Record<string, string>): XmlElement {
  return { name, ...(attributes ? { attributes } : {}), ...(typeof content === 'string' ? { text: content } : content ? { children: content } : {}) };
}

function render(element: XmlElement, indent: string): string {
  const attributes = Object.entries(element.attributes ?? {})
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  if (element.text !== undefined) return `${indent}<${element.name}${attributes}>${escapeXml(element.text)}</${element.name}>`;
  if (!element.children?.length) return `${indent}<${element.name}${attributes} />`;
  const inner = element.children.map((child) => render(child, `${indent}  `)).join('\r\n');
  return `${indent}<${element.name}${attributes}>\r\n${inner}\r\n${indent}</${element.name}>`;
}

/** XML 1.0 cannot carry most C0 control characters, even escaped. */
function checkText(value: string, target: string, required: boolean): string {
  if (typeof value !== 'string' || (required && value.trim() === '')) {
    throw new InvalidArgumentError(ScheduleErrorCode.invalid, `${target} must be a non-empty string`, { target });
  }
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(value)) {
    throw new InvalidArgumentError(ScheduleErrorCode.invalid, `${target} contains a control character that an XML task definition cannot hold`, { target });
  }
  return value;
}

function monthsElement(startMonth: number, every: number): XmlElement {
  return el('Months', monthsOfYear(startMonth, every, 'Task Scheduler').map((month) => el(MONTH_NAMES[month - 1]!)));
}

function trigger(s: Schedule): XmlElement {
  const start = startWall(s);
  const boundary = (wall = start) => el('StartBoundary', startText(wall, s.utc));
  switch (s.kind) {
    case 'nonRecurring':
      return el('TimeTrigger', [boundary()]);
    case 'interval':
      if (s.unit === 'days') return el('CalendarTrigger', [boundary(), el('ScheduleByDay', [el('DaysInterval', String(s.count))])]);
      return el('TimeTrigger', [boundary(), el('Repetition', [el('Interval', `PT${s.count}${s.unit === 'minutes' ? 'M' : 'H'}`)])]);
    case 'weekly':
      // Starting on the first run day makes Task Scheduler's week counting agree with ours.
      return el('CalendarTrigger', [
        boundary(onOrAfterWeekday(start, DAYS_OF_WEEK.indexOf(s.dayOfWeek))),
        el('ScheduleByWeek', [el('WeeksInterval', String(s.weeks)), el('DaysOfWeek', [el(s.dayOfWeek)])]),
      ]);
    case 'monthlyByDate':
      return el('CalendarTrigger', [
        boundary(),
        el('ScheduleByMonth', [el('DaysOfMonth', [el('Day', s.dayOfMonth === 0 ? 'Last' : String(s.dayOfMonth))]), monthsElement(start.month, s.months)]),
      ]);
    case 'monthlyByWeekday':
      return el('CalendarTrigger', [
        boundary(),
        el('ScheduleByMonthDayOfWeek', [el('Weeks', [el('Week', TASK_WEEK[s.weekOrder])]), el('DaysOfWeek', [el(s.dayOfWeek)]), monthsElement(start.month, s.months)]),
      ]);
  }
}

/**
 * The task definition XML (UTF-16 declared; write it with `encodeUtf16le`). Runs as LocalSystem
 * with highest privileges by default; another account logs on with its password (given when the
 * task is registered), since an S4U logon has no network access and a sync needs the network.
 * A missed run is made up once (StartWhenAvailable), and a run never overlaps the previous one.
 */
export function toTaskXml(schedule: Schedule, action: TaskAction, options: TaskOptions = {}): string {
  const s = validateSchedule(schedule);
  const userId = checkText(options.userId ?? 'S-1-5-18', 'userId', true);
  const registration = [
    ...(options.author === undefined ? [] : [el('Author', checkText(options.author, 'author', false))]),
    el('Description', checkText(options.description ?? describeSchedule(s), 'description', false)),
  ];
  const exec = [
    el('Command', checkText(action.command, 'command', true)),
    ...(checkText(action.arguments, 'arguments', false) === '' ? [] : [el('Arguments', action.arguments)]),
    ...(action.workingDirectory === undefined ? [] : [el('WorkingDirectory', checkText(action.workingDirectory, 'workingDirectory', true))]),
  ];
  const task = el(
    'Task',
    [
      el('RegistrationInfo', registration),
      el('Triggers', [trigger(s)]),
      el('Principals', [
        el(
          'Principal',
          [el('UserId', userId), ...(SERVICE_ACCOUNT_SIDS.has(userId.toUpperCase()) ? [] : [el('LogonType', 'Password')]), el('RunLevel', 'HighestAvailable')],
          { id: 'Author' },
        ),
      ]),
      el('Settings', [
        el('MultipleInstancesPolicy', 'IgnoreNew'),
        el('DisallowStartIfOnBatteries', 'false'),
        el('StopIfGoingOnBatteries', 'false'),
        el('AllowHardTerminate', 'true'),
        el('StartWhenAvailable', 'true'),
        el('RunOnlyIfNetworkAvailable', 'false'),
        el('AllowStartOnDemand', 'true'),
        el('Enabled', 'true'),
        el('Hidden', 'false'),
        el('RunOnlyIfIdle', 'false'),
        el('WakeToRun', 'false'),
        el('ExecutionTimeLimit', EXECUTION_TIME_LIMIT),
        el('Priority', '7'),
      ]),
      el('Actions', [el('Exec', exec)], { Context: 'Author' }),
    ],
    { version: '1.2', xmlns: TASK_NAMESPACE },
  );
  return `<?xml version="1.0" encoding="UTF-16"?>\r\n${render(task, '')}\r\n`;
}

/** The bytes of a task XML file: UTF-16 little-endian with a byte order mark, as it declares. */
export function encodeUtf16le(xml: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}
