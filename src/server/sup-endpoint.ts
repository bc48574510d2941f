/**
 * A site's SUP endpoint: the [MS-WSUSSS] server side over HTTP(S), serving the site database to
 * downstream servers (child sites, or a real downstream WSUS). Same operations, namespaces and
 * element order as a Windows WSUS; real delta from anchors; revision lists that carry the
 * closure of bundles; the content the site holds on the WSUS content path; signed, expiring
 * cookies. Admission: a shared secret (HTTP Basic, which supsync children send), a TLS client
 * certificate issued by a CA the endpoint trusts (which a real WSUS downstream can present where
 * it cannot send Basic credentials), and an allow-list of downstream account names.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import zlib from 'node:zlib';
import { InvalidDataError, SupsyncError } from '../errors.js';
import { encodeUpdateBlob } from '../protocol/cab/index.js';
import { allLanguagesEntry, wsusLanguageTable } from '../protocol/languages.js';
import {
  DSS_AUTH_PATH,
  REPORTING_PATHS,
  SERVER_SYNC_PATH,
  buildFault,
  buildResponse,
  formatAnchor,
  formatDateTime,
  parseAnchor,
  parseRequest,
  revisionListResponseParts,
  updateDataResponseParts,
  type Cookie,
  type RequestMessage,
  type ResponseMessage,
  type ServerSyncUpdateData,
  type WsusErrorCode,
} from '../protocol/soap/index.js';
import { storedXmlText } from '../protocol/stored-xml.js';
import type { RevisionKey } from '../model/update.js';
import type { RevisionQuery, ServedRevision } from '../store/served.js';
import type { SiteStore } from '../store/site-store.js';
import { type SyncRequestFile, writeSyncRequest } from '../store/sync-requests.js';
import { CONTENT_PREFIX, contentStoreHasFiles, serveContent } from './content.js';
import { CookieSigner } from './cookies.js';
import { type EncodedCacheFigures, type EncodedRevision, EncodedRevisionCache, KeptAnswers } from './encoded-revisions.js';
import { type RunningServer, type ServerLimits, listen } from './listen.js';
import { RequestBodyTooLarge, readRequestBody } from './request-body.js';

/** Answers over this many characters (or bytes) are gzipped for a client that accepts it. */
const gzipAbove = 16 * 1024;

/** GetUpdateData's answer around its entries; the same for every answer. */
const updateDataParts = updateDataResponseParts();
const updateDataHead = Buffer.from(updateDataParts.head);

export interface SupEndpointOptions {
  store: SiteStore;
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
  /**
   * PEM of the certificate authorities whose client certificates admit a downstream (HTTPS only):
   * a request with a verified client certificate needs no shared secret.
   */
  clientCa?: Buffer;
  /** The site's content store (`sites/<CODE>/content`): files served on /Content/… when it holds any. */
  contentDir?: string;
  /**
   * CatalogOnlySync in GetConfigData. Default, decided per site: false when the content store
   * holds files (a downstream downloads them here), true when it holds none (a downstream takes
   * files from Microsoft Update's MUUrl instead of asking here for what is not held).
   */
  catalogOnlySync?: boolean;
  maxRequestBytes?: number;
  /**
   * Memory for GetUpdateData entries kept encoded (default 64 MB): children syncing at about the same
   * time are served from it instead of each paying the inflate, cabinet and base64 again.
   */
  encodedCacheBytes?: number;
  /**
   * Memory for whole GetUpdateData answers kept gzipped (default 32 MB), for downstreams that ask
   * for gzip (across a WAN) and fetch the same batches.
   */
  gzippedAnswerBytes?: number;
  /**
   * Memory for revision lists kept as read (default 32 MB, ~150 bytes a listed revision: a
   * 100,000-update list is ~15 MB), for the next child that asks for the same list.
   */
  keptListBytes?: number;
  /**
   * Updates read from the site database in one turn of the event loop for a revision list (default
   * 5,000): a longer list is written page by page, other requests served between pages.
   */
  listPageRows?: number;
  /** Timeouts and the per-client connection bound (defaults: defaultServerLimits). */
  limits?: Partial<ServerLimits>;
  /**
   * Called for every request, for logs and metrics: the operation, HTTP status, milliseconds and
   * response body bytes; and with 'ConnectionRefused' (503) for a connection over the per-client bound.
   */
  onRequest?: (operation: string, status: number, ms: number, bytes: number) => void;
  /**
   * The served site's sync-request inbox: a parent on another machine asks this site to sync by
   * POSTing its request to /supsync/SyncRequest (the network form of the `.SYN` file).
   */
  inbox?: string;
  /**
   * Who may POST a sync request: the served site's parent (undefined: a top-level site, which takes
   * none), with HTTP basic credentials `<parent code>:<secret>`, or without any when the admin
   * allowed it explicitly.
   */
  syncRequestsFrom?: { parent: string | undefined; secret?: string; allowUnauthenticated?: boolean };
}

/** A revision list the endpoint writes page by page (#sendRevisionList). */
interface PagedRevisionList {
  operation: 'GetRevisionIdList';
  anchor: string;
  pages: Iterable<RevisionKey[]> | AsyncIterable<RevisionKey[]>;
}

/** GetUpdateData's answer, put together from the entries kept encoded, or kept gzipped whole (`gzipped`). */
interface EncodedAnswer {
  operation: 'GetUpdateData';
  body: Buffer;
  gzipped: boolean;
  /** The answer's length before gzip. */
  plainBytes: number;
  /** Under which a gzipped copy is kept, for a downstream that asked for gzip. */
  gzipKey?: string;
}

/** A listening SUP endpoint. */
export type RunningEndpoint = RunningServer;

class Fault extends Error {
  constructor(
    readonly errorCode: WsusErrorCode,
    readonly detail: string,
  ) {
    super(`${errorCode}: ${detail}`);
  }
}

export class SupEndpoint {
  readonly #options: Required<Pick<SupEndpointOptions, 'store' | 'maxUpdatesPerRequest' | 'languages' | 'compressAbove' | 'maxRequestBytes' | 'listPageRows'>> & SupEndpointOptions;
  /** Made once listening: a serve that fails to start leaves the site database untouched. */
  #signer!: CookieSigner;
  readonly #startedAt = new Date();
  #contentChecked = { at: 0, hasFiles: false };
  readonly #encoded: EncodedRevisionCache;
  readonly #gzipped: KeptAnswers<{ body: Buffer; plainBytes: number }>;
  readonly #lists: KeptAnswers<RevisionKey[][]>;

  constructor(options: SupEndpointOptions) {
    this.#options = { maxUpdatesPerRequest: 100, languages: ['en'], compressAbove: 4096, maxRequestBytes: 16 * 1024 * 1024, listPageRows: 5000, ...options };
    this.#encoded = new EncodedRevisionCache(options.encodedCacheBytes ?? 64 * 1024 * 1024);
    this.#gzipped = new KeptAnswers(options.gzippedAnswerBytes ?? 32 * 1024 * 1024, (answer) => answer.body.length);
    // A listed revision costs ~150 bytes kept (its key object and GUID string).
    this.#lists = new KeptAnswers(options.keptListBytes ?? 32 * 1024 * 1024, (pages) => pages.reduce((n, page) => n + 150 * page.length + 50, 0));
  }

  listen(host: string, port: number): Promise<RunningEndpoint> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.#handle(req, res);
    const tls = this.#options.tls;
    // Client certificates are asked for, not required: a child with the shared secret has none.
    // node:https (and TLS with it) is loaded only for a TLS endpoint: ~5 ms of CPU in every plain-HTTP endpoint's start.
    const server = tls
      ? process.getBuiltinModule('node:https').createServer({ cert: tls.cert, key: tls.key, ...(this.#options.clientCa ? { ca: this.#options.clientCa, requestCert: true, rejectUnauthorized: false } : {}) }, handler)
      : http.createServer(handler);
    const onConnectionRefused = () => this.#options.onRequest?.('ConnectionRefused', 503, 0, 0);
    return listen(server, host, port, tls ? 'https' : 'http', { onConnectionRefused, ...this.#options.limits }).then((running) => {
      this.#signer = new CookieSigner(this.#options.store.meta.serverSecret());
      return running;
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    // WSUS sometimes sends a double slash; paths compare case-insensitively like IIS.
    const rawPath = (req.url ?? '/').split('?')[0]!.replace(/\/{2,}/g, '/');
    const path = rawPath.toLowerCase();
    const service =
      path === SERVER_SYNC_PATH.toLowerCase() ? 'sync' : path === DSS_AUTH_PATH.toLowerCase() ? 'dss' : REPORTING_PATHS.some((p) => p.toLowerCase() === path) ? 'reporting' : undefined;
    let operation = 'unknown';
    // Gzip only for a client that asks (a supsync client asks across a WAN, not on loopback or a LAN;
    // a WSUS downstream that sends no Accept-Encoding gets plain answers).
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const send = (status: number, body: string, contentType = 'text/xml; charset=utf-8') => {
      const headers = { 'content-type': contentType, 'cache-control': 'private', vary: 'accept-encoding' };
      // The answer's own bytes, gzipped or not: what a downstream's sync counts as fetched.
      const written = () => this.#options.onRequest?.(operation, status, Date.now() - started, Buffer.byteLength(body));
      // Large answers (update data, revision lists) gzipped for a client that asks, as IIS compresses
      // WSUS's answers: across a WAN the bytes are the limit (an update data answer shrinks ~2.6x).
      // Fastest level, off the event loop: a busy parent must not stall its other children.
      if (body.length > gzipAbove && gzip) {
        zlib.gzip(body, { level: 1 }, (error, zipped) => {
          if (error) return void res.destroy(error);
          res.writeHead(status, { ...headers, 'content-encoding': 'gzip', 'content-length': zipped.length });
          res.end(zipped);
          written();
        });
        return;
      }
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      written();
    };
    if (path === '/supsync/syncrequest' && req.method === 'POST' && this.#options.inbox) {
      operation = 'SyncRequest';
      return this.#syncRequest(req, send);
    }
    // Content is Microsoft's public files, fetched by BITS, which sends no credentials: not gated.
    if (path.startsWith(CONTENT_PREFIX)) {
      operation = 'Content';
      const { status } = await serveContent(this.#options.store.served, this.#serveContentDir(), rawPath, req, res);
      const bytes = req.method === 'GET' ? Number(res.getHeader('content-length') ?? 0) : 0;
      this.#options.onRequest?.(operation, status, Date.now() - started, bytes);
      return;
    }
    if (!service) return send(404, 'Not found', 'text/plain');
    if (req.method !== 'POST') return send(405, 'Only POST is served here', 'text/plain');
    if (!this.#admitted(req)) {
      if (this.#options.sharedSecret !== undefined) res.setHeader('www-authenticate', 'Basic realm="supsync"');
      return send(401, 'Unauthorized: send the shared secret (HTTP Basic) or a client certificate this endpoint trusts', 'text/plain');
    }
    const actor = `${this.#options.tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${rawPath}`;
    let body: string;
    try {
      body = await readRequestBody(req, this.#options.maxRequestBytes);
    } catch (error) {
      if (error instanceof RequestBodyTooLarge) res.setHeader('connection', 'close');
      return send(error instanceof RequestBodyTooLarge ? 413 : 400, error instanceof RequestBodyTooLarge ? 'Request too large' : 'The request body could not be read', 'text/plain');
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
    const reportingPing = service === 'reporting' && message.operation === 'Ping';
    if (service !== expectedService && !reportingPing) {
      return send(500, buildFault({ errorCode: 'InvalidParameters', message: 'operation', actor, method: message.operation }));
    }
    try {
      const answer = await this.#answer(message, req, gzip);
      if ('pages' in answer) return await this.#sendRevisionList(answer, res, gzip, send, (bytes) => this.#options.onRequest?.(operation, 200, Date.now() - started, bytes));
      if ('body' in answer) return this.#sendUpdateData(answer, res, gzip, (bytes) => this.#options.onRequest?.(operation, 200, Date.now() - started, bytes));
      send(200, buildResponse(answer));
    } catch (error) {
      if (error instanceof Fault) return send(500, buildFault({ errorCode: error.errorCode, message: error.detail, actor, method: message.operation }));
      return send(500, buildFault({ errorCode: 'InternalServerError', message: '', actor, method: message.operation }));
    }
  }

  /**
   * Writes a revision list as its pages are read, yielding to other requests between pages (and
   * waiting while the downstream reads what was written): one child's 100,000-update list neither
   * holds the event loop for its whole read nor sits whole in memory. A list of one page is sent
   * whole, with its length. Gzipped as it is written for a client that asks: a 100,000-update list
   * is megabytes, and across a WAN the sync waits for it before it can fetch anything.
   */
  async #sendRevisionList(list: PagedRevisionList, res: http.ServerResponse, gzip: boolean, send: (status: number, body: string) => void, done: (bytes: number) => void): Promise<void> {
    const source = list.pages;
    const pages = (async function* () {
      yield* source;
    })();
    const first = await pages.next();
    if (first.done) return send(200, buildResponse({ operation: 'GetRevisionIdList', anchor: list.anchor, newRevisions: [] }));
    const second = await pages.next();
    if (second.done) return send(200, buildResponse({ operation: 'GetRevisionIdList', anchor: list.anchor, newRevisions: first.value }));
    const parts = revisionListResponseParts(list.anchor);
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'cache-control': 'private', vary: 'accept-encoding', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    // The stream the pages go into: the answer itself, or a gzip stream piped into it (whose
    // backpressure is the answer's: it stops taking text while the downstream does not read).
    const zipper = gzip ? zlib.createGzip({ level: 1 }) : undefined;
    const out: Writable = zipper ?? res;
    // The bytes sent: what the downstream counts as fetched, as for a whole answer.
    let bytes = 0;
    if (zipper) {
      zipper.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!res.write(chunk)) zipper.pause();
      });
      res.on('drain', () => zipper.resume());
      res.once('close', () => zipper.destroy());
    }
    const write = (text: string) => {
      if (!zipper) bytes += Buffer.byteLength(text);
      return out.write(text);
    };
    let more = write(parts.head + parts.identities(first.value) + parts.identities(second.value));
    try {
      for (;;) {
        // A downstream that goes away while its buffer is full never drains: closing ends the wait too.
        if (!more) await new Promise<void>((resolve) => {
          const go = () => {
            out.off('drain', go);
            res.off('close', go);
            resolve();
          };
          out.once('drain', go);
          res.once('close', go);
        });
        else await new Promise((resolve) => setImmediate(resolve));
        if (res.destroyed) return void (await pages.return());
        const page = await pages.next();
        if (page.done) break;
        more = write(parts.identities(page.value));
      }
    } catch (error) {
      // The status line is out: a failed read can only cut the answer short, which the downstream retries.
      res.destroy(error as Error);
      return;
    }
    if (!zipper) {
      bytes += Buffer.byteLength(parts.tail);
      res.end(parts.tail);
      return done(bytes);
    }
    zipper.once('end', () => {
      res.end();
      done(bytes);
    });
    out.end(parts.tail);
  }

  /**
   * Sends a GetUpdateData answer: as it is, or gzipped for a downstream that asks (above 16 KB, level
   * 1, off the event loop, as any answer), keeping the gzipped copy for the next downstream that
   * asks for the same batch.
   */
  #sendUpdateData(answer: EncodedAnswer, res: http.ServerResponse, gzip: boolean, done: (bytes: number) => void): void {
    const sendBody = (body: Buffer, gzipped: boolean) => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'cache-control': 'private', vary: 'accept-encoding', ...(gzipped ? { 'content-encoding': 'gzip' } : {}), 'content-length': body.length });
      res.end(body);
      done(answer.plainBytes);
    };
    if (answer.gzipped) return sendBody(answer.body, true);
    if (!gzip || answer.body.length <= gzipAbove) return sendBody(answer.body, false);
    zlib.gzip(answer.body, { level: 1 }, (error, zipped) => {
      if (error) return void res.destroy(error);
      if (answer.gzipKey !== undefined) this.#gzipped.set(answer.gzipKey, { body: zipped, plainBytes: answer.plainBytes });
      sendBody(zipped, true);
    });
  }

  /** Admitted: no gate configured, the shared secret, or a client certificate the configured CA issued. */
  #admitted(req: http.IncomingMessage): boolean {
    const { sharedSecret, clientCa } = this.#options;
    if (sharedSecret === undefined && clientCa === undefined) return true;
    if (clientCa !== undefined && (req.socket as TLSSocket).authorized === true) return true;
    return sharedSecret !== undefined && this.#secretMatches(req.headers.authorization);
  }

  /** The content store, when this site serves content (CatalogOnlySync false). */
  #serveContentDir(): string | undefined {
    return this.#catalogOnlySync() ? undefined : this.#options.contentDir;
  }

  #catalogOnlySync(): boolean {
    if (this.#options.catalogOnlySync !== undefined) return this.#options.catalogOnlySync;
    // Looked at again at most every 30 s: a content request must not list the store each time.
    if (Date.now() - this.#contentChecked.at > 30_000) this.#contentChecked = { at: Date.now(), hasFiles: contentStoreHasFiles(this.#options.contentDir) };
    return !this.#contentChecked.hasFiles;
  }

  async #syncRequest(req: http.IncomingMessage, send: (status: number, body: string, contentType?: string) => void): Promise<void> {
    const policy = this.#options.syncRequestsFrom ?? { parent: undefined };
    if (policy.parent === undefined) return send(403, 'This site is the top of its hierarchy: it takes no sync requests', 'text/plain');
    const credentials = basicCredentials(req.headers.authorization);
    if (policy.secret !== undefined) {
      if (!credentials || credentials.user.toUpperCase() !== policy.parent || !sameSecret(credentials.password, policy.secret)) {
        return send(401, `Sync requests need the credential of the parent site ${policy.parent}`, 'text/plain');
      }
    } else if (!policy.allowUnauthenticated) {
      return send(403, 'No credential for sync requests is set on this site (site add --sync-request-secret), and unauthenticated requests are not allowed', 'text/plain');
    }
    let request: Partial<SyncRequestFile>;
    try {
      request = JSON.parse(await readRequestBody(req, 64 * 1024)) as Partial<SyncRequestFile>;
    } catch (error) {
      return error instanceof RequestBodyTooLarge ? send(413, 'Request too large', 'text/plain') : send(400, 'The sync request is not valid JSON', 'text/plain');
    }
    if (typeof request?.from !== 'string' || !/^[A-Z0-9]{3}$/.test(request.from)) return send(400, 'from must be a site code', 'text/plain');
    if (request.from !== policy.parent) return send(403, `Only the parent site ${policy.parent} may ask this site to sync, not ${request.from}`, 'text/plain');
    writeSyncRequest(this.#options.inbox!, {
      from: request.from,
      catalogVersion: Number(request.catalogVersion) || 0,
      full: request.full === true,
      time: new Date().toISOString(),
    });
    return send(202, 'queued', 'text/plain');
  }

  #secretMatches(header: string | undefined): boolean {
    const credentials = basicCredentials(header);
    return credentials !== undefined && sameSecret(credentials.password, this.#options.sharedSecret!);
  }

  /** The encoded-entry cache's counts and size: what a test or a benchmark reads of it. */
  get encodedCacheFigures(): EncodedCacheFigures {
    return this.#encoded.figures;
  }

  /** The same of the answers kept gzipped. */
  get gzippedAnswerFigures(): KeptAnswers<object>['figures'] {
    return this.#gzipped.figures;
  }

  /** The same of the revision lists kept. */
  get keptListFigures(): KeptAnswers<object>['figures'] {
    return this.#lists.figures;
  }

  #answer(message: RequestMessage, req: http.IncomingMessage, gzip: boolean): ResponseMessage | PagedRevisionList | EncodedAnswer | Promise<EncodedAnswer> {
    const served = this.#options.store.served;
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
          catalogOnlySync: this.#catalogOnlySync(),
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
                  { languageId: allLanguagesEntry.lcid, shortLanguage: allLanguagesEntry.short, longLanguage: allLanguagesEntry.long, enabled: false },
                  ...wsusLanguageTable.map((l) => ({ languageId: l.lcid, shortLanguage: l.short, longLanguage: l.long, enabled: this.#options.languages.includes(l.short) })),
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
          if (serial - 1 > served.maxChangeSeq()) throw new Fault('ServerChanged', 'filter');
          // Per the recordings: Delta=false with an anchor lists everything again; no categories = delta.
          const deltaRequested = [...(filter.categories ?? []), ...(filter.classifications ?? [])];
          sinceSeq = deltaRequested.length === 0 || deltaRequested.some((c) => c.delta) ? serial - 1 : undefined;
        }
        const categories = filter.categories ?? [];
        const classifications = filter.classifications ?? [];
        // [MS-WSUSSS] 3.1.4.5.3.1: categories need at least one classification and vice versa, or the filter matches nothing.
        if (filter.getConfig) return { operation: 'GetRevisionIdList', anchor: anchorText, newRevisions: served.categoryRevisions(sinceSeq) };
        if (categories.length > 0 !== classifications.length > 0) return { operation: 'GetRevisionIdList', anchor: anchorText, newRevisions: [] };
        const query = {
          ...(categories.length > 0 ? { products: categories.map((c) => c.id), classifications: classifications.map((c) => c.id) } : {}),
          ...(sinceSeq !== undefined ? { sinceSeq } : {}),
        };
        return { operation: 'GetRevisionIdList', anchor: anchorText, pages: this.#revisionPages(query) };
      }
      case 'GetUpdateData': {
        this.#checkCookie(message.cookie);
        if (message.updateIds.length === 0 || message.updateIds.length > this.#options.maxUpdatesPerRequest) throw new Fault('InvalidParameters', 'updateIds');
        // One look at the database's data version for the whole answer: an entry kept since an
        // earlier version is checked against its revision before it is served (encoded-revisions.ts).
        const version = served.dataVersion();
        const gzipKey = gzip && this.#gzipped.maxBytes > 0 ? `${version} ${message.updateIds.map((k) => `${k.updateId}/${k.revisionNumber}`).join(' ')}` : undefined;
        const kept = gzipKey === undefined ? undefined : this.#gzipped.get(gzipKey);
        if (kept) return { operation: 'GetUpdateData', body: kept.body, gzipped: true, plainBytes: kept.plainBytes };
        return this.#updateData(message.updateIds, version, gzipKey);
      }
      case 'GetDeployments': {
        // A replica downstream: supsync keeps no target groups, deployments, hidden updates or accepted EULAs.
        this.#checkCookie(message.cookie);
        if (!message.syncAnchor) throw new Fault('InvalidParameters', 'syncAnchor');
        if (message.deploymentAnchor) {
          try {
            parseAnchor(message.deploymentAnchor);
          } catch {
            throw new Fault('InvalidParameters', 'deploymentAnchor');
          }
        }
        return { operation: 'GetDeployments', anchor: this.#anchor(), deadDeployments: [], hiddenUpdates: [], acceptedEulas: [] };
      }
      case 'GetUpdateDecryptionData': {
        // Files of the requested revisions, with no decryption key (supsync holds no encrypted content).
        this.#checkCookie(message.cookie);
        const ids = message.updateIds;
        if (ids === undefined || ids.length > this.#options.maxUpdatesPerRequest) throw new Fault('InvalidParameters', 'updateIds');
        const updates = ids.flatMap((key) => {
          const files = served.revisionFiles(key);
          return files ? [{ ...key, files: files.map((f) => ({ fileDigest: f.digest })) }] : [];
        });
        return { operation: 'GetUpdateDecryptionData', updates };
      }
      case 'GetRelatedRevisionsForUpdates':
        // [MS-WSUSSS] 3.1.4.9: not used by the protocol; the USS MUST ignore it: an empty list.
        return { operation: 'GetRelatedRevisionsForUpdates', revisions: [] };
      case 'DownloadFiles': {
        this.#checkCookie(message.cookie);
        const digests = message.fileDigestList;
        if (digests === undefined || digests.length > 100) throw new Fault('InvalidParameters', 'fileDigestList');
        const missing = served.unknownDigests(digests);
        if (missing.length > 0) throw new Fault('FileDigestsMissing', missing.join('|'));
        // Known files: supsync does not fetch content on a downstream's request; what the site
        // holds is on /Content, what it does not is on Microsoft Update (MUUrl).
        return { operation: 'DownloadFiles' };
      }
      case 'GetDriverIdList':
        // Microsoft Update's driver operations (3.1.4.7): supsync holds no driver sets.
        this.#checkCookie(message.cookie);
        return { operation: 'GetDriverIdList', anchor: this.#anchor(), newRevisions: [], newDriverSets: [], removedDriverSets: [] };
      case 'GetDriverSetData':
        this.#checkCookie(message.cookie);
        return { operation: 'GetDriverSetData', driverSets: [] };
      case 'Ping': {
        const now = new Date();
        return {
          operation: 'Ping',
          successFlag: true,
          servicesTime: formatDateTime(now),
          servicesName: 'supsync SUP endpoint',
          servicesMachine: os.hostname(),
          isHttps: (req.socket as Partial<TLSSocket>).encrypted === true,
          configFileLastModifiedTime: formatDateTime(this.#startedAt),
          configFileNextExpirationTime: formatDateTime(new Date(now.getTime() + 60 * 60_000)),
          configFileExpirationModuloInMinutes: 60,
        };
      }
    }
  }

  /**
   * A revision list's pages: kept ones while the database's data version is the one they were read
   * at (every child of a site asks for the same list, and reading it is most of what a list costs),
   * else read page by page as before and kept once read to the end.
   */
  #revisionPages(query: RevisionQuery): PagedRevisionList['pages'] {
    const key = this.#lists.maxBytes > 0 ? `${this.#options.store.served.dataVersion()} ${JSON.stringify(query)}` : undefined;
    const kept = key === undefined ? undefined : this.#lists.get(key);
    if (kept) return kept;
    const source = this.#options.store.served.updateRevisionPages(query, this.#options.listPageRows);
    if (key === undefined) return source;
    const lists = this.#lists;
    return (async function* () {
      const read: RevisionKey[][] = [];
      for await (const page of source) {
        read.push(page);
        yield page;
      }
      lists.set(key, read);
    })();
  }

  /**
   * GetUpdateData's answer from the entries kept encoded, encoding those not kept. Encoding one
   * takes about a millisecond (inflate, cabinet, base64), so the first child to ask for a batch of
   * 100 would hold the event loop for ~0.1 s: other requests get their turn every 10 ms of it.
   */
  async #updateData(keys: RevisionKey[], version: string, gzipKey: string | undefined): Promise<EncodedAnswer> {
    const pieces: Buffer[] = [updateDataHead];
    const fileUrls = new Map<string, string>();
    let turn = performance.now();
    for (const key of keys) {
      if (performance.now() - turn > 10) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
      const encoded = this.#encodedRevision(key, version);
      // Windows answers an unknown revision with InternalServerError (exchange 000017).
      if (!encoded) throw new Fault('InternalServerError', '');
      for (const [digest, url] of encoded.urls) fileUrls.set(digest, url);
      pieces.push(encoded.entry);
    }
    const urls = [...fileUrls.values()];
    pieces.push(Buffer.from(urls.length > 0 ? updateDataParts.between + urls.join('') + updateDataParts.tail : updateDataParts.noUrls));
    const body = Buffer.concat(pieces);
    return { operation: 'GetUpdateData', body, gzipped: false, plainBytes: body.length, ...(gzipKey !== undefined ? { gzipKey } : {}) };
  }

  /**
   * A revision's GetUpdateData entry, encoded once and kept while the site still holds it unchanged
   * (same change sequence and expiry); `version` is the database's data version read for this answer.
   */
  #encodedRevision(key: RevisionKey, version: string): EncodedRevision | undefined {
    const served = this.#options.store.served;
    const cacheKey = `${key.updateId}/${key.revisionNumber}`;
    const cached = this.#encoded.get(cacheKey, version, () => served.revisionState(key));
    if (cached) return cached;
    const revision = served.revision(key);
    if (!revision) return undefined;
    const encoded: EncodedRevision = {
      entry: utf8(updateDataParts.update({ ...key, fileDigestList: revision.files.map((f) => f.digest), ...this.#blob(key, revision) })),
      urls: revision.files.flatMap((f) => (f.url ? [[f.digest, updateDataParts.url({ fileDigest: f.digest, muUrl: f.url, ussUrl: '' })] as [string, string]] : [])),
      changeSeq: revision.changeSeq,
      expired: revision.expired,
    };
    this.#encoded.set(cacheKey, encoded, version);
    return encoded;
  }

  /**
   * A revision's XML as an entry carries it: a cabinet the site keeps as an upstream sent it goes
   * as it is (checked when it was received); else the XML is compressed above `compressAbove`
   * bytes. An expired revision is marked in its XML, so it is encoded anew.
   */
  #blob(key: RevisionKey, revision: ServedRevision): Pick<ServerSyncUpdateData, 'xmlUpdateBlob' | 'xmlUpdateBlobCompressed'> {
    if (revision.stored.format === 'cabinet' && !revision.expired) return { xmlUpdateBlobCompressed: revision.stored.bytes.toString('base64') };
    const xml = servedXml(storedXmlText(revision.stored, `update ${key.updateId} revision ${key.revisionNumber}`), revision.expired);
    // UTF-8 takes at least a byte a UTF-16 unit: the length decides most documents without a scan.
    const large = xml.length > this.#options.compressAbove || Buffer.byteLength(xml) > this.#options.compressAbove;
    return large ? { xmlUpdateBlobCompressed: encodeUpdateBlob(xml) } : { xmlUpdateBlob: xml };
  }

  #checkCookie(cookie: Cookie | undefined): void {
    // Windows leaves the Message empty (exchange 000019).
    if (!cookie || this.#signer.verify(cookie.encryptedData, 'session') === undefined) throw new Fault('InvalidCookie', '');
  }

  #anchor(): string {
    return formatAnchor({ serial: this.#options.store.served.maxChangeSeq() + 1, time: new Date() });
  }
}

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic (.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const [user = '', ...rest] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
  return { user, password: rest.join(':') };
}

/** Compares secrets in constant time (hashes first, so lengths leak nothing either). */
function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * The UTF-8 bytes of `text` in a buffer of their own: Buffer.from puts short texts into a shared
 * 8 KB slab, which one kept entry would then hold alive whole.
 */
function utf8(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** An expired update is served as Microsoft Update serves one: PublicationState="Expired". */
function servedXml(xml: string, expired: boolean): string {
  return expired ? xml.replace(/PublicationState="[^"]*"/, 'PublicationState="Expired"') : xml;
}
