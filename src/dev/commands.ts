/**
 * The development entry point's commands (dev/main.ts): `catalog serve`, a local stand-in for the
 * Microsoft Update Catalog, and `catalog import` as the product's, plus the two options that point
 * downloads at that stand-in's https file server on loopback; `sync` as the product's, plus
 * transport tuning (short timeouts and retries, a small response bound) so the upstream fault
 * campaign ends each fault in seconds. None of this is in the product's command spec, the module
 * or the docs.
 */
import fs from 'node:fs';
import { Downloader } from '../catalog/download.js';
import { boundedNumber, catalogImportHandler } from '../cli/commands/catalog.js';
import type { AnyCommandHandler, CommandContext, CommandHandler } from '../cli/context.js';
import { listArg, stringArg } from '../cli/context.js';
import { handlers } from '../cli/commands/index.js';
import { syncHandler } from '../cli/commands/sync.js';
import type { CliProgram } from '../cli/run.js';
import { commandSpec } from '../cli/spec.js';
import { catalogCommands } from '../cli/spec-catalog.js';
import { siteParam } from '../cli/spec-params.js';
import type { CommandSpec } from '../cli/spec-types.js';
import { InvalidArgumentError } from '../errors.js';
import { normalizeSiteCode } from '../model/site.js';
import { defaultRetry } from '../protocol/transport.js';
import type { RunningServer } from '../server/listen.js';
import { openSiteStore } from '../store/site-store.js';
import { CatalogFileServer, CatalogServer } from './catalog-server.js';

const productImport = catalogCommands.find((c) => c.id === 'catalog.import')!;
const productSync = commandSpec.find((c) => c.id === 'sync')!;

export const devCommands: CommandSpec[] = [
  {
    ...productSync,
    params: [
      ...productSync.params,
      { flag: 'timeout-ms', type: 'number', range: { min: 1, max: 3_600_000, integer: true }, description: 'Timeout of each request to the upstream, in milliseconds.', ps: false },
      { flag: 'retry-limit', type: 'number', range: { min: 0, max: 10, integer: true }, description: 'Retries of a transient upstream failure.', ps: false },
      { flag: 'retry-delay-ms', type: 'number', range: { min: 0, max: 60_000, integer: true }, description: 'First retry delay in milliseconds (doubled each retry).', ps: false },
      { flag: 'max-response-bytes', type: 'number', range: { min: 1024, max: 536_870_912, integer: true }, description: 'Largest answer taken from the upstream.', ps: false },
    ],
  },
  {
    ...productImport,
    params: [
      ...productImport.params,
      { flag: 'allow-download-host', type: 'string[]', description: 'A loopback host:port also allowed for downloads (the https file server of catalog serve).', ps: false },
      { flag: 'download-ca', type: 'string', description: 'A PEM bundle trusted for downloads (the self-signed certificate of a loopback file server).', ps: false },
    ],
  },
  {
    id: 'catalog.serve',
    words: ['catalog', 'serve'],
    summary: "Serves a local Microsoft Update Catalog for a site's updates.",
    description:
      "Serves Search.aspx, ScopedViewInline.aspx and DownloadDialog.aspx in the catalog's real markup for the updates of the site's database, so imports can be tried on loopback. With --files-cert and --files-key, a second server serves stand-in files over https (the download dialog points at it; pass its host to catalog import with --allow-download-host and the certificate with --download-ca). Runs until interrupted.",
    changesState: false,
    outputTypes: ['SupSync.CatalogEndpoint'],
    params: [
      siteParam('The site whose updates the catalog shows.'),
      { flag: 'host', type: 'string', description: 'Address to listen on (default 127.0.0.1).', ps: false },
      { flag: 'port', type: 'number', description: 'Port of the catalog pages (default 0: a free one).', ps: false },
      { flag: 'files-port', type: 'number', description: 'Port of the https file server (default 0: a free one).', ps: false },
      { flag: 'files-cert', type: 'string', description: 'PEM certificate of the https file server.', ps: false },
      { flag: 'files-key', type: 'string', description: 'PEM private key for --files-cert.', ps: false },
    ],
    ps: false,
  },
];

/** `--allow-download-host` never widens the allow-list to real hosts: loopback only. */
function checkLoopbackHost(host: string): void {
  const parsed = URL.canParse(`https://${host}`) ? new URL(`https://${host}`) : undefined;
  const loopback = parsed !== undefined && parsed.host === host.toLowerCase() && (/^127\.\d+\.\d+\.\d+$/.test(parsed.hostname) || parsed.hostname === '[::1]' || parsed.hostname === 'localhost');
  if (!loopback) {
    throw new InvalidArgumentError('DownloadHostNotLoopback', `--allow-download-host "${host}" must be a loopback host:port (e.g. 127.0.0.1:8443)`, { target: '--allow-download-host' });
  }
}

/** The product's `catalog import` arguments plus the two loopback download options. */
type DevImportArgs = Parameters<CommandHandler<'catalog.import'>>[0]['args'] & { allowDownloadHost?: string[]; downloadCa?: string };

const catalogImport = (context: CommandContext<DevImportArgs>) => {
  const hosts = listArg(context.args, 'allowDownloadHost') ?? [];
  for (const host of hosts) checkLoopbackHost(host);
  const caFile = stringArg(context.args, 'downloadCa');
  if (caFile !== undefined && !fs.existsSync(caFile)) throw new InvalidArgumentError('CaFileUnreadable', `--download-ca ${caFile} does not exist`, { target: '--download-ca' });
  return catalogImportHandler((options) => new Downloader({ ...options, extraAllowedHosts: hosts, ...(caFile !== undefined ? { caFile } : {}) }))(context);
};

type ServeArgs = { site: string; host?: string; port?: number; filesPort?: number; filesCert?: string; filesKey?: string };

const catalogServe = async ({ home, args, emit, note, signal, output }: CommandContext<ServeArgs>) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const cert = stringArg(args, 'filesCert');
  const key = stringArg(args, 'filesKey');
  if ((cert === undefined) !== (key === undefined)) throw new InvalidArgumentError('ConflictingOptions', '--files-cert and --files-key go together', { target: cert ? '--files-key' : '--files-cert' });
  const port = boundedNumber(args, 'port', '--port', 0, 65535, true) ?? 0;
  const filesPort = boundedNumber(args, 'filesPort', '--files-port', 0, 65535, true) ?? 0;
  const host = stringArg(args, 'host') ?? '127.0.0.1';
  const read = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new InvalidArgumentError('FileUnreadable', `${flag} ${file} cannot be read: ${(error as Error).message}`, { target: flag });
    }
  };
  const tls = cert && key ? { cert: read(cert, '--files-cert'), key: read(key, '--files-key') } : undefined;
  const store = openSiteStore(home.sitePaths(code).database, { readonly: true });
  const onRequest = (method: string, path: string, status: number, ms: number) => note(`${new Date().toISOString()} ${method} ${path} ${status} ${ms} ms`);
  const servers: RunningServer[] = [];
  try {
    // The file server starts first: the catalog's download dialog must know its address.
    let filesUrl: string | undefined;
    if (tls) {
      const files = await new CatalogFileServer({ store, tls, onRequest }).listen(host, filesPort);
      servers.push(files);
      filesUrl = files.url;
    }
    const pages = await new CatalogServer({ store, onRequest, ...(filesUrl ? { filesBaseUrl: filesUrl } : {}) }).listen(host, port);
    servers.push(pages);
    emit({
      type: 'SupSync.CatalogEndpoint',
      SiteCode: code,
      Url: pages.url,
      FilesUrl: filesUrl ?? null,
      AllowDownloadHost: filesUrl === undefined ? null : new URL(filesUrl).host,
    });
    output.flush();
    note(`Serving a local Microsoft Update Catalog for ${code} at ${pages.url}${filesUrl ? `, files at ${filesUrl}` : ' (no file server: give --files-cert and --files-key)'}; stop with Ctrl+C`);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    for (const server of servers.reverse()) await server.close();
    store.close();
  }
};

type DevSyncArgs = Parameters<CommandHandler<'sync'>>[0]['args'] & { timeoutMs?: number; retryLimit?: number; retryDelayMs?: number; maxResponseBytes?: number };

const tunedSync = (context: CommandContext<DevSyncArgs>) => {
  const { timeoutMs, retryLimit, retryDelayMs, maxResponseBytes } = context.args;
  // Unset parts keep the transport's defaults (defaultRetry: 4 retries from 500 ms, doubling to 16 times that).
  const delay = retryDelayMs ?? defaultRetry.baseDelayMs;
  return syncHandler({
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retryLimit !== undefined || retryDelayMs !== undefined ? { retry: { limit: retryLimit ?? defaultRetry.limit, baseDelayMs: delay, maxDelayMs: delay * 16 } } : {}),
    ...(maxResponseBytes !== undefined ? { maxResponseBytes } : {}),
  })(context);
};

export const devHandlers: Record<string, AnyCommandHandler> = {
  'catalog.import': catalogImport,
  'catalog.serve': catalogServe,
  sync: tunedSync,
};

const replaced = new Set(devCommands.map((c) => c.id));

/** The development entry point's program: every product command, the ones above in place of theirs. */
export const devProgram: CliProgram = {
  name: 'supsync-dev',
  commands: [...commandSpec.filter((c) => !replaced.has(c.id)), ...devCommands],
  handlers: { ...handlers, ...devHandlers },
};
