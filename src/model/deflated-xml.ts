/**
 * Update metadata as it is kept and carried between the parse worker, the site database and
 * packages: raw-deflated UTF-8 XML.
 */
import zlib from 'node:zlib';
import type { DeflatedXml } from './update.js';

/** Level 1: metadata XML compresses about 5:1 even so, and a full sync deflates gigabytes of it. */
export function compressMetadata(xml: string): DeflatedXml {
  const text = Buffer.from(xml, 'utf8');
  return { bytes: zlib.deflateRawSync(text, { level: 1 }), size: text.length };
}

export function decompressMetadata(blob: Buffer): string {
  return zlib.inflateRawSync(blob).toString('utf8');
}
