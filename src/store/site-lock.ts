/**
 * One writer at a time per site, across processes: a lock file (`sync.lock`) in the site
 * directory naming its holder — the process (with its start time, so a dead holder's lock is
 * stale even when its process id was reused), what it does and, for a sync, its run. A lock left
 * by a killed process (kill -9, power loss) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BusyError, NotFoundError } from '../errors.js';
import { type HeldLock, type LockHolder, lockHolder, tryCreateLock } from './lock-file.js';

export type { LockHolder } from './lock-file.js';

/** What holds a site: a sync (which takes queued requests), an import, a removal. */
export type SiteOperation = 'sync' | 'metadata import' | 'catalog import' | 'site removal';

export type SiteLock = HeldLock;

/** Takes the site's lock for `operation`, or returns undefined when a live process holds it. */
export function tryLockSite(siteDir: string, operation: SiteOperation): SiteLock | undefined {
  try {
    return tryCreateLock(path.join(siteDir, 'sync.lock'), operation);
  } catch (error) {
    // A site removed meanwhile: its directory went with it.
    if (!fs.existsSync(siteDir)) throw new NotFoundError('SiteNotFound', `Site ${path.basename(siteDir)} does not exist (it was removed)`, { target: path.basename(siteDir), cause: error });
    throw error;
  }
}

/** The live holder of the site's lock, or undefined (no lock, or a stale one). */
export function siteLockHolder(siteDir: string): LockHolder | undefined {
  return lockHolder(path.join(siteDir, 'sync.lock'));
}

/** Whether a live process holds the site's lock (status uses it to tell running from interrupted). */
export function isSiteLocked(siteDir: string): boolean {
  return siteLockHolder(siteDir) !== undefined;
}

/** The one busy error of a site (exit 6): what holds it, and what to do (`then`: "run … again"). */
export function siteBusy(code: string, then: string, holder?: LockHolder): BusyError {
  const doing = holder ? describeHolder(holder) : 'synchronizing or importing';
  return new BusyError('SiteBusy', `Site ${code} is ${doing} right now; ${then} when that has finished`, {
    target: code,
    ...(holder ? { data: { HolderProcessId: holder.pid, HolderOperation: holder.operation, ...(holder.runId !== undefined ? { HolderRunId: holder.runId } : {}) } } : {}),
  });
}

function describeHolder(holder: LockHolder): string {
  const by = `process ${holder.pid}`;
  switch (holder.operation) {
    case 'sync':
      return `synchronizing (${holder.runId !== undefined ? `run ${holder.runId}, ` : ''}${by})`;
    case 'site removal':
      return `being removed (${by})`;
    default:
      return `busy with a ${holder.operation} (${by})`;
  }
}
