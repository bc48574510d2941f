/**
 * What the development stand-in for the Microsoft Update Catalog shows of a site database: search
 * results, an update's details page and its download dialog.
 */
import { type SiteDb, updateKeyOf } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';
import { type StoredXmlBytes, storedXmlOf } from './stored-xml.js';

export interface CatalogListedRow {
  update_id: string;
  title: string;
  kb: string | null;
  creation_date: string;
  classification: string | null;
  products: string | null;
  size: number | null;
}

export interface CatalogDetailsRow extends Omit<CatalogListedRow, 'products'> {
  msrc_severity: string | null;
  stored: StoredXmlBytes;
}

export interface CatalogFileRow {
  update_id: string;
  file_name: string;
}

export type CatalogView = ReturnType<typeof catalogView>;

export function catalogView(db: SiteDb, prepare: Prepare = statementCache(db)) {
  return {
    /** Live updates whose title, products or id match every search token, newest first, at most `cap`. */
    search(tokens: string[], cap: number): CatalogListedRow[] {
      if (tokens.length === 0) return [];
      const conditions = tokens.map(() => "(title LIKE ? ESCAPE '\\' OR products LIKE ? ESCAPE '\\' OR update_id = ?)");
      const params = tokens.flatMap((token) => {
        const like = `%${token.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        return [like, like, token.toLowerCase()];
      });
      return prepare(
        `WITH listed AS (
           SELECT u.update_id, u.title, u.kb, u.creation_date, c.title AS classification,
             (SELECT group_concat(pc.title, ', ') FROM update_products p JOIN categories pc ON pc.update_id = p.product_id WHERE p.update_key = u.update_key) AS products,
             (SELECT sum(f.size) FROM files f WHERE f.update_key = u.update_key) AS size
           FROM updates u LEFT JOIN categories c ON c.update_id = u.classification_id WHERE u.expired = 0)
         SELECT * FROM listed WHERE ${conditions.join(' AND ')} ORDER BY creation_date DESC, update_id LIMIT ${Math.trunc(cap)}`,
      ).all(...params) as CatalogListedRow[];
    },
    details(updateId: string): CatalogDetailsRow | undefined {
      const row = prepare(
        `SELECT u.update_id, u.title, u.kb, u.creation_date, u.msrc_severity, d.metadata, d.metadata_format, c.title AS classification,
           (SELECT sum(f.size) FROM files f WHERE f.update_key = u.update_key) AS size
         FROM updates u JOIN update_documents d USING (update_key) LEFT JOIN categories c ON c.update_id = u.classification_id WHERE u.update_id = ?`,
      ).get(updateId) as (Omit<CatalogDetailsRow, 'stored'> & { metadata: Buffer; metadata_format: number }) | undefined;
      if (!row) return undefined;
      const { metadata, metadata_format, ...details } = row;
      return { ...details, stored: storedXmlOf({ metadata, metadata_format }) };
    },
    productTitles: (updateId: string): string[] =>
      prepare(`SELECT c.title FROM update_products p JOIN categories c ON c.update_id = p.product_id WHERE p.update_key = ${updateKeyOf} ORDER BY c.title`).pluck().all(updateId) as string[],
    languages: (updateId: string): string[] => prepare(`SELECT language FROM update_languages WHERE update_key = ${updateKeyOf} ORDER BY language`).pluck().all(updateId) as string[],
    supersededBy: (updateId: string): { id: string; title: string }[] =>
      prepare('SELECT u.update_id AS id, u.title FROM supersedence s JOIN updates u USING (update_key) WHERE s.superseded_id = ? ORDER BY u.title').all(updateId) as {
        id: string;
        title: string;
      }[],
    supersedesTitles: (updateId: string): string[] =>
      prepare(`SELECT u.title FROM supersedence s JOIN updates u ON u.update_id = s.superseded_id WHERE s.update_key = ${updateKeyOf} ORDER BY u.title`).pluck().all(updateId) as string[],
    title: (updateId: string): string | undefined => prepare('SELECT title FROM updates WHERE update_id = ?').pluck().get(updateId) as string | undefined,
    /** An update's files; a bundle's are its bundled updates' files, as the catalog lists them. */
    files: (updateId: string): CatalogFileRow[] =>
      prepare(
        `SELECT ? AS update_id, file_name FROM files WHERE update_key = ${updateKeyOf}
         UNION SELECT c.update_id, f.file_name FROM bundles b JOIN updates c ON c.update_id = b.child_id JOIN files f ON f.update_key = c.update_key
           WHERE b.parent_key = ${updateKeyOf}
         ORDER BY 1, 2`,
      ).all(updateId, updateId, updateId) as CatalogFileRow[],
  };
}
