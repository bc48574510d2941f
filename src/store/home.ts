/**
 * The supsync home: one directory per site (`<home>/sites/<CODE>/`) with the site control file,
 * the site database, logs, the sync-request inbox and downloaded content.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, IoError, NotFoundError } from '../errors.js';
import type { SiteControl } from '../model/site.js';
import { readSiteControl } from './site-file.js';

export interface SitePaths {
  dir: string;
  controlFile: string;
  database: string;
  logDir: string;
  inbox: string;
  content: string;
}

/** `--home`, else SUPSYNC_HOME, else the OS's per-machine data directory. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag.trim() === '') throw new InvalidArgumentError('InvalidHome', '--home must not be empty', { target: '--home' });
  if (flag) return path.resolve(flag);
  if (env.SUPSYNC_HOME) return path.resolve(env.SUPSYNC_HOME);
  if (process.platform === 'win32') return path.join(env.ProgramData ?? 'C:\\ProgramData', 'supsync');
  if (process.platform === 'darwin') return '/Library/Application Support/supsync';
  return '/var/lib/supsync';
}

export class Home {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  sitePaths(code: string): SitePaths {
    const dir = path.join(this.root, 'sites', code);
    return {
      dir,
      controlFile: path.join(dir, 'site.json'),
      database: path.join(dir, 'site.db'),
      logDir: path.join(dir, 'logs'),
      inbox: path.join(dir, 'inbox'),
      content: path.join(dir, 'content'),
    };
  }

  /** Makes sure the home exists and can be written, with an error naming it when not. */
  ensureWritable(): void {
    try {
      fs.mkdirSync(path.join(this.root, 'sites'), { recursive: true });
      fs.accessSync(path.join(this.root, 'sites'), fs.constants.W_OK);
    } catch (error) {
      throw new IoError('HomeNotWritable', `The supsync home ${this.root} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose another with --home or SUPSYNC_HOME`, {
        target: this.root,
        cause: error,
      });
    }
  }

  /** Codes of the sites in this home, sorted. */
  siteCodes(): string[] {
    const dir = path.join(this.root, 'sites');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^[A-Z0-9]{3}$/.test(e.name) && fs.existsSync(path.join(dir, e.name, 'site.json')))
      .map((e) => e.name)
      .sort();
  }

  /** All sites of this home. */
  sites(): SiteControl[] {
    return this.siteCodes().map((code) => this.site(code));
  }

  hasSite(code: string): boolean {
    return fs.existsSync(this.sitePaths(code).controlFile);
  }

  /** One site, or a NotFoundError naming the code and the known sites. */
  site(code: string): SiteControl {
    const site = readSiteControl(this.sitePaths(code).controlFile);
    if (site === null) {
      const known = this.siteCodes();
      throw new NotFoundError('SiteNotFound', `Site ${code} does not exist in ${this.root}${known.length ? ` (sites here: ${known.join(', ')})` : ' (no sites yet: add one with "supsync site add")'}`, {
        target: code,
      });
    }
    return site;
  }

  /** Local children of a site (sites in this home whose parent it is). */
  localChildren(code: string): SiteControl[] {
    return this.sites().filter((s) => s.parent === code);
  }

  /** The top-level site above `code` when the whole chain is in this home. */
  topLevelOf(code: string): SiteControl | undefined {
    let site: SiteControl | undefined = this.site(code);
    const seen = new Set<string>();
    while (site?.parent !== undefined && !seen.has(site.code)) {
      seen.add(site.code);
      site = this.hasSite(site.parent) ? this.site(site.parent) : undefined;
    }
    return site;
  }
}

/** A temporary home for the demo and tests. */
export function temporaryHome(prefix = 'supsync-'): Home {
  return new Home(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}
