/**
 * The home's alert settings (`<home>/alerts.json`) through lowdb: thresholds, subscriptions, the
 * SMTP server, delivery retries. Read validated (a hand-edited file that is wrong is refused with
 * the field named); written atomically under a lock file (lowdb has no cross-process locking).
 */
import path from 'node:path';
import { InvalidDataError } from '../errors.js';
import { type AlertSettings, defaultAlertSettings, validateAlertSettings } from '../model/alert.js';
import type { Home } from './home.js';
import { type SettingsFile, readSettingsFile, updateSettingsFile } from './settings-file.js';

export function alertSettingsFile(home: Home): string {
  return path.join(home.root, 'alerts.json');
}

function alertSettings(home: Home): SettingsFile<AlertSettings> {
  const file = alertSettingsFile(home);
  return {
    file,
    name: 'AlertSettings',
    remedy: 'fix it by hand or remove it',
    empty: defaultAlertSettings,
    // Fields added later read as their defaults.
    validate: (json) =>
      validateAlertSettings({ ...defaultAlertSettings(), ...(json as object) }, (field, expected) => {
        throw new InvalidDataError('AlertSettingsInvalid', `${file}: field '${field}' ${expected}; fix it by hand or with "supsync alert set"`, { target: file, data: { field } });
      }),
  };
}

/** The home's alert settings (the defaults before any were set). */
export function readAlertSettings(home: Home): AlertSettings {
  return readSettingsFile(alertSettings(home));
}

/** Read-modify-write under the lock; `change` returns the new settings (validated by the caller). */
export function updateAlertSettings(home: Home, change: (settings: AlertSettings) => AlertSettings): AlertSettings {
  return updateSettingsFile(alertSettings(home), change);
}
