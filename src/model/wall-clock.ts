/**
 * The one cached Intl formatter that reads an instant's wall-clock fields in an IANA time zone
 * (used by schedules and by the log's local times; no tz library).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter for `timeZone`, or undefined when the runtime does not know the zone. */
export function wallClockFormatter(timeZone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      // Latin digits and a 00–23 hour whatever the host's locale data says.
      formatter = new Intl.DateTimeFormat('en-US-u-nu-latn', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      return undefined;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The process's own zone: what "local time" means when the caller names none. */
export function processTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
