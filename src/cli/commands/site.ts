/** `site add | list | remove`. */
import { normalizeSiteCode } from '../../model/site.js';
import { addRemoteChild, applyAddSite, applyRemoveSite, planAddSite, planRemoveSite, removeRemoteChild, siteRecord } from '../../store/sites.js';
import { type CommandHandler, stringArg } from '../context.js';
import { wildcardMatcher } from '../wildcard.js';

export const siteAdd: CommandHandler<'site.add'> = ({ home, args, emit, note }) => {
  if (args.remote) {
    if (args.whatIf) {
      note(`What if: would record ${String(args.code).toUpperCase()} as a remote child of ${String(args.parent).toUpperCase()} at ${String(args.url)}`);
      return;
    }
    const parent = addRemoteChild(home, {
      code: String(args.code),
      role: String(args.role),
      parent: stringArg(args, 'parent'),
      url: stringArg(args, 'url'),
      syncRequestSecret: stringArg(args, 'syncRequestSecret'),
    });
    emit(siteRecord(home, parent));
    return;
  }
  const site = planAddSite(home, {
    code: String(args.code),
    role: String(args.role),
    parent: stringArg(args, 'parent'),
    parentUrl: stringArg(args, 'parentUrl'),
    serverName: stringArg(args, 'serverName'),
    url: stringArg(args, 'url'),
    syncRequestSecret: stringArg(args, 'syncRequestSecret'),
    allowUnauthenticatedSyncRequests: args.allowUnauthenticatedSyncRequests === true,
    standAlone: args.standAlone === true,
  });
  if (args.whatIf) {
    note(`What if: would create site ${site.code} (${site.role}${site.parent ? `, parent ${site.parent}` : ', top-level'}) in ${home.sitePaths(site.code).dir}`);
    emit({ ...siteRecord(home, site), type: 'SupSync.SitePlan', Action: 'Create' });
    return;
  }
  applyAddSite(home, site);
  emit(siteRecord(home, site));
};

export const siteList: CommandHandler<'site.list'> = ({ home, args, emit }) => {
  const code = stringArg(args, 'code');
  const name = stringArg(args, 'name');
  const codeMatches = code === undefined ? () => true : wildcardMatcher(code);
  const nameMatches = name === undefined ? () => true : wildcardMatcher(name);
  for (const site of home.sites()) {
    if (codeMatches(site.code) && (nameMatches(site.code) || nameMatches(site.serverName))) emit(siteRecord(home, site));
  }
};

export const siteRemove: CommandHandler<'site.remove'> = ({ home, args, emit, note }) => {
  const code = normalizeSiteCode(String(args.code));
  if (!home.hasSite(code) && !args.whatIf) {
    const parent = removeRemoteChild(home, code);
    if (parent) {
      note(`${code} is no longer recorded as a remote child of ${parent.code}`);
      emit(siteRecord(home, parent));
      return;
    }
  }
  const site = planRemoveSite(home, code);
  if (args.whatIf) {
    note(`What if: would remove site ${site.code} and delete ${home.sitePaths(site.code).dir}`);
    emit({ ...siteRecord(home, site), type: 'SupSync.SitePlan', Action: 'Remove' });
    return;
  }
  const record = siteRecord(home, site);
  applyRemoveSite(home, site);
  emit({ ...record, type: 'SupSync.Site', Removed: true });
};
