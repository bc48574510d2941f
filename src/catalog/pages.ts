/**
 * Parsers for the three Microsoft Update Catalog answers supsync reads: the search page
 * (`Search.aspx`), the update details page (`ScopedViewInline.aspx`) and the download dialog
 * (`DownloadDialog.aspx`). Pure functions from text to values; fetching is the HTTP client's job.
 *
 * Markup is read with cheerio by element id, the ids being what stayed stable across the
 * catalog's redesigns (2019 to 2025). The download dialog carries its data as JavaScript
 * assignments, which are script text, so those are read with a regular expression.
 */
import { load, type CheerioAPI, type Cheerio, contains } from 'cheerio/slim';
import { parse } from 'parse5';
import { adapter } from 'parse5-htmlparser2-tree-adapter';
import { InvalidArgumentError, InvalidDataError } from '../errors.js';
import { canonicalGuid } from '../model/update.js';
import { CatalogPageError } from './errors.js';

/** A DOM node as cheerio hands them out (named without depending on domhandler directly). */
type AnyNode = Parameters<typeof contains>[0];

/**
 * A page's document, parsed as cheerio's default `load` parses it (parse5, as a browser would,
 * with scripting on so `<noscript>` stays text) but through `cheerio/slim`: cheerio's main entry
 * also loads undici for its `fromURL`, ~0.1 CPU-s at every import's start for a fetch supsync
 * never makes.
 */
function loadPage(html: string): CheerioAPI {
  return load(parse(html, { treeAdapter: adapter, scriptingEnabled: true }));
}

/** The catalog's hard cap: it never returns more than this many results for one query. */
export const catalogResultCap = 1000;

/** Results per search page, as the catalog pages them. */
export const catalogPageSize = 25;

export interface CatalogSearchResult {
  /** Lower-case GUID. */
  updateId: string;
  title: string;
  /** As shown: one or more product names; not split, since names themselves contain commas. */
  products: string;
  classification: string;
  /** `YYYY-MM-DD`; absent when the text does not read as a date in the page's culture. */
  lastUpdated?: string;
  /** The date as the catalog shows it, in the culture of the request's Accept-Language. */
  lastUpdatedText: string;
  /** Absent when the catalog shows `n/a`. */
  version?: string;
  /** As shown, e.g. "109.2 MB". */
  sizeText: string;
  /** Exact size of the update's files in bytes (may exceed 2^31). */
  sizeInBytes: number;
  /** Digits of the "(KB1234567)" in the title, when there is one. */
  kb?: string;
}

export interface CatalogSearchPage {
  results: CatalogSearchResult[];
  hasNextPage: boolean;
  /** From "1 - 25 of 1000 (page 1 of 40)". */
  totalCount?: number;
  page?: number;
  pageCount?: number;
  /** The catalog's 1000-result cap cut the answer: narrow the query to see the rest. */
  capped: boolean;
}

export interface CatalogParseOptions {
  /**
   * The Accept-Language the page was requested with: the catalog formats dates in that culture
   * (`9/10/2019` in en-US, `10.9.2019` in de-DE). Default en-US, the catalog's own default.
   */
  acceptLanguage?: string;
  /** What the page is (e.g. the request URL), for error messages. */
  source?: string;
}

/** A supersedence link of the details page. */
export interface CatalogUpdateReference {
  title: string;
  /** Present when the catalog links the update (it does for "superseded by"). */
  updateId?: string;
  kb?: string;
}

export interface CatalogUpdateDetails {
  updateId?: string;
  title: string;
  description?: string;
  /** `YYYY-MM-DD`, when `lastModifiedText` reads as a date in the page's culture. */
  lastModified?: string;
  lastModifiedText?: string;
  /** As shown, e.g. "316.2 MB"; the details page gives no byte count. */
  sizeText?: string;
  msrcNumber?: string;
  msrcSeverity?: string;
  rebootBehavior?: string;
  kb?: string;
  classification?: string;
  products: string[];
  architecture?: string;
  languages: string[];
  supersededBy: CatalogUpdateReference[];
  supersedes: CatalogUpdateReference[];
  moreInfoUrls: string[];
  supportUrls: string[];
}

export interface CatalogDownloadFile {
  url: string;
  fileName: string;
  /** Base64 SHA-1. Absent when the catalog gave none (some old updates show an empty digest). */
  digest?: string;
  /** Base64 SHA-256; newer dialogs carry it, often empty. */
  sha256?: string;
}

export interface CatalogDownloadDialog {
  updateId?: string;
  files: CatalogDownloadFile[];
}

const guidText = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const rowIdPattern = new RegExp(`^(${guidText})_R\\d+$`);
const linkIdPattern = new RegExp(`^(${guidText})_link$`);

/** Collapses whitespace the way a browser shows it. */
function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The catalog writes `n/a` (or nothing) for a missing value. */
function optional(text: string): string | undefined {
  const value = clean(text);
  return value === '' || value.toLowerCase() === 'n/a' ? undefined : value;
}

function markupChanged(source: string, what: string): InvalidDataError {
  return new InvalidDataError('CatalogMarkupChanged', `Cannot read ${source}: ${what}; the catalog's markup may have changed`, {
    target: source,
  });
}

/** Digits of the "(KB1234567)" in a title. */
export function kbFromTitle(title: string): string | undefined {
  return /\(KB(\d+)\)/i.exec(title)?.[1];
}

/** Throws the catalog's error page as a CatalogPageError. */
function throwIfErrorPage($: CheerioAPI, source: string): void {
  const shown = $('#errorPageDisplayedError');
  if (shown.length === 0) return;
  const code = /\b([0-9A-F]{8})\b/i.exec(shown.text())?.[1]?.toUpperCase() ?? codeFromErrorAction($) ?? 'unknown';
  throw new CatalogPageError(code, source);
}

/**
 * The error page posts back to `Error.aspx?id=<HRESULT as a signed 32-bit number>`
 * (-1914896368 is 8DDD0010): the fallback when the displayed text carries no code.
 */
function codeFromErrorAction($: CheerioAPI): string | undefined {
  const action = $('form[action*="rror"]').attr('action');
  const id = action === undefined ? undefined : /[?&]id=(-?\d+)/.exec(action)?.[1];
  if (id === undefined) return undefined;
  return (Number(id) >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** The culture of an Accept-Language value (its first tag). */
function cultureOf(acceptLanguage: string | undefined): string {
  const first = acceptLanguage?.split(',')[0]?.split(';')[0]?.trim();
  return first === undefined || first === '' || first === '*' ? 'en-US' : first;
}

type DatePart = 'day' | 'month' | 'year';

/** The order of day, month and year in the culture's short date, as ICU knows it. */
function dateOrder(culture: string): DatePart[] {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(culture, { year: 'numeric', month: 'numeric', day: 'numeric', timeZone: 'UTC' });
  } catch (error) {
    throw new InvalidArgumentError('CatalogCultureInvalid', `The Accept-Language culture "${culture}" is not a valid language tag`, {
      target: culture,
      cause: error,
    });
  }
  return format
    .formatToParts(new Date(Date.UTC(2019, 8, 10)))
    .map((part) => part.type)
    .filter((type): type is DatePart => type === 'day' || type === 'month' || type === 'year');
}

/**
 * Reads a catalog date in the given culture's order; a leading four-digit group is a year
 * whatever the culture (ISO dates). Undefined when the text is not a valid date.
 */
export function parseCatalogDate(text: string, acceptLanguage?: string): string | undefined {
  const groups = text.match(/\d+/g);
  if (groups === null || groups.length < 3) return undefined;
  const [first, second, third] = groups as [string, string, string];
  const cultureOrder = dateOrder(cultureOf(acceptLanguage));
  const order: DatePart[] = first.length === 4 ? ['year', 'month', 'day'] : cultureOrder;
  const value: Record<DatePart, number> = { day: 0, month: 0, year: 0 };
  order.forEach((part, index) => {
    value[part] = Number([first, second, third][index]);
  });
  const { year, month, day } = value;
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Finds an element by id; ids starting with a digit (GUIDs) are not valid `#id` selectors. */
function byId(scope: Cheerio<AnyNode>, id: string): Cheerio<AnyNode> {
  return scope.find(`[id="${id}"]`);
}

function parseCountText(text: string): Pick<CatalogSearchPage, 'totalCount' | 'page' | 'pageCount'> {
  // "1 - 25 of 1000 (page 1 of 40)", worded per culture: only the five numbers matter.
  const numbers = text.replace(/(\d)[.,\u00a0\u202f](?=\d{3}\b)/g, '$1').match(/\d+/g);
  if (numbers === null || numbers.length < 5) return {};
  const [, , total, page, pageCount] = numbers.map(Number) as [number, number, number, number, number];
  return { totalCount: total, page, pageCount };
}

function parseResultRow(
  row: Cheerio<AnyNode>,
  rawId: string,
  options: CatalogParseOptions,
  source: string,
): CatalogSearchResult {
  const updateId = canonicalGuid(rawId) as string;
  const cells = row.children('td');
  // Cells are `<guid>_C<column>_R<row>`; rows without cell ids are read by position.
  const namedCells = cells.filter(`[id^="${rawId}_C"]`).length > 0;
  const cell = (column: number): string => {
    const found = namedCells ? cells.filter(`[id^="${rawId}_C${column}_"]`) : cells.eq(column);
    if (found.length === 0) throw markupChanged(source, `result row ${updateId} has no cell for column ${column}`);
    return clean(found.text());
  };
  const link = byId(row, `${rawId}_link`);
  const title = clean(link.length > 0 ? link.text() : cell(1));
  const sizeSpan = byId(row, `${rawId}_size`);
  const originalSize = clean(byId(row, `${rawId}_originalSize`).text());
  const sizeInBytes = Number(originalSize);
  if (sizeSpan.length === 0 || !/^\d+$/.test(originalSize) || !Number.isSafeInteger(sizeInBytes)) {
    throw markupChanged(source, `result row ${updateId} has no readable size (${rawId}_size and ${rawId}_originalSize)`);
  }
  const lastUpdatedText = cell(4);
  const result: CatalogSearchResult = {
    updateId,
    title,
    products: cell(2),
    classification: cell(3),
    lastUpdatedText,
    sizeText: clean(sizeSpan.text()),
    sizeInBytes,
  };
  const lastUpdated = parseCatalogDate(lastUpdatedText, options.acceptLanguage);
  if (lastUpdated !== undefined) result.lastUpdated = lastUpdated;
  const version = optional(cell(5));
  if (version !== undefined) result.version = version;
  const kb = kbFromTitle(title);
  if (kb !== undefined) result.kb = kb;
  return result;
}

/** Parses a `Search.aspx` answer: one page of at most 25 results. */
export function parseSearchPage(html: string, options: CatalogParseOptions = {}): CatalogSearchPage {
  const source = options.source ?? 'the catalog search page';
  const $ = loadPage(html);
  throwIfErrorPage($, source);
  const table = $('#ctl00_catalogBody_updateMatches');
  const results: CatalogSearchResult[] = [];
  let otherRows = 0;
  table.find('tr').each((_, element) => {
    const row = $(element);
    // The row id is `<guid>_R<n>`; the title link `<guid>_link` identifies rows that lost it.
    const linkId = row.find('a[id$="_link"]').attr('id') ?? '';
    const rawId = rowIdPattern.exec(row.attr('id') ?? '')?.[1] ?? linkIdPattern.exec(linkId)?.[1];
    if (rawId === undefined) {
      if (row.attr('id') !== 'headerRow') otherRows += 1;
      return;
    }
    results.push(parseResultRow(row, rawId, options, source));
  });
  if (results.length === 0) {
    if ($('#ctl00_catalogBody_noResultText').length > 0) return { results, hasNextPage: false, totalCount: 0, capped: false };
    if (table.length === 0) {
      throw markupChanged(source, 'it has neither the results table (#ctl00_catalogBody_updateMatches) nor the no-results text');
    }
    if (otherRows > 0) throw markupChanged(source, 'no row of the results table names an update');
  }

  const counts = parseCountText($('#ctl00_catalogBody_searchDuration').text());
  const morePages = counts.page !== undefined && counts.pageCount !== undefined && counts.page < counts.pageCount;
  const capNotice = clean($('#ctl00_catalogBody_moreResults').text()) !== '';
  return {
    results,
    hasNextPage: $('#ctl00_catalogBody_nextPageLinkText').length > 0 || morePages,
    ...counts,
    // The catalog shows the cap notice; an answer of exactly the cap is cut too, as far as anyone can tell.
    capped: capNotice || (counts.totalCount ?? 0) >= catalogResultCap,
  };
}

/**
 * The value next to a `ScopedViewHandler_label*` label: the text of the label's container
 * without the label itself (the catalog writes `<div><span label>KB article numbers:</span> 4011677</div>`).
 */
function labelledText($: CheerioAPI, labelId: string, containerId: string): string | undefined {
  const label = $(`#${labelId}`);
  const container = label.length > 0 ? label.parent() : $(`#${containerId}`);
  if (container.length === 0) return undefined;
  const copy = container.clone();
  copy.find(`#${labelId}, .labelTitle`).remove();
  return copy.text();
}

/** A list the catalog writes one item per line with `,` lines between them. */
function labelledList($: CheerioAPI, labelId: string, containerId: string): string[] {
  const text = labelledText($, labelId, containerId) ?? '';
  return text
    .split(/\r\n|\n|\r/)
    .map(clean)
    .filter((item) => item !== '' && item !== ',' && item.toLowerCase() !== 'n/a');
}

/** The `updateid` query parameter of a catalog link (relative, and in any letter case). */
function updateIdFromHref(href: string | undefined): string | undefined {
  const base = 'https://www.catalog.update.microsoft.com/';
  if (href === undefined || !URL.canParse(href, base)) return undefined;
  for (const [name, value] of new URL(href, base).searchParams) if (name.toLowerCase() === 'updateid') return canonicalGuid(value);
  return undefined;
}

function references($: CheerioAPI, containerId: string): CatalogUpdateReference[] {
  const list: CatalogUpdateReference[] = [];
  // One div per update: a link for "superseded by", plain text for "supersedes".
  $(`#${containerId}`).children('div').each((_, element) => {
    const item = $(element);
    const link = item.find('a[href]').first();
    const title = clean((link.length > 0 ? link : item).text());
    if (title === '' || title.toLowerCase() === 'n/a') return;
    const reference: CatalogUpdateReference = { title };
    const updateId = updateIdFromHref(link.attr('href'));
    if (updateId !== undefined) reference.updateId = updateId;
    const kb = kbFromTitle(title);
    if (kb !== undefined) reference.kb = kb;
    list.push(reference);
  });
  return list;
}

function links($: CheerioAPI, containerId: string): string[] {
  const hrefs = $(`#${containerId} a[href]`)
    .map((_, element) => $(element).attr('href')?.trim() ?? '')
    .get()
    .filter((href) => href !== '');
  return [...new Set(hrefs)];
}

/** Parses a `ScopedViewInline.aspx?updateid=` answer. */
export function parseDetailsPage(html: string, options: CatalogParseOptions = {}): CatalogUpdateDetails {
  const source = options.source ?? 'the catalog details page';
  const $ = loadPage(html);
  throwIfErrorPage($, source);
  const titleElement = $('#ScopedViewHandler_titleText');
  if (titleElement.length === 0) throw markupChanged(source, 'it has no update title (#ScopedViewHandler_titleText)');

  const details: CatalogUpdateDetails = {
    title: clean(titleElement.text()),
    products: labelledList($, 'ScopedViewHandler_labelSupportedProducts_Separator', 'productsDiv'),
    languages: labelledList($, 'ScopedViewHandler_labelSupportedLanguages_Separator', 'languagesDiv'),
    supersededBy: references($, 'supersededbyInfo'),
    supersedes: references($, 'supersedesInfo'),
    moreInfoUrls: links($, 'moreInfoDiv'),
    supportUrls: links($, 'suportUrlDiv'), // sic: the catalog's id
  };
  const set = <K extends keyof CatalogUpdateDetails>(key: K, value: CatalogUpdateDetails[K] | undefined): void => {
    if (value !== undefined) details[key] = value;
  };
  const text = (id: string): string | undefined => {
    const element = $(`#${id}`);
    return element.length === 0 ? undefined : optional(element.text());
  };
  const labelled = (labelId: string, containerId: string): string | undefined => {
    const value = labelledText($, labelId, containerId);
    return value === undefined ? undefined : optional(value);
  };

  const formUpdateId = updateIdFromHref($('form[action*="updateid="]').attr('action'));
  set('updateId', canonicalGuid($('#ScopedViewHandler_UpdateID').text()) ?? formUpdateId);
  set('description', text('ScopedViewHandler_desc'));
  const lastModifiedText = text('ScopedViewHandler_date');
  set('lastModifiedText', lastModifiedText);
  set('lastModified', lastModifiedText === undefined ? undefined : parseCatalogDate(lastModifiedText, options.acceptLanguage));
  set('sizeText', text('ScopedViewHandler_size'));
  set('msrcNumber', labelled('ScopedViewHandler_labelSecurityBulliten_Separator', 'securityBullitenDiv'));
  set('msrcSeverity', text('ScopedViewHandler_msrcSeverity'));
  set('rebootBehavior', text('ScopedViewHandler_rebootBehavior'));
  set('kb', /\d+/.exec(labelled('ScopedViewHandler_labelKBArticle_Separator', 'kbDiv') ?? '')?.[0] ?? kbFromTitle(details.title));
  set('classification', labelled('ScopedViewHandler_labelClassification_Separator', 'classificationDiv'));
  set('architecture', labelled('ScopedViewHandler_labelArchitecture_Separator', 'archDiv'));
  return details;
}

/** Reads a JavaScript string literal's content (the dialog escapes quotes and backslashes). */
function unescapeJs(body: string): string {
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_, escape: string) => {
    if (escape.startsWith('u{')) return String.fromCodePoint(parseInt(escape.slice(2, -1), 16));
    if (/^[ux][0-9a-fA-F]/.test(escape)) return String.fromCharCode(parseInt(escape.slice(1), 16));
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '', '\r': '' };
    return simple[escape] ?? escape;
  });
}

/** A base64 digest of the given byte length, or undefined when empty; anything else is refused. */
function digestOf(value: string | undefined, bytes: number, name: string, source: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const digest = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(digest) || digest.length % 4 !== 0 || Buffer.from(digest, 'base64').length !== bytes) {
    const message = `${source} gives "${digest}" as a ${name} digest, which is not ${bytes} bytes in base64`;
    throw new InvalidDataError('CatalogDigestInvalid', message, { target: source });
  }
  return digest;
}

/**
 * Parses a `DownloadDialog.aspx` answer for one update: the `downloadInformation[0]` script
 * assignments (`...files[0].url = '...'`, `.digest`, `.sha256`, `.fileName`). Accepts the whole
 * page or just its script.
 */
export function parseDownloadDialog(text: string, options: Pick<CatalogParseOptions, 'source'> = {}): CatalogDownloadDialog {
  const source = options.source ?? 'the catalog download dialog';
  const $ = loadPage(text);
  throwIfErrorPage($, source);
  const scripts = $('script');
  const script = scripts.length > 0 ? scripts.map((_, element) => $(element).text()).get().join('\n') : text;
  if (!script.includes('downloadInformation')) throw markupChanged(source, 'it has no downloadInformation script');

  const updates = new Map<number, { fields: Map<string, string>; files: Map<number, Map<string, string>> }>();
  const assignment =
    /downloadInformation\[(\d+)\]\.(?:files\[(\d+)\]\.)?([A-Za-z_$][\w$]*)\s*=\s*(?:'((?:[^'\\\r\n]|\\[\s\S])*)'|"((?:[^"\\\r\n]|\\[\s\S])*)")/g;
  for (const match of script.matchAll(assignment)) {
    const [, updateIndex, fileIndex, property, single, double] = match;
    const update = updates.get(Number(updateIndex)) ?? { fields: new Map<string, string>(), files: new Map<number, Map<string, string>>() };
    updates.set(Number(updateIndex), update);
    const value = unescapeJs(single ?? double ?? '');
    if (fileIndex === undefined) {
      update.fields.set(property as string, value);
    } else {
      const file = update.files.get(Number(fileIndex)) ?? new Map<string, string>();
      update.files.set(Number(fileIndex), file.set(property as string, value));
    }
  }
  if (updates.size > 1) {
    throw new InvalidDataError('CatalogDialogAmbiguous', `${source} describes ${updates.size} updates; expected the one requested`, {
      target: source,
    });
  }

  const update = updates.get(0);
  if (update === undefined) return { files: [] };
  const updateId = canonicalGuid(update.fields.get('updateID') ?? '');
  const dialog: CatalogDownloadDialog = updateId === undefined ? { files: [] } : { updateId, files: [] };
  for (const index of [...update.files.keys()].sort((a, b) => a - b)) {
    const fields = update.files.get(index) as Map<string, string>;
    const url = fields.get('url')?.trim();
    const fileName = fields.get('fileName')?.trim();
    if (!url || !fileName) throw markupChanged(source, `file ${index} has no url or no fileName`);
    const file: CatalogDownloadFile = { url, fileName };
    const digest = digestOf(fields.get('digest'), 20, 'SHA-1', source);
    if (digest !== undefined) file.digest = digest;
    const sha256 = digestOf(fields.get('sha256'), 32, 'SHA-256', source);
    if (sha256 !== undefined) file.sha256 = sha256;
    dialog.files.push(file);
  }
  return dialog;
}
