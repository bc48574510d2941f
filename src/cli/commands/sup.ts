/** `sup get | set`: the SUP component settings. */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { type SiteControl, type SynchronizeAction, defaultMaxRequestsInFlight, isTopLevel, normalizeSiteCode, redactProxy, synchronizeActionOf, synchronizeActions } from '../../model/site.js';
import { type SupChangeRequest, planSupChange } from '../../model/sup-settings.js';
import type { Home } from '../../store/home.js';
import { withSiteStore } from '../../store/site-store.js';
import { updateSiteControl } from '../../store/site-file.js';
import { type Schedule, describeSchedule, encodeScheduleString, validateSchedule } from '../../schedule/index.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';
import { scheduleFromArgs } from './schedule.js';

/**
 * The site named by --site or, as ConfigMgr's -Name/-SiteSystemServerName, by its software
 * update point's server name.
 */
function siteOf(home: Home, args: Record<string, unknown>): string {
  const serverName = stringArg(args, 'serverName');
  const siteText = stringArg(args, 'site');
  if (serverName !== undefined && siteText !== undefined) throw new InvalidArgumentError('ConflictingOptions', 'Give --site or --server-name, not both', { target: '--server-name' });
  if (serverName !== undefined) {
    const site = home.sites().find((s) => s.serverName.toLowerCase() === serverName.toLowerCase());
    if (!site) throw new NotFoundError('SiteNotFound', `No site has a software update point on the server '${serverName}'`, { target: serverName });
    return site.code;
  }
  if (siteText === undefined) throw new InvalidArgumentError('MissingArgument', 'Give --site (a site code) or --server-name', { target: '--site' });
  return normalizeSiteCode(siteText, '--site');
}

/** ConfigMgr settings of the component that SupSync stores and shows but does not act on (recordedSettings). */
const recordedSettingKeys = {
  contentFileOption: 'ContentFileOption',
  defaultWsusServer: 'DefaultWsusServer',
  enableManualCertManagement: 'EnableManualCertManagement',
  enableThirdPartyUpdates: 'EnableThirdPartyUpdates',
  featureUpdateMaxRuntimeMins: 'FeatureUpdateMaxRuntimeMins',
  nonFeatureUpdateMaxRuntimeMins: 'NonFeatureUpdateMaxRuntimeMins',
  reportingEvent: 'ReportingEvent',
} as const;

export const supGet: CommandHandler<'sup.get'> = ({ home, args, emit }) => {
  emit(supRecord(home, home.site(siteOf(home, args))));
};

export const supSet: CommandHandler<'sup.set'> = ({ home, args, emit, note }) => {
  const code = siteOf(home, args);
  const site = home.site(code);
  const request = changeRequest(args);
  for (const [key, name] of Object.entries(recordedSettingKeys) as [keyof typeof recordedSettingKeys, string][]) {
    if (args[key] !== undefined) note(`warn: ${code}: ${name} is stored and shown, but changes nothing in SupSync (it concerns ${key.includes('Runtime') ? 'client installations' : key === 'reportingEvent' ? 'WSUS client reporting' : 'a ConfigMgr feature SupSync does not have'})`);
  }
  const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
  const topLevelCode = home.topLevelOf(code)?.code;
  const plan = planSupChange(site, request, known, topLevelCode);
  if (args.whatIf) {
    if (plan.changes.length === 0) note(`What if: no setting of ${code} would change`);
    for (const change of plan.changes) note(`What if: ${code} ${change.setting}: ${JSON.stringify(change.from)} -> ${JSON.stringify(change.to)}`);
    if (plan.forcesFullSync) note('What if: the next sync would be a full sync (supersedence rules changed)');
    emit({ type: 'SupSync.SupChangePlan', SiteCode: code, Changes: plan.changes, ForcesFullSync: plan.forcesFullSync });
    return;
  }
  // Re-plan inside the lock so a concurrent change is not lost.
  const saved = updateSiteControl(home.sitePaths(code).controlFile, (current) => ({ ...current, sup: planSupChange(current, request, known, topLevelCode).settings }));
  for (const change of plan.changes) note(`${code}: ${change.setting} changed`);
  if (plan.forcesFullSync) note(`${code}: supersedence rules changed; the next sync will be a full sync`);
  if (args.passThru) emit(supRecord(home, saved));
};

function changeRequest(args: Record<string, unknown>): SupChangeRequest {
  const action = stringArg(args, 'synchronizeAction');
  const source = stringArg(args, 'syncSource');
  if (action !== undefined && source !== undefined) {
    throw new InvalidArgumentError('ConflictingOptions', '--sync-source and --synchronize-action say the same thing; give one', { target: '--synchronize-action' });
  }
  const bool = (key: string): boolean | undefined => (args[key] === undefined ? undefined : Boolean(args[key]));
  const num = (key: string): number | undefined => (args[key] === undefined ? undefined : Number(args[key]));
  const request: SupChangeRequest = {
    syncSource: action !== undefined ? synchronizeActions[action as SynchronizeAction] : (source as SupChangeRequest['syncSource']),
    upstreamUrl: stringArg(args, 'upstreamUrl'),
    addProduct: listArg(args, 'addProduct'),
    removeProduct: listArg(args, 'removeProduct'),
    addClassification: listArg(args, 'addClassification'),
    removeClassification: listArg(args, 'removeClassification'),
    addLanguage: listArg(args, 'addLanguage'),
    removeLanguage: listArg(args, 'removeLanguage'),
    addLanguageUpdateFile: listArg(args, 'addLanguageUpdateFile'),
    removeLanguageUpdateFile: listArg(args, 'removeLanguageUpdateFile'),
    addLanguageSummaryDetail: listArg(args, 'addLanguageSummaryDetail'),
    removeLanguageSummaryDetail: listArg(args, 'removeLanguageSummaryDetail'),
    immediatelyExpireSupersedence: bool('immediatelyExpireSupersedence'),
    waitMonths: num('waitMonths'),
    immediatelyExpireSupersedenceForFeature: bool('immediatelyExpireSupersedenceForFeature'),
    waitMonthsForFeature: num('waitMonthsForFeature'),
    enableSyncFailureAlert: bool('enableSyncFailureAlert'),
    enableCallWsusCleanupWizard: bool('enableCallWsusCleanupWizard'),
    proxy: stringArg(args, 'proxy'),
    proxyUsername: stringArg(args, 'proxyUsername'),
    proxyPassword: stringArg(args, 'proxyPassword'),
    noProxy: args.noProxy === true ? true : undefined,
    caFile: caFileArg(stringArg(args, 'caFile')),
    noCaFile: args.noCaFile === true ? true : undefined,
    maxRequestsInFlight: num('maxRequestsInFlight'),
    schedule: scheduleChange(args),
    recorded: recordedChange(args),
  };
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as SupChangeRequest;
}

function recordedChange(args: Record<string, unknown>): Record<string, string | number | boolean> | undefined {
  const change: Record<string, string | number | boolean> = {};
  for (const [key, name] of Object.entries(recordedSettingKeys)) {
    const value = args[key];
    if (value === undefined) continue;
    if (typeof value === 'number' && (!Number.isInteger(value) || value < 0)) {
      throw new InvalidArgumentError('InvalidArgument', `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number of minutes, got ${value}`, { target: name });
    }
    change[name] = value as string | number | boolean;
  }
  return Object.keys(change).length > 0 ? change : undefined;
}

/** A CA bundle must be a readable PEM file holding at least one certificate; kept as an absolute path. */
function caFileArg(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError('CaFileUnreadable', `--ca-file ${file} cannot be read: ${(error as Error).message}`, { target: '--ca-file' });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InvalidArgumentError('CaFileNotPem', `--ca-file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----); export the root certificate as Base-64 (PEM)`, { target: '--ca-file' });
  }
  return absolute;
}

/** A new schedule from the schedule flags, null for --no-schedule, undefined when neither was given. */
function scheduleChange(args: Record<string, unknown>): Schedule | null | undefined {
  const schedule = scheduleFromArgs(args);
  if (args.noSchedule === true) {
    if (schedule) throw new InvalidArgumentError('ConflictingOptions', '--no-schedule cannot be combined with schedule flags', { target: '--no-schedule' });
    return null;
  }
  return schedule;
}

/** The SUP component record: ConfigMgr's property names where they exist. */
export function supRecord(home: Home, site: SiteControl) {
  const sup = site.sup;
  const top = isTopLevel(site);
  const parentSource = site.parentUrl ?? (site.parent && home.hasSite(site.parent) ? (home.site(site.parent).url ?? `site ${site.parent}`) : `site ${site.parent}`);
  const proxy = redactProxy(sup.proxy);
  return {
    type: 'SupSync.SupComponent',
    SiteCode: site.code,
    TopLevel: top,
    SynchronizeAction: top
      ? synchronizeActionOf(sup.syncSource.kind)
      : synchronizeActionOf('upstream'),
    SyncSource: top ? sup.syncSource.kind : 'parent',
    UpstreamSourceLocation: top ? (sup.syncSource.upstreamUrl ?? null) : parentSource,
    Schedule: sup.schedule === null ? null : describeSchedule(validateSchedule(sup.schedule)),
    ScheduleString: sup.schedule === null ? null : encodeScheduleString(validateSchedule(sup.schedule)),
    Products: sup.products.map((p) => p.title),
    ProductIds: sup.products.map((p) => p.id),
    UpdateClassifications: sup.classifications.map((c) => c.title),
    UpdateClassificationIds: sup.classifications.map((c) => c.id),
    LanguageUpdateFiles: sup.languageUpdateFiles,
    LanguageSummaryDetails: sup.languageSummaryDetails,
    ImmediatelyExpireSupersedence: sup.supersedence.immediatelyExpire,
    WaitMonth: sup.supersedence.waitMonths,
    ImmediatelyExpireSupersedenceForFeature: sup.supersedence.immediatelyExpireFeature,
    WaitMonthForFeature: sup.supersedence.waitMonthsFeature,
    EnableSyncFailureAlert: sup.enableSyncFailureAlert,
    EnableCallWsusCleanupWizard: sup.enableCallWsusCleanupWizard,
    ProxyUrl: proxy?.url ?? null,
    ProxyUserName: proxy?.username ?? null,
    ProxyHasPassword: proxy?.hasPassword ?? false,
    CaFile: sup.caFile ?? null,
    MaxRequestsInFlight: sup.maxRequestsInFlight ?? defaultMaxRequestsInFlight,
    FullSyncRequired: sup.fullSyncRequired,
    // ConfigMgr settings stored for drop-in scripts; null until set.
    ...Object.fromEntries(Object.values(recordedSettingKeys).map((name) => [name, sup.recordedSettings?.[name] ?? null])),
  };
}
