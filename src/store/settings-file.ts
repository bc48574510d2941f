/**
 * A home-wide settings file (`alerts.json`, `console.json`) through lowdb: read validated (a
 * hand-edited file that is wrong is refused, naming the file), written atomically under a lock
 * file, since lowdb has no cross-process locking.
 */
import { LowSync, type SyncAdapter } from 'lowdb';
import { TextFileSync } from 'lowdb/node';
import { InvalidDataError, IoError } from '../errors.js';
import { withFileLock } from './lock-file.js';

export interface SettingsFile<T> {
  file: string;
  /** Error codes start with this (`AlertSettings` → AlertSettingsCorrupt, AlertSettingsWriteFailed). */
  name: string;
  /** What to do about a file that is not valid JSON. */
  remedy: string;
  /** The parsed JSON as settings; throws InvalidDataError naming what is wrong. */
  validate(json: unknown): T;
  /** The settings before any were written. */
  empty(): T;
}

class ValidatedJsonAdapter<T> implements SyncAdapter<T> {
  readonly #spec: SettingsFile<T>;
  readonly #text: TextFileSync;
  constructor(spec: SettingsFile<T>) {
    this.#spec = spec;
    this.#text = new TextFileSync(spec.file);
  }
  read(): T | null {
    const text = this.#text.read();
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidDataError(`${this.#spec.name}Corrupt`, `${this.#spec.file} is not valid JSON (${(error as Error).message}); ${this.#spec.remedy}`, { target: this.#spec.file });
    }
    return this.#spec.validate(json);
  }
  write(data: T): void {
    try {
      this.#text.write(`${JSON.stringify(data, null, 2)}\n`);
    } catch (error) {
      throw new IoError(`${this.#spec.name}WriteFailed`, `Cannot write ${this.#spec.file}: ${(error as Error).message}`, { target: this.#spec.file, cause: error });
    }
  }
}

export function readSettingsFile<T>(spec: SettingsFile<T>): T {
  const db = new LowSync<T | null>(new ValidatedJsonAdapter(spec) as SyncAdapter<T | null>, null);
  db.read();
  return db.data ?? spec.empty();
}

/** Read-modify-write under the lock; `change` returns the new settings. */
export function updateSettingsFile<T>(spec: SettingsFile<T>, change: (settings: T) => T): T {
  return withFileLock(`${spec.file}.lock`, () => {
    const next = change(readSettingsFile(spec));
    new LowSync<T>(new ValidatedJsonAdapter(spec), next).write();
    return next;
  });
}
