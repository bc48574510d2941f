/**
 * Sites and their software update point (SUP) component settings, with ConfigMgr's rules.
 * Pure: no file system here; `store/` reads and writes these shapes.
 */
import { InvalidArgumentError, InvalidOperationError } from '../errors.js';

export type SiteRole = 'central' | 'primary' | 'secondary';
export const siteRoles: readonly SiteRole[] = ['central', 'primary', 'secondary'];

export type SyncSourceKind = 'microsoft-update' | 'upstream' | 'none';
export const syncSourceKinds: readonly SyncSourceKind[] = ['microsoft-update', 'upstream', 'none'];

/** ConfigMgr's SynchronizeAction values and the sync source each names. */
export const synchronizeActions = {
  SynchronizeFromMicrosoftUpdate: 'microsoft-update',
  SynchronizeFromAnUpstreamDataSourceLocation: 'upstream',
  DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource: 'none',
} as const satisfies Record<string, SyncSourceKind>;

export type SynchronizeAction = keyof typeof synchronizeActions;

/** The SynchronizeAction that names a sync source. */
export function synchronizeActionOf(kind: SyncSourceKind): SynchronizeAction {
  return (Object.keys(synchronizeActions) as SynchronizeAction[]).find((action) => synchronizeActions[action] === kind)!;
}

/** WSUS's language short names (GetConfigData LanguageUpdateList, without "all"). */
export const wsusLanguages: readonly string[] = [
  'ar', 'bg', 'zh-tw', 'cs', 'da', 'de', 'el', 'en', 'es', 'fi', 'fr', 'he', 'hu', 'it', 'ja', 'ko', 'nl', 'no', 'pl',
  'pt-br', 'ro', 'ru', 'hr', 'sk', 'sv', 'th', 'tr', 'uk', 'sl', 'et', 'lv', 'lt', 'hi', 'zh-cn', 'pt', 'sr', 'zh-hk', 'ja-nec',
];

/** Months a superseded update may wait before it expires (ConfigMgr's range). */
export const waitMonthsRange = { min: 1, max: 99 } as const;
/** GetUpdateData requests a sync keeps in flight at most (the bound of its adaptive window), and its default. */
export const requestsInFlightRange = { min: 1, max: 64 } as const;
export const defaultMaxRequestsInFlight = 16;

/** Where Microsoft Update's own server-to-server endpoint lives. */
export const microsoftUpdateUrl = 'https://sws.update.microsoft.com';

export interface SyncSource {
  kind: SyncSourceKind;
  /** Base URL of the upstream SUP/WSUS (scheme, host, port), for kind `upstream`. */
  upstreamUrl?: string;
}

export interface CategoryRef {
  id: string;
  title: string;
}

export interface SupersedenceRules {
  /** Expire superseded non-feature updates at once (else after `waitMonths`). */
  immediatelyExpire: boolean;
  waitMonths: number;
  immediatelyExpireFeature: boolean;
  waitMonthsFeature: number;
}

export interface ProxySettings {
  url: string;
  username?: string;
  /** Stored so syncs can authenticate; never printed back (see redactProxy). */
  password?: string;
}

/** The SUP component settings (Set-CMSoftwareUpdatePointComponent). */
export interface SupSettings {
  syncSource: SyncSource;
  /** A schedule of the schedule module (JSON); null = scheduled sync off. */
  schedule: unknown | null;
  products: CategoryRef[];
  classifications: CategoryRef[];
  /** Languages of update files (content) and of summary details (localized metadata). */
  languageUpdateFiles: string[];
  languageSummaryDetails: string[];
  supersedence: SupersedenceRules;
  enableSyncFailureAlert: boolean;
  enableCallWsusCleanupWizard: boolean;
  proxy?: ProxySettings;
  /** PEM bundle of extra certificate authorities this site's SUP trusts, besides the system's (absolute path). */
  caFile?: string;
  /**
   * The most GetUpdateData requests a sync keeps in flight to its upstream: the bound its adaptive
   * window grows to, what the upstream can bear (unset: defaultMaxRequestsInFlight).
   */
  maxRequestsInFlight?: number;
  /** Set when a settings change requires it; the next sync is full and clears it. */
  fullSyncRequired: boolean;
  /** ConfigMgr component settings kept for drop-in scripts (ReportingEvent, DefaultWsusServer, …); nothing acts on them. */
  recordedSettings?: Record<string, string | number | boolean>;
}

export interface ChildLink {
  code: string;
  /** The child's SUP endpoint URL when it lives on another machine. */
  url?: string;
  /** The credential this parent presents with its sync requests to the child (never shown). */
  syncRequestSecret?: string;
}

/**
 * Who may ask a site to sync over its endpoint (POST /supsync/SyncRequest): only its parent, and
 * only with the shared credential, unless the admin explicitly accepts unauthenticated requests.
 */
export interface SyncRequestPolicy {
  /** The credential the parent must present (HTTP basic: the parent's site code and this secret). */
  secret?: string;
  /** Accept requests from the parent without a credential (an explicit admin choice). */
  allowUnauthenticated?: boolean;
}

/** The site control file (`site.json`). */
export interface SiteControl {
  schemaVersion: 1;
  code: string;
  role: SiteRole;
  parent?: string;
  /** The parent's SUP endpoint URL, when the parent is on another machine. */
  parentUrl?: string;
  /** Children on other machines (local children are found in the home directory). */
  remoteChildren: ChildLink[];
  serverName: string;
  /** The URL this site's SUP endpoint listens on, when it serves one. */
  url?: string;
  /** Who may ask this site to sync over its endpoint; absent: nobody. */
  syncRequests?: SyncRequestPolicy;
  sup: SupSettings;
  createdAt: string;
}

export function defaultSupSettings(isTopLevel: boolean): SupSettings {
  return {
    syncSource: { kind: isTopLevel ? 'microsoft-update' : 'upstream' },
    schedule: null,
    products: [],
    classifications: [],
    languageUpdateFiles: ['en'],
    languageSummaryDetails: ['en'],
    supersedence: { immediatelyExpire: false, waitMonths: 3, immediatelyExpireFeature: false, waitMonthsFeature: 3 },
    enableSyncFailureAlert: false,
    enableCallWsusCleanupWizard: true,
    fullSyncRequired: false,
  };
}

/** Site codes are three letters or digits, stored upper-case. */
export function normalizeSiteCode(text: string, flag = '--code'): string {
  const code = text.trim().toUpperCase();
  if (!/^[A-Z0-9]{3}$/.test(code)) {
    throw new InvalidArgumentError('InvalidSiteCode', `Site code '${text}' is not valid: a site code is exactly 3 letters or digits (e.g. CS1)`, { target: flag });
  }
  // ConfigMgr reserves these; a site cannot be named after them.
  if (['AUX', 'CON', 'NUL', 'PRN', 'SMS', 'ALL'].includes(code)) {
    throw new InvalidArgumentError('InvalidSiteCode', `Site code '${code}' is reserved and cannot be used`, { target: flag });
  }
  return code;
}

/** The site at the top of its hierarchy: the central site, or a primary with no parent. */
export function isTopLevel(site: Pick<SiteControl, 'role' | 'parent'>): boolean {
  return site.parent === undefined && site.role !== 'secondary';
}

/**
 * Checks the parent/role rules for a new site against the sites already known. `parentRole` is
 * undefined when the parent lives on another machine (then the caller gives its URL).
 */
export function checkParentRole(role: SiteRole, parent: string | undefined, parentRole: SiteRole | undefined): void {
  if (role === 'central' && parent !== undefined) {
    throw new InvalidArgumentError('InvalidParent', `A central administration site is the top of its hierarchy and cannot have a parent (got --parent ${parent})`, { target: '--parent' });
  }
  if (role === 'secondary' && parent === undefined) {
    throw new InvalidArgumentError('ParentRequired', 'A secondary site needs a parent primary site: give --parent', { target: '--parent' });
  }
  if (parentRole === undefined) return;
  if (role === 'secondary' && parentRole !== 'primary') {
    throw new InvalidArgumentError('InvalidParent', `A secondary site's parent must be a primary site, but ${parent} is a ${parentRole} site`, { target: '--parent' });
  }
  if (role === 'primary' && parentRole !== 'central') {
    throw new InvalidArgumentError('InvalidParent', `A primary site's parent must be the central administration site, but ${parent} is a ${parentRole} site`, { target: '--parent' });
  }
}

/** Settings that only the top-level site may change (BRIEF §2). */
export function requireTopLevel(site: SiteControl, what: string, topLevelCode: string | undefined): void {
  if (isTopLevel(site)) return;
  const top = topLevelCode ? `the top-level site ${topLevelCode}` : 'the top-level site of the hierarchy';
  throw new InvalidOperationError('NotTopLevelSite', `${what} can only be set on ${top}; ${site.code} is a child site whose settings come from its parent`, {
    target: site.code,
  });
}

/** Parses an http(s) URL given by the user, naming the flag when it is not one. */
export function parseHttpUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('InvalidUrl', `${flag} '${text}' is not a valid URL (expected e.g. https://wsus.contoso.com:8531)`, { target: flag });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('InvalidUrl', `${flag} '${text}' must use http or https, not ${url.protocol.replace(':', '')}`, { target: flag });
  }
  return url;
}

/**
 * A server's base URL (scheme, host, port): a path, query or fragment would be silently dropped
 * (the protocol's paths are fixed), so they are refused, as are credentials in the URL.
 */
export function parseOriginUrl(text: string, flag: string): string {
  const url = parseHttpUrl(text, flag);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError('UrlHasPath', `${flag} '${text}' must be a server's base URL (scheme, host and port, e.g. https://wsus.contoso.com:8531): a path, query or fragment is not used`, { target: flag });
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidArgumentError('UrlHasCredentials', `${flag} must not carry a user name or password`, { target: flag });
  }
  return url.origin;
}

/** The proxy as it may be shown: the password never appears. */
export function redactProxy(proxy: ProxySettings | undefined): { url: string; username?: string; hasPassword: boolean } | undefined {
  if (!proxy) return undefined;
  const shown = new URL(proxy.url);
  shown.username = '';
  shown.password = '';
  return { url: shown.toString(), ...(proxy.username ? { username: proxy.username } : {}), hasPassword: Boolean(proxy.password) };
}

/** Fully qualified server name: letters, digits, hyphens and dots. */
export function checkServerName(name: string): string {
  const trimmed = name.trim().toLowerCase();
  if (!/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(trimmed)) {
    throw new InvalidArgumentError('InvalidServerName', `Server name '${name}' is not a valid host name (letters, digits, hyphens, dots)`, { target: '--server-name' });
  }
  return trimmed;
}

/**
 * The site rules a control file must keep, whoever wrote it (a hand edit included): the first
 * broken rule as the field and what is wrong, or undefined. The shape was checked before.
 */
export function checkSiteRules(site: SiteControl): { field: string; problem: string } | undefined {
  const isUrl = (value: unknown) => {
    if (typeof value !== 'string') return false;
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  };
  if (site.parent === site.code) return { field: 'parent', problem: `names the site itself (${site.code}); a site cannot be its own parent` };
  if (site.role === 'central' && site.parent !== undefined) return { field: 'parent', problem: 'must be absent: a central administration site is the top of its hierarchy' };
  if (site.role === 'secondary' && site.parent === undefined) return { field: 'parent', problem: 'is required: a secondary site has a parent primary site' };
  for (const key of ['parentUrl', 'url'] as const) {
    if (site[key] !== undefined && !isUrl(site[key])) return { field: key, problem: 'must be an http or https URL' };
  }
  for (const [i, child] of site.remoteChildren.entries()) {
    const c = child as unknown as Record<string, unknown>;
    if (typeof c !== 'object' || c === null || typeof c.code !== 'string' || !/^[A-Z0-9]{3}$/.test(c.code)) {
      return { field: `remoteChildren[${i}].code`, problem: 'must be a 3-character upper-case site code' };
    }
    if (c.url !== undefined && !isUrl(c.url)) return { field: `remoteChildren[${i}].url`, problem: 'must be an http or https URL' };
    if (c.syncRequestSecret !== undefined && typeof c.syncRequestSecret !== 'string') return { field: `remoteChildren[${i}].syncRequestSecret`, problem: 'must be text' };
  }
  if (site.syncRequests !== undefined) {
    const policy = site.syncRequests as unknown as Record<string, unknown>;
    if (typeof policy !== 'object' || policy === null) return { field: 'syncRequests', problem: 'must be an object' };
    if (policy.secret !== undefined && (typeof policy.secret !== 'string' || policy.secret.length < 8)) return { field: 'syncRequests.secret', problem: 'must be text of at least 8 characters' };
    if (policy.allowUnauthenticated !== undefined && typeof policy.allowUnauthenticated !== 'boolean') return { field: 'syncRequests.allowUnauthenticated', problem: 'must be true or false' };
  }
  const sup = site.sup;
  if (sup.syncSource.kind === 'upstream' && isTopLevel(site) && !isUrl(sup.syncSource.upstreamUrl)) {
    return { field: 'sup.syncSource.upstreamUrl', problem: 'must be an http or https URL when the sync source is upstream' };
  }
  if (sup.syncSource.upstreamUrl !== undefined && !isUrl(sup.syncSource.upstreamUrl)) return { field: 'sup.syncSource.upstreamUrl', problem: 'must be an http or https URL' };
  const rules = sup.supersedence;
  for (const key of ['waitMonths', 'waitMonthsFeature'] as const) {
    if (rules[key] < waitMonthsRange.min || rules[key] > waitMonthsRange.max) {
      return { field: `sup.supersedence.${key}`, problem: `must be ${waitMonthsRange.min}-${waitMonthsRange.max} months, found ${rules[key]}` };
    }
  }
  for (const key of ['languageUpdateFiles', 'languageSummaryDetails'] as const) {
    const unknown = sup[key].find((l) => !wsusLanguages.includes(l));
    if (unknown !== undefined) return { field: `sup.${key}`, problem: `names '${unknown}', not a language WSUS synchronizes` };
    if (sup[key].length === 0) return { field: `sup.${key}`, problem: 'must name at least one language' };
  }
  const inFlight = sup.maxRequestsInFlight;
  if (inFlight !== undefined && (!Number.isInteger(inFlight) || inFlight < requestsInFlightRange.min || inFlight > requestsInFlightRange.max)) {
    return { field: 'sup.maxRequestsInFlight', problem: `must be a whole number from ${requestsInFlightRange.min} to ${requestsInFlightRange.max}, found ${inFlight}` };
  }
  if (sup.proxy !== undefined) {
    const proxy = sup.proxy as unknown as Record<string, unknown>;
    if (typeof proxy !== 'object' || proxy === null || !isUrl(proxy.url)) return { field: 'sup.proxy.url', problem: 'must be an http or https URL' };
    for (const key of ['username', 'password']) if (proxy[key] !== undefined && typeof proxy[key] !== 'string') return { field: `sup.proxy.${key}`, problem: 'must be text' };
  }
  return undefined;
}

/** A sync-request credential given by the admin: long enough not to be guessed. */
export function checkSyncRequestSecret(secret: string, flag = '--sync-request-secret'): string {
  if (secret.length < 8) throw new InvalidArgumentError('WeakSecret', `${flag} must be at least 8 characters`, { target: flag });
  return secret;
}
