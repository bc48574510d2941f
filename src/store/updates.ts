/**
 * Storing and reading update revisions in the site database. Writes happen inside the caller's
 * transaction (a sync batch, an import), so a batch and the anchor that covers it commit together.
 */
import zlib from 'node:zlib';
import { type CategoryType, type DeflatedXml, type FetchedUpdate, type UpdateMetadata, localizedFor } from '../model/update.js';
import type { Statement } from 'better-sqlite3';
import type { SiteDb } from './site-db.js';

export type StoreOutcome = 'new' | 'revised' | 'unchanged';

/** Which category GUIDs are products and classifications: resolves an update's membership. */
export interface CategoryIndex {
  productIds: Set<string>;
  classificationIds: Set<string>;
}

export function loadCategoryIndex(db: SiteDb): CategoryIndex {
  const rows = db.prepare("SELECT update_id, category_type FROM categories WHERE category_type IN ('Product', 'UpdateClassification')").all() as {
    update_id: string;
    category_type: string;
  }[];
  return {
    productIds: new Set(rows.filter((r) => r.category_type === 'Product').map((r) => r.update_id)),
    classificationIds: new Set(rows.filter((r) => r.category_type === 'UpdateClassification').map((r) => r.update_id)),
  };
}

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

/** Level 1: metadata XML compresses about 5:1 even so, and a full sync deflates gigabytes of it. */
export function compressMetadata(xml: string): DeflatedXml {
  const text = Buffer.from(xml, 'utf8');
  return { bytes: zlib.deflateRawSync(text, { level: 1 }), size: text.length };
}

export function decompressMetadata(blob: Buffer): string {
  return zlib.inflateRawSync(blob).toString('utf8');
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
 * are compared and left alone: rewriting them would dirty pages all over the table's B-trees
 * (random GUID keys), which the WAL and its checkpoint then write twice.
 */
function writeRelation(relation: Relation, id: string, rows: unknown[][], replacing: boolean): void {
  if (replacing) {
    const current = relation.select.all(id) as unknown[][];
    const key = (list: unknown[][]) => list.map((row) => JSON.stringify(row)).sort().join('\n');
    if (current.length === rows.length && key(current) === key(rows)) return;
    relation.remove.run(id);
  }
  for (const row of rows) relation.insert.run(id, ...row);
}

/** Prepared statements for one database, reused across a whole sync. */
export class UpdateStore {
  readonly #db: SiteDb;
  readonly #statements;
  readonly #relations;

  constructor(db: SiteDb) {
    this.#db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#statements = {
      revisionOfUpdate: p('SELECT revision FROM updates WHERE update_id = ?').pluck(),
      revisionOfCategory: p('SELECT revision FROM categories WHERE update_id = ?').pluck(),
      liveUpdate: p('SELECT 1 FROM updates WHERE update_id = ? AND expired = 0').pluck(),
      upsertCategory: p(`INSERT INTO categories (update_id, revision, category_type, title, description, parent_id, creation_date, arrived_at, change_seq, metadata)
        VALUES (@update_id, @revision, @category_type, @title, @description, @parent_id, @creation_date, @now, @change_seq, @metadata)
        ON CONFLICT (update_id) DO UPDATE SET revision = excluded.revision, category_type = excluded.category_type, title = excluded.title,
          description = excluded.description, parent_id = excluded.parent_id, creation_date = excluded.creation_date,
          change_seq = excluded.change_seq, metadata = excluded.metadata`),
      upsertUpdate: p(`INSERT INTO updates (update_id, revision, update_type, title, description, kb, msrc_severity, classification_id, creation_date,
          arrived_at, revised_at, imported, change_seq, metadata_size, metadata)
        VALUES (@update_id, @revision, @update_type, @title, @description, @kb, @msrc_severity, @classification_id, @creation_date,
          @now, NULL, @imported, @change_seq, @metadata_size, @metadata)
        ON CONFLICT (update_id) DO UPDATE SET revision = excluded.revision, update_type = excluded.update_type, title = excluded.title,
          description = excluded.description, kb = excluded.kb, msrc_severity = excluded.msrc_severity, classification_id = excluded.classification_id,
          creation_date = excluded.creation_date, revised_at = @now, imported = max(updates.imported, excluded.imported),
          expired = 0, expired_at = NULL, expired_reason = NULL,
          change_seq = excluded.change_seq, metadata_size = excluded.metadata_size, metadata = excluded.metadata`),
      indexedOfUpdate: p('SELECT kb, classification_id FROM updates WHERE update_id = ?'),
      // A revision that keeps its KB and classification: those indexes are left alone (SQLite
      // rewrites an index entry whenever its column is SET, even to the same value).
      reviseUpdate: p(`UPDATE updates SET revision = @revision, update_type = @update_type, title = @title, description = @description,
          msrc_severity = @msrc_severity, creation_date = @creation_date, revised_at = @now, imported = max(imported, @imported),
          expired = 0, expired_at = NULL, expired_reason = NULL, change_seq = @change_seq, metadata_size = @metadata_size, metadata = @metadata
        WHERE update_id = @update_id`),
    };
    // An update's relationship rows, keyed by the update (the column named first).
    const relation = (table: string, key: string, columns: string[], conflict: 'IGNORE' | 'REPLACE'): Relation => ({
      select: p(`SELECT ${columns.join(', ')} FROM ${table} WHERE ${key} = ?`).raw(),
      remove: p(`DELETE FROM ${table} WHERE ${key} = ?`),
      insert: p(`INSERT OR ${conflict} INTO ${table} (${key}, ${columns.join(', ')}) VALUES (${['?', ...columns.map(() => '?')].join(', ')})`),
    });
    this.#relations = {
      products: relation('update_products', 'update_id', ['product_id'], 'IGNORE'),
      languages: relation('update_languages', 'update_id', ['language', 'title', 'description'], 'REPLACE'),
      supersedence: relation('supersedence', 'update_id', ['superseded_id'], 'IGNORE'),
      bundles: relation('bundles', 'parent_id', ['child_id', 'child_revision'], 'REPLACE'),
      prerequisites: relation('prerequisites', 'update_id', ['group_no', 'prerequisite_id'], 'IGNORE'),
      files: relation('files', 'update_id', ['digest', 'file_name', 'size', 'sha256', 'modified', 'url'], 'REPLACE'),
    };
  }

  /** The stored revision of an update or category, if any. */
  storedRevision(updateId: string): number | undefined {
    return (this.#statements.revisionOfUpdate.get(updateId) ?? this.#statements.revisionOfCategory.get(updateId)) as number | undefined;
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
    const deflated = 'deflatedXml' in update ? update.deflatedXml : compressMetadata(update.xml);
    const metadata = deflated.bytes;
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
      });
      if (update.categoryType === 'Product') index.productIds.add(update.updateId);
      if (update.categoryType === 'UpdateClassification') index.classificationIds.add(update.updateId);
      return stored === undefined ? 'new' : 'revised';
    }
    const { classificationId, productIds } = membership(update, index);
    const indexed = stored === undefined ? undefined : (s.indexedOfUpdate.get(update.updateId) as { kb: string | null; classification_id: string | null } | undefined);
    const keepsIndexed = indexed !== undefined && indexed.kb === (update.kbArticleId ?? null) && indexed.classification_id === (classificationId ?? null);
    (keepsIndexed ? s.reviseUpdate : s.upsertUpdate).run({
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
      metadata_size: deflated.size,
      metadata,
    });
    const id = update.updateId;
    const keep = options.languages;
    const r = this.#relations;
    const rows = (relation: Relation, values: unknown[][]) => writeRelation(relation, id, values, stored !== undefined);
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

  /** The stored XML of a revision (for serving it downstream or exporting it). */
  metadataXml(updateId: string): { revision: number; xml: string } | undefined {
    const row = (this.#db.prepare('SELECT revision, metadata FROM updates WHERE update_id = ?').get(updateId) ??
      this.#db.prepare('SELECT revision, metadata FROM categories WHERE update_id = ?').get(updateId)) as { revision: number; metadata: Buffer } | undefined;
    return row ? { revision: row.revision, xml: decompressMetadata(row.metadata) } : undefined;
  }
}
