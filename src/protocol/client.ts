/**
 * The [MS-WSUSSS] client: the call order of BRIEF §3 (GetAuthConfig → DSS GetAuthorizationCookie
 * → GetCookie → GetConfigData → GetRevisionIdList → GetUpdateData), cookie lifetime (refreshed
 * before expiry, re-authentication on InvalidCookie / InvalidAuthorizationCookie), GetUpdateData in
 * batches of at most MaxNumberOfUpdatesPerRequest with several batches in flight.
 */
import { SoapFaultError, UpstreamError } from '../errors.js';
import type { RevisionKey, UpdateMetadata } from '../model/update.js';
import { decodeUpdateBlob } from './cab/index.js';
import {
  buildRequest,
  parseResponse,
  type Cookie,
  type GetConfigDataResponse,
  type GetRevisionIdListResponse,
  type RequestMessage,
  type ResponseOf,
  type ServerSyncFilter,
  type ServerSyncUpdateData,
  type ServerSyncUrlData,
} from './soap/index.js';
import { SoapTransport, type SoapReply, type TransportOptions, isServerBusyFault } from './transport.js';
import { parseUpdateXml } from './update-xml.js';

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
}

export interface FetchedBatch {
  updates: UpdateMetadata[];
  fileUrls: ServerSyncUrlData[];
  bytes: number;
}

export class UpstreamClient {
  readonly baseUrl: string;
  readonly #options: UpstreamClientOptions;
  readonly #transport: SoapTransport;
  #cookie: Cookie | undefined;
  #cookieExpires = 0;
  #config: GetConfigDataResponse | undefined;

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
    if (!this.#config) this.#config = await this.#withCookie((cookie) => this.#call({ operation: 'GetConfigData', cookie }));
    return this.#config;
  }

  async getRevisionIdList(filter: ServerSyncFilter): Promise<GetRevisionIdListResponse> {
    return this.#withCookie((cookie) => this.#call({ operation: 'GetRevisionIdList', cookie, filter }));
  }

  /** One GetUpdateData call (at most MaxNumberOfUpdatesPerRequest ids), blobs decoded and parsed. */
  async getUpdateData(ids: RevisionKey[], languages?: string[]): Promise<FetchedBatch> {
    const before = this.#transport.bytesReceived;
    const response = await this.#withCookie((cookie) => this.#call({ operation: 'GetUpdateData', cookie, updateIds: ids }));
    const urls = new Map(response.fileUrls.map((u) => [u.fileDigest, u.muUrl]));
    const updates = response.updates.map((data) => {
      const update = parseUpdateXml(blobXml(data), `update ${data.updateId} revision ${data.revisionNumber}`, languages ? { languages } : {});
      for (const file of update.files) {
        const url = urls.get(file.digest);
        if (url) file.url = url;
      }
      return update;
    });
    return { updates, fileUrls: response.fileUrls, bytes: this.#transport.bytesReceived - before };
  }

  /**
   * Fetches many revisions in batches of the server's limit, `concurrency` batches in flight,
   * handing each batch to `onBatch` in completion order (the caller stores it); `last` is true for
   * the batch that completes the set, so the caller can commit an anchor with it.
   */
  async fetchUpdates(ids: RevisionKey[], onBatch: (batch: FetchedBatch, last: boolean) => void | Promise<void>, languages?: string[]): Promise<void> {
    const { maxNumberOfUpdatesPerRequest } = await this.config();
    const size = Math.max(1, maxNumberOfUpdatesPerRequest || 100);
    const batches: RevisionKey[][] = [];
    for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
    let next = 0;
    let done = 0;
    let failed: unknown;
    const worker = async () => {
      while (next < batches.length && failed === undefined) {
        const batch = batches[next++]!;
        try {
          const fetched = await this.getUpdateData(batch, languages);
          if (failed !== undefined) return;
          await onBatch(fetched, ++done === batches.length);
        } catch (error) {
          failed ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#options.concurrency ?? 4, batches.length) }, worker));
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

  async #call<M extends RequestMessage>(message: M, url?: string): Promise<ResponseOf<M['operation']>> {
    const request = buildRequest(message);
    const target = url ?? `${this.baseUrl}${request.path}`;
    const reply: SoapReply = await this.#transport.post(target, request.soapAction, request.body, isServerBusyFault);
    try {
      return parseResponse(message.operation, reply.body) as ResponseOf<M['operation']>;
    } catch (error) {
      if (error instanceof SoapFaultError || reply.status < 300) throw error;
      throw new UpstreamError('UpstreamHttpError', `${target} answered HTTP ${reply.status} to ${message.operation}`, { target, cause: error });
    }
  }
}

/** The update XML of a GetUpdateData entry, plain or decompressed. */
export function blobXml(data: ServerSyncUpdateData): string {
  const target = `update ${data.updateId} revision ${data.revisionNumber}`;
  if (data.xmlUpdateBlobCompressed) return decodeUpdateBlob(data.xmlUpdateBlobCompressed, target);
  if (data.xmlUpdateBlob !== undefined) return data.xmlUpdateBlob;
  throw new UpstreamError('UpstreamBlobMissing', `The upstream sent ${target} without update XML`, { target, category: 'ProtocolError' });
}
