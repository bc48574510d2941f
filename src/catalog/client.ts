/**
 * The HTTP client of the Microsoft Update Catalog: search (paged through `&p=N` up to the
 * catalog's 1000-result cap), update details and the download dialog. Requests carry a fixed
 * Accept-Language (en-US), so dates come in one known culture, which the parsers are told.
 *
 * The catalog is flaky: it answers with its error page, with an empty results table or with
 * nothing at all, and times out. Those are retried with exponential backoff up to a bound, then
 * surface as an error the caller reports for that one update. A bounded number of requests is
 * in flight at once, whatever the number of callers.
 */
import got, { type Agents, RequestError } from 'got';
import { InvalidArgumentError, UpstreamError } from '../errors.js';
import { type RetryPolicy, backoffDelay, proxyAgents, sleep } from '../net/http.js';
import { Limiter } from '../net/limiter.js';
import type { ProxySettings } from '../model/site.js';
import {
  type CatalogDownloadDialog,
  type CatalogSearchResult,
  type CatalogUpdateDetails,
  catalogPageSize,
  catalogResultCap,
  parseDetailsPage,
  parseDownloadDialog,
  parseSearchPage,
} from './pages.js';

export const defaultCatalogUrl = 'https://www.catalog.update.microsoft.com';
/** The culture every request asks for, and the parsers read dates in. */
export const catalogAcceptLanguage = 'en-US';
/** 1000 results in pages of 25: the catalog serves no page after the 40th. */
export const catalogMaxPages = Math.ceil(catalogResultCap / catalogPageSize);
export const defaultCatalogRetry: RetryPolicy = { limit: 4, baseDelayMs: 1000, maxDelayMs: 15_000 };

export interface CatalogClientOptions {
  /** Scheme, host and optional path prefix of the catalog (a mirror, a proxy, a test server). */
  baseUrl?: string;
  /** The SUP's proxy. */
  proxy?: ProxySettings;
  /** Per request. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Requests in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
  maxResponseBytes?: number;
  /** Told about every retry (for logs). */
  onRetry?: (error: UpstreamError, attempt: number, delayMs: number) => void;
}

export interface CatalogSearch {
  query: string;
  /** Every result of every page read, each update once. */
  results: CatalogSearchResult[];
  /** As the catalog counts them (at most the cap). */
  totalCount: number;
  pagesRead: number;
  /** The 1000-result cap cut the answer: more updates match than the catalog returns. */
  capped: boolean;
}

/** Statuses worth retrying: the catalog may answer next time. */
const transientStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Network failures worth retrying (TLS handshakes the catalog drops show up as resets and EPROTO). */
const transientCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'EPROTO', 'ERR_GOT_REQUEST_ERROR']);

interface CatalogRequest {
  url: string;
  method: 'GET' | 'POST';
  form?: Record<string, string>;
  /** What errors call it. */
  source: string;
}

export class CatalogClient {
  readonly baseUrl: string;
  readonly #options: Required<Pick<CatalogClientOptions, 'timeoutMs' | 'retry' | 'maxResponseBytes'>> & CatalogClientOptions;
  readonly #limiter: Limiter;
  readonly #agent: Agents | undefined;
  /** Requests sent, retries included. */
  requests = 0;
  retries = 0;

  constructor(options: CatalogClientOptions = {}) {
    this.baseUrl = catalogBaseUrl(options.baseUrl ?? defaultCatalogUrl);
    this.#options = { timeoutMs: 30_000, retry: defaultCatalogRetry, maxResponseBytes: 32 * 1024 * 1024, ...options };
    this.#limiter = new Limiter(options.concurrency ?? 4);
    this.#agent = options.proxy ? proxyAgents(options.proxy) : undefined;
  }

  /**
   * Every result for a query, page by page until the last page or the catalog's 40th. The same
   * update on two pages (results shift while paging) is kept once.
   */
  async search(query: string): Promise<CatalogSearch> {
    const results = new Map<string, CatalogSearchResult>();
    let totalCount = 0;
    let capped = false;
    let page = 1;
    for (; ; page++) {
      const url = `${this.baseUrl}/Search.aspx?q=${encodeURIComponent(query)}${page > 1 ? `&p=${page}` : ''}`;
      const answer = await this.#fetch({ url, method: 'GET', source: url }, (body, source) => {
        const parsed = parseSearchPage(body, { acceptLanguage: catalogAcceptLanguage, source });
        // The catalog sometimes serves the results table with no rows and no "no results" text.
        if (parsed.results.length === 0 && parsed.totalCount !== 0) throw emptyAnswer(source, 'a results table without rows');
        return parsed;
      });
      for (const result of answer.results) if (!results.has(result.updateId)) results.set(result.updateId, result);
      totalCount = Math.max(totalCount, answer.totalCount ?? 0);
      capped ||= answer.capped;
      if (!answer.hasNextPage || page >= catalogMaxPages) break;
    }
    return { query, results: [...results.values()], totalCount: Math.max(totalCount, results.size), pagesRead: page, capped };
  }

  /** `ScopedViewInline.aspx?updateid=`: an unknown update is a CatalogPageError `CatalogNotFound`. */
  async details(updateId: string): Promise<CatalogUpdateDetails> {
    const url = `${this.baseUrl}/ScopedViewInline.aspx?updateid=${encodeURIComponent(updateId)}`;
    return this.#fetch({ url, method: 'GET', source: url }, (body, source) => {
      const details = parseDetailsPage(body, { acceptLanguage: catalogAcceptLanguage, source });
      if (details.title === '') throw emptyAnswer(source, 'an empty update title');
      return details;
    });
  }

  /** `DownloadDialog.aspx` for one update: its files, URLs and digests. */
  async downloadDialog(updateId: string): Promise<CatalogDownloadDialog> {
    const updateIDs = JSON.stringify([{ size: 0, languages: '', uidInfo: updateId, updateID: updateId }]);
    const url = `${this.baseUrl}/DownloadDialog.aspx`;
    return this.#fetch({ url, method: 'POST', form: { updateIDs }, source: `${url} for update ${updateId}` }, (body, source) => {
      const dialog = parseDownloadDialog(body, { source });
      if (dialog.updateId !== undefined && dialog.updateId !== updateId) {
        throw new UpstreamError('CatalogWrongUpdate', `${source} answered for update ${dialog.updateId}, not ${updateId}`, { target: source, category: 'ProtocolError' });
      }
      return dialog;
    });
  }

  /** One logical request: retried while the failure is transient and the bound allows. */
  async #fetch<T>(request: CatalogRequest, parse: (body: string, source: string) => T): Promise<T> {
    const { retry, signal } = this.#options;
    const { source } = request;
    for (let attempt = 0; ; attempt++) {
      let failure: UpstreamError;
      try {
        const body = await this.#limiter.run(() => this.#once(request));
        if (body.trim() === '') throw emptyAnswer(source, 'an empty body');
        return parse(body, source);
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        failure = error;
      }
      if (!failure.transient || attempt >= retry.limit || signal?.aborted) {
        if (attempt === 0 || !failure.transient) throw failure;
        throw new UpstreamError(failure.code, `${failure.message} (gave up after ${attempt + 1} attempts)`, {
          target: failure.target ?? source,
          transient: true,
          category: failure.category,
          cause: failure,
          data: { ...failure.data, attempts: attempt + 1 },
        });
      }
      const delay = backoffDelay(retry, attempt);
      this.retries++;
      this.#options.onRetry?.(failure, attempt + 1, delay);
      await sleep(delay, signal);
    }
  }

  async #once(request: CatalogRequest): Promise<string> {
    const { timeoutMs, maxResponseBytes, signal } = this.#options;
    const origin = new URL(this.baseUrl).origin;
    this.requests++;
    const pending = got(request.url, {
      method: request.method,
      ...(request.form ? { form: request.form } : {}),
      headers: { 'accept-language': catalogAcceptLanguage, 'user-agent': 'supsync' },
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: timeoutMs },
      // The catalog redirects to its own error page; never anywhere else.
      maxRedirects: 5,
      hooks: {
        beforeRedirect: [
          (options) => {
            const target = options.url instanceof URL ? options.url : new URL(String(options.url));
            if (target.origin !== origin) {
              throw new UpstreamError('CatalogRedirectRefused', `${request.url} redirected to ${target.origin}, outside the catalog ${origin}; refused`, {
                target: request.url,
                category: 'ProtocolError',
              });
            }
          },
        ],
      },
      decompress: true,
      ...(this.#agent ? { agent: this.#agent } : {}),
      ...(signal ? { signal } : {}),
    });
    pending.on('downloadProgress', (progress) => {
      if (progress.transferred > maxResponseBytes) pending.cancel(`response over ${maxResponseBytes} bytes`);
    });
    try {
      const response = await pending;
      if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
      throw new UpstreamError('CatalogHttpError', `${request.url} answered HTTP ${response.statusCode}`, {
        target: request.url,
        transient: transientStatuses.has(response.statusCode),
        data: { status: response.statusCode },
      });
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      const cause = error instanceof RequestError && error.cause instanceof UpstreamError ? error.cause : undefined;
      if (cause) throw cause; // a refused redirect, thrown from the hook
      if (pending.isCanceled && !signal?.aborted) {
        throw new UpstreamError('CatalogResponseTooLarge', `${request.url} sent more than ${maxResponseBytes} bytes; refused`, { target: request.url, category: 'LimitsExceeded' });
      }
      if (signal?.aborted) throw new UpstreamError('Aborted', `The request to ${request.url} was cancelled`, { target: request.url, cause: error });
      const code = error instanceof RequestError ? error.code : undefined;
      const timeout = code === 'ETIMEDOUT' || (error as Error).name === 'TimeoutError';
      throw new UpstreamError(timeout ? 'CatalogTimeout' : 'CatalogUnreachable', `${request.url}: ${timeout ? `no answer within ${timeoutMs} ms` : (error as Error).message}`, {
        target: request.url,
        transient: timeout || (code !== undefined && transientCodes.has(code)),
        category: timeout ? 'OperationTimeout' : 'ConnectionError',
        cause: error,
      });
    }
  }
}

/** The catalog's base URL as given (http or https), without a trailing slash. */
export function catalogBaseUrl(text: string, flag = '--catalog-url'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('InvalidUrl', `${flag} '${text}' is not a valid URL (expected e.g. ${defaultCatalogUrl})`, { target: flag });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('InvalidUrl', `${flag} '${text}' must use http or https, not ${url.protocol.replace(':', '')}`, { target: flag });
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new InvalidArgumentError('InvalidUrl', `${flag} '${text}' must be a base URL, without credentials, query or fragment`, { target: flag });
  }
  return url.toString().replace(/\/+$/, '');
}

/** A transient "the catalog answered, but with nothing usable" failure. */
function emptyAnswer(source: string, what: string): UpstreamError {
  return new UpstreamError('CatalogEmptyAnswer', `${source} came back with ${what}; the catalog does this intermittently`, {
    target: source,
    transient: true,
    category: 'ResourceUnavailable',
  });
}
