/**
 * What a client measured of its link to one upstream, and what follows from it: whether to ask
 * for gzipped answers (Accept-Encoding).
 *
 * Gzip trades CPU for bytes. At level 1 update data shrinks ~2.6x (a revision list 5x), and
 * compressing it costs the upstream one core's ~40 MB/s on the development machine, inflating
 * ~190 MB/s. It pays where the link is slower than that: across a WAN (the benchmark's 20 Mbit/s
 * link carries the 20,000-update full sync's answers in 9.6 s gzipped, 25 s plain). On loopback or
 * a LAN the CPU is the limit, shared by both ends on one machine, and gzip only slows the sync.
 *
 * The measure is the round-trip time, not the bandwidth: the time to the first byte of a small
 * answer is the link's RTT plus a little server time, so the least of them converges on the RTT
 * within the handshake, before any large answer is asked for. A bandwidth sample, by contrast, is
 * distorted by this process's own work (a busy event loop reads a socket late, so answers that
 * queued while it stored a batch seem to arrive at once, and answers read during the store seem
 * slow). A path with an RTT of 10 ms or more crosses a WAN, whose bandwidth is what a sync waits
 * for; below it the upstream is on this machine or its LAN.
 */

/** A path at least this many milliseconds round trip is a WAN: answers are asked gzipped. */
export const wanRoundTripMs = 10;

export class LinkEstimate {
  #minRoundTripMs: number | undefined;
  /** What the last sync measured to this upstream, counted as a sample until `forgetLast`. */
  #lastRoundTripMs: number | undefined;

  /**
   * `lastRoundTripMs`: the least round trip the last sync to this upstream measured. A sync that
   * keeps its cookie skips the handshake, whose small answers measure the link cleanly; its first
   * answers (the configuration and the lists, asked at once) carry the upstream's time to read
   * them, tens of milliseconds under load, enough to take loopback for a WAN. So the last measure
   * counts as a sample; a handshake (`forgetLast`) measures afresh, so a path that changed counts
   * from the next handshake on.
   */
  constructor(lastRoundTripMs?: number) {
    if (lastRoundTripMs !== undefined && Number.isFinite(lastRoundTripMs) && lastRoundTripMs >= 0) this.#lastRoundTripMs = lastRoundTripMs;
  }

  /** A handshake begins: its own answers measure the link, not what the last sync measured. */
  forgetLast(): void {
    this.#lastRoundTripMs = undefined;
  }

  /**
   * Takes the time from a request's last byte sent to its answer's first byte. Every answer
   * counts: a large one only adds server time, and a busy event loop that reads an answer late
   * lengthens one sample, but the least of them is still the link's.
   */
  record(firstByteMs: number): void {
    if (!Number.isFinite(firstByteMs) || firstByteMs < 0) return;
    this.#minRoundTripMs = Math.min(this.#minRoundTripMs ?? Infinity, firstByteMs);
  }

  /** The least time to a first byte seen (or kept from the last sync), if any. */
  get roundTripMs(): number | undefined {
    if (this.#lastRoundTripMs === undefined) return this.#minRoundTripMs;
    return Math.min(this.#minRoundTripMs ?? Infinity, this.#lastRoundTripMs);
  }

  /** True across a WAN (least round trip 10 ms or more), false on loopback or a LAN, undefined before any measure. */
  get crossesWan(): boolean | undefined {
    const roundTripMs = this.roundTripMs;
    return roundTripMs === undefined ? undefined : roundTripMs >= wanRoundTripMs;
  }

  /**
   * Whether to ask for gzipped answers: until something is measured, yes (what any HTTP client
   * asks, and the handshake's answers are too small to be gzipped anyway); then only across a WAN.
   */
  get acceptsGzip(): boolean {
    return this.crossesWan !== false;
  }
}
