/**
 * `metadata export`: every category and update revision of a site as a metadata package, in import
 * order (categories first, bundled children before the bundles that contain them).
 */
import os from 'node:os';
import type { Home } from '../store/home.js';
import { openSiteStore } from '../store/site-store.js';
import { storedXmlText } from '../protocol/stored-xml.js';
import { writePackage } from './file.js';
import type { PackageRecord } from './format.js';

export async function exportPackage(home: Home, code: string, file: string): Promise<{ count: number; bytes: number }> {
  const site = home.site(code);
  const store = openSiteStore(home.sitePaths(code).database);
  try {
    const serverId = store.meta.siteCode() ?? code;
    function* records(): Generator<PackageRecord> {
      for (const row of store.categories.documents()) yield { updateId: row.update_id, revisionNumber: row.revision, xml: storedXmlText(row.stored, `category ${row.update_id}`) };
      for (const row of store.updates.documents()) yield { updateId: row.update_id, revisionNumber: row.revision, xml: storedXmlText(row.stored, `update ${row.update_id}`) };
    }
    return await writePackage(
      file,
      { serverId: `${serverId}@${os.hostname()}`, creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: site.sup.languageSummaryDetails },
      records(),
    );
  } finally {
    store.close();
  }
}
