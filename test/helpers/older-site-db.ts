/**
 * A site database as an older supsync left it, made from a current one, to test the migrations
 * that bring it forward.
 */
import type Database from 'better-sqlite3';

/**
 * Schema 6: an update's document (metadata_format, metadata) was kept in its updates row, not in
 * update_documents. The rows are the same; only their layout goes back.
 */
export function asSchema6(db: Database.Database): void {
  db.transaction(() => {
    const indexes = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = 'updates'").pluck().all() as string[];
    db.exec(`
      CREATE TABLE updates_with_documents (
        update_key INTEGER PRIMARY KEY, update_id TEXT NOT NULL UNIQUE, revision INTEGER NOT NULL, update_type TEXT NOT NULL,
        title TEXT NOT NULL, description TEXT, kb TEXT, msrc_severity TEXT, classification_id TEXT, creation_date TEXT NOT NULL,
        arrived_at TEXT NOT NULL, revised_at TEXT, expired INTEGER NOT NULL DEFAULT 0, expired_at TEXT, expired_reason TEXT,
        declined INTEGER NOT NULL DEFAULT 0, imported INTEGER NOT NULL DEFAULT 0, change_seq INTEGER NOT NULL, metadata_size INTEGER NOT NULL,
        metadata_format INTEGER NOT NULL DEFAULT 0 CHECK (metadata_format IN (0, 1)),
        metadata BLOB NOT NULL
      );
      INSERT INTO updates_with_documents SELECT u.update_key, u.update_id, u.revision, u.update_type, u.title, u.description, u.kb, u.msrc_severity,
        u.classification_id, u.creation_date, u.arrived_at, u.revised_at, u.expired, u.expired_at, u.expired_reason, u.declined, u.imported,
        u.change_seq, u.metadata_size, d.metadata_format, d.metadata
        FROM updates u JOIN update_documents d USING (update_key) ORDER BY u.update_key;
      DROP TABLE updates;
      DROP TABLE update_documents;
      ALTER TABLE updates_with_documents RENAME TO updates;
    `);
    for (const sql of indexes) db.exec(sql);
    db.pragma('user_version = 6');
  })();
}

/**
 * Schema 5: as schema 6, and updates kept their rowid implicit and relationship rows were keyed by
 * the update's GUID (bundles by parent_id). The rows are the same; only their layout goes back.
 */
export function asSchema5(db: Database.Database): void {
  const byGuid = (table: string, key: string, columns: string, primaryKey: string, definition: string) => `
    CREATE TABLE ${table}_by_guid (${key} TEXT NOT NULL, ${definition}, PRIMARY KEY (${key}, ${primaryKey})) WITHOUT ROWID;
    INSERT INTO ${table}_by_guid SELECT u.update_id, ${columns} FROM ${table} r JOIN updates u ON u.update_key = r.${key === 'parent_id' ? 'parent_key' : 'update_key'};
    DROP TABLE ${table};
    ALTER TABLE ${table}_by_guid RENAME TO ${table};`;
  asSchema6(db);
  db.transaction(() => {
    const indexes = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))").pluck().all(
      JSON.stringify(['updates', 'update_products', 'update_languages', 'supersedence', 'bundles', 'prerequisites', 'files']),
    ) as string[];
    db.exec(`
      ${byGuid('update_products', 'update_id', 'r.product_id', 'product_id', 'product_id TEXT NOT NULL')}
      ${byGuid('update_languages', 'update_id', 'r.language, r.title, r.description', 'language', 'language TEXT NOT NULL, title TEXT NOT NULL, description TEXT')}
      ${byGuid('supersedence', 'update_id', 'r.superseded_id', 'superseded_id', 'superseded_id TEXT NOT NULL')}
      ${byGuid('bundles', 'parent_id', 'r.child_id, r.child_revision', 'child_id', 'child_id TEXT NOT NULL, child_revision INTEGER')}
      ${byGuid('prerequisites', 'update_id', 'r.group_no, r.prerequisite_id', 'group_no, prerequisite_id', 'group_no INTEGER NOT NULL, prerequisite_id TEXT NOT NULL')}
      ${byGuid('files', 'update_id', 'r.digest, r.file_name, r.size, r.sha256, r.modified, r.url', 'digest', 'digest TEXT NOT NULL, file_name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT, modified TEXT, url TEXT')}
      CREATE TABLE updates_by_guid (
        update_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, update_type TEXT NOT NULL, title TEXT NOT NULL, description TEXT,
        kb TEXT, msrc_severity TEXT, classification_id TEXT, creation_date TEXT NOT NULL, arrived_at TEXT NOT NULL, revised_at TEXT,
        expired INTEGER NOT NULL DEFAULT 0, expired_at TEXT, expired_reason TEXT, declined INTEGER NOT NULL DEFAULT 0,
        imported INTEGER NOT NULL DEFAULT 0, change_seq INTEGER NOT NULL, metadata_size INTEGER NOT NULL, metadata BLOB NOT NULL,
        metadata_format INTEGER NOT NULL DEFAULT 0 CHECK (metadata_format IN (0, 1))
      );
      INSERT INTO updates_by_guid SELECT update_id, revision, update_type, title, description, kb, msrc_severity, classification_id,
        creation_date, arrived_at, revised_at, expired, expired_at, expired_reason, declined, imported, change_seq, metadata_size, metadata, metadata_format
        FROM updates ORDER BY update_key DESC;
      DROP TABLE updates;
      ALTER TABLE updates_by_guid RENAME TO updates;
    `);
    // The indexes went with the tables; none names a key column, so each is made again as it was.
    for (const sql of indexes) db.exec(sql);
    db.pragma('user_version = 5');
  })();
}
