/**
 * How values read in a table (the `ValueFormat`s of cli/views.ts). The PowerShell views do the same
 * in script blocks (scripts/module/format.ts); a test runs both on the same values, so every rule
 * here is plain arithmetic that .NET repeats exactly: halves round up (Math.floor(x + 0.5), not
 * PowerShell's banker's [math]::Round), separators and digits are the invariant culture's.
 */
import type { ValueFormat, ViewColumn } from './views.js';

const two = (n: number) => String(n).padStart(2, '0');
const roundHalfUp = (x: number) => Math.floor(x + 0.5);

/** A moment from an ISO string (or a Date); undefined when the value is not one. */
function moment(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'string' || value === '') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** `12,345` */
export function formatCount(value: number): string {
  const whole = roundHalfUp(value);
  const digits = String(Math.abs(whole)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return whole < 0 ? `-${digits}` : digits;
}

/** Local `2026-12-06 03:52`. */
export function formatLocalTime(time: Date): string {
  return `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())} ${two(time.getHours())}:${two(time.getMinutes())}`;
}

/** `3 h ago`, `in 12 min`, `40 s ago`. */
export function formatAge(time: Date, now = Date.now()): string {
  const seconds = roundHalfUp((now - time.getTime()) / 1000);
  const size = Math.abs(seconds);
  const amount =
    size < 60 ? `${size} s` : size < 3600 ? `${Math.floor(size / 60)} min` : size < 86400 ? `${Math.floor(size / 3600)} h` : `${Math.floor(size / 86400)} d`;
  return seconds >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** `4.2s`, `37s`, `1m 23s`, `2h 05m`, `3d 04h`. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) {
    const tenths = roundHalfUp(seconds * 10);
    return `${Math.floor(tenths / 10)}.${tenths - Math.floor(tenths / 10) * 10}s`;
  }
  const s = roundHalfUp(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${two(Math.floor((s % 86400) / 3600))}h`;
}

/** `512 B`, `12.4 MB` (1024-based). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit += 1;
  } while (value >= 1024 && unit < units.length - 1);
  const tenths = roundHalfUp(value * 10);
  return `${Math.floor(tenths / 10)}.${tenths % 10} ${units[unit]}`;
}

const stateNames: Record<string, string> = { '6701': 'Running', '6704': 'Running', '6705': 'Running', '6702': 'Succeeded', '6703': 'Failed', nochanges: 'No changes' };

/** 6702 → Succeeded, `failed` → Failed, `NoChanges` → No changes. */
export function formatState(value: string | number): string {
  const key = String(value).toLowerCase();
  return stateNames[key] ?? (key === '' ? '' : key[0]!.toUpperCase() + key.slice(1));
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(text).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The cell a view column shows for a record. */
export function formatCell(column: ViewColumn, record: Record<string, unknown>, now = Date.now()): string {
  const value = record[column.property];
  const format: ValueFormat = column.format ?? 'text';
  if (value === null || value === undefined) return '';
  switch (format) {
    case 'count':
      return typeof value === 'number' ? formatCount(value) : text(value);
    case 'yesno':
      return typeof value === 'boolean' ? (value ? 'Yes' : 'No') : text(value);
    case 'state':
      return typeof value === 'string' || typeof value === 'number' ? formatState(value) : text(value);
    case 'time': {
      const time = moment(value);
      return time ? formatLocalTime(time) : text(value);
    }
    case 'age': {
      const time = moment(value);
      return time ? formatAge(time, now) : text(value);
    }
    case 'seconds':
      return typeof value === 'number' ? formatDuration(value) : text(value);
    case 'span': {
      const start = moment(value);
      const end = moment(record[column.end ?? '']);
      return start && end ? formatDuration((end.getTime() - start.getTime()) / 1000) : '';
    }
    case 'bytes':
      return typeof value === 'number' ? formatBytes(value) : text(value);
    default:
      return text(value);
  }
}

/** A field as `--output list` shows it: the exact value, nested records as compact JSON. */
export function formatField(value: unknown): string {
  return text(value);
}
