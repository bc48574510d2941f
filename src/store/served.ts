/**
 * What a site's SUP endpoint serves downstream, read from the site database: revision lists with
 * the category ∩ classification filter and "changed since anchor" delta, and stored update XML.
 */
import type { RevisionKey } from '../model/update.js';
import type { SiteDb } from './site-db.js';
import { type StoredXmlBytes, storedXmlOf } from './stored-xml.js';

export interface RevisionQuery {
  /** Product (category) GUIDs; undefined = every product. */
  products?: string[];
  /** Classification GUIDs; undefined = every classification. */
  classifications?: string[];
  /** Only revisions changed after this sequence number (delta); expired ones included then. */
  sinceSeq?: number;
}

export function maxChangeSeq(db: SiteDb): number {
  const row = db.prepare('SELECT max(coalesce((SELECT max(change_seq) FROM updates), 0), coalesce((SELECT max(change_seq) FROM categories), 0)) AS s').get() as { s: number | null };
  return row.s ?? 0;
}

export function categoryRevisions(db: SiteDb, sinceSeq?: number): RevisionKey[] {
  const rows = (
    sinceSeq === undefined
      ? db.prepare('SELECT update_id, revision FROM categories ORDER BY change_seq, update_id').raw().all()
      : db.prepare('SELECT update_id, revision FROM categories WHERE change_seq > ? ORDER BY change_seq, update_id').raw().all(sinceSeq)
  ) as [string, number][];
  return rows.map(([updateId, revisionNumber]) => ({ updateId, revisionNumber }));
}

/**
 * The revisions of a revision list. With a product × classification filter the list carries its
 * closure ([MS-WSUSSS] downstreams install bundles through their children): every bundled child
 * and prerequisite update of what it lists, recursively, though those carry no product or
 * classification of their own (as on Microsoft Update). A delta lists what changed in that
 * closure, plus the whole closure of each changed listed update (its unchanged children may never
 * have been listed before).
 */
export function updateRevisions(db: SiteDb, query: RevisionQuery): RevisionKey[] {
  return [...updateRevisionPages(db, query)].flat();
}

/**
 * The revisions of `updateRevisions`, read in pages of `pageRows` listed updates each (keyset on
 * change_seq, update_id; one page when not given), each page with its closure: a server yields between pages, so
 * one downstream's 100,000-update list does not hold its event loop for the whole read. An update
 * reached again (a later page's closure, or rewritten with a higher change_seq while the list was
 * being read) is listed once. Within a page the order is by change_seq; a closure's updates come
 * with the page that reaches them.
 */
export function* updateRevisionPages(db: SiteDb, query: RevisionQuery, pageRows?: number): Generator<RevisionKey[]> {
  const filtered = query.products !== undefined || query.classifications !== undefined;
  const listed = new Set<string>();
  const page = (rows: Iterable<[string, number, number]>): RevisionKey[] => {
    const fresh = new Map<string, [number, number]>();
    for (const [id, revision, seq] of rows) if (!listed.has(id)) fresh.set(id, [revision, seq]);
    for (const id of fresh.keys()) listed.add(id);
    return [...fresh]
      .sort((a, b) => a[1][1] - b[1][1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([updateId, [revisionNumber]]) => ({ updateId, revisionNumber }));
  };
  let after: [number, string] | undefined;
  for (;;) {
    const base = filteredRevisions(db, query, pageRows === undefined ? undefined : { after, limit: pageRows });
    if (base.length === 0) break;
    const last = base[base.length - 1]!;
    after = [last[2], last[0]];
    const closure = filtered ? closureOf(db, base.map((r) => r[0]), query.sinceSeq === undefined) : [];
    yield page([...base, ...closure]);
    if (pageRows === undefined || base.length < pageRows) break;
  }
  if (filtered && query.sinceSeq !== undefined) yield page(changedUnderFilter(db, query));
}

function filterClause(query: RevisionQuery, params: unknown[], byChangeSeq = query.sinceSeq !== undefined): string[] {
  const where: string[] = [];
  // The unary + keeps SQLite from driving the query by the classification or product index: a
  // delta is driven by change_seq (what changed, not every update of the classifications), and an
  // update's products are found by its key (one or two rows, not a probe per selected product).
  // Measured on 100,000 updates: a full list 3.2 s -> 0.3 s, a delta of 253 on 20,000 52 -> 1 ms.
  // A list read in pages is driven by change_seq too: each page then reads only its own rows.
  if (query.classifications !== undefined) {
    where.push(`${byChangeSeq ? '+' : ''}u.classification_id IN (${query.classifications.map(() => '?').join(',') || 'NULL'})`);
    params.push(...query.classifications);
  }
  if (query.products !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM update_products p WHERE p.update_key = u.update_key AND +p.product_id IN (${query.products.map(() => '?').join(',') || 'NULL'}))`);
    params.push(...query.products);
  }
  return where;
}

/** [update_id, revision, change_seq] of the updates the filter itself matches; a page of them after a key, when asked. */
function filteredRevisions(db: SiteDb, query: RevisionQuery, page?: { after: [number, string] | undefined; limit: number }): [string, number, number][] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.sinceSeq !== undefined) {
    where.push('u.change_seq > ?');
    params.push(query.sinceSeq);
  } else where.push('u.expired = 0'); // a full list is what is live; expiries travel in deltas
  if (page?.after) {
    // A row value: SQLite seeks the (change_seq, update_id) index to the page's start instead of
    // scanning every row of the last page's change_seq again.
    where.push('(u.change_seq, u.update_id) > (?, ?)');
    params.push(page.after[0], page.after[1]);
  }
  where.push(...filterClause(query, params, query.sinceSeq !== undefined || page !== undefined));
  const limit = page ? ` LIMIT ${Math.max(1, Math.floor(page.limit))}` : '';
  return db.prepare(`SELECT u.update_id, u.revision, u.change_seq FROM updates u WHERE ${where.join(' AND ')} ORDER BY u.change_seq, u.update_id${limit}`).raw().all(...params) as [string, number, number][];
}

/**
 * Bundled children and prerequisite updates of `ids`, recursively (not `ids` themselves unless reached).
 * CROSS JOIN keeps SQLite driving by what was reached: left to itself it scanned every update
 * against an automatic index of the reached ones (20,000 updates, a delta's 238: 37 -> 15 ms).
 */
function closureOf(db: SiteDb, ids: string[], liveOnly: boolean): [string, number, number][] {
  if (ids.length === 0) return [];
  return db
    .prepare(
      `WITH RECURSIVE reached(id) AS (
         SELECT b.child_id FROM json_each(?) j JOIN updates p ON p.update_id = j.value JOIN bundles b ON b.parent_key = p.update_key
         UNION SELECT r.prerequisite_id FROM json_each(?) j JOIN updates p ON p.update_id = j.value JOIN prerequisites r ON r.update_key = p.update_key
         UNION SELECT b.child_id FROM reached c JOIN updates p ON p.update_id = c.id JOIN bundles b ON b.parent_key = p.update_key
         UNION SELECT r.prerequisite_id FROM reached c JOIN updates p ON p.update_id = c.id JOIN prerequisites r ON r.update_key = p.update_key)
       SELECT u.update_id, u.revision, u.change_seq FROM reached c CROSS JOIN updates u ON u.update_id = c.id${liveOnly ? ' WHERE u.expired = 0' : ''}`,
    )
    .raw()
    .all(JSON.stringify(ids), JSON.stringify(ids)) as [string, number, number][];
}

/** Updates changed since the anchor that the filter does not match but a matched update bundles or requires. */
function changedUnderFilter(db: SiteDb, query: RevisionQuery): [string, number, number][] {
  const params: unknown[] = [query.sinceSeq];
  // Driven by change_seq like the delta's own rows, not by every update of the classifications
  // (20,000 updates, 255 changed: 55 -> 2 ms).
  const where = filterClause({ ...query, sinceSeq: undefined }, params, true);
  return db
    .prepare(
      `WITH RECURSIVE above(origin, id) AS (
         SELECT update_id, update_id FROM updates WHERE change_seq > ?
         UNION SELECT a.origin, p.update_id FROM above a JOIN bundles b ON b.child_id = a.id JOIN updates p ON p.update_key = b.parent_key
         UNION SELECT a.origin, p.update_id FROM above a JOIN prerequisites r ON r.prerequisite_id = a.id JOIN updates p ON p.update_key = r.update_key)
       SELECT DISTINCT o.update_id, o.revision, o.change_seq FROM above a JOIN updates u ON u.update_id = a.id JOIN updates o ON o.update_id = a.origin
       WHERE a.id <> a.origin AND ${where.join(' AND ')}`,
    )
    .raw()
    .all(...params) as [string, number, number][];
}

export interface ServedRevision {
  /** Its XML as stored (protocol/stored-xml.ts reads it). */
  stored: StoredXmlBytes;
  expired: boolean;
  /** The change sequence of the revision's last write. */
  changeSeq: number;
  files: { digest: string; url: string | null }[];
}

/** A server answers GetUpdateData for every revision a downstream syncs: prepared once per database. */
const revisionStatements = new WeakMap<SiteDb, ReturnType<typeof prepareRevisionStatements>>();

function prepareRevisionStatements(db: SiteDb) {
  return {
    update: db.prepare(
      'SELECT update_key, metadata, metadata_format, expired, change_seq AS changeSeq FROM updates JOIN update_documents USING (update_key) WHERE update_id = ? AND revision = ?',
    ),
    updateHeld: db.prepare('SELECT expired, change_seq AS changeSeq FROM updates WHERE update_id = ? AND revision = ?'),
    categoryHeld: db.prepare('SELECT 0 AS expired, change_seq AS changeSeq FROM categories WHERE update_id = ? AND revision = ?'),
    files: db.prepare('SELECT digest, url FROM files WHERE update_key = ?'),
    category: db.prepare('SELECT metadata, metadata_format, change_seq AS changeSeq FROM categories WHERE update_id = ? AND revision = ?'),
    // data_version moves when another connection commits (a sync, an import, an expiry: each its
    // own connection); total_changes when this one writes.
    version: db.prepare('SELECT data_version AS other, total_changes() AS own FROM pragma_data_version'),
  };
}

function statementsOf(db: SiteDb): ReturnType<typeof prepareRevisionStatements> {
  let statements = revisionStatements.get(db);
  if (!statements) revisionStatements.set(db, (statements = prepareRevisionStatements(db)));
  return statements;
}

/**
 * Whether the site holds exactly this revision, whether it is expired and the change sequence of
 * its last write, without reading its metadata: what an answer already encoded for it depends on.
 */
export function servedRevisionState(db: SiteDb, key: RevisionKey): { expired: boolean; changeSeq: number } | undefined {
  const statements = statementsOf(db);
  const row = (statements.updateHeld.get(key.updateId, key.revisionNumber) ?? statements.categoryHeld.get(key.updateId, key.revisionNumber)) as { expired: number; changeSeq: number } | undefined;
  return row ? { expired: row.expired === 1, changeSeq: row.changeSeq } : undefined;
}

/**
 * A value that changes whenever anything is committed to the site database, by this connection or
 * another: what the endpoint compares to know that answers it keeps encoded may be stale.
 */
export function dataVersion(db: SiteDb): string {
  const row = statementsOf(db).version.get() as { other: number; own: number };
  return `${row.other}/${row.own}`;
}

/** The stored XML of exactly this revision, or undefined when the site does not hold it. */
export function servedRevision(db: SiteDb, key: RevisionKey): ServedRevision | undefined {
  const statements = statementsOf(db);
  const update = statements.update.get(key.updateId, key.revisionNumber) as
    | { update_key: number; metadata: Buffer; metadata_format: number; expired: number; changeSeq: number }
    | undefined;
  if (update) {
    const files = statements.files.all(update.update_key) as { digest: string; url: string | null }[];
    return { stored: storedXmlOf(update), expired: update.expired === 1, changeSeq: update.changeSeq, files };
  }
  const category = statements.category.get(key.updateId, key.revisionNumber) as { metadata: Buffer; metadata_format: number; changeSeq: number } | undefined;
  return category ? { stored: storedXmlOf(category), expired: false, changeSeq: category.changeSeq, files: [] } : undefined;
}

export type ServedRepository = ReturnType<typeof servedRepository>;

/** What the SUP endpoint reads: the newest change sequence, revision lists, revisions. */
export function servedRepository(db: SiteDb) {
  return {
    maxChangeSeq: () => maxChangeSeq(db),
    categoryRevisions: (sinceSeq?: number) => categoryRevisions(db, sinceSeq),
    updateRevisions: (query: RevisionQuery) => updateRevisions(db, query),
    updateRevisionPages: (query: RevisionQuery, pageRows: number) => updateRevisionPages(db, query, pageRows),
    revision: (key: RevisionKey) => servedRevision(db, key),
    revisionState: (key: RevisionKey) => servedRevisionState(db, key),
    dataVersion: () => dataVersion(db),
    revisionFiles: (key: RevisionKey) => revisionFiles(db, key),
    unknownDigests: (digests: string[]) => unknownDigests(db, digests),
    contentFileCandidates: (name: string, digest: string | undefined) => contentFileCandidates(db, name, digest),
  };
}

export interface StoredFile {
  updateId: string;
  digest: string;
  fileName: string;
  size: number;
  modified: string | null;
}

/** The files of one stored revision (digest, name), for GetUpdateDecryptionData; undefined when the revision is not held. */
export function revisionFiles(db: SiteDb, key: RevisionKey): StoredFile[] | undefined {
  const held = db.prepare('SELECT update_key FROM updates WHERE update_id = ? AND revision = ?').pluck().get(key.updateId, key.revisionNumber) as number | undefined;
  if (held === undefined) return undefined;
  return db.prepare('SELECT ? AS updateId, digest, file_name AS fileName, size, modified FROM files WHERE update_key = ?').all(key.updateId, held) as StoredFile[];
}

/** Which of these base64 SHA-1 digests no stored update names (DownloadFiles' FileDigestsMissing). */
export function unknownDigests(db: SiteDb, digests: string[]): string[] {
  const known = db.prepare('SELECT 1 FROM files WHERE digest = ? LIMIT 1');
  return digests.filter((d) => !known.get(d));
}

/**
 * The stored files a WSUS content path may name: `<digest as hex>.<ext>` (as a WSUS content store
 * names them) or the file's own name; the caller checks the folder against the digest.
 */
export function contentFileCandidates(db: SiteDb, name: string, digest: string | undefined): StoredFile[] {
  const select = 'SELECT u.update_id AS updateId, f.digest, f.file_name AS fileName, f.size, f.modified FROM files f JOIN updates u USING (update_key)';
  const byDigest = digest ? (db.prepare(`${select} WHERE f.digest = ?`).all(digest) as StoredFile[]) : [];
  const byName = db.prepare(`${select} WHERE f.file_name = ? COLLATE NOCASE`).all(name) as StoredFile[];
  return [...byDigest, ...byName];
}
