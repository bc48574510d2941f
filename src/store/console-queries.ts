/**
 * Read-only queries the web console needs: run history with per-product × classification counts,
 * the update search and an update's relations. Named functions so that SQL stays in store/.
 */
import { type SiteDb, updateKeyOf } from './site-db.js';

/** A run's counts per product × classification, with titles (the console's table). */
export interface TitledRunCountRow {
  product: string;
  classification: string;
  new_count: number;
  revised_count: number;
  superseded_count: number;
  expired_count: number;
  removed_count: number;
}

/** A run's counts per product × classification (summed over its phases), with titles; categories themselves are left out. */
export function runCountsByProductClassification(db: SiteDb, runId: number): TitledRunCountRow[] {
  return db
    .prepare(
      `SELECT coalesce(p.title, nullif(r.product_id, ''), '(no product)') AS product,
              coalesce(c.title, nullif(r.classification_id, ''), '(no classification)') AS classification,
              sum(r.new_count) AS new_count, sum(r.revised_count) AS revised_count, sum(r.superseded_count) AS superseded_count,
              sum(r.expired_count) AS expired_count, sum(r.removed_count) AS removed_count
       FROM sync_run_counts r
       LEFT JOIN categories p ON p.update_id = r.product_id
       LEFT JOIN categories c ON c.update_id = r.classification_id
       WHERE r.run_id = ? AND r.phase <> 'categories'
       GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all(runId) as TitledRunCountRow[];
}

export type Tristate = 'any' | 'only' | 'exclude';

export interface UpdateSearch {
  /** KB digits. */
  kb?: string;
  /** Text the title contains. */
  title?: string;
  productId?: string;
  classificationId?: string;
  superseded: Tristate;
  expired: Tristate;
  limit: number;
  offset: number;
}

export interface UpdateSearchRow {
  update_id: string;
  revision: number;
  title: string;
  kb: string | null;
  msrc_severity: string | null;
  classification: string | null;
  products: string | null;
  creation_date: string;
  expired: number;
  superseded: number;
}

export function searchUpdates(db: SiteDb, search: UpdateSearch): { total: number; rows: UpdateSearchRow[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (search.kb !== undefined) {
    where.push('u.kb = ?');
    params.push(search.kb);
  }
  if (search.title !== undefined) {
    where.push("u.title LIKE ? ESCAPE '\\'");
    params.push(`%${search.title.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (search.productId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM update_products p WHERE p.update_key = u.update_key AND p.product_id = ?)');
    params.push(search.productId);
  }
  if (search.classificationId !== undefined) {
    where.push('u.classification_id = ?');
    params.push(search.classificationId);
  }
  const superseded = 'EXISTS (SELECT 1 FROM supersedence s WHERE s.superseded_id = u.update_id)';
  if (search.superseded === 'only') where.push(superseded);
  if (search.superseded === 'exclude') where.push(`NOT ${superseded}`);
  if (search.expired === 'only') where.push('u.expired = 1');
  if (search.expired === 'exclude') where.push('u.expired = 0');
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const total = db.prepare(`SELECT count(*) FROM updates u ${filter}`).pluck().get(...params) as number;
  const rows = db
    .prepare(
      `SELECT u.update_id, u.revision, u.title, u.kb, u.msrc_severity, u.creation_date, u.expired,
         (SELECT title FROM categories c WHERE c.update_id = u.classification_id) AS classification,
         (SELECT group_concat(c.title, ', ') FROM update_products p JOIN categories c ON c.update_id = p.product_id WHERE p.update_key = u.update_key) AS products,
         ${superseded} AS superseded
       FROM updates u ${filter} ORDER BY u.creation_date DESC, u.update_id LIMIT ? OFFSET ?`,
    )
    .all(...params, search.limit, search.offset) as UpdateSearchRow[];
  return { total, rows };
}

export interface UpdateDetailRow {
  update_id: string;
  revision: number;
  update_type: string;
  title: string;
  description: string | null;
  kb: string | null;
  msrc_severity: string | null;
  classification: string | null;
  creation_date: string;
  arrived_at: string;
  revised_at: string | null;
  expired: number;
  expired_at: string | null;
  expired_reason: string | null;
  imported: number;
  metadata_size: number;
}

export function updateDetail(db: SiteDb, updateId: string): UpdateDetailRow | undefined {
  return db
    .prepare(
      `SELECT u.update_id, u.revision, u.update_type, u.title, u.description, u.kb, u.msrc_severity, u.creation_date, u.arrived_at, u.revised_at,
         u.expired, u.expired_at, u.expired_reason, u.imported, u.metadata_size,
         (SELECT title FROM categories c WHERE c.update_id = u.classification_id) AS classification
       FROM updates u WHERE u.update_id = ?`,
    )
    .get(updateId) as UpdateDetailRow | undefined;
}

/** Another update or category an update points at; `title` is null when the site does not store it. */
export interface RelatedUpdate {
  update_id: string;
  title: string | null;
  kb: string | null;
  expired: number | null;
  /** Prerequisites only: the group it belongs to (any one member of a group satisfies it). */
  group_no?: number;
}

export interface UpdateRelations {
  products: string[];
  supersedes: RelatedUpdate[];
  supersededBy: RelatedUpdate[];
  bundles: RelatedUpdate[];
  bundledIn: RelatedUpdate[];
  prerequisites: RelatedUpdate[];
  files: { file_name: string; size: number }[];
}

export function updateRelations(db: SiteDb, updateId: string): UpdateRelations {
  const related = (sql: string) =>
    db
      .prepare(
        `SELECT r.id AS update_id, coalesce(u.title, c.title) AS title, u.kb AS kb, u.expired AS expired ${sql.includes('group_no') ? ', r.group_no AS group_no' : ''}
         FROM (${sql}) r LEFT JOIN updates u ON u.update_id = r.id LEFT JOIN categories c ON c.update_id = r.id ORDER BY ${sql.includes('group_no') ? 'r.group_no, ' : ''}title`,
      )
      .all(updateId) as RelatedUpdate[];
  return {
    products: db
      .prepare(`SELECT c.title FROM update_products p JOIN categories c ON c.update_id = p.product_id WHERE p.update_key = ${updateKeyOf} ORDER BY c.title`)
      .pluck()
      .all(updateId) as string[],
    supersedes: related(`SELECT superseded_id AS id FROM supersedence WHERE update_key = ${updateKeyOf}`),
    supersededBy: related('SELECT b.update_id AS id FROM supersedence s JOIN updates b USING (update_key) WHERE s.superseded_id = ?'),
    bundles: related(`SELECT child_id AS id FROM bundles WHERE parent_key = ${updateKeyOf}`),
    bundledIn: related('SELECT p.update_id AS id FROM bundles b JOIN updates p ON p.update_key = b.parent_key WHERE b.child_id = ?'),
    prerequisites: related(`SELECT prerequisite_id AS id, group_no FROM prerequisites WHERE update_key = ${updateKeyOf}`),
    files: db.prepare(`SELECT file_name, size FROM files WHERE update_key = ${updateKeyOf} ORDER BY file_name`).all(updateId) as { file_name: string; size: number }[],
  };
}

export type ConsoleQueries = ReturnType<typeof consoleQueries>;

/** What the web console reads of a site database. */
export function consoleQueries(db: SiteDb) {
  return {
    runCountsByProductClassification: (runId: number) => runCountsByProductClassification(db, runId),
    searchUpdates: (search: UpdateSearch) => searchUpdates(db, search),
    updateDetail: (updateId: string) => updateDetail(db, updateId),
    updateRelations: (updateId: string) => updateRelations(db, updateId),
  };
}
