/** `schedule new | next | task-xml | systemd | crontab`, and the schedule flags of `sup set`. */
import path from 'node:path';
import { InvalidArgumentError, InvalidOperationError } from '../../errors.js';
import { writeOutputFile } from '../../files/output-file.js';
import {
  type Schedule,
  type ScheduleFlags,
  describeSchedule,
  encodeScheduleString,
  encodeUtf16le,
  formatWithOffset,
  nextOccurrences,
  scheduleFromFlags,
  toCrontabLine,
  toSystemdUnits,
  toTaskXml,
  validateSchedule,
} from '../../schedule/index.js';
import { type SiteControl, normalizeSiteCode } from '../../model/site.js';
import type { Home } from '../../store/home.js';
import { type CommandHandler, stringArg } from '../context.js';
import { hostNodeOptions } from '../node-options.js';

const flagKeys = ['start', 'recurInterval', 'recurCount', 'dayOfWeek', 'weekOrder', 'dayOfMonth', 'nonrecurring', 'utc', 'scheduleString'] as const;

/** The schedule the flags describe, or undefined when no schedule flag was given. */
export function scheduleFromArgs(args: Record<string, unknown>, now = new Date()): Schedule | undefined {
  const given = flagKeys.filter((k) => args[k] !== undefined && args[k] !== false);
  if (given.length === 0) return undefined;
  const flags: ScheduleFlags = {};
  for (const key of given) (flags as Record<string, unknown>)[key] = args[key];
  return scheduleFromFlags(flags, now);
}

export function scheduleRecord(schedule: Schedule, now = new Date()) {
  const next = nextOccurrences(schedule, now, 1)[0];
  return {
    type: 'SupSync.Schedule',
    ScheduleString: encodeScheduleString(schedule),
    Description: describeSchedule(schedule),
    Kind: schedule.kind,
    Start: schedule.start,
    IsUtc: schedule.utc,
    NextRun: next ? formatWithOffset(next) : null,
    Schedule: schedule,
    ...scheduleTokenProperties(schedule),
  };
}

const dayNumbers = { Sunday: 1, Monday: 2, Tuesday: 3, Wednesday: 4, Thursday: 5, Friday: 6, Saturday: 7 } as const;
const weekOrderNumbers = { last: 0, first: 1, second: 2, third: 3, fourth: 4 } as const;

/**
 * The properties of the SMS_ST_* schedule token New-CMSchedule returns, so a schedule from here
 * reads like one from ConfigMgr (and one shaped like ConfigMgr's is accepted back).
 */
export function scheduleTokenProperties(schedule: Schedule) {
  const common = {
    SmsProviderObjectPath: { interval: 'SMS_ST_RecurInterval', weekly: 'SMS_ST_RecurWeekly', monthlyByDate: 'SMS_ST_RecurMonthlyByDate', monthlyByWeekday: 'SMS_ST_RecurMonthlyByWeekday', nonRecurring: 'SMS_ST_NonRecurring' }[schedule.kind],
    StartTime: schedule.start,
    IsGMT: schedule.utc,
    DayDuration: schedule.duration?.days ?? 0,
    HourDuration: schedule.duration?.hours ?? 0,
    MinuteDuration: schedule.duration?.minutes ?? 0,
  };
  switch (schedule.kind) {
    case 'interval':
      return { ...common, DaySpan: schedule.unit === 'days' ? schedule.count : 0, HourSpan: schedule.unit === 'hours' ? schedule.count : 0, MinuteSpan: schedule.unit === 'minutes' ? schedule.count : 0 };
    case 'weekly':
      return { ...common, Day: dayNumbers[schedule.dayOfWeek], ForNumberOfWeeks: schedule.weeks };
    case 'monthlyByDate':
      return { ...common, MonthDay: schedule.dayOfMonth, ForNumberOfMonths: schedule.months };
    case 'monthlyByWeekday':
      return { ...common, Day: dayNumbers[schedule.dayOfWeek], WeekOrder: weekOrderNumbers[schedule.weekOrder], ForNumberOfMonths: schedule.months };
    case 'nonRecurring':
      return common;
  }
}

export const scheduleNew: CommandHandler<'schedule.new'> = ({ args, emit }) => {
  const schedule = scheduleFromArgs(args);
  if (!schedule) throw new InvalidArgumentError('ScheduleInvalid', 'Give schedule flags (--recur-interval/--recur-count, --day-of-week, --day-of-month, --nonrecurring) or --schedule-string', { target: '--recur-interval' });
  emit(scheduleRecord(schedule));
};

function siteSchedule(home: Home, codeText: string): { site: SiteControl; schedule: Schedule } {
  const site = home.site(normalizeSiteCode(codeText, '--site'));
  if (site.sup.schedule === null) {
    throw new InvalidOperationError('NoSchedule', `Site ${site.code} has no sync schedule (scheduled sync is off); set one with: supsync sup set --site ${site.code} --day-of-week Sunday --recur-count 1 --start 2026-11-29T02:00`, {
      target: site.code,
    });
  }
  return { site, schedule: validateSchedule(site.sup.schedule) };
}

export const scheduleNext: CommandHandler<'schedule.next'> = ({ home, args, emit }) => {
  const fromFlags = scheduleFromArgs(args);
  const siteCode = stringArg(args, 'site');
  if (fromFlags && siteCode) throw new InvalidArgumentError('ConflictingOptions', 'Give schedule flags or --site, not both', { target: '--site' });
  const schedule = fromFlags ?? (siteCode ? siteSchedule(home, siteCode).schedule : undefined);
  if (!schedule) throw new InvalidArgumentError('ScheduleInvalid', 'Give schedule flags, --schedule-string, or --site', { target: '--site' });
  const fromText = stringArg(args, 'from');
  const from = fromText === undefined ? new Date() : new Date(fromText);
  if (Number.isNaN(from.getTime())) throw new InvalidArgumentError('InvalidArgument', `--from '${fromText}' is not an ISO 8601 date-time`, { target: '--from' });
  const count = args.count === undefined ? 5 : Number(args.count);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new InvalidArgumentError('InvalidArgument', `--count must be 1-1000, got ${args.count}`, { target: '--count' });
  const timeZone = stringArg(args, 'timeZone');
  for (const occurrence of nextOccurrences(schedule, from, count, timeZone)) {
    emit({ type: 'SupSync.ScheduleOccurrence', Occurrence: formatWithOffset(occurrence, timeZone), Utc: occurrence.toISOString() });
  }
};

export const scheduleTaskXml: CommandHandler<'schedule.task-xml'> = ({ home, args, emit }) => {
  const { site, schedule } = siteSchedule(home, String(args.site));
  const shell = stringArg(args, 'shell') ?? 'pwsh';
  const modulePath = stringArg(args, 'modulePath');
  const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const command = `Import-Module ${modulePath ? quoted(modulePath) : 'SupSync'}; Invoke-CMSoftwareUpdateSync -SiteCode ${site.code} -Trigger schedule`;
  const xml = toTaskXml(
    schedule,
    // RemoteSigned for this process: a machine whose policy is Restricted or AllSigned still runs the
    // (unsigned, local) module; a Group Policy setting still wins, and then the module must be signed.
    { command: shell === 'pwsh' ? 'pwsh.exe' : 'powershell.exe', arguments: `-NoProfile -NonInteractive -ExecutionPolicy RemoteSigned -Command "${command}"` },
    { description: `supsync: synchronize software updates for site ${site.code}`, author: 'supsync' },
  );
  const out = stringArg(args, 'out');
  if (out) writeOutputFile(path.resolve(out), encodeUtf16le(xml), '--out');
  emit({ type: 'SupSync.ScheduledTask', SiteCode: site.code, TaskName: `SupSync Sync ${site.code}`, Path: out ? path.resolve(out) : null, Xml: xml });
};

export const scheduleSystemd: CommandHandler<'schedule.systemd'> = ({ home, args, emit }) => {
  const { site, schedule } = siteSchedule(home, String(args.site));
  const units = toSystemdUnits(schedule, { description: `supsync sync of site ${site.code}`, execStart: `${hostCommand()} --home ${home.root} sync --site ${site.code} --trigger schedule` });
  emit({ type: 'SupSync.SystemdUnits', SiteCode: site.code, Timer: units.timer, Service: units.service });
};

export const scheduleCrontab: CommandHandler<'schedule.crontab'> = ({ home, args, emit }) => {
  const { site, schedule } = siteSchedule(home, String(args.site));
  emit({ type: 'SupSync.Crontab', SiteCode: site.code, Line: toCrontabLine(schedule, `${hostCommand()} --home ${home.root} sync --site ${site.code} --trigger schedule`) });
};

/** node, its options and main.js: how a timer or cron line starts the host. */
function hostCommand(): string {
  return [process.execPath, ...hostNodeOptions, path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'main.js')].join(' ');
}
