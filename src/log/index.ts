/** wsyncmgr.log: line formats, status messages, the winston transport and the site logger. */
export {
  COMPONENT,
  assertTimeZone,
  defaultTimeZone,
  formatBias,
  formatCmtraceLine,
  formatLogLine,
  formatSiteServerLine,
  localTime,
  oneLine,
  type LocalTime,
  type LogEntry,
  type LogFormat,
  type LogType,
} from './format.js';
export {
  gmtDate,
  statusMessageLine,
  statusMessageShort,
  statusMessages,
  statusSeverity,
  type StatusMessage,
  type StatusMessageId,
  type StatusMessageInfo,
  type StatusMessageOrigin,
  type StatusSeverity,
} from './status-messages.js';
export {
  DEFAULT_MAX_BYTES,
  LOG_FILE_NAME,
  ROLLED_FILE_NAME,
  WsyncmgrTransport,
  type WsyncmgrLogInfo,
  type WsyncmgrTransportOptions,
} from './wsyncmgr-transport.js';
export { createSiteLogger, type LogEcho, type SiteLogLevel, type SiteLogger, type SiteLoggerOptions } from './site-logger.js';
export { type LogCursor, type ReadLogEntry, logLines, parseLogLine, readLogSince, readSiteLog, typeFromText } from './read.js';
