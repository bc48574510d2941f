/**
 * What every outgoing HTTP client of supsync shares (the WSUS protocol transport, the catalog
 * client, the catalog downloader): the SUP's proxy as hpagent agents, an extra CA bundle read
 * once with an error naming the file, and retry backoff.
 */
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import type { Agents } from 'got';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { InvalidArgumentError, UpstreamError } from '../errors.js';
import type { ProxySettings } from '../model/site.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  limit: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** got agents that send every request through the SUP's proxy (credentials in the proxy URL). */
export function proxyAgents(proxy: ProxySettings): Agents {
  const url = new URL(proxy.url);
  if (proxy.username) url.username = encodeURIComponent(proxy.username);
  if (proxy.password) url.password = encodeURIComponent(proxy.password);
  const options = { keepAlive: true, proxy: url.toString() };
  return { http: new HttpProxyAgent(options), https: new HttpsProxyAgent(options) };
}

/** Reads a PEM bundle of extra certificate authorities; `flag` names the option in the error. */
export function readCaBundle(file: string, flag = '--ca-file'): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new InvalidArgumentError('CaFileUnreadable', `Cannot read the CA bundle ${file} (${flag}): ${(error as Error).message}`, { target: file, cause: error });
  }
}

/** Exponential backoff with ±25% jitter, so retrying clients do not hit a server in step. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new UpstreamError('Aborted', 'Cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new UpstreamError('Aborted', 'Cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A process's cancellation (Ctrl+C, a service stopping), which every request in flight listens on:
 * got adds an abort listener per request and removes it when the request ends. A cascade's syncs,
 * each asking its lists at once and fetching with a window of up to 64 requests, put more than
 * Node's default of ten listeners on it, and Node's leak warning would print on the terminal.
 */
export function cancellation(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
