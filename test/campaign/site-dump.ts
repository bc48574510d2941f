/**
 * What the kill loop and the fault campaign compare: a canonical dump of a site's stored content
 * (updates with their revision, expiry and metadata, categories, and every relation table), its
 * catalog version, the totals of its sync history, and SQLite's integrity check. Read straight
 * from the site database, read-only.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { storedXmlText } from '../../src/protocol/stored-xml.js';
import { storedXmlOf } from '../../src/store/stored-xml.js';

export interface SiteDump {
  /** SHA-256 over every canonical row. */
  digest: string;
  /** Rows per table, for the report. */
  counts: Record<string, number>;
  /** Update id → "revision|expired|reason|sha1 of the XML", to name what differs. */
  updates: Map<string, string>;
  integrity: string;
}

/**
 * Timestamps and sequence numbers say when, not what: they are left out. So are update keys, which
 * differ between sites: relationship rows are named by their update's GUID (a row whose key names
 * no update shows as such).
 */
function byUpdate(table: string, columns: string, order = '1, 2'): string {
  return `SELECT coalesce(u.update_id, 'no update ' || r.update_key), ${columns} FROM ${table} r LEFT JOIN updates u USING (update_key) ORDER BY ${order}`;
}

const relationQueries: Record<string, string> = {
  categories: 'SELECT update_id, revision, category_type, title, description, parent_id, creation_date, metadata, metadata_format FROM categories ORDER BY update_id',
  update_products: byUpdate('update_products', 'r.product_id'),
  update_languages: byUpdate('update_languages', 'r.language, r.title, r.description'),
  supersedence: byUpdate('supersedence', 'r.superseded_id'),
  bundles: `SELECT coalesce(u.update_id, 'no update ' || r.parent_key), r.child_id, r.child_revision FROM bundles r LEFT JOIN updates u ON u.update_key = r.parent_key ORDER BY 1, 2`,
  prerequisites: byUpdate('prerequisites', 'r.group_no, r.prerequisite_id', '1, 2, 3'),
  files: byUpdate('files', 'r.digest, r.file_name, r.size, r.sha256, r.modified, r.url'),
};

function openReadOnly(home: string, code: string): Database.Database {
  return new Database(path.join(home, 'sites', code, 'site.db'), { readonly: true, fileMustExist: true });
}

/**
 * A row whose last two columns are `metadata, metadata_format`, with the XML's sha1 in their place:
 * sites that keep the same XML in different forms (a cabinet as an upstream sent it, or deflated)
 * dump alike.
 */
function withXmlDigest(row: unknown[]): unknown[] {
  const stored = storedXmlOf({ metadata: row.at(-2) as Buffer, metadata_format: row.at(-1) as number });
  return [...row.slice(0, -2), crypto.createHash('sha1').update(storedXmlText(stored, String(row[0]))).digest('hex')];
}

export function dumpSite(home: string, code: string): SiteDump {
  const db = openReadOnly(home, code);
  try {
    const hash = crypto.createHash('sha256');
    const counts: Record<string, number> = {};
    const updates = new Map<string, string>();
    const rows = (
      db.prepare('SELECT update_id, revision, update_type, title, kb, classification_id, expired, expired_reason, declined, imported, metadata, metadata_format FROM updates LEFT JOIN update_documents USING (update_key) ORDER BY update_id').raw().all() as unknown[][]
    ).map(withXmlDigest);
    for (const row of rows) {
      const line = row.map(String).join('|');
      hash.update(`updates|${line}\n`);
      updates.set(String(row[0]), `${String(row[1])}|${String(row[6])}|${String(row[7])}|${String(row[10])}`);
    }
    counts.updates = rows.length;
    counts.expired = rows.filter((r) => r[6] === 1).length;
    for (const [table, sql] of Object.entries(relationQueries)) {
      const read = db.prepare(sql).raw().all() as unknown[][];
      const all = table === 'categories' ? read.map(withXmlDigest) : read;
      for (const row of all) hash.update(`${table}|${row.map(String).join('|')}\n`);
      counts[table] = all.length;
    }
    return { digest: hash.digest('hex'), counts, updates, integrity: String(db.pragma('integrity_check', { simple: true })) };
  } finally {
    db.close();
  }
}

/** Stored updates whose languages are missing: written half (the batch's transaction must prevent it). */
export function halfWrittenUpdates(home: string, code: string): number {
  const db = openReadOnly(home, code);
  try {
    return (db.prepare('SELECT count(*) AS n FROM updates u WHERE NOT EXISTS (SELECT 1 FROM update_languages l WHERE l.update_key = u.update_key)').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Update ids and categories stored, by id → revision (what a kill point waits to see committed). */
export function storedRevision(home: string, code: string, ids: readonly string[]): Map<string, number> {
  const db = openReadOnly(home, code);
  try {
    const found = new Map<string, number>();
    const update = db.prepare('SELECT revision FROM updates WHERE update_id = ?').pluck();
    const category = db.prepare('SELECT revision FROM categories WHERE update_id = ?').pluck();
    for (const id of ids) {
      const revision = (update.get(id) ?? category.get(id)) as number | undefined;
      if (revision !== undefined) found.set(id, revision);
    }
    return found;
  } finally {
    db.close();
  }
}

/** The site's latest status message (6701–6705): its row id and message id, read while a sync runs. */
export function latestStatusMessage(home: string, code: string): { id: number; messageId: number } | undefined {
  const db = openReadOnly(home, code);
  try {
    return db.prepare('SELECT id, message_id AS messageId FROM status_messages ORDER BY id DESC LIMIT 1').get() as { id: number; messageId: number } | undefined;
  } finally {
    db.close();
  }
}

/** Names what differs between two dumps (the first few update ids), for a failure's message. */
export function describeDifference(expected: SiteDump, actual: SiteDump): string {
  const parts: string[] = [];
  for (const [table, n] of Object.entries(expected.counts)) if (actual.counts[table] !== n) parts.push(`${table} ${actual.counts[table]} instead of ${n}`);
  const differing: string[] = [];
  for (const [id, value] of expected.updates) {
    const other = actual.updates.get(id);
    if (other !== value) differing.push(`${id}: ${other ?? 'missing'} instead of ${value}`);
  }
  for (const id of actual.updates.keys()) if (!expected.updates.has(id)) differing.push(`${id}: not expected`);
  if (differing.length > 0) parts.push(`${differing.length} updates differ (${differing.slice(0, 3).join('; ')})`);
  return parts.length > 0 ? parts.join(', ') : 'categories or relations differ';
}
