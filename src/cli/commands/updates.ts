/** `update list` and `category list`: queries of the site database. */
import { canonicalGuid } from '../../model/update.js';
import { normalizeSiteCode } from '../../site/model.js';
import { resolveCategory } from '../../site/sup-settings.js';
import { type CategoryRow, knownCategories, listCategories } from '../../store/categories.js';
import { openSiteDb } from '../../store/site-db.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';
import { hasWildcard, wildcardMatcher } from '../wildcard.js';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';

export const updateList: CommandHandler = ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const db = openSiteDb(home.sitePaths(code).database);
  try {
    const known = { ...knownCategories(db), synced: true };
    const where: string[] = [];
    const params: unknown[] = [];
    const kb = stringArg(args, 'kb');
    const filters = updateFilters(args, db);
    if (kb !== undefined && hasWildcard(kb)) {
      const matches = wildcardMatcher(kb.replace(/^kb/i, ''));
      filters.push((r) => matches(r.kb === null ? null : String(r.kb)));
    } else if (kb !== undefined) {
      const digits = /^(?:kb)?(\d+)$/i.exec(kb.trim())?.[1];
      if (!digits) throw new InvalidArgumentError('InvalidKb', `--kb '${kb}' is not a KB number (e.g. 5034441 or KB5034441)`, { target: '--kb' });
      where.push('u.kb = ?');
      params.push(digits);
    }
    const product = stringArg(args, 'product');
    if (product !== undefined) {
      where.push('EXISTS (SELECT 1 FROM update_products p WHERE p.update_id = u.update_id AND p.product_id = ?)');
      params.push(resolveCategory(product, 'product', known).id);
    }
    const classification = stringArg(args, 'classification');
    if (classification !== undefined) {
      where.push('u.classification_id = ?');
      params.push(resolveCategory(classification, 'classification', known).id);
    }
    const title = stringArg(args, 'title');
    if (title !== undefined) {
      where.push("u.title LIKE ? ESCAPE '\\'");
      params.push(`%${title.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const updateId = stringArg(args, 'updateId');
    if (updateId !== undefined) {
      const guid = canonicalGuid(updateId);
      if (!guid) throw new InvalidArgumentError('InvalidUpdateId', `--update-id '${updateId}' is not a GUID`, { target: '--update-id' });
      where.push('u.update_id = ?');
      params.push(guid);
    }
    const wantsExpired = args.includeExpired === true || args.onlyExpired === true || args.isExpired !== undefined;
    if (!wantsExpired) where.push('u.expired = 0');
    if (args.onlyExpired === true || args.isExpired === true) where.push('u.expired = 1');
    if (args.isExpired === false) where.push('u.expired = 0');
    const limit = args.limit === undefined ? -1 : Number(args.limit);
    const rows = db
      .prepare(
        `SELECT u.*, (SELECT group_concat(c.title, '|') FROM update_products p JOIN categories c ON c.update_id = p.product_id WHERE p.update_id = u.update_id) AS products,
           (SELECT group_concat(p.product_id) FROM update_products p WHERE p.update_id = u.update_id) AS product_ids,
           (SELECT title FROM categories c WHERE c.update_id = u.classification_id) AS classification,
           (SELECT group_concat(s.update_id) FROM supersedence s WHERE s.superseded_id = u.update_id) AS superseded_by
         FROM updates u ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY u.creation_date DESC, u.update_id LIMIT ?`,
      )
      .iterate(...params, filters.length > 0 ? -1 : limit) as IterableIterator<Record<string, string | number | null>>;
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
    }
  } finally {
    db.close();
  }
};

/** SMS_SoftwareUpdate.Severity: ConfigMgr's numbers for the MSRC severities. */
const severityValues: Record<string, number> = { none: 0, low: 2, moderate: 6, important: 8, critical: 10 };

type UpdateRow = Record<string, string | number | null>;

/** The filters of update list that ConfigMgr's Get-CMSoftwareUpdate has and SQL does not do here. */
function updateFilters(args: Record<string, unknown>, db: ReturnType<typeof openSiteDb>): ((row: UpdateRow) => boolean)[] {
  const filters: ((row: UpdateRow) => boolean)[] = [];
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
    const all = listCategories(db);
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

export const categoryList: CommandHandler = ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const db = openSiteDb(home.sitePaths(code).database);
  try {
    const type = stringArg(args, 'type');
    const typeMatches = type === undefined ? () => true : wildcardMatcher(categoryTypes[type.toLowerCase()] ?? type);
    const name = stringArg(args, 'name');
    const nameMatches = name === undefined ? () => true : wildcardMatcher(name);
    const idText = stringArg(args, 'id');
    const id = idText === undefined ? undefined : canonicalGuid(idText);
    if (idText !== undefined && id === undefined) throw new InvalidArgumentError('InvalidCategoryId', `--id '${idText}' is not a GUID`, { target: '--id' });
    for (const row of listCategories(db)) {
      if (typeMatches(row.category_type) && nameMatches(row.title) && (id === undefined || row.update_id === id)) emit(categoryRecord(code, row));
    }
  } finally {
    db.close();
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
