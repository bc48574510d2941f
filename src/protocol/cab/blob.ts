/**
 * The [MS-WSUSSS] XmlUpdateBlobCompressed value: base64 of a cabinet whose one member, "blob",
 * holds the update's XML document in UTF-16LE.
 */
import { InvalidArgumentError, InvalidDataError } from '../../errors.js';
import { readCabinet } from './reader.js';
import { writeCabinet } from './writer.js';

const BLOB_MEMBER = 'blob';
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/** Base64 with padding only at the end; a character-class scan (unless done already), cheap on blobs of tens of KB. */
function isBase64(text: string, charactersChecked = false): boolean {
  if (text.length % 4 !== 0 || (!charactersChecked && NOT_BASE64.test(text))) return false;
  const padding = text.indexOf('=');
  return padding === -1 || padding >= text.length - 2 && text.slice(padding).split('').every((c) => c === '=');
}
// Strips a BOM; fatal so that unpaired surrogates are refused rather than replaced.
const utf16 = new TextDecoder('utf-16le', { fatal: true });

/**
 * Decodes an XmlUpdateBlobCompressed value to its XML text and the cabinet it carried, as a sync
 * stores it: read whole (structure, block checksums, decompression, one member "blob", UTF-16LE),
 * so a cabinet stored is one every reader can read; bytes after the cabinet's declared end are
 * left out.
 */
export function readUpdateBlob(base64: string, target: string): { xml: string; cabinet: Buffer } {
  // One scan of the usual value: with no character outside base64 it has no whitespace to strip.
  const clean = !NOT_BASE64.test(base64);
  const text = clean ? base64 : base64.replace(/\s+/g, '');
  if (!isBase64(text, clean)) throw blobError(target, 'it is not base64');
  const cabinet = Buffer.from(text, 'base64');
  const xml = cabinetXml(cabinet, target);
  return { xml, cabinet: cabinet.subarray(0, cabinet.readUInt32LE(8)) };
}

/** The XML text of an update blob's cabinet (its bytes, not base64); `target` names it in errors. */
export function cabinetXml(cabinet: Buffer, target: string): string {
  const files = readCabinet(cabinet, target);
  if (files.length !== 1 || files[0]!.name.toLowerCase() !== BLOB_MEMBER) {
    throw blobError(target, `the cabinet holds ${files.map((file) => `"${file.name}"`).join(', ') || 'nothing'} instead of one member "${BLOB_MEMBER}"`);
  }
  const data = files[0]!.data;
  if (data.length % 2 !== 0) throw blobError(target, `the member has an odd length (${data.length} bytes) for UTF-16`);
  try {
    return utf16.decode(data);
  } catch {
    throw blobError(target, 'the member is not valid UTF-16LE');
  }
}

function blobError(target: string, what: string): InvalidDataError {
  return new InvalidDataError('UpdateBlobInvalid', `Cannot read the compressed update blob ${target}: ${what}`, { target });
}

/** Encodes XML text as an XmlUpdateBlobCompressed value (UTF-16LE without BOM, MSZIP). */
export function encodeUpdateBlob(xml: string): string {
  // isWellFormed, not a look-around regex: a parent encodes every update it serves, and the regex
  // was an eighth of that (cpu profile of the bench's upstream).
  if (!xml.isWellFormed()) {
    throw new InvalidArgumentError('UpdateBlobInvalid', 'Cannot encode an update blob: the XML text has an unpaired surrogate');
  }
  return writeCabinet(BLOB_MEMBER, Buffer.from(xml, 'utf16le'), 'mszip').toString('base64');
}
