/**
 * GetUpdateData entries already encoded, by revision. Children syncing from one parent ask for the
 * same revisions within minutes of each other, and encoding one (inflating the stored XML, the
 * cabinet's deflate, base64, the lone-surrogate check) was ~80% of the parent's CPU when 10
 * children synced at once (cpu profile of `serve`). Bounded by size, least recently used out first.
 */
export interface EncodedRevision {
  fileDigests: string[];
  fileUrls: [digest: string, url: string][];
  blob: { xmlUpdateBlob: string } | { xmlUpdateBlobCompressed: string };
}

export class EncodedRevisionCache {
  readonly #entries = new Map<string, { entry: EncodedRevision; bytes: number }>();
  #bytes = 0;

  /** `maxBytes`: the budget, counting two bytes a character (the most a JS string takes). */
  constructor(readonly maxBytes: number) {}

  get(key: string): EncodedRevision | undefined {
    const held = this.#entries.get(key);
    if (!held) return undefined;
    // A Map iterates in insertion order: re-inserting makes this the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, held);
    return held.entry;
  }

  set(key: string, entry: EncodedRevision): void {
    const blob = 'xmlUpdateBlob' in entry.blob ? entry.blob.xmlUpdateBlob : entry.blob.xmlUpdateBlobCompressed;
    const bytes = 2 * (blob.length + entry.fileDigests.length * 28 + entry.fileUrls.reduce((n, [, url]) => n + url.length, 0)) + 200;
    if (bytes > this.maxBytes) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    this.#entries.set(key, { entry, bytes });
    this.#bytes += bytes;
    for (const [oldest, held] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= held.bytes;
    }
  }
}
