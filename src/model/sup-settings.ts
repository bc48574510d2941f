/**
 * Computes a change to the SUP component settings (Set-CMSoftwareUpdatePointComponent) as a plan:
 * the new settings plus a readable list of what changes. Pure; the CLI applies the plan or, with
 * --what-if, only prints it.
 */
import { InvalidArgumentError, InvalidOperationError, NotFoundError } from '../errors.js';
import { canonicalGuid } from './update.js';
import { updateClassifications } from './classifications.js';
import {
  type CategoryRef,
  type SiteControl,
  type SupSettings,
  type SyncSourceKind,
  isTopLevel,
  parseHttpUrl,
  defaultMaxRequestsInFlight,
  parseOriginUrl,
  redactProxy,
  requestsInFlightRange,
  requireTopLevel,
  waitMonthsRange,
  wsusLanguages,
} from './site.js';

export interface SupChangeRequest {
  syncSource?: SyncSourceKind;
  upstreamUrl?: string;
  addProduct?: string[];
  removeProduct?: string[];
  addClassification?: string[];
  removeClassification?: string[];
  /** Both language lists at once (the CLI's --add-language). */
  addLanguage?: string[];
  removeLanguage?: string[];
  addLanguageUpdateFile?: string[];
  removeLanguageUpdateFile?: string[];
  addLanguageSummaryDetail?: string[];
  removeLanguageSummaryDetail?: string[];
  immediatelyExpireSupersedence?: boolean;
  waitMonths?: number;
  immediatelyExpireSupersedenceForFeature?: boolean;
  waitMonthsForFeature?: number;
  enableSyncFailureAlert?: boolean;
  enableCallWsusCleanupWizard?: boolean;
  proxy?: string;
  proxyUsername?: string;
  proxyPassword?: string;
  caFile?: string;
  noCaFile?: boolean;
  maxRequestsInFlight?: number;
  noProxy?: boolean;
  /** A schedule object (schedule module), or null to turn scheduled sync off. */
  schedule?: unknown | null;
  /** ConfigMgr settings to store as given (SupSettings.recordedSettings). */
  recorded?: Record<string, string | number | boolean>;
}

/** What the site database knows of categories, for resolving names. */
export interface KnownCategories {
  products: CategoryRef[];
  classifications: CategoryRef[];
  /** False before the first sync has fetched the category list. */
  synced: boolean;
}

export interface SupChange {
  setting: string;
  from: unknown;
  to: unknown;
}

export interface SupChangePlan {
  settings: SupSettings;
  changes: SupChange[];
  /** True when the change forces the next sync to be a full sync (supersedence rules). */
  forcesFullSync: boolean;
}

const topLevelOnly: (keyof SupChangeRequest)[] = [
  'syncSource', 'upstreamUrl', 'addProduct', 'removeProduct', 'addClassification', 'removeClassification',
  'addLanguage', 'removeLanguage', 'addLanguageUpdateFile', 'removeLanguageUpdateFile', 'addLanguageSummaryDetail',
  'removeLanguageSummaryDetail', 'immediatelyExpireSupersedence', 'waitMonths', 'immediatelyExpireSupersedenceForFeature',
  'waitMonthsForFeature', 'schedule',
];

export function planSupChange(site: SiteControl, request: SupChangeRequest, known: KnownCategories, topLevelCode?: string): SupChangePlan {
  if (!isTopLevel(site)) {
    const restricted = topLevelOnly.filter((key) => request[key] !== undefined);
    if (restricted.length > 0) requireTopLevel(site, `${restricted.map(flagName).join(', ')}`, topLevelCode);
  }
  checkConflicts(request);
  const before = site.sup;
  const next: SupSettings = structuredClone(before);

  if (request.syncSource !== undefined || request.upstreamUrl !== undefined) {
    const kind = request.syncSource ?? (request.upstreamUrl !== undefined ? 'upstream' : before.syncSource.kind);
    if (kind === 'upstream') {
      const url = request.upstreamUrl ?? before.syncSource.upstreamUrl;
      if (url === undefined) {
        throw new InvalidArgumentError('UpstreamUrlRequired', 'A sync source of "upstream" needs --upstream-url (e.g. https://wsus.contoso.com:8531)', { target: '--upstream-url' });
      }
      next.syncSource = { kind, upstreamUrl: parseOriginUrl(url, '--upstream-url') };
    } else {
      if (request.upstreamUrl !== undefined) {
        throw new InvalidArgumentError('ConflictingOptions', `--upstream-url only applies with --sync-source upstream, not ${kind}`, { target: '--upstream-url' });
      }
      next.syncSource = { kind };
    }
  }

  next.products = applyCategoryList(next.products, request.addProduct, request.removeProduct, (text) => resolveCategory(text, 'product', known));
  next.classifications = applyCategoryList(next.classifications, request.addClassification, request.removeClassification, (text) =>
    resolveCategory(text, 'classification', known),
  );
  next.languageUpdateFiles = applyLanguageList(next.languageUpdateFiles, [...(request.addLanguage ?? []), ...(request.addLanguageUpdateFile ?? [])], [
    ...(request.removeLanguage ?? []),
    ...(request.removeLanguageUpdateFile ?? []),
  ]);
  next.languageSummaryDetails = applyLanguageList(next.languageSummaryDetails, [...(request.addLanguage ?? []), ...(request.addLanguageSummaryDetail ?? [])], [
    ...(request.removeLanguage ?? []),
    ...(request.removeLanguageSummaryDetail ?? []),
  ]);

  for (const [list, flag] of [[next.languageUpdateFiles, '--remove-language-update-file'], [next.languageSummaryDetails, '--remove-language-summary-detail']] as const) {
    if (list.length === 0) {
      throw new InvalidArgumentError('NoLanguageLeft', `The change would remove every language (${flag.replace('--remove-', '')}s); a site synchronizes at least one: add another first`, { target: flag });
    }
  }

  const s = next.supersedence;
  if (request.immediatelyExpireSupersedence !== undefined) s.immediatelyExpire = request.immediatelyExpireSupersedence;
  if (request.waitMonths !== undefined) s.waitMonths = checkMonths(request.waitMonths, '--wait-months');
  if (request.immediatelyExpireSupersedenceForFeature !== undefined) s.immediatelyExpireFeature = request.immediatelyExpireSupersedenceForFeature;
  if (request.waitMonthsForFeature !== undefined) s.waitMonthsFeature = checkMonths(request.waitMonthsForFeature, '--wait-months-for-feature');
  if (request.enableSyncFailureAlert !== undefined) next.enableSyncFailureAlert = request.enableSyncFailureAlert;
  if (request.enableCallWsusCleanupWizard !== undefined) next.enableCallWsusCleanupWizard = request.enableCallWsusCleanupWizard;
  if (request.schedule !== undefined) next.schedule = request.schedule;
  if (request.recorded !== undefined) next.recordedSettings = { ...next.recordedSettings, ...request.recorded };

  if (request.noProxy) delete next.proxy;
  else if (request.proxy !== undefined || request.proxyUsername !== undefined || request.proxyPassword !== undefined) {
    next.proxy = planProxy(next, request);
  }

  if (request.maxRequestsInFlight !== undefined) next.maxRequestsInFlight = checkRequestsInFlight(request.maxRequestsInFlight);
  if (request.noCaFile) delete next.caFile;
  else if (request.caFile !== undefined) next.caFile = request.caFile; // checked and made absolute by the caller (I/O)

  const forcesFullSync = JSON.stringify(before.supersedence) !== JSON.stringify(next.supersedence);
  if (forcesFullSync) next.fullSyncRequired = true;
  return { settings: next, changes: diffSettings(before, next), forcesFullSync };
}

function checkRequestsInFlight(value: number): number {
  const { min, max } = requestsInFlightRange;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError('InvalidArgument', `--max-requests-in-flight must be a whole number from ${min} to ${max}, got ${value}`, { target: '--max-requests-in-flight' });
  }
  return value;
}

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function checkConflicts(request: SupChangeRequest): void {
  const pairs: [string[] | undefined, string[] | undefined, string, string][] = [
    [request.addProduct, request.removeProduct, '--add-product', '--remove-product'],
    [request.addClassification, request.removeClassification, '--add-classification', '--remove-classification'],
    [request.addLanguage, request.removeLanguage, '--add-language', '--remove-language'],
  ];
  for (const [add, remove, addFlag, removeFlag] of pairs) {
    const both = (add ?? []).filter((a) => (remove ?? []).some((r) => r.toLowerCase() === a.toLowerCase()));
    if (both.length > 0) {
      throw new InvalidArgumentError('ConflictingOptions', `'${both[0]}' is given to both ${addFlag} and ${removeFlag}`, { target: addFlag });
    }
  }
  if (request.noCaFile && request.caFile !== undefined) {
    throw new InvalidArgumentError('ConflictingOptions', '--no-ca-file cannot be combined with --ca-file', { target: '--no-ca-file' });
  }
  if (request.noProxy && (request.proxy !== undefined || request.proxyUsername !== undefined || request.proxyPassword !== undefined)) {
    throw new InvalidArgumentError('ConflictingOptions', '--no-proxy cannot be combined with --proxy, --proxy-username or --proxy-password', { target: '--no-proxy' });
  }
}

function checkMonths(value: number, flag: string): number {
  if (!Number.isInteger(value) || value < waitMonthsRange.min || value > waitMonthsRange.max) {
    throw new InvalidArgumentError('InvalidArgument', `${flag} must be a whole number of months from ${waitMonthsRange.min} to ${waitMonthsRange.max}, got ${value}`, { target: flag });
  }
  return value;
}

function planProxy(next: SupSettings, request: SupChangeRequest) {
  const urlText = request.proxy ?? next.proxy?.url;
  if (urlText === undefined) {
    throw new InvalidArgumentError('ProxyUrlRequired', '--proxy-username and --proxy-password need a proxy: give --proxy URL', { target: '--proxy' });
  }
  const url = parseHttpUrl(urlText, '--proxy');
  // Credentials in the URL are moved to their own fields so the URL can be shown safely.
  const username = request.proxyUsername ?? (url.username ? decodeURIComponent(url.username) : next.proxy?.username);
  const password = request.proxyPassword ?? (url.password ? decodeURIComponent(url.password) : next.proxy?.password);
  url.username = '';
  url.password = '';
  return { url: url.toString(), ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function applyCategoryList(
  current: CategoryRef[],
  add: string[] | undefined,
  remove: string[] | undefined,
  resolve: (text: string) => CategoryRef,
): CategoryRef[] {
  let list = current;
  for (const text of remove ?? []) {
    const ref = resolve(text);
    list = list.filter((c) => c.id !== ref.id);
  }
  for (const text of add ?? []) {
    const ref = resolve(text);
    if (!list.some((c) => c.id === ref.id)) list = [...list, ref];
  }
  return list;
}

function applyLanguageList(current: string[], add: string[], remove: string[]): string[] {
  const normalize = (text: string, flag: string) => {
    const code = text.trim().toLowerCase();
    if (!wsusLanguages.includes(code)) {
      throw new InvalidArgumentError('UnknownLanguage', `Language '${text}' is not one WSUS synchronizes; known: ${wsusLanguages.join(', ')}`, { target: flag });
    }
    return code;
  };
  let list = current.filter((l) => !remove.map((r) => normalize(r, '--remove-language')).includes(l));
  for (const language of add.map((a) => normalize(a, '--add-language'))) if (!list.includes(language)) list = [...list, language];
  return list;
}

/**
 * Resolves a product or classification given by GUID or title. Classifications are known before
 * any sync (they are fixed GUIDs); products only after the first sync fetched the categories.
 */
export function resolveCategory(text: string, kind: 'product' | 'classification', known: KnownCategories): CategoryRef {
  const flag = kind === 'product' ? '--add-product' : '--add-classification';
  const candidates = kind === 'product' ? known.products : known.classifications.length > 0 ? known.classifications : updateClassifications;
  const guid = canonicalGuid(text);
  const match = guid ? candidates.find((c) => c.id === guid) : candidates.find((c) => c.title.toLowerCase() === text.trim().toLowerCase());
  if (match) return { id: match.id, title: match.title };
  if (!known.synced && kind === 'product') {
    if (guid) return { id: guid, title: guid };
    throw new InvalidOperationError(
      'CategoriesNotSynchronized',
      `Product '${text}' cannot be resolved yet: the site has not synchronized, and a first sync fetches the categories (products and classifications). Run a sync first, or give the product's GUID`,
      { target: flag },
    );
  }
  const suggestions = closestTitles(text, candidates.map((c) => c.title));
  throw new NotFoundError(
    kind === 'product' ? 'UnknownProduct' : 'UnknownClassification',
    `Unknown ${kind} '${text}'.${suggestions.length ? ` Did you mean: ${suggestions.map((s) => `'${s}'`).join(', ')}?` : ''}`,
    { target: flag, data: { suggestions } },
  );
}

/** Up to three known titles closest to `text` (edit distance over lower-case text, substring first). */
export function closestTitles(text: string, titles: string[], limit = 3): string[] {
  const needle = text.trim().toLowerCase();
  return titles
    .map((title) => {
      const hay = title.toLowerCase();
      const score = hay.includes(needle) || needle.includes(hay) ? 0 : editDistance(needle, hay) / Math.max(needle.length, hay.length);
      return { title, score };
    })
    .filter((c) => c.score <= 0.5)
    .sort((a, b) => a.score - b.score || a.title.localeCompare(b.title))
    .slice(0, limit)
    .map((c) => c.title);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function diffSettings(before: SupSettings, after: SupSettings): SupChange[] {
  const view = (s: SupSettings) => ({
    syncSource: s.syncSource.kind === 'upstream' ? `upstream ${s.syncSource.upstreamUrl}` : s.syncSource.kind,
    schedule: s.schedule,
    products: s.products.map((p) => p.title),
    classifications: s.classifications.map((c) => c.title),
    languageUpdateFiles: s.languageUpdateFiles,
    languageSummaryDetails: s.languageSummaryDetails,
    immediatelyExpireSupersedence: s.supersedence.immediatelyExpire,
    waitMonths: s.supersedence.waitMonths,
    immediatelyExpireSupersedenceForFeature: s.supersedence.immediatelyExpireFeature,
    waitMonthsForFeature: s.supersedence.waitMonthsFeature,
    enableSyncFailureAlert: s.enableSyncFailureAlert,
    enableCallWsusCleanupWizard: s.enableCallWsusCleanupWizard,
    proxy: redactProxy(s.proxy) ?? null,
    ...s.recordedSettings,
    caFile: s.caFile ?? null,
    maxRequestsInFlight: s.maxRequestsInFlight ?? defaultMaxRequestsInFlight,
  });
  const a = view(before) as Record<string, unknown>;
  const b = view(after) as Record<string, unknown>;
  return Object.keys(b)
    .filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
    .map((setting) => ({ setting, from: a[setting], to: b[setting] }));
}
