/** The site database's `meta` table: single values under a key, each written in one statement. */
import type { SiteDb } from './site-db.js';

export function readMeta(db: SiteDb, key: string): string | undefined {
  return db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
}

export function writeMeta(db: SiteDb, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
