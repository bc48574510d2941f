/** `sup get | set`: the SUP component settings. */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { type SiteControl, isTopLevel, normalizeSiteCode, redactProxy } from '../../site/model.js';
import { type SupChangeRequest, planSupChange } from '../../site/sup-settings.js';
import { knownCategories } from '../../store/categories.js';
import type { Home } from '../../store/home.js';
import { openSiteDb } from '../../store/site-db.js';
import { updateSiteControl } from '../../store/site-file.js';
import { type Schedule, describeSchedule, encodeScheduleString, validateSchedule } from '../../schedule/index.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';
import { scheduleFromArgs } from './schedule.js';

const synchronizeActions = {
  SynchronizeFromMicrosoftUpdate: 'microsoft-update',
  SynchronizeFromAnUpstreamDataSourceLocation: 'upstream',
  DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource: 'none',
} as const;

export const supGet: CommandHandler = ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  emit(supRecord(home, home.site(code)));
};

export const supSet: CommandHandler = ({ home, args, emit, note }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  const site = home.site(code);
  const request = changeRequest(args);
  const db = openSiteDb(home.sitePaths(code).database);
  let known;
  try {
    known = knownCategories(db);
  } finally {
    db.close();
  }
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
    syncSource: action !== undefined ? synchronizeActions[action as keyof typeof synchronizeActions] : (source as SupChangeRequest['syncSource']),
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
    schedule: scheduleChange(args),
  };
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as SupChangeRequest;
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
      ? { 'microsoft-update': 'SynchronizeFromMicrosoftUpdate', upstream: 'SynchronizeFromAnUpstreamDataSourceLocation', none: 'DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource' }[sup.syncSource.kind]
      : 'SynchronizeFromAnUpstreamDataSourceLocation',
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
    FullSyncRequired: sup.fullSyncRequired,
  };
}
