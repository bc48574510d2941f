/** What the Task Scheduler, systemd and cron exports share: month lists and single-line checks. */
import { InvalidArgumentError } from '../errors.js';
import { monthsVisited } from './calendar.js';
import { notExpressible, ScheduleErrorCode, ScheduleFlag } from './model.js';

/**
 * The months of the year that "every `every` months from `startMonth`" visits. A scheduler that
 * lists months of the year can only express a step that divides 12; others fall on different
 * months each year.
 */
export function monthsOfYear(startMonth: number, every: number, scheduler: string): number[] {
  if (12 % every !== 0) {
    throw notExpressible(
      ScheduleFlag.recurCount,
      `${scheduler} cannot express every ${every} months: it lists months of the year, and a ${every}-month step falls on different months each year (use ${ScheduleFlag.recurCount} 1, 2, 3, 4, 6 or 12)`,
    );
  }
  return monthsVisited(startMonth, every);
}

/** A value that must stay on one line of a unit file or crontab. */
export function singleLine(value: string, target: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(ScheduleErrorCode.invalid, `${target} must be a non-empty string`, { target });
  }
  if (/[\r\n\u0000]/.test(value)) {
    throw new InvalidArgumentError(ScheduleErrorCode.invalid, `${target} must be a single line`, { target });
  }
  return value;
}
