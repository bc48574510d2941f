/**
 * `sync --what-if`: what a sync would change, per product and classification, writing nothing.
 * Asks the upstream for the revision lists only (no update data), per product × classification so
 * every new revision is attributed, compares them with the site database, and runs the expiry and
 * cleanup rules over what is stored. The bytes of metadata to fetch are estimated from the sizes of
 * stored documents (the protocol does not say a document's size before it is fetched).
 */
import { type SiteControl, isTopLevel } from '../site/model.js';
import type { Home } from '../store/home.js';
import { openSiteDb } from '../store/site-db.js';
import { type SyncOptions, storedAnchors } from './engine.js';
import { categoryLists, updateLists } from './lists.js';
import { planExpiry } from './expiry-apply.js';
import { cleanupDue, defaultCleanupAgeDays } from './expiry.js';
import { clientFor, resolveUpstream } from './upstream.js';

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

export interface SyncPlan {
  site: string;
  source: string;
  full: boolean;
  categories: { new: number; revised: number };
  rows: SyncPlanRow[];
  totals: Omit<SyncPlanRow, 'productId' | 'product' | 'classificationId' | 'classification'>;
  notes: string[];
}

const typicalDocumentBytes = 6 * 1024;

export async function planSync(home: Home, code: string, options: Pick<SyncOptions, 'full' | 'timeoutMs' | 'retry' | 'signal' | 'cleanupAgeDays'>): Promise<SyncPlan> {
  const site = home.site(code);
  const full = Boolean(options.full) || site.sup.fullSyncRequired;
  const db = openSiteDb(home.sitePaths(code).database);
  const upstream = await resolveUpstream(home, site);
  try {
    const notes: string[] = [];
    const rows = new Map<string, SyncPlanRow>();
    const titles = new Map((db.prepare('SELECT update_id, title FROM categories').raw().all() as [string, string][]).map(([id, title]) => [id, title]));
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
    const storedRevision = db.prepare('SELECT revision, metadata_size FROM updates WHERE update_id = ?');
    const storedCategory = db.prepare('SELECT revision FROM categories WHERE update_id = ?').pluck();
    const average = (db.prepare('SELECT avg(metadata_size) FROM updates').pluck().get() as number | null) ?? typicalDocumentBytes;
    const categories = { new: 0, revised: 0 };
    const membershipOf = db.prepare('SELECT u.classification_id AS c, group_concat(p.product_id) AS p FROM updates u LEFT JOIN update_products p ON p.update_id = u.update_id WHERE u.update_id = ? GROUP BY u.update_id');
    let listed: Set<string> | undefined;

    if (!upstream) notes.push('The sync source is none: nothing would be fetched; only the expiry rules would run.');
    else {
      const client = clientFor(site, upstream, options);
      const anchors = storedAnchors(db, upstream.url);
      const categoryList = await client.getRevisionIdList(categoryLists(anchors, full)[0]!.filter);
      for (const r of categoryList.newRevisions) {
        const stored = storedCategory.get(r.updateId) as number | undefined;
        if (stored === undefined) categories.new++;
        else if (stored < r.revisionNumber) categories.revised++;
      }
      listed = new Set();
      // What the sync would fetch: the same lists, with the same anchors, as the sync asks.
      const wanted = new Map<string, { revision: number; productId: string | null; stored: { revision: number; metadata_size: number } | undefined }>();
      for (const { filter } of updateLists(site, anchors, full)) {
        const list = await client.getRevisionIdList(filter);
        for (const r of list.newRevisions) {
          listed.add(r.updateId);
          const stored = storedRevision.get(r.updateId) as { revision: number; metadata_size: number } | undefined;
          if (wanted.has(r.updateId) || (stored !== undefined && stored.revision >= r.revisionNumber)) continue;
          wanted.set(r.updateId, { revision: r.revisionNumber, productId: filter.categories?.length === 1 ? filter.categories[0]!.id : null, stored });
        }
      }
      // New updates are attributed by asking the (cheap, id-only) list of each selected
      // classification and of each selected product.
      const selection = selectionOf(home, site);
      const classificationOf = new Map<string, string>();
      const productOf = new Map<string, string>();
      if (selection && [...wanted.values()].some((w) => w.stored === undefined)) {
        for (const classification of selection.classifications) {
          const list = await client.getRevisionIdList({ getConfig: false, categories: selection.products.map((id) => ({ id, delta: false })), classifications: [{ id: classification, delta: false }] });
          for (const r of list.newRevisions) if (wanted.has(r.updateId)) classificationOf.set(r.updateId, classification);
        }
        for (const product of selection.products) {
          const list = await client.getRevisionIdList({ getConfig: false, categories: [{ id: product, delta: false }], classifications: selection.classifications.map((id) => ({ id, delta: false })) });
          for (const r of list.newRevisions) if (wanted.has(r.updateId) && !productOf.has(r.updateId)) productOf.set(r.updateId, product);
        }
      }
      for (const [id, w] of wanted) {
        if (w.stored) {
          const m = membershipOf.get(id) as { c: string | null; p: string | null } | undefined;
          const row = rowFor(m?.p ? m.p.split(',')[0]! : null, m?.c ?? null);
          row.revised++;
          row.bytesToFetch += w.stored.metadata_size;
        } else {
          const row = rowFor(w.productId ?? productOf.get(id) ?? null, classificationOf.get(id) ?? null);
          row.new++;
          row.bytesToFetch += Math.round(average);
        }
      }
      if (isTopLevel(site) && (site.sup.products.length === 0 || site.sup.classifications.length === 0)) {
        notes.push('No products or classifications are selected: the sync would fetch categories only.');
        listed = undefined;
      }
      notes.push('Bytes to fetch are estimated from the sizes of stored documents; supersedence brought by new updates is known only once they are fetched.');
    }

    const attribute = (id: string, field: 'expired' | 'superseded' | 'removed') => {
      const m = membershipOf.get(id) as { c: string | null; p: string | null };
      rowFor(m.p ? m.p.split(',')[0]! : null, m.c)[field]++;
    };
    for (const decision of planExpiry({ db, site, full, ...(listed ? { listed } : {}) })) {
      attribute(decision.updateId, 'expired');
      if (decision.reason === 'superseded') attribute(decision.updateId, 'superseded');
    }
    if (site.sup.enableCallWsusCleanupWizard) {
      const now = new Date();
      const expired = db.prepare('SELECT update_id AS id, expired_at AS at FROM updates WHERE expired = 1').all() as { id: string; at: string }[];
      for (const e of expired) if (cleanupDue(e.at, now, options.cleanupAgeDays ?? defaultCleanupAgeDays)) attribute(e.id, 'removed');
    }
    const list = [...rows.values()].filter((r) => r.new + r.revised + r.superseded + r.expired + r.removed > 0).sort((a, b) => a.product.localeCompare(b.product) || a.classification.localeCompare(b.classification));
    const totals = { new: 0, revised: 0, superseded: 0, expired: 0, removed: 0, bytesToFetch: 0 };
    for (const r of list) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
    return { site: code, source: upstream?.description ?? 'none', full, categories, rows: list, totals, notes };
  } finally {
    await upstream?.close();
    db.close();
  }
}

/** The product and classification selection: the site's own, or for a child its top-level's when known. */
function selectionOf(home: Home, site: SiteControl): { products: string[]; classifications: string[] } | undefined {
  const top = isTopLevel(site) ? site : home.topLevelOf(site.code);
  if (!top || top.sup.products.length === 0 || top.sup.classifications.length === 0) return undefined;
  return { products: top.sup.products.map((p) => p.id), classifications: top.sup.classifications.map((c) => c.id) };
}
