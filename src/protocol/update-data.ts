/**
 * Reading a GetUpdateData answer into the domain model: the SOAP envelope, each update's blob
 * (plain or a cabinet), its update XML, and the file URLs joined to the files. Pure, so it runs the
 * same in the calling thread and in the parse worker.
 */
import { UpstreamError } from '../errors.js';
import type { FetchedUpdate, UpdateMetadata } from '../model/update.js';
import { compressMetadata, compressMetadataBytes } from '../model/deflated-xml.js';
import { decodeUpdateBlob } from './cab/index.js';
import { parseResponse, type GetUpdateDataResponse, type ServerSyncUpdateData, type ServerSyncUrlData } from './soap/index.js';
import { parseUpdateXml } from './update-xml.js';

export interface UpdateData {
  updates: UpdateMetadata[];
  fileUrls: ServerSyncUrlData[];
}

/** Parses a GetUpdateData response body; a fault is thrown as SoapFaultError. */
export function readUpdateDataResponse(body: string, languages?: readonly string[]): UpdateData {
  const response = parseResponse('GetUpdateData', body) as GetUpdateDataResponse;
  const urls = new Map(response.fileUrls.map((u) => [u.fileDigest, u.muUrl]));
  const updates = response.updates.map((data) => {
    const update = parseUpdateXml(blobXml(data), `update ${data.updateId} revision ${data.revisionNumber}`, languages ? { languages } : {});
    for (const file of update.files) {
      const url = urls.get(file.digest);
      if (url) file.url = url;
    }
    return update;
  });
  return { updates, fileUrls: response.fileUrls };
}

/** A GetUpdateData answer read for storing: each update's XML deflated as the site database keeps it. */
export interface StorableUpdateData {
  updates: FetchedUpdate[];
  fileUrls: ServerSyncUrlData[];
}

/**
 * An update without its XML, and where its XML (UTF-8) lies in the answer's `xml` buffer: under
 * the name of the deflated XML that replaces it, so unpacking keeps the object's shape.
 */
export type PackedUpdate = Omit<UpdateMetadata, 'xml'> & { deflatedXml: { start: number; end: number } };

/**
 * A GetUpdateData answer as the parse worker hands it over: the updates read, and all their XML
 * encoded as UTF-8 in one buffer, which moves between threads without a copy.
 */
export interface PackedUpdateData {
  updates: PackedUpdate[];
  fileUrls: ServerSyncUrlData[];
  xml: Uint8Array;
}

export function packUpdateData(body: string, languages?: readonly string[]): PackedUpdateData {
  const { updates, fileUrls } = readUpdateDataResponse(body, languages);
  const xml = Buffer.allocUnsafeSlow(updates.reduce((sum, update) => sum + Buffer.byteLength(update.xml, 'utf8'), 0));
  let offset = 0;
  const packed = updates.map(({ xml: text, ...update }) => {
    const start = offset;
    offset += xml.write(text, offset, 'utf8');
    return { ...update, deflatedXml: { start, end: offset } };
  });
  return { updates: packed, fileUrls, xml };
}

/**
 * Deflates each packed update's XML for the site database, turning the packed updates into
 * fetched ones in place (a sync unpacks gigabytes; no copies). A sync does this in the thread that
 * stores, not in the parse worker: reading the answers alone keeps the worker as busy as deflating
 * and storing keep the storing thread, so a sync's work is shared evenly between two cores.
 */
export function unpackUpdateData({ updates, fileUrls, xml }: PackedUpdateData): StorableUpdateData {
  const bytes = Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength);
  for (const update of updates) {
    const { start, end } = update.deflatedXml;
    (update as unknown as FetchedUpdate).deflatedXml = compressMetadataBytes(bytes.subarray(start, end));
  }
  return { updates: updates as unknown as FetchedUpdate[], fileUrls };
}

/**
 * The same answer read and deflated in the calling thread: what a fetch too small to pay for the
 * parse worker's start does (`parseWorkerFrom` in src/sync/apply.ts draws the line).
 */
export function readStorableUpdateData(body: string, languages?: readonly string[]): StorableUpdateData {
  const { updates, fileUrls } = readUpdateDataResponse(body, languages);
  const storable = updates.map(({ xml, ...update }) => ({ ...update, deflatedXml: compressMetadata(xml) }));
  return { updates: storable, fileUrls };
}

/** The update XML of a GetUpdateData entry, plain or decompressed. */
export function blobXml(data: ServerSyncUpdateData): string {
  const target = `update ${data.updateId} revision ${data.revisionNumber}`;
  if (data.xmlUpdateBlobCompressed) return decodeUpdateBlob(data.xmlUpdateBlobCompressed, target);
  if (data.xmlUpdateBlob !== undefined) return data.xmlUpdateBlob;
  throw new UpstreamError('UpstreamBlobMissing', `The upstream sent ${target} without update XML`, { target, category: 'ProtocolError' });
}
