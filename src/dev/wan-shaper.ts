/**
 * A WAN on loopback, for the benchmarks and tests (development tool, not product): a TCP proxy on
 * 127.0.0.1 (ephemeral port) in front of an upstream that adds a round-trip time and a bandwidth cap.
 *
 * - Each direction delays every chunk by RTT/2, in order, so a request and its answer cost one RTT.
 * - A new connection costs one more RTT: nothing the client sends reaches the upstream before the
 *   connection is an RTT old (the SYN / SYN-ACK exchange a real connect waits for).
 * - Each direction has one token bucket shared by all connections (one link, not one per socket):
 *   a chunk leaves when the bucket holds its bytes, in arrival order across connections.
 *
 * The proxy counts bytes per direction and connections, which the benchmarks take as the wire
 * figures (the upstream's gzip included). A connection's queue above `highWaterBytes` pauses its
 * source, so a fast sender is held back as TCP's window would.
 */
import net from 'node:net';

export interface WanProfile {
  /** Round-trip time added, in milliseconds. */
  rttMs: number;
  /** Bandwidth cap per direction, in bits per second. */
  bitsPerSecond: number;
  /** Bytes the bucket may send at once after an idle spell (default 16 KiB). */
  burstBytes?: number;
}

export interface WanCounters {
  /** Bytes carried client → upstream and upstream → client. */
  bytesUp: number;
  bytesDown: number;
  connections: number;
}

/** One direction's link: a token bucket that may run into debt, so departures stay in arrival order. */
class Link {
  readonly #bytesPerMs: number;
  readonly #burst: number;
  #tokens: number;
  #at = performance.now();
  /** When the link has sent everything it was given, and its busy milliseconds per second since `#since`. */
  #freeAt = 0;
  #since = performance.now();
  #busy: number[] = [];

  constructor(bitsPerSecond: number, burstBytes: number) {
    this.#bytesPerMs = bitsPerSecond / 8 / 1000;
    this.#burst = burstBytes;
    this.#tokens = burstBytes;
  }

  /** When a chunk of `bytes` arriving now leaves the link (ms, performance.now() clock). */
  depart(bytes: number): number {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#bytesPerMs) - bytes;
    this.#at = now;
    this.#recordBusy(bytes);
    return this.#tokens >= 0 ? now : now - this.#tokens / this.#bytesPerMs;
  }

  /** Starts a new timeline of busy time at now. */
  resetTimeline(): void {
    this.#since = performance.now();
    this.#freeAt = this.#since;
    this.#busy = [];
  }

  /** The share of each second since the timeline's start that the link spent sending (0–1). */
  utilization(): number[] {
    return this.#busy.map((ms) => Math.min(1, ms / 1000));
  }

  // The link sends at its rate from when it is free: a chunk occupies [start, start + bytes/rate].
  #recordBusy(bytes: number): void {
    let start = Math.max(performance.now(), this.#freeAt) - this.#since;
    const end = start + bytes / this.#bytesPerMs;
    this.#freeAt = end + this.#since;
    while (start < end) {
      const second = Math.floor(start / 1000);
      const until = Math.min(end, (second + 1) * 1000);
      this.#busy[second] = (this.#busy[second] ?? 0) + (until - start);
      start = until;
    }
    for (let i = 0; i < this.#busy.length; i++) this.#busy[i] ??= 0;
  }
}

/** One direction of one connection: chunks in order, each delivered at its time. */
class Pipe {
  readonly #queue: { at: number; chunk: Buffer | null }[] = [];
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly source: net.Socket,
    readonly target: net.Socket,
    readonly link: Link,
    readonly oneWayMs: number,
    /** No delivery before this time (the connection's handshake). */
    readonly notBefore: number,
    readonly highWater: number,
    readonly onChunk: (chunk: Buffer) => void,
    readonly onDelivered: () => void = () => {},
  ) {
    source.on('data', (chunk: Buffer) => {
      this.onChunk(chunk);
      this.#push(Math.max(this.link.depart(chunk.length), this.notBefore) + this.oneWayMs, chunk);
      this.#queued += chunk.length;
      if (this.#queued > this.highWater) source.pause();
    });
    source.on('end', () => this.#push(Math.max(performance.now(), this.notBefore) + this.oneWayMs, null));
  }

  #push(at: number, chunk: Buffer | null): void {
    // A later chunk never overtakes an earlier one (the end marker's time may be computed earlier).
    const last = this.#queue.at(-1);
    this.#queue.push({ at: Math.max(at, last?.at ?? 0), chunk });
    if (this.#queue.length === 1) this.#schedule();
  }

  #schedule(): void {
    const head = this.#queue[0];
    if (!head) return;
    this.#timer = setTimeout(() => this.#deliver(), Math.max(0, head.at - performance.now()));
  }

  #deliver(): void {
    this.#timer = undefined;
    const now = performance.now();
    while (this.#queue.length > 0 && this.#queue[0]!.at <= now + 0.5) {
      const { chunk } = this.#queue.shift()!;
      if (chunk === null) {
        this.target.end();
        continue;
      }
      this.#queued -= chunk.length;
      if (!this.target.destroyed) this.target.write(chunk);
      this.onDelivered();
    }
    if (this.#queued <= this.highWater && this.source.isPaused()) this.source.resume();
    this.#schedule();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#queue.length = 0;
  }
}

/** A SOAP request the shaper carried upstream: when it left the client (ms since the last reset) and its action's name. */
export interface ShapedRequest {
  atMs: number;
  action: string;
}

export class WanShaper {
  readonly counters: WanCounters = { bytesUp: 0, bytesDown: 0, connections: 0 };
  /** The SOAP requests carried since the last reset, in order (what the benchmarks print as a timeline). */
  readonly requests: ShapedRequest[] = [];
  /** When the last byte towards the client was delivered, ms since the last reset. */
  lastDownMs = 0;
  #since = performance.now();
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #profile: Required<WanProfile>;
  readonly #up: Link;
  readonly #down: Link;
  #port = 0;

  constructor(
    readonly upstream: { host: string; port: number },
    profile: WanProfile,
    readonly highWaterBytes = 4 * 1024 * 1024,
  ) {
    this.#profile = { burstBytes: 16 * 1024, ...profile };
    this.#up = new Link(this.#profile.bitsPerSecond, this.#profile.burstBytes);
    this.#down = new Link(this.#profile.bitsPerSecond, this.#profile.burstBytes);
    this.#server = net.createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
  }

  get profile(): Required<WanProfile> {
    return this.#profile;
  }

  /** The proxy's base URL (http://127.0.0.1:port). */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  /** Sets the counters back to zero and starts a new timeline (between two measured runs). */
  resetCounters(): void {
    Object.assign(this.counters, { bytesUp: 0, bytesDown: 0, connections: 0 });
    this.requests.length = 0;
    this.lastDownMs = 0;
    this.#since = performance.now();
    this.#down.resetTimeline();
    this.#up.resetTimeline();
  }

  /** The share of each second since the last reset that the downstream link (upstream → client) was busy. */
  downUtilization(): number[] {
    return this.#down.utilization();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    this.counters.connections++;
    const oneWay = this.#profile.rttMs / 2;
    const handshakeDone = performance.now() + this.#profile.rttMs;
    const upstream = net.connect({ port: this.upstream.port, host: this.upstream.host, allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    }
    const pipes = [
      new Pipe(client, upstream, this.#up, oneWay, handshakeDone, this.highWaterBytes, (chunk) => {
        this.counters.bytesUp += chunk.length;
        const action = /soapaction:\s*"?([^"\r\n]*)/i.exec(chunk.toString('latin1', 0, Math.min(chunk.length, 2048)))?.[1];
        if (action !== undefined) this.requests.push({ atMs: performance.now() - this.#since, action: action.split('/').pop()! });
      }),
      new Pipe(upstream, client, this.#down, oneWay, 0, this.highWaterBytes, (chunk) => (this.counters.bytesDown += chunk.length), () => (this.lastDownMs = performance.now() - this.#since)),
    ];
    // An orderly end travels through its pipe, delayed like data; an error on either side resets both.
    const teardown = () => {
      for (const pipe of pipes) pipe.stop();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
  }
}
