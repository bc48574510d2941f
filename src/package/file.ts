/**
 * Reading and writing metadata packages on disk (gzip streams). Writes go to a temporary file that
 * is renamed into place, so an interrupted export never leaves a file that looks complete.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { InvalidDataError, IoError, NotFoundError } from '../errors.js';
import { type PackageHeader, type PackageRecord, PackageDecoder, PackageEncoder } from './format.js';

export async function writePackage(file: string, header: PackageHeader, records: Iterable<PackageRecord> | AsyncIterable<PackageRecord>): Promise<{ count: number; bytes: number }> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const encoder = new PackageEncoder();
  let count = 0;
  async function* lines() {
    yield encoder.header(header);
    for await (const record of records) {
      count++;
      yield encoder.record(record);
    }
    yield encoder.trailer();
  }
  try {
    await pipeline(Readable.from(lines()), zlib.createGzip({ level: 6 }), fs.createWriteStream(temp));
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    if (error instanceof InvalidDataError) throw error;
    throw new IoError('PackageWriteFailed', `Cannot write ${file}: ${(error as Error).message}`, { target: file, cause: error });
  }
  return { count, bytes: fs.statSync(file).size };
}

/**
 * Reads a package in batches of records. The trailer is verified after the last batch; a caller
 * that must not keep a partial import commits only after the iteration finished without error.
 */
export async function* readPackage(file: string, batchSize = 500): AsyncGenerator<{ header: PackageHeader; records: PackageRecord[] }> {
  if (!fs.existsSync(file)) throw new NotFoundError('PackageNotFound', `Metadata package ${file} does not exist`, { target: file });
  const decoder = new PackageDecoder(file);
  const gunzip = fs.createReadStream(file).pipe(zlib.createGunzip());
  let pending: PackageRecord[] = [];
  try {
    for await (const chunk of gunzip) {
      pending.push(...decoder.push(chunk as Buffer));
      while (pending.length >= batchSize) {
        yield { header: decoder.header!, records: pending.slice(0, batchSize) };
        pending = pending.slice(batchSize);
      }
    }
  } catch (error) {
    if (error instanceof InvalidDataError) throw error;
    throw new InvalidDataError('PackageCorrupt', `Metadata package ${file} is corrupt: ${(error as Error).message}`, { target: file, cause: error });
  }
  decoder.end();
  if (pending.length > 0 || decoder.header) yield { header: decoder.header!, records: pending };
}
