/**
 * Storing and reading update revisions in the site database. Writes happen inside the caller's
 * transaction (a sync batch, an import), so a batch and the anchor that covers it commit together.
 */
import { compressMetadata } from '../model/deflated-xml.js';
import { type CategoryType, type FetchedUpdate, type UpdateMetadata, localizedFor } from '../model/update.js';
import type { Statement } from 'better-sqlite3';
import type { CategoryIndex } from './categories.js';
import type { SiteDb } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';
import { type StoredDocument, metadataFormatCodes, storedDocuments } from './stored-xml.js';

export type StoreOutcome = 'new' | 'revised' | 'unchanged';

export { type CategoryIndex, loadCategoryIndex } from './categories.js';

/** The product and classification an update belongs to, from its category prerequisites. */
export function membership(update: Pick<UpdateMetadata, 'categoryIds' | 'prerequisites'>, index: CategoryIndex): { classificationId: string | undefined; productIds: string[] } {
  // Runs for every stored update of a sync: plain loops over the few ids, nothing collected.
  let classificationId: string | undefined;
  const productIds: string[] = [];
  const consider = (id: string) => {
    if (index.classificationIds.has(id)) classificationId ??= id;
    else if (index.productIds.has(id) && !productIds.includes(id)) productIds.push(id);
  };
  for (const id of update.categoryIds) consider(id);
  for (const group of update.prerequisites) for (const id of group) consider(id);
  return { classificationId, productIds };
}

export interface StoreOptions {
  changeSeq: number;
  now: string;
  /** Came from a catalog import: kept whatever the product/classification selection. */
  imported?: boolean;
  /** Languages of summary details to keep (the default language is always kept). */
  languages?: string[];
}

interface Relation {
  select: Statement;
  remove: Statement;
  insert: Statement;
}

/**
 * Writes an update's rows of one relationship table. For a revision, rows it leaves as they were
 * are compared and left alone: rewriting them would dirty pages all over the tables' B-trees
 * (revised updates are old ones, their keys anywhere), which the WAL and its checkpoint then write twice.
 */
function writeRelation(relation: Relation, key: number, rows: unknown[][], replacing: boolean): void {
  if (replacing) {
    const current = relation.select.all(key) as unknown[][];
    const sorted = (list: unknown[][]) => list.map((row) => JSON.stringify(row)).sort().join('\n');
    if (current.length === rows.length && sorted(current) === sorted(rows)) return;
    relation.remove.run(key);
  }
  for (const row of rows) relation.insert.run(key, ...row);
}

/** Prepared statements for one database, reused across a whole sync. */
export class UpdateStore {
  readonly #prepare: Prepare;
  readonly #statements;
  readonly #relations;

  constructor(db: SiteDb, prepare: Prepare = statementCache(db)) {
    this.#prepare = prepare;
    const p = prepare;
    this.#statements = {
      // One statement for both tables: a sync looks up every revision it lists and every one it stores.
      storedRevision: p('SELECT revision FROM updates WHERE update_id = @id UNION ALL SELECT revision FROM categories WHERE update_id = @id LIMIT 1').pluck(),
      liveUpdate: p('SELECT 1 FROM updates WHERE update_id = ? AND expired = 0').pluck(),
      upsertCategory: p(`INSERT INTO categories (update_id, revision, category_type, title, description, parent_id, creation_date, arrived_at, change_seq, metadata, metadata_format)
        VALUES (@update_id, @revision, @category_type, @title, @description, @parent_id, @creation_date, @now, @change_seq, @metadata, @metadata_format)
        ON CONFLICT (update_id) DO UPDATE SET revision = excluded.revision, category_type = excluded.category_type, title = excluded.title,
          description = excluded.description, parent_id = excluded.parent_id, creation_date = excluded.creation_date,
          change_seq = excluded.change_seq, metadata = excluded.metadata, metadata_format = excluded.metadata_format`),
      upsertUpdate: p(`INSERT INTO updates (update_id, revision, update_type, title, description, kb, msrc_severity, classification_id, creation_date,
          arrived_at, revised_at, imported, change_seq, metadata_size)
        VALUES (@update_id, @revision, @update_type, @title, @description, @kb, @msrc_severity, @classification_id, @creation_date,
          @now, NULL, @imported, @change_seq, @metadata_size)
        ON CONFLICT (update_id) DO UPDATE SET revision = excluded.revision, update_type = excluded.update_type, title = excluded.title,
          description = excluded.description, kb = excluded.kb, msrc_severity = excluded.msrc_severity, classification_id = excluded.classification_id,
          creation_date = excluded.creation_date, revised_at = @now, imported = max(updates.imported, excluded.imported),
          expired = 0, expired_at = NULL, expired_reason = NULL,
          change_seq = excluded.change_seq, metadata_size = excluded.metadata_size`),
      upsertDocument: p(`INSERT INTO update_documents (update_key, metadata_format, metadata) VALUES (?, ?, ?)
        ON CONFLICT (update_key) DO UPDATE SET metadata_format = excluded.metadata_format, metadata = excluded.metadata`),
      indexedOfUpdate: p('SELECT update_key, kb, classification_id FROM updates WHERE update_id = ?'),
      // A revision that keeps its KB and classification: those indexes are left alone (SQLite
      // rewrites an index entry whenever its column is SET, even to the same value).
      reviseUpdate: p(`UPDATE updates SET revision = @revision, update_type = @update_type, title = @title, description = @description,
          msrc_severity = @msrc_severity, creation_date = @creation_date, revised_at = @now, imported = max(imported, @imported),
          expired = 0, expired_at = NULL, expired_reason = NULL, change_seq = @change_seq, metadata_size = @metadata_size
        WHERE update_id = @update_id`),
    };
    // An update's relationship rows, keyed by the update's update_key (the column named first).
    const relation = (table: string, key: string, columns: string[], conflict: 'IGNORE' | 'REPLACE'): Relation => ({
      select: p(`SELECT ${columns.join(', ')} FROM ${table} WHERE ${key} = ?`).raw(),
      remove: p(`DELETE FROM ${table} WHERE ${key} = ?`),
      insert: p(`INSERT OR ${conflict} INTO ${table} (${key}, ${columns.join(', ')}) VALUES (${['?', ...columns.map(() => '?')].join(', ')})`),
    });
    this.#relations = {
      products: relation('update_products', 'update_key', ['product_id'], 'IGNORE'),
      languages: relation('update_languages', 'update_key', ['language', 'title', 'description'], 'REPLACE'),
      supersedence: relation('supersedence', 'update_key', ['superseded_id'], 'IGNORE'),
      bundles: relation('bundles', 'parent_key', ['child_id', 'child_revision'], 'REPLACE'),
      prerequisites: relation('prerequisites', 'update_key', ['group_no', 'prerequisite_id'], 'IGNORE'),
      files: relation('files', 'update_key', ['digest', 'file_name', 'size', 'sha256', 'modified', 'url'], 'REPLACE'),
    };
  }

  /** The stored revision of an update or category, if any. */
  storedRevision(updateId: string): number | undefined {
    return this.#statements.storedRevision.get({ id: updateId }) as number | undefined;
  }

  /** True for a stored, unexpired software update or driver. */
  isLiveUpdate(updateId: string): boolean {
    return this.#statements.liveUpdate.get(updateId) !== undefined;
  }

  /**
   * Stores one revision (a category or an update with all its relationships). Returns `unchanged`
   * without writing when that revision (or a newer one) is already stored.
   */
  store(update: UpdateMetadata | FetchedUpdate, index: CategoryIndex, options: StoreOptions): StoreOutcome {
    const s = this.#statements;
    const stored = this.storedRevision(update.updateId);
    if (stored !== undefined && stored >= update.revisionNumber) return 'unchanged';
    const english = localizedFor(update, 'en');
    const storedXml = 'storedXml' in update ? update.storedXml : compressMetadata(update.xml);
    const metadata = storedXml.bytes;
    const metadata_format = metadataFormatCodes[storedXml.format];
    if (update.updateType === 'Category' || update.updateType === 'Detectoid') {
      s.upsertCategory.run({
        update_id: update.updateId,
        revision: update.revisionNumber,
        category_type: (update.categoryType ?? update.updateType) satisfies CategoryType | 'Category' | 'Detectoid',
        title: english?.title ?? update.updateId,
        description: english?.description ?? null,
        parent_id: update.categoryIds[0] ?? null,
        creation_date: update.creationDate,
        now: options.now,
        change_seq: options.changeSeq,
        metadata,
        metadata_format,
      });
      if (update.categoryType === 'Product') index.productIds.add(update.updateId);
      if (update.categoryType === 'UpdateClassification') index.classificationIds.add(update.updateId);
      return stored === undefined ? 'new' : 'revised';
    }
    const { classificationId, productIds } = membership(update, index);
    const indexed =
      stored === undefined ? undefined : (s.indexedOfUpdate.get(update.updateId) as { update_key: number; kb: string | null; classification_id: string | null } | undefined);
    const keepsIndexed = indexed !== undefined && indexed.kb === (update.kbArticleId ?? null) && indexed.classification_id === (classificationId ?? null);
    const written = (keepsIndexed ? s.reviseUpdate : s.upsertUpdate).run({
      update_id: update.updateId,
      revision: update.revisionNumber,
      update_type: update.updateType,
      title: english?.title ?? update.updateId,
      description: english?.description ?? null,
      kb: update.kbArticleId ?? null,
      msrc_severity: update.msrcSeverity ?? null,
      classification_id: classificationId ?? null,
      creation_date: update.creationDate,
      now: options.now,
      imported: options.imported ? 1 : 0,
      change_seq: options.changeSeq,
      metadata_size: storedXml.size,
    });
    // A stored update keeps its key; a new one was given the next (the upsert inserted it).
    const key = indexed?.update_key ?? Number(written.lastInsertRowid);
    s.upsertDocument.run(key, metadata_format, metadata);
    const keep = options.languages;
    const r = this.#relations;
    const rows = (relation: Relation, values: unknown[][]) => writeRelation(relation, key, values, stored !== undefined);
    rows(r.products, productIds.map((product) => [product]));
    rows(
      r.languages,
      update.localized.filter((l) => !keep || keep.includes(l.language) || l.language === update.defaultLanguage).map((l) => [l.language, l.title, l.description ?? null]),
    );
    rows(r.supersedence, update.supersededUpdateIds.map((superseded) => [superseded]));
    rows(r.bundles, update.bundledUpdates.map((child) => [child.updateId, child.revisionNumber ?? null]));
    // Category groups (product, classification) live in update_products and classification_id.
    rows(
      r.prerequisites,
      update.prerequisites.flatMap((group, groupNo) => (group.every((member) => update.categoryIds.includes(member)) ? [] : group.map((prerequisite) => [groupNo, prerequisite]))),
    );
    rows(r.files, update.files.map((f) => [f.digest, f.fileName, f.size, f.sha256 ?? null, f.modified ?? null, f.url ?? null]));
    return stored === undefined ? 'new' : 'revised';
  }

  /** The product and classification a stored update belongs to (undefined when it is not stored). */
  membershipOf(updateId: string): Membership | undefined {
    const row = this.#prepare(
      'SELECT u.classification_id AS c, group_concat(p.product_id) AS p FROM updates u LEFT JOIN update_products p ON p.update_key = u.update_key WHERE u.update_id = ? GROUP BY u.update_key',
    ).get(updateId) as { c: string | null; p: string | null } | undefined;
    return row ? { classificationId: row.c, productIds: row.p ? row.p.split(',') : [] } : undefined;
  }

  /** Marks a live update expired (bumping its change sequence so children learn of it); false when it was not live. */
  expire(updateId: string, reason: string, now: string, changeSeq: number): boolean {
    return this.#prepare('UPDATE updates SET expired = 1, expired_at = ?, expired_reason = ?, change_seq = ? WHERE update_id = ? AND expired = 0').run(now, reason, changeSeq, updateId).changes > 0;
  }

  /** What an import needs to know of a stored update. */
  storedSummary(updateId: string): StoredSummary | undefined {
    return this.#prepare('SELECT title, kb, revision, expired, expired_reason, imported FROM updates WHERE update_id = ?').get(updateId) as StoredSummary | undefined;
  }

  /** The stored revision and document size of an update (what-if estimates bytes from it). */
  revisionAndSize(updateId: string): { revision: number; metadata_size: number } | undefined {
    return this.#prepare('SELECT revision, metadata_size FROM updates WHERE update_id = ?').get(updateId) as { revision: number; metadata_size: number } | undefined;
  }

  averageMetadataSize(): number | undefined {
    return (this.#prepare('SELECT avg(metadata_size) FROM updates').pluck().get() as number | null) ?? undefined;
  }

  /** Updates matching a filter, newest first, with product and classification titles (`update list`), streamed. */
  *search(filter: UpdateFilter): Generator<UpdateListRow> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.kb !== undefined) {
      where.push('u.kb = ?');
      params.push(filter.kb);
    }
    if (filter.productId !== undefined) {
      where.push('EXISTS (SELECT 1 FROM update_products p WHERE p.update_key = u.update_key AND p.product_id = ?)');
      params.push(filter.productId);
    }
    if (filter.classificationId !== undefined) {
      where.push('u.classification_id = ?');
      params.push(filter.classificationId);
    }
    if (filter.titleContains !== undefined) {
      where.push("u.title LIKE ? ESCAPE '\\'");
      params.push(`%${filter.titleContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (filter.updateId !== undefined) {
      where.push('u.update_id = ?');
      params.push(filter.updateId);
    }
    const expired = filter.expired ?? 'exclude';
    if (expired !== 'include') where.push(`u.expired = ${expired === 'only' ? 1 : 0}`);
    yield* this.#prepare(
      `SELECT u.*, (SELECT group_concat(c.title, '|') FROM update_products p JOIN categories c ON c.update_id = p.product_id WHERE p.update_key = u.update_key) AS products,
         (SELECT group_concat(p.product_id) FROM update_products p WHERE p.update_key = u.update_key) AS product_ids,
         (SELECT title FROM categories c WHERE c.update_id = u.classification_id) AS classification,
         (SELECT group_concat(b.update_id) FROM supersedence s JOIN updates b ON b.update_key = s.update_key WHERE s.superseded_id = u.update_id) AS superseded_by
       FROM updates u ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY u.creation_date DESC, u.update_id LIMIT ?`,
    ).iterate(...params, filter.limit ?? -1) as IterableIterator<UpdateListRow>;
  }

  /** Every update's stored document, bundled children first so an importer meets them before their bundles. */
  *documents(): Generator<StoredDocument> {
    yield* storedDocuments(
      this.#prepare(
        `SELECT update_id, revision, metadata, metadata_format FROM updates u JOIN update_documents d USING (update_key)
         ORDER BY EXISTS (SELECT 1 FROM bundles b WHERE b.child_id = u.update_id) DESC, change_seq, update_id`,
      ).iterate() as Iterable<{ update_id: string; revision: number; metadata: Buffer; metadata_format: number }>,
    );
  }

  /**
   * Live superseded updates with the creation date of their earliest superseding update: all of
   * them, or (since a change sequence) those superseded by an update stored since, or stored since.
   * Streamed: a first check judges every superseded update of the catalog.
   */
  supersededCandidates(sinceSeq: number | undefined): IterableIterator<SupersededCandidateRow> {
    const candidates = `SELECT u.update_id AS updateId, u.classification_id AS classificationId, min(s2.creation_date) AS supersededSince
      FROM supersedence s JOIN updates u ON u.update_id = s.superseded_id JOIN updates s2 ON s2.update_key = s.update_key
      WHERE u.expired = 0`;
    if (sinceSeq === undefined) return this.#prepare(`${candidates} GROUP BY u.update_id`).iterate() as IterableIterator<SupersededCandidateRow>;
    return this.#prepare(
      `${candidates} AND s.superseded_id IN (
         SELECT r.superseded_id FROM updates c CROSS JOIN supersedence r ON r.update_key = c.update_key WHERE c.change_seq > ?
         UNION ALL SELECT update_id FROM updates WHERE change_seq > ?)
       GROUP BY u.update_id`,
    ).iterate(sinceSeq, sinceSeq) as IterableIterator<SupersededCandidateRow>;
  }

  /**
   * Live synchronized (not imported) updates stored after a change sequence, with their products;
   * bundled children are judged with their bundle (a real leaf has no classification of its own).
   */
  *selectionMembers(sinceSeq: number | undefined): Generator<{ updateId: string; classificationId: string | null; productIds: string[] }> {
    // Streamed, and driven by change_seq (a correlated subquery, not GROUP BY, which would scan the whole table).
    const rows = this.#prepare(
      `SELECT u.update_id AS updateId, u.classification_id AS classificationId,
         (SELECT group_concat(p.product_id) FROM update_products p WHERE p.update_key = u.update_key) AS products
       FROM updates u WHERE u.change_seq > ? AND u.expired = 0 AND u.imported = 0
         AND NOT EXISTS (SELECT 1 FROM bundles b JOIN updates p ON p.update_key = b.parent_key AND p.expired = 0 WHERE b.child_id = u.update_id)`,
    ).iterate(sinceSeq ?? -1) as IterableIterator<{ updateId: string; classificationId: string | null; products: string | null }>;
    for (const r of rows) yield { updateId: r.updateId, classificationId: r.classificationId, productIds: r.products ? r.products.split(',') : [] };
  }

  /**
   * Live synchronized updates that nothing live bundles: the ones the "no longer listed" rule may
   * expire (a bundled child fetched for its bundle need not be in the lists).
   */
  unbundledLiveIds(): IterableIterator<string> {
    return this.#prepare(
      `SELECT u.update_id AS id FROM updates u WHERE u.expired = 0 AND u.imported = 0
       AND NOT EXISTS (SELECT 1 FROM bundles b JOIN updates p ON p.update_key = b.parent_key AND p.expired = 0 WHERE b.child_id = u.update_id)`,
    )
      .pluck()
      .iterate() as IterableIterator<string>;
  }

  /**
   * Live synchronized updates that live bundles carry, each with the live bundles that carry it:
   * only the children below `bundles` (bundled by them, or by their children, recursively), which
   * is all an expiry of those bundles can orphan; reading every bundle relation cost a delta ~50 ms
   * at 20,000 updates.
   */
  liveBundlesOfChildren(bundles: readonly string[]): Map<string, string[]> {
    const pairs = this.#prepare(
      `WITH RECURSIVE below(id) AS (
         SELECT b.child_id FROM json_each(?) j JOIN updates p ON p.update_id = j.value JOIN bundles b ON b.parent_key = p.update_key
         UNION SELECT b.child_id FROM below c JOIN updates p ON p.update_id = c.id JOIN bundles b ON b.parent_key = p.update_key)
       SELECT b.child_id, p.update_id FROM below c CROSS JOIN bundles b ON b.child_id = c.id
       JOIN updates p ON p.update_key = b.parent_key AND p.expired = 0
       JOIN updates u ON u.update_id = b.child_id AND u.expired = 0 AND u.imported = 0`,
    )
      .raw()
      .iterate(JSON.stringify(bundles)) as IterableIterator<[string, string]>;
    const carriers = new Map<string, string[]>();
    for (const [child, parent] of pairs) {
      const list = carriers.get(child);
      if (list) list.push(parent);
      else carriers.set(child, [parent]);
    }
    return carriers;
  }

  /** Expired updates with when they expired. */
  expired(): { id: string; expiredAt: string }[] {
    return this.#prepare('SELECT update_id AS id, expired_at AS expiredAt FROM updates WHERE expired = 1').all() as { id: string; expiredAt: string }[];
  }

  /** Expired updates that nothing live references (bundles, prerequisites): what the cleanup may delete. */
  unreferencedExpired(): { id: string; expiredAt: string }[] {
    return this.#prepare(
      `SELECT u.update_id AS id, u.expired_at AS expiredAt FROM updates u WHERE u.expired = 1
       AND NOT EXISTS (SELECT 1 FROM bundles b JOIN updates p ON p.update_key = b.parent_key AND p.expired = 0 WHERE b.child_id = u.update_id)
       AND NOT EXISTS (SELECT 1 FROM prerequisites r JOIN updates p ON p.update_key = r.update_key AND p.expired = 0 WHERE r.prerequisite_id = u.update_id)`,
    ).all() as { id: string; expiredAt: string }[];
  }

  /** Deletes an update and every row of its relationships. */
  remove(updateId: string): void {
    const key = this.#prepare('SELECT update_key FROM updates WHERE update_id = ?').pluck().get(updateId) as number | undefined;
    if (key === undefined) return;
    for (const table of ['update_documents', 'update_products', 'update_languages', 'supersedence', 'prerequisites', 'files']) this.#prepare(`DELETE FROM ${table} WHERE update_key = ?`).run(key);
    this.#prepare('DELETE FROM bundles WHERE parent_key = ?').run(key);
    this.#prepare('DELETE FROM updates WHERE update_key = ?').run(key);
  }

  /**
   * Bundled children not stored, of live updates stored after a change sequence. CROSS JOIN keeps
   * SQLite driving the query by change_seq rather than scanning every relationship row.
   */
  missingBundledChildren(sinceSeq: number): { id: string; parent: string; revision: number | null }[] {
    return this.#prepare(
      `SELECT DISTINCT b.child_id AS id, p.update_id AS parent, b.child_revision AS revision FROM updates p CROSS JOIN bundles b ON b.parent_key = p.update_key
       WHERE p.change_seq > ? AND p.expired = 0 AND NOT EXISTS (SELECT 1 FROM updates c WHERE c.update_id = b.child_id)`,
    ).all(sinceSeq) as { id: string; parent: string; revision: number | null }[];
  }

  /** Prerequisite groups none of whose members is known (an update or a category/detectoid), of live updates stored after a change sequence. */
  missingPrerequisiteGroups(sinceSeq: number): { parent: string; groupNo: number; ids: string[] }[] {
    const rows = this.#prepare(
      `SELECT p.update_id AS parent, r.group_no AS groupNo, group_concat(r.prerequisite_id) AS ids
       FROM updates p CROSS JOIN prerequisites r ON r.update_key = p.update_key
       WHERE p.change_seq > ? AND p.expired = 0
       GROUP BY r.update_key, r.group_no
       HAVING sum(CASE WHEN EXISTS (SELECT 1 FROM updates u WHERE u.update_id = r.prerequisite_id) OR EXISTS (SELECT 1 FROM categories c WHERE c.update_id = r.prerequisite_id) THEN 1 ELSE 0 END) = 0`,
    ).all(sinceSeq) as { parent: string; groupNo: number; ids: string }[];
    return rows.map((r) => ({ ...r, ids: r.ids.split(',') }));
  }
}

export interface Membership {
  classificationId: string | null;
  productIds: string[];
}

export interface StoredSummary {
  title: string;
  kb: string | null;
  revision: number;
  expired: number;
  expired_reason: string | null;
  imported: number;
}

export interface SupersededCandidateRow {
  updateId: string;
  classificationId: string | null;
  supersededSince: string;
}

export interface UpdateFilter {
  kb?: string;
  productId?: string;
  classificationId?: string;
  titleContains?: string;
  updateId?: string;
  /** Expired updates left out (the default), included, or alone. */
  expired?: 'exclude' | 'include' | 'only';
  limit?: number;
}

export type UpdateListRow = Record<string, string | number | null>;
