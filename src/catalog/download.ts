/**
 * Downloads the files the catalog's download dialog lists. Every URL (and every redirect) must
 * pass the download policy (https, Microsoft download hosts); names are made safe; bytes land in
 * `<name>.partial` and are renamed to `<name>` only after the SHA-1 (and SHA-256 when given)
 * digest matched, so a file under its real name is always complete and verified.
 *
 * An interrupted download keeps its `.partial` and resumes with a Range request; a server that
 * ignores the range restarts it from zero. A resumed file whose digest does not match is
 * downloaded once more from zero (the two halves may come from different builds of the file);
 * a fresh download that does not match fails and leaves nothing behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import got, { type Agents, RequestError } from 'got';
import { InvalidDataError, IoError, SupsyncError, UpstreamError } from '../errors.js';
import { type RetryPolicy, backoffDelay, proxyAgents, readCaBundle, sleep } from '../net/http.js';
import type { ProxySettings } from '../model/site.js';
import { safeFileName } from '../model/file-name.js';
import { checkDownloadUrl, upgradeToHttps } from './download-policy.js';

export interface DownloadTarget {
  url: string;
  /** As the catalog names it; made safe before use. */
  fileName: string;
  /** Base64 SHA-1. */
  digest?: string;
  /** Base64 SHA-256. */
  sha256?: string;
}

export interface DownloaderOptions {
  proxy?: ProxySettings;
  /** PEM bundle of extra certificate authorities for download hosts (tests: a loopback server's self-signed certificate). */
  caFile?: string;
  /** Hosts allowed besides Microsoft's download hosts (`host:port`); see download-policy. */
  extraAllowedHosts?: readonly string[];
  /** Idle time allowed while connecting or between received bytes. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Refuse files larger than this. */
  maxBytes?: number;
  signal?: AbortSignal;
  onRetry?: (error: SupsyncError, attempt: number, delayMs: number) => void;
}

export interface DownloadedFile {
  /** The safe local name. */
  fileName: string;
  path: string;
  size: number;
  /** Base64 SHA-1 and SHA-256 of the file as stored. */
  sha1: string;
  sha256: string;
  url: string;
  /** Already present and verified: nothing was fetched. */
  reused: boolean;
  /** Continued from a `.partial` left by an earlier run. */
  resumed: boolean;
}

export const partialSuffix = '.partial';
export const defaultDownloadRetry: RetryPolicy = { limit: 4, baseDelayMs: 1000, maxDelayMs: 15_000 };

const transientStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);
const transientCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EPROTO', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_GOT_REQUEST_ERROR']);

/** Why one attempt stopped, and whether the `.partial` it leaves is worth resuming. */
class AttemptFailed extends Error {
  constructor(
    readonly error: SupsyncError,
    readonly keepPartial: boolean,
  ) {
    super(error.message);
  }
}

export class Downloader {
  readonly #options: Required<Pick<DownloaderOptions, 'timeoutMs' | 'retry' | 'maxBytes'>> & DownloaderOptions;
  readonly #agent: Agents | undefined;
  readonly #ca: Buffer | undefined;

  constructor(options: DownloaderOptions = {}) {
    this.#options = { timeoutMs: 60_000, retry: defaultDownloadRetry, maxBytes: 64 * 1024 ** 3, ...options };
    this.#agent = options.proxy ? proxyAgents(options.proxy) : undefined;
    this.#ca = options.caFile ? readCaBundle(options.caFile, '--download-ca') : undefined;
  }

  /** The URL to fetch for a target, or the policy's refusal. */
  checkUrl(url: string): URL {
    return checkDownloadUrl(upgradeToHttps(url), this.#options.extraAllowedHosts ? { extraAllowedHosts: this.#options.extraAllowedHosts } : {});
  }

  /** Downloads one file into `dir` (created when missing) and verifies it. */
  async download(target: DownloadTarget, dir: string): Promise<DownloadedFile> {
    const url = this.checkUrl(target.url);
    if (target.digest === undefined && target.sha256 === undefined) {
      throw new InvalidDataError('DownloadDigestMissing', `The catalog gives no digest for ${target.fileName}; it cannot be verified, so it is not downloaded`, { target: target.url });
    }
    const fileName = safeFileName(target.fileName);
    const finalPath = path.join(dir, fileName);
    const partialPath = `${finalPath}${partialSuffix}`;
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new IoError('ContentDirectoryFailed', `Cannot create the content directory ${dir}: ${(error as Error).message}`, { target: dir, cause: error });
    }

    const existing = await verifiedFile(finalPath, target);
    if (existing) return { fileName, path: finalPath, ...existing, url: url.href, reused: true, resumed: false };
    // A file under the final name that does not verify is not ours to trust.
    fs.rmSync(finalPath, { force: true });

    const { retry, signal } = this.#options;
    let resumed = false;
    let restartedAfterMismatch = false;
    for (let attempt = 0; ; attempt++) {
      const offset = fileSize(partialPath);
      resumed ||= offset > 0;
      try {
        const digests = await this.#attempt(url, partialPath, offset);
        const problem = digestProblem(digests, target);
        if (problem === undefined) {
          fs.renameSync(partialPath, finalPath);
          return { fileName, path: finalPath, size: digests.size, sha1: digests.sha1, sha256: digests.sha256, url: url.href, reused: false, resumed };
        }
        fs.rmSync(partialPath, { force: true });
        const mismatch = new InvalidDataError('DownloadDigestMismatch', `${url.href}: ${problem}; the file was discarded`, { target: url.href });
        if (offset === 0 || restartedAfterMismatch) throw mismatch;
        restartedAfterMismatch = true;
        attempt--; // a restart after a resumed mismatch is not a network retry
        continue;
      } catch (thrown) {
        if (thrown instanceof SupsyncError) throw thrown;
        if (!(thrown instanceof AttemptFailed)) {
          throw new IoError('DownloadWriteFailed', `Cannot write ${finalPath}: ${(thrown as Error).message}`, { target: finalPath, cause: thrown });
        }
        const { error, keepPartial } = thrown;
        if (!keepPartial) fs.rmSync(partialPath, { force: true });
        const transient = error instanceof UpstreamError && error.transient;
        if (!transient || attempt >= retry.limit || signal?.aborted) throw error;
        const delay = backoffDelay(retry, attempt);
        this.#options.onRetry?.(error, attempt + 1, delay);
        await sleep(delay, signal);
      }
    }
  }

  /** One request: appends to the `.partial` from `offset` (or restarts it) and returns the digests of the whole file. */
  async #attempt(url: URL, partialPath: string, offset: number): Promise<{ size: number; sha1: string; sha256: string }> {
    const { timeoutMs, maxBytes, signal } = this.#options;
    const stream = got.stream(url, {
      headers: { 'user-agent': 'supsync', ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) },
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { connect: timeoutMs, secureConnect: timeoutMs, response: timeoutMs, socket: timeoutMs },
      decompress: false, // the digest is over the bytes as published
      maxRedirects: 5,
      hooks: {
        beforeRedirect: [
          (options) => {
            // Every hop must be a download host too: a redirect is upstream data like the URL itself.
            this.checkUrl(String(options.url));
          },
        ],
      },
      ...(this.#agent ? { agent: this.#agent } : {}),
      ...(this.#ca ? { https: { certificateAuthority: this.#ca } } : {}),
      ...(signal ? { signal } : {}),
    });
    let status: number;
    let contentRange: string | undefined;
    try {
      const response = await new Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
      });
      status = response.statusCode;
      contentRange = typeof response.headers['content-range'] === 'string' ? response.headers['content-range'] : undefined;
    } catch (error) {
      stream.destroy();
      throw this.#attemptError(url, error, true);
    }

    if (status === 416 && offset > 0) {
      // Nothing left past the offset: the partial may already be whole; the digest decides.
      stream.destroy();
      return hashExisting(partialPath);
    }
    if (status !== 200 && status !== 206) {
      stream.destroy();
      throw new AttemptFailed(
        new UpstreamError('DownloadHttpError', `${url.href} answered HTTP ${status}`, { target: url.href, transient: transientStatuses.has(status), data: { status } }),
        true,
      );
    }
    // Resume only when the server continued exactly where the partial ends; else start over.
    const append = status === 206 && offset > 0 && new RegExp(`^bytes ${offset}-`).test(contentRange ?? '');
    if (status === 206 && !append) {
      stream.destroy();
      throw new AttemptFailed(new UpstreamError('DownloadRangeMismatch', `${url.href} answered a range other than the one asked for`, { target: url.href, transient: true }), false);
    }
    const hasher = new DigestStream(maxBytes, url.href);
    if (append) await hasher.prime(partialPath);
    const sink = fs.createWriteStream(partialPath, { flags: append ? 'a' : 'w' });
    try {
      await pipeline(stream, hasher, sink);
    } catch (error) {
      // The file opens asynchronously: wait until it is closed, or removing the partial could race its creation.
      if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
      if (error instanceof SupsyncError) throw new AttemptFailed(error, false);
      throw this.#attemptError(url, error, true);
    }
    return hasher.result();
  }

  #attemptError(url: URL, error: unknown, keepPartial: boolean): AttemptFailed | SupsyncError {
    if (error instanceof SupsyncError) return error; // a refused redirect
    const inner = error instanceof RequestError && error.cause instanceof SupsyncError ? error.cause : undefined;
    if (inner) return inner;
    if (this.#options.signal?.aborted) return new UpstreamError('Aborted', `The download of ${url.href} was cancelled`, { target: url.href, cause: error });
    const code = error instanceof RequestError ? error.code : (error as NodeJS.ErrnoException).code;
    const timeout = code === 'ETIMEDOUT' || (error as Error).name === 'TimeoutError';
    return new AttemptFailed(
      new UpstreamError(timeout ? 'DownloadTimeout' : 'DownloadFailed', `${url.href}: ${timeout ? `no data for ${this.#options.timeoutMs} ms` : (error as Error).message}`, {
        target: url.href,
        transient: timeout || (code !== undefined && transientCodes.has(code)),
        category: timeout ? 'OperationTimeout' : 'ConnectionError',
        cause: error,
      }),
      keepPartial,
    );
  }
}

/** Hashes what passes through (after the bytes already on disk), refusing more than `max` bytes in all. */
class DigestStream extends Transform {
  readonly #sha1 = crypto.createHash('sha1');
  readonly #sha256 = crypto.createHash('sha256');
  readonly #max: number;
  readonly #source: string;
  #size = 0;

  constructor(max: number, source: string) {
    super();
    this.#max = max;
    this.#source = source;
  }

  /** Feeds the bytes of the partial file being continued. */
  async prime(file: string): Promise<void> {
    for await (const chunk of fs.createReadStream(file)) this.#add(chunk as Buffer);
  }

  #add(chunk: Buffer): void {
    this.#sha1.update(chunk);
    this.#sha256.update(chunk);
    this.#size += chunk.length;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#size + chunk.length > this.#max) {
      callback(new InvalidDataError('DownloadTooLarge', `${this.#source} is larger than ${this.#max} bytes; refused`, { target: this.#source }));
      return;
    }
    this.#add(chunk);
    callback(null, chunk);
  }

  result(): { size: number; sha1: string; sha256: string } {
    return { size: this.#size, sha1: this.#sha1.digest('base64'), sha256: this.#sha256.digest('base64') };
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

async function hashExisting(file: string): Promise<{ size: number; sha1: string; sha256: string }> {
  const hasher = new DigestStream(Number.MAX_SAFE_INTEGER, file);
  await hasher.prime(file);
  return hasher.result();
}

/** The file's digests when it exists and matches the target; undefined otherwise. */
async function verifiedFile(file: string, target: DownloadTarget): Promise<{ size: number; sha1: string; sha256: string } | undefined> {
  if (!fs.existsSync(file)) return undefined;
  const digests = await hashExisting(file);
  return digestProblem(digests, target) === undefined ? digests : undefined;
}

function digestProblem(digests: { sha1: string; sha256: string }, target: DownloadTarget): string | undefined {
  if (target.digest !== undefined && digests.sha1 !== target.digest) return `SHA-1 ${digests.sha1} does not match the catalog's ${target.digest}`;
  if (target.sha256 !== undefined && digests.sha256 !== target.sha256) return `SHA-256 ${digests.sha256} does not match the catalog's ${target.sha256}`;
  return undefined;
}
