/**
 * The message codec, both sides: a client builds requests and parses responses, a server parses
 * requests and builds responses. Element names, order and namespaces follow the recorded Windows
 * Server 2025 exchanges and the WSDL of [MS-WSUSSS] 6.1/6.2 (whose ServerSyncConfigData order,
 * not section 3.1.4.4.3.1's, is what Windows sends). No HTTP here.
 *
 * Reading is lenient where .NET's XmlSerializer is (unknown elements are ignored, absent optional
 * strings and arrays read as empty) and strict about values: a bad GUID, integer, boolean or
 * date-time throws InvalidDataError `SoapInvalidValue` whose `target` names the request parameter.
 */
import { InvalidArgumentError, InvalidDataError } from '../../errors.js';
import { canonicalGuid, type RevisionKey } from '../../model/update.js';
import { escapeXmlText } from '../xml.js';
import {
  childOf,
  childrenOf,
  ENVELOPE_END,
  elementsOf,
  faultError,
  isFault,
  malformed,
  openEnvelope,
  REQUEST_ENVELOPE_START,
  RESPONSE_ENVELOPE_START,
  textOfElement,
  type Element,
} from './envelope.js';
import { splitRevisionList } from './revision-list.js';
import {
  isOperation,
  namespaceOf,
  pathOf,
  soapActionOf,
  type AuthorizationCookie,
  type Cookie,
  type IdAndDelta,
  type Operation,
  type RequestMessage,
  type RequestOf,
  type ResponseMessage,
  type ResponseOf,
  type ServerSyncFilter,
  type ServerSyncUpdateData,
  type ServerSyncUrlData,
  type ServicePath,
} from './types.js';
import { parseDateTime, readBool, readGuid, readInt } from './values.js';

// ---------------------------------------------------------------------------------------------
// Reading

/** Where a value sits: the namespace of the operation's elements and the parameter it belongs to. */
interface Context {
  ns: string;
  target: string;
}

function find(parent: Element, name: string, cx: Context): Element | undefined {
  return childOf(parent, name, cx.ns);
}

function optionalText(parent: Element, name: string, cx: Context): string | undefined {
  const element = find(parent, name, cx);
  return element === undefined ? undefined : textOfElement(element);
}

function requiredText(parent: Element, name: string, cx: Context): string {
  const text = optionalText(parent, name, cx);
  if (text === undefined) throw malformed(`<${parent.local}> has no <${name}>`, cx.target);
  return text;
}

/** The items of an array element, or undefined when the array element is absent. */
function optionalList(parent: Element, name: string, item: string, cx: Context): Element[] | undefined {
  const list = find(parent, name, cx);
  return list === undefined ? undefined : childrenOf(list, item, cx.ns);
}

function readUpdateIdentity(element: Element, cx: Context): RevisionKey {
  return {
    updateId: readGuid(requiredText(element, 'UpdateID', cx), 'UpdateID', cx.target),
    revisionNumber: readInt(requiredText(element, 'RevisionNumber', cx), 'RevisionNumber', cx.target, 0),
  };
}

function readCookie(element: Element | undefined, cx: Context): Cookie | undefined {
  if (element === undefined) return undefined;
  const expiration = requiredText(element, 'Expiration', cx);
  parseDateTime(expiration, cx.target);
  return { expiration, encryptedData: optionalText(element, 'EncryptedData', cx) ?? '' };
}

function readIdAndDeltas(parent: Element, name: string, cx: Context): IdAndDelta[] | undefined {
  return optionalList(parent, name, 'IdAndDelta', cx)?.map((e) => ({
    id: readGuid(requiredText(e, 'Id', cx), 'Id', cx.target),
    // Delta is minOccurs=1, but XmlSerializer (and so Windows) reads a missing one as false.
    delta: readOptionalBool(e, 'Delta', cx) ?? false,
  }));
}

function readOptionalBool(parent: Element, name: string, cx: Context): boolean | undefined {
  const text = optionalText(parent, name, cx);
  return text === undefined ? undefined : readBool(text, name, cx.target);
}

function readFilter(element: Element | undefined, cx: Context): ServerSyncFilter {
  if (element === undefined) throw new InvalidDataError('SoapInvalidValue', 'GetRevisionIdList has no filter', { target: cx.target });
  const filter: ServerSyncFilter = { getConfig: readOptionalBool(element, 'GetConfig', cx) ?? false };
  const anchor = optionalText(element, 'Anchor', cx);
  if (anchor !== undefined) filter.anchor = anchor;
  const get63LanguageOnly = readOptionalBool(element, 'Get63LanguageOnly', cx);
  if (get63LanguageOnly !== undefined) filter.get63LanguageOnly = get63LanguageOnly;
  const categories = readIdAndDeltas(element, 'Categories', cx);
  if (categories !== undefined) filter.categories = categories;
  const classifications = readIdAndDeltas(element, 'Classifications', cx);
  if (classifications !== undefined) filter.classifications = classifications;
  const languages = optionalList(element, 'Languages', 'LanguageAndDelta', cx)?.map((e) => ({
    id: readInt(requiredText(e, 'Id', cx), 'Id', cx.target, 0),
    delta: readOptionalBool(e, 'Delta', cx) ?? false,
  }));
  if (languages !== undefined) filter.languages = languages;
  return filter;
}

type RequestReaders = { [O in Operation]: (body: Element, ns: string) => RequestOf<O> };

const requestReaders: RequestReaders = {
  GetAuthConfig: () => ({ operation: 'GetAuthConfig' }),
  GetAuthorizationCookie: (body, ns) => ({
    operation: 'GetAuthorizationCookie',
    accountName: optionalText(body, 'accountName', { ns, target: 'accountName' }) ?? '',
    accountGuid: optionalText(body, 'accountGuid', { ns, target: 'accountGuid' }) ?? '',
  }),
  GetCookie: (body, ns) => {
    const cx = { ns, target: 'authCookies' };
    const message: RequestOf<'GetCookie'> = {
      operation: 'GetCookie',
      authCookies: (optionalList(body, 'authCookies', 'AuthorizationCookie', cx) ?? []).map((e) => ({
        plugInId: optionalText(e, 'PlugInId', cx) ?? '',
        cookieData: optionalText(e, 'CookieData', cx) ?? '',
      })),
      protocolVersion: optionalText(body, 'protocolVersion', cx) ?? '',
    };
    const oldCookie = readCookie(find(body, 'oldCookie', cx), { ns, target: 'oldCookie' });
    if (oldCookie !== undefined) message.oldCookie = oldCookie;
    return message;
  },
  GetConfigData: (body, ns) => {
    const message: RequestOf<'GetConfigData'> = { operation: 'GetConfigData' };
    const cookie = readCookie(childOf(body, 'cookie', ns), { ns, target: 'cookie' });
    if (cookie !== undefined) message.cookie = cookie;
    const configAnchor = optionalText(body, 'configAnchor', { ns, target: 'configAnchor' });
    if (configAnchor !== undefined) message.configAnchor = configAnchor;
    return message;
  },
  GetRevisionIdList: (body, ns) => {
    const cookie = readCookie(childOf(body, 'cookie', ns), { ns, target: 'cookie' });
    const filter = readFilter(childOf(body, 'filter', ns), { ns, target: 'filter' });
    return cookie === undefined ? { operation: 'GetRevisionIdList', filter } : { operation: 'GetRevisionIdList', cookie, filter };
  },
  GetUpdateData: (body, ns) => {
    const cookie = readCookie(childOf(body, 'cookie', ns), { ns, target: 'cookie' });
    const cx = { ns, target: 'updateIds' };
    const updateIds = (optionalList(body, 'updateIds', 'UpdateIdentity', cx) ?? []).map((e) => readUpdateIdentity(e, cx));
    return cookie === undefined ? { operation: 'GetUpdateData', updateIds } : { operation: 'GetUpdateData', cookie, updateIds };
  },
  GetDeployments: (body, ns) => ({
    operation: 'GetDeployments',
    ...withCookie(body, ns),
    ...optionalField('deploymentAnchor', optionalText(body, 'deploymentAnchor', { ns, target: 'deploymentAnchor' })),
    ...optionalField('syncAnchor', optionalText(body, 'syncAnchor', { ns, target: 'syncAnchor' })),
  }),
  GetUpdateDecryptionData: (body, ns) => {
    const cx = { ns, target: 'updateIds' };
    const updateIds = optionalList(body, 'updateIds', 'UpdateIdentity', cx)?.map((e) => readUpdateIdentity(e, cx));
    return { operation: 'GetUpdateDecryptionData', ...withCookie(body, ns), ...optionalField('updateIds', updateIds) };
  },
  GetRelatedRevisionsForUpdates: (body, ns) => ({
    operation: 'GetRelatedRevisionsForUpdates',
    ...withCookie(body, ns),
    updateIds: (optionalList(body, 'updateIDs', 'guid', { ns, target: 'updateIDs' }) ?? []).map((e) => readGuid(textOfElement(e), 'guid', 'updateIDs')),
  }),
  DownloadFiles: (body, ns) => ({
    operation: 'DownloadFiles',
    ...withCookie(body, ns),
    ...optionalField('fileDigestList', optionalList(body, 'fileDigestList', 'base64Binary', { ns, target: 'fileDigestList' })?.map(textOfElement)),
  }),
  GetDriverIdList: (body, ns) => {
    const filter = childOf(body, 'filter', ns);
    return { operation: 'GetDriverIdList', ...withCookie(body, ns), ...optionalField('anchor', filter && optionalText(filter, 'Anchor', { ns, target: 'filter' })) };
  },
  GetDriverSetData: (body, ns) => ({
    operation: 'GetDriverSetData',
    ...withCookie(body, ns),
    driverSets: (optionalList(body, 'driverSets', 'guid', { ns, target: 'driverSets' }) ?? []).map((e) => readGuid(textOfElement(e), 'guid', 'driverSets')),
  }),
  Ping: (body, ns) => ({ operation: 'Ping', pingLevel: readInt(optionalText(body, 'pingLevel', { ns, target: 'pingLevel' }) ?? '0', 'pingLevel', 'pingLevel') }),
};

function withCookie(body: Element, ns: string): { cookie?: Cookie } {
  const cookie = readCookie(childOf(body, 'cookie', ns), { ns, target: 'cookie' });
  return cookie === undefined ? {} : { cookie };
}

function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function readGuidList(parent: Element, name: string, cx: Context): string[] {
  return (optionalList(parent, name, 'guid', cx) ?? []).map((e) => readGuid(textOfElement(e), 'guid', cx.target));
}

/** ServerSyncConfigData children that have fields of their own; any other text-only child goes to `properties`. */
const configElements = new Set([
  'CatalogOnlySync',
  'LazySync',
  'ServerHostsPsfFiles',
  'MaxNumberOfComputerIdsInRequest',
  'MaxNumberOfDriverSetsPerRequest',
  'MaxNumberOfPnpHardwareIdsInRequest',
  'MaxNumberOfUpdatesPerRequest',
  'NewConfigAnchor',
  'ProtocolVersion',
  'LanguageUpdateList',
  'MaxUpdatesPerRequestInGetUpdateDecryptionData',
]);

type ResponseReaders = { [O in Operation]: (result: Element, cx: Context) => ResponseOf<O> };

const responseReaders: ResponseReaders = {
  GetAuthConfig: (result, cx) => {
    const lastChange = requiredText(result, 'LastChange', cx);
    parseDateTime(lastChange, cx.target);
    return {
      operation: 'GetAuthConfig',
      lastChange,
      authInfo: (optionalList(result, 'AuthInfo', 'AuthPlugInInfo', cx) ?? []).map((e) => {
        const info = { plugInID: optionalText(e, 'PlugInID', cx) ?? '', serviceUrl: optionalText(e, 'ServiceUrl', cx) ?? '' };
        const parameter = optionalText(e, 'Parameter', cx);
        return parameter === undefined ? info : { ...info, parameter };
      }),
    };
  },
  GetAuthorizationCookie: (result, cx) => ({
    operation: 'GetAuthorizationCookie',
    plugInId: optionalText(result, 'PlugInId', cx) ?? '',
    cookieData: optionalText(result, 'CookieData', cx) ?? '',
  }),
  GetCookie: (result, cx) => ({ operation: 'GetCookie', cookie: readCookie(result, cx)! }),
  GetConfigData: (result, cx) => {
    const int = (name: string) => readInt(requiredText(result, name, cx), name, cx.target, 0);
    const bool = (name: string) => readBool(requiredText(result, name, cx), name, cx.target);
    const message: ResponseOf<'GetConfigData'> = {
      operation: 'GetConfigData',
      catalogOnlySync: bool('CatalogOnlySync'),
      lazySync: bool('LazySync'),
      serverHostsPsfFiles: bool('ServerHostsPsfFiles'),
      maxNumberOfComputerIdsInRequest: int('MaxNumberOfComputerIdsInRequest'),
      maxNumberOfDriverSetsPerRequest: int('MaxNumberOfDriverSetsPerRequest'),
      maxNumberOfPnpHardwareIdsInRequest: int('MaxNumberOfPnpHardwareIdsInRequest'),
      maxNumberOfUpdatesPerRequest: int('MaxNumberOfUpdatesPerRequest'),
      languages: (optionalList(result, 'LanguageUpdateList', 'ServerSyncLanguageData', cx) ?? []).map((e) => ({
        languageId: readInt(requiredText(e, 'LanguageID', cx), 'LanguageID', cx.target, 0),
        shortLanguage: optionalText(e, 'ShortLanguage', cx) ?? '',
        longLanguage: optionalText(e, 'LongLanguage', cx) ?? '',
        enabled: readBool(requiredText(e, 'Enabled', cx), 'Enabled', cx.target),
      })),
    };
    const newConfigAnchor = optionalText(result, 'NewConfigAnchor', cx);
    if (newConfigAnchor !== undefined) message.newConfigAnchor = newConfigAnchor;
    const protocolVersion = optionalText(result, 'ProtocolVersion', cx);
    if (protocolVersion !== undefined) message.protocolVersion = protocolVersion;
    const decryptionLimit = optionalText(result, 'MaxUpdatesPerRequestInGetUpdateDecryptionData', cx);
    if (decryptionLimit !== undefined) {
      message.maxUpdatesPerRequestInGetUpdateDecryptionData = readInt(decryptionLimit, 'MaxUpdatesPerRequestInGetUpdateDecryptionData', cx.target, 0);
    }
    const unknown = elementsOf(result).filter((e) => e.ns === cx.ns && !configElements.has(e.local) && elementsOf(e).length === 0);
    if (unknown.length > 0) message.properties = Object.fromEntries(unknown.map((e) => [e.local, textOfElement(e)]));
    return message;
  },
  GetRevisionIdList: (result, cx) => {
    const list = optionalList(result, 'NewRevisions', 'UpdateIdentity', cx);
    if (list === undefined) throw malformed('<GetRevisionIdListResult> has no <NewRevisions>', cx.target);
    return {
      operation: 'GetRevisionIdList',
      anchor: requiredText(result, 'Anchor', cx),
      newRevisions: list.map((e) => readUpdateIdentity(e, cx)),
    };
  },
  GetUpdateData: (result, cx) => ({
    operation: 'GetUpdateData',
    updates: (optionalList(result, 'updates', 'ServerSyncUpdateData', cx) ?? []).map((e) => {
      const id = find(e, 'Id', cx);
      if (id === undefined) throw malformed('<ServerSyncUpdateData> has no <Id>', cx.target);
      const blob = optionalText(e, 'XmlUpdateBlob', cx);
      const compressed = optionalText(e, 'XmlUpdateBlobCompressed', cx);
      if ((blob === undefined) === (compressed === undefined)) {
        throw malformed('<ServerSyncUpdateData> must have exactly one of <XmlUpdateBlob> and <XmlUpdateBlobCompressed>', cx.target);
      }
      return {
        ...readUpdateIdentity(id, cx),
        ...(blob === undefined ? { xmlUpdateBlobCompressed: compressed! } : { xmlUpdateBlob: blob }),
        fileDigestList: (optionalList(e, 'FileDigestList', 'base64Binary', cx) ?? []).map(textOfElement),
      };
    }),
    fileUrls: (optionalList(result, 'fileUrls', 'ServerSyncUrlData', cx) ?? []).map((e) => {
      const url: { fileDigest: string; muUrl?: string; ussUrl?: string } = { fileDigest: optionalText(e, 'FileDigest', cx) ?? '' };
      const muUrl = optionalText(e, 'MUUrl', cx);
      if (muUrl !== undefined) url.muUrl = muUrl;
      const ussUrl = optionalText(e, 'UssUrl', cx);
      if (ussUrl !== undefined) url.ussUrl = ussUrl;
      return url;
    }),
  }),
  GetDeployments: (result, cx) => ({
    operation: 'GetDeployments',
    anchor: optionalText(result, 'Anchor', cx) ?? '',
    deadDeployments: readGuidList(result, 'DeadDeployments', cx),
    hiddenUpdates: readGuidList(result, 'HiddenUpdates', cx),
    acceptedEulas: readGuidList(result, 'AcceptedEulas', cx),
  }),
  GetUpdateDecryptionData: (result, cx) => ({
    operation: 'GetUpdateDecryptionData',
    updates: (optionalList(result, 'UpdateFileDecryptionData', 'ServerSyncUpdateFileDecryption', cx) ?? []).map((e) => {
      const id = find(e, 'UpdateId', cx);
      if (id === undefined) throw malformed('<ServerSyncUpdateFileDecryption> has no <UpdateId>', cx.target);
      return {
        ...readUpdateIdentity(id, cx),
        files: (optionalList(e, 'FileDecryptionData', 'ServerSyncFileDecryption', cx) ?? []).map((f) => ({
          fileDigest: optionalText(f, 'FileDigest', cx) ?? '',
          ...optionalField('decryptionKey', optionalText(f, 'DecryptionKey', cx)),
        })),
      };
    }),
  }),
  GetRelatedRevisionsForUpdates: (result, cx) => ({
    operation: 'GetRelatedRevisionsForUpdates',
    revisions: childrenOf(result, 'UpdateIdentity', cx.ns).map((e) => readUpdateIdentity(e, cx)),
  }),
  DownloadFiles: () => ({ operation: 'DownloadFiles' }),
  GetDriverIdList: (result, cx) => ({
    operation: 'GetDriverIdList',
    anchor: optionalText(result, 'Anchor', cx) ?? '',
    newRevisions: (optionalList(result, 'NewRevisions', 'UpdateIdentity', cx) ?? []).map((e) => readUpdateIdentity(e, cx)),
    newDriverSets: readGuidList(result, 'NewDriverSets', cx),
    removedDriverSets: readGuidList(result, 'RemovedDriverSets', cx),
  }),
  GetDriverSetData: (result, cx) => ({
    operation: 'GetDriverSetData',
    driverSets: (optionalList(result, 'DriverSets', 'ServerSyncDriverSetData', cx) ?? []).map((e) => ({
      driverSetId: readGuid(requiredText(e, 'DriverSetId', cx), 'DriverSetId', cx.target),
      driverSetXml: optionalText(e, 'DriverSetXml', cx) ?? '',
    })),
  }),
  Ping: (result, cx) => ({
    operation: 'Ping',
    successFlag: readBool(requiredText(result, 'SuccessFlag', cx), 'SuccessFlag', cx.target),
    servicesTime: requiredText(result, 'ServicesTime', cx),
    servicesName: optionalText(result, 'ServicesName', cx) ?? '',
    servicesMachine: optionalText(result, 'ServicesMachine', cx) ?? '',
    isHttps: readBool(requiredText(result, 'IsHttps', cx), 'IsHttps', cx.target),
    configFileLastModifiedTime: requiredText(result, 'ConfigFileLastModifiedTime', cx),
    configFileNextExpirationTime: requiredText(result, 'ConfigFileNextExpirationTime', cx),
    configFileExpirationModuloInMinutes: readInt(requiredText(result, 'ConfigFileExpirationModuloInMinutes', cx), 'ConfigFileExpirationModuloInMinutes', cx.target),
  }),
};

/** Strips the quotes and blanks a SOAPAction header value may carry. */
function unquote(soapAction: string): string {
  const trimmed = soapAction.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

/**
 * Server side: reads a request body. The operation comes from the body element; a non-empty
 * `soapAction` (the header, quoted or not) must name the same one. Throws InvalidDataError:
 * SoapUnknownOperation, SoapWrongNamespace, SoapActionMismatch, SoapMalformed, SoapInvalidValue,
 * or parseXml's Xml* codes.
 */
export function parseRequest(xml: string, soapAction?: string): RequestMessage {
  const body = openEnvelope(xml, 'SOAP request');
  const operation = body.local;
  if (!isOperation(operation)) {
    throw new InvalidDataError('SoapUnknownOperation', `The request asks for '${operation}', which is not an operation supsync serves`, { target: operation });
  }
  const ns = namespaceOf(operation);
  if (body.ns !== ns) {
    throw new InvalidDataError('SoapWrongNamespace', `<${operation}> is in the namespace '${body.ns}', not '${ns}'`, { target: operation });
  }
  if (soapAction !== undefined && unquote(soapAction) !== '' && unquote(soapAction) !== soapActionOf(operation)) {
    throw new InvalidDataError('SoapActionMismatch', `The SOAPAction ${soapAction} does not match the body's <${operation}>`, { target: operation });
  }
  return requestReaders[operation](body, ns) as RequestMessage;
}

/**
 * Client side: reads the response body of `operation`, whatever the HTTP status. A fault body
 * throws SoapFaultError (faultCode = the detail's ErrorCode); anything else that is not this
 * operation's response throws InvalidDataError (SoapUnexpectedResponse, SoapWrongNamespace, …).
 */
export function parseResponse<O extends Operation>(operation: O, xml: string): ResponseOf<O> {
  if (operation === 'GetRevisionIdList') {
    const split = splitRevisionList(xml);
    if (split !== undefined) {
      const skeleton = readResponse('GetRevisionIdList', split.skeleton);
      return { ...skeleton, newRevisions: split.revisions } as ResponseOf<O>;
    }
  }
  return readResponse(operation, xml);
}

function readResponse<O extends Operation>(operation: O, xml: string): ResponseOf<O> {
  const body = openEnvelope(xml, `${operation} response`);
  if (isFault(body)) throw faultError(body, operation);
  const ns = namespaceOf(operation);
  if (body.local !== `${operation}Response`) {
    throw new InvalidDataError('SoapUnexpectedResponse', `Expected <${operation}Response>, got <${body.local}>`, { target: operation });
  }
  if (body.ns !== ns) {
    throw new InvalidDataError('SoapWrongNamespace', `<${body.local}> is in the namespace '${body.ns}', not '${ns}'`, { target: operation });
  }
  const target = `${operation}Result`;
  if (operation === 'DownloadFiles') return responseReaders[operation](body, { ns, target });
  const result = childOf(body, target, ns);
  if (result === undefined) throw malformed(`<${body.local}> has no <${target}>`, target);
  return responseReaders[operation](result, { ns, target });
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Appends XML to one array joined once at the end, so large lists cost linear time. */
class Writer {
  readonly parts: string[] = [];
  /** `emptyEnd` is ' />' as ASP.NET writes empty elements in answers, '/>' as the recorded clients do. */
  constructor(readonly emptyEnd: string) {}

  raw(text: string): void {
    this.parts.push(text);
  }

  leaf(name: string, text: string): void {
    this.parts.push(text === '' ? `<${name}${this.emptyEnd}` : `<${name}>${escapeXmlText(text)}</${name}>`);
  }

  optionalLeaf(name: string, text: string | undefined): void {
    if (text !== undefined) this.leaf(name, text);
  }

  list<T>(name: string, items: readonly T[], each: (item: T) => void): void {
    if (items.length === 0) {
      this.parts.push(`<${name}${this.emptyEnd}`);
      return;
    }
    this.parts.push(`<${name}>`);
    for (const item of items) each(item);
    this.parts.push(`</${name}>`);
  }

  /** The operation's wrapper element, declaring its namespace as the default one. */
  operation(name: string, ns: string, content: () => void): void {
    const start = this.parts.push(`<${name} xmlns="${ns}">`) - 1;
    const before = this.parts.length;
    content();
    if (this.parts.length === before) this.parts[start] = `<${name} xmlns="${ns}"${this.emptyEnd}`;
    else this.parts.push(`</${name}>`);
  }

  toString(): string {
    return this.parts.join('');
  }
}

function badValue(message: string, target: string): InvalidArgumentError {
  return new InvalidArgumentError('SoapInvalidValue', message, { target });
}

function guidToWrite(text: string, element: string, target: string): string {
  const guid = canonicalGuid(text);
  if (guid === undefined) throw badValue(`${element} '${text}' is not a GUID`, target);
  return guid;
}

function intToWrite(value: number, element: string, target: string, min = 0): string {
  if (!Number.isInteger(value) || value < min || value > 2147483647) throw badValue(`${element} ${value} is not an integer from ${min} to 2147483647`, target);
  return String(value);
}

function writeUpdateIdentity(w: Writer, name: string, key: RevisionKey, target: string): void {
  w.raw(`<${name}><UpdateID>${guidToWrite(key.updateId, 'UpdateID', target)}</UpdateID>`);
  w.raw(`<RevisionNumber>${intToWrite(key.revisionNumber, 'RevisionNumber', target)}</RevisionNumber></${name}>`);
}

/** Cookie children; an empty EncryptedData is left out, as XmlSerializer leaves out a null byte[]. */
function writeCookieContent(w: Writer, cookie: Cookie): void {
  w.leaf('Expiration', cookie.expiration);
  if (cookie.encryptedData !== '') w.leaf('EncryptedData', cookie.encryptedData);
}

function writeCookie(w: Writer, name: string, cookie: Cookie | undefined): void {
  if (cookie === undefined) return;
  w.raw(`<${name}>`);
  writeCookieContent(w, cookie);
  w.raw(`</${name}>`);
}

function writeAuthorizationCookie(w: Writer, cookie: AuthorizationCookie): void {
  w.raw('<AuthorizationCookie>');
  w.leaf('PlugInId', cookie.plugInId);
  if (cookie.cookieData !== '') w.leaf('CookieData', cookie.cookieData);
  w.raw('</AuthorizationCookie>');
}

function writeIdAndDeltas(w: Writer, name: string, items: IdAndDelta[] | undefined): void {
  if (items === undefined) return;
  w.list(name, items, (item) => {
    w.raw(`<IdAndDelta><Id>${guidToWrite(item.id, 'Id', 'filter')}</Id><Delta>${item.delta}</Delta></IdAndDelta>`);
  });
}

function writeFilter(w: Writer, filter: ServerSyncFilter): void {
  w.raw('<filter>');
  w.optionalLeaf('Anchor', filter.anchor);
  w.raw(`<GetConfig>${filter.getConfig}</GetConfig>`);
  if (filter.get63LanguageOnly !== undefined) w.raw(`<Get63LanguageOnly>${filter.get63LanguageOnly}</Get63LanguageOnly>`);
  writeIdAndDeltas(w, 'Categories', filter.categories);
  writeIdAndDeltas(w, 'Classifications', filter.classifications);
  if (filter.languages !== undefined) {
    w.list('Languages', filter.languages, (item) => {
      w.raw(`<LanguageAndDelta><Id>${intToWrite(item.id, 'Id', 'filter')}</Id><Delta>${item.delta}</Delta></LanguageAndDelta>`);
    });
  }
  w.raw('</filter>');
}

type RequestWriters = { [O in Operation]: (w: Writer, message: RequestOf<O>) => void };

const requestWriters: RequestWriters = {
  GetAuthConfig: () => undefined,
  GetAuthorizationCookie: (w, m) => {
    w.leaf('accountName', m.accountName);
    w.leaf('accountGuid', m.accountGuid);
  },
  GetCookie: (w, m) => {
    w.list('authCookies', m.authCookies, (cookie) => writeAuthorizationCookie(w, cookie));
    writeCookie(w, 'oldCookie', m.oldCookie);
    w.leaf('protocolVersion', m.protocolVersion);
  },
  GetConfigData: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    w.optionalLeaf('configAnchor', m.configAnchor);
  },
  GetRevisionIdList: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    writeFilter(w, m.filter);
  },
  GetUpdateData: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    w.list('updateIds', m.updateIds, (key) => writeUpdateIdentity(w, 'UpdateIdentity', key, 'updateIds'));
  },
  GetDeployments: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    w.optionalLeaf('deploymentAnchor', m.deploymentAnchor);
    w.optionalLeaf('syncAnchor', m.syncAnchor);
  },
  GetUpdateDecryptionData: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    if (m.updateIds) w.list('updateIds', m.updateIds, (key) => writeUpdateIdentity(w, 'UpdateIdentity', key, 'updateIds'));
  },
  GetRelatedRevisionsForUpdates: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    writeGuidList(w, 'updateIDs', m.updateIds, 'updateIDs');
  },
  DownloadFiles: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    if (m.fileDigestList) w.list('fileDigestList', m.fileDigestList, (digest) => w.leaf('base64Binary', digest));
  },
  GetDriverIdList: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    w.raw('<filter>');
    w.optionalLeaf('Anchor', m.anchor);
    w.raw('</filter>');
  },
  GetDriverSetData: (w, m) => {
    writeCookie(w, 'cookie', m.cookie);
    writeGuidList(w, 'driverSets', m.driverSets, 'driverSets');
  },
  Ping: (w, m) => w.raw(`<pingLevel>${intToWrite(m.pingLevel, 'pingLevel', 'pingLevel', -2147483648)}</pingLevel>`),
};

function writeUpdateData(w: Writer, update: ServerSyncUpdateData): void {
  const target = 'GetUpdateDataResult';
  if ((update.xmlUpdateBlob === undefined) === (update.xmlUpdateBlobCompressed === undefined)) {
    throw badValue(`Update ${update.updateId} needs exactly one of xmlUpdateBlob and xmlUpdateBlobCompressed`, target);
  }
  w.raw('<ServerSyncUpdateData>');
  writeUpdateIdentity(w, 'Id', update, target);
  w.optionalLeaf('XmlUpdateBlob', update.xmlUpdateBlob);
  // Absent, not empty, when the update has no files ([MS-WSUSSS] 3.1.4.6.3.3).
  if (update.fileDigestList.length > 0) w.list('FileDigestList', update.fileDigestList, (digest) => w.leaf('base64Binary', digest));
  w.optionalLeaf('XmlUpdateBlobCompressed', update.xmlUpdateBlobCompressed);
  w.raw('</ServerSyncUpdateData>');
}

function writeUrlData(w: Writer, url: ServerSyncUrlData): void {
  w.raw('<ServerSyncUrlData>');
  w.leaf('FileDigest', url.fileDigest);
  w.optionalLeaf('MUUrl', url.muUrl);
  w.optionalLeaf('UssUrl', url.ussUrl);
  w.raw('</ServerSyncUrlData>');
}

function writeGuidList(w: Writer, name: string, guids: readonly string[], target: string): void {
  w.list(name, guids, (guid) => w.raw(`<guid>${guidToWrite(guid, 'guid', target)}</guid>`));
}

type ResponseWriters = { [O in Operation]: (w: Writer, message: ResponseOf<O>) => void };

const responseWriters: ResponseWriters = {
  GetAuthConfig: (w, m) => {
    w.leaf('LastChange', m.lastChange);
    w.list('AuthInfo', m.authInfo, (info) => {
      w.raw('<AuthPlugInInfo>');
      w.leaf('PlugInID', info.plugInID);
      w.leaf('ServiceUrl', info.serviceUrl);
      w.optionalLeaf('Parameter', info.parameter);
      w.raw('</AuthPlugInInfo>');
    });
  },
  GetAuthorizationCookie: (w, m) => {
    w.leaf('PlugInId', m.plugInId);
    w.leaf('CookieData', m.cookieData);
  },
  GetCookie: (w, m) => writeCookieContent(w, m.cookie),
  GetConfigData: (w, m) => {
    const target = 'GetConfigDataResult';
    w.raw(`<CatalogOnlySync>${m.catalogOnlySync}</CatalogOnlySync><LazySync>${m.lazySync}</LazySync>`);
    w.raw(`<ServerHostsPsfFiles>${m.serverHostsPsfFiles}</ServerHostsPsfFiles>`);
    for (const [name, value] of [
      ['MaxNumberOfComputerIdsInRequest', m.maxNumberOfComputerIdsInRequest],
      ['MaxNumberOfDriverSetsPerRequest', m.maxNumberOfDriverSetsPerRequest],
      ['MaxNumberOfPnpHardwareIdsInRequest', m.maxNumberOfPnpHardwareIdsInRequest],
      ['MaxNumberOfUpdatesPerRequest', m.maxNumberOfUpdatesPerRequest],
    ] as const) {
      w.raw(`<${name}>${intToWrite(value, name, target)}</${name}>`);
    }
    w.optionalLeaf('NewConfigAnchor', m.newConfigAnchor);
    w.optionalLeaf('ProtocolVersion', m.protocolVersion);
    w.list('LanguageUpdateList', m.languages, (language) => {
      w.raw(`<ServerSyncLanguageData><LanguageID>${intToWrite(language.languageId, 'LanguageID', target)}</LanguageID>`);
      w.leaf('ShortLanguage', language.shortLanguage);
      w.leaf('LongLanguage', language.longLanguage);
      w.raw(`<Enabled>${language.enabled}</Enabled></ServerSyncLanguageData>`);
    });
    const decryptionLimit = m.maxUpdatesPerRequestInGetUpdateDecryptionData;
    if (decryptionLimit !== undefined) {
      const name = 'MaxUpdatesPerRequestInGetUpdateDecryptionData';
      w.raw(`<${name}>${intToWrite(decryptionLimit, name, target)}</${name}>`);
    }
    for (const [name, value] of Object.entries(m.properties ?? {})) {
      if (configElements.has(name) || !/^[A-Za-z_][\w.-]*$/.test(name)) throw badValue(`'${name}' cannot be written as an extra configuration element`, target);
      w.leaf(name, value);
    }
  },
  GetRevisionIdList: (w, m) => {
    w.leaf('Anchor', m.anchor);
    w.list('NewRevisions', m.newRevisions, (key) => writeUpdateIdentity(w, 'UpdateIdentity', key, 'GetRevisionIdListResult'));
  },
  GetUpdateData: (w, m) => {
    w.list('updates', m.updates, (update) => writeUpdateData(w, update));
    w.list('fileUrls', m.fileUrls, (url) => writeUrlData(w, url));
  },
  GetDeployments: (w, m) => {
    w.leaf('Anchor', m.anchor);
    w.raw(`<Groups${w.emptyEnd}<Deployments${w.emptyEnd}`);
    writeGuidList(w, 'DeadDeployments', m.deadDeployments, 'GetDeploymentsResult');
    writeGuidList(w, 'HiddenUpdates', m.hiddenUpdates, 'GetDeploymentsResult');
    writeGuidList(w, 'AcceptedEulas', m.acceptedEulas, 'GetDeploymentsResult');
  },
  GetUpdateDecryptionData: (w, m) => {
    const target = 'GetUpdateDecryptionDataResult';
    w.list('UpdateFileDecryptionData', m.updates, (update) => {
      w.raw('<ServerSyncUpdateFileDecryption>');
      writeUpdateIdentity(w, 'UpdateId', update, target);
      w.list('FileDecryptionData', update.files, (file) => {
        w.raw('<ServerSyncFileDecryption>');
        w.leaf('FileDigest', file.fileDigest);
        w.optionalLeaf('DecryptionKey', file.decryptionKey);
        w.raw('</ServerSyncFileDecryption>');
      });
      w.raw('</ServerSyncUpdateFileDecryption>');
    });
  },
  GetRelatedRevisionsForUpdates: (w, m) => {
    for (const key of m.revisions) writeUpdateIdentity(w, 'UpdateIdentity', key, 'GetRelatedRevisionsForUpdatesResult');
  },
  DownloadFiles: () => undefined,
  GetDriverIdList: (w, m) => {
    w.leaf('Anchor', m.anchor);
    w.list('NewRevisions', m.newRevisions, (key) => writeUpdateIdentity(w, 'UpdateIdentity', key, 'GetDriverIdListResult'));
    writeGuidList(w, 'NewDriverSets', m.newDriverSets, 'GetDriverIdListResult');
    writeGuidList(w, 'RemovedDriverSets', m.removedDriverSets, 'GetDriverIdListResult');
  },
  GetDriverSetData: (w, m) => {
    w.list('DriverSets', m.driverSets, (set) => {
      w.raw(`<ServerSyncDriverSetData><DriverSetId>${guidToWrite(set.driverSetId, 'DriverSetId', 'GetDriverSetDataResult')}</DriverSetId>`);
      w.leaf('DriverSetXml', set.driverSetXml);
      w.raw('</ServerSyncDriverSetData>');
    });
  },
  Ping: (w, m) => {
    w.raw(`<SuccessFlag>${m.successFlag}</SuccessFlag>`);
    w.leaf('ServicesTime', m.servicesTime);
    w.leaf('ServicesName', m.servicesName);
    w.leaf('ServicesMachine', m.servicesMachine);
    w.raw(`<IsHttps>${m.isHttps}</IsHttps>`);
    w.leaf('ConfigFileLastModifiedTime', m.configFileLastModifiedTime);
    w.leaf('ConfigFileNextExpirationTime', m.configFileNextExpirationTime);
    w.raw(`<ConfigFileExpirationModuloInMinutes>${intToWrite(m.configFileExpirationModuloInMinutes, 'ConfigFileExpirationModuloInMinutes', 'PingResult')}</ConfigFileExpirationModuloInMinutes>`);
  },
};

/**
 * Client side: the body of a request, with its quoted SOAPAction header value and endpoint path.
 * Throws InvalidArgumentError `SoapInvalidValue` for a bad GUID or integer.
 */
export function buildRequest(call: RequestMessage): { soapAction: string; path: ServicePath; body: string } {
  const w = new Writer('/>');
  w.raw(REQUEST_ENVELOPE_START);
  w.operation(call.operation, namespaceOf(call.operation), () => (requestWriters[call.operation] as (w: Writer, m: RequestMessage) => void)(w, call));
  w.raw(ENVELOPE_END);
  return { soapAction: `"${soapActionOf(call.operation)}"`, path: pathOf(call.operation), body: w.toString() };
}

/**
 * Server side: the body of a successful answer, as Windows writes it. Linear in size (a
 * 100,000-revision list is one join). Throws InvalidArgumentError `SoapInvalidValue` for bad values.
 */
/**
 * GetRevisionIdList's answer in pieces, for a server that writes a long list page by page as it
 * reads it: `head`, then `identities(page)` for each page (at least one key in all), then `tail`;
 * together the same text as buildResponse with every page's keys.
 */
export function revisionListResponseParts(anchor: string): { head: string; identities: (keys: readonly RevisionKey[]) => string; tail: string } {
  const marker: RevisionKey = { updateId: '00000000-0000-0000-0000-000000000000', revisionNumber: 0 };
  const whole = buildResponse({ operation: 'GetRevisionIdList', anchor, newRevisions: [marker] });
  const w = new Writer(' />');
  writeUpdateIdentity(w, 'UpdateIdentity', marker, 'GetRevisionIdListResult');
  const at = whole.indexOf(w.toString());
  return {
    head: whole.slice(0, at),
    tail: whole.slice(at + w.toString().length),
    identities: (keys) => {
      const page = new Writer(' />');
      for (const key of keys) writeUpdateIdentity(page, 'UpdateIdentity', key, 'GetRevisionIdListResult');
      return page.toString();
    },
  };
}

/**
 * GetUpdateData's answer in pieces, for a server that keeps each update's entry and each file URL
 * encoded: `head`, the `update(entry)` texts of one or more updates, then `between`, the
 * `url(entry)` texts of one or more file URLs and `tail` (or, without file URLs, `noUrls` alone);
 * together the same text as buildResponse with those updates and URLs.
 */
export function updateDataResponseParts(): {
  head: string;
  update: (update: ServerSyncUpdateData) => string;
  between: string;
  url: (url: ServerSyncUrlData) => string;
  noUrls: string;
  tail: string;
} {
  const marker: ServerSyncUpdateData = { updateId: '00000000-0000-0000-0000-000000000000', revisionNumber: 0, fileDigestList: [], xmlUpdateBlob: 'marker' };
  const markerUrl: ServerSyncUrlData = { fileDigest: 'marker', muUrl: 'marker', ussUrl: '' };
  const update = (entry: ServerSyncUpdateData) => {
    const w = new Writer(' />');
    writeUpdateData(w, entry);
    return w.toString();
  };
  const url = (entry: ServerSyncUrlData) => {
    const w = new Writer(' />');
    writeUrlData(w, entry);
    return w.toString();
  };
  const withUrl = buildResponse({ operation: 'GetUpdateData', updates: [marker], fileUrls: [markerUrl] });
  const withoutUrl = buildResponse({ operation: 'GetUpdateData', updates: [marker], fileUrls: [] });
  const [head, afterUpdate] = splitOnce(withUrl, update(marker));
  const [between, tail] = splitOnce(afterUpdate, url(markerUrl));
  const noUrls = splitOnce(withoutUrl, update(marker))[1];
  return { head, update, between, url, noUrls, tail };
}

function splitOnce(text: string, at: string): [string, string] {
  const i = text.indexOf(at);
  return [text.slice(0, i), text.slice(i + at.length)];
}

export function buildResponse(message: ResponseMessage): string {
  const w = new Writer(' />');
  w.raw(RESPONSE_ENVELOPE_START);
  w.operation(`${message.operation}Response`, namespaceOf(message.operation), () => {
    if (message.operation === 'DownloadFiles') return; // DownloadFilesResponse is empty (no Result element)
    w.raw(`<${message.operation}Result>`);
    (responseWriters[message.operation] as (w: Writer, m: ResponseMessage) => void)(w, message);
    w.raw(`</${message.operation}Result>`);
  });
  w.raw(ENVELOPE_END);
  return w.toString();
}
