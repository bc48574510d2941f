/**
 * Opening a SQLite connection (better-sqlite3). The host's build bundles the package's JavaScript
 * (scripts/bundle-hosts.ts): loaded from node_modules, its dozen CommonJS files, read a second time
 * for their export names, and its addon search cost every command that opens a database ~9 ms of
 * CPU. The addon is found once, where an install puts it (build/Release), else by the package's own
 * search (its `bindings` dependency, asked from the package's folder), and named to each connection.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Connection = Database.Database;

let addonFile: string | undefined;

function addonPath(): string {
  if (addonFile !== undefined) return addonFile;
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  const built = path.join(packageDir, 'build', 'Release', 'better_sqlite3.node');
  addonFile = fs.existsSync(built)
    ? built
    : (createRequire(path.join(packageDir, 'package.json'))('bindings') as (options: object) => string)({ bindings: 'better_sqlite3.node', module_root: packageDir, path: true });
  return addonFile;
}

export function openConnection(file: string, options: Database.Options = {}): Connection {
  return new Database(file, { ...options, nativeBinding: addonPath() });
}
