/**
 * The SMS_WSUS_SYNC_MANAGER status messages and the `STATMSG:` line a site server component writes
 * into its log when it raises one. Field order follows real logs:
 * `STATMSG: ID=6701 SEV=I LEV=M SOURCE="SMS Server" COMP="SMS_WSUS_SYNC_MANAGER" SYS=<fqdn> SITE=CS1
 * PID=432 TID=3404 GMTDATE=Thu Jan 16 18:53:52.608 2014 ISTR0="" … ISTR9="" NUMATTRS=0`.
 * Recording the message in the database is the caller's job; this only renders the line.
 */
import { InvalidArgumentError } from '../errors.js';
import { COMPONENT } from './format.js';

/** I information, W warning, E error. */
export type StatusSeverity = 'I' | 'W' | 'E';

export interface StatusMessageInfo {
  severity: StatusSeverity;
  meaning: string;
}

/**
 * Meanings from the product brief. The severities of 6707 and 6708 are our reading: both report
 * a sync that needs attention (content behind upstream, licence files still downloading).
 */
export const statusMessages = {
  6701: { severity: 'I', meaning: 'WSUS synchronization started' },
  6702: { severity: 'I', meaning: 'WSUS synchronization done' },
  6703: { severity: 'E', meaning: 'WSUS synchronization failed' },
  6704: { severity: 'I', meaning: 'WSUS synchronization in progress: Synchronizing WSUS Server' },
  6705: { severity: 'I', meaning: 'WSUS synchronization in progress: Synchronizing site database' },
  6706: { severity: 'I', meaning: 'WSUS synchronization in progress: Synchronizing Internet facing WSUS Server' },
  6707: { severity: 'W', meaning: 'WSUS content is out of sync with the upstream server' },
  6708: { severity: 'W', meaning: 'WSUS synchronization done with pending license downloads' },
} as const satisfies Record<number, StatusMessageInfo>;

export type StatusMessageId = keyof typeof statusMessages;

export interface StatusMessage {
  id: StatusMessageId;
  /** Defaults to the id's severity in `statusMessages`. */
  severity?: StatusSeverity;
  /** FQDN of the site server raising it. */
  system: string;
  /** 3-character site code. */
  site: string;
  /** Defaults to now. */
  time?: Date;
  /** Insertion strings ISTR0…ISTR9; missing ones are written empty. */
  properties?: readonly string[];
}

/** Who raised the message: written as PID= and TID=. */
export interface StatusMessageOrigin {
  pid: number;
  thread: number;
}

const MAX_PROPERTIES = 10;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function isStatusMessageId(id: number): id is StatusMessageId {
  return Object.hasOwn(statusMessages, id);
}

/** `Thu Jan 16 18:53:52.608 2014`, always UTC as the field name says. */
export function gmtDate(time: Date): string {
  if (Number.isNaN(time.getTime())) throw new InvalidArgumentError('InvalidLogTime', 'A status message needs a valid time');
  const two = (value: number): string => String(value).padStart(2, '0');
  const clock = `${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())}`;
  const ms = String(time.getUTCMilliseconds()).padStart(3, '0');
  return `${DAYS[time.getUTCDay()]} ${MONTHS[time.getUTCMonth()]} ${two(time.getUTCDate())} ${clock}.${ms} ${time.getUTCFullYear()}`;
}

/** The severity a message is written with. */
export function statusSeverity(message: StatusMessage): StatusSeverity {
  return message.severity ?? statusMessages[message.id].severity;
}

/**
 * The `STATMSG:` line. An insertion string cannot carry a double quote (it would end the value
 * early for every reader), so each `"` becomes `'`; line breaks become spaces when the line is
 * formatted. Throws InvalidArgumentError for an unknown id, a malformed site code or system name,
 * or more than ten insertion strings.
 */
export function statusMessageLine(message: StatusMessage, origin: StatusMessageOrigin = { pid: process.pid, thread: process.pid }): string {
  if (!isStatusMessageId(message.id)) {
    throw new InvalidArgumentError('UnknownStatusMessageId', `Status message ${String(message.id)} is not one SMS_WSUS_SYNC_MANAGER raises (6701–6708)`, {
      target: String(message.id),
    });
  }
  if (!/^[A-Za-z0-9]{3}$/.test(message.site)) {
    throw new InvalidArgumentError('InvalidSiteCode', `'${message.site}' is not a 3-character site code`, { target: message.site });
  }
  if (!/^[^\s"]+$/.test(message.system)) {
    throw new InvalidArgumentError('InvalidStatusMessage', `'${message.system}' is not a server name (SYS= is written unquoted)`, { target: message.system });
  }
  const properties = message.properties ?? [];
  if (properties.length > MAX_PROPERTIES) {
    throw new InvalidArgumentError('InvalidStatusMessage', `A status message carries at most ${MAX_PROPERTIES} insertion strings, not ${properties.length}`, {
      target: String(message.id),
    });
  }
  const strings = Array.from({ length: MAX_PROPERTIES }, (_, i) => `ISTR${i}="${(properties[i] ?? '').replaceAll('"', "'")}"`);
  return (
    `STATMSG: ID=${message.id} SEV=${statusSeverity(message)} LEV=M SOURCE="SMS Server" COMP="${COMPONENT}" ` +
    `SYS=${message.system} SITE=${message.site} PID=${origin.pid} TID=${origin.thread} ` +
    `GMTDATE=${gmtDate(message.time ?? new Date())} ${strings.join(' ')} NUMATTRS=0`
  );
}

/** `6703 WSUS synchronization failed: upstream unreachable`: what a person reads of a status message. */
export function statusMessageShort(message: StatusMessage): string {
  const details = (message.properties ?? []).filter((p) => p !== '');
  return `${message.id} ${statusMessages[message.id].meaning}${details.length > 0 ? `: ${details.join(', ')}` : ''}`;
}
