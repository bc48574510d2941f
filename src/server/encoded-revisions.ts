import { LRUCache } from 'lru-cache';

/**
 * GetUpdateData entries already encoded, by revision: each the exact UTF-8 text of the update's
 * `<ServerSyncUpdateData>` in an answer, with its files' `<ServerSyncUrlData>`. Children syncing
 * from one parent ask for the same revisions within minutes of each other; encoding one (inflating
 * the stored XML, the cabinet's deflate, base64, escaping, UTF-8) was ~80% of the parent's CPU when
 * 10 children synced at once (cpu profile of `serve`), and building the answer from the kept
 * entries (escaping a blob again, joining, UTF-8) most of what was left. An answer is now its
 * entries' bytes put together. Bounded by size, least recently used out first.
 *
 * An entry is served only while the site still holds what it was encoded from: entries are stamped
 * with the database's data version they were last known current at (`store.served.dataVersion`,
 * which moves with every commit, this connection's or another's, a sync's or an expiry's); once it
 * moved, an entry is checked against its revision's change sequence and expiry on its next use,
 * and encoded again when either differs.
 */
export interface EncodedRevision {
  /** The update's `<ServerSyncUpdateData>` as the answer carries it, UTF-8. */
  entry: Buffer;
  /** `<ServerSyncUrlData>` of its files that have a URL, by digest. */
  urls: [digest: string, entry: string][];
  /** What the entry was encoded from. */
  changeSeq: number;
  expired: boolean;
}

export interface EncodedCacheFigures {
  entries: number;
  /** What the entries hold (entry bytes, URL text at two bytes a character, a fixed overhead each). */
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  /** Entries found stale (the revision rewritten or expired since) and dropped. */
  stale: number;
}

interface Held {
  encoded: EncodedRevision;
  /** The data version at which this entry was last known to match the site database. */
  version: string;
}

/*
 * Both caches sit on lru-cache: it evicts in constant time. A Map kept in insertion order and
 * evicted from its first entry cost ~16–26 µs a store once full (V8 leaves a deleted entry's slot
 * behind until the table is rebuilt, and every eviction walked past them): 2–3 CPU-s of the
 * upstream's 100,000-update serve.
 */
export class EncodedRevisionCache {
  readonly #entries: LRUCache<string, Held>;
  #hits = 0;
  #misses = 0;
  #stale = 0;

  constructor(readonly maxBytes: number) {
    // lru-cache wants a positive bound; an endpoint that keeps nothing (0) refuses every entry in set().
    this.#entries = new LRUCache({ maxSize: Math.max(1, maxBytes) });
  }

  /**
   * The entry for `key` if it is still what the site holds: taken as is when stamped with
   * `version`, else checked against `current()` (the revision's change sequence and expiry now;
   * undefined when it is no longer held) and stamped again.
   */
  get(key: string, version: string, current: () => { changeSeq: number; expired: boolean } | undefined): EncodedRevision | undefined {
    const held = this.#entries.get(key);
    if (!held) {
      this.#misses++;
      return undefined;
    }
    if (held.version !== version) {
      const now = current();
      if (!now || now.changeSeq !== held.encoded.changeSeq || now.expired !== held.encoded.expired) {
        this.#entries.delete(key);
        this.#stale++;
        this.#misses++;
        return undefined;
      }
      held.version = version;
    }
    this.#hits++;
    return held.encoded;
  }

  /** Keeps `encoded`, read from the site database at data version `version` or later. */
  set(key: string, encoded: EncodedRevision, version: string): void {
    const bytes = encoded.entry.length + encoded.urls.reduce((n, [digest, url]) => n + 2 * (digest.length + url.length), 0) + 200;
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { encoded, version }, { size: bytes });
  }

  get figures(): EncodedCacheFigures {
    return { entries: this.#entries.size, bytes: this.#entries.calculatedSize, maxBytes: this.maxBytes, hits: this.#hits, misses: this.#misses, stale: this.#stale };
  }
}

/**
 * Whole answers kept by what they answer, bounded by size (`sizeOf` each, plus the key), least
 * recently used out first. The endpoint keeps two: GetUpdateData answers gzipped, by data version
 * and the revisions asked in order (a downstream that asks for gzip, across a WAN, fetches in
 * batches of the endpoint's full size from the start, so children syncing the same list together
 * ask for the same batches; gzip is not put together from per-entry deflate segments because
 * deflating each entry alone loses what entries share, ~37% more bytes on the bench corpus, and
 * across a WAN the bytes are the limit); and revision lists' pages, by data version and filter
 * (every child of a site asks for the same list). The data version in the key makes what was kept
 * before a commit unreachable; it ages out.
 */
export class KeptAnswers<V extends object> {
  readonly #answers: LRUCache<string, V>;
  #hits = 0;
  #misses = 0;

  constructor(
    readonly maxBytes: number,
    readonly sizeOf: (value: V) => number,
  ) {
    this.#answers = new LRUCache({ maxSize: Math.max(1, maxBytes) });
  }

  get(key: string): V | undefined {
    const value = this.#answers.get(key);
    if (value === undefined) this.#misses++;
    else this.#hits++;
    return value;
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value) + 2 * key.length;
    if (bytes > this.maxBytes) return;
    this.#answers.set(key, value, { size: bytes });
  }

  get figures(): { answers: number; bytes: number; maxBytes: number; hits: number; misses: number } {
    return { answers: this.#answers.size, bytes: this.#answers.calculatedSize, maxBytes: this.maxBytes, hits: this.#hits, misses: this.#misses };
  }
}
