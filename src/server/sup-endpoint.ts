/**
 * A site's SUP endpoint: the [MS-WSUSSS] server side over HTTP(S), serving the site database to
 * downstream servers (child sites, or a real downstream WSUS). Same operations, namespaces and
 * element order as a Windows WSUS; real delta from anchors; signed, expiring cookies; an optional
 * allow-list of downstream account names and shared secret.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { InvalidDataError, SupsyncError } from '../errors.js';
import { encodeUpdateBlob } from '../protocol/cab/index.js';
import {
  DSS_AUTH_PATH,
  SERVER_SYNC_PATH,
  buildFault,
  buildResponse,
  formatAnchor,
  formatDateTime,
  parseAnchor,
  parseRequest,
  type Cookie,
  type RequestMessage,
  type ResponseMessage,
  type WsusErrorCode,
} from '../protocol/soap/index.js';
import { wsusLanguages } from '../site/sup-settings.js';
import { type ServedRevision, categoryRevisions, maxChangeSeq, servedRevision, updateRevisions } from '../store/served.js';
import type { SiteDb } from '../store/site-db.js';
import { type SyncRequestFile, writeSyncRequest } from '../sync/requests.js';
import { CookieSigner } from './cookies.js';
import { type RunningServer, listen } from './listen.js';
import { readRequestBody } from './request-body.js';

export interface SupEndpointOptions {
  db: SiteDb;
  /** GetUpdateData's batch limit (MaxNumberOfUpdatesPerRequest). */
  maxUpdatesPerRequest?: number;
  /** Only these downstream account names (GetAuthorizationCookie accountName) may sync. */
  allowAccounts?: string[];
  /** When set, requests must carry HTTP basic credentials with this password. */
  sharedSecret?: string;
  /** Languages offered as enabled in GetConfigData. */
  languages?: string[];
  /** Serve documents over this many UTF-8 bytes compressed (Windows compressed a 4.9 KB category, not a 1.4 KB leaf). */
  compressAbove?: number;
  tls?: { cert: Buffer; key: Buffer };
  maxRequestBytes?: number;
  /** Called for every request, for logs and metrics: the operation, HTTP status, milliseconds and response body bytes. */
  onRequest?: (operation: string, status: number, ms: number, bytes: number) => void;
  /**
   * The served site's sync-request inbox: a parent on another machine asks this site to sync by
   * POSTing its request to /supsync/SyncRequest (the network form of the `.SYN` file).
   */
  inbox?: string;
}

/** A listening SUP endpoint. */
export type RunningEndpoint = RunningServer;

/** LCIDs of WSUS's languages, in GetConfigData order. */
const languageIds: Record<string, [number, string]> = {
  ar: [1025, 'Arabic'], bg: [1026, 'Bulgarian'], 'zh-tw': [1028, 'Chinese (Traditional)'], cs: [1029, 'Czech'], da: [1030, 'Danish'], de: [1031, 'German'],
  el: [1032, 'Greek'], en: [1033, 'English'], es: [3082, 'Spanish'], fi: [1035, 'Finnish'], fr: [1036, 'French'], he: [1037, 'Hebrew'], hu: [1038, 'Hungarian'],
  it: [1040, 'Italian'], ja: [1041, 'Japanese'], ko: [1042, 'Korean'], nl: [1043, 'Dutch'], no: [1044, 'Norwegian'], pl: [1045, 'Polish'],
  'pt-br': [1046, 'Portuguese (Brazil)'], ro: [1048, 'Romanian'], ru: [1049, 'Russian'], hr: [1050, 'Croatian'], sk: [1051, 'Slovak'], sv: [1053, 'Swedish'],
  th: [1054, 'Thai'], tr: [1055, 'Turkish'], uk: [1058, 'Ukrainian'], sl: [1060, 'Slovenian'], et: [1061, 'Estonian'], lv: [1062, 'Latvian'], lt: [1063, 'Lithuanian'],
  hi: [1081, 'Hindi'], 'zh-cn': [2052, 'Chinese (Simplified)'], pt: [2070, 'Portuguese (Portugal)'], sr: [2074, 'Serbian (Latin)'], 'zh-hk': [3076, 'Chinese (Hong Kong S.A.R.)'],
  'ja-nec': [1041, 'Japanese NEC'],
};

class Fault extends Error {
  constructor(
    readonly errorCode: WsusErrorCode,
    readonly detail: string,
  ) {
    super(`${errorCode}: ${detail}`);
  }
}

export class SupEndpoint {
  readonly #options: Required<Omit<SupEndpointOptions, 'allowAccounts' | 'sharedSecret' | 'tls' | 'onRequest' | 'inbox'>> & SupEndpointOptions;
  readonly #signer: CookieSigner;
  readonly #startedAt = new Date();

  constructor(options: SupEndpointOptions) {
    this.#options = { maxUpdatesPerRequest: 100, languages: ['en'], compressAbove: 4096, maxRequestBytes: 16 * 1024 * 1024, ...options };
    this.#signer = new CookieSigner(serverSecret(options.db));
  }

  listen(host: string, port: number): Promise<RunningEndpoint> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.#handle(req, res);
    const server = this.#options.tls ? https.createServer({ cert: this.#options.tls.cert, key: this.#options.tls.key }, handler) : http.createServer(handler);
    return listen(server, host, port, this.#options.tls ? 'https' : 'http');
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    // WSUS sometimes sends a double slash; paths compare case-insensitively like IIS.
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/{2,}/g, '/').toLowerCase();
    const service = path === SERVER_SYNC_PATH.toLowerCase() ? 'sync' : path === DSS_AUTH_PATH.toLowerCase() ? 'dss' : undefined;
    let operation = 'unknown';
    const send = (status: number, body: string, contentType = 'text/xml; charset=utf-8') => {
      const bytes = Buffer.byteLength(body);
      res.writeHead(status, { 'content-type': contentType, 'content-length': bytes, 'cache-control': 'private' });
      res.end(body);
      this.#options.onRequest?.(operation, status, Date.now() - started, bytes);
    };
    if (path === '/supsync/syncrequest' && req.method === 'POST' && this.#options.inbox) {
      operation = 'SyncRequest';
      return this.#syncRequest(req, send);
    }
    if (!service) return send(404, 'Not found', 'text/plain');
    if (req.method !== 'POST') return send(405, 'Only POST is served here', 'text/plain');
    if (this.#options.sharedSecret !== undefined && !this.#secretMatches(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Basic realm="supsync"');
      return send(401, 'Unauthorized', 'text/plain');
    }
    const actor = `http://${req.headers.host ?? 'localhost'}${service === 'sync' ? SERVER_SYNC_PATH : DSS_AUTH_PATH}`;
    let body: string;
    try {
      body = await readRequestBody(req, this.#options.maxRequestBytes);
    } catch {
      return send(413, 'Request too large', 'text/plain');
    }
    const soapAction = typeof req.headers.soapaction === 'string' ? req.headers.soapaction.replace(/^"|"$/g, '') : undefined;
    let message: RequestMessage;
    try {
      message = parseRequest(body, soapAction);
      operation = message.operation;
    } catch (error) {
      const code = error instanceof InvalidDataError ? error.code : '';
      const target = error instanceof SupsyncError ? (error.target ?? 'request') : 'request';
      const fault: WsusErrorCode = target === 'cookie' ? 'InvalidCookie' : 'InvalidParameters';
      return send(500, buildFault({ errorCode: fault, message: code === 'SoapInvalidAnchor' ? 'filter' : target, actor, ...(soapAction ? { method: `"${soapAction}"` } : {}) }));
    }
    const expectedService = message.operation === 'GetAuthorizationCookie' ? 'dss' : 'sync';
    if (service !== expectedService) {
      return send(500, buildFault({ errorCode: 'InvalidParameters', message: 'operation', actor, method: message.operation }));
    }
    try {
      send(200, buildResponse(this.#answer(message)));
    } catch (error) {
      if (error instanceof Fault) return send(500, buildFault({ errorCode: error.errorCode, message: error.detail, actor, method: message.operation }));
      return send(500, buildFault({ errorCode: 'InternalServerError', message: '', actor, method: message.operation }));
    }
  }

  async #syncRequest(req: http.IncomingMessage, send: (status: number, body: string, contentType?: string) => void): Promise<void> {
    if (this.#options.sharedSecret !== undefined && !this.#secretMatches(req.headers.authorization)) return send(401, 'Unauthorized', 'text/plain');
    try {
      const request = JSON.parse(await readRequestBody(req, 64 * 1024)) as Partial<SyncRequestFile>;
      if (typeof request.from !== 'string' || !/^[A-Z0-9]{3}$/.test(request.from)) return send(400, 'from must be a site code', 'text/plain');
      writeSyncRequest(this.#options.inbox!, {
        from: request.from,
        catalogVersion: Number(request.catalogVersion) || 0,
        full: request.full === true,
        time: new Date().toISOString(),
      });
      return send(202, 'queued', 'text/plain');
    } catch {
      return send(400, 'The sync request is not valid JSON', 'text/plain');
    }
  }

  #secretMatches(header: string | undefined): boolean {
    const match = /^Basic (.+)$/i.exec(header ?? '');
    if (!match) return false;
    const password = Buffer.from(match[1]!, 'base64').toString('utf8').split(':').slice(1).join(':');
    const a = crypto.createHash('sha256').update(password).digest();
    const b = crypto.createHash('sha256').update(this.#options.sharedSecret!).digest();
    return crypto.timingSafeEqual(a, b);
  }

  #answer(message: RequestMessage): ResponseMessage {
    const db = this.#options.db;
    switch (message.operation) {
      case 'GetAuthConfig':
        return {
          operation: 'GetAuthConfig',
          lastChange: formatDateTime(this.#startedAt),
          authInfo: [{ plugInID: 'DssTargeting', serviceUrl: 'DssAuthWebService/DssAuthWebService.asmx', parameter: '' }],
        };
      case 'GetAuthorizationCookie': {
        const account = message.accountName.trim();
        const allowed = this.#options.allowAccounts;
        if (allowed !== undefined && !allowed.some((a) => a.toLowerCase() === account.toLowerCase())) {
          throw new Fault('InvalidAuthorizationCookie', 'accountName');
        }
        return { operation: 'GetAuthorizationCookie', plugInId: 'DssTargeting', cookieData: this.#signer.authorizationCookie(account || 'anonymous') };
      }
      case 'GetCookie': {
        if (!/^1\.\d+$/.test(message.protocolVersion)) throw new Fault('IncompatibleProtocolVersion', 'protocolVersion');
        const account = message.authCookies.map((c) => this.#signer.verify(c.cookieData, 'auth')).find((a) => a !== undefined);
        if (account === undefined) throw new Fault('InvalidAuthorizationCookie', 'authCookies');
        const session = this.#signer.sessionCookie(account);
        return { operation: 'GetCookie', cookie: { expiration: formatDateTime(session.expires), encryptedData: session.encryptedData } };
      }
      case 'GetConfigData':
        this.#checkCookie(message.cookie);
        return {
          operation: 'GetConfigData',
          catalogOnlySync: false,
          lazySync: false,
          serverHostsPsfFiles: false,
          maxNumberOfComputerIdsInRequest: 0,
          maxNumberOfDriverSetsPerRequest: 0,
          maxNumberOfPnpHardwareIdsInRequest: 0,
          maxNumberOfUpdatesPerRequest: this.#options.maxUpdatesPerRequest,
          newConfigAnchor: this.#anchor(),
          protocolVersion: '1.20',
          // A repeat call (with an anchor) gets only changed languages: none.
          languages:
            message.configAnchor !== undefined
              ? []
              : [
                  { languageId: 0, shortLanguage: 'all', longLanguage: 'all', enabled: false },
                  ...wsusLanguages.map((l) => ({ languageId: languageIds[l]![0], shortLanguage: l, longLanguage: languageIds[l]![1], enabled: this.#options.languages.includes(l) })),
                ],
          maxUpdatesPerRequestInGetUpdateDecryptionData: this.#options.maxUpdatesPerRequest,
        };
      case 'GetRevisionIdList': {
        this.#checkCookie(message.cookie);
        const filter = message.filter;
        const anchorText = this.#anchor(); // taken before reading, so nothing committed meanwhile is skipped next time
        let sinceSeq: number | undefined;
        if (filter.anchor !== undefined) {
          let serial: number;
          try {
            serial = parseAnchor(filter.anchor).serial;
          } catch {
            throw new Fault('InvalidParameters', 'filter');
          }
          // An anchor's serial is one past the change sequence it covers (serials start at 1).
          if (serial - 1 > maxChangeSeq(db)) throw new Fault('ServerChanged', 'filter');
          // Per the recordings: Delta=false with an anchor lists everything again; no categories = delta.
          const deltaRequested = [...(filter.categories ?? []), ...(filter.classifications ?? [])];
          sinceSeq = deltaRequested.length === 0 || deltaRequested.some((c) => c.delta) ? serial - 1 : undefined;
        }
        const categories = filter.categories ?? [];
        const classifications = filter.classifications ?? [];
        // [MS-WSUSSS] 3.1.4.5.3.1: categories need at least one classification and vice versa, or the filter matches nothing.
        const newRevisions = filter.getConfig
          ? categoryRevisions(db, sinceSeq)
          : categories.length > 0 !== classifications.length > 0
            ? []
            : updateRevisions(db, {
                ...(categories.length > 0 ? { products: categories.map((c) => c.id), classifications: classifications.map((c) => c.id) } : {}),
                ...(sinceSeq !== undefined ? { sinceSeq } : {}),
              });
        return { operation: 'GetRevisionIdList', anchor: anchorText, newRevisions };
      }
      case 'GetUpdateData': {
        this.#checkCookie(message.cookie);
        if (message.updateIds.length === 0 || message.updateIds.length > this.#options.maxUpdatesPerRequest) throw new Fault('InvalidParameters', 'updateIds');
        const updates = [];
        const fileUrls = new Map<string, string>();
        for (const key of message.updateIds) {
          const served = servedRevision(db, key);
          // Windows answers an unknown revision with InternalServerError (exchange 000017).
          if (!served) throw new Fault('InternalServerError', '');
          const xml = servedXml(served);
          for (const f of served.files) if (f.url) fileUrls.set(f.digest, f.url);
          updates.push({
            ...key,
            fileDigestList: served.files.map((f) => f.digest),
            ...(Buffer.byteLength(xml) > this.#options.compressAbove ? { xmlUpdateBlobCompressed: encodeUpdateBlob(xml) } : { xmlUpdateBlob: xml }),
          });
        }
        return { operation: 'GetUpdateData', updates, fileUrls: [...fileUrls].map(([fileDigest, muUrl]) => ({ fileDigest, muUrl, ussUrl: '' })) };
      }
    }
  }

  #checkCookie(cookie: Cookie | undefined): void {
    if (!cookie || this.#signer.verify(cookie.encryptedData, 'session') === undefined) throw new Fault('InvalidCookie', 'cookie');
  }

  #anchor(): string {
    return formatAnchor({ serial: maxChangeSeq(this.#options.db) + 1, time: new Date() });
  }
}

/** An expired update is served as Microsoft Update serves one: PublicationState="Expired". */
function servedXml(served: ServedRevision): string {
  return served.expired ? served.xml.replace(/PublicationState="[^"]*"/, 'PublicationState="Expired"') : served.xml;
}

/** The site's cookie-signing secret, created on first use and kept in the site database. */
function serverSecret(db: SiteDb): Buffer {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'server_secret'").get() as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'hex');
  const secret = crypto.randomBytes(32);
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('server_secret', ?)").run(secret.toString('hex'));
  return serverSecret(db);
}
