/**
 * Files the user names for output (`metadata export --path`, `schedule task-xml --out`). They are
 * written to a temporary file beside the target and renamed over it, and only over a regular file
 * or nothing: a device node, FIFO, socket, symbolic link or directory at the target is refused,
 * never replaced (run as root, replacing /dev/full or a symlink's target would be destructive).
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, IoError, asSupsyncError } from '../errors.js';

/** Refuses a target that is not a regular file or absent, or whose directory does not exist. */
export function checkOutputTarget(file: string, flag: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(error, file, flag);
  }
  if (stat && !stat.isFile()) {
    const kind = stat.isSymbolicLink() ? 'a symbolic link' : stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : 'a device';
    throw new InvalidArgumentError('OutputNotRegularFile', `${flag} ${file} is ${kind}; give the path of a regular file (it is written to a temporary file and renamed into place)`, { target: flag });
  }
  let dir: fs.Stats;
  try {
    dir = fs.statSync(path.dirname(file));
  } catch (error) {
    throw outputError(error, file, flag);
  }
  if (!dir.isDirectory()) throw new InvalidArgumentError('OutputDirectoryMissing', `${flag} ${file}: ${path.dirname(file)} is not a directory`, { target: flag });
}

/** A temporary file beside `file`, created exclusively (never through an existing name). */
export function temporaryBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Renames a finished temporary file over the target, checking the target once more just before. */
export function renameIntoPlace(temp: string, file: string, flag: string): void {
  checkOutputTarget(file, flag);
  fs.renameSync(temp, file);
}

/** Writes `data` to `file` through a temporary file beside it. */
export function writeOutputFile(file: string, data: string | Uint8Array, flag: string): void {
  checkOutputTarget(file, flag);
  const temp = temporaryBeside(file);
  try {
    fs.writeFileSync(temp, data, { flag: 'wx' });
    renameIntoPlace(temp, file, flag);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw outputError(error, file, flag);
  }
}

function outputError(error: unknown, file: string, flag: string) {
  const typed = asSupsyncError(error);
  if (typed.code !== 'InternalError' && !(typed.code === 'FileSystemError' || typed.code === 'FileNotFound')) return typed;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && !fs.existsSync(path.dirname(file))) {
    return new InvalidArgumentError('OutputDirectoryMissing', `${flag} ${file}: the directory ${path.dirname(file)} does not exist`, { target: flag, cause: error });
  }
  return new IoError('OutputWriteFailed', `${flag} ${file} cannot be written: ${(error as Error).message}`, { target: flag, cause: error });
}
