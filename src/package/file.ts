/**
 * Reading and writing metadata packages on disk (gzip streams). Writes go to a temporary file that
 * is renamed into place, so an interrupted export never leaves a file that looks complete.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { InvalidArgumentError, InvalidDataError, IoError, NotFoundError, SupsyncError } from '../errors.js';
import { checkOutputTarget, renameIntoPlace, temporaryBeside } from '../files/output-file.js';
import { type PackageHeader, type PackageRecord, PackageDecoder, PackageEncoder } from './format.js';

/** Writes a package through a temporary file beside `file`; `flag` names the option in errors. */
export async function writePackage(
  file: string,
  header: PackageHeader,
  records: Iterable<PackageRecord> | AsyncIterable<PackageRecord>,
  flag = '--path',
): Promise<{ count: number; bytes: number }> {
  checkOutputTarget(file, flag);
  const temp = temporaryBeside(file);
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
    await pipeline(Readable.from(lines()), zlib.createGzip({ level: 6 }), fs.createWriteStream(temp, { flags: 'wx' }));
    renameIntoPlace(temp, file, flag);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    if (error instanceof SupsyncError) throw error;
    throw new IoError('PackageWriteFailed', `Cannot write ${file}: ${(error as Error).message}`, { target: file, cause: error });
  }
  return { count, bytes: fs.statSync(file).size };
}

/** Refuses a package path that does not name a regular file, before anything is recorded. */
export function checkPackageFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new NotFoundError('PackageNotFound', `Metadata package ${file} does not exist`, { target: file });
  }
  if (!stat.isFile()) throw new InvalidArgumentError('PackageNotFile', `Metadata package ${file} is not a regular file (a directory or device); give the package file`, { target: file });
}

/**
 * Reads a package in batches of records. The trailer is verified after the last batch; a caller
 * that must not keep a partial import commits only after the iteration finished without error.
 */
export async function* readPackage(file: string, batchSize = 500): AsyncGenerator<{ header: PackageHeader; records: PackageRecord[] }> {
  checkPackageFile(file);
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
