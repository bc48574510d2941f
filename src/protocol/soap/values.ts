/**
 * Scalar values of the protocol: GUIDs, xsd:int, xsd:boolean, xsd:dateTime, and the Windows anchor.
 * Reading received text throws InvalidDataError; checking values we are about to send throws
 * InvalidArgumentError. Both carry code `SoapInvalidValue` (or `SoapInvalidAnchor`) and, as
 * `target`, the request parameter the value belongs to, which a server puts in an
 * InvalidParameters fault's Message.
 */
import { InvalidArgumentError, InvalidDataError } from '../../errors.js';
import { canonicalGuid } from '../../model/update.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function invalid(target: string, message: string): InvalidDataError {
  return new InvalidDataError('SoapInvalidValue', message, { target });
}

export function readGuid(text: string, element: string, target: string): string {
  const guid = canonicalGuid(text);
  if (guid === undefined) throw invalid(target, `${element} '${text}' is not a GUID`);
  return guid;
}

/** xsd:int, optionally bounded below (revision numbers and limits are never negative). */
export function readInt(text: string, element: string, target: string, min = INT_MIN): number {
  const trimmed = text.trim();
  const value = /^[+-]?\d{1,10}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(value >= min && value <= INT_MAX)) throw invalid(target, `${element} '${text}' is not an integer from ${min} to ${INT_MAX}`);
  return value;
}

/** xsd:boolean: true, false, 1, 0. */
export function readBool(text: string, element: string, target: string): boolean {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === '1') return true;
  if (trimmed === 'false' || trimmed === '0') return false;
  throw invalid(target, `${element} '${text}' is not a boolean`);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Reads an xsd:dateTime as Windows writes it (`2026-10-04T20:28:07.1943266Z`, up to 7 fraction
 * digits). No zone means UTC. Precision beyond milliseconds is dropped. Throws InvalidDataError.
 */
export function parseDateTime(text: string, target = 'dateTime'): Date {
  const m = DATE_TIME.exec(text.trim());
  const time = m ? utc(m.slice(1, 7), m[7] ?? '') : undefined;
  if (time === undefined) throw invalid(target, `'${text}' is not an xsd:dateTime`);
  const zone = m![8];
  if (zone === undefined || zone === 'Z') return time;
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMinutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  return new Date(time.getTime() - sign * offsetMinutes * 60_000);
}

/** Writes a UTC xsd:dateTime in Windows's shape: fraction without trailing zeros, `Z`. */
export function formatDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('SoapInvalidValue', 'Cannot write an invalid date');
  return date.toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Builds a UTC date from [y, M, d, h, m, s] and a fraction, or undefined when a field is out of range. */
function utc(fields: string[], fraction: string): Date | undefined {
  const [year, month, day, hour, minute, second] = fields.map(Number);
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!, ms));
  // Date.UTC rolls over (Feb 30 → Mar 2); a changed field means the text was out of range.
  const same =
    date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day &&
    date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  return same ? date : undefined;
}

/** A Windows anchor: a serial number and the (UTC) time the answer was made. */
export interface Anchor {
  serial: number;
  time: Date;
}

const ANCHOR = /^(\d{1,10}),(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;

/**
 * Reads a Windows anchor, `nnnn,yyyy-MM-dd HH:mm:ss.fff` ([MS-WSUSSS] note 31). Throws
 * InvalidDataError `SoapInvalidAnchor`; a server answers that with InvalidParameters (Message
 * `filter` for GetRevisionIdList, as Windows does).
 */
export function parseAnchor(text: string): Anchor {
  const m = ANCHOR.exec(text);
  const serial = m ? Number(m[1]) : NaN;
  const time = m ? utc(m.slice(2, 8), m[8]!) : undefined;
  if (!(serial >= 1 && serial <= INT_MAX) || time === undefined) {
    throw new InvalidDataError('SoapInvalidAnchor', `'${text}' is not an anchor of the form nnnn,yyyy-MM-dd HH:mm:ss.fff`, { target: 'anchor' });
  }
  return { serial, time };
}

/** Writes an anchor in the Windows form, time in UTC with milliseconds. */
export function formatAnchor(anchor: Anchor): string {
  if (!Number.isInteger(anchor.serial) || anchor.serial < 1 || anchor.serial > INT_MAX || Number.isNaN(anchor.time.getTime())) {
    throw new InvalidArgumentError('SoapInvalidAnchor', `Cannot write an anchor with serial ${anchor.serial} and time ${String(anchor.time)}`);
  }
  const iso = anchor.time.toISOString(); // yyyy-MM-ddTHH:mm:ss.fffZ
  return `${anchor.serial},${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}
