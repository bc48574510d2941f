/**
 * One sync at a time per site, across processes: an exclusive lock file in the site directory
 * holding the owner's pid. A lock left by a killed process (kill -9, power loss) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IoError } from '../errors.js';
import { lockOwnerDead } from './lock-file.js';

export interface SyncLock {
  release(): void;
}

/** Takes the site's sync lock, or returns undefined when a live process holds it. */
export function tryLockSite(siteDir: string): SyncLock | undefined {
  const file = path.join(siteDir, 'sync.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new IoError('LockFailed', `Cannot create the sync lock ${file}: ${(error as Error).message}`, { target: file, cause: error });
      }
      if (!lockOwnerDead(file)) return undefined;
      fs.rmSync(file, { force: true });
    }
  }
  return undefined;
}

/** Whether a live process holds the site's sync lock (status uses it to tell running from interrupted). */
export function isSiteLocked(siteDir: string): boolean {
  const file = path.join(siteDir, 'sync.lock');
  return fs.existsSync(file) && !lockOwnerDead(file);
}
