/** Handlers of the catalog commands: `catalog import` and `catalog serve`. */
import fs from 'node:fs';
import type { Architecture } from '../../catalog/architecture.js';
import { catalogBaseUrl } from '../../catalog/client.js';
import { type ImportResult, type ImportStatus, type ImportSummary, importFromCatalog, importInputs } from '../../catalog/import.js';
import { CatalogFileServer, CatalogServer } from '../../catalog/server.js';
import type { RunningServer } from '../../server/listen.js';
import { ExitCode, InvalidArgumentError } from '../../errors.js';
import { normalizeSiteCode } from '../../site/model.js';
import { openSiteDb } from '../../store/site-db.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';

/** A whole-number flag within bounds, or an error naming it. */
function boundedNumber(args: Record<string, unknown>, key: string, flag: string, min: number, max: number, integer: boolean): number | undefined {
  if (args[key] === undefined) return undefined;
  const value = Number(args[key]);
  if ((integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new InvalidArgumentError('InvalidArgument', `${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${String(args[key])}`, { target: flag });
  }
  return value;
}

function resultRecord(site: string, result: ImportResult, whatIf: boolean) {
  return {
    type: whatIf ? 'SupSync.CatalogImportPlan' : 'SupSync.CatalogImportResult',
    SiteCode: site,
    Input: result.input,
    Line: result.line ?? null,
    UpdateId: result.updateId ?? null,
    Title: result.title ?? null,
    KB: result.kb ?? null,
    Status: result.status,
    Reason: result.reason ?? null,
    MetadataSource: result.metadataSource ?? null,
    RevisionNumber: result.revisionNumber ?? null,
    RelatedUpdates: result.relatedUpdates,
    Files: result.files,
    BytesDownloaded: result.bytesDownloaded,
    DuplicateOf: result.duplicateOf ?? null,
    MatchCount: result.matchCount ?? null,
  };
}

function summaryRecord(summary: ImportSummary) {
  const seconds = summary.durationMs / 1000;
  return {
    type: 'SupSync.CatalogImportSummary',
    SiteCode: summary.site,
    WhatIf: summary.whatIf,
    Inputs: summary.inputs,
    Results: summary.results,
    Imported: summary.counts.Imported,
    AlreadyPresent: summary.counts.AlreadyPresent,
    NotFound: summary.counts.NotFound,
    Invalid: summary.counts.Invalid,
    Failed: summary.counts.Failed,
    Duplicates: summary.duplicates,
    RelatedUpdates: summary.relatedUpdates,
    FilesDownloaded: summary.filesDownloaded,
    BytesDownloaded: summary.bytesDownloaded,
    CatalogRequests: summary.catalogRequests,
    CatalogRetries: summary.catalogRetries,
    UpstreamProbes: summary.upstreamProbes,
    DurationSeconds: Math.round(seconds * 10) / 10,
    InputsPerSecond: seconds > 0 ? Math.round((summary.inputs / seconds) * 10) / 10 : null,
  };
}

/**
 * 7 when some inputs failed and others succeeded; when nothing succeeded, the code of the worst
 * failure (upstream 5, not found 3, invalid input 2).
 */
export function importExitCode(counts: Record<ImportStatus, number>): number | undefined {
  const failed = counts.Failed + counts.NotFound + counts.Invalid;
  if (failed === 0) return undefined;
  if (counts.Imported + counts.AlreadyPresent > 0) return ExitCode.partial;
  if (counts.Failed > 0) return ExitCode.upstream;
  return counts.NotFound > 0 ? ExitCode.notFound : ExitCode.usage;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export const catalogImport: CommandHandler = async ({ home, args, emit, note, progress, logFormat, signal }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const inputs = importInputs({
    ...(listArg(args, 'updateId') ? { updateIds: listArg(args, 'updateId')! } : {}),
    ...(listArg(args, 'kb') ? { kbs: listArg(args, 'kb')! } : {}),
    ...(stringArg(args, 'path') !== undefined ? { path: stringArg(args, 'path')! } : {}),
  });
  const catalogUrl = stringArg(args, 'catalogUrl');
  if (catalogUrl !== undefined) catalogBaseUrl(catalogUrl);
  const timeout = boundedNumber(args, 'catalogTimeout', '--catalog-timeout', 0.1, 3600, false);
  const retries = boundedNumber(args, 'retries', '--retries', 0, 20, true);
  const retryDelay = boundedNumber(args, 'retryDelay', '--retry-delay', 0, 600, false);
  const concurrency = boundedNumber(args, 'concurrency', '--concurrency', 1, 64, true);
  const downloadCa = stringArg(args, 'downloadCa');
  if (downloadCa !== undefined && !fs.existsSync(downloadCa)) throw new InvalidArgumentError('CaFileUnreadable', `--download-ca ${downloadCa} does not exist`, { target: '--download-ca' });
  const filters = {
    ...(stringArg(args, 'product') !== undefined ? { product: stringArg(args, 'product')! } : {}),
    ...(stringArg(args, 'architecture') !== undefined ? { architecture: stringArg(args, 'architecture') as Architecture } : {}),
    ...(stringArg(args, 'titleContains') !== undefined ? { titleContains: stringArg(args, 'titleContains')! } : {}),
  };
  if (Object.keys(filters).length > 0 && !inputs.some((i) => i.kind === 'kb')) note('--product, --architecture and --title-contains narrow KBs only; no input here is a KB');
  const whatIf = Boolean(args.whatIf);
  const retry =
    retries !== undefined || retryDelay !== undefined
      ? { limit: retries ?? 4, baseDelayMs: (retryDelay ?? 1) * 1000, maxDelayMs: Math.max(15_000, (retryDelay ?? 1) * 8000) }
      : undefined;

  let lastProgress = 0;
  const summary = await importFromCatalog(home, {
    site: code,
    inputs,
    metadataOnly: Boolean(args.metadataOnly),
    whatIf,
    filters,
    ...(catalogUrl !== undefined ? { catalogUrl } : {}),
    ...(timeout !== undefined ? { catalogTimeoutMs: timeout * 1000 } : {}),
    ...(retry ? { retry } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(listArg(args, 'allowDownloadHost') ? { allowDownloadHosts: listArg(args, 'allowDownloadHost')! } : {}),
    ...(downloadCa !== undefined ? { downloadCaFile: downloadCa } : {}),
    logFormat,
    signal,
    onResult: (result) => emit(resultRecord(code, result, whatIf)),
    onProgress: ({ done, total, startedAt }) => {
      const now = Date.now();
      // At most two progress records a second, and always the last one.
      if (done < total && now - lastProgress < 500) return;
      lastProgress = now;
      const seconds = (now - startedAt) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = rate > 0 ? (total - done) / rate : Infinity;
      progress(`${whatIf ? 'Planning the import' : 'Importing'} into ${code} from the Microsoft Update Catalog`, `${done} of ${total} inputs, ${rate.toFixed(1)}/s, ETA ${done === total ? '0s' : duration(eta)}`, total === 0 ? 100 : Math.floor((done / total) * 100), {
        key: code,
        phase: 'inputs',
        processed: done,
        total,
      });
    },
  });
  emit(summaryRecord(summary));
  const exit = importExitCode(summary.counts);
  if (exit !== undefined) process.exitCode = exit;
};

export const catalogServe: CommandHandler = async ({ home, args, emit, note, signal, output }) => {
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
  const db = openSiteDb(home.sitePaths(code).database, { readonly: true });
  const onRequest = (method: string, path: string, status: number, ms: number) => note(`${new Date().toISOString()} ${method} ${path} ${status} ${ms} ms`);
  const servers: RunningServer[] = [];
  try {
    // The file server starts first: the catalog's download dialog must know its address.
    let filesUrl: string | undefined;
    if (tls) {
      const files = await new CatalogFileServer({ db, tls, onRequest }).listen(host, filesPort);
      servers.push(files);
      filesUrl = files.url;
    }
    const pages = await new CatalogServer({ db, onRequest, ...(filesUrl ? { filesBaseUrl: filesUrl } : {}) }).listen(host, port);
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
    db.close();
  }
};

export const catalogHandlers: Record<string, CommandHandler> = {
  'catalog.import': catalogImport,
  'catalog.serve': catalogServe,
};
