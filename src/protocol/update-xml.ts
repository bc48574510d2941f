/**
 * Reads one [MS-WSUSSS] update document (the decoded XmlUpdateBlob of GetUpdateData) into the
 * domain model. Only what supsync keys on or shows is read; the document itself is kept verbatim
 * in `xml` so downstream servers get it unchanged. What is read is validated (GUIDs, revisions,
 * types, dates, file names and digests), since a bad value would corrupt the store or content
 * paths; anything wrong throws InvalidDataError naming the target and the field.
 */
import { InvalidDataError } from '../errors.js';
import {
  canonicalGuid,
  type CategoryType,
  type LocalizedProperties,
  type UpdateFile,
  type UpdateMetadata,
  type UpdateReference,
  type UpdateType,
} from '../model/update.js';
import { attr, child, children, parseXml, textOf, type XmlNode } from './xml.js';

export const updateNamespace = 'http://schemas.microsoft.com/msus/2002/12/Update';

export interface UpdateXmlOptions {
  /**
   * Languages whose localized properties are kept (the software update point's language
   * selection). The document's default language is always kept too, as the fallback. All
   * languages when omitted.
   */
  languages?: readonly string[];
}

const updateTypes: ReadonlySet<string> = new Set<UpdateType>(['Software', 'Driver', 'Category', 'Detectoid']);
const categoryTypes: ReadonlySet<string> = new Set<CategoryType>(['Company', 'ProductFamily', 'Product', 'UpdateClassification']);
/** RevisionNumber is an xs:int in the protocol. */
const maxRevision = 2 ** 31 - 1;

/** Parses an update document; `target` names it in errors (e.g. "update <guid> revision 200"). */
export function parseUpdateXml(xml: string, target: string, options: UpdateXmlOptions = {}): UpdateMetadata {
  // Prefixes are kept so the root's namespace can be checked from its own xmlns declaration,
  // and so same-named elements of other namespaces are not mistaken for update elements.
  const doc = parseXml(xml, target, undefined, { keepPrefixes: true });
  const { root, prefix } = updateRoot(doc, target);
  const r = new Reader(target, prefix);

  const identity = r.required(root, 'UpdateIdentity', 'UpdateIdentity');
  const updateId = r.guid(identity, 'UpdateIdentity/@UpdateID');
  const revisionNumber = r.revision(identity, 'UpdateIdentity/@RevisionNumber');
  const properties = r.required(root, 'Properties', 'Properties');
  const updateType = r.attrRequired(properties, 'UpdateType', 'Properties/@UpdateType');
  if (!updateTypes.has(updateType)) throw invalid(target, 'Properties/@UpdateType', `"${updateType}" is not one of ${[...updateTypes].join(', ')}`);
  // WSUS's own default; the attribute is present on every document seen.
  const defaultLanguage = trimmed(attr(properties, 'DefaultPropertiesLanguage'))?.toLowerCase() ?? 'en';
  const relationships = r.child(root, 'Relationships');
  const { prerequisites, categoryIds } = r.prerequisites(r.child(relationships, 'Prerequisites'));

  const update: UpdateMetadata = {
    updateId,
    revisionNumber,
    updateType: updateType as UpdateType,
    creationDate: utcDate(r.attrRequired(properties, 'CreationDate', 'Properties/@CreationDate'), target, 'Properties/@CreationDate'),
    defaultLanguage,
    localized: r.localized(root, properties, defaultLanguage, options.languages),
    prerequisites,
    categoryIds,
    supersededUpdateIds: r.children(r.child(relationships, 'SupersededUpdates'), 'UpdateIdentity').map((id) =>
      r.guid(id, 'Relationships/SupersededUpdates/UpdateIdentity/@UpdateID'),
    ),
    bundledUpdates: r.bundled(r.child(relationships, 'BundledUpdates')),
    files: r.children(r.child(root, 'Files'), 'File').map((file) => r.file(file)),
    xml,
  };
  if (updateType === 'Category') update.categoryType = r.categoryType(root);
  setIfPresent(update, 'publicationState', trimmed(attr(properties, 'PublicationState')));
  setIfPresent(update, 'msrcSeverity', trimmed(attr(properties, 'MsrcSeverity')));
  // Some publishers write "KB123456"; the model keeps the number only.
  setIfPresent(update, 'kbArticleId', trimmed(r.text(properties, 'KBArticleID')?.replace(/^KB/i, '')));
  setIfPresent(update, 'securityBulletinId', r.text(properties, 'SecurityBulletinID'));
  return update;
}

/** The single root element, which must be Update in the update namespace whatever its prefix. */
function updateRoot(doc: XmlNode, target: string): { root: XmlNode; prefix: string } {
  const names = Object.keys(doc).filter((key) => !key.startsWith('?'));
  // The codec's validator lets several empty top-level elements through; a document has one.
  if (names.length !== 1 || children(doc, names[0]!).length !== 1) {
    throw new InvalidDataError('UpdateXmlWrongRoot', `${target} has ${names.length === 0 ? 'no' : 'more than one'} root element; an update document has one Update element`, {
      target,
      data: { field: 'Update' },
    });
  }
  const name = names[0]!;
  // An empty element without attributes is stored as a string.
  const element = child(doc, name);
  const root: XmlNode = typeof element === 'object' ? element : {};
  const colon = name.indexOf(':');
  const prefix = colon === -1 ? '' : name.slice(0, colon);
  const namespace = attr(root, prefix ? `xmlns:${prefix}` : 'xmlns');
  if (name.slice(colon + 1) !== 'Update' || namespace !== updateNamespace) {
    throw new InvalidDataError(
      'UpdateXmlWrongRoot',
      `${target}: the root element is ${name} ${namespace ? `in the namespace ${namespace}` : 'in no namespace'}, not Update in ${updateNamespace}`,
      { target, data: { field: 'Update', namespace } },
    );
  }
  return { root, prefix };
}

/** Reads update elements under the root's prefix, throwing errors that name the target and field. */
class Reader {
  constructor(
    private readonly target: string,
    private readonly prefix: string,
  ) {}

  private name(local: string): string {
    return this.prefix ? `${this.prefix}:${local}` : local;
  }

  child(node: XmlNode | undefined, local: string): XmlNode | undefined {
    return child(node, this.name(local));
  }

  children(node: XmlNode | undefined, local: string): XmlNode[] {
    return children(node, this.name(local));
  }

  required(node: XmlNode, local: string, field: string): XmlNode {
    const found = this.child(node, local);
    if (found === undefined) throw invalid(this.target, field, 'is missing');
    return found;
  }

  /** Trimmed text of a child element; undefined when absent or blank. */
  text(node: XmlNode | undefined, local: string): string | undefined {
    return trimmed(textOf(node?.[this.name(local)]));
  }

  attrRequired(node: XmlNode, name: string, field: string): string {
    const value = trimmed(attr(node, name));
    if (value === undefined) throw invalid(this.target, field, 'is missing');
    return value;
  }

  guid(node: XmlNode, field: string): string {
    const text = this.attrRequired(node, 'UpdateID', field);
    const id = canonicalGuid(text);
    if (id === undefined) throw invalid(this.target, field, `"${text}" is not a GUID`);
    return id;
  }

  revision(node: XmlNode, field: string): number {
    const text = this.attrRequired(node, 'RevisionNumber', field);
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value <= maxRevision)) throw invalid(this.target, field, `"${text}" is not a revision number (an integer from 0 to ${maxRevision})`);
    return value;
  }

  /**
   * Every group must be satisfied; a group by any one member. A plain UpdateIdentity is a group
   * of one. Groups are read plain first, then AtLeastOne: the document order between the two
   * kinds is not kept by the codec, and carries no meaning (the groups are ANDed).
   */
  prerequisites(node: XmlNode | undefined): { prerequisites: string[][]; categoryIds: string[] } {
    const field = 'Relationships/Prerequisites';
    const prerequisites = this.children(node, 'UpdateIdentity').map((id) => [this.guid(id, `${field}/UpdateIdentity/@UpdateID`)]);
    const categoryIds = new Set<string>();
    for (const group of this.children(node, 'AtLeastOne')) {
      const members = this.children(group, 'UpdateIdentity').map((id) => this.guid(id, `${field}/AtLeastOne/UpdateIdentity/@UpdateID`));
      // An empty group could never be satisfied; the schema requires at least one member.
      if (members.length === 0) throw invalid(this.target, `${field}/AtLeastOne`, 'has no UpdateIdentity');
      prerequisites.push(members);
      const isCategory = attr(group, 'IsCategory')?.trim();
      if (isCategory === 'true' || isCategory === '1') members.forEach((id) => categoryIds.add(id));
    }
    return { prerequisites, categoryIds: [...categoryIds] };
  }

  /** Bundled updates, directly or inside AtLeastOne groups, flattened in document order per kind. */
  bundled(node: XmlNode | undefined): UpdateReference[] {
    const identities = [...this.children(node, 'UpdateIdentity'), ...this.children(node, 'AtLeastOne').flatMap((group) => this.children(group, 'UpdateIdentity'))];
    return identities.map((id) => {
      const reference: UpdateReference = { updateId: this.guid(id, 'Relationships/BundledUpdates/UpdateIdentity/@UpdateID') };
      if (attr(id, 'RevisionNumber') !== undefined) reference.revisionNumber = this.revision(id, 'Relationships/BundledUpdates/UpdateIdentity/@RevisionNumber');
      return reference;
    });
  }

  localized(root: XmlNode, properties: XmlNode, defaultLanguage: string, languages: readonly string[] | undefined): LocalizedProperties[] {
    const wanted = languages && new Set([...languages.map((l) => l.trim().toLowerCase()), defaultLanguage]);
    // Properties/SupportUrl is the language-neutral support link (older updates carry only that
    // one); the model keeps links per language, so it stands in where a language has none.
    const neutralSupportUrl = this.text(properties, 'SupportUrl');
    const field = 'LocalizedPropertiesCollection/LocalizedProperties';
    const result: LocalizedProperties[] = [];
    for (const node of this.children(this.child(root, 'LocalizedPropertiesCollection'), 'LocalizedProperties')) {
      const language = this.text(node, 'Language')?.toLowerCase();
      if (language === undefined) throw invalid(this.target, `${field}/Language`, 'is missing');
      if (wanted && !wanted.has(language)) continue;
      const title = this.text(node, 'Title');
      if (title === undefined) throw invalid(this.target, `${field}/Title`, `is missing for the language ${language}`);
      const entry: LocalizedProperties = { language, title };
      setIfPresent(entry, 'description', this.text(node, 'Description'));
      setIfPresent(entry, 'uninstallNotes', this.text(node, 'UninstallNotes'));
      setIfPresent(entry, 'moreInfoUrl', this.text(node, 'MoreInfoUrl'));
      setIfPresent(entry, 'supportUrl', this.text(node, 'SupportUrl') ?? neutralSupportUrl);
      result.push(entry);
    }
    return result;
  }

  /** CategoryInformation belongs to the category handler's namespace, so its prefix is its own. */
  categoryType(root: XmlNode): CategoryType {
    const field = 'HandlerSpecificData/CategoryInformation/@CategoryType';
    const data = this.child(root, 'HandlerSpecificData');
    const key = data && Object.keys(data).find((k) => k === 'CategoryInformation' || k.endsWith(':CategoryInformation'));
    const value = key === undefined ? undefined : trimmed(attr(child(data, key), 'CategoryType'));
    if (value === undefined) throw invalid(this.target, field, 'is missing on a Category');
    if (!categoryTypes.has(value)) throw invalid(this.target, field, `"${value}" is not one of ${[...categoryTypes].join(', ')}`);
    return value as CategoryType;
  }

  file(node: XmlNode): UpdateFile {
    const field = 'Files/File';
    const fileName = this.attrRequired(node, 'FileName', `${field}/@FileName`);
    // The name becomes a path in content stores downstream: a bare file name only.
    if (/[\\/\x00-\x1f]/.test(fileName) || fileName === '.' || fileName === '..') {
      throw invalid(this.target, `${field}/@FileName`, `"${fileName}" is not a plain file name`);
    }
    const sizeText = this.attrRequired(node, 'Size', `${field}/@Size`);
    const size = /^\d+$/.test(sizeText) ? Number(sizeText) : NaN;
    if (!Number.isSafeInteger(size)) throw invalid(this.target, `${field}/@Size`, `"${sizeText}" is not a byte count`);
    const file: UpdateFile = {
      fileName,
      size,
      digest: this.base64(this.attrRequired(node, 'Digest', `${field}/@Digest`), `${field}/@Digest`),
      // The protocol's FileDigest is SHA-1 when the document does not say otherwise.
      digestAlgorithm: trimmed(attr(node, 'DigestAlgorithm')) ?? 'SHA1',
    };
    const sha256 = this.children(node, 'AdditionalDigest').find((d) => attr(d, 'Algorithm')?.trim().toUpperCase() === 'SHA256');
    if (sha256 !== undefined) file.sha256 = this.base64(trimmed(textOf(sha256)) ?? '', `${field}/AdditionalDigest`);
    const modified = trimmed(attr(node, 'Modified'));
    if (modified !== undefined) file.modified = utcDate(modified, this.target, `${field}/@Modified`);
    return file;
  }

  /** Digests name files in content stores and join the download URLs: only base64 passes. */
  private base64(text: string, field: string): string {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw invalid(this.target, field, `"${text}" is not a base64 digest`);
    return text;
  }
}

const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** An xs:dateTime as ISO 8601 UTC; one without an offset is UTC (Date would read it as local). */
function utcDate(text: string, target: string, field: string): string {
  const match = isoDateTime.exec(text);
  if (match) {
    const [, year, month, day, hour, , , offset] = match;
    const date = new Date(hour !== undefined && offset === undefined ? `${text}Z` : text);
    // Date rolls 2026-02-30 over to March instead of refusing it.
    const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (!Number.isNaN(date.getTime()) && calendar.getUTCMonth() === Number(month) - 1 && calendar.getUTCDate() === Number(day)) {
      return date.toISOString();
    }
  }
  throw invalid(target, field, `"${text}" is not a date`);
}

function invalid(target: string, field: string, problem: string): InvalidDataError {
  return new InvalidDataError('UpdateXmlInvalid', `${target}: ${field} ${problem}`, { target, data: { field } });
}

function trimmed(text: string | undefined): string | undefined {
  const value = text?.trim();
  return value ? value : undefined;
}

/** Optional fields are left out rather than set to undefined, so stored JSON and comparisons stay clean. */
function setIfPresent<T extends object, K extends keyof T>(object: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) object[key] = value;
}
