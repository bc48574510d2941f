/**
 * better-sqlite3, loaded with require: imported as an ES module, the CommonJS package is read once
 * more for its export names (Node.js's cjs-module-lexer), ~2.5 ms of CPU in every command that
 * opens a database.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

export const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
export type Connection = BetterSqlite3.Database;
