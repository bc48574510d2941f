/**
 * `metadata export`: every category and update revision of a site as a metadata package, in import
 * order (categories first, bundled children before the bundles that contain them).
 */
import os from 'node:os';
import type { Home } from '../store/home.js';
import { openSiteDb } from '../store/site-db.js';
import { decompressMetadata } from '../store/updates.js';
import { writePackage } from './file.js';
import type { PackageRecord } from './format.js';

export async function exportPackage(home: Home, code: string, file: string): Promise<{ count: number; bytes: number }> {
  const site = home.site(code);
  const db = openSiteDb(home.sitePaths(code).database);
  try {
    const serverId = (db.prepare("SELECT value FROM meta WHERE key = 'site_code'").pluck().get() as string | undefined) ?? code;
    function* records(): Generator<PackageRecord> {
      for (const row of db.prepare('SELECT update_id, revision, metadata FROM categories ORDER BY change_seq, update_id').iterate() as Iterable<{ update_id: string; revision: number; metadata: Buffer }>) {
        yield { updateId: row.update_id, revisionNumber: row.revision, xml: decompressMetadata(row.metadata) };
      }
      const ordered = db.prepare(
        `SELECT update_id, revision, metadata FROM updates u
         ORDER BY EXISTS (SELECT 1 FROM bundles b WHERE b.child_id = u.update_id) DESC, change_seq, update_id`,
      );
      for (const row of ordered.iterate() as Iterable<{ update_id: string; revision: number; metadata: Buffer }>) {
        yield { updateId: row.update_id, revisionNumber: row.revision, xml: decompressMetadata(row.metadata) };
      }
    }
    return await writePackage(
      file,
      { serverId: `${serverId}@${os.hostname()}`, creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: site.sup.languageSummaryDetails },
      records(),
    );
  } finally {
    db.close();
  }
}
