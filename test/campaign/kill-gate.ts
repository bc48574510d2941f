/**
 * The kill loop's gate: a reverse proxy in front of the upstream's `serve` process that names every
 * request passing through it (operation, phase, ordinal) and, once armed with a kill point, holds
 * the request that matches it and every request after it. The loop then kills the sync while the
 * request is held, right after its answer was sent, or once its batch is committed — chosen by
 * progress, never by the clock, so a busy machine changes nothing. Its target can be changed (the
 * upstream server killed and started again on another port) while its own URL stays the site's
 * upstream URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest } from '../helpers/hierarchy.js';

export type Phase = 'start' | 'categories' | 'lists' | 'updates';

export interface Passage {
  operation: string;
  phase: Phase;
  /** 1-based, per phase, counted since the gate was last reset. */
  ordinal: number;
  /** GetUpdateData: the revisions asked for. */
  revisions: { updateId: string; revision: number }[];
}

export interface HeldRequest {
  passage: Passage;
  /** Forwards the held request; resolves once its answer was sent (or the client is gone). */
  pass(): Promise<void>;
}

interface Waiting {
  passage: Passage;
  go(): Promise<void>;
  gone: boolean;
}

export class KillGate {
  target = '';
  /** Every passage since the last reset, in arrival order. */
  readonly passages: Passage[] = [];
  #server: http.Server | undefined;
  #url = '';
  #ordinals = new Map<Phase, number>();
  #trigger: ((p: Passage) => boolean) | undefined;
  #onTrigger: ((held: HeldRequest) => void) | undefined;
  #holding = false;
  #held: Waiting[] = [];

  constructor(readonly categoryIds: ReadonlySet<string>) {}

  get url(): string {
    return this.#url;
  }

  async listen(): Promise<void> {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#arrived(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Resolves with the first request matching `trigger`; it and every later request are held until `release` or `reset`. */
  arm(trigger: (p: Passage) => boolean): Promise<HeldRequest> {
    return new Promise((resolve) => {
      this.#trigger = trigger;
      this.#onTrigger = resolve;
    });
  }

  /** Forwards every held request to the current target and stops holding (the server came back). */
  release(): void {
    this.#holding = false;
    this.#trigger = undefined;
    for (const waiting of this.#held.splice(0)) if (!waiting.gone) void waiting.go();
  }

  /** After a kill: held requests of the dead client are dropped, counting starts again. */
  reset(): void {
    this.#holding = false;
    this.#trigger = undefined;
    this.#onTrigger = undefined;
    this.#held = [];
    this.#ordinals.clear();
    this.passages.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }

  #classify(operation: string, body: string): Passage {
    const ids = [...body.matchAll(/UpdateID>([0-9a-fA-F-]{36})</g)].map((m) => m[1]!.toLowerCase());
    const numbers = [...body.matchAll(/RevisionNumber>(\d+)</g)].map((m) => Number(m[1]));
    const revisions = operation === 'GetUpdateData' ? ids.map((updateId, i) => ({ updateId, revision: numbers[i] ?? 0 })) : [];
    let phase: Phase = 'start';
    if (operation === 'GetRevisionIdList') phase = /GetConfig>true</.test(body) ? 'categories' : 'lists';
    if (operation === 'GetUpdateData') phase = revisions.every((r) => this.categoryIds.has(r.updateId)) ? 'categories' : 'updates';
    const ordinal = (this.#ordinals.get(phase) ?? 0) + 1;
    this.#ordinals.set(phase, ordinal);
    return { operation, phase, ordinal, revisions };
  }

  #arrived(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const operation = String(req.headers.soapaction ?? '').replace(/^"|"$/g, '').split('/').pop() ?? '';
    const passage = this.#classify(operation, body.toString('utf8'));
    this.passages.push(passage);
    const waiting: Waiting = { passage, go: () => this.#forward(req, res, body), gone: false };
    if (!this.#holding && this.#trigger?.(passage)) {
      this.#holding = true;
      const onTrigger = this.#onTrigger!;
      this.#trigger = undefined;
      res.once('close', () => (waiting.gone = true));
      onTrigger({ passage, pass: () => waiting.go() });
      return;
    }
    if (this.#holding) {
      res.once('close', () => (waiting.gone = true));
      this.#held.push(waiting);
      return;
    }
    void waiting.go();
  }

  #forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    return forwardRequest(this.target, req, res, body);
  }
}
