/**
 * Update metadata in the site database's `deflate` form: raw-deflated UTF-8 XML (the `cabinet`
 * form is read by protocol/stored-xml.ts, beside the cabinet reader).
 */
import zlib from 'node:zlib';
import type { StoredXml } from './update.js';

/** Level 1: metadata XML compresses about 5:1 even so, and a full sync deflates gigabytes of it. */
export function compressMetadata(xml: string): StoredXml {
  return compressMetadataBytes(Buffer.from(xml, 'utf8'));
}

/**
 * The same for XML already encoded as UTF-8. zlib's output is a slice of its output chunk, which
 * the stored bytes keep alive until they are stored; a chunk of half the document (not zlib's
 * 16 KB) holds the deflated XML, about a fifth of it, in one allocation, so a sync's main thread
 * does not churn through 16 KB of external memory an update. The bytes are the same either way.
 */
export function compressMetadataBytes(utf8: Uint8Array): StoredXml {
  return { format: 'deflate', bytes: zlib.deflateRawSync(utf8, { level: 1, chunkSize: Math.max(1024, utf8.length >>> 1) }), size: utf8.length };
}

export function decompressMetadata(blob: Buffer): string {
  return zlib.inflateRawSync(blob).toString('utf8');
}
