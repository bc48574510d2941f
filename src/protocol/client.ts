/**
 * The [MS-WSUSSS] client: the call order of BRIEF §3 (GetAuthConfig → DSS GetAuthorizationCookie
 * → GetCookie → GetConfigData → GetRevisionIdList → GetUpdateData), cookie lifetime (refreshed
 * before expiry, re-authentication on InvalidCookie / InvalidAuthorizationCookie), GetUpdateData in
 * batches of at most MaxNumberOfUpdatesPerRequest, as many in flight as an adaptive window allows.
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
import { SoapTransport, type SoapReply, type TransportOptions, defaultListTimeoutMs, defaultRetry, isServerBusyFault } from './transport.js';
import { type RetryPolicy, backoffDelay } from '../net/http.js';
import type { LinkEstimate } from '../net/link.js';
import { RequestWindow, type WindowStats } from '../net/window.js';
import { type StorableUpdateData, type UpdateData, readStorableUpdateData, readUpdateDataResponse } from './update-data.js';

/** The highest version [MS-WSUSSS] 1.7 defines (WSUS 10.0); Microsoft Update answers 1.21 in GetConfigData. */
export const protocolVersion = '1.20';
/** The fetch window retries its batches itself, within the window, so the transport must not. */
const noRetry: RetryPolicy = { limit: 0, baseDelayMs: 0, maxDelayMs: 0 };
/** Refresh a cookie this long before it expires, so a batch never starts with a dying cookie. */
const cookieRefreshMarginMs = 5 * 60_000;

export interface UpstreamClientOptions extends TransportOptions {
  /** Base URL of the upstream server: scheme, host and port (e.g. http://wsus:8530). */
  baseUrl: string;
  /** This server's name and identity, as a downstream server presents them. */
  accountName: string;
  accountGuid: string;
  /** The bound on GetUpdateData requests in flight at once (default 16): what the upstream can bear. */
  concurrency?: number;
  /** Requests in flight at first (default half of `concurrency`); the window grows from there while throughput rises. */
  initialConcurrency?: number;
  /** False: always `concurrency` requests in flight (no growth, no halving). Default true. */
  adaptiveConcurrency?: boolean;
  /** Timeout of a GetRevisionIdList call (default 20 minutes, or timeoutMs when that is given). */
  listTimeoutMs?: number;
  /**
   * Update languages this server keeps (short names, e.g. `en`): sent as the update lists'
   * Languages filter, as a protocol 1.3+ DSS should ([MS-WSUSSS] 3.1.4.5.3.1). None: no filter.
   */
  updateLanguages?: string[];
  /**
   * What the last sync kept of its upstream (the "Parent USS State" of [MS-WSUSSS] 3.1.1, which a
   * cookie's Expiration bounds, 3.2.4.1): its cookie, used while it has not expired, which saves the whole
   * handshake (three round trips), and the DSS URL GetAuthConfig named, which saves GetAuthConfig
   * when a new cookie is needed; either is dropped when the upstream refuses it. And the least
   * round trip it measured, which decides gzip until this client has measured its own.
   */
  parentState?: ParentUssState;
}

/** The upstream state a downstream keeps between syncs (`UpstreamClient.parentState` after a sync). */
export interface ParentUssState {
  dssUrl?: string;
  cookie?: Cookie;
  roundTripMs?: number;
}

export interface FetchedBatch extends UpdateData {
  bytes: number;
}

/**
 * What a client's fetches did: the request window's figures, HTTP requests sent (retries included),
 * bytes received (decompressed), answers that came gzipped and the least round trip measured.
 */
export type FetchStats = WindowStats & { httpRequests: number; bytes: number; gzippedAnswers: number; roundTripMs?: number };

/** A batch fetched for storing: the updates' XML already in its stored form. */
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
  /** One window for all of this client's fetches, so what the categories phase learned carries over. */
  readonly #window: RequestWindow;
  #authenticating: Promise<void> | undefined;
  /** The DSS URL of the upstream's GetAuthConfig: remembered from the last sync, or learned here. */
  #dssUrl: string | undefined;

  constructor(options: UpstreamClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#options = options;
    this.#dssUrl = options.parentState?.dssUrl;
    const remembered = options.parentState?.cookie;
    // [MS-WSUSSS] 3.2.4.1: a DSS must not use an expired cookie; one that expires within the refresh margin is not taken either.
    if (remembered && Date.parse(remembered.expiration) > Date.now() + cookieRefreshMarginMs) {
      this.#cookie = remembered;
      this.#cookieExpires = Date.parse(remembered.expiration);
    }
    this.#transport = new SoapTransport(options, options.parentState?.roundTripMs);
    this.#window = new RequestWindow({
      ...(options.concurrency !== undefined ? { max: options.concurrency } : {}),
      ...(options.initialConcurrency !== undefined ? { initial: options.initialConcurrency } : {}),
      ...(options.adaptiveConcurrency !== undefined ? { adaptive: options.adaptiveConcurrency } : {}),
    });
  }

  get bytesReceived(): number {
    return this.#transport.bytesReceived;
  }

  /** The state to keep for the next sync to this upstream: the DSS URL, the cookie, the round trip (as far as known). */
  get parentState(): ParentUssState {
    const roundTripMs = this.#transport.link.roundTripMs;
    return {
      ...(this.#dssUrl !== undefined ? { dssUrl: this.#dssUrl } : {}),
      ...(this.#cookie ? { cookie: this.#cookie } : {}),
      ...(roundTripMs !== undefined ? { roundTripMs } : {}),
    };
  }

  /** What this client measured of its link to the upstream (and so whether it asks for gzip). */
  get link(): LinkEstimate {
    return this.#transport.link;
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
    for (const revisionNumber of revisions) {
      try {
        let bytes = 0;
        const parsed = await this.#withCookie((cookie) =>
          this.#call({ operation: 'GetUpdateData', cookie, updateIds: [{ updateId, revisionNumber }] }, undefined, (reply) => {
            bytes = reply.bytes;
            return this.#parseForStoring(reply.raw, languages);
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

  /**
   * Starts the parse worker of this client's fetches, for a fetch large enough to pay for it: its
   * thread's start and warm-up cost ~0.1 CPU-s (measured on a sync of 50 updates and 150
   * categories), as much as reading those 200 revisions. Until it is started, fetches read their
   * answers in the calling thread; once started, it serves every later fetch of this client.
   */
  prepareFetch(): void {
    if (!this.#parser || this.#parser.stopped) this.#parser = new UpdateDataParser();
  }

  /** Reads a GetUpdateData answer for storing: in the parse worker if one was started (another if it stopped), else here. */
  #parseForStoring(raw: Buffer, languages?: readonly string[]): Promise<StorableUpdateData> {
    if (!this.#parser) return Promise.resolve(readStorableUpdateData(raw.toString('utf8'), languages));
    this.prepareFetch();
    return this.#parser.parse(raw, languages);
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
   * Fetches many revisions for storing, read by the parse worker if one was started (prepareFetch),
   * handing each batch to `onBatch` in completion order (the caller stores it); `last` is true for
   * the batch that completes the set, so the caller can commit an anchor with it.
   *
   * The client's request window (src/net/window.ts) decides how many batches are in flight. On
   * loopback or a LAN the batches start at 10 revisions (the parse worker, slow while cold, gets
   * its first answer sooner, and a short delta is not one long wait) and double with each answer
   * up to the server's MaxNumberOfUpdatesPerRequest; across a WAN (net/link.ts) they start at that
   * size. The window judges throughput only once they are at full size. A sign of overload (ServerBusy, 5xx, a timeout, a reset) halves
   * the window and the batch size, holds every new request for the back-off delay, and sends the
   * batch again — at most the retry policy's limit of times — within the smaller window.
   */
  async fetchUpdates(ids: RevisionKey[], onBatch: (batch: StorableBatch, last: boolean) => void | Promise<void>, languages?: string[]): Promise<void> {
    const { maxNumberOfUpdatesPerRequest } = await this.config();
    const limit = Math.max(1, maxNumberOfUpdatesPerRequest || 100);
    const retry = this.#options.retry ?? defaultRetry;
    const window = this.#window;
    // Across a WAN the first answer costs a round trip anyway (time enough for the parse worker to
    // warm up), and each doubling of a small first batch would cost another: full batches at once,
    // and at least half the bound in flight (where a smaller first window was asked for), which
    // covers the bandwidth-delay product of a 20 Mbit/s link at 200 ms or 100 Mbit/s at 80 ms
    // (0.5-1 MB, 4-8 gzipped answers of 100 updates) and reaches the bound in one doubling.
    const wan = this.#transport.link.crossesWan === true;
    if (wan) window.startAt(Math.ceil(window.max / 2));
    let size = wan ? limit : Math.min(10, limit);
    let cursor = 0;
    let stored = 0;
    let failed: unknown;
    const again: { ids: RevisionKey[]; attempt: number }[] = [];
    const running = new Set<Promise<void>>();
    const send = async (batch: { ids: RevisionKey[]; attempt: number }, started: number) => {
      try {
        let bytes = 0;
        const parsed = await this.#withCookie((cookie) =>
          this.#call(
            { operation: 'GetUpdateData', cookie, updateIds: batch.ids },
            undefined,
            (reply) => {
              bytes = reply.bytes;
              return this.#parseForStoring(reply.raw, languages);
            },
            undefined,
            noRetry,
          ),
        );
        if (failed === undefined) {
          stored += batch.ids.length;
          await onBatch({ ...parsed, bytes }, stored === ids.length);
        }
        // Released after storing: a store that cannot keep up shows as throughput that stops rising.
        window.complete(bytes, batch.ids.length >= limit || cursor >= ids.length);
        size = Math.min(limit, size * 2);
      } catch (error) {
        const overload = error instanceof UpstreamError && error.transient && error.code !== 'Aborted';
        if (overload && batch.attempt < retry.limit && failed === undefined) {
          if (window.overloaded(started, backoffDelay(retry, batch.attempt))) size = Math.max(1, Math.floor(size / 2));
          again.push({ ids: batch.ids, attempt: batch.attempt + 1 });
        } else {
          window.abandon();
          failed ??= error;
        }
      }
    };
    while (failed === undefined) {
      if (again.length === 0 && cursor >= ids.length) {
        if (running.size === 0) break;
        await Promise.race(running);
        continue;
      }
      const started = await window.acquire(this.#options.signal);
      if (failed !== undefined) {
        window.abandon();
        break;
      }
      // Only this loop takes batches, so what was there before acquire is still there.
      const batch = again.shift() ?? { ids: ids.slice(cursor, (cursor += size)), attempt: 0 };
      const request: Promise<void> = send(batch, started).finally(() => running.delete(request));
      running.add(request);
    }
    await Promise.all(running);
    if (failed !== undefined) throw failed;
  }

  /** What the fetches of this client did: the request window's figures and the HTTP requests sent. */
  fetchStats(): FetchStats {
    const roundTripMs = this.#transport.link.roundTripMs;
    return {
      ...this.#window.stats(),
      httpRequests: this.#transport.requests,
      bytes: this.#transport.bytesReceived,
      gzippedAnswers: this.#transport.gzippedAnswers,
      ...(roundTripMs !== undefined ? { roundTripMs } : {}),
    };
  }

  /** Runs a call with a valid cookie, re-authenticating once when the server refuses the cookie. */
  async #withCookie<T>(call: (cookie: Cookie) => Promise<T>): Promise<T> {
    if (!this.#cookie || Date.now() > this.#cookieExpires - cookieRefreshMarginMs) await this.#sharedAuthentication(this.#cookie);
    const used = this.#cookie;
    try {
      return await call(this.#cookie!);
    } catch (error) {
      if (error instanceof SoapFaultError && (error.faultCode === 'InvalidCookie' || error.faultCode === 'InvalidAuthorizationCookie')) {
        // Another call in flight may have got a new cookie already. Otherwise the protocol restarts
        // from the beginning, as [MS-WSUSSS] 2.2.9.3 says: GetAuthConfig too, not a remembered DSS URL.
        // A refused cookie is not kept for the next sync, even if the handshake fails now.
        if (this.#cookie === used) {
          this.#cookie = undefined;
          this.#dssUrl = undefined;
        }
        if (!this.#cookie) await this.#sharedAuthentication(undefined);
        return call(this.#cookie!);
      }
      throw error;
    }
  }

  /** One handshake for all the calls in flight that need a cookie at once. */
  #sharedAuthentication(oldCookie: Cookie | undefined): Promise<void> {
    this.#authenticating ??= this.#authenticate(oldCookie).finally(() => (this.#authenticating = undefined));
    return this.#authenticating;
  }

  /**
   * The handshake; with `oldCookie` a refresh (GetCookie accepts the old one). With a DSS URL
   * remembered from the last sync it starts at GetAuthorizationCookie; if that URL fails, the
   * handshake starts again from GetAuthConfig.
   */
  async #authenticate(oldCookie: Cookie | undefined): Promise<void> {
    this.#transport.link.forgetLast();
    let authCookie: ResponseOf<'GetAuthorizationCookie'> | undefined;
    if (this.#dssUrl !== undefined) {
      try {
        authCookie = await this.#authorizationCookie(this.#dssUrl);
      } catch (error) {
        if (error instanceof UpstreamError && error.code === 'Aborted') throw error;
        this.#dssUrl = undefined;
      }
    }
    if (!authCookie) {
      const authConfig = await this.#call({ operation: 'GetAuthConfig' });
      const plugIn = authConfig.authInfo.find((p) => p.plugInID === 'DssTargeting') ?? authConfig.authInfo[0];
      if (!plugIn) throw new UpstreamError('UpstreamNoAuthPlugIn', `${this.baseUrl} offers no authorization plug-in in GetAuthConfig`, { target: this.baseUrl, category: 'ProtocolError' });
      this.#dssUrl = new URL(plugIn.serviceUrl.replace(/^\/+/, ''), `${this.baseUrl}/`).toString();
      authCookie = await this.#authorizationCookie(this.#dssUrl);
    }
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

  #authorizationCookie(dssUrl: string): Promise<ResponseOf<'GetAuthorizationCookie'>> {
    return this.#call({ operation: 'GetAuthorizationCookie', accountName: this.#options.accountName, accountGuid: this.#options.accountGuid }, dssUrl);
  }

  /** Posts a message and reads the answer (`read` replaces the ordinary parse, e.g. in the parse worker). */
  async #call<M extends RequestMessage, R = ResponseOf<M['operation']>>(message: M, url?: string, read?: (reply: SoapReply) => Promise<R>, timeoutMs?: number, retry?: RetryPolicy): Promise<R> {
    const request = buildRequest(message);
    const target = url ?? `${this.baseUrl}${request.path}`;
    const reply: SoapReply = await this.#transport.post(target, request.soapAction, request.body, isServerBusyFault, timeoutMs, retry);
    try {
      return read ? await read(reply) : (parseResponse(message.operation, reply.body) as R);
    } catch (error) {
      if (error instanceof SoapFaultError || reply.status < 300) throw error;
      throw new UpstreamError('UpstreamHttpError', `${target} answered HTTP ${reply.status} to ${message.operation}`, { target, cause: error });
    }
  }
}
