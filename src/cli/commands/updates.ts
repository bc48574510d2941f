/** `update list` and `category list`: queries of the site database. */
import { canonicalGuid } from '../../model/update.js';
import { normalizeSiteCode } from '../../model/site.js';
import { resolveCategory } from '../../model/sup-settings.js';
import type { CategoryRow } from '../../store/categories.js';
import { type SiteStore, openSiteStore } from '../../store/site-store.js';
import type { UpdateFilter, UpdateListRow } from '../../store/updates.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';
import { hasWildcard, wildcardMatcher } from '../wildcard.js';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';

export const updateList: CommandHandler<'update.list'> = async ({ home, args, emit, drained }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const store = openSiteStore(home.sitePaths(code).database);
  try {
    const known = { ...store.categories.known(), synced: true };
    const wantsExpired = args.includeExpired === true || args.onlyExpired === true || args.isExpired !== undefined;
    const filter: UpdateFilter = { expired: args.onlyExpired === true || args.isExpired === true ? 'only' : wantsExpired && args.isExpired !== false ? 'include' : 'exclude' };
    const kb = stringArg(args, 'kb');
    const filters = updateFilters(args, store);
    if (kb !== undefined && hasWildcard(kb)) {
      const matches = wildcardMatcher(kb.replace(/^kb/i, ''));
      filters.push((r) => matches(r.kb === null ? null : String(r.kb)));
    } else if (kb !== undefined) {
      const digits = /^(?:kb)?0*([1-9]\d{0,8})$/i.exec(kb.trim())?.[1];
      if (!digits) throw new InvalidArgumentError('InvalidKb', `--kb '${kb}' is not a KB number (1 to 9 digits, e.g. 5034441 or KB5034441)`, { target: '--kb' });
      filter.kb = digits;
    }
    const product = stringArg(args, 'product');
    if (product !== undefined) filter.productId = resolveCategory(product, 'product', known).id;
    const classification = stringArg(args, 'classification');
    if (classification !== undefined) filter.classificationId = resolveCategory(classification, 'classification', known).id;
    const title = stringArg(args, 'title');
    if (title !== undefined) filter.titleContains = title;
    const updateId = stringArg(args, 'updateId');
    if (updateId !== undefined) {
      const guid = canonicalGuid(updateId);
      if (!guid) throw new InvalidArgumentError('InvalidUpdateId', `--update-id '${updateId}' is not a GUID`, { target: '--update-id' });
      filter.updateId = guid;
    }
    const limit = args.limit === undefined ? -1 : Number(args.limit);
    // With filters SQL does not do, the limit counts what passes them.
    if (filters.length === 0) filter.limit = limit;
    const rows = store.updates.search(filter);
    let emitted = 0;
    for (const r of rows) {
      if (limit >= 0 && emitted >= limit) break;
      if (!filters.every((matches) => matches(r))) continue;
      emitted++;
      const supersededBy = r.superseded_by ? String(r.superseded_by).split(',') : [];
      const severity = r.msrc_severity === null ? null : String(r.msrc_severity);
      emit({
        type: 'SupSync.Update',
        SiteCode: code,
        UpdateId: r.update_id,
        RevisionNumber: r.revision,
        Title: r.title,
        // ArticleId is also SMS_SoftwareUpdate's ArticleID: PowerShell property names ignore case.
        ArticleId: r.kb,
        UpdateType: r.update_type,
        Classification: r.classification,
        Products: r.products ? String(r.products).split('|') : [],
        MsrcSeverity: r.msrc_severity,
        CreationDate: r.creation_date,
        ArrivalDate: r.arrived_at,
        IsExpired: r.expired === 1,
        ExpiredReason: r.expired_reason,
        IsImported: r.imported === 1,
        SupersededBy: supersededBy,
        MetadataBytes: r.metadata_size,
        // SMS_SoftwareUpdate's names, so scripts written for ConfigMgr read the same properties.
        LocalizedDisplayName: r.title,
        CI_UniqueID: r.update_id,
        DatePosted: r.creation_date,
        DateRevised: r.revised_at ?? r.creation_date,
        IsSuperseded: supersededBy.length > 0,
        Severity: severity === null ? 0 : (severityValues[severity.toLowerCase()] ?? 0),
        SeverityName: severity ?? 'None',
        LocalizedCategoryInstanceNames: [...(r.products ? String(r.products).split('|') : []), ...(r.classification ? [String(r.classification)] : [])],
      });
      // The reader (the module) makes objects of the first records while the rest are made.
      if (emitted % 64 === 0) await drained();
    }
  } finally {
    store.close();
  }
};

/** SMS_SoftwareUpdate.Severity: ConfigMgr's numbers for the MSRC severities. */
const severityValues: Record<string, number> = { none: 0, low: 2, moderate: 6, important: 8, critical: 10 };

/** The filters of update list that ConfigMgr's Get-CMSoftwareUpdate has and SQL does not do here. */
function updateFilters(args: Record<string, unknown>, store: SiteStore): ((row: UpdateListRow) => boolean)[] {
  const filters: ((row: UpdateListRow) => boolean)[] = [];
  const name = stringArg(args, 'name');
  if (name !== undefined) {
    const matches = wildcardMatcher(name);
    filters.push((r) => matches(String(r.title)));
  }
  if (args.isSuperseded !== undefined) {
    const wanted = args.isSuperseded === true;
    filters.push((r) => Boolean(r.superseded_by) === wanted);
  }
  const severity = stringArg(args, 'severity');
  if (severity !== undefined) {
    const wanted = severity.toLowerCase();
    filters.push((r) => (r.msrc_severity === null ? 'none' : String(r.msrc_severity).toLowerCase()) === wanted);
  }
  for (const [flag, column, compare] of [
    ['datePostedMin', 'creation_date', 1],
    ['datePostedMax', 'creation_date', -1],
    ['dateRevisedMin', 'revised_at', 1],
    ['dateRevisedMax', 'revised_at', -1],
  ] as const) {
    const text = stringArg(args, flag);
    if (text === undefined) continue;
    const bound = Date.parse(text);
    const option = `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (Number.isNaN(bound)) throw new InvalidArgumentError('InvalidArgument', `${option} '${text}' is not an ISO 8601 date-time`, { target: option });
    filters.push((r) => {
      const value = Date.parse(String(r[column] ?? r.creation_date));
      return compare > 0 ? value >= bound : value <= bound;
    });
  }
  const categories = [...(listArg(args, 'category') ?? []), ...(listArg(args, 'categoryName') ?? [])];
  if (categories.length > 0) {
    const all = store.categories.list();
    const wanted = new Set<string>();
    for (const text of categories) {
      const guid = canonicalGuid(text);
      const found = all.filter((c) => (guid !== undefined && c.update_id === guid) || c.title.toLowerCase() === text.toLowerCase());
      if (found.length === 0) throw new NotFoundError('CategoryNotFound', `No category '${text}' in this site (Get-CMSoftwareUpdateCategory lists them)`, { target: text });
      for (const c of found) wanted.add(c.update_id);
    }
    // A family or company stands for the products below it.
    let grew = true;
    while (grew) {
      grew = false;
      for (const c of all) {
        if (c.parent_id && wanted.has(c.parent_id) && !wanted.has(c.update_id)) {
          wanted.add(c.update_id);
          grew = true;
        }
      }
    }
    filters.push((r) => wanted.has(String(r.classification_id)) || String(r.product_ids ?? '').split(',').some((id) => wanted.has(id)));
  }
  return filters;
}

/** The host's older spellings of the category types; the types themselves (Product, UpdateClassification, …) match as they are. */
const categoryTypes: Record<string, string> = {
  product: 'Product',
  classification: 'UpdateClassification',
  'product-family': 'ProductFamily',
  company: 'Company',
  detectoid: 'Detectoid',
};

export const categoryList: CommandHandler<'category.list'> = ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const store = openSiteStore(home.sitePaths(code).database);
  try {
    const type = stringArg(args, 'type');
    const knownType = type === undefined ? undefined : (categoryTypes[type.toLowerCase()] ?? Object.values(categoryTypes).find((t) => t.toLowerCase() === type.toLowerCase()));
    if (type !== undefined && knownType === undefined && !hasWildcard(type)) {
      throw new InvalidArgumentError('InvalidCategoryType', `--type '${type}' is not a category type; give one of ${Object.values(categoryTypes).join(', ')} (wildcards allowed)`, { target: '--type' });
    }
    const typeMatches = type === undefined ? () => true : wildcardMatcher(knownType ?? type);
    const name = stringArg(args, 'name');
    const nameMatches = name === undefined ? () => true : wildcardMatcher(name);
    const idText = stringArg(args, 'id');
    const id = idText === undefined ? undefined : canonicalGuid(idText);
    if (idText !== undefined && id === undefined) throw new InvalidArgumentError('InvalidCategoryId', `--id '${idText}' is not a GUID`, { target: '--id' });
    for (const row of store.categories.list()) {
      if (typeMatches(row.category_type) && nameMatches(row.title) && (id === undefined || row.update_id === id)) emit(categoryRecord(code, row));
    }
  } finally {
    store.close();
  }
};

function categoryRecord(code: string, row: CategoryRow) {
  return {
    type: 'SupSync.Category',
    SiteCode: code,
    Title: row.title,
    Id: row.update_id,
    CategoryType: row.category_type,
    ParentId: row.parent_id,
    RevisionNumber: row.revision,
    LocalizedCategoryInstanceName: row.title,
    CategoryInstance_UniqueID: row.update_id,
    CategoryTypeName: row.category_type,
  };
}
