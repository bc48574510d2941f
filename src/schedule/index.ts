/** The schedule core: ConfigMgr schedules, their occurrences, schedule strings and OS scheduler exports. */
export { toCrontabLine, type CrontabOptions } from './cron.js';
export { describeSchedule } from './describe.js';
export { scheduleFromFlags, type ScheduleFlags } from './flags.js';
export {
  DAYS_OF_WEEK,
  INTERVAL_UNITS,
  MAX_INTERVAL,
  MAX_MONTHS,
  MAX_START_YEAR,
  MAX_WEEKS,
  MIN_START_YEAR,
  ScheduleErrorCode,
  ScheduleFlag,
  validateSchedule,
  WEEK_ORDERS,
  type DayOfWeek,
  type IntervalSchedule,
  type IntervalUnit,
  type MonthlyByDateSchedule,
  type MonthlyByWeekdaySchedule,
  type NonRecurringSchedule,
  type Schedule,
  type ScheduleDuration,
  type ScheduleKind,
  type WeeklySchedule,
  type WeekOrder,
} from './model.js';
export { nextOccurrences } from './occurrences.js';
export { toSystemdUnits, type SystemdOptions, type SystemdUnits } from './systemd.js';
export { encodeUtf16le, TASK_NAMESPACE, toTaskXml, type TaskAction, type TaskOptions } from './taskxml.js';
export { formatWithOffset, localTimeZone } from './timezone.js';
export { decodeScheduleString, encodeScheduleString } from './token.js';
