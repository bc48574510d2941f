/**
 * The `metadata_format` column of `update_documents` and `categories` (site database migrations 5
 * and 7): how the row's `metadata` holds its XML. Codes 0 and 1, because SQLite keeps those two
 * integers in the record's header alone: reading the column never reaches into the blob's overflow
 * pages.
 */
import type { StoredXml, StoredXmlFormat } from '../model/update.js';

export const metadataFormatCodes: Readonly<Record<StoredXmlFormat, number>> = { deflate: 0, cabinet: 1 };

/** A revision's stored XML as the store hands it out; protocol/stored-xml.ts reads it as text. */
export type StoredXmlBytes = Pick<StoredXml, 'format' | 'bytes'>;

/** The stored XML of a row read with `metadata` and `metadata_format`. */
export function storedXmlOf(row: { metadata: Buffer; metadata_format: number }): StoredXmlBytes {
  if (row.metadata_format === metadataFormatCodes.cabinet) return { format: 'cabinet', bytes: row.metadata };
  return { format: 'deflate', bytes: row.metadata };
}

/** One revision's document, as an export reads them. */
export interface StoredDocument {
  update_id: string;
  revision: number;
  stored: StoredXmlBytes;
}

/** Rows read with `update_id, revision, metadata, metadata_format` as documents, one at a time. */
export function* storedDocuments(rows: Iterable<{ update_id: string; revision: number; metadata: Buffer; metadata_format: number }>): Generator<StoredDocument> {
  for (const row of rows) yield { update_id: row.update_id, revision: row.revision, stored: storedXmlOf(row) };
}
