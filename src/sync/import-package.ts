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
import { isTopLevel } from '../model/site.js';
import type { Home } from '../store/home.js';
import { RevisionWriter, finishRun } from './apply.js';
import type { SyncResult } from './engine.js';
import { SyncRunRecorder, markInterruptedRuns, syncTime } from './run-recorder.js';
import { openSiteWrite } from './site-write.js';

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
  const write = openSiteWrite(home, code, 'metadata import', 'import the package again');
  const { store } = write;
  const log = createSiteLogger({ logDir: write.paths.logDir, format: options.logFormat ?? 'site-server' });
  const started = Date.now();
  markInterruptedRuns(store);
  const recorder = new SyncRunRecorder(store, site, log, 'import', true, `package ${file}`);
  try {
    log.info(`Importing metadata package ${file}`);
    recorder.status(6705);
    const languages = site.sup.languageSummaryDetails;
    const writer = new RevisionWriter(store, recorder, languages);
    const now = new Date().toISOString();
    let processed = 0;
    await recorder.writeAcross(async () => {
      const seq = store.nextChangeSeq();
      for await (const { records } of readPackage(file)) {
        if (options.signal?.aborted) throw new InvalidOperationError('Aborted', 'The import was cancelled; nothing was stored');
        for (const record of records) {
          const update = parseUpdateXml(record.xml, `${file}: update ${record.updateId} revision ${record.revisionNumber}`, { languages });
          writer.write(update, seq, now, { phase: update.updateType === 'Category' || update.updateType === 'Detectoid' ? 'categories' : 'updates' });
        }
        processed += records.length;
        recorder.progress('package records', processed, processed, started);
      }
    });
    const { counts, changed, catalogVersion } = finishRun({ store, site, log, recorder }, { cleanup: false });
    log.info(`Updated ${changed} items in SMS database, new update source content version is ${catalogVersion}`);
    log.info(`Sync time: ${syncTime(Date.now() - started)}`);
    return { site: code, state: changed > 0 ? 'Succeeded' : 'NoChanges', runId: recorder.runId, trigger: 'import', full: true, counts, catalogVersion, durationMs: Date.now() - started };
  } catch (thrown) {
    const error = asSupsyncError(thrown);
    log.error(`Sync failed: ${error.message}. Source: ${file}`);
    recorder.fail(error.code, error.message, undefined);
    throw error;
  } finally {
    log.close();
    write.release();
  }
}
