/**
 * The WAN shaper of bench-wan.ts in a thread of its own. In the benchmark's main thread it would
 * share an event loop with the upstream's SUP endpoint, whose encoding of a GetUpdateData answer
 * holds that loop for tens of milliseconds: the shaper's deliveries would wait behind it and the
 * modelled link would idle where a real one keeps sending. Its own thread keeps its clock.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type ShapedRequest, type WanCounters, type WanProfile, WanShaper } from '../src/dev/wan-shaper.js';

/** What the shaper saw since its last reset. */
export interface ShaperSnapshot {
  counters: WanCounters;
  requests: ShapedRequest[];
  utilization: number[];
  lastDownMs: number;
}

type Command = 'reset' | 'read' | 'close';

export class ShaperThread {
  readonly #worker: Worker;
  readonly url: string;

  private constructor(worker: Worker, url: string) {
    this.#worker = worker;
    this.url = url;
  }

  static async start(upstream: { host: string; port: number }, profile: WanProfile): Promise<ShaperThread> {
    const worker = new Worker(new URL(import.meta.url), { workerData: { upstream, profile } });
    const url = await new Promise<string>((resolve, reject) => {
      worker.once('message', (message: { url: string }) => resolve(message.url));
      worker.once('error', reject);
    });
    return new ShaperThread(worker, url);
  }

  #ask<T>(command: Command): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#worker.once('message', resolve);
      this.#worker.once('error', reject);
      this.#worker.postMessage(command);
    });
  }

  reset(): Promise<void> {
    return this.#ask('reset');
  }

  read(): Promise<ShaperSnapshot> {
    return this.#ask('read');
  }

  async close(): Promise<void> {
    await this.#ask('close');
    await this.#worker.terminate();
  }
}

if (!isMainThread) {
  const { upstream, profile } = workerData as { upstream: { host: string; port: number }; profile: WanProfile };
  const shaper = await new WanShaper(upstream, profile).listen();
  parentPort!.on('message', (command: Command) => {
    if (command === 'reset') {
      shaper.resetCounters();
      parentPort!.postMessage(undefined);
    } else if (command === 'read') {
      const snapshot: ShaperSnapshot = { counters: { ...shaper.counters }, requests: shaper.requests, utilization: shaper.downUtilization(), lastDownMs: shaper.lastDownMs };
      parentPort!.postMessage(snapshot);
    } else void shaper.close().then(() => parentPort!.postMessage(undefined));
  });
  parentPort!.postMessage({ url: shaper.url });
}
