/**
 * Storing and reading update revisions in the site database. Writes happen inside the caller's
 * transaction (a sync batch, an import), so a batch and the anchor that covers it commit together.
 */
import zlib from 'node:zlib';
import { type CategoryType, type UpdateMetadata, localizedFor } from '../model/update.js';
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
export function membership(update: UpdateMetadata, index: CategoryIndex): { classificationId: string | undefined; productIds: string[] } {
  const candidates = new Set([...update.categoryIds, ...update.prerequisites.flat()]);
  return {
    classificationId: [...candidates].find((id) => index.classificationIds.has(id)),
    productIds: [...candidates].filter((id) => index.productIds.has(id)),
  };
}

export function compressMetadata(xml: string): Buffer {
  return zlib.deflateRawSync(Buffer.from(xml, 'utf8'), { level: 1 });
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



/** Prepared statements for one database, reused across a whole sync. */
export class UpdateStore {
  readonly #db: SiteDb;
  readonly #statements;

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
      deleteProducts: p('DELETE FROM update_products WHERE update_id = ?'),
      insertProduct: p('INSERT OR IGNORE INTO update_products (update_id, product_id) VALUES (?, ?)'),
      deleteLanguages: p('DELETE FROM update_languages WHERE update_id = ?'),
      insertLanguage: p('INSERT OR REPLACE INTO update_languages (update_id, language, title, description) VALUES (?, ?, ?, ?)'),
      deleteSupersedence: p('DELETE FROM supersedence WHERE update_id = ?'),
      insertSupersedence: p('INSERT OR IGNORE INTO supersedence (update_id, superseded_id) VALUES (?, ?)'),
      deleteBundles: p('DELETE FROM bundles WHERE parent_id = ?'),
      insertBundle: p('INSERT OR REPLACE INTO bundles (parent_id, child_id, child_revision) VALUES (?, ?, ?)'),
      deletePrerequisites: p('DELETE FROM prerequisites WHERE update_id = ?'),
      insertPrerequisite: p('INSERT OR IGNORE INTO prerequisites (update_id, group_no, prerequisite_id) VALUES (?, ?, ?)'),
      deleteFiles: p('DELETE FROM files WHERE update_id = ?'),
      insertFile: p('INSERT OR REPLACE INTO files (update_id, digest, file_name, size, sha256, modified, url) VALUES (?, ?, ?, ?, ?, ?, ?)'),
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
  store(update: UpdateMetadata, index: CategoryIndex, options: StoreOptions): StoreOutcome {
    const s = this.#statements;
    const stored = this.storedRevision(update.updateId);
    if (stored !== undefined && stored >= update.revisionNumber) return 'unchanged';
    const english = localizedFor(update, 'en');
    const metadata = compressMetadata(update.xml);
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
    s.upsertUpdate.run({
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
      metadata_size: Buffer.byteLength(update.xml),
      metadata,
    });
    const id = update.updateId;
    // A new update has no relationship rows to replace.
    if (stored !== undefined) for (const remove of [s.deleteProducts, s.deleteLanguages, s.deleteSupersedence, s.deleteBundles, s.deletePrerequisites, s.deleteFiles]) remove.run(id);
    for (const product of productIds) s.insertProduct.run(id, product);
    const keep = options.languages ? new Set([...options.languages, update.defaultLanguage]) : undefined;
    for (const l of update.localized) if (!keep || keep.has(l.language)) s.insertLanguage.run(id, l.language, l.title, l.description ?? null);
    for (const superseded of update.supersededUpdateIds) s.insertSupersedence.run(id, superseded);
    for (const child of update.bundledUpdates) s.insertBundle.run(id, child.updateId, child.revisionNumber ?? null);
    // Category groups (product, classification) live in update_products and classification_id.
    const categories = new Set(update.categoryIds);
    update.prerequisites.forEach((group, groupNo) => {
      if (group.every((member) => categories.has(member))) return;
      for (const prerequisite of group) s.insertPrerequisite.run(id, groupNo, prerequisite);
    });
    for (const f of update.files) s.insertFile.run(id, f.digest, f.fileName, f.size, f.sha256 ?? null, f.modified ?? null, f.url ?? null);
    return stored === undefined ? 'new' : 'revised';
  }

  /** The stored XML of a revision (for serving it downstream or exporting it). */
  metadataXml(updateId: string): { revision: number; xml: string } | undefined {
    const row = (this.#db.prepare('SELECT revision, metadata FROM updates WHERE update_id = ?').get(updateId) ??
      this.#db.prepare('SELECT revision, metadata FROM categories WHERE update_id = ?').get(updateId)) as { revision: number; metadata: Buffer } | undefined;
    return row ? { revision: row.revision, xml: decompressMetadata(row.metadata) } : undefined;
  }
}
