/**
 * The hierarchy cascade: after a site synced successfully, each child is asked to sync from it
 * ("Sending sync notification to child site(s): …"). Local children get a `<PARENT>.SYN` request
 * file in their inbox; remote children a sync request on their SUP endpoint. With `wait`, the local
 * children sync here, in parallel with a bound and a small random stagger (so a large hierarchy does
 * not hit one parent all at once), each passing the request on to its own children.
 */
import got from 'got';
import { createSiteLogger } from '../log/index.js';
import type { Home } from '../store/home.js';
import { type SyncOptions, type SyncResult, syncSite } from './engine.js';
import { writeSyncRequest } from '../store/sync-requests.js';

export interface CascadeOptions extends SyncOptions {
  /** Sync the children here and return every site's result. */
  wait?: boolean;
  /** Children synced at once. */
  childConcurrency?: number;
  /** Upper bound of the random delay before each child starts. */
  staggerMs?: number;
  /**
   * Without `wait`: starts a local child's sync after its request file is written (the CLI spawns
   * one, except for a child a running service hosts). Without it, children get the file only.
   */
  startChildSync?: (code: string) => void;
}

export async function syncWithCascade(home: Home, code: string, options: CascadeOptions): Promise<SyncResult[]> {
  const results = await syncSite(home, code, options);
  const last = results[results.length - 1]!;
  if (last.state !== 'Succeeded' && last.state !== 'NoChanges') return results;
  const site = home.site(code);
  const local = home.localChildren(code);
  const remote = site.remoteChildren;
  if (local.length === 0 && remote.length === 0) return results;

  const log = createSiteLogger({ logDir: home.sitePaths(code).logDir, format: options.logFormat ?? 'site-server', echo: options.logEcho });
  try {
    log.info(`Sending sync notification to child site(s): ${[...local.map((c) => c.code), ...remote.map((c) => c.code)].join(', ')}`);
    const request = { from: code, catalogVersion: last.catalogVersion, full: Boolean(options.full), time: new Date().toISOString() };
    for (const child of local) writeSyncRequest(home.sitePaths(child.code).inbox, request);
    for (const child of remote) {
      if (!child.url) continue;
      try {
        // The child accepts the request from its parent only, with the credential they share.
        const credential = child.syncRequestSecret !== undefined ? { username: code, password: child.syncRequestSecret } : {};
        await got.post(`${child.url.replace(/\/+$/, '')}/supsync/SyncRequest`, { json: request, ...credential, timeout: { request: 30_000 }, retry: { limit: 2 } });
      } catch (error) {
        log.warn(`Could not notify child site ${child.code} at ${child.url}: ${(error as Error).message}`);
      }
    }
  } finally {
    log.close();
  }

  if (!options.wait) {
    for (const child of local) options.startChildSync?.(child.code);
    return results;
  }
  const childOptions: CascadeOptions = { ...options, trigger: 'parent', full: false };
  const queue = [...local];
  const stagger = options.staggerMs ?? 500;
  const worker = async (): Promise<SyncResult[]> => {
    const out: SyncResult[] = [];
    for (let child = queue.shift(); child; child = queue.shift()) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * stagger));
      out.push(...(await syncWithCascade(home, child.code, childOptions)));
    }
    return out;
  };
  const workers = Array.from({ length: Math.min(options.childConcurrency ?? 4, local.length) }, worker);
  for (const childResults of await Promise.all(workers)) results.push(...childResults);
  return results;
}
