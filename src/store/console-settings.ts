/**
 * The console's settings in the home (`<home>/console.json`, lowdb, written atomically under a
 * lock): the admin credential as hashes only — a token's hash and users with password hashes.
 */
import path from 'node:path';
import { InvalidDataError } from '../errors.js';
import { type SettingsFile, readSettingsFile, updateSettingsFile } from './settings-file.js';

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

function consoleSettings(homeRoot: string): SettingsFile<ConsoleSettings> {
  const file = consoleSettingsFile(homeRoot);
  return {
    file,
    name: 'ConsoleSettings',
    remedy: 'fix it or set the credential again',
    empty: emptyConsoleSettings,
    validate: (json) => {
      const settings = json as Partial<ConsoleSettings>;
      const validHash = (h: unknown) => typeof h === 'string' && h.startsWith('scrypt$');
      if (
        settings.schemaVersion !== 1 ||
        !Array.isArray(settings.users) ||
        !settings.users.every((u) => typeof u?.name === 'string' && validHash(u.passwordHash)) ||
        (settings.adminTokenHash !== undefined && !validHash(settings.adminTokenHash))
      ) {
        throw new InvalidDataError('ConsoleSettingsInvalid', `${file} is not a console settings file (schemaVersion 1, users with scrypt password hashes)`, { target: file });
      }
      return settings as ConsoleSettings;
    },
  };
}

export function readConsoleSettings(homeRoot: string): ConsoleSettings {
  return readSettingsFile(consoleSettings(homeRoot));
}

export function updateConsoleSettings(homeRoot: string, change: (settings: ConsoleSettings) => ConsoleSettings): ConsoleSettings {
  return updateSettingsFile(consoleSettings(homeRoot), change);
}
