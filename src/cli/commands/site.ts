/** `site add | list | remove`. */
import { applyAddSite, applyRemoveSite, planAddSite, planRemoveSite, siteRecord } from '../../site/sites.js';
import { type CommandHandler, stringArg } from '../context.js';

export const siteAdd: CommandHandler = ({ home, args, emit, note }) => {
  const site = planAddSite(home, {
    code: String(args.code),
    role: String(args.role),
    parent: stringArg(args, 'parent'),
    parentUrl: stringArg(args, 'parentUrl'),
    serverName: stringArg(args, 'serverName'),
    url: stringArg(args, 'url'),
  });
  if (args.whatIf) {
    note(`What if: would create site ${site.code} (${site.role}${site.parent ? `, parent ${site.parent}` : ', top-level'}) in ${home.sitePaths(site.code).dir}`);
    emit({ ...siteRecord(home, site), type: 'SupSync.SitePlan', Action: 'Create' });
    return;
  }
  applyAddSite(home, site);
  emit(siteRecord(home, site));
};

export const siteList: CommandHandler = ({ home, emit }) => {
  for (const site of home.sites()) emit(siteRecord(home, site));
};

export const siteRemove: CommandHandler = ({ home, args, emit, note }) => {
  const site = planRemoveSite(home, String(args.code));
  if (args.whatIf) {
    note(`What if: would remove site ${site.code} and delete ${home.sitePaths(site.code).dir}`);
    emit({ ...siteRecord(home, site), type: 'SupSync.SitePlan', Action: 'Remove' });
    return;
  }
  const record = siteRecord(home, site);
  applyRemoveSite(home, site);
  emit({ ...record, type: 'SupSync.Site', Removed: true });
};
