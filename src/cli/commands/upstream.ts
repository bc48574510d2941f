/** `upstream test` and `upstream get-update`: diagnostics against an upstream server. */
import crypto from 'node:crypto';
import os from 'node:os';
import { InvalidArgumentError } from '../../errors.js';
import { canonicalGuid } from '../../model/update.js';
import { UpstreamClient } from '../../protocol/client.js';
import { parseHttpUrl } from '../../model/site.js';
import { type CommandHandler, stringArg } from '../context.js';

/** A diagnostic client: this machine's name and a throw-away identity, not a site's (sync/upstream.ts builds those). */
function diagnosticClient(args: Record<string, unknown>, signal: AbortSignal): UpstreamClient {
  const url = parseHttpUrl(String(args.url), '--url').origin;
  const caFile = stringArg(args, 'caFile');
  return new UpstreamClient({
    baseUrl: url,
    accountName: os.hostname().toLowerCase(),
    accountGuid: crypto.randomUUID(),
    signal,
    timeoutMs: 60_000,
    retry: { limit: 1, baseDelayMs: 500, maxDelayMs: 2000 },
    ...(caFile ? { caFile } : {}),
  });
}

export const upstreamTest: CommandHandler<'upstream.test'> = async ({ args, emit, signal }) => {
  const client = diagnosticClient(args, signal);
  const started = Date.now();
  const config = await client.config();
  const categories = await client.getRevisionIdList({ getConfig: true });
  emit({
    type: 'SupSync.UpstreamTest',
    Url: client.baseUrl,
    ProtocolVersion: config.protocolVersion ?? null,
    MaxNumberOfUpdatesPerRequest: config.maxNumberOfUpdatesPerRequest,
    LazySync: config.lazySync,
    CatalogOnlySync: config.catalogOnlySync,
    CategoryRevisions: categories.newRevisions.length,
    EnabledLanguages: config.languages.filter((l) => l.enabled).map((l) => l.shortLanguage),
    Milliseconds: Date.now() - started,
  });
};

export const upstreamGetUpdate: CommandHandler<'upstream.get-update'> = async ({ args, emit, signal }) => {
  const updateId = canonicalGuid(String(args.updateId));
  if (!updateId) throw new InvalidArgumentError('InvalidUpdateId', `--update-id '${args.updateId}' is not a GUID`, { target: '--update-id' });
  const revision = Number(args.revision);
  if (!Number.isInteger(revision) || revision < 0) throw new InvalidArgumentError('InvalidArgument', `--revision must be a non-negative whole number, got ${args.revision}`, { target: '--revision' });
  const client = diagnosticClient(args, signal);
  const { updates } = await client.getUpdateData([{ updateId, revisionNumber: revision }]);
  for (const update of updates) {
    const { xml, ...parsed } = update;
    emit({ type: 'SupSync.UpstreamUpdate', ...parsed, xmlBytes: Buffer.byteLength(xml) });
  }
};
