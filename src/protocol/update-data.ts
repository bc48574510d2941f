/**
 * Reading a GetUpdateData answer into the domain model: the SOAP envelope, each update's blob
 * (plain or a cabinet), its update XML, and the file URLs joined to the files. Pure, so it runs the
 * same in the calling thread and in the parse worker.
 */
import { UpstreamError } from '../errors.js';
import type { FetchedUpdate, StoredXml, UpdateMetadata } from '../model/update.js';
import { compressMetadata, compressMetadataBytes } from '../model/deflated-xml.js';
import { readUpdateBlob } from './cab/index.js';
import { parseResponse, type GetUpdateDataResponse, type ServerSyncUpdateData, type ServerSyncUrlData } from './soap/index.js';
import { parseUpdateXml } from './update-xml.js';

export interface UpdateData {
  updates: UpdateMetadata[];
  fileUrls: ServerSyncUrlData[];
}

/** Parses a GetUpdateData response body; a fault is thrown as SoapFaultError. */
export function readUpdateDataResponse(body: string, languages?: readonly string[]): UpdateData {
  const { entries, fileUrls } = readEntries(body, languages);
  return { updates: entries.map((entry) => entry.update), fileUrls };
}

/** Each update read, with the cabinet its XML came in when it came compressed. */
function readEntries(body: string, languages?: readonly string[]): { entries: { update: UpdateMetadata; cabinet: Buffer | undefined }[]; fileUrls: ServerSyncUrlData[] } {
  const response = parseResponse('GetUpdateData', body) as GetUpdateDataResponse;
  const urls = new Map(response.fileUrls.map((u) => [u.fileDigest, u.muUrl]));
  const entries = response.updates.map((data) => {
    const target = `update ${data.updateId} revision ${data.revisionNumber}`;
    const blob = updateBlob(data, target);
    const update = parseUpdateXml(blob.xml, target, languages ? { languages } : {});
    for (const file of update.files) {
      const url = urls.get(file.digest);
      if (url) file.url = url;
    }
    return { update, cabinet: blob.cabinet };
  });
  return { entries, fileUrls: response.fileUrls };
}

/** A GetUpdateData answer read for storing: each update's XML in the form the site database keeps it. */
export interface StorableUpdateData {
  updates: FetchedUpdate[];
  fileUrls: ServerSyncUrlData[];
}

/**
 * An update without its XML, and where its stored form lies in the answer's `xml` buffer (the
 * cabinet it came in, else its UTF-8 to deflate), under the name of the stored XML that replaces
 * it, so unpacking keeps the object's shape. `size` is the XML's length in UTF-8.
 */
export type PackedUpdate = Omit<UpdateMetadata, 'xml'> & { storedXml: { start: number; end: number; cabinet: boolean; size: number } };

/**
 * A GetUpdateData answer as the parse worker hands it over: the updates read, and all their
 * stored forms in one buffer, which moves between threads without a copy.
 */
export interface PackedUpdateData {
  updates: PackedUpdate[];
  fileUrls: ServerSyncUrlData[];
  xml: Uint8Array;
}

export function packUpdateData(body: string, languages?: readonly string[]): PackedUpdateData {
  const { entries, fileUrls } = readEntries(body, languages);
  const lengths = entries.map(({ update, cabinet }) => cabinet?.length ?? Buffer.byteLength(update.xml, 'utf8'));
  const xml = Buffer.allocUnsafeSlow(lengths.reduce((sum, length) => sum + length, 0));
  let offset = 0;
  const packed = entries.map(({ update: { xml: text, ...update }, cabinet }, i) => {
    const start = offset;
    if (cabinet) offset += cabinet.copy(xml, offset);
    else offset += xml.write(text, offset, 'utf8');
    // A cabinet's XML is UTF-16: its UTF-8 size (what `metadata_size` holds) is counted, not encoded.
    return { ...update, storedXml: { start, end: offset, cabinet: cabinet !== undefined, size: cabinet ? Buffer.byteLength(text, 'utf8') : lengths[i]! } };
  });
  return { updates: packed, fileUrls, xml };
}

/**
 * Turns the packed updates into fetched ones in place (a sync unpacks gigabytes; no copies): a
 * cabinet is stored as it came, XML that came plain is deflated. A sync does this in the thread
 * that stores, not in the parse worker: reading the answers alone keeps the worker as busy as
 * storing keeps the storing thread, so a sync's work is shared between two cores.
 */
export function unpackUpdateData({ updates, fileUrls, xml }: PackedUpdateData): StorableUpdateData {
  const bytes = Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength);
  for (const update of updates) {
    const { start, end, cabinet, size } = update.storedXml;
    const stored: StoredXml = cabinet ? { format: 'cabinet', bytes: bytes.subarray(start, end), size } : compressMetadataBytes(bytes.subarray(start, end));
    (update as unknown as FetchedUpdate).storedXml = stored;
  }
  return { updates: updates as unknown as FetchedUpdate[], fileUrls };
}

/**
 * The same answer read for storing in the calling thread: what a fetch too small to pay for the
 * parse worker's start does (`parseWorkerFrom` in src/sync/apply.ts draws the line).
 */
export function readStorableUpdateData(body: string, languages?: readonly string[]): StorableUpdateData {
  const { entries, fileUrls } = readEntries(body, languages);
  const storable = entries.map(({ update: { xml, ...update }, cabinet }) => ({
    ...update,
    storedXml: cabinet ? ({ format: 'cabinet', bytes: cabinet, size: Buffer.byteLength(xml, 'utf8') } satisfies StoredXml) : compressMetadata(xml),
  }));
  return { updates: storable, fileUrls };
}

/** The update XML of a GetUpdateData entry, plain or decompressed, with the cabinet it came in when it came compressed. */
export function updateBlob(data: ServerSyncUpdateData, target: string): { xml: string; cabinet?: Buffer } {
  if (data.xmlUpdateBlobCompressed) return readUpdateBlob(data.xmlUpdateBlobCompressed, target);
  if (data.xmlUpdateBlob !== undefined) return { xml: data.xmlUpdateBlob };
  throw new UpstreamError('UpstreamBlobMissing', `The upstream sent ${target} without update XML`, { target, category: 'ProtocolError' });
}
