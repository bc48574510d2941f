/**
 * The update metadata domain model: what one [MS-WSUSSS] update revision (a software update,
 * driver, category or detectoid) says, independent of how it travelled or is stored.
 */

export type UpdateType = 'Software' | 'Driver' | 'Category' | 'Detectoid';
export type CategoryType = 'Company' | 'ProductFamily' | 'Product' | 'UpdateClassification';

/** One revision of one update: the key of everything the protocol moves. */
export interface RevisionKey {
  updateId: string; // lower-case GUID
  revisionNumber: number;
}

/** A reference to another update; the revision is given for bundled updates, often not otherwise. */
export interface UpdateReference {
  updateId: string;
  revisionNumber?: number;
}

export interface LocalizedProperties {
  language: string; // e.g. "en", "de", "zh-tw"
  title: string;
  description?: string;
  uninstallNotes?: string;
  moreInfoUrl?: string;
  supportUrl?: string;
}

export interface UpdateFile {
  fileName: string;
  size: number;
  /** Base64 SHA-1 (the protocol's FileDigest key). */
  digest: string;
  digestAlgorithm: string;
  /** Base64 SHA-256 when the document carries an AdditionalDigest. */
  sha256?: string;
  modified?: string; // ISO 8601
  /** Download URL on Microsoft Update (GetUpdateData fileUrls MUUrl), joined by digest. */
  url?: string;
}

export interface UpdateMetadata extends RevisionKey {
  updateType: UpdateType;
  /** Only for updateType Category. */
  categoryType?: CategoryType;
  /** CreationDate, ISO 8601 UTC. */
  creationDate: string;
  publicationState?: string;
  defaultLanguage: string;
  localized: LocalizedProperties[];
  kbArticleId?: string; // digits only, no "KB"
  securityBulletinId?: string;
  msrcSeverity?: string; // Critical | Important | Moderate | Low
  /**
   * Prerequisite groups: the update applies when every group is satisfied; a group is satisfied
   * by any one of its members (a plain UpdateIdentity is a group of one; AtLeastOne is a group).
   */
  prerequisites: string[][];
  /**
   * Category GUIDs the update belongs to: the members of `AtLeastOne IsCategory="true"` groups.
   * Some documents list product/classification GUIDs in AtLeastOne groups without IsCategory;
   * the sync resolves those against the known categories.
   */
  categoryIds: string[];
  supersededUpdateIds: string[];
  bundledUpdates: UpdateReference[];
  files: UpdateFile[];
  /** The original update XML (UTF-8), kept so the site can serve it downstream unchanged. */
  xml: string;
}

/**
 * How the site database keeps a revision's XML: `deflate`, raw deflate of its UTF-8 (what a writer
 * holding the text stores: a package or catalog import, a document that came plain); `cabinet`, the
 * Microsoft Cabinet an upstream sent as XmlUpdateBlobCompressed (base64 decoded; one member, the
 * XML in UTF-16LE, MSZIP or LZX), kept as it came so that a sync does not compress it again and
 * the SUP endpoint serves it to children as it is.
 */
export type StoredXmlFormat = 'deflate' | 'cabinet';

/** A revision's XML as stored, with the size of the XML in bytes (UTF-8, whatever the format). */
export interface StoredXml {
  format: StoredXmlFormat;
  bytes: Buffer;
  size: number;
}

/** An update as a sync fetches it for storing: its XML in its stored form (as the parse worker's answer arrives). */
export type FetchedUpdate = Omit<UpdateMetadata, 'xml'> & { storedXml: StoredXml };

/** Lower-case canonical GUID, or undefined when the text is not a GUID. */
export function canonicalGuid(text: string): string | undefined {
  const trimmed = text.trim().replace(/^\{(.*)\}$/, '$1');
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(trimmed) ? trimmed.toLowerCase() : undefined;
}

/** An update's English title, else its first title; undefined when it has none. */
export function englishTitle(update: Pick<UpdateMetadata, 'localized'>): string | undefined {
  return (update.localized.find((l) => l.language === 'en') ?? update.localized[0])?.title;
}

/** Picks the localized properties for a language, falling back to the default language, then any. */
export function localizedFor(update: Pick<UpdateMetadata, 'localized' | 'defaultLanguage'>, language = 'en'): LocalizedProperties | undefined {
  return (
    update.localized.find((l) => l.language === language) ??
    update.localized.find((l) => l.language === update.defaultLanguage) ??
    update.localized[0]
  );
}
