/** The site database's `meta` table: single values under a key, each written in one statement. */
import type { SiteDb } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';

export type MetaRepository = ReturnType<typeof metaRepository>;

export function metaRepository(db: SiteDb, prepare: Prepare = statementCache(db)) {
  const repository = {
    read: (key: string): string | undefined => prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined,
    write: (key: string, value: string): void => {
      prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    },
    /** A JSON value, or undefined when the key is not set. */
    readJson: <T>(key: string): T | undefined => {
      const text = repository.read(key);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    /** Deletes a JSON record only when it names this process (`$.pid`): a newer owner's record stays. */
    deleteOwned: (key: string, pid: number): void => {
      prepare("DELETE FROM meta WHERE key = ? AND json_extract(value, '$.pid') = ?").run(key, pid);
    },
    /** The site code written when the site was created (an export's server id). */
    siteCode: (): string | undefined => repository.read('site_code'),
    /**
     * The site's cookie-signing secret, created on first use; a concurrent creator's secret wins.
     * node:crypto is loaded only then: every command that opens a store loads this module.
     */
    serverSecret: (): Buffer => {
      const stored = repository.read('server_secret');
      if (stored !== undefined) return Buffer.from(stored, 'hex');
      prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('server_secret', ?)").run(process.getBuiltinModule('node:crypto').randomBytes(32).toString('hex'));
      return Buffer.from(repository.read('server_secret')!, 'hex');
    },
  };
  return repository;
}
