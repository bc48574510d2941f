import { InvalidDataError } from '../../errors.js';

/** Stable codes of the errors thrown for a cabinet that cannot be read. */
export type CabinetErrorCode =
  | 'CabinetInvalid'
  | 'CabinetMultiVolume'
  | 'CabinetTooLarge'
  | 'CabinetUnsupportedMethod'
  | 'CabinetChecksum'
  | 'MszipCorrupt'
  | 'LzxCorrupt';

export function cabinetError(code: CabinetErrorCode, target: string, what: string): InvalidDataError {
  return new InvalidDataError(code, `Cannot read the cabinet ${target}: ${what}`, { target });
}
