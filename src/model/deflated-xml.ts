/**
 * Update metadata as it is kept and carried between the parse worker, the site database and
 * packages: raw-deflated UTF-8 XML.
 */
import zlib from 'node:zlib';
import type { DeflatedXml } from './update.js';

/** Level 1: metadata XML compresses about 5:1 even so, and a full sync deflates gigabytes of it. */
export function compressMetadata(xml: string): DeflatedXml {
  return compressMetadataBytes(Buffer.from(xml, 'utf8'));
}

/** The same for XML already encoded as UTF-8. */
export function compressMetadataBytes(utf8: Uint8Array): DeflatedXml {
  return { bytes: zlib.deflateRawSync(utf8, { level: 1 }), size: utf8.length };
}

export function decompressMetadata(blob: Buffer): string {
  return zlib.inflateRawSync(blob).toString('utf8');
}
