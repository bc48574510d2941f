/**
 * A parent site of the same home served over loopback for the duration of a child's sync: still
 * the real protocol, so a child never reads its parent's files. The CLI and the service hand this
 * to the sync engine (sync/ does not start servers itself).
 */
import type { SiteControl } from '../model/site.js';
import type { Home } from '../store/home.js';
import { openSiteStore } from '../store/site-store.js';
import { SupEndpoint } from './sup-endpoint.js';

export async function serveLocalParent(home: Home, parent: SiteControl): Promise<{ url: string; close(): Promise<void> }> {
  const store = openSiteStore(home.sitePaths(parent.code).database);
  try {
    // One downstream, which asks for each revision and list once: nothing to gain from keeping
    // answers (encoded entries raised a child sync's peak RSS by ~57 MB).
    const endpoint = await new SupEndpoint({ store, languages: parent.sup.languageSummaryDetails, contentDir: home.sitePaths(parent.code).content, encodedCacheBytes: 0, gzippedAnswerBytes: 0, keptListBytes: 0 }).listen('127.0.0.1', 0);
    return {
      url: endpoint.url,
      close: async () => {
        await endpoint.close();
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
