/**
 * The parse worker of a client's fetches. Reading GetUpdateData answers (envelope, cabinets, update
 * XML) costs more than storing what they carry, so in a worker the two overlap on two cores.
 * The worker's heap is bounded, which also makes V8 collect it eagerly rather than let it grow.
 */
import { Worker } from 'node:worker_threads';
import { UpstreamError, receiveError } from '../errors.js';
import type { ParseAnswer, ParseRequest } from './parse-worker.js';
import { type StorableUpdateData, unpackUpdateData } from './update-data.js';

/** A batch of a hundred updates needs a few MB; a bound under 1 GB also keeps V8's heap growth modest. */
const workerHeapMb = 512;
/** How long a close waits for the worker to stop. */
const workerStopMs = 5000;

export class UpdateDataParser {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (batch: StorableUpdateData) => void; reject: (error: Error) => void }>();
  #nextId = 0;
  #failure: Error | undefined;

  constructor() {
    this.#worker = startWorker();
    // Idle, the worker does not keep the process alive (a client left unclosed must not hang it).
    this.#worker.unref();
    this.#worker.on('message', (answer: ParseAnswer) => {
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if ('error' in answer) pending?.reject(receiveError(answer.error));
      else pending?.resolve(unpackUpdateData(answer));
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`it exited with code ${code}`)));
  }

  /** Parses an answer's bytes; they are handed to the worker, so the caller must not use them after. */
  parse(body: Buffer, languages?: readonly string[]): Promise<StorableUpdateData> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      // A buffer that owns its memory moves to the worker; a pooled slice is copied.
      const owns = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
      this.#worker.postMessage({ id, body, ...(languages ? { languages } : {}) } satisfies ParseRequest, owns ? [body.buffer as ArrayBuffer] : []);
    });
  }

  /** True once the worker stopped (crashed, ran out of memory, or closed): start another. */
  get stopped(): boolean {
    return this.#failure !== undefined;
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('closed');
    // An idle worker does not hold the event loop while it stops: a process with nothing else to do
    // (a stopping service whose sync was aborted) ended inside terminate(), before the code after
    // the close (the service's last records) ran. The timer holds the loop and bounds the wait.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.#worker.terminate(), new Promise((resolve) => (bound = setTimeout(resolve, workerStopMs)))]);
    clearTimeout(bound);
  }

  #fail(cause: Error): void {
    if (this.#failure) return;
    this.#failure = new UpstreamError('ParseWorkerFailed', `The update parse worker stopped: ${cause.message}`, { category: 'LimitsExceeded', cause });
    for (const { reject } of this.#pending.values()) reject(this.#failure);
    this.#pending.clear();
  }
}

function startWorker(): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: workerHeapMb } };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', import.meta.url), options);
  // Run from TypeScript source (the tests, under tsx): a worker does not inherit tsx's loader on
  // Node 20, so the worker registers it before importing its entry.
  const entry = new URL('./parse-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { ...options, eval: true });
}
