/**
 * Where a site synchronizes from. The top-level site: Microsoft Update, an upstream WSUS/SUP, or
 * nothing. A child site: its parent's SUP endpoint — the parent's URL when it lives on another
 * machine, or, for a parent in the same home, that parent's database served over loopback for the
 * duration of the sync by the `LocalParentServer` the caller passes (server/local-parent.ts).
 */
import crypto from 'node:crypto';
import { InvalidOperationError } from '../errors.js';
import { type ParentUssState, UpstreamClient } from '../protocol/client.js';
import type { RetryPolicy } from '../protocol/transport.js';
import { type SiteControl, defaultMaxRequestsInFlight, isTopLevel, microsoftUpdateUrl } from '../model/site.js';
import type { Home } from '../store/home.js';
import type { SiteStore } from '../store/site-store.js';

export interface ResolvedUpstream {
  /** Base URL (scheme, host, port). */
  url: string;
  /** What the log and history call it. */
  description: string;
  kind: 'microsoft-update' | 'upstream' | 'parent';
  close(): Promise<void>;
}

/** Serves a parent site of the same home over loopback for the duration of a child's sync. */
export type LocalParentServer = (home: Home, parent: SiteControl) => Promise<{ url: string; close(): Promise<void> }>;

export async function resolveUpstream(home: Home, site: SiteControl, serveLocalParent?: LocalParentServer): Promise<ResolvedUpstream | undefined> {
  const none = async () => undefined;
  if (isTopLevel(site)) {
    const source = site.sup.syncSource;
    if (source.kind === 'none') return undefined;
    if (source.kind === 'microsoft-update') return { url: microsoftUpdateUrl, description: 'Microsoft Update', kind: 'microsoft-update', close: none };
    return { url: source.upstreamUrl!, description: source.upstreamUrl!, kind: 'upstream', close: none };
  }
  if (site.parentUrl) return { url: site.parentUrl, description: `parent ${site.parent} (${site.parentUrl})`, kind: 'parent', close: none };
  if (!site.parent || !home.hasSite(site.parent)) {
    throw new InvalidOperationError('ParentUnreachable', `Site ${site.code} has no reachable parent: ${site.parent ?? '(none)'} is not in this home and no --parent-url was given`, {
      target: site.code,
    });
  }
  const parent = home.site(site.parent);
  if (!serveLocalParent) {
    throw new InvalidOperationError('ParentUnreachable', `Site ${site.code} syncs from ${parent.code} of this home, and this caller cannot serve it (no local parent server given)`, { target: site.code });
  }
  const served = await serveLocalParent(home, parent);
  return { url: served.url, description: `parent ${parent.code} (${parent.serverName})`, kind: 'parent', close: () => served.close() };
}

/** A protocol client for a site's upstream: its identity, its proxy (top-level only), the caller's tuning. */
export function clientFor(
  site: SiteControl,
  upstream: ResolvedUpstream,
  options: { timeoutMs?: number; retry?: RetryPolicy; maxResponseBytes?: number; signal?: AbortSignal; concurrency?: number; initialConcurrency?: number; adaptiveConcurrency?: boolean },
  store?: SiteStore,
): UpstreamClient {
  const identity = downstreamIdentity(site);
  return new UpstreamClient({
    baseUrl: upstream.url,
    ...identity,
    ...(store ? parentStateIn(store, upstream.url, identity) : {}),
    ...(isTopLevel(site) && site.sup.proxy ? { proxy: site.sup.proxy } : {}),
    ...(site.sup.caFile ? { caFile: site.sup.caFile } : {}),
    // The languages selected on the top-level SUP travel as the Languages filter of update lists.
    ...(isTopLevel(site) && site.sup.languageUpdateFiles.length > 0 ? { updateLanguages: site.sup.languageUpdateFiles } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    concurrency: options.concurrency ?? site.sup.maxRequestsInFlight ?? defaultMaxRequestsInFlight,
    ...(options.initialConcurrency !== undefined ? { initialConcurrency: options.initialConcurrency } : {}),
    ...(options.adaptiveConcurrency !== undefined ? { adaptiveConcurrency: options.adaptiveConcurrency } : {}),
  });
}

const parentStateKey = 'parent_uss_state';

interface KeptParentState extends ParentUssState {
  upstreamUrl: string;
  accountGuid: string;
  accountName: string;
}

/**
 * The Parent USS State ([MS-WSUSSS] 3.1.1) a site's syncs keep in its database: one
 * record, for the upstream and identity it was obtained with; another upstream or a renamed server
 * starts afresh. A local parent, served on a new port each time, never matches, so it always does
 * the whole handshake.
 */
function parentStateIn(store: SiteStore, upstreamUrl: string, identity: { accountName: string; accountGuid: string }): { parentState?: ParentUssState } {
  const kept = store.meta.readJson<KeptParentState>(parentStateKey);
  if (kept?.upstreamUrl !== upstreamUrl || kept.accountGuid !== identity.accountGuid || kept.accountName !== identity.accountName) return {};
  const { dssUrl, cookie, roundTripMs } = kept;
  return { parentState: { ...(dssUrl !== undefined ? { dssUrl } : {}), ...(cookie ? { cookie } : {}), ...(roundTripMs !== undefined ? { roundTripMs } : {}) } };
}

/** Keeps what a sync's client holds of its upstream for the next sync (written only when it changed). */
export function keepParentState(store: SiteStore, site: SiteControl, upstreamUrl: string, client: UpstreamClient): void {
  const record = JSON.stringify({ ...client.parentState, upstreamUrl, ...downstreamIdentity(site) } satisfies KeptParentState);
  if (store.meta.read(parentStateKey) !== record) store.meta.write(parentStateKey, record);
}

/** The identity a site presents to its upstream (accountName, accountGuid). */
export function downstreamIdentity(site: SiteControl): { accountName: string; accountGuid: string } {
  const h = crypto.createHash('sha1').update(`supsync:${site.code}:${site.createdAt}`).digest('hex');
  return { accountName: site.serverName, accountGuid: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}` };
}
