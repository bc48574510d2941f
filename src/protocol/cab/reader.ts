/**
 * Reads a Microsoft Cabinet ([MS-CAB]) held in memory: one self-contained cabinet, its folders
 * stored, MSZIP or LZX compressed. Every size is checked against the buffer before use, and the
 * total uncompressed size is capped, so hostile input fails with a typed error.
 */
import { inflateRawSync } from 'node:zlib';
import { dataBlockChecksum } from './checksum.js';
import { cabinetError } from './errors.js';
import { LZX_FRAME_SIZE, LZX_MAX_WINDOW_BITS, LZX_MIN_WINDOW_BITS, LzxDecoder } from './lzx.js';
import {
  ATTRIBUTE_NAME_IS_UTF8,
  CFDATA_SIZE,
  CFFILE_SIZE,
  CFFOLDER_SIZE,
  CFHEADER_SIZE,
  FLAG_NEXT_CABINET,
  FLAG_PREV_CABINET,
  FLAG_RESERVE_PRESENT,
  MAX_BLOCK_UNCOMPRESSED,
  MAX_NAME_BYTES,
  MAX_UNCOMPRESSED_TOTAL,
  METHOD_LZX,
  METHOD_MSZIP,
  METHOD_NONE,
  METHOD_QUANTUM,
  MSZIP_SIGNATURE,
  SIGNATURE,
} from './format.js';

export interface CabinetFile {
  /** The member name as stored; folders are separated by backslashes. */
  name: string;
  data: Buffer;
  /** The CFFILE attribute bits (read-only 0x01, hidden 0x02, system 0x04, archive 0x20, …). */
  attributes: number;
}

/** How far back a deflate match can reach. */
const DEFLATE_WINDOW = 32768;

interface DataBlock {
  data: Buffer;
  uncompressedSize: number;
}

interface Folder {
  method: number;
  windowBits: number;
  blocks: DataBlock[];
  uncompressedSize: number;
}

/** Bounds checks over the cabinet; `what` names the structure in errors. */
class Fields {
  constructor(
    readonly bytes: Buffer,
    private readonly target: string,
  ) {}

  need(offset: number, length: number, what: string): void {
    if (offset + length > this.bytes.length) {
      throw cabinetError('CabinetInvalid', this.target, `${what} at offset ${offset} runs past the end of the cabinet (${this.bytes.length} bytes)`);
    }
  }

  /** A NUL-terminated string of at most `max` bytes before the NUL; returns the bytes and the next offset. */
  string(offset: number, max: number, what: string): { bytes: Buffer; next: number } {
    const length = this.bytes.subarray(offset, offset + max + 1).indexOf(0);
    if (length === -1) {
      throw cabinetError('CabinetInvalid', this.target, `${what} at offset ${offset} has no terminating NUL within ${max} bytes`);
    }
    return { bytes: this.bytes.subarray(offset, offset + length), next: offset + length + 1 };
  }
}

/** Reads every member of the cabinet `data`; `target` names it in errors. */
export function readCabinet(data: Buffer, target: string): CabinetFile[] {
  const invalid = (what: string) => cabinetError('CabinetInvalid', target, what);
  if (data.length < CFHEADER_SIZE) throw invalid(`the header is truncated (${data.length} bytes, at least ${CFHEADER_SIZE} needed)`);
  if (!data.subarray(0, 4).equals(SIGNATURE)) throw invalid('the signature is not MSCF');
  const cabinetSize = data.readUInt32LE(8);
  if (cabinetSize > data.length) throw invalid(`the header declares ${cabinetSize} bytes but only ${data.length} are present`);
  if (cabinetSize < CFHEADER_SIZE) throw invalid(`the header declares an impossible size of ${cabinetSize} bytes`);
  const minor = data[24]!;
  const major = data[25]!;
  if (major !== 1 || minor !== 3) throw invalid(`the format version is ${major}.${minor}, only 1.3 is known`);
  const fields = new Fields(data.subarray(0, cabinetSize), target);
  const bytes = fields.bytes;
  const filesOffset = bytes.readUInt32LE(16);
  const folderCount = bytes.readUInt16LE(26);
  const fileCount = bytes.readUInt16LE(28);
  const flags = bytes.readUInt16LE(30);
  if ((flags & (FLAG_PREV_CABINET | FLAG_NEXT_CABINET)) !== 0) {
    throw cabinetError('CabinetMultiVolume', target, 'it is part of a multi-cabinet set, which is not supported');
  }

  let offset = CFHEADER_SIZE;
  let folderReserve = 0;
  let dataReserve = 0;
  if ((flags & FLAG_RESERVE_PRESENT) !== 0) {
    fields.need(offset, 4, 'the reserve sizes');
    const headerReserve = bytes.readUInt16LE(offset);
    folderReserve = bytes[offset + 2]!;
    dataReserve = bytes[offset + 3]!;
    offset += 4 + headerReserve;
  }

  const folders: Folder[] = [];
  let total = 0;
  for (let f = 0; f < folderCount; f++, offset += CFFOLDER_SIZE + folderReserve) {
    fields.need(offset, CFFOLDER_SIZE + folderReserve, `folder ${f}`);
    const folder = readFolder(fields, offset, f, dataReserve, target);
    total += folder.uncompressedSize;
    if (total > MAX_UNCOMPRESSED_TOTAL) {
      throw cabinetError('CabinetTooLarge', target, `its folders declare more than ${MAX_UNCOMPRESSED_TOTAL} uncompressed bytes`);
    }
    folders.push(folder);
  }

  const members: { name: string; size: number; start: number; folder: number; attributes: number }[] = [];
  offset = filesOffset;
  for (let i = 0; i < fileCount; i++) {
    fields.need(offset, CFFILE_SIZE, `file entry ${i}`);
    const size = bytes.readUInt32LE(offset);
    const start = bytes.readUInt32LE(offset + 4);
    const folder = bytes.readUInt16LE(offset + 8);
    const attributes = bytes.readUInt16LE(offset + 14);
    const { bytes: nameBytes, next } = fields.string(offset + CFFILE_SIZE, MAX_NAME_BYTES, `the name of file ${i}`);
    const name = nameBytes.toString((attributes & ATTRIBUTE_NAME_IS_UTF8) !== 0 ? 'utf8' : 'latin1');
    // 0xFFFD to 0xFFFF mark a file continued from or into another cabinet.
    if (folder >= 0xfffd) throw cabinetError('CabinetMultiVolume', target, `file "${name}" spans cabinets, which is not supported`);
    if (folder >= folders.length) throw invalid(`file "${name}" is in folder ${folder} but there are ${folders.length} folders`);
    if (start + size > folders[folder]!.uncompressedSize) {
      throw invalid(`file "${name}" declares bytes ${start} to ${start + size} of folder ${folder}, which holds ${folders[folder]!.uncompressedSize}`);
    }
    members.push({ name, size, start, folder, attributes });
    offset = next;
  }

  const contents = new Map<number, Buffer>();
  return members.map(({ name, size, start, folder, attributes }) => {
    let content = contents.get(folder);
    if (content === undefined) {
      content = decompressFolder(folders[folder]!, folder, target);
      contents.set(folder, content);
    }
    return { name, data: content.subarray(start, start + size), attributes };
  });
}

/** Reads a CFFOLDER and walks its CFDATA blocks, checking their bounds and checksums. */
function readFolder(fields: Fields, offset: number, index: number, dataReserve: number, target: string): Folder {
  const bytes = fields.bytes;
  let blockOffset = bytes.readUInt32LE(offset);
  const blockCount = bytes.readUInt16LE(offset + 4);
  const compression = bytes.readUInt16LE(offset + 6);
  const method = compression & 0x000f;
  let windowBits = 0;
  if (method === METHOD_LZX) {
    windowBits = (compression >>> 8) & 0x1f;
    if (windowBits < LZX_MIN_WINDOW_BITS || windowBits > LZX_MAX_WINDOW_BITS) {
      throw cabinetError('CabinetUnsupportedMethod', target, `folder ${index} uses an LZX window of 2^${windowBits}, outside 2^15 to 2^21`);
    }
  } else if (method === METHOD_QUANTUM) {
    throw cabinetError('CabinetUnsupportedMethod', target, `folder ${index} is Quantum compressed, which is not supported`);
  } else if (method !== METHOD_NONE && method !== METHOD_MSZIP) {
    throw cabinetError('CabinetUnsupportedMethod', target, `folder ${index} uses the unknown compression type 0x${compression.toString(16)}`);
  }

  const blocks: DataBlock[] = [];
  let uncompressedSize = 0;
  for (let b = 0; b < blockCount; b++) {
    const what = `data block ${b} of folder ${index}`;
    fields.need(blockOffset, CFDATA_SIZE + dataReserve, what);
    const checksum = bytes.readUInt32LE(blockOffset);
    const compressedSize = bytes.readUInt16LE(blockOffset + 4);
    const blockUncompressed = bytes.readUInt16LE(blockOffset + 6);
    const dataOffset = blockOffset + CFDATA_SIZE + dataReserve;
    fields.need(dataOffset, compressedSize, what);
    const data = bytes.subarray(dataOffset, dataOffset + compressedSize);
    // A zero size marks a block continued in the next cabinet.
    if (blockUncompressed === 0) throw cabinetError('CabinetMultiVolume', target, `${what} continues in another cabinet, which is not supported`);
    if (blockUncompressed > MAX_BLOCK_UNCOMPRESSED) {
      throw cabinetError('CabinetInvalid', target, `${what} declares ${blockUncompressed} uncompressed bytes, more than ${MAX_BLOCK_UNCOMPRESSED}`);
    }
    if (checksum !== 0 && checksum !== dataBlockChecksum(data, blockUncompressed)) {
      throw cabinetError('CabinetChecksum', target, `${what} fails its checksum`);
    }
    blocks.push({ data, uncompressedSize: blockUncompressed });
    uncompressedSize += blockUncompressed;
    blockOffset = dataOffset + compressedSize;
  }
  if (method === METHOD_LZX) {
    // LZX frames are 32 KB of output each, and cabinets hold one frame per block.
    const short = blocks.findIndex((block, b) => b < blocks.length - 1 && block.uncompressedSize !== LZX_FRAME_SIZE);
    if (short !== -1) throw cabinetError('CabinetInvalid', target, `LZX data block ${short} of folder ${index} is not a whole 32 KB frame`);
  }
  return { method, windowBits, blocks, uncompressedSize };
}

function decompressFolder(folder: Folder, index: number, target: string): Buffer {
  const out = Buffer.alloc(folder.uncompressedSize);
  let pos = 0;
  if (folder.method === METHOD_LZX) {
    const decoder = new LzxDecoder(folder.windowBits, target);
    folder.blocks.forEach((block, b) => {
      decoder.decodeFrame(block.data, out, pos, block.uncompressedSize, `data block ${b} of folder ${index}`);
      pos += block.uncompressedSize;
    });
    decoder.translateCalls(out);
    return out;
  }
  folder.blocks.forEach((block, b) => {
    const what = `data block ${b} of folder ${index}`;
    if (folder.method === METHOD_NONE) {
      if (block.data.length !== block.uncompressedSize) {
        throw cabinetError('CabinetInvalid', target, `stored ${what} holds ${block.data.length} bytes but declares ${block.uncompressedSize}`);
      }
      block.data.copy(out, pos);
    } else {
      inflateMszipBlock(block, out, pos, what, target);
    }
    pos += block.uncompressedSize;
  });
  return out;
}

/**
 * An MSZIP block is "CK" and a complete raw deflate stream whose matches may reach into the
 * previous block's output, so that output is given to zlib as the preset dictionary.
 */
function inflateMszipBlock(block: DataBlock, out: Buffer, pos: number, what: string, target: string): void {
  const corrupt = (detail: string) => cabinetError('MszipCorrupt', target, `${what} ${detail}`);
  if (block.data.length < 2 || !block.data.subarray(0, 2).equals(MSZIP_SIGNATURE)) throw corrupt('does not start with "CK"');
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(block.data.subarray(2), {
      maxOutputLength: block.uncompressedSize,
      ...(pos > 0 ? { dictionary: out.subarray(Math.max(0, pos - DEFLATE_WINDOW), pos) } : {}),
    });
  } catch (error) {
    if (error instanceof RangeError) throw corrupt(`inflates to more than the declared ${block.uncompressedSize} bytes`);
    throw corrupt(`does not inflate: ${(error as Error).message}`);
  }
  if (inflated.length !== block.uncompressedSize) {
    throw corrupt(`inflates to ${inflated.length} bytes but declares ${block.uncompressedSize}`);
  }
  inflated.copy(out, pos);
}
