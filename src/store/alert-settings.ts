/**
 * The home's alert settings (`<home>/alerts.json`) through lowdb: thresholds, subscriptions, the
 * SMTP server, delivery retries. Read validated (a hand-edited file that is wrong is refused with
 * the field named); written atomically under a lock file (lowdb has no cross-process locking).
 */
import path from 'node:path';
import { LowSync, type SyncAdapter } from 'lowdb';
import { TextFileSync } from 'lowdb/node';
import { InvalidDataError, IoError } from '../errors.js';
import { type AlertSettings, defaultAlertSettings, validateAlertSettings } from '../model/alert.js';
import type { Home } from './home.js';
import { withFileLock } from './lock-file.js';

class AlertSettingsAdapter implements SyncAdapter<AlertSettings> {
  readonly #file: string;
  readonly #text: TextFileSync;
  constructor(file: string) {
    this.#file = file;
    this.#text = new TextFileSync(file);
  }
  read(): AlertSettings | null {
    const text = this.#text.read();
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidDataError('AlertSettingsCorrupt', `${this.#file} is not valid JSON (${(error as Error).message}); fix it by hand or remove it`, { target: this.#file });
    }
    // Fields added later read as their defaults.
    return validateAlertSettings({ ...defaultAlertSettings(), ...(json as object) }, (field, expected) => {
      throw new InvalidDataError('AlertSettingsInvalid', `${this.#file}: field '${field}' ${expected}; fix it by hand or with "supsync alert set"`, { target: this.#file, data: { field } });
    });
  }
  write(data: AlertSettings): void {
    try {
      this.#text.write(`${JSON.stringify(data, null, 2)}\n`);
    } catch (error) {
      throw new IoError('AlertSettingsWriteFailed', `Cannot write ${this.#file}: ${(error as Error).message}`, { target: this.#file, cause: error });
    }
  }
}

export function alertSettingsFile(home: Home): string {
  return path.join(home.root, 'alerts.json');
}

/** The home's alert settings (the defaults before any were set). */
export function readAlertSettings(home: Home): AlertSettings {
  const db = new LowSync<AlertSettings | null>(new AlertSettingsAdapter(alertSettingsFile(home)) as SyncAdapter<AlertSettings | null>, null);
  db.read();
  return db.data ?? defaultAlertSettings();
}

/** Read-modify-write under the lock; `change` returns the new settings (validated by the caller). */
export function updateAlertSettings(home: Home, change: (settings: AlertSettings) => AlertSettings): AlertSettings {
  const file = alertSettingsFile(home);
  return withFileLock(`${file}.lock`, () => {
    const next = change(readAlertSettings(home));
    new LowSync<AlertSettings>(new AlertSettingsAdapter(file), next).write();
    return next;
  });
}
