/**
 * `metadata import`: loads a metadata package (a generated corpus, or another site's export) into
 * a site whose sync source is none — the disconnected path. Recorded as a sync run (6701 … 6702);
 * the whole package is stored in one transaction that commits only after the package's trailer
 * (count and digest) checked out, so a corrupt package leaves the previous content untouched.
 */
import { InvalidOperationError, asSupsyncError } from '../errors.js';
import { createSiteLogger, type LogFormat } from '../log/index.js';
import { checkPackageFile, readPackage } from '../package/file.js';
import { parseUpdateXml } from '../protocol/update-xml.js';
import { isTopLevel } from '../site/model.js';
import type { Home } from '../store/home.js';
import { nextChangeSeq, openSiteDb } from '../store/site-db.js';
import { readSyncState } from '../store/sync-status.js';
import { UpdateStore, loadCategoryIndex, membership } from '../store/updates.js';
import type { SyncResult } from './engine.js';
import { applyExpiry } from './expiry-apply.js';
import { tryLockSite } from './lock.js';
import { SyncRunRecorder, markInterruptedRuns, syncTime } from './run-recorder.js';

export async function importPackage(home: Home, code: string, file: string, options: { logFormat?: LogFormat; signal?: AbortSignal } = {}): Promise<SyncResult> {
  const site = home.site(code);
  if (!isTopLevel(site) || site.sup.syncSource.kind !== 'none') {
    throw new InvalidOperationError(
      'ImportNeedsDisconnectedSite',
      `metadata import loads into a top-level site whose sync source is none (disconnected); ${code} ${isTopLevel(site) ? `synchronizes from ${site.sup.syncSource.kind}` : 'is a child site'}. Set it with: supsync sup set --site ${code} --sync-source none`,
      { target: code },
    );
  }
  checkPackageFile(file);
  const paths = home.sitePaths(code);
  const db = openSiteDb(paths.database);
  const lock = tryLockSite(paths.dir);
  if (!lock) {
    db.close();
    throw new InvalidOperationError('SiteBusy', `Site ${code} is synchronizing; import the package when the sync has finished`, { target: code });
  }
  const log = createSiteLogger({ logDir: paths.logDir, format: options.logFormat ?? 'site-server' });
  const started = Date.now();
  markInterruptedRuns(db);
  const recorder = new SyncRunRecorder(db, site, log, 'import', true, `package ${file}`);
  try {
    log.info(`Importing metadata package ${file}`);
    recorder.status(6705);
    const store = new UpdateStore(db);
    const index = loadCategoryIndex(db);
    const now = new Date().toISOString();
    let processed = 0;
    db.exec('BEGIN IMMEDIATE');
    try {
      const seq = nextChangeSeq(db);
      for await (const { records } of readPackage(file)) {
        if (options.signal?.aborted) throw new InvalidOperationError('Aborted', 'The import was cancelled; nothing was stored');
        for (const record of records) {
          const update = parseUpdateXml(record.xml, `${file}: update ${record.updateId} revision ${record.revisionNumber}`, { languages: site.sup.languageSummaryDetails });
          const outcome = store.store(update, index, { changeSeq: seq, now, imported: false, languages: site.sup.languageSummaryDetails });
          if (outcome !== 'unchanged') {
            const m = membership(update, index);
            recorder.count(update.updateType === 'Category' || update.updateType === 'Detectoid' ? 'categories' : 'updates', m.productIds, m.classificationId ?? null, outcome);
          }
        }
        processed += records.length;
        recorder.progress('package records', processed, processed, started);
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
    applyExpiry({ home, site, db, log, recorder, options: { trigger: 'import' }, full: false, startedAt: started });
    const counts = recorder.totals();
    const changed = counts.new + counts.revised + counts.expired + counts.removed;
    const version = readSyncState(db).catalog_version + (changed > 0 ? 1 : 0);
    recorder.succeed(version, 0);
    log.info(`Updated ${changed} items in SMS database, new update source content version is ${version}`);
    log.info(`Sync time: ${syncTime(Date.now() - started)}`);
    return { site: code, state: changed > 0 ? 'Succeeded' : 'NoChanges', runId: recorder.runId, trigger: 'import', full: true, counts, catalogVersion: version, durationMs: Date.now() - started };
  } catch (thrown) {
    const error = asSupsyncError(thrown);
    log.error(`Sync failed: ${error.message}. Source: ${file}`);
    recorder.fail(error.code, error.message, undefined, 0);
    throw error;
  } finally {
    log.close();
    lock.release();
    db.close();
  }
}
