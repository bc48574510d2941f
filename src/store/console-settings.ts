/**
 * The console's settings in the home (`<home>/console.json`, lowdb, written atomically under a
 * lock): the admin credential as hashes only — a token's hash and users with password hashes.
 */
import path from 'node:path';
import { LowSync, type SyncAdapter } from 'lowdb';
import { TextFileSync } from 'lowdb/node';
import { InvalidDataError, IoError } from '../errors.js';
import { withFileLock } from './lock-file.js';

export interface ConsoleUser {
  name: string;
  /** `scrypt$<salt base64>$<hash base64>`. */
  passwordHash: string;
}

export interface ConsoleSettings {
  schemaVersion: 1;
  /** Hash of the admin token, in the form of a password hash. */
  adminTokenHash?: string;
  users: ConsoleUser[];
}

export const emptyConsoleSettings = (): ConsoleSettings => ({ schemaVersion: 1, users: [] });

export function consoleSettingsFile(homeRoot: string): string {
  return path.join(homeRoot, 'console.json');
}

class ConsoleSettingsAdapter implements SyncAdapter<ConsoleSettings> {
  readonly #file: string;
  readonly #text: TextFileSync;
  constructor(file: string) {
    this.#file = file;
    this.#text = new TextFileSync(file);
  }
  read(): ConsoleSettings | null {
    const text = this.#text.read();
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidDataError('ConsoleSettingsCorrupt', `${this.#file} is not valid JSON (${(error as Error).message}); fix it or set the credential again`, { target: this.#file });
    }
    const settings = json as Partial<ConsoleSettings>;
    const validHash = (h: unknown) => typeof h === 'string' && h.startsWith('scrypt$');
    if (
      settings.schemaVersion !== 1 ||
      !Array.isArray(settings.users) ||
      !settings.users.every((u) => typeof u?.name === 'string' && validHash(u.passwordHash)) ||
      (settings.adminTokenHash !== undefined && !validHash(settings.adminTokenHash))
    ) {
      throw new InvalidDataError('ConsoleSettingsInvalid', `${this.#file} is not a console settings file (schemaVersion 1, users with scrypt password hashes)`, { target: this.#file });
    }
    return settings as ConsoleSettings;
  }
  write(data: ConsoleSettings): void {
    try {
      this.#text.write(`${JSON.stringify(data, null, 2)}\n`);
    } catch (error) {
      throw new IoError('ConsoleSettingsWriteFailed', `Cannot write ${this.#file}: ${(error as Error).message}`, { target: this.#file, cause: error });
    }
  }
}

export function readConsoleSettings(homeRoot: string): ConsoleSettings {
  const db = new LowSync<ConsoleSettings | null>(new ConsoleSettingsAdapter(consoleSettingsFile(homeRoot)) as SyncAdapter<ConsoleSettings | null>, null);
  db.read();
  return db.data ?? emptyConsoleSettings();
}

export function updateConsoleSettings(homeRoot: string, change: (settings: ConsoleSettings) => ConsoleSettings): ConsoleSettings {
  const file = consoleSettingsFile(homeRoot);
  return withFileLock(`${file}.lock`, () => {
    const next = change(readConsoleSettings(homeRoot));
    new LowSync<ConsoleSettings>(new ConsoleSettingsAdapter(file), next).write();
    return next;
  });
}
