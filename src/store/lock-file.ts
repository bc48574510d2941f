/**
 * Lock files that prove their holder: short critical sections around settings writes
 * (withFileLock) and the per-site lock (site-lock.ts). A lock file holds its owner's process id
 * *and that process's start time*, so a lock left by a process that died is stale even when its
 * id now belongs to another live process (ids are reused, after a reboot at once). The file is
 * created whole (written beside it, then hard-linked into place), so an empty or unreadable lock
 * file was never a lock: it is stale too.
 *
 * The start time: on Linux field 22 of /proc/PID/stat (clock ticks since boot) with the boot id,
 * read without starting a process, compared exactly. Elsewhere Node.js offers no other process's
 * start time, so a checker asks the OS the way an admin would (`ps -o lstart=` on macOS and the
 * BSDs, Get-Process on Windows) — a process start, paid only when a lock file is found — and the
 * holder records its own start from `performance.timeOrigin` without one; the two agree within
 * a minute, while a reused id belongs to a process started at another time. An OS lock on
 * the file (flock, LockFileEx) would need a native addon, and Node.js has none built in.
 */
import fs from 'node:fs';
import { IoError } from '../errors.js';

// node:crypto and node:child_process are loaded when first used: every host start loads this
// module (settings writes take a lock file) and most take no lock; loading both cost ~5 ms of CPU.
const randomUUID = () => process.getBuiltinModule('node:crypto').randomUUID();

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  /** The holder's start time as processStartTime gives it; undefined where the OS would not tell. */
  start?: string;
  /** What the holder does (`sync`, `import`, `site removal`, …): what a refused caller is told. */
  operation: string;
  /** When the lock was taken. */
  since: string;
  /** The run a holding sync is on (or starting), once it is known. */
  runId?: number;
}

/** Runs `fn` holding `lockFile`, waiting briefly for another holder; stale locks are taken over. */
export function withFileLock<T>(lockFile: string, fn: () => T, waitMs = 10_000): T {
  const deadline = Date.now() + waitMs;
  let lock: HeldLock | undefined;
  while (!(lock = tryCreateLock(lockFile, 'settings write'))) {
    if (Date.now() > deadline) {
      throw new IoError('LockTimeout', `Another supsync process holds ${lockFile}; try again`, { target: lockFile });
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  try {
    return fn();
  } finally {
    lock.release();
  }
}

export interface HeldLock {
  readonly holder: LockHolder;
  /** Rewrites the lock with more about the holder (a sync's run id), in one rename. */
  describe(change: Partial<Pick<LockHolder, 'runId'>>): void;
  release(): void;
}

/**
 * Takes `file`, or returns undefined while a live holder has it. A stale lock (its process gone,
 * or another process now under its id, or an empty or garbled file) is taken over.
 */
export function tryCreateLock(file: string, operation: string): HeldLock | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder: LockHolder = { pid: process.pid, ...ownStart(), operation, since: new Date().toISOString() };
    let text = JSON.stringify(holder);
    if (createWhole(file, text)) {
      let released = false;
      return {
        holder,
        describe: (change) => {
          Object.assign(holder, change);
          const next = JSON.stringify(holder);
          const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
          // Best effort (Windows refuses a rename over a file another process is reading): the lock
          // stays ours either way, and a request queued meanwhile names the run from the history.
          try {
            fs.writeFileSync(temporary, next);
            fs.renameSync(temporary, file);
            text = next;
          } catch {
            fs.rmSync(temporary, { force: true });
          }
        },
        release: () => {
          if (released) return;
          released = true;
          // Only our own lock: one judged stale and taken over by another process is theirs now.
          if (readText(file) === text) fs.rmSync(file, { force: true });
        },
      };
    }
    const found = readText(file);
    if (found === undefined) continue; // released meanwhile: try again
    if (liveHolder(found)) return undefined;
    removeStale(file, found);
  }
  return undefined;
}

/** The live holder of a lock file, or undefined when the file is absent or stale. */
export function lockHolder(file: string): LockHolder | undefined {
  const text = readText(file);
  return text === undefined ? undefined : liveHolder(text);
}

function liveHolder(text: string): LockHolder | undefined {
  const holder = parseHolder(text);
  if (!holder || !isProcessAlive(holder.pid)) return undefined;
  // Without a recorded start time (an OS that would not tell the holder) the id is all there is.
  if (holder.start === undefined) return holder;
  // A start time the OS would not tell now is no proof of a stale lock: the holder keeps it.
  const start = holder.pid === process.pid ? ownStart().start : processStartTime(holder.pid);
  return start === undefined || sameStart(start, holder.start) ? holder : undefined;
}

/** Linux's tokens are exact; a clock time the OS reports and one the holder took itself agree within seconds. */
function sameStart(a: string, b: string): boolean {
  if (a === b) return true;
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  return iso.test(a) && iso.test(b) && Math.abs(Date.parse(a) - Date.parse(b)) <= startToleranceMs;
}

// Generous: Node.js takes its time origin a moment after the OS started the process (longer on a loaded
// machine), while a reused id belongs to a process started minutes or a reboot later.
const startToleranceMs = 60_000;

function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, start, operation, since, runId } = value as Record<string, unknown>;
  if (!Number.isInteger(pid) || (pid as number) <= 0 || typeof operation !== 'string' || typeof since !== 'string') return undefined;
  if (start !== undefined && typeof start !== 'string') return undefined;
  if (runId !== undefined && !Number.isInteger(runId)) return undefined;
  return { pid: pid as number, ...(start !== undefined ? { start } : {}), operation, since, ...(runId !== undefined ? { runId: runId as number } : {}) };
}

/** Creates `file` with `text` whole, or returns false when it exists. */
function createWhole(file: string, text: string): boolean {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    fs.writeFileSync(temporary, text, { flag: 'wx' });
  } catch (error) {
    throw new IoError('LockFailed', `Cannot create the lock ${file}: ${(error as Error).message}`, { target: file, cause: error });
  }
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') {
      throw new IoError('LockFailed', `Cannot create the lock ${file}: ${(error as Error).message}`, { target: file, cause: error });
    }
    // A file system without hard links: exclusive create, then write (a reader may see it empty for a moment).
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new IoError('LockFailed', `Cannot create the lock ${file}: ${(fallback as Error).message}`, { target: file, cause: fallback });
    }
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Removes a lock judged stale from `text`, and only that one: it is renamed aside first, so a
 * lock another process took over in the meantime is put back rather than deleted.
 */
function removeStale(file: string, text: string): void {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new IoError('LockFailed', `Cannot remove the stale lock ${file}: ${(error as Error).message}`, { target: file, cause: error });
  }
  try {
    if (readText(aside) !== text) fs.linkSync(aside, file);
  } catch {
    // Another process holds the place again; the lock moved aside was superseded with it.
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IoError('LockFailed', `Cannot read the lock ${file}: ${(error as Error).message}`, { target: file, cause: error });
  }
}

/** Whether a process with this id runs (EPERM: alive, but another user's). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let ownStartTime: { start?: string } | undefined;

function ownStart(): { start?: string } {
  if (!ownStartTime) {
    const start = process.platform === 'linux' ? processStartTime(process.pid) : new Date(performance.timeOrigin).toISOString();
    ownStartTime = start === undefined ? {} : { start };
  }
  return ownStartTime;
}

let bootId: string | undefined;

/** A process's start time, comparable only with another answer of this function; undefined when unknown. */
export function processStartTime(pid: number): string | undefined {
  if (process.platform === 'linux') {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // Field 2 (the command) is in parentheses and may hold spaces and parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[22 - 3];
    if (startTicks === undefined) return undefined;
    bootId ??= readBootId();
    return `${bootId}:${startTicks}`;
  }
  return osStartTime(pid);
}

/** A process's start time as the OS's own tools report it (ISO 8601), or undefined. */
export function osStartTime(pid: number): string | undefined {
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const answer =
    process.platform === 'win32'
      ? spawnSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', `(Get-Process -Id ${pid} -ErrorAction SilentlyContinue).StartTime.ToUniversalTime().ToString('o')`], {
          encoding: 'utf8',
          windowsHide: true,
        })
      : // lstart is local time, which Date.parse reads as such ("Sun Dec  6 06:10:50 2026").
        spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const time = answer.status === 0 ? Date.parse(answer.stdout.trim()) : Number.NaN;
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function readBootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}
