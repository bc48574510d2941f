/**
 * LZX decompression as cabinets use it (the format of Microsoft's "LZX DELTA Compression and
 * Decompression" [MS-PATCH] without its delta extensions). A folder's data is a sequence of 32 KB
 * frames, one per CFDATA block; the bit stream is re-aligned at every frame end, so each frame is
 * decoded from its own block while the window, the trees and the repeated offsets carry over.
 */
import { cabinetError } from './errors.js';

export const LZX_FRAME_SIZE = 32768;
export const LZX_MIN_WINDOW_BITS = 15;
export const LZX_MAX_WINDOW_BITS = 21;

const BLOCK_VERBATIM = 1;
const BLOCK_ALIGNED = 2;
const BLOCK_UNCOMPRESSED = 3;

const NUM_CHARS = 256;
const PRETREE_SYMBOLS = 20;
const ALIGNED_SYMBOLS = 8;
const LENGTH_SYMBOLS = 249;
const MAX_CODE_LENGTH = 16;
const MIN_MATCH = 2;
/** Match lengths up to this many over the minimum fit the main symbol; longer ones add a length code. */
const PRIMARY_LENGTHS = 7;

/** Position slots per window size: 2^15 → 30 … 2^21 → 50. */
const POSITION_SLOTS: Record<number, number> = { 15: 30, 16: 32, 17: 34, 18: 36, 19: 38, 20: 42, 21: 50 };
const MAX_POSITION_SLOTS = 50;

const EXTRA_BITS = new Uint8Array(MAX_POSITION_SLOTS);
const POSITION_BASE = new Uint32Array(MAX_POSITION_SLOTS);
{
  let base = 0;
  for (let slot = 0; slot < MAX_POSITION_SLOTS; slot++) {
    const extra = slot < 4 ? 0 : Math.min((slot - 2) >> 1, 17);
    EXTRA_BITS[slot] = extra;
    POSITION_BASE[slot] = base;
    base += 1 << extra;
  }
}

/**
 * The input of one frame: little-endian 16-bit words read most significant bit first, except inside
 * uncompressed blocks, which are plain bytes. Reading past the end yields zero words (a Huffman
 * lookahead may legitimately peek there) but only a few: a stream that really runs out fails.
 */
class BitReader {
  private input: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Pending bits, left-aligned in 32 bits. */
  private buffer = 0;
  private bitsLeft = 0;
  private where = '';

  constructor(private readonly target: string) {}

  reset(input: Uint8Array, where: string): void {
    this.input = input;
    this.pos = 0;
    this.buffer = 0;
    this.bitsLeft = 0;
    this.where = where;
  }

  corrupt(what: string): Error {
    return cabinetError('LzxCorrupt', this.target, `${what} in the LZX data of ${this.where}`);
  }

  /** Makes at least `count` (at most 17) bits available. */
  ensure(count: number): void {
    while (this.bitsLeft < count) {
      const p = this.pos;
      const input = this.input;
      let word: number;
      if (p + 1 < input.length) word = input[p]! | (input[p + 1]! << 8);
      else if (p < input.length) word = input[p]!;
      else if (p < input.length + 4) word = 0;
      else throw this.corrupt('the data ends early');
      this.buffer = (this.buffer | (word << (16 - this.bitsLeft))) >>> 0;
      this.bitsLeft += 16;
      this.pos = p + 2;
    }
  }

  /** The next 16 bits, after ensure(16). */
  peek16(): number {
    return this.buffer >>> 16;
  }

  skip(count: number): void {
    this.buffer = (this.buffer << count) >>> 0;
    this.bitsLeft -= count;
  }

  readBits(count: number): number {
    if (count === 0) return 0;
    this.ensure(count);
    const value = this.buffer >>> (32 - count);
    this.skip(count);
    return value;
  }

  /**
   * Drops the 1 to 16 padding bits before an uncompressed block's bytes and switches to bytes.
   * Right after a block header fewer than 16 bits are buffered, all from the word last fetched, so
   * they are the padding; with none buffered, the padding is the whole next word.
   */
  alignToBytes(): void {
    if (this.bitsLeft === 0) this.pos += 2;
    this.buffer = 0;
    this.bitsLeft = 0;
  }

  readBytes(count: number): Uint8Array {
    if (this.pos + count > this.input.length) throw this.corrupt('an uncompressed block ends early');
    const bytes = this.input.subarray(this.pos, this.pos + count);
    this.pos += count;
    return bytes;
  }

  /** Skips the byte that re-aligns the bit stream after an odd-sized uncompressed block, if present. */
  skipPadByte(): void {
    this.pos = Math.min(this.pos + 1, this.input.length);
  }

  /** Fails when the frame consumed more bits than its block holds. */
  checkConsumed(): void {
    if (this.pos * 8 - this.bitsLeft > this.input.length * 8) throw this.corrupt('the data ends early');
  }
}

/** A canonical Huffman code: a direct table for short codes, a canonical walk for longer ones. */
class HuffmanCode {
  /** Indexed by the next `tableBits` bits: symbol << 5 | code length, 0 for longer or unused codes. */
  private readonly table: Uint16Array;
  private readonly counts = new Uint16Array(MAX_CODE_LENGTH + 1);
  private readonly firstCode = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly firstIndex = new Uint16Array(MAX_CODE_LENGTH + 1);
  private readonly sorted: Uint16Array;

  constructor(
    private readonly name: string,
    maxSymbols: number,
    private readonly tableBits: number,
  ) {
    this.table = new Uint16Array(1 << tableBits);
    this.sorted = new Uint16Array(maxSymbols);
  }

  /** Builds the code from `symbols` code lengths; an incomplete code is fine until a gap is decoded. */
  build(lengths: Uint8Array, symbols: number, reader: BitReader): void {
    const { counts, firstCode, firstIndex, sorted, table, tableBits } = this;
    counts.fill(0);
    for (let s = 0; s < symbols; s++) counts[lengths[s]!]!++;
    counts[0] = 0;
    let left = 1;
    let code = 0;
    let index = 0;
    for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
      left = left * 2 - counts[len]!;
      if (left < 0) throw reader.corrupt(`an over-subscribed ${this.name} tree`);
      firstCode[len] = code;
      firstIndex[len] = index;
      index += counts[len]!;
      code = (code + counts[len]!) << 1;
    }
    const next = firstIndex.slice();
    for (let s = 0; s < symbols; s++) {
      const len = lengths[s]!;
      if (len !== 0) sorted[next[len]!++] = s;
    }
    table.fill(0);
    for (let len = 1; len <= tableBits; len++) {
      const span = 1 << (tableBits - len);
      for (let k = 0; k < counts[len]!; k++) {
        const start = (firstCode[len]! + k) * span;
        table.fill((sorted[firstIndex[len]! + k]! << 5) | len, start, start + span);
      }
    }
  }

  decode(reader: BitReader): number {
    reader.ensure(MAX_CODE_LENGTH);
    const bits = reader.peek16();
    const entry = this.table[bits >>> (MAX_CODE_LENGTH - this.tableBits)]!;
    if (entry !== 0) {
      reader.skip(entry & 31);
      return entry >>> 5;
    }
    for (let len = this.tableBits + 1; len <= MAX_CODE_LENGTH; len++) {
      // Codes shorter than len were ruled out above, so this is never below the first code.
      const delta = (bits >>> (MAX_CODE_LENGTH - len)) - this.firstCode[len]!;
      if (delta < this.counts[len]!) {
        reader.skip(len);
        return this.sorted[this.firstIndex[len]! + delta]!;
      }
    }
    throw reader.corrupt(`an invalid ${this.name} code`);
  }
}

/** Decodes the frames of one folder in order, then undoes the E8 call translation over the result. */
export class LzxDecoder {
  private readonly reader: BitReader;
  private readonly mainSymbols: number;
  private readonly pretree = new HuffmanCode('pretree', PRETREE_SYMBOLS, 6);
  private readonly mainTree: HuffmanCode;
  private readonly lengthTree = new HuffmanCode('length', LENGTH_SYMBOLS, 10);
  private readonly alignedTree = new HuffmanCode('aligned offset', ALIGNED_SYMBOLS, 7);
  private readonly pretreeLengths = new Uint8Array(PRETREE_SYMBOLS);
  /** Main and length code lengths persist: each block codes its lengths as deltas from the last. */
  private readonly mainLengths: Uint8Array;
  private readonly lengthLengths = new Uint8Array(LENGTH_SYMBOLS);
  private readonly alignedLengths = new Uint8Array(ALIGNED_SYMBOLS);
  private r0 = 1;
  private r1 = 1;
  private r2 = 1;
  private blockType = 0;
  private blockSize = 0;
  private blockRemaining = 0;
  private headerRead = false;
  private translationSize = 0;

  constructor(windowBits: number, target: string) {
    this.reader = new BitReader(target);
    this.mainSymbols = NUM_CHARS + 8 * POSITION_SLOTS[windowBits]!;
    this.mainTree = new HuffmanCode('main', this.mainSymbols, 11);
    this.mainLengths = new Uint8Array(this.mainSymbols);
  }

  /** Decodes `size` bytes into out[start…] from one CFDATA block's `input`. */
  decodeFrame(input: Uint8Array, out: Uint8Array, start: number, size: number, where: string): void {
    const reader = this.reader;
    reader.reset(input, where);
    if (!this.headerRead) {
      this.headerRead = true;
      if (reader.readBits(1) === 1) this.translationSize = ((reader.readBits(16) << 16) | reader.readBits(16)) >>> 0;
    }
    const end = start + size;
    let pos = start;
    while (pos < end) {
      if (this.blockRemaining === 0) this.readBlockHeader();
      const run = Math.min(this.blockRemaining, end - pos);
      if (this.blockType === BLOCK_UNCOMPRESSED) out.set(reader.readBytes(run), pos);
      else this.decodeSymbols(out, pos, pos + run);
      pos += run;
      this.blockRemaining -= run;
      if (this.blockRemaining === 0 && this.blockType === BLOCK_UNCOMPRESSED && (this.blockSize & 1) === 1) {
        reader.skipPadByte();
      }
    }
    reader.checkConsumed();
  }

  /**
   * Reverses the encoder's E8 preprocessing on the decoded folder: in each frame (of the first
   * 1 GB, which a bounded folder never exceeds) an absolute call target after an 0xE8 byte
   * becomes relative again. The last 10 bytes of a frame are never translated.
   */
  translateCalls(out: Buffer): void {
    const size = this.translationSize;
    if (size === 0) return;
    for (let frame = 0; frame < out.length; frame += LZX_FRAME_SIZE) {
      const limit = Math.min(frame + LZX_FRAME_SIZE, out.length) - 10;
      let i = out.indexOf(0xe8, frame);
      while (i !== -1 && i < limit) {
        const value = out.readInt32LE(i + 1);
        if (value >= -i && value < size) out.writeInt32LE((value >= 0 ? value - i : value + size) | 0, i + 1);
        i = out.indexOf(0xe8, i + 5);
      }
    }
  }

  private readBlockHeader(): void {
    const reader = this.reader;
    const type = reader.readBits(3);
    const size = (reader.readBits(16) << 8) | reader.readBits(8);
    if (type === BLOCK_VERBATIM || type === BLOCK_ALIGNED) {
      if (type === BLOCK_ALIGNED) {
        for (let s = 0; s < ALIGNED_SYMBOLS; s++) this.alignedLengths[s] = reader.readBits(3);
        this.alignedTree.build(this.alignedLengths, ALIGNED_SYMBOLS, reader);
      }
      this.readLengths(this.mainLengths, 0, NUM_CHARS);
      this.readLengths(this.mainLengths, NUM_CHARS, this.mainSymbols);
      this.mainTree.build(this.mainLengths, this.mainSymbols, reader);
      this.readLengths(this.lengthLengths, 0, LENGTH_SYMBOLS);
      this.lengthTree.build(this.lengthLengths, LENGTH_SYMBOLS, reader);
    } else if (type === BLOCK_UNCOMPRESSED) {
      reader.alignToBytes();
      const offsets = reader.readBytes(12);
      const view = new DataView(offsets.buffer, offsets.byteOffset, 12);
      this.r0 = view.getUint32(0, true);
      this.r1 = view.getUint32(4, true);
      this.r2 = view.getUint32(8, true);
    } else {
      throw reader.corrupt(`an invalid block type ${type}`);
    }
    this.blockType = type;
    this.blockSize = size;
    this.blockRemaining = size;
  }

  /** Reads code lengths lengths[from…to) through a pretree, as deltas from their previous values. */
  private readLengths(lengths: Uint8Array, from: number, to: number): void {
    const reader = this.reader;
    for (let s = 0; s < PRETREE_SYMBOLS; s++) this.pretreeLengths[s] = reader.readBits(4);
    this.pretree.build(this.pretreeLengths, PRETREE_SYMBOLS, reader);
    let i = from;
    while (i < to) {
      const code = this.pretree.decode(reader);
      if (code <= 16) {
        lengths[i] = (lengths[i]! + 17 - code) % 17;
        i++;
        continue;
      }
      let run: number;
      let value = 0;
      if (code === 17) {
        run = 4 + reader.readBits(4);
      } else if (code === 18) {
        run = 20 + reader.readBits(5);
      } else {
        run = 4 + reader.readBits(1);
        const delta = this.pretree.decode(reader);
        if (delta > 16) throw reader.corrupt(`an invalid pretree code ${delta} after a repeat`);
        value = (lengths[i]! + 17 - delta) % 17;
      }
      if (i + run > to) throw reader.corrupt('a code length run past the end of a tree');
      lengths.fill(value, i, i + run);
      i += run;
    }
  }

  /** Decodes literals and matches of a verbatim or aligned block filling exactly out[pos…end). */
  private decodeSymbols(out: Uint8Array, pos: number, end: number): void {
    const reader = this.reader;
    const mainTree = this.mainTree;
    const aligned = this.blockType === BLOCK_ALIGNED;
    let r0 = this.r0;
    let r1 = this.r1;
    let r2 = this.r2;
    while (pos < end) {
      const symbol = mainTree.decode(reader);
      if (symbol < NUM_CHARS) {
        out[pos++] = symbol;
        continue;
      }
      const lengthHeader = (symbol - NUM_CHARS) & 7;
      const slot = (symbol - NUM_CHARS) >>> 3;
      let length = lengthHeader + MIN_MATCH;
      if (lengthHeader === PRIMARY_LENGTHS) length += this.lengthTree.decode(reader);
      let offset: number;
      if (slot === 0) {
        offset = r0;
      } else if (slot === 1) {
        offset = r1;
        r1 = r0;
        r0 = offset;
      } else if (slot === 2) {
        offset = r2;
        r2 = r0;
        r0 = offset;
      } else {
        const extra = EXTRA_BITS[slot]!;
        offset = POSITION_BASE[slot]! - 2;
        if (aligned && extra >= 3) offset += (reader.readBits(extra - 3) << 3) + this.alignedTree.decode(reader);
        else offset += reader.readBits(extra);
        r2 = r1;
        r1 = r0;
        r0 = offset;
      }
      if (pos + length > end) throw reader.corrupt('a match running past the end of its block or frame');
      if (offset === 0 || offset > pos) throw reader.corrupt(`a match offset ${offset} before the start of the data`);
      for (let from = pos - offset, stop = pos + length; pos < stop; ) out[pos++] = out[from++]!;
    }
    this.r0 = r0;
    this.r1 = r1;
    this.r2 = r2;
  }
}
