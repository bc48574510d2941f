/**
 * The embedded default (`npm start`): a temporary hierarchy synchronized over the real protocol on
 * loopback. An upstream site seeded from a generated corpus plays Microsoft Update; CS1 syncs from
 * it; PS1, PS2 and SS1 (under PS1) follow through the cascade. Then the corpus gains new revisions
 * and a delta sync runs down the hierarchy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateCorpus } from './corpus.js';
import { writePackage } from '../package/file.js';
import { SupEndpoint } from '../server/sup-endpoint.js';
import { planSupChange } from '../model/sup-settings.js';
import { applyAddSite, planAddSite } from '../store/sites.js';
import { type Home, temporaryHome } from '../store/home.js';
import { openSiteStore, withSiteStore } from '../store/site-store.js';
import { updateSiteControl } from '../store/site-file.js';
import { type SupChangeRequest } from '../model/sup-settings.js';
import { serveLocalParent } from '../server/local-parent.js';
import { type CascadeOptions, syncWithCascade } from '../sync/cascade.js';
import type { SyncResult } from '../sync/engine.js';
import { importPackage } from '../sync/import-package.js';

export interface DemoOptions {
  updates: number;
  keep: boolean;
  /** One line per step. */
  note(message: string): void;
  signal: AbortSignal;
  /** Progress and log echo of each sync. */
  sync?: Pick<CascadeOptions, 'onProgress' | 'logEcho'>;
  /** The results of each sync step, as it ends. */
  stepDone?(results: SyncResult[]): void;
}

export interface DemoOutcome {
  home: Home;
  results: SyncResult[];
}

const seed = 'supsync-demo';

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const { note } = options;
  const home = temporaryHome('supsync-demo-');
  const results: SyncResult[] = [];
  const syncStep = async () => {
    const step = await syncWithCascade(home, 'CS1', { trigger: 'manual', wait: true, signal: options.signal, staggerMs: 100, serveLocalParent, ...options.sync });
    options.stepDone?.(step);
    results.push(...step);
  };
  try {
    for (const [code, role, parent] of [
      ['UPS', 'primary', undefined],
      ['CS1', 'central', undefined],
      ['PS1', 'primary', 'CS1'],
      ['PS2', 'primary', 'CS1'],
      ['SS1', 'secondary', 'PS1'],
    ] as const) {
      applyAddSite(home, planAddSite(home, { code, role, ...(parent ? { parent } : {}), serverName: `${code.toLowerCase()}.demo.supsync.test`, standAlone: code === 'UPS' }));
    }
    // UPS plays Microsoft Update: a disconnected site fed by a package, expiring nothing by supersedence.
    setSup(home, 'UPS', { syncSource: 'none', waitMonths: 99, waitMonthsForFeature: 99 });
    const packageFile = path.join(home.root, 'corpus-1.pkg.gz');
    note(`Generating a corpus of ${options.updates} updates for the upstream site UPS`);
    await writePackage(packageFile, header(1), generateCorpus({ updates: options.updates, seed, generation: 1 }));
    await importPackage(home, 'UPS', packageFile);

    const upstreamStore = openSiteStore(home.sitePaths('UPS').database);
    const upstream = await new SupEndpoint({ store: upstreamStore }).listen('127.0.0.1', 0);
    note(`Upstream UPS serves [MS-WSUSSS] at ${upstream.url}`);
    try {
      setSup(home, 'CS1', { syncSource: 'upstream', upstreamUrl: upstream.url });
      note('First sync of CS1: nothing selected yet, so categories only');
      await syncStep();
      setSup(home, 'CS1', {
        addProduct: ['Windows 11', 'Windows Server 2022', 'Windows 10', 'Microsoft Defender Antivirus', 'Office 2016', 'Microsoft SQL Server 2019', '.NET 8.0'],
        addClassification: ['Security Updates', 'Critical Updates', 'Definition Updates', 'Updates', 'Update Rollups'],
        addLanguage: ['de', 'fr'],
      });
      note('Full sync of CS1 with its selection, cascading to PS1, PS2 and SS1');
      await syncStep();

      const next = path.join(home.root, 'corpus-2.pkg.gz');
      note('The upstream gains new revisions and updates (corpus generation 2)');
      await writePackage(next, header(2), generateCorpus({ updates: options.updates, seed, generation: 2 }));
      await importPackage(home, 'UPS', next);
      note('Delta sync of CS1, cascading down the hierarchy');
      await syncStep();
    } finally {
      await upstream.close();
      upstreamStore.close();
    }
    return { home, results };
  } finally {
    if (!options.keep) process.once('exit', () => fs.rmSync(home.root, { recursive: true, force: true }));
  }
}

function header(generation: number) {
  return { serverId: `corpus:${seed}`, creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: ['en'], description: `demo generation ${generation}` };
}

function setSup(home: Home, code: string, request: SupChangeRequest): void {
  const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
  updateSiteControl(home.sitePaths(code).controlFile, (site) => ({ ...site, sup: planSupChange(site, request, known, code).settings }));
}
