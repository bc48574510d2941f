/**
 * `sync --what-if`: the plan a sync would apply, per product and classification, writing nothing.
 * Asks the upstream the same revision lists with the same anchors as the sync, plans with the
 * same `planSync`, and previews the expiry and cleanup the sync would run over what is stored.
 * New revisions are attributed by asking the (cheap, id-only) list of each selected product and
 * classification; the bytes of metadata to fetch are estimated from the sizes of stored documents
 * (the protocol does not say a document's size before it is fetched).
 */
import { type SiteControl, isTopLevel } from '../model/site.js';
import type { Home } from '../store/home.js';
import { openSiteStore } from '../store/site-store.js';
import { askSyncLists, planFromStore } from './ask-lists.js';
import { planCleanup, planExpiry } from './expiry-apply.js';
import { type LocalParentServer, clientFor, resolveUpstream } from './upstream.js';
import type { RetryPolicy } from '../protocol/transport.js';

export interface SyncPlanRow {
  productId: string | null;
  product: string;
  classificationId: string | null;
  classification: string;
  new: number;
  revised: number;
  superseded: number;
  expired: number;
  removed: number;
  bytesToFetch: number;
}

export interface SyncPlanReport {
  site: string;
  source: string;
  full: boolean;
  categories: { new: number; revised: number };
  rows: SyncPlanRow[];
  totals: Omit<SyncPlanRow, 'productId' | 'product' | 'classificationId' | 'classification'>;
  notes: string[];
}

export interface WhatIfOptions {
  full?: boolean;
  timeoutMs?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  cleanupAgeDays?: number;
  serveLocalParent?: LocalParentServer;
}

const typicalDocumentBytes = 6 * 1024;

export async function whatIfSync(home: Home, code: string, options: WhatIfOptions): Promise<SyncPlanReport> {
  const site = home.site(code);
  const store = openSiteStore(home.sitePaths(code).database);
  // As the real run: a full sync that did not finish makes the next one full.
  const unfinishedFull = store.runs.unfinishedFullRun();
  const full = Boolean(options.full) || site.sup.fullSyncRequired || unfinishedFull !== undefined;
  const upstream = await resolveUpstream(home, site, options.serveLocalParent);
  try {
    const notes: string[] = unfinishedFull !== undefined ? [`sync run ${unfinishedFull} was a full sync that did not finish; the next sync finishes the full comparison`] : [];
    const rows = new Map<string, SyncPlanRow>();
    const titles = store.categories.titles();
    const rowFor = (productId: string | null, classificationId: string | null): SyncPlanRow => {
      const key = `${productId}|${classificationId}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          productId,
          product: productId ? (titles.get(productId) ?? productId) : '(unattributed)',
          classificationId,
          classification: classificationId ? (titles.get(classificationId) ?? classificationId) : '(unattributed)',
          new: 0,
          revised: 0,
          superseded: 0,
          expired: 0,
          removed: 0,
          bytesToFetch: 0,
        };
        rows.set(key, row);
      }
      return row;
    };
    const storedRow = (id: string) => {
      const m = store.updates.membershipOf(id);
      return rowFor(m?.productIds[0] ?? null, m?.classificationId ?? null);
    };
    const categories = { new: 0, revised: 0 };
    let listed: Set<string> | undefined;

    if (!upstream) notes.push('The sync source is none: nothing would be fetched; only the expiry rules would run.');
    else {
      const client = clientFor(site, upstream, options);
      const lists = await askSyncLists(client, store, site, upstream.url, full, undefined);
      const plan = planFromStore(store, lists, { full });
      categories.new = plan.categories.newIds.size;
      categories.revised = plan.categories.fetch.length - plan.categories.newIds.size;
      listed = plan.listed;
      if (plan.updates) {
        const updates = plan.updates;
        // A list of one product names the product of what it lists.
        const listProduct = new Map<string, string>();
        for (const list of lists.updates ?? []) {
          const only = list.request.filter.categories?.length === 1 ? list.request.filter.categories[0]!.id : undefined;
          if (only) for (const r of list.revisions) if (!listProduct.has(r.updateId)) listProduct.set(r.updateId, only);
        }
        const attribution = updates.newIds.size > 0 ? await attributeNew(client, home, site, updates.newIds) : { classificationOf: new Map<string, string>(), productOf: new Map<string, string>() };
        const average = store.updates.averageMetadataSize() ?? typicalDocumentBytes;
        for (const r of updates.fetch) {
          if (updates.newIds.has(r.updateId)) {
            const row = rowFor(listProduct.get(r.updateId) ?? attribution.productOf.get(r.updateId) ?? null, attribution.classificationOf.get(r.updateId) ?? null);
            row.new++;
            row.bytesToFetch += Math.round(average);
            continue;
          }
          // A delta also re-fetches stored live revisions it lists (that is how an expiry travels); only a newer revision is a revision.
          const stored = store.updates.revisionAndSize(r.updateId);
          if (!stored || stored.revision >= r.revisionNumber) continue;
          const row = storedRow(r.updateId);
          row.revised++;
          row.bytesToFetch += stored.metadata_size;
        }
      } else if (isTopLevel(site)) {
        notes.push('No products or classifications are selected: the sync would fetch categories only.');
      }
      notes.push('Bytes to fetch are estimated from the sizes of stored documents; supersedence brought by new updates is known only once they are fetched.');
    }

    const now = new Date();
    for (const decision of planExpiry({ store, site, listed }, now).decisions) {
      storedRow(decision.updateId).expired++;
      if (decision.reason === 'superseded') storedRow(decision.updateId).superseded++;
    }
    for (const id of planCleanup(store, site, now, options.cleanupAgeDays) ?? []) storedRow(id).removed++;
    const list = [...rows.values()].filter((r) => r.new + r.revised + r.superseded + r.expired + r.removed > 0).sort((a, b) => a.product.localeCompare(b.product) || a.classification.localeCompare(b.classification));
    const totals = { new: 0, revised: 0, superseded: 0, expired: 0, removed: 0, bytesToFetch: 0 };
    for (const r of list) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
    return { site: code, source: upstream?.description ?? 'none', full, categories, rows: list, totals, notes };
  } finally {
    await upstream?.close();
    store.close();
  }
}

/** New updates' classification and product, from the id-only list of each selected classification and product. */
async function attributeNew(client: ReturnType<typeof clientFor>, home: Home, site: SiteControl, newIds: Set<string>) {
  const classificationOf = new Map<string, string>();
  const productOf = new Map<string, string>();
  const selection = selectionOf(home, site);
  if (!selection) return { classificationOf, productOf };
  for (const classification of selection.classifications) {
    const list = await client.getRevisionIdList({ getConfig: false, categories: selection.products.map((id) => ({ id, delta: false })), classifications: [{ id: classification, delta: false }] });
    for (const r of list.newRevisions) if (newIds.has(r.updateId)) classificationOf.set(r.updateId, classification);
  }
  for (const product of selection.products) {
    const list = await client.getRevisionIdList({ getConfig: false, categories: [{ id: product, delta: false }], classifications: selection.classifications.map((id) => ({ id, delta: false })) });
    for (const r of list.newRevisions) if (newIds.has(r.updateId) && !productOf.has(r.updateId)) productOf.set(r.updateId, product);
  }
  return { classificationOf, productOf };
}

/** The product and classification selection: the site's own, or for a child its top-level's when known. */
function selectionOf(home: Home, site: SiteControl): { products: string[]; classifications: string[] } | undefined {
  const top = isTopLevel(site) ? site : home.topLevelOf(site.code);
  if (!top || top.sup.products.length === 0 || top.sup.classifications.length === 0) return undefined;
  return { products: top.sup.products.map((p) => p.id), classifications: top.sup.classifications.map((c) => c.id) };
}
