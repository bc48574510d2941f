/**
 * Typed errors. Every failure a user can meet carries a stable `code` (what scripts branch on and
 * what the PowerShell module uses as FullyQualifiedErrorId), a PowerShell ErrorCategory name, the
 * input it concerns (`target`) and the process exit code. Only the CLI entry point turns one into
 * an exit.
 */

/** PowerShell's System.Management.Automation.ErrorCategory names we use. */
export type ErrorCategory =
  | 'InvalidArgument'
  | 'InvalidData'
  | 'InvalidOperation'
  | 'ObjectNotFound'
  | 'ResourceExists'
  | 'ResourceBusy'
  | 'ResourceUnavailable'
  | 'ConnectionError'
  | 'ProtocolError'
  | 'PermissionDenied'
  | 'SecurityError'
  | 'OperationTimeout'
  | 'NotImplemented'
  | 'ReadError'
  | 'WriteError'
  | 'LimitsExceeded'
  | 'NotSpecified';

/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** Unexpected internal error. */
  internal: 1,
  /** Bad command-line usage or invalid argument value. */
  usage: 2,
  /** A named thing does not exist (site, update, category). */
  notFound: 3,
  /** Stored state is unreadable (corrupt site.json / site.db / corpus). */
  data: 4,
  /** The upstream server or catalog failed or answered with a fault. */
  upstream: 5,
  /** Another process holds the site (an import, a removal) and the command was refused. */
  busy: 6,
  /** A batch where some items succeeded and some failed. */
  partial: 7,
  /** The file system refused (permissions, disk). */
  io: 8,
  /** The operation is not allowed in the current state (e.g. settings on a child site). */
  invalidOperation: 9,
  /**
   * Not an error: a sync request found the site synchronizing and was queued behind that run
   * (the result's QueuedBehindRun); the running process runs it when that finishes.
   */
  queued: 10,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  target?: string;
  cause?: unknown;
  /** Extra structured facts for the error record (never secrets). */
  data?: Record<string, unknown>;
}

export class SupsyncError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly exitCode: ExitCodeValue;
  readonly target: string | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: string, message: string, category: ErrorCategory, exitCode: ExitCodeValue, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = category;
    this.exitCode = exitCode;
    this.target = details.target;
    this.data = details.data;
  }
}

/** A value given by the user is malformed or out of range. */
export class InvalidArgumentError extends SupsyncError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 'InvalidArgument', ExitCode.usage, details);
  }
}

/** A site, update, category or file named by the user does not exist. */
export class NotFoundError extends SupsyncError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 'ObjectNotFound', ExitCode.notFound, details);
  }
}

/** Stored or received data cannot be read: corrupt, hand-edited wrongly, malformed. */
export class InvalidDataError extends SupsyncError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 'InvalidData', ExitCode.data, details);
  }
}

/** The request is valid but not allowed in the current state. */
export class InvalidOperationError extends SupsyncError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 'InvalidOperation', ExitCode.invalidOperation, details);
  }
}

/** A thing already exists (duplicate site code). */
export class ResourceExistsError extends SupsyncError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 'ResourceExists', ExitCode.usage, details);
  }
}

/** Another process holds the resource. */
export class BusyError extends SupsyncError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 'ResourceBusy', ExitCode.busy, details);
  }
}

/** The file system refused a read or write. */
export class IoError extends SupsyncError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 'WriteError', ExitCode.io, details);
  }
}

/**
 * The upstream (a WSUS server, Microsoft Update, a parent site, or the catalog) failed. `transient`
 * says whether retrying may help (ServerBusy, 5xx, resets, timeouts).
 */
export class UpstreamError extends SupsyncError {
  readonly transient: boolean;
  constructor(code: string, message: string, details: ErrorDetails & { transient?: boolean; category?: ErrorCategory } = {}) {
    super(code, message, details.category ?? 'ConnectionError', ExitCode.upstream, details);
    this.transient = details.transient ?? false;
  }
}

/**
 * A SOAP fault from a [MS-WSUSSS] server, carrying the spec's ErrorCode
 * (InvalidCookie, ServerChanged, …) as `faultCode`.
 */
export class SoapFaultError extends UpstreamError {
  readonly faultCode: string;
  readonly faultMessage: string;
  constructor(faultCode: string, faultMessage: string, details: ErrorDetails & { transient?: boolean } = {}) {
    super(`Wsus${faultCode}`, `The upstream server answered with the fault ${faultCode}${faultMessage ? `: ${faultMessage}` : ''}`, {
      ...details,
      category: 'ProtocolError',
      transient: details.transient ?? (faultCode === 'ServerBusy'),
    });
    this.faultCode = faultCode;
    this.faultMessage = faultMessage;
  }
}

/**
 * Wraps anything thrown into a SupsyncError, keeping typed ones as they are. Failures of the file
 * system and of SQLite that reach the edge untyped (a disk filling up mid-sync, a database damaged
 * after it was opened) still get their documented exit code: I/O (8) or damaged data (4).
 */
export function asSupsyncError(error: unknown): SupsyncError {
  if (error instanceof SupsyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : '';
  const path = typeof (error as { path?: unknown } | null)?.path === 'string' ? (error as { path: string }).path : undefined;
  const details = { cause: error, ...(path !== undefined ? { target: path } : {}) };
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') {
    return new IoError('DiskFull', `The disk is full${path ? ` (writing ${path})` : ''}: ${message}; free space and run the command again`, details);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new InvalidDataError('SiteDatabaseCorrupt', `The site database is damaged (${message}); restore it from a backup`, details);
  }
  if (code === 'SQLITE_ERROR' && /^no such (table|column|index)/.test(message)) {
    return new InvalidDataError('SiteDatabaseCorrupt', `The site database lacks part of its schema (${message}); restore it from a backup`, details);
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    return new IoError('SiteDatabaseIoFailed', `The site database cannot be read or written: ${message}`, details);
  }
  if (['EACCES', 'EPERM', 'EROFS', 'EIO', 'EISDIR', 'ENOTDIR', 'EMFILE', 'ENFILE', 'ELOOP', 'ENAMETOOLONG', 'EEXIST', 'EBUSY'].includes(code)) {
    return new IoError('FileSystemError', `The file system refused: ${message}`, details);
  }
  if (code === 'ENOENT') return new NotFoundError('FileNotFound', `A file does not exist: ${message}`, details);
  return new SupsyncError('InternalError', `Internal error: ${message}`, 'NotSpecified', ExitCode.internal, { cause: error });
}

/** A typed error as plain data, to cross a worker thread's boundary (structured clone keeps no classes). */
export interface TransferredError {
  kind: string;
  code: string;
  message: string;
  category: ErrorCategory;
  exitCode: ExitCodeValue;
  target?: string;
  data?: Record<string, unknown>;
  transient?: boolean;
  faultCode?: string;
  faultMessage?: string;
}

export function transferError(thrown: unknown): TransferredError {
  const error = asSupsyncError(thrown);
  return {
    kind: error.name,
    code: error.code,
    message: error.message,
    category: error.category,
    exitCode: error.exitCode,
    ...(error.target === undefined ? {} : { target: error.target }),
    ...(error.data === undefined ? {} : { data: error.data }),
    ...(error instanceof UpstreamError ? { transient: error.transient } : {}),
    ...(error instanceof SoapFaultError ? { faultCode: error.faultCode, faultMessage: error.faultMessage } : {}),
  };
}

/** The error a worker reported, as the class it was thrown as. */
export function receiveError(t: TransferredError): SupsyncError {
  const details = { ...(t.target === undefined ? {} : { target: t.target }), ...(t.data === undefined ? {} : { data: t.data }) };
  switch (t.kind) {
    case 'SoapFaultError':
      return new SoapFaultError(t.faultCode ?? '', t.faultMessage ?? '', { ...details, transient: t.transient ?? false });
    case 'UpstreamError':
      return new UpstreamError(t.code, t.message, { ...details, transient: t.transient ?? false, category: t.category });
    case 'InvalidDataError':
      return new InvalidDataError(t.code, t.message, details);
    default:
      return new SupsyncError(t.code, t.message, t.category, t.exitCode, details);
  }
}
