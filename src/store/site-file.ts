/**
 * The site control file (`site.json`) through lowdb. The adapter validates what it reads, so a
 * corrupt or wrongly hand-edited file is refused with the field named, and writes atomically
 * (lowdb's TextFileSync writes a temporary file and renames it over the old one).
 */
import { LowSync, type SyncAdapter } from 'lowdb';
import { TextFileSync } from 'lowdb/node';
import { InvalidDataError, IoError } from '../errors.js';
import { withFileLock } from './lock-file.js';
import { type SiteControl, checkSiteRules, siteRoles, syncSourceKinds } from '../model/site.js';

class SiteControlAdapter implements SyncAdapter<SiteControl> {
  readonly #file: string;
  readonly #text: TextFileSync;
  readonly #code: string | undefined;
  constructor(file: string, code?: string) {
    this.#file = file;
    this.#text = new TextFileSync(file);
    this.#code = code;
  }
  read(): SiteControl | null {
    let text: string | null;
    try {
      text = this.#text.read();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EISDIR') throw new InvalidDataError('SiteFileInvalid', `${this.#file} is a directory, not the site control file; restore the file`, { target: this.#file, cause: error });
      if (code === 'ENOTDIR') return null;
      throw new IoError('SiteFileReadFailed', `Cannot read ${this.#file}: ${(error as Error).message}`, { target: this.#file, cause: error });
    }
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidDataError('SiteFileCorrupt', `${this.#file} is not valid JSON (${(error as Error).message}); restore it from a backup or fix it by hand`, {
        target: this.#file,
      });
    }
    return validateSiteControl(json, this.#file, this.#code);
  }
  write(data: SiteControl): void {
    try {
      this.#text.write(`${JSON.stringify(data, null, 2)}\n`);
    } catch (error) {
      throw new IoError('SiteFileWriteFailed', `Cannot write ${this.#file}: ${(error as Error).message}`, { target: this.#file, cause: error });
    }
  }
}

/** Reads a site control file; `code`, when given, is the site code its directory names (the file must agree). */
export function readSiteControl(file: string, code?: string): SiteControl | null {
  const db = new LowSync<SiteControl | null>(new SiteControlAdapter(file, code) as SyncAdapter<SiteControl | null>, null);
  db.read();
  return db.data;
}

export function writeSiteControl(file: string, site: SiteControl): void {
  const db = new LowSync<SiteControl>(new SiteControlAdapter(file), site);
  db.write();
}

/**
 * Read-modify-write under an exclusive lock file, since lowdb has no cross-process locking and
 * two `sup set` commands must not lose each other's change.
 */
export function updateSiteControl(file: string, change: (site: SiteControl) => SiteControl): SiteControl {
  return withFileLock(`${file}.lock`, () => {
    const current = readSiteControl(file);
    if (current === null) throw new InvalidDataError('SiteFileMissing', `${file} does not exist`, { target: file });
    const next = change(current);
    writeSiteControl(file, next);
    return next;
  });
}

function validateSiteControl(json: unknown, file: string, directoryCode: string | undefined): SiteControl {
  const fail = (field: string, expected: string): never => {
    throw new InvalidDataError('SiteFileInvalid', `${file}: field '${field}' ${expected}; restore the file or fix it by hand`, { target: file, data: { field } });
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(json)) return fail('(root)', 'must be a JSON object');
  if (json.schemaVersion !== 1) fail('schemaVersion', `must be 1 (this supsync reads version 1), found ${JSON.stringify(json.schemaVersion)}`);
  if (typeof json.code !== 'string' || !/^[A-Z0-9]{3}$/.test(json.code)) fail('code', 'must be a 3-character upper-case site code');
  if (directoryCode !== undefined && json.code !== directoryCode) fail('code', `must be ${directoryCode}, the site code its directory names (found ${JSON.stringify(json.code)})`);
  if (!siteRoles.includes(json.role as never)) fail('role', `must be one of ${siteRoles.join(', ')}`);
  if (json.parent !== undefined && (typeof json.parent !== 'string' || !/^[A-Z0-9]{3}$/.test(json.parent))) fail('parent', 'must be a site code');
  if (typeof json.serverName !== 'string' || json.serverName.length === 0) fail('serverName', 'must be a host name');
  if (!Array.isArray(json.remoteChildren)) fail('remoteChildren', 'must be a list');
  const sup = json.sup;
  if (!isObject(sup)) return fail('sup', 'must be an object');
  if (!isObject(sup.syncSource) || !syncSourceKinds.includes(sup.syncSource.kind as never)) fail('sup.syncSource.kind', `must be one of ${syncSourceKinds.join(', ')}`);
  for (const list of ['products', 'classifications'] as const) {
    const value = sup[list];
    if (!Array.isArray(value) || !value.every((c) => isObject(c) && typeof c.id === 'string' && typeof c.title === 'string')) {
      fail(`sup.${list}`, 'must be a list of {id, title}');
    }
  }
  for (const list of ['languageUpdateFiles', 'languageSummaryDetails'] as const) {
    const value = sup[list];
    if (!Array.isArray(value) || !value.every((l) => typeof l === 'string')) fail(`sup.${list}`, 'must be a list of language codes');
  }
  const s = sup.supersedence;
  if (!isObject(s) || typeof s.immediatelyExpire !== 'boolean' || typeof s.immediatelyExpireFeature !== 'boolean') {
    fail('sup.supersedence', 'must have boolean immediatelyExpire and immediatelyExpireFeature');
  }
  const rules = s as Record<string, unknown>;
  for (const months of ['waitMonths', 'waitMonthsFeature']) {
    if (!Number.isInteger(rules[months]) || (rules[months] as number) < 1) fail(`sup.supersedence.${months}`, 'must be a whole number of months');
  }
  for (const flag of ['enableSyncFailureAlert', 'enableCallWsusCleanupWizard', 'fullSyncRequired']) {
    if (typeof sup[flag] !== 'boolean') fail(`sup.${flag}`, 'must be true or false');
  }
  const rule = checkSiteRules(json as unknown as SiteControl);
  if (rule) fail(rule.field, rule.problem);
  return json as unknown as SiteControl;
}
