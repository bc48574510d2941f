/**
 * An update document built from the catalog's own pages, for when the site's upstream cannot give
 * the real one (sync source none, or the upstream does not have the update). It is a minimal but
 * valid [MS-WSUSSS] update XML document, so everything downstream — parseUpdateXml, the store,
 * the SUP endpoint serving child sites — handles it like any other.
 *
 * What the catalog does not show is left out: applicability rules, bundled updates and
 * non-category prerequisites. Its revision is 0, below any revision Microsoft publishes, so the
 * real document replaces it whenever a sync or a later import brings it.
 */
import { escapeXml } from '../protocol/xml.js';
import type { CatalogUpdateDetails } from './pages.js';

/** The revision of a document built from the catalog's pages. */
export const catalogDocumentRevision = 0;

export interface CatalogDocumentFile {
  fileName: string;
  size: number;
  /** Base64 SHA-1. */
  digest: string;
  sha256?: string;
}

export interface CatalogDocumentInput {
  updateId: string;
  details: CatalogUpdateDetails;
  /** Category GUIDs the page's classification and product titles resolved to. */
  classificationId?: string;
  productIds: string[];
  /** Files with known sizes (the downloaded ones); none for a metadata-only import. */
  files: CatalogDocumentFile[];
  /** CreationDate when the page shows no readable date (ISO 8601). */
  fallbackDate: string;
}

const severities = new Set(['Critical', 'Important', 'Moderate', 'Low']);
const namespaces = 'xmlns:pub="http://schemas.microsoft.com/msus/2002/12/Publishing" xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"';

/** Text safe in XML: characters XML 1.0 forbids (stray control characters on a page) are dropped. */
function text(value: string): string {
  return escapeXml(value.replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, ''));
}

function element(name: string, value: string | undefined): string {
  return value === undefined || value.trim() === '' ? '' : `<upd:${name}>${text(value.trim())}</upd:${name}>`;
}

export function catalogUpdateXml(input: CatalogDocumentInput): string {
  const { details } = input;
  const creationDate = details.lastModified === undefined ? input.fallbackDate : `${details.lastModified}T00:00:00.000Z`;
  const severity = details.msrcSeverity !== undefined && severities.has(details.msrcSeverity) ? ` MsrcSeverity="${details.msrcSeverity}"` : '';
  const updateType = details.classification?.toLowerCase() === 'drivers' ? 'Driver' : 'Software';
  const properties =
    `<upd:Properties UpdateType="${updateType}" DefaultPropertiesLanguage="en"${severity} PublicationState="Published" CreationDate="${creationDate}">` +
    `${details.kb === undefined ? '' : `<upd:KBArticleID>${details.kb}</upd:KBArticleID>`}${element('SecurityBulletinID', details.msrcNumber)}</upd:Properties>`;
  const localized =
    `<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language>${element('Title', details.title)}` +
    `${element('Description', details.description)}${element('MoreInfoUrl', details.moreInfoUrls[0])}${element('SupportUrl', details.supportUrls[0])}` +
    `</upd:LocalizedProperties></upd:LocalizedPropertiesCollection>`;
  // Category memberships are AtLeastOne IsCategory groups, as Microsoft Update writes them.
  const categoryGroups = [input.classificationId === undefined ? [] : [input.classificationId], input.productIds]
    .filter((ids) => ids.length > 0)
    .map((ids) => `<upd:AtLeastOne IsCategory="true">${ids.map((id) => `<upd:UpdateIdentity UpdateID="${id}" />`).join('')}</upd:AtLeastOne>`)
    .join('');
  const superseded = details.supersedes.flatMap((reference) => (reference.updateId === undefined ? [] : [reference.updateId]));
  const relationships =
    categoryGroups === '' && superseded.length === 0
      ? ''
      : `<upd:Relationships>${categoryGroups === '' ? '' : `<upd:Prerequisites>${categoryGroups}</upd:Prerequisites>`}` +
        `${superseded.length === 0 ? '' : `<upd:SupersededUpdates>${superseded.map((id) => `<upd:UpdateIdentity UpdateID="${id}" />`).join('')}</upd:SupersededUpdates>`}</upd:Relationships>`;
  const files =
    input.files.length === 0
      ? ''
      : `<upd:Files>${input.files
          .map(
            (file) =>
              `<upd:File Digest="${file.digest}" DigestAlgorithm="SHA1" FileName="${text(file.fileName)}" Size="${file.size}">` +
              `${file.sha256 === undefined ? '' : `<upd:AdditionalDigest Algorithm="SHA256">${file.sha256}</upd:AdditionalDigest>`}</upd:File>`,
          )
          .join('')}</upd:Files>`;
  return `<upd:Update ${namespaces}><upd:UpdateIdentity UpdateID="${input.updateId}" RevisionNumber="${catalogDocumentRevision}" />${properties}${localized}${relationships}${files}</upd:Update>`;
}
