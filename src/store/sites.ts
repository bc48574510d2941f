/**
 * Adding, listing and removing sites in a home: the rules (pure, from model.ts) applied to the
 * files (store/). A new site is created in a staging directory and renamed into place, so a failed
 * add leaves nothing half-written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, InvalidOperationError, ResourceExistsError } from '../errors.js';
import type { Home } from './home.js';
import { writeCompletionCache } from './completion-cache.js';
import { openSiteStore } from './site-store.js';
import { withFileLock } from './lock-file.js';
import { siteBusy, siteLockHolder, tryLockSite } from './site-lock.js';
import { updateSiteControl, writeSiteControl } from './site-file.js';
import {
  type SiteControl,
  type SiteRole,
  checkParentRole,
  checkServerName,
  checkSyncRequestSecret,
  defaultSupSettings,
  isTopLevel,
  normalizeSiteCode,
  parseOriginUrl,
} from '../model/site.js';

export interface AddSiteRequest {
  code: string;
  role: string;
  parent?: string;
  parentUrl?: string;
  serverName?: string;
  url?: string;
  /** The credential between the site and its parent for sync requests. */
  syncRequestSecret?: string;
  /** Let the parent ask this site to sync without a credential. */
  allowUnauthenticatedSyncRequests?: boolean;
  /** A primary without a parent in a home whose hierarchy has a central site: a second hierarchy, on purpose. */
  standAlone?: boolean;
}

/**
 * Records a child site that lives on another machine in its local parent's control file, so the
 * parent notifies it (at its endpoint URL) after each sync. The child itself is added there.
 */
export function addRemoteChild(home: Home, request: AddSiteRequest): SiteControl {
  const code = normalizeSiteCode(request.code);
  if (request.parent === undefined || request.url === undefined) {
    throw new InvalidArgumentError('RemoteChildIncomplete', '--remote needs --parent (the local parent site) and --url (the child\'s SUP endpoint)', { target: '--remote' });
  }
  const parent = home.site(normalizeSiteCode(request.parent, '--parent'));
  const role = request.role.toLowerCase() as SiteRole;
  checkParentRole(role, parent.code, parent.role);
  if (home.hasSite(code) || parent.remoteChildren.some((c) => c.code === code)) {
    throw new ResourceExistsError('SiteExists', `Site ${code} is already known to ${home.root}`, { target: code });
  }
  const url = parseOriginUrl(request.url, '--url');
  const secret = request.syncRequestSecret === undefined ? undefined : checkSyncRequestSecret(request.syncRequestSecret);
  return updateSiteControl(home.sitePaths(parent.code).controlFile, (site) => ({
    ...site,
    remoteChildren: [...site.remoteChildren, { code, url, ...(secret !== undefined ? { syncRequestSecret: secret } : {}) }],
  }));
}

/** Forgets a remote child; returns its former parent, or undefined when no local site lists it. */
export function removeRemoteChild(home: Home, code: string): SiteControl | undefined {
  const parent = home.sites().find((s) => s.remoteChildren.some((c) => c.code === code));
  if (!parent) return undefined;
  return updateSiteControl(home.sitePaths(parent.code).controlFile, (site) => ({ ...site, remoteChildren: site.remoteChildren.filter((c) => c.code !== code) }));
}

/** Validates an add request against the home and returns the site to create (pure apart from reads). */
export function planAddSite(home: Home, request: AddSiteRequest, now = new Date()): SiteControl {
  const code = normalizeSiteCode(request.code);
  const role = request.role.toLowerCase() as SiteRole;
  if (!['central', 'primary', 'secondary'].includes(role)) {
    throw new InvalidArgumentError('InvalidRole', `Role '${request.role}' is not valid: use central, primary or secondary`, { target: '--role' });
  }
  if (home.hasSite(code)) throw new ResourceExistsError('SiteExists', `Site ${code} already exists in ${home.root}`, { target: code });
  const parent = request.parent === undefined ? undefined : normalizeSiteCode(request.parent, '--parent');
  if (parent === code) throw new InvalidArgumentError('InvalidParent', `Site ${code} cannot be its own parent`, { target: '--parent' });
  const parentUrl = request.parentUrl === undefined ? undefined : parseOriginUrl(request.parentUrl, '--parent-url');
  if (parentUrl !== undefined && parent === undefined) {
    throw new InvalidArgumentError('ConflictingOptions', '--parent-url needs --parent (the remote parent site code)', { target: '--parent-url' });
  }
  let parentRole: SiteRole | undefined;
  if (parent !== undefined) {
    if (home.hasSite(parent)) parentRole = home.site(parent).role;
    else if (parentUrl === undefined) {
      throw new InvalidArgumentError('ParentNotFound', `Parent site ${parent} is not in ${home.root}; add it first, or give --parent-url when it lives on another machine`, {
        target: '--parent',
      });
    }
  }
  checkParentRole(role, parent, parentRole);
  const central = home.sites().find((s) => s.role === 'central');
  if (role === 'primary' && parent === undefined && central !== undefined && !request.standAlone) {
    throw new InvalidOperationError('ParentRequired', `This home's hierarchy has a central administration site (${central.code}): a primary site joins it with --parent ${central.code}; add --stand-alone for a separate top-level site (its own hierarchy)`, {
      target: '--parent',
    });
  }
  if (role === 'central' && home.sites().some((s) => s.role === 'central')) {
    const existing = home.sites().find((s) => s.role === 'central')!;
    throw new InvalidOperationError('CentralSiteExists', `This hierarchy already has a central administration site (${existing.code}); a hierarchy has one`, { target: '--role' });
  }
  const site: SiteControl = {
    schemaVersion: 1,
    code,
    role,
    ...(parent !== undefined ? { parent } : {}),
    ...(parentUrl !== undefined ? { parentUrl } : {}),
    remoteChildren: [],
    serverName: request.serverName !== undefined ? checkServerName(request.serverName) : `${code.toLowerCase()}-sup.${os.hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-')}`,
    ...(request.url !== undefined ? { url: parseOriginUrl(request.url, '--url') } : {}),
    ...syncRequestPolicy(request, role, parent),
    sup: defaultSupSettings(parent === undefined && role !== 'secondary'),
    createdAt: now.toISOString(),
  };
  return site;
}

/** The sync-request policy of a new site: only a child site takes requests (from its parent). */
function syncRequestPolicy(request: AddSiteRequest, role: SiteRole, parent: string | undefined): Pick<SiteControl, 'syncRequests'> {
  if (request.standAlone && (role !== 'primary' || parent !== undefined)) {
    throw new InvalidArgumentError('ConflictingOptions', '--stand-alone applies to a primary site without --parent', { target: '--stand-alone' });
  }
  if (request.syncRequestSecret === undefined && !request.allowUnauthenticatedSyncRequests) return {};
  if (parent === undefined) {
    const flag = request.syncRequestSecret !== undefined ? '--sync-request-secret' : '--allow-unauthenticated-sync-requests';
    throw new InvalidArgumentError('ConflictingOptions', `${flag} applies to a child site (sync requests come from its parent); a top-level site takes none`, { target: flag });
  }
  return {
    syncRequests: {
      ...(request.syncRequestSecret !== undefined ? { secret: checkSyncRequestSecret(request.syncRequestSecret) } : {}),
      ...(request.allowUnauthenticatedSyncRequests ? { allowUnauthenticated: true } : {}),
    },
  };
}

/** Creates the site directory, control file, database and log directory atomically. */
export function applyAddSite(home: Home, site: SiteControl): void {
  home.ensureWritable();
  const paths = home.sitePaths(site.code);
  withFileLock(path.join(home.root, 'sites', '.hierarchy.lock'), () => {
    if (home.hasSite(site.code)) throw new ResourceExistsError('SiteExists', `Site ${site.code} already exists in ${home.root}`, { target: site.code });
    const staging = fs.mkdtempSync(path.join(home.root, 'sites', `.new-${site.code}-`));
    try {
      for (const sub of ['logs', 'inbox', 'content']) fs.mkdirSync(path.join(staging, sub));
      writeSiteControl(path.join(staging, 'site.json'), site);
      const store = openSiteStore(path.join(staging, 'site.db'), { create: true });
      store.meta.write('site_code', site.code);
      writeCompletionCache(staging, site, store);
      store.close();
      fs.rmSync(paths.dir, { recursive: true, force: true }); // a leftover empty directory of a removed site
      fs.renameSync(staging, paths.dir);
    } catch (error) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  });
}

/** Checks a site can be removed (no children) and returns it. */
export function planRemoveSite(home: Home, codeText: string): SiteControl {
  const code = normalizeSiteCode(codeText);
  const site = home.site(code);
  const children = [...home.localChildren(code).map((c) => c.code), ...site.remoteChildren.map((c) => c.code)];
  if (children.length > 0) {
    throw new InvalidOperationError('SiteHasChildren', `Site ${code} still has child site(s) ${children.join(', ')}; remove them first`, { target: code, data: { children } });
  }
  return site;
}

/**
 * Deletes a site, holding its lock: a site that syncs or imports is refused (SiteBusy), and a sync
 * starting meanwhile finds the site busy, then gone.
 */
export function applyRemoveSite(home: Home, site: SiteControl): void {
  const paths = home.sitePaths(site.code);
  const lock = tryLockSite(paths.dir, 'site removal');
  if (!lock) throw siteBusy(site.code, 'remove the site again', siteLockHolder(paths.dir));
  try {
    withFileLock(path.join(home.root, 'sites', '.hierarchy.lock'), () => {
      // Rename first so a crash mid-delete never leaves a half-removed site that still looks valid.
      const doomed = path.join(home.root, 'sites', `.removed-${site.code}-${process.pid}-${Date.now()}`);
      fs.renameSync(paths.dir, doomed);
      fs.rmSync(doomed, { recursive: true, force: true });
    });
  } finally {
    // Gone with the directory once removed; released in place if the removal failed.
    lock.release();
  }
}

/** The record `site list` writes. */
export function siteRecord(home: Home, site: SiteControl) {
  const children = [...home.localChildren(site.code).map((c) => c.code), ...site.remoteChildren.map((c) => c.code)];
  const source = site.sup.syncSource;
  return {
    type: 'SupSync.Site',
    SiteCode: site.code,
    Role: site.role,
    ParentSiteCode: site.parent ?? null,
    TopLevel: isTopLevel(site),
    Children: children,
    ServerName: site.serverName,
    Url: site.url ?? null,
    SyncSource: isTopLevel(site) ? (source.kind === 'upstream' ? `upstream ${source.upstreamUrl}` : source.kind) : `parent ${site.parent}`,
    Directory: home.sitePaths(site.code).dir,
  };
}
