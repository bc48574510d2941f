/** The handler of `catalog import`. */
import type { Architecture } from '../../catalog/architecture.js';
import { catalogBaseUrl } from '../../catalog/client.js';
import type { Downloader, DownloaderOptions } from '../../catalog/download.js';
import { type ImportResult, type ImportStatus, type ImportSummary, importFromCatalog, importInputs } from '../../catalog/import.js';
import { ExitCode, InvalidArgumentError } from '../../errors.js';
import { normalizeSiteCode } from '../../model/site.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';

/** A number flag within bounds, or an error naming it. */
export function boundedNumber(args: Record<string, unknown>, key: string, flag: string, min: number, max: number, integer: boolean): number | undefined {
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
    // Beside the results' Status, so `| Where-Object Status -eq 'Failed'` works under strict mode too.
    Status: summary.counts.Failed + summary.counts.NotFound + summary.counts.Invalid === 0 ? 'Completed' : 'CompletedWithFailures',
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
    // The import's run in `sync history` and the catalog version it left (null in a what-if).
    RunId: summary.runId ?? null,
    CatalogVersion: summary.catalogVersion ?? null,
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

/** `catalog import`; `makeDownloader` lets the development entry point trust a loopback file server. */
export function catalogImportHandler(makeDownloader?: (options: DownloaderOptions) => Downloader): CommandHandler<'catalog.import'> {
  return async ({ home, args, emit, note, progress, logFormat, signal }) => {
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
  const summary = await importFromCatalog(
    home,
    {
    site: code,
    inputs,
    metadataOnly: Boolean(args.metadataOnly),
    whatIf,
    filters,
    ...(catalogUrl !== undefined ? { catalogUrl } : {}),
    ...(timeout !== undefined ? { catalogTimeoutMs: timeout * 1000 } : {}),
    ...(retry ? { retry } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
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
    },
    makeDownloader,
  );
  emit(summaryRecord(summary));
  return importExitCode(summary.counts);
  };
}

export const catalogHandlers = {
  'catalog.import': catalogImportHandler(),
};
