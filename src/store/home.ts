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
    this.checkIsDirectory();
    const sites = path.join(this.root, 'sites');
    try {
      makeDirectory(sites);
      fs.accessSync(sites, fs.constants.W_OK);
    } catch (error) {
      throw new IoError('HomeNotWritable', `The supsync home ${this.root} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose another with --home or SUPSYNC_HOME`, {
        target: this.root,
        cause: error,
      });
    }
  }

  /** A home that exists must be a directory (a regular file given as --home is refused, not read as "no sites"). */
  checkIsDirectory(): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.root);
    } catch {
      return; // not there yet: created on the first `site add`
    }
    if (!stat.isDirectory()) {
      throw new InvalidArgumentError('HomeNotDirectory', `The supsync home ${this.root} is not a directory; give a directory with --home or SUPSYNC_HOME`, { target: '--home' });
    }
  }

  /** Codes of the sites in this home, sorted. */
  siteCodes(): string[] {
    this.checkIsDirectory();
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
    this.checkIsDirectory();
    const site = readSiteControl(this.sitePaths(code).controlFile, code);
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

/**
 * Creates a directory and its missing parents one level at a time. Node's recursive mkdir retries
 * forever when a parent exists but refuses new entries with ENOENT (procfs: `--home /proc/1`);
 * here every level is one system call, and a refusal is an error.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** A temporary home for the demo and tests. */
export function temporaryHome(prefix = 'supsync-'): Home {
  return new Home(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}
