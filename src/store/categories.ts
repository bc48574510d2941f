/**
 * Category queries on the site database (products, classifications, product families, companies,
 * detectoids).
 */
import type { KnownCategories } from '../model/sup-settings.js';
import type { SiteDb } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';
import { type StoredDocument, storedDocuments } from './stored-xml.js';

export interface CategoryRow {
  update_id: string;
  revision: number;
  category_type: string;
  title: string;
  description: string | null;
  parent_id: string | null;
}

/** Which category GUIDs are products and classifications: resolves an update's membership. */
export interface CategoryIndex {
  productIds: Set<string>;
  classificationIds: Set<string>;
}

const productsAndClassifications = "SELECT update_id, title, category_type FROM categories WHERE category_type IN ('Product', 'UpdateClassification') ORDER BY title";

export function loadCategoryIndex(db: SiteDb): CategoryIndex {
  return categoryRepository(db).index();
}

export type CategoryRepository = ReturnType<typeof categoryRepository>;

export function categoryRepository(db: SiteDb, prepare: Prepare = statementCache(db)) {
  const selected = () => prepare(productsAndClassifications).all() as Pick<CategoryRow, 'update_id' | 'title' | 'category_type'>[];
  return {
    /** Products and classifications by title, for resolving names the user types. */
    known(): KnownCategories {
      const rows = selected();
      const pick = (type: string) => rows.filter((r) => r.category_type === type).map((r) => ({ id: r.update_id, title: r.title }));
      return { products: pick('Product'), classifications: pick('UpdateClassification'), synced: rows.length > 0 };
    },
    /** Product and classification titles (lower-case) to their GUIDs. */
    idsByTitle(): { products: Map<string, string>; classifications: Map<string, string> } {
      const rows = selected();
      const map = (type: string) => new Map(rows.filter((r) => r.category_type === type).map((r) => [r.title.toLowerCase(), r.update_id]));
      return { products: map('Product'), classifications: map('UpdateClassification') };
    },
    index(): CategoryIndex {
      const rows = selected();
      return {
        productIds: new Set(rows.filter((r) => r.category_type === 'Product').map((r) => r.update_id)),
        classificationIds: new Set(rows.filter((r) => r.category_type === 'UpdateClassification').map((r) => r.update_id)),
      };
    },
    list(type?: string): CategoryRow[] {
      return (
        type
          ? prepare('SELECT update_id, revision, category_type, title, description, parent_id FROM categories WHERE category_type = ? ORDER BY title').all(type)
          : prepare('SELECT update_id, revision, category_type, title, description, parent_id FROM categories ORDER BY category_type, title').all()
      ) as CategoryRow[];
    },
    /** Every category's title by GUID. */
    titles(): Map<string, string> {
      return new Map(prepare('SELECT update_id, title FROM categories').raw().all() as [string, string][]);
    },
    has(updateId: string): boolean {
      return prepare('SELECT 1 FROM categories WHERE update_id = ?').pluck().get(updateId) !== undefined;
    },
    revision(updateId: string): number | undefined {
      return prepare('SELECT revision FROM categories WHERE update_id = ?').pluck().get(updateId) as number | undefined;
    },
    /** Every category's stored document, oldest change first (an export). */
    *documents(): Generator<StoredDocument> {
      yield* storedDocuments(
        prepare('SELECT update_id, revision, metadata, metadata_format FROM categories ORDER BY change_seq, update_id').iterate() as Iterable<{
          update_id: string;
          revision: number;
          metadata: Buffer;
          metadata_format: number;
        }>,
      );
    },
  };
}

export function knownCategories(db: SiteDb): KnownCategories {
  return categoryRepository(db).known();
}
