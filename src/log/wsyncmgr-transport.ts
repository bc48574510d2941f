/**
 * A winston transport that appends wsyncmgr.log lines the way a site server component does, safe
 * for several processes sharing the file.
 *
 * Decisions:
 * - Every line is one `fs.writeSync` on a descriptor opened with `'a'` (O_APPEND; FILE_APPEND_DATA
 *   on Windows): nothing is buffered in the process, so a crash loses no line already logged, and
 *   the OS appends each write whole, so two processes never interleave inside a line. No fsync:
 *   a power cut may lose what the OS had not flushed, as with ConfigMgr's own logs.
 * - Encoding UTF-8 with a BOM, written when the file is created: Windows PowerShell 5.1's
 *   Get-Content and older viewers otherwise read a BOM-less file in the ANSI code page and garble
 *   non-ASCII text. The file is created by hard-linking a finished one-BOM file into place, so no
 *   other process can append before the BOM (a log directory must support hard links: NTFS, ext4…).
 * - Lines end in CRLF on every OS, as ConfigMgr writes them.
 * - Roll-over: when a line would take the file past `maxBytes` (default 2,621,440 bytes = 2.5 MiB,
 *   the figure the brief gives for ConfigMgr's default; not confirmed from a primary source), the
 *   file is renamed to `wsyncmgr.lo_`, replacing the previous one, and a fresh file is started, so
 *   exactly one previous file is kept. A line is never split; one longer than the limit is written
 *   whole into a file of its own. The rename is done under a short-lived lock file so that two
 *   processes cannot both roll (the second would push the fresh file over the full one). A process
 *   that finds the lock held waits for it briefly, then writes on and lets the holder roll.
 * - Thread: `thread=` carries `process.pid`. Our JavaScript runs on one
 *   thread per process, so the pid is the stable per-process number, and it tells lines of
 *   concurrent processes apart as ConfigMgr's thread ids do.
 * - The file is (re)opened whenever the path no longer names the file we hold (rolled by another
 *   process, deleted by an administrator), so lines always go to the current wsyncmgr.log.
 */
import fs from 'node:fs';
import path from 'node:path';
import TransportStream from 'winston-transport';
import { InvalidArgumentError, IoError } from '../errors.js';
import { assertTimeZone, defaultTimeZone, formatLogLine, type LogFormat, type LogType } from './format.js';

export const LOG_FILE_NAME = 'wsyncmgr.log';
export const ROLLED_FILE_NAME = 'wsyncmgr.lo_';
export const DEFAULT_MAX_BYTES = 2_621_440;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
export const EOL = '\r\n';
/** A roll takes microseconds; a lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 10_000;
/** How long a writer waits for another process's roll before writing on into the full file. */
const LOCK_WAIT_MS = 250;
/** Atomics.wait on this gives a synchronous millisecond sleep. */
const pause = new Int32Array(new SharedArrayBuffer(4));

export interface WsyncmgrTransportOptions {
  /** Directory of wsyncmgr.log; created when missing. */
  logDir: string;
  format?: LogFormat;
  maxBytes?: number;
  /** IANA zone for the local time in each line; defaults to the process's zone. */
  timeZone?: string;
}

/** What the transport reads from a winston info object besides `level` and `message`. */
export interface WsyncmgrLogInfo {
  level: string;
  message: unknown;
  /** When the event happened; defaults to when the line is written. */
  time?: Date;
  /** Source location `name:line` for the CMTrace layout. */
  file?: string;
}

function logTypeOf(level: string): LogType {
  if (level === 'error') return 3;
  if (level === 'warn') return 2;
  return 1;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

export class WsyncmgrTransport extends TransportStream {
  readonly path: string;
  readonly rolledPath: string;
  /** Named `layout` because winston's transports use `format` for a logform pipeline. */
  readonly layout: LogFormat;
  readonly maxBytes: number;
  readonly timeZone: string;
  /** Written as the thread id (see the module comment). */
  readonly thread = process.pid;
  private readonly lockPath: string;
  private fd: number | undefined;
  /** Identity of the file `fd` refers to, to notice when the path names another file. */
  private ino = -1n;
  private tempCounter = 0;

  /** Opens (creating if needed) the log now, so an unusable directory fails here as IoError `LogWriteFailed`. */
  constructor(options: WsyncmgrTransportOptions) {
    // Not passing `options` on: winston-transport would take our `format` for a logform pipeline.
    super();
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= BOM.length) {
      throw new InvalidArgumentError('InvalidLogMaxBytes', `The log size limit must be a whole number of bytes above ${BOM.length}, not ${maxBytes}`, {
        target: String(maxBytes),
      });
    }
    this.layout = options.format ?? 'site-server';
    this.maxBytes = maxBytes;
    this.timeZone = options.timeZone ?? defaultTimeZone();
    assertTimeZone(this.timeZone);
    const dir = path.resolve(options.logDir);
    this.path = path.join(dir, LOG_FILE_NAME);
    this.rolledPath = path.join(dir, ROLLED_FILE_NAME);
    this.lockPath = `${this.path}.lock`;
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw this.failure(error, dir);
    }
    this.guard(() => this.current());
  }

  override log(info: WsyncmgrLogInfo, next: () => void): void {
    try {
      this.append(
        formatLogLine(
          this.layout,
          { message: String(info.message), time: info.time ?? new Date(), thread: this.thread, type: logTypeOf(info.level), file: info.file ?? '' },
          this.timeZone,
        ),
      );
    } catch (error) {
      // winston's convention: the logger re-emits a transport's error to its own listeners.
      this.emit('error', error);
    }
    next();
  }

  /** Appends one line (without line ending), rolling first when it would not fit. */
  append(line: string): void {
    const bytes = Buffer.from(line + EOL, 'utf8');
    this.guard(() => {
      let size = this.current();
      if (size > BOM.length && size + bytes.length > this.maxBytes) {
        this.roll();
        size = this.current();
      }
      const fd = this.fd as number;
      const written = fs.writeSync(fd, bytes);
      if (written !== bytes.length) throw new Error(`only ${written} of ${bytes.length} bytes were written`);
    });
  }

  /** Closes the file; a later line reopens it (winston closes a transport it unpipes, then may re-add it). */
  override close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.guard(() => fs.closeSync(fd));
  }

  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw this.failure(error, this.path);
    }
  }

  private failure(error: unknown, target: string): IoError {
    if (error instanceof IoError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new IoError('LogWriteFailed', `Cannot write the log ${target}: ${reason}`, { target, cause: error });
  }

  /** Makes `fd` the file the path names now and returns that file's size. */
  private current(): number {
    if (this.fd !== undefined) {
      let stat: fs.BigIntStats | undefined;
      try {
        stat = fs.statSync(this.path, { bigint: true });
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
      if (stat !== undefined && stat.ino === this.ino) return Number(stat.size);
      this.close();
    }
    this.createWithBom();
    const fd = fs.openSync(this.path, 'a');
    try {
      const stat = fs.fstatSync(fd, { bigint: true });
      this.fd = fd;
      this.ino = stat.ino;
      return Number(stat.size);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  private createWithBom(): void {
    if (fs.existsSync(this.path)) return;
    const temp = path.join(path.dirname(this.path), `.${LOG_FILE_NAME}.${process.pid}.${this.tempCounter++}.tmp`);
    fs.writeFileSync(temp, BOM, { flag: 'wx' });
    try {
      fs.linkSync(temp, this.path);
    } catch (error) {
      // Another process created it first: theirs has the BOM, use it.
      if (errorCode(error) !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }

  private roll(): void {
    const lock = this.lock();
    if (lock === undefined) return;
    try {
      // Under the lock: roll only if nobody rolled the file we found full.
      if (fs.statSync(this.path, { bigint: true }).ino === this.ino) fs.renameSync(this.path, this.rolledPath);
    } catch {
      // Nothing left to roll, or wsyncmgr.lo_ cannot be replaced (on Windows a viewer may hold it
      // open): losing lines is worse than a long file, so this line still goes to the current file
      // and the next one tries again.
    } finally {
      fs.closeSync(lock);
      fs.rmSync(this.lockPath, { force: true });
    }
  }

  /**
   * The lock's descriptor, or undefined when another process still holds it after LOCK_WAIT_MS.
   * Waiting (rather than writing on at once) keeps a writer from piling lines into the full file
   * while the holder is descheduled mid-roll.
   */
  private lock(): number | undefined {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let first = true; ; first = false) {
      if (!first && Date.now() >= deadline) return undefined;
      try {
        return fs.openSync(this.lockPath, 'wx');
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      try {
        if (Date.now() - fs.statSync(this.lockPath).mtimeMs >= STALE_LOCK_MS) fs.rmSync(this.lockPath, { force: true });
        else Atomics.wait(pause, 0, 0, 1);
      } catch (error) {
        // Released between our two calls: try again at once.
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
  }
}
