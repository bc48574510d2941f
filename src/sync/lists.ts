/**
 * Which revision lists a sync asks for, with which anchors (pure). Categories have one list. A
 * child site asks its parent for everything it serves. A top-level site asks for its selection of
 * products × classifications as one filter (as WSUS does), keyed by the selection: the part of the
 * selection the stored anchor covers is asked as a delta, and products or classifications added
 * since are asked with no anchor (revisions already stored are skipped), so a changed selection
 * never re-fetches what an unchanged one would not.
 */
import type { ServerSyncFilter } from '../protocol/soap/index.js';
import { type SiteControl, isTopLevel } from '../model/site.js';
import type { StoredAnchor } from '../store/anchors.js';

export interface ListRequest {
  /** The anchor key: a list's new anchor is stored under it once every list of the key is stored. */
  key: string;
  filter: ServerSyncFilter;
  /** An older key (the previous selection's) that the new anchor replaces. */
  replaces?: string;
}


export const categoriesKey = 'categories';
const childKey = 'updates:all';
const selectionPrefix = 'updates:p=';

export function categoryLists(anchors: StoredAnchor[], full: boolean): ListRequest[] {
  const anchor = full ? undefined : anchors.find((a) => a.key === categoriesKey)?.anchor;
  return [{ key: categoriesKey, filter: { getConfig: true, ...(anchor ? { anchor } : {}) } }];
}

export function updateLists(site: SiteControl, anchors: StoredAnchor[], full: boolean): ListRequest[] {
  if (!isTopLevel(site)) {
    const anchor = full ? undefined : anchors.find((a) => a.key === childKey)?.anchor;
    return [{ key: childKey, filter: { getConfig: false, ...(anchor ? { anchor } : {}) } }];
  }
  const products = site.sup.products.map((p) => p.id).sort();
  const classifications = site.sup.classifications.map((c) => c.id).sort();
  if (products.length === 0 || classifications.length === 0) return [];
  const key = selectionKey(products, classifications);
  const filter = (p: string[], c: string[], anchor?: string): ServerSyncFilter => ({
    getConfig: false,
    ...(anchor ? { anchor } : {}),
    categories: p.map((id) => ({ id, delta: anchor !== undefined })),
    classifications: c.map((id) => ({ id, delta: anchor !== undefined })),
  });
  const previous = full ? undefined : anchors.find((a) => a.key.startsWith(selectionPrefix));
  if (!previous) return [{ key, filter: filter(products, classifications) }];
  const [oldProducts, oldClassifications] = parseSelectionKey(previous.key);
  const keptProducts = products.filter((p) => oldProducts.has(p));
  const keptClassifications = classifications.filter((c) => oldClassifications.has(c));
  const addedProducts = products.filter((p) => !oldProducts.has(p));
  const addedClassifications = classifications.filter((c) => !oldClassifications.has(c));
  const replaces = previous.key === key ? {} : { replaces: previous.key };
  const lists: ListRequest[] = [];
  if (keptProducts.length > 0 && keptClassifications.length > 0) lists.push({ key, filter: filter(keptProducts, keptClassifications, previous.anchor), ...replaces });
  if (addedProducts.length > 0) lists.push({ key, filter: filter(addedProducts, classifications), ...replaces });
  if (addedClassifications.length > 0 && keptProducts.length > 0) lists.push({ key, filter: filter(keptProducts, addedClassifications), ...replaces });
  return lists;
}

function selectionKey(products: string[], classifications: string[]): string {
  return `${selectionPrefix}${products.join(',')};c=${classifications.join(',')}`;
}

function parseSelectionKey(key: string): [Set<string>, Set<string>] {
  const match = /^updates:p=([^;]*);c=(.*)$/.exec(key);
  return [new Set(match?.[1]?.split(',').filter(Boolean)), new Set(match?.[2]?.split(',').filter(Boolean))];
}
