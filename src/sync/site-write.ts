/**
 * One writer per site: a sync, a package import and a catalog import take the site's lock and
 * open its database the same way, and a second writer gets the same answer (`SiteBusy`, exit 6).
 */
import { BusyError } from '../errors.js';
import type { SiteControl } from '../model/site.js';
import type { Home, SitePaths } from '../store/home.js';
import { removeCompletionCache, writeCompletionCache } from '../store/completion-cache.js';
import { tryLockSite } from '../store/site-lock.js';
import { type SiteStore, openSiteStore } from '../store/site-store.js';

export interface SiteWrite {
  site: SiteControl;
  paths: SitePaths;
  store: SiteStore;
  /** Closes the database and releases the lock. */
  release(): void;
}

/** Takes the site's lock and opens its database; undefined when another process holds the lock. */
export function tryOpenSiteWrite(home: Home, code: string): SiteWrite | undefined {
  const site = home.site(code);
  const paths = home.sitePaths(site.code);
  const lock = tryLockSite(paths.dir);
  if (!lock) return undefined;
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

/** As tryOpenSiteWrite, or the busy error saying what to do (`then` finishes "run … again when that has finished"). */
export function openSiteWrite(home: Home, code: string, then: string): SiteWrite {
  const write = tryOpenSiteWrite(home, code);
  if (!write) throw siteBusy(home.site(code).code, then);
  return write;
}

export function siteBusy(code: string, then: string): BusyError {
  return new BusyError('SiteBusy', `Site ${code} is synchronizing or importing right now; ${then} when that has finished`, { target: code });
}
