/** `update list` and `category list`: queries of the site database. */
import { canonicalGuid } from '../../model/update.js';
import { normalizeSiteCode } from '../../model/site.js';
import { resolveCategory } from '../../model/sup-settings.js';
import type { CategoryRow } from '../../store/categories.js';
import { openSiteStore } from '../../store/site-store.js';
import type { UpdateFilter } from '../../store/updates.js';
import { type CommandHandler, stringArg } from '../context.js';
import { InvalidArgumentError } from '../../errors.js';

export const updateList: CommandHandler<'update.list'> = ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const store = openSiteStore(home.sitePaths(code).database);
  try {
    const known = { ...store.categories.known(), synced: true };
    const filter: UpdateFilter = { includeExpired: Boolean(args.includeExpired), ...(args.limit === undefined ? {} : { limit: Number(args.limit) }) };
    const kb = stringArg(args, 'kb');
    if (kb !== undefined) {
      const digits = /^(?:kb)?(\d+)$/i.exec(kb.trim())?.[1];
      if (!digits) throw new InvalidArgumentError('InvalidKb', `--kb '${kb}' is not a KB number (e.g. 5034441 or KB5034441)`, { target: '--kb' });
      filter.kb = digits;
    }
    const product = stringArg(args, 'product');
    if (product !== undefined) {
      filter.productId = resolveCategory(product, 'product', known).id;
    }
    const classification = stringArg(args, 'classification');
    if (classification !== undefined) {
      filter.classificationId = resolveCategory(classification, 'classification', known).id;
    }
    const title = stringArg(args, 'title');
    if (title !== undefined) filter.titleContains = title;
    const updateId = stringArg(args, 'updateId');
    if (updateId !== undefined) {
      const guid = canonicalGuid(updateId);
      if (!guid) throw new InvalidArgumentError('InvalidUpdateId', `--update-id '${updateId}' is not a GUID`, { target: '--update-id' });
      filter.updateId = guid;
    }
    for (const r of store.updates.search(filter)) {
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
    store.close();
  }
};

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
    for (const row of store.categories.list(type ? categoryTypes[type] : undefined)) emit(categoryRecord(code, row));
  } finally {
    store.close();
  }
};

function categoryRecord(code: string, row: CategoryRow) {
  return { type: 'SupSync.Category', SiteCode: code, Title: row.title, Id: row.update_id, CategoryType: row.category_type, ParentId: row.parent_id, RevisionNumber: row.revision };
}
