/**
 * A revision's XML from the form the site database keeps it in (`StoredXml` in model/update.ts):
 * what the SUP endpoint, the export, the catalog stand-in and the tests read. The store hands out
 * the bytes and their format; reading a cabinet needs the cabinet reader, which lives here.
 */
import { decompressMetadata } from '../model/deflated-xml.js';
import type { StoredXml } from '../model/update.js';
import { cabinetXml } from './cab/index.js';

export function storedXmlText(stored: Pick<StoredXml, 'format' | 'bytes'>, target: string): string {
  return stored.format === 'cabinet' ? cabinetXml(stored.bytes, target) : decompressMetadata(stored.bytes);
}
