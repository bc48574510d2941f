/**
 * How many requests a fetch keeps in flight, adapted to what it measures, like a TCP congestion
 * window: it starts at half its bound, doubles each round while throughput rises by a clear margin
 * (slow start), then grows by one only while it still rises, never past a bound the upstream can
 * bear; a sign of an overloaded upstream (ServerBusy, 5xx, a timeout) halves it — once per
 * overload, not once per answer of the same wave — and holds every new request back for the
 * back-off delay.
 *
 * A round is as many completions as the window allowed when it began; its throughput is the bytes
 * those requests brought over its duration. Across a WAN it grows until the bandwidth-delay product
 * is covered. On loopback or a LAN, where the CPU and not the link is the limit, throughput stops
 * rising within a round's noise, so a window started at 2 stayed at 4–8 in most syncs; yet the
 * requests queued beyond that keep the upstream busy while the sync's storing thread commits, and
 * a 100,000-update sync took 4–23% less time with 16 in flight than with the 6–7 it grew to
 * (README, "The request window on loopback"). Half the bound is where it starts on every link.
 */
import { UpstreamError } from '../errors.js';

export interface WindowOptions {
  /** Requests in flight at first (default half the bound, rounded up). */
  initial?: number;
  /** The bound: never more in flight than this (default 16). */
  max?: number;
  /** False: a fixed window of `max` requests (no growth, no halving). */
  adaptive?: boolean;
  /** A new round must beat the best throughput by this factor for the window to grow (default 1.15). */
  growthMargin?: number;
}

export interface WindowStats {
  /** The window now. */
  size: number;
  /** The most requests that were in flight at once. */
  maxInFlight: number;
  /** Times the window was halved. */
  reductions: number;
  /** Requests completed (any outcome). */
  requests: number;
  /** Each size the window took, in order, starting with the first. */
  sizes: number[];
}

const defaults = { max: 16, growthMargin: 1.15 };

export class RequestWindow {
  readonly max: number;
  readonly adaptive: boolean;
  readonly #margin: number;
  #size: number;
  #inFlight = 0;
  #maxInFlight = 0;
  #reductions = 0;
  #requests = 0;
  readonly #sizes: number[];
  #slowStart = true;
  #bestRate = 0;
  #round: { started: number; target: number; completions: number; bytes: number } | undefined;
  #lastReduction = -Infinity;
  #resumeAt = 0;
  readonly #waiting: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: WindowOptions = {}) {
    this.max = Math.max(1, Math.floor(options.max ?? defaults.max));
    this.adaptive = options.adaptive ?? true;
    this.#margin = options.growthMargin ?? defaults.growthMargin;
    this.#size = this.adaptive ? Math.min(this.max, Math.max(1, Math.floor(options.initial ?? Math.ceil(this.max / 2)))) : this.max;
    this.#sizes = [this.#size];
  }

  get size(): number {
    return this.#size;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  stats(): WindowStats {
    return { size: this.#size, maxInFlight: this.#maxInFlight, reductions: this.#reductions, requests: this.#requests, sizes: [...this.#sizes] };
  }

  /**
   * Starts the window at `size` (within the bound) instead of its initial size, if no request has
   * completed yet: for a path known to cross a WAN before the first fetch, where each doubling
   * from a small start costs a round trip.
   */
  startAt(size: number): void {
    if (this.adaptive && this.#requests === 0 && this.#inFlight === 0) this.#resize(Math.max(this.#size, size));
  }

  /**
   * Waits for a free place in the window (and the end of a back-off), then takes it. Returns the
   * time the request starts, which `complete` and `overloaded` take back.
   */
  async acquire(signal?: AbortSignal): Promise<number> {
    for (;;) {
      if (signal?.aborted) throw new UpstreamError('Aborted', 'Cancelled');
      const now = performance.now();
      if (this.#inFlight < this.#size && now >= this.#resumeAt) break;
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        if (now < this.#resumeAt) this.#wakeAt(this.#resumeAt);
      });
    }
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    const started = performance.now();
    this.#round ??= { started, target: this.#size, completions: 0, bytes: 0 };
    return started;
  }

  /**
   * A request came back with its answer of `bytes`. `comparable` false: the requests still change
   * in size (a fetch's first batches grow), so their throughput says nothing about the window.
   */
  complete(bytes: number, comparable = true): void {
    this.#release();
    const round = this.#round;
    if (!comparable) this.#round = undefined;
    if (!round || !comparable || !this.adaptive) return;
    round.completions++;
    round.bytes += bytes;
    if (round.completions < round.target) return;
    this.#round = undefined;
    const rate = round.bytes / Math.max(1, performance.now() - round.started);
    if (rate > this.#bestRate * this.#margin) {
      this.#bestRate = rate;
      this.#resize(this.#slowStart ? this.#size * 2 : this.#size + 1);
    } else {
      // More in flight did not bring more: the link or the CPU is the limit, so stop growing.
      this.#slowStart = false;
      this.#bestRate = Math.max(this.#bestRate, rate);
    }
  }

  /**
   * The upstream answered a request that started at `started` with a sign of overload: halve the
   * window (unless it was already halved after that request started, i.e. for the same wave) and
   * start no request for `backoffMs`. True when this call halved the window.
   */
  overloaded(started: number, backoffMs: number): boolean {
    this.#release();
    const now = performance.now();
    this.#resumeAt = Math.max(this.#resumeAt, now + backoffMs);
    if (!this.adaptive || started < this.#lastReduction) return false;
    this.#lastReduction = now;
    this.#reductions++;
    this.#slowStart = false;
    // Throughput measured before the overload is no yardstick for what follows.
    this.#bestRate = 0;
    this.#round = undefined;
    this.#resize(Math.floor(this.#size / 2));
    return true;
  }

  /** A request that ended otherwise (failed for good, or abandoned). */
  abandon(): void {
    this.#release();
  }

  #resize(size: number): void {
    const next = Math.min(this.max, Math.max(1, size));
    if (next === this.#size) return;
    this.#size = next;
    this.#sizes.push(next);
  }

  #release(): void {
    this.#inFlight--;
    this.#requests++;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #wakeAt(at: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      for (const wake of this.#waiting.splice(0)) wake();
    }, Math.max(0, at - performance.now()));
  }
}
