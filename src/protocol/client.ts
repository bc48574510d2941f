/**
 * The [MS-WSUSSS] client: the call order of BRIEF §3 (GetAuthConfig → DSS GetAuthorizationCookie
 * → GetCookie → GetConfigData → GetRevisionIdList → GetUpdateData), cookie lifetime (refreshed
 * before expiry, re-authentication on InvalidCookie / InvalidAuthorizationCookie), GetUpdateData in
 * batches of at most MaxNumberOfUpdatesPerRequest with several batches in flight.
 */
import { SoapFaultError, UpstreamError } from '../errors.js';
import type { RevisionKey } from '../model/update.js';
import { UpdateDataParser } from './parse-pool.js';
import {
  buildRequest,
  parseResponse,
  type Cookie,
  type GetConfigDataRequest,
  type GetConfigDataResponse,
  type GetRevisionIdListResponse,
  type RequestMessage,
  type ResponseOf,
  type ServerSyncFilter,
} from './soap/index.js';
import { lcidOf } from './languages.js';
import { SoapTransport, type SoapReply, type TransportOptions, defaultListTimeoutMs, isServerBusyFault } from './transport.js';
import { type StorableUpdateData, type UpdateData, readUpdateDataResponse } from './update-data.js';

/** The highest version [MS-WSUSSS] 1.7 defines (WSUS 10.0); Microsoft Update answers 1.21 in GetConfigData. */
export const protocolVersion = '1.20';
/** Refresh a cookie this long before it expires, so a batch never starts with a dying cookie. */
const cookieRefreshMarginMs = 5 * 60_000;

export interface UpstreamClientOptions extends TransportOptions {
  /** Base URL of the upstream server: scheme, host and port (e.g. http://wsus:8530). */
  baseUrl: string;
  /** This server's name and identity, as a downstream server presents them. */
  accountName: string;
  accountGuid: string;
  /** GetUpdateData requests in flight at once. */
  concurrency?: number;
  /** Timeout of a GetRevisionIdList call (default 20 minutes, or timeoutMs when that is given). */
  listTimeoutMs?: number;
  /**
   * Update languages this server keeps (short names, e.g. `en`): sent as the update lists'
   * Languages filter, as a protocol 1.3+ DSS should ([MS-WSUSSS] 3.1.4.5.3.1). None: no filter.
   */
  updateLanguages?: string[];
}

export interface FetchedBatch extends UpdateData {
  bytes: number;
}

/** A batch fetched for storing: the updates' XML already deflated. */
export interface StorableBatch extends StorableUpdateData {
  bytes: number;
}

export class UpstreamClient {
  readonly baseUrl: string;
  readonly #options: UpstreamClientOptions;
  readonly #transport: SoapTransport;
  #cookie: Cookie | undefined;
  #cookieExpires = 0;
  #config: GetConfigDataResponse | undefined;
  #parser: UpdateDataParser | undefined;

  constructor(options: UpstreamClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#options = options;
    this.#transport = new SoapTransport(options);
  }

  get bytesReceived(): number {
    return this.#transport.bytesReceived;
  }

  /** The server configuration (GetConfigData), read once per client. */
  async config(): Promise<GetConfigDataResponse> {
    this.#config ??= await this.#withCookie((cookie) => this.#call<GetConfigDataRequest>({ operation: 'GetConfigData', cookie }));
    return this.#config;
  }

  /**
   * GetRevisionIdList. The filter gets Get63LanguageOnly=false (required from protocol 1.2 on; this
   * client keeps up to 511 languages) and, for update lists, the Languages this server keeps.
   */
  async getRevisionIdList(filter: ServerSyncFilter): Promise<GetRevisionIdListResponse> {
    const full: ServerSyncFilter = { ...filter, get63LanguageOnly: filter.get63LanguageOnly ?? false };
    const lcids = (this.#options.updateLanguages ?? []).map(lcidOf).filter((l): l is number => l !== undefined);
    if (!filter.getConfig && filter.languages === undefined && lcids.length > 0) full.languages = lcids.map((id) => ({ id, delta: filter.anchor !== undefined }));
    const timeout = this.#options.listTimeoutMs ?? this.#options.timeoutMs ?? defaultListTimeoutMs;
    return this.#withCookie((cookie) => this.#call({ operation: 'GetRevisionIdList', cookie, filter: full }, undefined, undefined, timeout));
  }

  /**
   * Fetches one update whose revision is not known for sure, as Microsoft's sync library does:
   * GetUpdateData for the id with each candidate revision in turn (descending), until the
   * upstream has one. Undefined when none of them exists upstream; other failures throw.
   */
  async probeUpdate(updateId: string, revisions: number[], languages?: string[]): Promise<StorableBatch | undefined> {
    const parser = this.prepareFetch();
    for (const revisionNumber of revisions) {
      try {
        let bytes = 0;
        const parsed = await this.#withCookie((cookie) =>
          this.#call({ operation: 'GetUpdateData', cookie, updateIds: [{ updateId, revisionNumber }] }, undefined, (reply) => {
            bytes = reply.bytes;
            return parser.parse(reply.raw, languages);
          }),
        );
        if (parsed.updates.length > 0) return { ...parsed, bytes };
      } catch (error) {
        // Windows answers an unknown revision with InternalServerError (exchange 000017).
        if (!(error instanceof SoapFaultError) || !['InternalServerError', 'InvalidParameters'].includes(error.faultCode)) throw error;
      }
    }
    return undefined;
  }

  /** Starts the parse worker of fetchUpdates ahead of the first fetch (it takes tens of milliseconds to load). */
  prepareFetch(): UpdateDataParser {
    if (!this.#parser || this.#parser.stopped) this.#parser = new UpdateDataParser();
    return this.#parser;
  }

  /** Stops the parse worker, if one was started. */
  async close(): Promise<void> {
    await this.#parser?.close();
    this.#parser = undefined;
  }

  /** One GetUpdateData call (at most MaxNumberOfUpdatesPerRequest ids), blobs decoded and parsed. */
  async getUpdateData(ids: RevisionKey[], languages?: string[]): Promise<FetchedBatch> {
    let bytes = 0;
    const data = await this.#withCookie((cookie) =>
      this.#call({ operation: 'GetUpdateData', cookie, updateIds: ids }, undefined, async (reply) => {
        bytes = reply.bytes;
        return readUpdateDataResponse(reply.body, languages);
      }),
    );
    return { ...data, bytes };
  }

  /**
   * Fetches many revisions for storing, in batches of the server's limit, `concurrency` batches in
   * flight, read and deflated by a parse worker, handing each batch to `onBatch` in completion
   * order (the caller stores it); `last` is true for the batch that completes the set, so the
   * caller can commit an anchor with it.
   */
  async fetchUpdates(ids: RevisionKey[], onBatch: (batch: StorableBatch, last: boolean) => void | Promise<void>, languages?: string[]): Promise<void> {
    const { maxNumberOfUpdatesPerRequest } = await this.config();
    const limit = Math.max(1, maxNumberOfUpdatesPerRequest || 100);
    // The first requests are smaller (10, 20, 40 … up to the limit): the parse worker, several
    // times slower while cold, gets its first answer sooner, and a short delta is not one long wait.
    const batches: RevisionKey[][] = [];
    for (let i = 0, size = Math.min(10, limit); i < ids.length; i += size, size = Math.min(size * 2, limit)) batches.push(ids.slice(i, i + size));
    let next = 0;
    let done = 0;
    let failed: unknown;
    const parser = this.prepareFetch();
    const lane = async () => {
      while (next < batches.length && failed === undefined) {
        const batch = batches[next++]!;
        try {
          let bytes = 0;
          const parsed = await this.#withCookie((cookie) =>
            this.#call({ operation: 'GetUpdateData', cookie, updateIds: batch }, undefined, (reply) => {
              bytes = reply.bytes;
              return parser.parse(reply.raw, languages);
            }),
          );
          if (failed !== undefined) return;
          await onBatch({ ...parsed, bytes }, ++done === batches.length);
        } catch (error) {
          failed ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#options.concurrency ?? 4, batches.length) }, lane));
    if (failed !== undefined) throw failed;
  }

  /** Runs a call with a valid cookie, re-authenticating once when the server refuses the cookie. */
  async #withCookie<T>(call: (cookie: Cookie) => Promise<T>): Promise<T> {
    if (!this.#cookie || Date.now() > this.#cookieExpires - cookieRefreshMarginMs) await this.#authenticate(this.#cookie);
    try {
      return await call(this.#cookie!);
    } catch (error) {
      if (error instanceof SoapFaultError && (error.faultCode === 'InvalidCookie' || error.faultCode === 'InvalidAuthorizationCookie')) {
        await this.#authenticate(undefined);
        return call(this.#cookie!);
      }
      throw error;
    }
  }

  /** The handshake; with `oldCookie` a refresh (GetCookie accepts the old one). */
  async #authenticate(oldCookie: Cookie | undefined): Promise<void> {
    const authConfig = await this.#call({ operation: 'GetAuthConfig' });
    const plugIn = authConfig.authInfo.find((p) => p.plugInID === 'DssTargeting') ?? authConfig.authInfo[0];
    if (!plugIn) throw new UpstreamError('UpstreamNoAuthPlugIn', `${this.baseUrl} offers no authorization plug-in in GetAuthConfig`, { target: this.baseUrl, category: 'ProtocolError' });
    const dssUrl = new URL(plugIn.serviceUrl.replace(/^\/+/, ''), `${this.baseUrl}/`).toString();
    const authCookie = await this.#call(
      { operation: 'GetAuthorizationCookie', accountName: this.#options.accountName, accountGuid: this.#options.accountGuid },
      dssUrl,
    );
    const { cookie } = await this.#call({
      operation: 'GetCookie',
      authCookies: [{ plugInId: authCookie.plugInId, cookieData: authCookie.cookieData }],
      ...(oldCookie ? { oldCookie } : {}),
      protocolVersion,
    });
    this.#cookie = cookie;
    const expires = Date.parse(cookie.expiration);
    // A server clock far off from ours must not make us refresh on every call.
    this.#cookieExpires = Number.isFinite(expires) && expires > Date.now() + 2 * cookieRefreshMarginMs ? expires : Date.now() + 60 * 60_000;
  }

  /** Posts a message and reads the answer (`read` replaces the ordinary parse, e.g. in the parse worker). */
  async #call<M extends RequestMessage, R = ResponseOf<M['operation']>>(message: M, url?: string, read?: (reply: SoapReply) => Promise<R>, timeoutMs?: number): Promise<R> {
    const request = buildRequest(message);
    const target = url ?? `${this.baseUrl}${request.path}`;
    const reply: SoapReply = await this.#transport.post(target, request.soapAction, request.body, isServerBusyFault, timeoutMs);
    try {
      return read ? await read(reply) : (parseResponse(message.operation, reply.body) as R);
    } catch (error) {
      if (error instanceof SoapFaultError || reply.status < 300) throw error;
      throw new UpstreamError('UpstreamHttpError', `${target} answered HTTP ${reply.status} to ${message.operation}`, { target, cause: error });
    }
  }
}
