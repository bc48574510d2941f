import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, InvalidDataError } from '../src/errors.js';
import { dataBlockChecksum } from '../src/protocol/cab/checksum.js';
import { encodeUpdateBlob, readCabinet, readUpdateBlob, writeCabinet } from '../src/protocol/cab/index.js';
import { repoRoot, wsusssRecorded } from './helpers/fixtures.js';

const cabFixtures = path.join(repoRoot, 'test', 'fixtures', 'cab');
const TARGET = 'test.cab';

// ---------------------------------------------------------------------------------------------
// Real data: the GetUpdateData answers recorded from a real WSUS upstream, and the documents
// decoded from them.

interface RealBlob {
  exchange: string;
  base64: string;
  document: Buffer;
}

function loadRealBlobs(): RealBlob[] {
  return ['000013', '000014', '000016'].map((exchange) => {
    const body = fs.readFileSync(path.join(wsusssRecorded, 'exchanges', exchange, 'response.body'), 'utf8');
    const match = /<UpdateID>([^<]+)<\/UpdateID><RevisionNumber>(\d+)<\/RevisionNumber>.*?<XmlUpdateBlobCompressed>([^<]+)<\/XmlUpdateBlobCompressed>/s.exec(body);
    if (match === null) throw new Error(`no compressed blob in exchange ${exchange}`);
    const document = fs.readFileSync(path.join(wsusssRecorded, 'docs', `${match[1]}-r${match[2]}.xml`));
    return { exchange, base64: match[3]!, document };
  });
}

const realBlobs = loadRealBlobs();
const realCabinet = (index: number) => Buffer.from(realBlobs[index]!.base64, 'base64');

// ---------------------------------------------------------------------------------------------
// Helpers

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A deterministic pseudo-random generator (an LCG), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 16;
  };
}

function randomBytes(length: number, seed: number): Buffer {
  const next = random(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = next() & 0xff;
  return out;
}

function text(length: number, seed: number): Buffer {
  const next = random(seed);
  const words = ['Update', 'Revision', 'Defender', 'Category', 'Prerequisite', 'Bundle', 'Language', 'File'];
  let out = '';
  while (out.length < length) out += `<${words[next() % words.length]} Id="${next() % 500}"/>${next() % 7 === 0 ? '\n' : ''}`;
  return Buffer.from(out.slice(0, length), 'latin1');
}

function expectCabinetError(action: () => unknown, code: string, message: RegExp, target = TARGET): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).to.be.instanceOf(InvalidDataError);
  const error = caught as InvalidDataError;
  expect(error.code).to.equal(code);
  expect(error.target).to.equal(target);
  expect(error.message).to.contain(target);
  expect(error.message).to.match(message);
}

interface TestBlock {
  data: Buffer;
  uncompressed: number;
  /** Defaults to the correct checksum. */
  checksum?: number;
}

interface TestFolder {
  compression: number;
  blocks: TestBlock[];
}

interface TestMember {
  name: string;
  size: number;
  folder: number;
  start?: number;
}

interface AssembleOptions {
  flags?: number;
  reserve?: { header: number; folder: number; data: number };
  version?: [number, number];
}

/** Lays out a cabinet from parts, including ones our writer never produces. */
function assembleCabinet(folders: TestFolder[], members: TestMember[], options: AssembleOptions = {}): Buffer {
  const reserve = options.reserve;
  const flags = (options.flags ?? 0) | (reserve === undefined ? 0 : 4);
  const headerSize = 36 + (reserve === undefined ? 0 : 4 + reserve.header);
  const folderSize = 8 + (reserve?.folder ?? 0);
  const dataReserve = reserve?.data ?? 0;
  const names = members.map((member) => Buffer.from(member.name, 'latin1'));
  const filesOffset = headerSize + folders.length * folderSize;
  let offset = filesOffset + names.reduce((sum, name) => sum + 16 + name.length + 1, 0);
  const folderStarts = folders.map((folder) => {
    const start = offset;
    offset += folder.blocks.reduce((sum, block) => sum + 8 + dataReserve + block.data.length, 0);
    return start;
  });
  const out = Buffer.alloc(offset);
  out.write('MSCF', 0, 'latin1');
  out.writeUInt32LE(offset, 8);
  out.writeUInt32LE(filesOffset, 16);
  const [major, minor] = options.version ?? [1, 3];
  out[24] = minor;
  out[25] = major;
  out.writeUInt16LE(folders.length, 26);
  out.writeUInt16LE(members.length, 28);
  out.writeUInt16LE(flags, 30);
  if (reserve !== undefined) {
    out.writeUInt16LE(reserve.header, 36);
    out[38] = reserve.folder;
    out[39] = reserve.data;
    out.fill(0xaa, 40, 40 + reserve.header);
  }
  folders.forEach((folder, f) => {
    const at = headerSize + f * folderSize;
    out.writeUInt32LE(folderStarts[f]!, at);
    out.writeUInt16LE(folder.blocks.length, at + 4);
    out.writeUInt16LE(folder.compression, at + 6);
    out.fill(0xbb, at + 8, at + folderSize);
    let blockAt = folderStarts[f]!;
    for (const block of folder.blocks) {
      out.writeUInt32LE(block.checksum ?? dataBlockChecksum(block.data, block.uncompressed), blockAt);
      out.writeUInt16LE(block.data.length, blockAt + 4);
      out.writeUInt16LE(block.uncompressed, blockAt + 6);
      out.fill(0xcc, blockAt + 8, blockAt + 8 + dataReserve);
      block.data.copy(out, blockAt + 8 + dataReserve);
      blockAt += 8 + dataReserve + block.data.length;
    }
  });
  let at = filesOffset;
  members.forEach((member, i) => {
    out.writeUInt32LE(member.size, at);
    out.writeUInt32LE(member.start ?? 0, at + 4);
    out.writeUInt16LE(member.folder, at + 8);
    names[i]!.copy(out, at + 16);
    at += 16 + names[i]!.length + 1;
  });
  return out;
}

/** Splits data into stored 32 KB blocks. */
function storedBlocks(data: Buffer): TestBlock[] {
  const blocks: TestBlock[] = [];
  for (let start = 0; start < data.length; start += 32768) {
    const chunk = data.subarray(start, start + 32768);
    blocks.push({ data: chunk, uncompressed: chunk.length });
  }
  return blocks;
}

/** The CFDATA headers of the first folder of a cabinet without reserve: offsets of each block. */
function dataBlockOffsets(cab: Buffer): number[] {
  const offsets: number[] = [];
  let at = cab.readUInt32LE(36);
  for (let b = 0; b < cab.readUInt16LE(40); b++) {
    offsets.push(at);
    at += 8 + cab.readUInt16LE(at + 4);
  }
  return offsets;
}

const cabextractAvailable = spawnSync('cabextract', ['--version']).error === undefined;

/** Extracts a cabinet with Debian's cabextract (libmspack): member path → content. */
function cabextract(cab: Buffer): Map<string, Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supsync-cab-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.cab'), cab);
    const outDir = path.join(dir, 'out');
    const result = spawnSync('cabextract', ['-q', '-d', outDir, path.join(dir, 'in.cab')], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`cabextract failed: ${result.stdout}${result.stderr}`);
    const files = new Map<string, Buffer>();
    const walk = (sub: string): void => {
      for (const entry of fs.readdirSync(path.join(outDir, sub), { withFileTypes: true })) {
        const relative = sub === '' ? entry.name : `${sub}/${entry.name}`;
        if (entry.isDirectory()) walk(relative);
        else files.set(relative, fs.readFileSync(path.join(outDir, relative)));
      }
    };
    walk('');
    return files;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// A small LZX compressor, for tests only: it produces verbatim, aligned offset and uncompressed
// blocks, repeated offsets, long matches, blocks spanning frames and E8 preprocessing, so the
// decoder's every path runs on data whose expected output is known (and which cabextract reads).

const LZX_SLOTS: Record<number, number> = { 15: 30, 16: 32, 17: 34, 18: 36, 19: 38, 20: 42, 21: 50 };
const lzxExtraBits = (slot: number) => (slot < 4 ? 0 : Math.min((slot - 2) >> 1, 17));
const LZX_BASE: number[] = [];
for (let slot = 0, base = 0; slot < 50; slot++) {
  LZX_BASE.push(base);
  base += 1 << lzxExtraBits(slot);
}
const FRAME = 32768;

class BitWriter {
  private readonly bytes: number[] = [];
  private word = 0;
  private count = 0;

  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.word = (this.word << 1) | ((value >>> i) & 1);
      if (++this.count === 16) {
        this.bytes.push(this.word & 0xff, this.word >>> 8);
        this.word = 0;
        this.count = 0;
      }
    }
  }

  /** The 1 to 16 zero bits before an uncompressed block's bytes. */
  padForBytes(): void {
    this.bits(0, 16 - this.count);
  }

  byte(value: number): void {
    this.bytes.push(value & 0xff);
  }

  uint32(value: number): void {
    for (let i = 0; i < 4; i++) this.byte(value >>> (8 * i));
  }

  /** Ends a frame: pads to a 16-bit boundary and hands over its bytes. */
  take(): Buffer {
    if (this.count !== 0) this.bits(0, 16 - this.count);
    const out = Buffer.from(this.bytes);
    this.bytes.length = 0;
    return out;
  }
}

/** Huffman code lengths no longer than `limit`, halving the frequencies until they fit. */
function huffmanLengths(frequencies: number[], limit: number): number[] {
  let weights = frequencies.slice();
  for (;;) {
    const lengths = weights.map(() => 0);
    let nodes = weights.flatMap((weight, symbol) => (weight > 0 ? [{ weight, symbols: [symbol] }] : []));
    while (nodes.length > 1) {
      nodes.sort((a, b) => a.weight - b.weight);
      const [a, b] = [nodes[0]!, nodes[1]!];
      const symbols = [...a.symbols, ...b.symbols];
      for (const symbol of symbols) lengths[symbol]!++;
      nodes = [...nodes.slice(2), { weight: a.weight + b.weight, symbols }];
    }
    if (Math.max(...lengths) <= limit) return lengths;
    weights = weights.map((weight) => (weight + 1) >> 1);
  }
}

function canonicalCodes(lengths: number[]): number[] {
  const codes = lengths.map(() => 0);
  let code = 0;
  for (let length = 1; length <= 16; length++) {
    lengths.forEach((l, symbol) => {
      if (l === length) codes[symbol] = code++;
    });
    code <<= 1;
  }
  return codes;
}

/** A complete code needs two used symbols (a lone one would leave half the code space empty). */
function atLeastTwo(frequencies: number[]): number[] {
  const out = frequencies.slice();
  for (let symbol = 0; out.filter((f) => f > 0).length < 2; symbol++) if (out[symbol] === 0) out[symbol] = 1;
  return out;
}

class Tree {
  readonly codes: number[];
  constructor(readonly lengths: number[]) {
    this.codes = canonicalCodes(lengths);
  }
  write(writer: BitWriter, symbol: number): void {
    if (this.lengths[symbol] === 0) throw new Error(`symbol ${symbol} has no code`);
    writer.bits(this.codes[symbol]!, this.lengths[symbol]!);
  }
}

/** Writes lengths[from…to) through a pretree as deltas from previous[], using every pretree code. */
function writeLengths(writer: BitWriter, lengths: number[], previous: number[], from: number, to: number): void {
  const items: { code: number; extra?: [number, number]; then?: number }[] = [];
  for (let i = from; i < to; ) {
    let run = 1;
    while (i + run < to && lengths[i + run] === lengths[i]) run++;
    const delta = (previous[i]! - lengths[i]! + 17) % 17;
    if (lengths[i] === 0 && run >= 20) {
      run = Math.min(run, 51);
      items.push({ code: 18, extra: [run - 20, 5] });
    } else if (lengths[i] === 0 && run >= 4) {
      run = Math.min(run, 19);
      items.push({ code: 17, extra: [run - 4, 4] });
    } else if (run >= 4) {
      run = Math.min(run, 5);
      items.push({ code: 19, extra: [run - 4, 1], then: delta });
    } else {
      run = 1;
      items.push({ code: delta });
    }
    i += run;
  }
  const frequencies = new Array<number>(20).fill(0);
  for (const item of items) {
    frequencies[item.code]!++;
    if (item.then !== undefined) frequencies[item.then]!++;
  }
  const pretree = new Tree(huffmanLengths(atLeastTwo(frequencies), 15));
  for (const length of pretree.lengths) writer.bits(length, 4);
  for (const item of items) {
    pretree.write(writer, item.code);
    if (item.extra !== undefined) writer.bits(item.extra[0], item.extra[1]);
    if (item.then !== undefined) pretree.write(writer, item.then);
  }
  for (let i = from; i < to; i++) previous[i] = lengths[i]!;
}

/** The encoder's E8 preprocessing: relative call targets become absolute, frame by frame. */
function translateCallsForward(data: Buffer, size: number): void {
  for (let frame = 0; frame < data.length; frame += FRAME) {
    const limit = Math.min(frame + FRAME, data.length) - 10;
    for (let i = frame; i < limit; ) {
      if (data[i] !== 0xe8) {
        i++;
        continue;
      }
      const relative = data.readInt32LE(i + 1);
      if (relative >= -i && relative < size) data.writeInt32LE(relative < size - i ? relative + i : relative - size, i + 1);
      i += 5;
    }
  }
}

interface LzxOptions {
  windowBits: number;
  /** Block types used in turn: 1 verbatim, 2 aligned offset, 3 uncompressed. */
  blockTypes: number[];
  blockSize: number;
  translationSize?: number;
}

interface Token {
  length: number;
  literal?: number;
  slot?: number;
  extra?: number;
}

/** Compresses `input` into LZX frames, one buffer per 32 KB of input. */
function lzxCompress(input: Buffer, options: LzxOptions): Buffer[] {
  const data = Buffer.from(input);
  if (options.translationSize !== undefined) translateCallsForward(data, options.translationSize);
  const maxOffset = 2 ** options.windowBits - 3;
  const mainSymbols = 256 + 8 * LZX_SLOTS[options.windowBits]!;
  const previousMain = new Array<number>(mainSymbols).fill(0);
  const previousLength = new Array<number>(249).fill(0);
  const repeats = [1, 1, 1];
  const writer = new BitWriter();
  const frames: Buffer[] = [];
  let pos = 0;
  const endOfByte = () => {
    pos++;
    if (pos % FRAME === 0 || pos === data.length) frames.push(writer.take());
  };

  const head = new Map<number, number>();
  const chain = new Int32Array(data.length).fill(-1);
  const key = (p: number) => data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
  const insert = (p: number) => {
    if (p + 2 >= data.length) return;
    chain[p] = head.get(key(p)) ?? -1;
    head.set(key(p), p);
  };
  const matchLength = (from: number, to: number, max: number) => {
    let length = 0;
    while (length < max && data[from + length] === data[to + length]) length++;
    return length;
  };

  writer.bits(options.translationSize === undefined ? 0 : 1, 1);
  if (options.translationSize !== undefined) {
    writer.bits(options.translationSize >>> 16, 16);
    writer.bits(options.translationSize & 0xffff, 16);
  }

  for (let block = 0; pos < data.length; block++) {
    const type = options.blockTypes[block % options.blockTypes.length]!;
    const size = Math.min(options.blockSize, data.length - pos);
    writer.bits(type, 3);
    writer.bits(size >>> 8, 16);
    writer.bits(size & 0xff, 8);
    if (type === 3) {
      writer.padForBytes();
      for (const offset of repeats) writer.uint32(offset);
      for (let i = 0; i < size; i++) {
        insert(pos);
        writer.byte(data[pos]!);
        if (i === size - 1 && size % 2 === 1) writer.byte(0);
        endOfByte();
      }
      continue;
    }

    // Greedy parsing, preferring repeated offsets; no match crosses a frame or the block's end.
    const tokens: Token[] = [];
    for (let p = pos, end = pos + size; p < end; ) {
      const limit = Math.min(end, (Math.floor(p / FRAME) + 1) * FRAME);
      const max = Math.min(257, limit - p);
      let best = { length: 0, offset: 0 };
      for (const offset of repeats) {
        if (offset <= p && max >= 2) {
          const length = matchLength(p - offset, p, max);
          if (length > best.length) best = { length, offset };
        }
      }
      if (best.length < 3 && max >= 3 && p + 2 < data.length) {
        for (let candidate = head.get(key(p)) ?? -1, tries = 0; candidate >= 0 && tries < 48; candidate = chain[candidate]!, tries++) {
          if (p - candidate > maxOffset) break;
          const length = matchLength(candidate, p, max);
          if (length > best.length) best = { length, offset: p - candidate };
        }
      }
      if (best.length < 2 || (best.length < 3 && !repeats.includes(best.offset))) {
        tokens.push({ length: 1, literal: data[p]! });
        insert(p);
        p++;
        continue;
      }
      const [r0, r1, r2] = repeats as [number, number, number];
      let slot: number;
      let extra = 0;
      if (best.offset === r0) {
        slot = 0;
      } else if (best.offset === r1) {
        slot = 1;
        repeats[0] = r1;
        repeats[1] = r0;
      } else if (best.offset === r2) {
        slot = 2;
        repeats[0] = r2;
        repeats[2] = r0;
      } else {
        const formatted = best.offset + 2;
        slot = LZX_BASE.findLastIndex((base) => base <= formatted);
        extra = formatted - LZX_BASE[slot]!;
        repeats[2] = r1;
        repeats[1] = r0;
        repeats[0] = best.offset;
      }
      tokens.push({ length: best.length, slot, extra });
      for (let k = 0; k < best.length; k++) insert(p + k);
      p += best.length;
    }

    const mainFrequencies = new Array<number>(mainSymbols).fill(0);
    const lengthFrequencies = new Array<number>(249).fill(0);
    const alignedFrequencies = new Array<number>(8).fill(1);
    for (const token of tokens) {
      if (token.literal !== undefined) {
        mainFrequencies[token.literal]!++;
        continue;
      }
      mainFrequencies[256 + token.slot! * 8 + Math.min(token.length - 2, 7)]!++;
      if (token.length - 2 >= 7) lengthFrequencies[token.length - 9]!++;
      if (type === 2 && lzxExtraBits(token.slot!) >= 3) alignedFrequencies[token.extra! & 7]!++;
    }
    const aligned = new Tree(huffmanLengths(alignedFrequencies, 7));
    const main = new Tree(huffmanLengths(atLeastTwo(mainFrequencies), 16));
    // No long match leaves the length tree empty, which the format allows.
    const used = lengthFrequencies.filter((f) => f > 0).length;
    const length = new Tree(used === 0 ? lengthFrequencies : huffmanLengths(atLeastTwo(lengthFrequencies), 16));
    if (type === 2) for (const l of aligned.lengths) writer.bits(l, 3);
    writeLengths(writer, main.lengths, previousMain, 0, 256);
    writeLengths(writer, main.lengths, previousMain, 256, mainSymbols);
    writeLengths(writer, length.lengths, previousLength, 0, 249);

    for (const token of tokens) {
      if (token.literal !== undefined) {
        main.write(writer, token.literal);
      } else {
        main.write(writer, 256 + token.slot! * 8 + Math.min(token.length - 2, 7));
        if (token.length - 2 >= 7) length.write(writer, token.length - 9);
        const extraBits = token.slot! < 3 ? 0 : lzxExtraBits(token.slot!);
        if (type === 2 && extraBits >= 3) {
          writer.bits(token.extra! >>> 3, extraBits - 3);
          aligned.write(writer, token.extra! & 7);
        } else {
          writer.bits(token.extra!, extraBits);
        }
      }
      pos += token.length - 1;
      endOfByte();
    }
  }
  return frames;
}

/** A one-member LZX cabinet around compressed frames. */
function lzxCabinet(original: Buffer, frames: Buffer[], windowBits: number, name = 'member.bin'): Buffer {
  const blocks = frames.map((data, i) => ({ data, uncompressed: Math.min(FRAME, original.length - i * FRAME) }));
  return assembleCabinet([{ compression: 3 | (windowBits << 8), blocks }], [{ name, size: original.length, folder: 0 }]);
}

/**
 * Data that looks like x86 code: call instructions (E8 and a 32-bit displacement) among text,
 * including the edge cases of E8 translation with `translationSize`.
 */
function codeLike(length: number, seed: number, translationSize: number): Buffer {
  const next = random(seed);
  const out = text(length, seed);
  for (let i = 0; i + 5 <= length; i += 7 + (next() % 40)) {
    out[i] = 0xe8;
    const kind = next() % 4;
    const value = kind === 0 ? -(next() % (i + 1)) : kind === 1 ? next() * 100 : kind === 2 ? -(next() * 1000) : next() % 5000;
    out.writeInt32LE(value | 0, i + 1);
  }
  // Calls on the edges of the translated range: stored as absolute 0, -position, size - 1, size.
  for (const [at, relative] of [[100, -100], [200, translationSize - 200], [300, translationSize - 301], [400, translationSize]] as const) {
    out.fill(0x20, at - 5, at + 5);
    out[at] = 0xe8;
    out.writeInt32LE(relative, at + 1);
  }
  // Before each frame end: a call at the last translated position (11 bytes before the end) or at
  // the first untranslated one (10 before), and an E8 byte inside an untranslated displacement,
  // followed by bytes that would translate if it were taken for a call.
  const ends = [];
  for (let end = FRAME; end < length; end += FRAME) ends.push(end);
  ends.push(length);
  ends.forEach((end, i) => {
    out.fill(0x20, end - 40, end);
    const at = end - (i % 2 === 0 ? 11 : 10);
    out[at] = 0xe8;
    out.writeInt32LE(1000, at + 1);
    out.set([0xe8, 0xe8, 0x10, 0x20, 0x7f, 0x00], end - 30);
  });
  return out;
}

interface Built {
  original: Buffer;
  cab: Buffer;
}

/** A test input built once, on first use, for both our reader and cabextract. */
function once(make: () => Built): () => Built {
  let built: Built | undefined;
  return () => (built ??= make());
}

function lzxCase(title: string, data: () => Buffer, options: LzxOptions): { title: string; build: () => Built } {
  return {
    title,
    build: once(() => {
      const original = data();
      return { original, cab: lzxCabinet(original, lzxCompress(original, options), options.windowBits) };
    }),
  };
}

const lzxCases = [
  lzxCase('verbatim, aligned and uncompressed blocks across frames, with E8 translation (2^16 window)', () => codeLike(150_000, 1, 12_000_000), {
    windowBits: 16,
    blockTypes: [1, 2, 3],
    blockSize: 20_001,
    translationSize: 12_000_000,
  }),
  lzxCase(
    'aligned blocks spanning frames, long matches and offsets needing 17 extra bits (2^21 window)',
    () => {
      const chunk = Buffer.concat([randomBytes(150_000, 2), text(120_000, 3)]);
      return Buffer.concat([chunk, chunk.subarray(0, 20_000), text(5_000, 4)]);
    },
    { windowBits: 21, blockTypes: [2, 1], blockSize: 70_000 },
  ),
  lzxCase('odd-sized uncompressed blocks between verbatim ones, E8 on (2^15 window)', () => codeLike(70_001, 5, 65_536), {
    windowBits: 15,
    blockTypes: [3, 1],
    blockSize: 4_097,
    translationSize: 65_536,
  }),
  lzxCase('a single short frame (2^18 window)', () => text(1_000, 6), { windowBits: 18, blockTypes: [1], blockSize: 32_768 }),
];

/** Random bytes repeating every 20,000 bytes, 98,304 bytes long (three blocks). */
function periodic(): Buffer {
  const period = randomBytes(20_000, 11);
  return Buffer.concat([period, period, period, period, period]).subarray(0, 3 * 32_768);
}

const writerSamples: { title: string; data: Buffer }[] = [
  { title: 'text over 32 KB', data: text(100_000, 10) },
  { title: 'a 20,000-byte period matched across blocks', data: periodic() },
  { title: 'incompressible data', data: randomBytes(70_000, 12) },
  { title: 'exactly one block', data: text(32_768, 13) },
  { title: 'a 0-byte member', data: Buffer.alloc(0) },
];
const methods = ['mszip', 'none'] as const;

const utf8Name = 'données-ü.xml';

/** A cabinet with reserved areas in the header, the folder and each data block. */
function reservedCabinet(): Built {
  const original = text(50_000, 14);
  const source = writeCabinet('r.txt', original, 'mszip');
  const blocks = dataBlockOffsets(source).map((at) => ({
    data: source.subarray(at + 8, at + 8 + source.readUInt16LE(at + 4)),
    uncompressed: source.readUInt16LE(at + 6),
    checksum: source.readUInt32LE(at),
  }));
  const cab = assembleCabinet([{ compression: 1, blocks }], [{ name: 'r.txt', size: original.length, folder: 0 }], {
    reserve: { header: 20, folder: 3, data: 5 },
  });
  return { original, cab };
}

// ---------------------------------------------------------------------------------------------

describe('cabinet reader and writer (src/protocol/cab)', () => {
  describe('the recorded WSUS XmlUpdateBlobCompressed values', () => {
    for (const [index, blob] of realBlobs.entries()) {
      it(`decodes exchange ${blob.exchange} to exactly its reference document`, () => {
        const xml = readUpdateBlob(blob.base64, `exchange ${blob.exchange}`).xml;
        expect(Buffer.from(xml, 'utf8').equals(blob.document)).to.equal(true);
        const files = readCabinet(realCabinet(index), TARGET);
        expect(files.map((file) => file.name)).to.deep.equal(['blob']);
        expect(files[0]!.data.equals(Buffer.from(blob.document.toString('utf8'), 'utf16le'))).to.equal(true);
      });
    }

    it('are LZX cabinets with a 2^21 window and E8 translation, one spanning three frames', () => {
      const cab = realCabinet(0);
      expect(cab.readUInt16LE(42)).to.equal(0x1503);
      expect(cab.readUInt16LE(40)).to.equal(3);
      // The first bit of the first little-endian word says E8 translation is on.
      expect(cab[0x41 + 8 + 1]! & 0x80).to.equal(0x80);
    });

    it('fail the checksum when a compressed byte changes', () => {
      const cab = realCabinet(1);
      cab[dataBlockOffsets(cab)[0]! + 8 + 100]! ^= 0x10;
      expectCabinetError(() => readCabinet(cab, TARGET), 'CabinetChecksum', /data block 0 of folder 0 fails its checksum/);
    });

    it('never fail untyped, whatever bytes are corrupted (checksums off)', () => {
      const next = random(99);
      let failures = 0;
      for (let round = 0; round < 600; round++) {
        const cab = realCabinet(round % realBlobs.length);
        for (const at of dataBlockOffsets(cab)) cab.writeUInt32LE(0, at);
        for (let flips = 1 + (next() % 3); flips > 0; flips--) {
          // Mostly the compressed data, sometimes the structures before it.
          const at = next() % 5 === 0 ? next() % 0x50 : 0x41 + (next() % (cab.length - 0x41));
          cab[at]! ^= 1 << (next() % 8);
        }
        try {
          readCabinet(cab, TARGET);
        } catch (error) {
          expect(error).to.be.instanceOf(InvalidDataError);
          failures++;
        }
      }
      expect(failures).to.be.greaterThan(100);
    });
  });

  describe('LZX', () => {
    it('decodes the [MS-PATCH] uncompressed block example ("abc")', () => {
      const frame = Buffer.from('0030300001000000010000000100000061626300', 'hex');
      const cab = lzxCabinet(Buffer.from('abc'), [frame], 15);
      expect(readCabinet(cab, TARGET)[0]!.data.toString('latin1')).to.equal('abc');
    });

    for (const { title, build } of lzxCases) {
      it(`round-trips ${title}`, () => {
        const { original, cab } = build();
        const ours = readCabinet(cab, TARGET)[0]!.data;
        expect(ours.length).to.equal(original.length);
        expect(ours.equals(original)).to.equal(true);
      });
    }

    it('refuses invalid block types', () => {
      for (const first of ['0000', '0050', '0070']) {
        // E8 bit 0, then block type 0, 5 or 7.
        const cab = lzxCabinet(Buffer.alloc(3), [Buffer.from(`${first}00000000`, 'hex')], 15);
        expectCabinetError(() => readCabinet(cab, TARGET), 'LzxCorrupt', /invalid block type [057] in the LZX data of data block 0 of folder 0/);
      }
    });

    it('refuses a truncated frame', () => {
      const original = text(20_000, 7);
      const frame = lzxCompress(original, { windowBits: 16, blockTypes: [1], blockSize: 32_768 })[0]!;
      const cab = lzxCabinet(original, [frame.subarray(0, frame.length >> 1)], 16);
      expectCabinetError(() => readCabinet(cab, TARGET), 'LzxCorrupt', /ends early/);
    });

    it('refuses an uncompressed block cut short', () => {
      const cab = lzxCabinet(Buffer.alloc(8), [Buffer.from('003080000100000001000000010000006162', 'hex')], 15);
      expectCabinetError(() => readCabinet(cab, TARGET), 'LzxCorrupt', /uncompressed block ends early/);
    });

    it('refuses a match before the start of the data', () => {
      // An uncompressed block of 1 byte setting R0 to 5, then a verbatim block whose only symbol
      // is a repeat match: its pretree and trees are written by the test compressor's parts.
      const writer = new BitWriter();
      writer.bits(0, 1);
      writer.bits(3, 3);
      writer.bits(0, 16);
      writer.bits(1, 8);
      writer.padForBytes();
      for (const r of [5, 1, 1]) writer.uint32(r);
      writer.byte(0x41);
      writer.byte(0);
      writer.bits(1, 3);
      writer.bits(0, 16);
      writer.bits(4, 8);
      const main = new Array<number>(256 + 8 * 30).fill(0);
      main[256 + 2] = 1; // repeat slot 0 (R0), length 4
      main[0x41] = 1;
      const previous = new Array<number>(main.length).fill(0);
      writeLengths(writer, main, previous, 0, 256);
      writeLengths(writer, main, previous, 256, main.length);
      writeLengths(writer, new Array<number>(249).fill(0), new Array<number>(249).fill(0), 0, 249);
      new Tree(main).write(writer, 256 + 2);
      const cab = lzxCabinet(Buffer.alloc(5), [writer.take()], 15);
      expectCabinetError(() => readCabinet(cab, TARGET), 'LzxCorrupt', /match offset 5 before the start of the data/);
    });

    it('refuses a non-final data block that is not a whole 32 KB frame', () => {
      const original = text(40_000, 8);
      const frames = lzxCompress(original, { windowBits: 16, blockTypes: [1], blockSize: 32_768 });
      const blocks = frames.map((data, i) => ({ data, uncompressed: i === 0 ? 30_000 : 10_000 }));
      const cab = assembleCabinet([{ compression: 0x1003, blocks }], [{ name: 'x', size: 40_000, folder: 0 }]);
      expectCabinetError(() => readCabinet(cab, TARGET), 'CabinetInvalid', /LZX data block 0 of folder 0 is not a whole 32 KB frame/);
    });
  });

  describe('MSZIP and stored cabinets', () => {
    it('reads gcab MSZIP output: several blocks, a folder path and a 0-byte member', () => {
      const files = readCabinet(fs.readFileSync(path.join(cabFixtures, 'gcab-mszip.cab')), TARGET);
      expect(files.map((file) => [file.name, file.data.length, sha256(file.data)])).to.deep.equal([
        ['notes.txt', 100_010, 'b1946fe39756edba09e70d576f00f33da76b05ccda15d3ac8e77c54b95e362fc'],
        ['dir\\random.bin', 5_000, 'faa4ffcbf0b710f46733a49aa3967be46f2db41351c5d382bc5a56aacb609136'],
        ['empty.txt', 0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ]);
      expect(files[0]!.attributes & 0x20).to.equal(0x20);
    });

    it('reads gcab stored output', () => {
      const files = readCabinet(fs.readFileSync(path.join(cabFixtures, 'gcab-stored.cab')), TARGET);
      expect(files.map((file) => [file.name, sha256(file.data)])).to.deep.equal([
        ['small.txt', 'f787b335ec5e47b78f431f03de019762ce91381491e3375a4eceee50e491536a'],
        ['empty.txt', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ]);
    });

    for (const method of methods) {
      for (const { title, data } of writerSamples) {
        it(`round-trips ${title} (${method})`, () => {
          const cab = writeCabinet('member.bin', data, method);
          const files = readCabinet(cab, TARGET);
          expect(files).to.have.length(1);
          expect(files[0]!.name).to.equal('member.bin');
          expect(files[0]!.data.equals(data)).to.equal(true);
          expect(cab.readUInt16LE(40)).to.equal(Math.ceil(data.length / 32_768));
        });
      }
    }

    it('uses the previous block as the deflate dictionary', () => {
      // Without it, each later block would start with 20,000 incompressible bytes of its own.
      expect(writeCabinet('x', periodic(), 'mszip').length).to.be.lessThan(22_000);
    });

    it('writes a UTF-8 member name with the name-is-UTF-8 attribute', () => {
      const [file] = readCabinet(writeCabinet(utf8Name, Buffer.from('x'), 'mszip'), TARGET);
      expect(file!.name).to.equal(utf8Name);
      expect(file!.attributes).to.equal(0x80);
    });

    it('reads reserved header, folder and data areas', () => {
      const { original, cab } = reservedCabinet();
      expect(readCabinet(cab, TARGET)[0]!.data.equals(original)).to.equal(true);
    });

    it('reads several folders with different methods, files sharing a folder', () => {
      const a = text(40_000, 15);
      const b = randomBytes(1_000, 16);
      const fromWriter = writeCabinet('a', a, 'mszip');
      const mszipBlocks = dataBlockOffsets(fromWriter).map((at) => ({
        data: fromWriter.subarray(at + 8, at + 8 + fromWriter.readUInt16LE(at + 4)),
        uncompressed: fromWriter.readUInt16LE(at + 6),
      }));
      const cab = assembleCabinet(
        [
          { compression: 0, blocks: storedBlocks(b) },
          { compression: 1, blocks: mszipBlocks },
        ],
        [
          { name: 'b-head', size: 400, folder: 0 },
          { name: 'a', size: a.length, folder: 1 },
          { name: 'b-tail', size: 600, folder: 0, start: 400 },
        ],
      );
      const files = readCabinet(cab, TARGET);
      expect(files.map((file) => file.name)).to.deep.equal(['b-head', 'a', 'b-tail']);
      expect(Buffer.concat([files[0]!.data, files[2]!.data]).equals(b)).to.equal(true);
      expect(files[1]!.data.equals(a)).to.equal(true);
    });
  });

  describe('bad cabinets', () => {
    const good = () => writeCabinet('member.bin', text(40_000, 20), 'mszip');

    it('refuses a wrong signature', () => {
      const cab = good();
      cab.write('MSCG', 0, 'latin1');
      expectCabinetError(() => readCabinet(cab, TARGET), 'CabinetInvalid', /signature is not MSCF/);
    });

    it('refuses a truncated header', () => {
      expectCabinetError(() => readCabinet(good().subarray(0, 20), TARGET), 'CabinetInvalid', /header is truncated \(20 bytes/);
      expectCabinetError(() => readCabinet(Buffer.alloc(0), TARGET), 'CabinetInvalid', /header is truncated/);
    });

    it('refuses truncated data', () => {
      const cab = good();
      expectCabinetError(() => readCabinet(cab.subarray(0, cab.length - 100), TARGET), 'CabinetInvalid', /declares \d+ bytes but only \d+ are present/);
      const cut = Buffer.from(cab.subarray(0, cab.length - 100));
      cut.writeUInt32LE(cut.length, 8);
      expectCabinetError(() => readCabinet(cut, TARGET), 'CabinetInvalid', /data block 1 of folder 0 at offset \d+ runs past the end/);
      const real = realCabinet(2);
      const half = Buffer.from(real.subarray(0, 0x200));
      half.writeUInt32LE(half.length, 8);
      expectCabinetError(() => readCabinet(half, TARGET), 'CabinetInvalid', /data block 0 of folder 0/);
    });

    it('refuses a corrupt checksum', () => {
      const cab = good();
      const at = dataBlockOffsets(cab)[1]!;
      cab.writeUInt32LE(cab.readUInt32LE(at) ^ 1, at);
      expectCabinetError(() => readCabinet(cab, TARGET), 'CabinetChecksum', /data block 1 of folder 0 fails its checksum/);
    });

    it('refuses an unknown version', () => {
      const cab = assembleCabinet([{ compression: 0, blocks: storedBlocks(Buffer.from('x')) }], [{ name: 'x', size: 1, folder: 0 }], { version: [1, 2] });
      expectCabinetError(() => readCabinet(cab, TARGET), 'CabinetInvalid', /version is 1\.2/);
    });

    it('refuses multi-cabinet sets', () => {
      for (const flags of [1, 2, 3]) {
        const cab = good();
        cab.writeUInt16LE(flags, 30);
        expectCabinetError(() => readCabinet(cab, TARGET), 'CabinetMultiVolume', /multi-cabinet set/);
      }
      const continued = good();
      continued.writeUInt16LE(0xfffd, 44 + 8);
      expectCabinetError(() => readCabinet(continued, TARGET), 'CabinetMultiVolume', /file "member.bin" spans cabinets/);
      const split = assembleCabinet([{ compression: 0, blocks: [{ data: Buffer.from('abc'), uncompressed: 0 }] }], [{ name: 'x', size: 0, folder: 0 }]);
      expectCabinetError(() => readCabinet(split, TARGET), 'CabinetMultiVolume', /continues in another cabinet/);
    });

    it('refuses Quantum and unknown methods and out-of-range LZX windows', () => {
      for (const [compression, message] of [
        [0x0002, /Quantum/],
        [0x1102, /Quantum/],
        [0x0004, /unknown compression type 0x4/],
        [0x1603, /LZX window of 2\^22/],
        [0x0e03, /LZX window of 2\^14/],
      ] as const) {
        const cab = assembleCabinet([{ compression, blocks: storedBlocks(Buffer.from('abc')) }], [{ name: 'x', size: 3, folder: 0 }]);
        expectCabinetError(() => readCabinet(cab, TARGET), 'CabinetUnsupportedMethod', message);
      }
    });

    it('refuses declared sizes that lie', () => {
      const tooLong = good();
      tooLong.writeUInt32LE(40_001, 44);
      expectCabinetError(() => readCabinet(tooLong, TARGET), 'CabinetInvalid', /file "member.bin" declares bytes 0 to 40001 of folder 0, which holds 40000/);

      const blockClaimsMore = good();
      const at = dataBlockOffsets(blockClaimsMore)[1]!;
      blockClaimsMore.writeUInt16LE(blockClaimsMore.readUInt16LE(at + 6) + 1, at + 6);
      blockClaimsMore.writeUInt32LE(0, at);
      expectCabinetError(() => readCabinet(blockClaimsMore, TARGET), 'MszipCorrupt', /data block 1 of folder 0 inflates to 7232 bytes but declares 7233/);

      const blockClaimsLess = good();
      blockClaimsLess.writeUInt16LE(30_000, dataBlockOffsets(blockClaimsLess)[0]! + 6);
      blockClaimsLess.writeUInt32LE(0, dataBlockOffsets(blockClaimsLess)[0]!);
      blockClaimsLess.writeUInt32LE(37_232, 44);
      expectCabinetError(() => readCabinet(blockClaimsLess, TARGET), 'MszipCorrupt', /data block 0 of folder 0 inflates to more than the declared 30000 bytes/);

      const stored = assembleCabinet([{ compression: 0, blocks: [{ data: Buffer.from('abc'), uncompressed: 4 }] }], [{ name: 'x', size: 4, folder: 0 }]);
      expectCabinetError(() => readCabinet(stored, TARGET), 'CabinetInvalid', /stored data block 0 of folder 0 holds 3 bytes but declares 4/);

      const overBlock = assembleCabinet([{ compression: 0, blocks: [{ data: Buffer.alloc(0), uncompressed: 40_000 }] }], [{ name: 'x', size: 1, folder: 0 }]);
      expectCabinetError(() => readCabinet(overBlock, TARGET), 'CabinetInvalid', /declares 40000 uncompressed bytes, more than 32768/);

      const filesPastEnd = good();
      filesPastEnd.writeUInt32LE(filesPastEnd.length - 10, 16);
      expectCabinetError(() => readCabinet(filesPastEnd, TARGET), 'CabinetInvalid', /file entry 0 at offset \d+ runs past the end/);

      const noFolder = good();
      noFolder.writeUInt16LE(1, 44 + 8);
      expectCabinetError(() => readCabinet(noFolder, TARGET), 'CabinetInvalid', /file "member.bin" is in folder 1 but there are 1 folders/);
    });

    it('refuses more than 256 MB of declared output before allocating it', () => {
      const blocks = Array.from({ length: 8_193 }, () => ({ data: Buffer.alloc(0), uncompressed: 32_768 }));
      const cab = assembleCabinet([{ compression: 0, blocks }], [{ name: 'x', size: 1, folder: 0 }]);
      expectCabinetError(() => readCabinet(cab, TARGET), 'CabinetTooLarge', /more than 268435456 uncompressed bytes/);
    });

    it('refuses an MSZIP block without its signature or with broken deflate data', () => {
      const cab = good();
      const at = dataBlockOffsets(cab)[0]!;
      cab.writeUInt32LE(0, at);
      cab[at + 8] = 0x58;
      expectCabinetError(() => readCabinet(cab, TARGET), 'MszipCorrupt', /data block 0 of folder 0 does not start with "CK"/);
      const broken = good();
      const first = dataBlockOffsets(broken)[0]!;
      broken.writeUInt32LE(0, first);
      broken.fill(0xff, first + 10, first + 40);
      expectCabinetError(() => readCabinet(broken, TARGET), 'MszipCorrupt', /data block 0 of folder 0 does not inflate/);
    });
  });

  describe('update blobs', () => {
    const docs = fs.readdirSync(path.join(wsusssRecorded, 'docs')).filter((name) => name.endsWith('.xml'));

    it('round-trips every reference document through encodeUpdateBlob and readUpdateBlob', () => {
      expect(docs).to.have.length.greaterThan(2);
      for (const name of docs) {
        const document = fs.readFileSync(path.join(wsusssRecorded, 'docs', name));
        const blob = encodeUpdateBlob(document.toString('utf8'));
        expect(Buffer.from(readUpdateBlob(blob, name).xml, 'utf8').equals(document)).to.equal(true);
      }
    });

    it('accepts a byte order mark and line-wrapped base64', () => {
      const xml = '<upd:Update xmlns:upd="x">é ✓ 𝄞</upd:Update>';
      const withBom = writeCabinet('blob', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]), 'none');
      const wrapped = withBom.toString('base64').replace(/.{60}/g, '$&\r\n');
      expect(readUpdateBlob(wrapped, 'bom').xml).to.equal(xml);
    });

    it('refuses what is not a one-member UTF-16LE cabinet named blob', () => {
      const blobError = (base64: string, message: RegExp) => {
        let caught: unknown;
        try {
          readUpdateBlob(base64, 'the blob').xml;
        } catch (error) {
          caught = error;
        }
        expect(caught).to.be.instanceOf(InvalidDataError);
        expect((caught as InvalidDataError).code).to.equal('UpdateBlobInvalid');
        expect((caught as InvalidDataError).target).to.equal('the blob');
        expect((caught as InvalidDataError).message).to.match(message);
      };
      blobError('TVNDRg*AAAA', /not base64/);
      blobError('TVNDRgA', /not base64/);
      blobError(fs.readFileSync(path.join(cabFixtures, 'gcab-mszip.cab')).toString('base64'), /"notes.txt", "dir\\random.bin", "empty.txt" instead of one member "blob"/);
      blobError(writeCabinet('other', Buffer.from('<a/>', 'utf16le'), 'mszip').toString('base64'), /"other" instead/);
      blobError(writeCabinet('blob', Buffer.from('<a/>x', 'latin1'), 'mszip').toString('base64'), /odd length \(5 bytes\)/);
      blobError(writeCabinet('blob', Buffer.from([0x3c, 0, 0x00, 0xd8, 0x3e, 0]), 'mszip').toString('base64'), /not valid UTF-16LE/);
      expectCabinetError(() => readUpdateBlob(Buffer.from('MSCF').toString('base64'), 'the blob').xml, 'CabinetInvalid', /header is truncated/, 'the blob');
    });

    it('refuses to encode text with an unpaired surrogate', () => {
      for (const text of ['<a>\ud800</a>', '<a>\udc00</a>', '<a>\ude00\ud83d</a>', '<a>\ud83d']) {
        expect(() => encodeUpdateBlob(text), JSON.stringify(text)).to.throw(InvalidArgumentError, /unpaired surrogate/);
      }
      // A pair is one character outside the BMP, encoded as it is.
      expect(readUpdateBlob(encodeUpdateBlob('<a>\ud83d\ude00</a>'), 'the blob').xml).to.equal('<a>\ud83d\ude00</a>');
    });

    it('refuses member names a cabinet cannot hold', () => {
      for (const name of ['', 'a\0b', 'x'.repeat(256)]) {
        let caught: unknown;
        try {
          writeCabinet(name, Buffer.alloc(1), 'none');
        } catch (error) {
          caught = error;
        }
        expect(caught).to.be.instanceOf(InvalidArgumentError);
        expect((caught as InvalidArgumentError).code).to.equal('CabinetInvalidName');
      }
    });
  });

  describe(`agreement with Debian's cabextract (libmspack)${cabextractAvailable ? '' : ' [SKIPPED: cabextract is not on PATH]'}`, () => {
    before(function () {
      if (!cabextractAvailable) this.skip();
    });

    for (const [index, blob] of realBlobs.entries()) {
      it(`extracts the same blob from exchange ${blob.exchange}`, () => {
        const cab = realCabinet(index);
        const theirs = cabextract(cab);
        expect([...theirs.keys()]).to.deep.equal(['blob']);
        expect(theirs.get('blob')!.equals(readCabinet(cab, TARGET)[0]!.data)).to.equal(true);
      });
    }

    for (const { title, build } of lzxCases) {
      it(`extracts the original from the test LZX cabinet with ${title}`, () => {
        const { original, cab } = build();
        expect(cabextract(cab).get('member.bin')!.equals(original)).to.equal(true);
      });
    }

    for (const method of methods) {
      for (const { title, data } of writerSamples) {
        it(`extracts what writeCabinet wrote: ${title} (${method})`, () => {
          const theirs = cabextract(writeCabinet('member.bin', data, method));
          expect([...theirs.keys()]).to.deep.equal(['member.bin']);
          expect(theirs.get('member.bin')!.equals(data)).to.equal(true);
        });
      }
    }

    it('extracts a UTF-8 member name', () => {
      expect([...cabextract(writeCabinet(utf8Name, Buffer.from('x'), 'mszip')).keys()]).to.deep.equal([utf8Name]);
    });

    it('extracts a cabinet with reserved areas', () => {
      const { original, cab } = reservedCabinet();
      expect(cabextract(cab).get('r.txt')!.equals(original)).to.equal(true);
    });

    it('extracts encodeUpdateBlob output as one UTF-16LE member "blob"', () => {
      const document = realBlobs[0]!.document.toString('utf8');
      const theirs = cabextract(Buffer.from(encodeUpdateBlob(document), 'base64'));
      expect([...theirs.keys()]).to.deep.equal(['blob']);
      expect(theirs.get('blob')!.equals(Buffer.from(document, 'utf16le'))).to.equal(true);
    });
  });
});
