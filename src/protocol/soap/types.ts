/**
 * The [MS-WSUSSS] messages supsync speaks, as plain data. Field names mirror the element names
 * (camelCase); element order and namespaces live in messages.ts. Strings the protocol treats as
 * opaque (cookies, anchors, date-times, base64) stay strings, verbatim, so they travel back unchanged.
 */
import type { RevisionKey } from '../../model/update.js';

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
/** Namespace of the Server Sync Web Service and its data types. */
export const WSUS_NS = 'http://www.microsoft.com/SoftwareDistribution';
/** Namespace of the DSS Authorization Web Service (GetAuthorizationCookie only). */
export const DSS_AUTH_NS = 'http://www.microsoft.com/SoftwareDistribution/Server/DssAuthWebService';

/** Namespace of Ping (IMonitorable), served by the server-sync and reporting web services. */
export const MONITORABLE_NS = 'http://www.microsoft.com/SoftwareDistribution/Server/IMonitorable';

export const SERVER_SYNC_PATH = '/ServerSyncWebService/ServerSyncWebService.asmx';
export const DSS_AUTH_PATH = '/DssAuthWebService/DssAuthWebService.asmx';
/** The reporting web service ([MS-WSUSSS] 2.1; the WSDL of 6.3 names it WebService.asmx). */
export const REPORTING_PATHS = ['/ReportingWebService/ReportingWebService.asmx', '/ReportingWebService/WebService.asmx'] as const;
export type ServicePath = typeof SERVER_SYNC_PATH | typeof DSS_AUTH_PATH;

/** The operations of metadata synchronization, which a supsync client calls. */
export const syncOperations = ['GetAuthConfig', 'GetAuthorizationCookie', 'GetCookie', 'GetConfigData', 'GetRevisionIdList', 'GetUpdateData'] as const;
/**
 * Operations a downstream WSUS may also call, which the SUP endpoint answers (empty where the
 * site has nothing: it keeps no deployments, decryption keys or driver sets). The driver
 * operations are defined in [MS-WSUSSS] 3.1.4.7/3.1.4.8 but absent from Appendix A's WSDL.
 */
export const serverOnlyOperations = [
  'GetDeployments',
  'GetUpdateDecryptionData',
  'GetRelatedRevisionsForUpdates',
  'DownloadFiles',
  'GetDriverIdList',
  'GetDriverSetData',
  'Ping',
] as const;
export const operations = [...syncOperations, ...serverOnlyOperations] as const;
export type Operation = (typeof operations)[number];

export function isOperation(name: string): name is Operation {
  return (operations as readonly string[]).includes(name);
}

/** The namespace of an operation's elements. */
export function namespaceOf(operation: Operation): string {
  return operation === 'GetAuthorizationCookie' ? DSS_AUTH_NS : operation === 'Ping' ? MONITORABLE_NS : WSUS_NS;
}

/** The SOAPAction URI of an operation, unquoted (the HTTP header carries it in double quotes). */
export function soapActionOf(operation: Operation): string {
  return `${namespaceOf(operation)}/${operation}`;
}

/** The endpoint path an operation is posted to. */
export function pathOf(operation: Operation): ServicePath {
  return operation === 'GetAuthorizationCookie' ? DSS_AUTH_PATH : SERVER_SYNC_PATH;
}

/** [MS-WSUSSS] 2.2.9.3 ErrorCode values. */
export type WsusErrorCode =
  | 'InvalidParameters'
  | 'InvalidCookie'
  | 'InternalServerError'
  | 'IncompatibleProtocolVersion'
  | 'InvalidAuthorizationCookie'
  | 'FileDigestsMissing'
  | 'ServerChanged'
  | 'ServerBusy';

/** The session cookie from GetCookie, sent back verbatim with every later call. */
export interface Cookie {
  /** xsd:dateTime as the server wrote it, e.g. `2026-10-04T20:33:26.65455Z`. */
  expiration: string;
  /** Base64, opaque to the client. Empty when the element was absent. */
  encryptedData: string;
}

/** The DSS authorization cookie from GetAuthorizationCookie. */
export interface AuthorizationCookie {
  plugInId: string;
  /** Base64, opaque to the client. */
  cookieData: string;
}

export interface IdAndDelta {
  /** Category (product) or classification GUID, lower case. */
  id: string;
  /** true: only revisions newer than the filter's anchor. */
  delta: boolean;
}

export interface LanguageAndDelta {
  /** LCID. */
  id: number;
  delta: boolean;
}

/** ServerSyncFilter. An absent array and an empty one are kept apart (`undefined` vs `[]`). */
export interface ServerSyncFilter {
  anchor?: string;
  getConfig: boolean;
  get63LanguageOnly?: boolean;
  categories?: IdAndDelta[];
  classifications?: IdAndDelta[];
  languages?: LanguageAndDelta[];
}

export interface GetAuthConfigRequest {
  operation: 'GetAuthConfig';
}
export interface GetAuthorizationCookieRequest {
  operation: 'GetAuthorizationCookie';
  /** The DSS's FQDN; empty when the element was absent. */
  accountName: string;
  /** The DSS's GUID as sent (s:string, not validated here); empty when absent. */
  accountGuid: string;
}
export interface GetCookieRequest {
  operation: 'GetCookie';
  authCookies: AuthorizationCookie[];
  oldCookie?: Cookie;
  /** e.g. "1.20"; empty when absent. */
  protocolVersion: string;
}
/** `cookie` is optional because a server must answer a call without one (InvalidCookie), not fail to parse it. */
export interface GetConfigDataRequest {
  operation: 'GetConfigData';
  cookie?: Cookie;
  configAnchor?: string;
}
export interface GetRevisionIdListRequest {
  operation: 'GetRevisionIdList';
  cookie?: Cookie;
  filter: ServerSyncFilter;
}
export interface GetUpdateDataRequest {
  operation: 'GetUpdateData';
  cookie?: Cookie;
  updateIds: RevisionKey[];
}

export interface GetDeploymentsRequest {
  operation: 'GetDeployments';
  cookie?: Cookie;
  deploymentAnchor?: string;
  syncAnchor?: string;
}
export interface GetUpdateDecryptionDataRequest {
  operation: 'GetUpdateDecryptionData';
  cookie?: Cookie;
  /** undefined when the element was absent (InvalidParameters). */
  updateIds?: RevisionKey[];
}
export interface GetRelatedRevisionsForUpdatesRequest {
  operation: 'GetRelatedRevisionsForUpdates';
  cookie?: Cookie;
  updateIds: string[];
}
export interface DownloadFilesRequest {
  operation: 'DownloadFiles';
  cookie?: Cookie;
  /** Base64 SHA-1 digests; undefined when the element was absent (InvalidParameters). */
  fileDigestList?: string[];
}
export interface GetDriverIdListRequest {
  operation: 'GetDriverIdList';
  cookie?: Cookie;
  anchor?: string;
}
export interface GetDriverSetDataRequest {
  operation: 'GetDriverSetData';
  cookie?: Cookie;
  driverSets: string[];
}
export interface PingRequest {
  operation: 'Ping';
  pingLevel: number;
}

export type RequestMessage =
  | GetAuthConfigRequest
  | GetAuthorizationCookieRequest
  | GetCookieRequest
  | GetConfigDataRequest
  | GetRevisionIdListRequest
  | GetUpdateDataRequest
  | GetDeploymentsRequest
  | GetUpdateDecryptionDataRequest
  | GetRelatedRevisionsForUpdatesRequest
  | DownloadFilesRequest
  | GetDriverIdListRequest
  | GetDriverSetDataRequest
  | PingRequest;

export interface AuthPlugInInfo {
  plugInID: string;
  /** Relative to the server root, e.g. `DssAuthWebService/DssAuthWebService.asmx`. */
  serviceUrl: string;
  /** Windows sends an empty `<Parameter />`; undefined when absent. */
  parameter?: string;
}
export interface GetAuthConfigResponse {
  operation: 'GetAuthConfig';
  /** xsd:dateTime as written, e.g. `2026-10-04T13:16:35.433Z`. */
  lastChange: string;
  authInfo: AuthPlugInInfo[];
}
export interface GetAuthorizationCookieResponse {
  operation: 'GetAuthorizationCookie';
  plugInId: string;
  cookieData: string;
}
export interface GetCookieResponse {
  operation: 'GetCookie';
  cookie: Cookie;
}

export interface ServerSyncLanguageData {
  /** LCID; 0 is "all languages". */
  languageId: number;
  shortLanguage: string;
  longLanguage: string;
  enabled: boolean;
}

/** ServerSyncConfigData, flattened into the response. */
export interface GetConfigDataResponse {
  operation: 'GetConfigData';
  catalogOnlySync: boolean;
  lazySync: boolean;
  serverHostsPsfFiles: boolean;
  maxNumberOfComputerIdsInRequest: number;
  maxNumberOfDriverSetsPerRequest: number;
  maxNumberOfPnpHardwareIdsInRequest: number;
  /** The GetUpdateData batch limit (100 on Windows and Microsoft Update). */
  maxNumberOfUpdatesPerRequest: number;
  /** Opaque; send it back as the next call's configAnchor. */
  newConfigAnchor?: string;
  protocolVersion?: string;
  /** LanguageUpdateList: only languages changed since configAnchor, so empty on a repeat call. */
  languages: ServerSyncLanguageData[];
  /** Absent from Windows Server 2008 R2 and older. */
  maxUpdatesPerRequestInGetUpdateDecryptionData?: number;
  /** Text-only children this schema does not know (a newer server's settings), by local name. */
  properties?: Record<string, string>;
}

export interface GetRevisionIdListResponse {
  operation: 'GetRevisionIdList';
  /** Opaque; send it back in the next filter for the same categories. */
  anchor: string;
  newRevisions: RevisionKey[];
}

export interface ServerSyncUpdateData extends RevisionKey {
  /** The update XML, entity-decoded (exactly one of the two blobs is present). */
  xmlUpdateBlob?: string;
  /** Base64 of a Cabinet (MSCF) holding the UTF-16LE update XML; decoding is the caller's. */
  xmlUpdateBlobCompressed?: string;
  /** Base64 SHA-1 digests of the update's files; empty when the element was absent. */
  fileDigestList: string[];
}
export interface ServerSyncUrlData {
  fileDigest: string;
  muUrl?: string;
  /** Unused by the protocol; Windows sends it empty. */
  ussUrl?: string;
}
export interface GetUpdateDataResponse {
  operation: 'GetUpdateData';
  updates: ServerSyncUpdateData[];
  fileUrls: ServerSyncUrlData[];
}

/** ServerSyncDeploymentResult. supsync keeps no target groups or deployments, so those lists are always empty. */
export interface GetDeploymentsResponse {
  operation: 'GetDeployments';
  anchor: string;
  deadDeployments: string[];
  hiddenUpdates: string[];
  acceptedEulas: string[];
}
export interface ServerSyncUpdateFileDecryption extends RevisionKey {
  files: { fileDigest: string; decryptionKey?: string }[];
}
export interface GetUpdateDecryptionDataResponse {
  operation: 'GetUpdateDecryptionData';
  updates: ServerSyncUpdateFileDecryption[];
}
export interface GetRelatedRevisionsForUpdatesResponse {
  operation: 'GetRelatedRevisionsForUpdates';
  revisions: RevisionKey[];
}
export interface DownloadFilesResponse {
  operation: 'DownloadFiles';
}
export interface GetDriverIdListResponse {
  operation: 'GetDriverIdList';
  anchor: string;
  newRevisions: RevisionKey[];
  newDriverSets: string[];
  removedDriverSets: string[];
}
export interface GetDriverSetDataResponse {
  operation: 'GetDriverSetData';
  driverSets: { driverSetId: string; driverSetXml: string }[];
}
/** MonitoredServicesResponse. */
export interface PingResponse {
  operation: 'Ping';
  successFlag: boolean;
  servicesTime: string;
  servicesName: string;
  servicesMachine: string;
  isHttps: boolean;
  configFileLastModifiedTime: string;
  configFileNextExpirationTime: string;
  configFileExpirationModuloInMinutes: number;
}

export type ResponseMessage =
  | GetAuthConfigResponse
  | GetAuthorizationCookieResponse
  | GetCookieResponse
  | GetConfigDataResponse
  | GetRevisionIdListResponse
  | GetUpdateDataResponse
  | GetDeploymentsResponse
  | GetUpdateDecryptionDataResponse
  | GetRelatedRevisionsForUpdatesResponse
  | DownloadFilesResponse
  | GetDriverIdListResponse
  | GetDriverSetDataResponse
  | PingResponse;

export type RequestOf<O extends Operation> = Extract<RequestMessage, { operation: O }>;
export type ResponseOf<O extends Operation> = Extract<ResponseMessage, { operation: O }>;

/** What a server puts in a fault ([MS-WSUSSS] 2.2.9.1). */
export interface SoapFault {
  errorCode: WsusErrorCode;
  /** For InvalidParameters, the parameter name (e.g. `filter`); often empty. */
  message: string;
  /** The endpoint URL that failed, e.g. `http://host:8530/ServerSyncWebService/ServerSyncWebService.asmx`. */
  actor: string;
  /** GUID of this fault instance; a new one when omitted. */
  id?: string;
  /** The failed call: an operation name (written as its quoted SOAPAction) or a SOAPAction header value as received. */
  method?: Operation | string;
}
