/**
 * The metadata package: what `corpus generate` and `metadata export` write and `metadata import`
 * reads (the disconnected path). Modelled on WSUS's export (`package.xml` + `metadata.txt` lines of
 * `guid,revision(hex8),length(hex8),xml`), as one gzip stream so it can be written and read without
 * holding the catalog in memory:
 *
 *   SUPSYNC-PACKAGE 1\n
 *   <ExportPackage …/> (package.xml, one line)\n
 *   <guid>,<revision hex8>,<byte length hex8>,<xml>\n   (one per revision; length = UTF-8 bytes of xml)
 *   END <count> <sha256 hex of all record lines>\n
 *
 * The trailer's count and digest let a reader refuse a truncated or altered package before anything
 * it read is committed.
 */
import crypto from 'node:crypto';
import { InvalidDataError } from '../errors.js';
import { canonicalGuid } from '../model/update.js';
import { attr, child, children, escapeXml, parseXml, textOf } from '../protocol/xml.js';

export const packageMagic = 'SUPSYNC-PACKAGE 1';

export interface PackageHeader {
  serverId: string;
  creationTime: string;
  formatVersion: string;
  protocolVersion: string;
  languages: string[];
  description?: string;
}

export interface PackageRecord {
  updateId: string;
  revisionNumber: number;
  xml: string;
}

export function headerLine(header: PackageHeader): string {
  return (
    `<ExportPackage ServerID="${escapeXml(header.serverId)}" CreationTime="${escapeXml(header.creationTime)}" FormatVersion="${escapeXml(header.formatVersion)}" ProtocolVersion="${escapeXml(header.protocolVersion)}">` +
    `<Languages>${header.languages.map((l) => `<Language Name="${escapeXml(l)}" />`).join('')}</Languages>` +
    (header.description ? `<Description>${escapeXml(header.description)}</Description>` : '') +
    `</ExportPackage>`
  );
}

export function parseHeaderLine(line: string, file: string): PackageHeader {
  const root = child(parseXml(line, `${file} (package.xml)`), 'ExportPackage');
  if (!root) throw new InvalidDataError('PackageInvalid', `${file}: the package header is not an ExportPackage element`, { target: file });
  const serverId = attr(root, 'ServerID');
  const creationTime = attr(root, 'CreationTime');
  if (!serverId || !creationTime) throw new InvalidDataError('PackageInvalid', `${file}: the package header lacks ServerID or CreationTime`, { target: file });
  return {
    serverId,
    creationTime,
    formatVersion: attr(root, 'FormatVersion') ?? '1.0',
    protocolVersion: attr(root, 'ProtocolVersion') ?? '1.20',
    languages: children(child(root, 'Languages'), 'Language').map((l) => attr(l, 'Name') ?? ''),
    ...(child(root, 'Description') ? { description: textOf(child(root, 'Description')) ?? '' } : {}),
  };
}

/** Encodes one record line (without hashing; the writer hashes what it writes). */
export function recordLine(record: PackageRecord): Buffer {
  const xml = Buffer.from(record.xml, 'utf8');
  const head = Buffer.from(`${record.updateId},${record.revisionNumber.toString(16).padStart(8, '0')},${xml.length.toString(16).padStart(8, '0')},`, 'latin1');
  return Buffer.concat([head, xml, Buffer.from('\n')]);
}

/** Incrementally writes a package: feed it to a gzip stream. */
export class PackageEncoder {
  readonly #hash = crypto.createHash('sha256');
  #count = 0;
  header(header: PackageHeader): Buffer {
    return Buffer.from(`${packageMagic}\n${headerLine(header)}\n`, 'utf8');
  }
  record(record: PackageRecord): Buffer {
    const line = recordLine(record);
    this.#hash.update(line);
    this.#count++;
    return line;
  }
  trailer(): Buffer {
    return Buffer.from(`END ${this.#count} ${this.#hash.digest('hex')}\n`, 'latin1');
  }
}

/**
 * Incrementally reads a package from decompressed chunks. `push` returns the complete records the
 * chunk finished; `end` checks the trailer (count and digest) and throws when the package is
 * truncated or altered.
 */
export class PackageDecoder {
  readonly #file: string;
  readonly #hash = crypto.createHash('sha256');
  #buffer: Buffer = Buffer.alloc(0);
  #header: PackageHeader | undefined;
  #sawMagic = false;
  #count = 0;
  #trailer: { count: number; digest: string } | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  get header(): PackageHeader | undefined {
    return this.#header;
  }

  push(chunk: Buffer): PackageRecord[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: PackageRecord[] = [];
    for (;;) {
      if (this.#trailer) {
        if (this.#buffer.length > 0) this.fail('data follows the END trailer');
        return out;
      }
      if (!this.#sawMagic || !this.#header) {
        const newline = this.#buffer.indexOf(0x0a);
        if (newline === -1) {
          if (this.#buffer.length > 1_000_000) this.fail('the package header is missing or longer than 1 MB');
          return out;
        }
        const line = this.#buffer.subarray(0, newline).toString('utf8');
        this.#buffer = this.#buffer.subarray(newline + 1);
        if (!this.#sawMagic) {
          if (line !== packageMagic) this.fail(`it does not start with "${packageMagic}" (not a supsync metadata package)`);
          this.#sawMagic = true;
        } else this.#header = parseHeaderLine(line, this.#file);
        continue;
      }
      if (this.#buffer.subarray(0, 4).toString('latin1') === 'END ') {
        const newline = this.#buffer.indexOf(0x0a);
        if (newline === -1) return out;
        const match = /^END (\d+) ([0-9a-f]{64})$/.exec(this.#buffer.subarray(0, newline).toString('latin1'));
        if (!match) this.fail('the END trailer is malformed');
        this.#trailer = { count: Number(match![1]), digest: match![2]! };
        this.#buffer = this.#buffer.subarray(newline + 1);
        continue;
      }
      // guid(36) , rev(8) , len(8) ,
      const headLength = 36 + 1 + 8 + 1 + 8 + 1;
      if (this.#buffer.length < headLength) return out;
      const head = this.#buffer.subarray(0, headLength).toString('latin1');
      const match = /^([0-9a-f-]{36}),([0-9a-f]{8}),([0-9a-f]{8}),$/.exec(head);
      if (!match || !canonicalGuid(match[1]!)) this.fail(`record ${this.#count + 1} has a malformed header "${head.replace(/[^\x20-\x7e]/g, '?')}"`);
      const length = parseInt(match![3]!, 16);
      if (this.#buffer.length < headLength + length + 1) return out;
      if (this.#buffer[headLength + length] !== 0x0a) this.fail(`record ${this.#count + 1} (${match![1]}) is not terminated where its length says`);
      const line = this.#buffer.subarray(0, headLength + length + 1);
      this.#hash.update(line);
      this.#count++;
      out.push({ updateId: match![1]!, revisionNumber: parseInt(match![2]!, 16), xml: line.subarray(headLength, headLength + length).toString('utf8') });
      this.#buffer = this.#buffer.subarray(headLength + length + 1);
    }
  }

  /** Verifies the trailer; call after the last chunk. */
  end(): { count: number } {
    if (!this.#header) this.fail('it ends before the package header');
    if (!this.#trailer) this.fail(`it is truncated: no END trailer after ${this.#count} records`);
    if (this.#trailer!.count !== this.#count) this.fail(`the trailer says ${this.#trailer!.count} records but the package holds ${this.#count}`);
    if (this.#hash.digest('hex') !== this.#trailer!.digest) this.fail('its content does not match the trailer digest (altered or damaged)');
    return { count: this.#count };
  }

  private fail(reason: string): never {
    throw new InvalidDataError('PackageCorrupt', `Metadata package ${this.#file} is corrupt: ${reason}`, { target: this.#file });
  }
}
