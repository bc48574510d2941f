/**
 * The site's completion cache, `<site dir>/completion.json`: what the PowerShell module's argument
 * completer offers for the site (its code and role, its products and classifications), read there
 * without starting Node.js. A writer of the site removes it when it opens the site and writes it
 * again from the database when it releases the site, under the site's lock: so the file is never
 * older than the database, and a writer that died leaves no file, which sends the completer to the
 * host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isTopLevel, type SiteControl } from '../model/site.js';
import type { SiteStore } from './site-store.js';
import { temporaryBeside } from '../files/output-file.js';

export function completionCacheFile(siteDir: string): string {
  return path.join(siteDir, 'completion.json');
}

/** Retried a few times: on Windows a completer reading the file at that moment may hold it open (recursive, since Node retries only then). */
export function removeCompletionCache(siteDir: string): void {
  fs.rmSync(completionCacheFile(siteDir), { force: true, recursive: true, maxRetries: 5, retryDelay: 50 });
}

/** Writes the cache from the store (call before closing it, still holding the site's lock); renamed into place, so a reader never sees half of it. */
export function writeCompletionCache(siteDir: string, site: SiteControl, store: SiteStore): void {
  const known = store.categories.known();
  const pick = (rows: { id: string; title: string }[]) => rows.map((r) => ({ Title: r.title, Id: r.id }));
  const cache = { SiteCode: site.code, Role: site.role, TopLevel: isTopLevel(site), Products: pick(known.products), Classifications: pick(known.classifications) };
  const file = completionCacheFile(siteDir);
  const temp = temporaryBeside(file);
  try {
    fs.writeFileSync(temp, JSON.stringify(cache), { flag: 'wx' });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
