/**
 * Reading a GetUpdateData answer into the domain model: the SOAP envelope, each update's blob
 * (plain or a cabinet), its update XML, and the file URLs joined to the files. Pure, so it runs the
 * same in the calling thread and in the parse worker.
 */
import { UpstreamError } from '../errors.js';
import type { FetchedUpdate, UpdateMetadata } from '../model/update.js';
import { compressMetadata } from '../model/deflated-xml.js';
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

export function readStorableUpdateData(body: string, languages?: readonly string[]): StorableUpdateData {
  const { updates, fileUrls } = readUpdateDataResponse(body, languages);
  return { updates: updates.map(({ xml, ...update }) => ({ ...update, deflatedXml: compressMetadata(xml) })), fileUrls };
}

/** The update XML of a GetUpdateData entry, plain or decompressed. */
export function blobXml(data: ServerSyncUpdateData): string {
  const target = `update ${data.updateId} revision ${data.revisionNumber}`;
  if (data.xmlUpdateBlobCompressed) return decodeUpdateBlob(data.xmlUpdateBlobCompressed, target);
  if (data.xmlUpdateBlob !== undefined) return data.xmlUpdateBlob;
  throw new UpstreamError('UpstreamBlobMissing', `The upstream sent ${target} without update XML`, { target, category: 'ProtocolError' });
}
