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
import { type SiteControl, normalizeSiteCode } from '../../site/model.js';
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
  };
}

export const scheduleNew: CommandHandler = ({ args, emit }) => {
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

export const scheduleNext: CommandHandler = ({ home, args, emit }) => {
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

export const scheduleTaskXml: CommandHandler = ({ home, args, emit }) => {
  const { site, schedule } = siteSchedule(home, String(args.site));
  const shell = stringArg(args, 'shell') ?? 'pwsh';
  const modulePath = stringArg(args, 'modulePath');
  const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const command = `Import-Module ${modulePath ? quoted(modulePath) : 'SupSync'}; Invoke-CMSoftwareUpdateSync -SiteCode ${site.code} -Trigger schedule`;
  const xml = toTaskXml(
    schedule,
    { command: shell === 'pwsh' ? 'pwsh.exe' : 'powershell.exe', arguments: `-NoProfile -NonInteractive -Command "${command}"` },
    { description: `supsync: synchronize software updates for site ${site.code}`, author: 'supsync' },
  );
  const out = stringArg(args, 'out');
  if (out) writeOutputFile(path.resolve(out), encodeUtf16le(xml), '--out');
  emit({ type: 'SupSync.ScheduledTask', SiteCode: site.code, TaskName: `SupSync Sync ${site.code}`, Path: out ? path.resolve(out) : null, Xml: xml });
};

export const scheduleSystemd: CommandHandler = ({ home, args, emit }) => {
  const { site, schedule } = siteSchedule(home, String(args.site));
  const units = toSystemdUnits(schedule, { description: `supsync sync of site ${site.code}`, execStart: `${hostCommand()} --home ${home.root} sync --site ${site.code} --trigger schedule` });
  emit({ type: 'SupSync.SystemdUnits', SiteCode: site.code, Timer: units.timer, Service: units.service });
};

export const scheduleCrontab: CommandHandler = ({ home, args, emit }) => {
  const { site, schedule } = siteSchedule(home, String(args.site));
  emit({ type: 'SupSync.Crontab', SiteCode: site.code, Line: toCrontabLine(schedule, `${hostCommand()} --home ${home.root} sync --site ${site.code} --trigger schedule`) });
};

/** node, its options and main.js: how a timer or cron line starts the host. */
function hostCommand(): string {
  return [process.execPath, ...hostNodeOptions, path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'main.js')].join(' ');
}
