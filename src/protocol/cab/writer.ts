/**
 * Writes a one-member cabinet, stored or MSZIP compressed, as WSUS serves update blobs: one folder,
 * 32 KB blocks with checksums, a zero DOS date and no attributes.
 */
import { deflateRawSync } from 'node:zlib';
import { InvalidArgumentError } from '../../errors.js';
import { dataBlockChecksum } from './checksum.js';
import {
  ATTRIBUTE_NAME_IS_UTF8,
  CFDATA_SIZE,
  CFFILE_SIZE,
  CFFOLDER_SIZE,
  CFHEADER_SIZE,
  MAX_BLOCK_UNCOMPRESSED,
  MAX_NAME_BYTES,
  MAX_UNCOMPRESSED_TOTAL,
  METHOD_MSZIP,
  METHOD_NONE,
  MSZIP_SIGNATURE,
  SIGNATURE,
} from './format.js';

export type CabinetMethod = 'none' | 'mszip';

export function writeCabinet(name: string, data: Buffer, method: CabinetMethod): Buffer {
  if (method !== 'none' && method !== 'mszip') {
    throw new InvalidArgumentError('CabinetUnsupportedMethod', `Cannot write a cabinet with the method "${String(method)}": use none or mszip`, { target: name });
  }
  const ascii = /^[\x01-\x7f]+$/.test(name);
  const nameBytes = Buffer.from(name, ascii ? 'latin1' : 'utf8');
  if (name.length === 0 || name.includes('\0') || nameBytes.length > MAX_NAME_BYTES) {
    throw new InvalidArgumentError('CabinetInvalidName', `Cannot write a cabinet member named "${name}": a name is 1 to ${MAX_NAME_BYTES} bytes without NUL`, { target: name });
  }
  if (data.length > MAX_UNCOMPRESSED_TOTAL) {
    throw new InvalidArgumentError('CabinetTooLarge', `Cannot write ${data.length} bytes into a cabinet: the limit is ${MAX_UNCOMPRESSED_TOTAL}`, { target: name });
  }

  const blocks: Buffer[] = [];
  for (let start = 0; start < data.length; start += MAX_BLOCK_UNCOMPRESSED) {
    const chunk = data.subarray(start, start + MAX_BLOCK_UNCOMPRESSED);
    const payload =
      method === 'none'
        ? chunk
        : Buffer.concat([
            MSZIP_SIGNATURE,
            // Each block is a complete deflate stream that may refer back into the previous block.
            // Level 1: a server compresses every blob it serves, so speed matters more than ratio.
            deflateRawSync(chunk, { level: 1, ...(start > 0 ? { dictionary: data.subarray(start - MAX_BLOCK_UNCOMPRESSED, start) } : {}) }),
          ]);
    const header = Buffer.alloc(CFDATA_SIZE);
    header.writeUInt32LE(dataBlockChecksum(payload, chunk.length), 0);
    header.writeUInt16LE(payload.length, 4);
    header.writeUInt16LE(chunk.length, 6);
    blocks.push(header, payload);
  }

  const filesOffset = CFHEADER_SIZE + CFFOLDER_SIZE;
  const dataOffset = filesOffset + CFFILE_SIZE + nameBytes.length + 1;
  const head = Buffer.alloc(dataOffset);
  SIGNATURE.copy(head, 0);
  head.writeUInt32LE(dataOffset + blocks.reduce((sum, block) => sum + block.length, 0), 8);
  head.writeUInt32LE(filesOffset, 16);
  head[24] = 3; // version 1.3
  head[25] = 1;
  head.writeUInt16LE(1, 26); // folders
  head.writeUInt16LE(1, 28); // files
  head.writeUInt32LE(dataOffset, CFHEADER_SIZE);
  head.writeUInt16LE(blocks.length / 2, CFHEADER_SIZE + 4);
  head.writeUInt16LE(method === 'none' ? METHOD_NONE : METHOD_MSZIP, CFHEADER_SIZE + 6);
  head.writeUInt32LE(data.length, filesOffset);
  head.writeUInt16LE(ascii ? 0 : ATTRIBUTE_NAME_IS_UTF8, filesOffset + 14);
  nameBytes.copy(head, filesOffset + CFFILE_SIZE);
  return Buffer.concat([head, ...blocks]);
}
