/**
 * An upstream for in-process sync tests: a primary site fed by imports only (sync source none),
 * holding a generated corpus imported through the product's package import.
 */
import path from 'node:path';
import { generateCorpus } from '../../src/dev/corpus.js';
import { type SupChangeRequest, planSupChange } from '../../src/model/sup-settings.js';
import { writePackage } from '../../src/package/file.js';
import type { Home } from '../../src/store/home.js';
import { updateSiteControl } from '../../src/store/site-file.js';
import { withSiteStore } from '../../src/store/site-store.js';
import { applyAddSite, planAddSite } from '../../src/store/sites.js';
import { importPackage } from '../../src/sync/import-package.js';

/** Superseded updates stay live (99 months), so a test's corpus is what it serves. */
const keepSuperseded: SupChangeRequest = { syncSource: 'none', waitMonths: 99, waitMonthsForFeature: 99 };

/** Returns the package it imported (`corpus.pkg.gz` in the home's root), which tests import again. */
export async function corpusSite(home: Home, code: string, corpus: { updates: number; seed: string }, sup: SupChangeRequest = keepSuperseded): Promise<string> {
  applyAddSite(home, planAddSite(home, { code, role: 'primary' }));
  const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
  updateSiteControl(home.sitePaths(code).controlFile, (site) => ({ ...site, sup: planSupChange(site, sup, known).settings }));
  const file = path.join(home.root, 'corpus.pkg.gz');
  const header = { serverId: 't', creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: ['en'] };
  await writePackage(file, header, generateCorpus(corpus));
  const imported = await importPackage(home, code, file);
  if (imported.state !== 'Succeeded') throw new Error(`importing the ${corpus.seed} corpus into ${code} ended ${imported.state}`);
  return file;
}
