/**
 * Lock files holding their owner's process id: short critical sections around settings writes
 * (withFileLock) and the per-site sync lock (site-lock.ts). A lock whose owner died is stale.
 */
import fs from 'node:fs';
import { IoError } from '../errors.js';

/** Runs `fn` holding `lockFile` (O_EXCL), waiting briefly for another holder; stale locks of dead processes are taken over. */
export function withFileLock<T>(lockFile: string, fn: () => T, waitMs = 10_000): T {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new IoError('LockFailed', `Cannot create lock ${lockFile}: ${(error as Error).message}`, { target: lockFile, cause: error });
      }
      if (lockOwnerDead(lockFile)) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new IoError('LockTimeout', `Another supsync process holds ${lockFile}; try again`, { target: lockFile });
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/** Whether a lock file's owner is gone (or the file is gone). An empty file is a lock being written: held. */
export function lockOwnerDead(file: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return true;
  }
  if (text.trim() === '') return false;
  const pid = Number(text.trim());
  return !Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid);
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
