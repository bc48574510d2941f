/**
 * Asks the upstream for the revision lists a sync plans from: the categories list, then the
 * update lists of the site's selection, with the stored anchors. An upstream that was rebuilt
 * (fault ServerChanged) makes every stored anchor meaningless: everything is asked afresh, and
 * a sync (given its log) drops the anchors; a what-if (no log) writes nothing.
 */
import type { SiteLogger } from '../log/index.js';
import type { UpstreamClient } from '../protocol/client.js';
import { type SiteControl, isTopLevel } from '../model/site.js';
import type { StoredAnchor } from '../store/anchors.js';
import type { SiteStore } from '../store/site-store.js';
import { type ListRequest, categoryLists, updateLists } from './lists.js';
import { type AnsweredList, type StoredRevisions, type SyncPlan, type SyncSettings, planSync } from './sync-plan.js';

export interface AnsweredLists {
  categories: AnsweredList[];
  /** Undefined when a top-level site selects no product or classification. */
  updates: AnsweredList[] | undefined;
}

export async function askSyncLists(client: UpstreamClient, store: SiteStore, site: SiteControl, upstreamUrl: string, full: boolean, log: SiteLogger | undefined): Promise<AnsweredLists> {
  try {
    return await ask(client, site, store.anchors.list(upstreamUrl), full);
  } catch (error) {
    if ((error as { faultCode?: string }).faultCode !== 'ServerChanged') throw error;
    if (log) {
      log.warn(`The upstream server changed; resetting all anchors for ${upstreamUrl}`);
      store.anchors.reset(upstreamUrl);
    }
    return ask(client, site, [], true);
  }
}

async function ask(client: UpstreamClient, site: SiteControl, anchors: StoredAnchor[], full: boolean): Promise<AnsweredLists> {
  // The lists are independent: asked at once, they cost one round trip to a distant upstream, not one each.
  const answer = (requests: ListRequest[]) =>
    Promise.all(
      requests.map(async (request): Promise<AnsweredList> => {
        const list = await client.getRevisionIdList(request.filter);
        return { request, anchor: list.anchor, revisions: list.newRevisions };
      }),
    );
  const updateRequests = updateLists(site, anchors, full);
  const [categories, updates] = await Promise.all([answer(categoryLists(anchors, full)), updateRequests.length === 0 && isTopLevel(site) ? undefined : answer(updateRequests)]);
  return { categories, updates };
}

/** The planner's read-only view of what a site stores. */
function storedRevisions(store: SiteStore): StoredRevisions {
  const updates = store.updates;
  return { revision: (id) => updates.storedRevision(id), isLive: (id) => updates.isLiveUpdate(id) };
}

/**
 * The sync's plan from what the site stores, read in one transaction: one snapshot, and one lock of
 * the WAL's read mark for the whole plan instead of one per lookup (a full sync looks up every
 * listed revision, 200,000 lookups at 100,000 updates).
 */
export function planFromStore(store: SiteStore, lists: AnsweredLists, settings: SyncSettings): SyncPlan {
  return store.transaction(() => planSync(storedRevisions(store), lists, settings))();
}
