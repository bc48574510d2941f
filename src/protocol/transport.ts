/**
 * SOAP over HTTP(S) with got: timeouts on every request (minutes: Microsoft Update takes that long
 * to compute and send a large revision list), retries with backoff for transient failures
 * (ServerBusy, 5xx without a permanent fault, resets, timeouts), a bound on the response size,
 * HTTPS verified against what the operating system trusts plus an optional CA bundle (an
 * untrusted chain is reported with the certificate and the remedy), and an HTTP proxy.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import got, { type Agents, RequestError } from 'got';
import { UpstreamError } from '../errors.js';
import { type RetryPolicy, backoffDelay, proxyAgents, sleep } from '../net/http.js';
import { LinkEstimate } from '../net/link.js';
import { isUntrustedChainError, trustedCertificates, untrustedChainError } from '../net/trust.js';
import type { ProxySettings } from '../model/site.js';

export type { RetryPolicy } from '../net/http.js';

export interface TransportOptions {
  /** Per request, from connect to the last byte (default 5 minutes; a call may ask for longer). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  maxResponseBytes?: number;
  proxy?: ProxySettings;
  /** PEM file of extra certificate authorities to trust. */
  caFile?: string;
  signal?: AbortSignal;
  userAgent?: string;
}

export const defaultRetry: RetryPolicy = { limit: 4, baseDelayMs: 500, maxDelayMs: 8000 };
/** Every call but a revision list. */
export const defaultTimeoutMs = 5 * 60_000;
/** A revision list: Microsoft Update's answer for one product can be tens of MB and take minutes. */
export const defaultListTimeoutMs = 20 * 60_000;

export interface SoapReply {
  status: number;
  /** The answer's bytes. */
  raw: Buffer;
  /** The answer as text, decoded on first use (a sync hands the bytes to its parse worker instead). */
  readonly body: string;
  bytes: number;
}

/** HTTP statuses worth retrying: the server may answer next time. */
const transientStatuses = new Set([408, 429, 500, 502, 503, 504]);
const transientCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'ERR_GOT_REQUEST_ERROR']);

export class SoapTransport {
  readonly #options: Required<Pick<TransportOptions, 'timeoutMs' | 'retry' | 'maxResponseBytes'>> & TransportOptions;
  readonly #agent: Agents | undefined;
  readonly #ca: string[];
  bytesReceived = 0;
  /** HTTP requests sent (retries included): each costs a round trip. */
  requests = 0;
  /** Answers that came gzipped. */
  gzippedAnswers = 0;
  /** The link to the upstream as measured, which decides whether answers are asked gzipped. */
  readonly link: LinkEstimate;

  constructor(options: TransportOptions = {}, lastRoundTripMs?: number) {
    this.#options = { timeoutMs: defaultTimeoutMs, retry: defaultRetry, maxResponseBytes: 512 * 1024 * 1024, ...options };
    this.link = new LinkEstimate(lastRoundTripMs);
    this.#agent = options.proxy ? proxyAgents(options.proxy) : undefined;
    this.#ca = trustedCertificates(options.caFile);
  }

  /**
   * POSTs a SOAP body. Returns the reply for 2xx and for 500 answers that carry a SOAP fault
   * (the caller parses the fault); retries transient failures; throws UpstreamError otherwise.
   * `isTransientFault` tells whether a fault body is worth retrying (ServerBusy). `retry` replaces
   * the transport's policy for this call (a fetch window retries its batches itself).
   */
  async post(url: string, soapAction: string, body: string, isTransientFault: (reply: SoapReply) => boolean, timeoutMs?: number, retry = this.#options.retry): Promise<SoapReply> {
    for (let attempt = 0; ; attempt++) {
      let failure: UpstreamError;
      try {
        const reply = await this.#once(url, soapAction, body, timeoutMs ?? this.#options.timeoutMs);
        const isFault = reply.status === 500 && reply.body.includes('Fault');
        if (reply.status >= 200 && reply.status < 300) return reply;
        if (isFault && !isTransientFault(reply)) return reply;
        failure = new UpstreamError('UpstreamHttpError', `${url} answered HTTP ${reply.status}${isFault ? ' with a transient fault' : ''}`, {
          target: url,
          transient: isFault || transientStatuses.has(reply.status),
          data: { status: reply.status },
        });
        if (isFault && attempt >= retry.limit) return reply; // let the caller raise the typed fault
      } catch (error) {
        if (error instanceof UpstreamError) failure = error;
        else throw error;
      }
      if (!failure.transient || attempt >= retry.limit || this.#options.signal?.aborted) throw failure;
      await sleep(backoffDelay(retry, attempt), this.#options.signal);
    }
  }

  async #once(url: string, soapAction: string, body: string, timeoutMs: number): Promise<SoapReply> {
    const max = this.#options.maxResponseBytes;
    this.requests++;
    const request = got.post(url, {
      body,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: soapAction,
        'user-agent': this.#options.userAgent ?? 'supsync',
        // identity: plain answers, which on loopback or a LAN are cheaper than gzip's CPU (net/link.ts).
        'accept-encoding': this.link.acceptsGzip ? 'gzip' : 'identity',
      },
      throwHttpErrors: false,
      // Bytes, not text: a sync hands them to its parse worker undecoded.
      responseType: 'buffer',
      retry: { limit: 0 },
      // A dead connection fails in 30 s; a live one may take its time.
      timeout: { connect: 30_000, secureConnect: 30_000, request: timeoutMs },
      followRedirect: false,
      // Inflated here (off the event loop), so the bytes on the wire are known.
      decompress: false,
      ...(this.#agent ? { agent: this.#agent } : {}),
      https: { certificateAuthority: this.#ca },
      ...(this.#options.signal ? { signal: this.#options.signal } : {}),
    });
    request.on('downloadProgress', (progress) => {
      if (progress.transferred > max) request.cancel(`response over ${max} bytes`);
    });
    try {
      const response = await request;
      if (response.timings.phases.firstByte !== undefined) this.link.record(response.timings.phases.firstByte);
      const encoding = response.headers['content-encoding']?.toLowerCase();
      if (encoding !== undefined && encoding !== 'identity' && encoding !== 'gzip') {
        throw new UpstreamError('UpstreamHttpError', `${url} answered in the content encoding ${encoding}, which supsync does not ask for`, { target: url, category: 'ProtocolError' });
      }
      const raw = encoding === 'gzip' ? await gunzip(url, response.body, max) : response.body;
      if (encoding === 'gzip') this.gzippedAnswers++;
      this.bytesReceived += raw.length;
      let text: string | undefined;
      return {
        status: response.statusCode,
        raw,
        get body() {
          return (text ??= raw.toString('utf8'));
        },
        bytes: raw.length,
      };
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      if (request.isCanceled && !this.#options.signal?.aborted) {
        throw new UpstreamError('UpstreamResponseTooLarge', `${url} sent more than ${max} bytes; refused`, { target: url, category: 'LimitsExceeded' });
      }
      if (this.#options.signal?.aborted) throw new UpstreamError('Aborted', `The request to ${url} was cancelled`, { target: url, cause: error });
      const code = error instanceof RequestError ? error.code : undefined;
      if (isUntrustedChainError(code)) throw await untrustedChainError(url, code!, error, this.#agent !== undefined);
      const timeout = code === 'ETIMEDOUT' || (error as Error).name === 'TimeoutError';
      throw new UpstreamError(timeout ? 'UpstreamTimeout' : 'UpstreamUnreachable', `${url}: ${timeout ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (error as Error).message}`, {
        target: url,
        transient: timeout || (code !== undefined && transientCodes.has(code)),
        category: timeout ? 'OperationTimeout' : 'ConnectionError',
        cause: error,
      });
    }
  }
}

const inflate = promisify(zlib.gunzip);

/** A gzipped answer inflated (no more than `max` bytes of it: a small answer may inflate to gigabytes). */
async function gunzip(url: string, body: Buffer, max: number): Promise<Buffer> {
  try {
    return await inflate(body, { maxOutputLength: max });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new UpstreamError(tooLarge ? 'UpstreamResponseTooLarge' : 'UpstreamHttpError', tooLarge ? `${url} sent an answer that inflates to more than ${max} bytes; refused` : `${url} sent a damaged gzip answer: ${(error as Error).message}`, {
      target: url,
      category: tooLarge ? 'LimitsExceeded' : 'ProtocolError',
      transient: !tooLarge,
      cause: error,
    });
  }
}

/** True for a fault body the spec calls transient: ServerBusy in detail/ErrorCode or in the fault string. */
export function isServerBusyFault(reply: SoapReply): boolean {
  return /<(?:[\w.-]+:)?(?:ErrorCode|faultstring)\b[^>]*>[^<]*\bServerBusy\b/.test(reply.body);
}

