/**
 * Category queries on the site database (products, classifications, …).
 */
import type { KnownCategories } from '../site/sup-settings.js';
import type { SiteDb } from './site-db.js';

export interface CategoryRow {
  update_id: string;
  revision: number;
  category_type: string;
  title: string;
  description: string | null;
  parent_id: string | null;
}

export function knownCategories(db: SiteDb): KnownCategories {
  const rows = db.prepare("SELECT update_id, title, category_type FROM categories WHERE category_type IN ('Product', 'UpdateClassification') ORDER BY title").all() as CategoryRow[];
  const pick = (type: string) => rows.filter((r) => r.category_type === type).map((r) => ({ id: r.update_id, title: r.title }));
  return { products: pick('Product'), classifications: pick('UpdateClassification'), synced: rows.length > 0 };
}

export function listCategories(db: SiteDb, type?: string): CategoryRow[] {
  return (
    type
      ? db.prepare('SELECT update_id, revision, category_type, title, description, parent_id FROM categories WHERE category_type = ? ORDER BY title').all(type)
      : db.prepare('SELECT update_id, revision, category_type, title, description, parent_id FROM categories ORDER BY category_type, title').all()
  ) as CategoryRow[];
}
