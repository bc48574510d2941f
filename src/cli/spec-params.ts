/** Parameter building blocks shared by the command spec files. */
import type { ConfigMgrOnlyParam, ParamSpec, PowerShellParam } from './spec-types.js';

export const siteParam = (description = 'The site code (3 characters), e.g. CS1.'): ParamSpec => ({
  flag: 'site',
  type: 'string',
  required: true,
  description,
  ps: { name: 'SiteCode', pipeline: 'property', position: 0, completer: 'site' },
});

/** --what-if: in PowerShell it is -WhatIf from SupportsShouldProcess, not a declared parameter. */
export const whatIfParam: ParamSpec = {
  flag: 'what-if',
  type: 'switch',
  description: 'Show what would change without changing anything.',
  ps: false,
};

/** New-CMSchedule's parameters as flags (binding: later checks use these names). */
export const scheduleParams = (psNames: boolean): ParamSpec[] => {
  const ps = (name: string, extra: Partial<PowerShellParam> = {}) => (psNames ? { name, ...extra } : false);
  return [
    { flag: 'start', type: 'string', description: 'When the schedule starts (ISO 8601, local wall-clock time unless --utc).', ps: ps('Start') },
    { flag: 'recur-interval', type: 'string', choices: ['minutes', 'hours', 'days'], description: 'Recur every --recur-count minutes, hours or days.', ps: ps('RecurInterval') },
    { flag: 'recur-count', type: 'number', description: 'The interval count, or the weeks (with --day-of-week) or months between runs.', ps: ps('RecurCount') },
    { flag: 'day-of-week', type: 'string', description: 'Sunday…Saturday: weekly on this day (with --week-order: monthly on that weekday).', ps: ps('DayOfWeek') },
    { flag: 'week-order', type: 'string', choices: ['first', 'second', 'third', 'fourth', 'last'], description: 'Monthly on the first…fourth or last --day-of-week.', ps: ps('WeekOrder') },
    { flag: 'day-of-month', type: 'string', description: 'Monthly on this day (1-31; 0 or last = the last day).', ps: ps('DayOfMonth') },
    { flag: 'nonrecurring', type: 'switch', description: 'Run once, at --start.', ps: ps('Nonrecurring') },
    { flag: 'utc', type: 'switch', description: 'The start time is UTC (else local time, following daylight saving as Task Scheduler does).', ps: ps('IsUtc') },
    { flag: 'schedule-string', type: 'string', description: "ConfigMgr's 16-hex-digit schedule string (New-CMSchedule's ScheduleString).", ps: ps('ScheduleString') },
  ];
};

export const boolSetting = (flag: string, psName: string, description: string): ParamSpec => ({ flag, type: 'boolean', description, ps: { name: psName } });
export const listSetting = (flag: string, psName: string, description: string, completer?: 'product' | 'classification'): ParamSpec => ({
  flag,
  type: 'string[]',
  description,
  ps: { name: psName, ...(completer ? { completer } : {}) },
});


/**
 * -SiteCode where the real cmdlet takes the site from the site drive: optional in PowerShell (the
 * top-level site), still given to the host. `required: false` on the host where another flag
 * (--server-name) may name the site instead.
 */
export const topLevelSiteParam = (description = 'The site code (3 characters), e.g. CS1.', hostRequired = true): ParamSpec => ({
  ...siteParam(description),
  required: hostRequired,
  ps: { name: 'SiteCode', pipeline: 'property', position: 0, completer: 'site', defaultsToTopLevelSite: true },
});

/** -DisableWildcardHandling / -ForceWildcardHandling, which every ConfigMgr cmdlet has. */
export const wildcardHandling = (hasWildcards: boolean): ConfigMgrOnlyParam[] => [
  hasWildcards
    ? { name: 'DisableWildcardHandling', type: 'switch', handling: 'refuse', description: 'ConfigMgr: treat wildcard characters literally. SupSync always expands * and ? in -Name-like filters.' }
    : { name: 'DisableWildcardHandling', type: 'switch', handling: 'accept', description: 'ConfigMgr: treat wildcard characters literally. This cmdlet takes no wildcards.' },
  { name: 'ForceWildcardHandling', type: 'switch', handling: 'accept', description: 'ConfigMgr: process wildcard characters. SupSync always does where a parameter takes them.' },
];

/** An optional ConfigMgr-only [bool]/[int]/[string] setting of the SUP component: stored, shown by Get, changing nothing here. */
export const recordedSetting = (flag: string, psName: string, type: 'boolean' | 'number' | 'string', description: string, choices?: readonly string[]): ParamSpec => ({
  flag,
  type,
  description: `${description} Stored and shown by Get-CMSoftwareUpdatePointComponent; SupSync does nothing with it (a warning says so).`,
  ...(choices ? { choices } : {}),
  ps: { name: psName },
});
