/**
 * One benchmark measurement in its own process (bench.ts runs it), printing a JSON line:
 *   sync <home> <site> [options]        a sync of the site (its upstream must be reachable); options: JSON
 *                                       of the fetch window's settings (concurrency, initialConcurrency, adaptiveConcurrency)
 *   parse-only <home> <url>             list and fetch every update, parse in this thread, store nothing
 */
import crypto from 'node:crypto';
import { type FetchStats, UpstreamClient } from '../src/protocol/client.js';
import { Home } from '../src/store/home.js';
import { serveLocalParent } from '../src/server/local-parent.js';
import { syncSite } from '../src/sync/engine.js';
import { type Measurement, measured, printMeasurement } from './bench-measurement.js';

async function main(): Promise<Measurement> {
  const [scenario, homeDir, ...rest] = process.argv.slice(2);
  const started = performance.now();
  if (scenario === 'sync') {
    let fetch: FetchStats | undefined;
    const window = rest[1] ? (JSON.parse(rest[1]) as { concurrency?: number; initialConcurrency?: number; adaptiveConcurrency?: boolean }) : {};
    const [result] = await syncSite(new Home(homeDir!), rest[0]!, { trigger: 'manual', serveLocalParent, ...window, onFetchStats: (stats) => (fetch = stats) });
    if (result!.state === 'Failed') throw result!.error;
    return { ...measured(started, result!.counts.new + result!.counts.revised, fetch?.bytes ?? 0), ...(fetch ? { fetch } : {}) };
  }
  if (scenario === 'parse-only') {
    const client = new UpstreamClient({ baseUrl: rest[0]!, accountName: 'bench.test', accountGuid: crypto.randomUUID(), concurrency: 4 });
    // One unfiltered list holds every update: the same revisions, and the same bytes, the sync fetches.
    const ids = (await client.getRevisionIdList({ getConfig: false })).newRevisions;
    const size = (await client.config()).maxNumberOfUpdatesPerRequest;
    // The limit the sync is held to: the same batches, parsed in this thread with nothing else to
    // do (no parse worker, no deflate, no copies between threads). Four requests in flight: reading
    // in one thread, it took the same time with 16 (README, "The request window on loopback").
    let parsed = 0;
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const batch = ids.slice(next, (next += size));
        const { updates } = await client.getUpdateData(batch);
        parsed += updates.length;
      }
    };
    await Promise.all(Array.from({ length: 4 }, lane));
    return measured(started, parsed, client.bytesReceived);
  }
  throw new Error(`unknown scenario ${scenario}`);
}

printMeasurement(main);
