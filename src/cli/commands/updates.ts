/** `update list` and `category list`: queries of the site database. */
import { canonicalGuid } from '../../model/update.js';
import { normalizeSiteCode } from '../../site/model.js';
import { resolveCategory } from '../../site/sup-settings.js';
import { type CategoryRow, knownCategories, listCategories } from '../../store/categories.js';
import { openSiteDb } from '../../store/site-db.js';
import { type CommandHandler, stringArg } from '../context.js';
import { InvalidArgumentError } from '../../errors.js';

export const updateList: CommandHandler = ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const db = openSiteDb(home.sitePaths(code).database);
  try {
    const known = { ...knownCategories(db), synced: true };
    const where: string[] = [];
    const params: unknown[] = [];
    const kb = stringArg(args, 'kb');
    if (kb !== undefined) {
      const digits = /^(?:kb)?0*([1-9]\d{0,8})$/i.exec(kb.trim())?.[1];
      if (!digits) throw new InvalidArgumentError('InvalidKb', `--kb '${kb}' is not a KB number (1 to 9 digits, e.g. 5034441 or KB5034441)`, { target: '--kb' });
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
    if (!args.includeExpired) where.push('u.expired = 0');
    const limit = args.limit === undefined ? -1 : Number(args.limit);
    const rows = db
      .prepare(
        `SELECT u.*, (SELECT group_concat(c.title, '|') FROM update_products p JOIN categories c ON c.update_id = p.product_id WHERE p.update_id = u.update_id) AS products,
           (SELECT title FROM categories c WHERE c.update_id = u.classification_id) AS classification,
           (SELECT group_concat(s.update_id) FROM supersedence s WHERE s.superseded_id = u.update_id) AS superseded_by
         FROM updates u ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY u.creation_date DESC, u.update_id LIMIT ?`,
      )
      .all(...params, limit) as Record<string, string | number | null>[];
    for (const r of rows) {
      emit({
        type: 'SupSync.Update',
        SiteCode: code,
        UpdateId: r.update_id,
        RevisionNumber: r.revision,
        Title: r.title,
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
        SupersededBy: r.superseded_by ? String(r.superseded_by).split(',') : [],
        MetadataBytes: r.metadata_size,
      });
    }
  } finally {
    db.close();
  }
};

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
    for (const row of listCategories(db, type ? categoryTypes[type] : undefined)) emit(categoryRecord(code, row));
  } finally {
    db.close();
  }
};

function categoryRecord(code: string, row: CategoryRow) {
  return { type: 'SupSync.Category', SiteCode: code, Title: row.title, Id: row.update_id, CategoryType: row.category_type, ParentId: row.parent_id, RevisionNumber: row.revision };
}
