/**
 * One writer per site: a sync, a package import and a catalog import take the site's lock and
 * open its database the same way, and a second writer gets the same answer (`SiteBusy`, exit 6)
 * naming what holds the site.
 */
import type { SiteControl } from '../model/site.js';
import type { Home, SitePaths } from '../store/home.js';
import { removeCompletionCache, writeCompletionCache } from '../store/completion-cache.js';
import { type LockHolder, type SiteLock, type SiteOperation, siteBusy, siteLockHolder, tryLockSite } from '../store/site-lock.js';
import { type SiteStore, openSiteStore } from '../store/site-store.js';

export { siteBusy } from '../store/site-lock.js';

export interface SiteWrite {
  site: SiteControl;
  paths: SitePaths;
  store: SiteStore;
  lock: SiteLock;
  /** Closes the database and releases the lock. */
  release(): void;
}

/** Takes the site's lock and opens its database; otherwise the live holder of the lock. */
export function tryOpenSiteWrite(home: Home, code: string, operation: SiteOperation): SiteWrite | { holder: LockHolder | undefined } {
  const site = home.site(code);
  const paths = home.sitePaths(site.code);
  const lock = tryLockSite(paths.dir, operation);
  // The holder may have let go since: then it is undefined, and the caller says busy all the same.
  if (!lock) return { holder: siteLockHolder(paths.dir) };
  let store: SiteStore;
  try {
    // The completion cache goes before anything changes and comes back at release: never stale.
    removeCompletionCache(paths.dir);
    store = openSiteStore(paths.database);
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    site,
    paths,
    store,
    lock,
    release: () => {
      try {
        writeCompletionCache(paths.dir, site, store);
      } catch {
        // Without the cache the completer asks the host: a failed write costs speed, nothing else.
      } finally {
        store.close();
        lock.release();
      }
    },
  };
}

/** As tryOpenSiteWrite, or the busy error saying what holds the site and what to do (`then` finishes "run … again when that has finished"). */
export function openSiteWrite(home: Home, code: string, operation: SiteOperation, then: string): SiteWrite {
  const write = tryOpenSiteWrite(home, code, operation);
  if ('holder' in write) throw siteBusy(home.site(code).code, then, write.holder);
  return write;
}
