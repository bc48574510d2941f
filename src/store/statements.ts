/**
 * Prepared statements of one database, prepared on first use and reused: repositories name their
 * SQL where they use it without paying for a prepare per call.
 */
import type { Database, Statement } from 'better-sqlite3';

export type Prepare = (sql: string) => Statement;

export function statementCache(db: Database): Prepare {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}
