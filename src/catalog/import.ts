/**
 * Import-UpdateFromCatalog: updates named by ID, KB or batch file go into the top-level site's
 * database as *imported* (kept whatever the product and classification selection), with their
 * bundled updates and prerequisites, and their files go into the site's content directory. The
 * next sync carries them down the hierarchy like any other update.
 *
 * Each input is planned (resolved through the catalog's search when it is a KB, checked against
 * the database, its metadata located upstream or in the catalog, its files listed) and then
 * applied (files downloaded and verified, then the update committed with its relations in one
 * transaction). `whatIf` stops after the plan. Files are complete before the metadata commits, so
 * a run killed at any point leaves every update either fully imported — skipped as
 * AlreadyPresent on the rerun — or not at all, with at most a `.partial` download to resume.
 *
 * Inputs run a bounded number at a time and their results are handed out as they complete, so
 * memory does not grow with the batch.
 *
 * An import is a run of the site like a sync (one lock, one recorder, one busy error): it shows in
 * sync history as a `catalog` run with its new and revised updates, the bytes downloaded and the
 * inputs that failed, each committed with the update it counts; it raises the catalog version
 * when it changed content, and ends with the sync's expiry rules (`finishRun`). It is not a sync
 * of the SUP, so the last sync's state, error and retry stay as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, InvalidOperationError, IoError, NotFoundError, SoapFaultError, SupsyncError, UpstreamError, asSupsyncError } from '../errors.js';
import { createSiteLogger, type LogFormat, type SiteLogger } from '../log/index.js';
import { type UpdateMetadata, englishTitle } from '../model/update.js';
import type { RetryPolicy } from '../net/http.js';
import { parseUpdateXml } from '../protocol/update-xml.js';
import { type SiteControl, isTopLevel } from '../model/site.js';
import type { Home } from '../store/home.js';
import { type SiteStore, openSiteStore } from '../store/site-store.js';
import { RevisionWriter, finishRun } from '../sync/apply.js';
import { SyncRunRecorder, markInterruptedRuns } from '../sync/run-recorder.js';
import { type SiteWrite, openSiteWrite } from '../sync/site-write.js';
import { type ResolvedUpstream, clientFor, resolveUpstream } from '../sync/upstream.js';
import { type ClassifiedInput, classifyInput, parseBatchInput } from './batch-input.js';
import { catalogUpdateXml } from './catalog-xml.js';
import { CatalogClient } from './client.js';
import { type DownloadedFile, Downloader, type DownloaderOptions } from './download.js';
import { safeFileName } from '../model/file-name.js';
import { CatalogPageError } from './errors.js';
import type { CatalogSearchResult, CatalogUpdateDetails } from './pages.js';
import { type Architecture, architectureMatches } from './architecture.js';
import { UpstreamMetadata, defaultProbe } from './upstream-metadata.js';

export type ImportStatus = 'Imported' | 'AlreadyPresent' | 'NotFound' | 'Invalid' | 'Failed';
/** Where an imported update's metadata came from: the upstream's real document, the catalog's pages, or the site already held it. */
export type MetadataSource = 'Upstream' | 'Catalog' | 'Stored';

/** One thing to import, as the user gave it. */
export interface ImportInput extends ClassifiedInput {
  input: string;
  /** 1-based line of the batch file; undefined for a command-line argument. */
  line?: number;
}

export interface ImportFilters {
  /** Text the result's products contain. */
  product?: string;
  architecture?: Architecture;
  /** Text the title contains. */
  titleContains?: string;
}

export interface ImportResult {
  input: string;
  line?: number;
  updateId?: string;
  title?: string;
  kb?: string;
  status: ImportStatus;
  reason?: string;
  metadataSource?: MetadataSource;
  revisionNumber?: number;
  /** Bundled updates and prerequisites stored with it. */
  relatedUpdates: number;
  files: number;
  bytesDownloaded: number;
  /** The earlier input naming the same update ("line 3", "argument 2"). */
  duplicateOf?: string;
  /** For a KB: how many updates it resolved to. */
  matchCount?: number;
}

export interface ImportProgress {
  done: number;
  total: number;
  startedAt: number;
}

export interface ImportSummary {
  site: string;
  whatIf: boolean;
  inputs: number;
  results: number;
  counts: Record<ImportStatus, number>;
  duplicates: number;
  relatedUpdates: number;
  filesDownloaded: number;
  bytesDownloaded: number;
  catalogRequests: number;
  catalogRetries: number;
  upstreamProbes: number;
  durationMs: number;
  /** The run in sync history (none in a what-if). */
  runId?: number;
  /** The site's catalog version after the import (none in a what-if). */
  catalogVersion?: number;
}

export interface ImportOptions {
  site: string;
  inputs: ImportInput[];
  metadataOnly?: boolean;
  whatIf?: boolean;
  filters?: ImportFilters;
  catalogUrl?: string;
  catalogTimeoutMs?: number;
  /** Retries of catalog requests, downloads and upstream requests. */
  retry?: RetryPolicy;
  /** Inputs processed at once. */
  concurrency?: number;
  logFormat?: LogFormat;
  signal?: AbortSignal;
  onResult: (result: ImportResult) => void;
  onProgress?: (progress: ImportProgress) => void;
}

const noCounts = (): Record<ImportStatus, number> => ({ Imported: 0, AlreadyPresent: 0, NotFound: 0, Invalid: 0, Failed: 0 });
/** Written beside an update's files once all of them verified; its leading dot keeps it clear of any safe file name. */
const manifestName = '.supsync-files.json';

/**
 * The inputs of a command line: `--update-id` values must be GUIDs, `--kb` values KB numbers,
 * `--path` a batch file (parseBatchInput). Nothing given is an error.
 */
export function importInputs(given: { updateIds?: string[]; kbs?: string[]; path?: string }): ImportInput[] {
  const inputs: ImportInput[] = [];
  for (const value of given.updateIds ?? []) {
    const classified = classifyInput(value);
    inputs.push(
      classified.kind === 'updateId'
        ? { input: value, ...classified }
        : { input: value, kind: 'invalid', reason: `--update-id "${value}" is not an update ID (a GUID)${classified.kind === 'kb' ? '; give a KB with --kb' : ''}` },
    );
  }
  for (const value of given.kbs ?? []) {
    const classified = classifyInput(value);
    inputs.push(
      classified.kind === 'kb'
        ? { input: value, ...classified }
        : { input: value, kind: 'invalid', reason: `--kb "${value}" is not a KB number (e.g. KB5034441)${classified.kind === 'updateId' ? '; give an update ID with --update-id' : ''}` },
    );
  }
  if (given.path !== undefined) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(given.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new NotFoundError('BatchFileNotFound', `The batch file ${given.path} does not exist`, { target: given.path });
      throw new InvalidArgumentError('BatchFileUnreadable', `The batch file ${given.path} cannot be read: ${(error as Error).message}`, { target: given.path, cause: error });
    }
    // One push per entry: spreading a batch of 130,000 lines into push() overflows the call stack.
    for (const { duplicateOf: _, ...entry } of parseBatchInput(bytes, given.path)) inputs.push(entry);
  }
  if (inputs.length === 0 && given.path === undefined) {
    throw new InvalidArgumentError('NoImportInput', 'Name the updates to import: --update-id GUID..., --kb KB... or --path FILE', { target: '--update-id' });
  }
  return inputs;
}

function describeFilters(filters: ImportFilters): string {
  const parts = [
    filters.product === undefined ? undefined : `--product "${filters.product}"`,
    filters.architecture === undefined ? undefined : `--architecture ${filters.architecture}`,
    filters.titleContains === undefined ? undefined : `--title-contains "${filters.titleContains}"`,
  ].filter((p) => p !== undefined);
  return parts.join(', ');
}

function label(input: ImportInput, argumentIndex: number): string {
  return input.line === undefined ? `argument ${argumentIndex} (${input.input})` : `line ${input.line}`;
}

/** What importing one update gave, before it is tied to the input that named it. */
type Outcome = Omit<ImportResult, 'input' | 'line' | 'duplicateOf'>;

interface MetadataPlan {
  source: MetadataSource;
  document?: UpdateMetadata;
  related: UpdateMetadata[];
  details?: CatalogUpdateDetails;
  /** Why the catalog's pages stand in for the real document. */
  note?: string;
}

/** Everything one run shares. */
interface ImportRun {
  options: ImportOptions;
  site: SiteControl;
  store: SiteStore;
  /** Stores the imported updates and records the run (none in a what-if). */
  writer: RevisionWriter | undefined;
  recorder: SyncRunRecorder | undefined;
  /** Bytes of files downloaded so far (committed with the updates, in the run's record). */
  downloaded: number;
  contentDir: string;
  catalog: CatalogClient;
  downloader: Downloader;
  upstream?: { resolved: ResolvedUpstream; metadata: UpstreamMetadata };
  log?: SiteLogger;
  categoryTitles: { products: Map<string, string>; classifications: Map<string, string> };
  /** Why the upstream is no longer asked in this run (it failed below the protocol: down, timing out). */
  upstreamDown?: string;
  summary: ImportSummary;
  inFlight: Map<string, Promise<Outcome>>;
}

/** Runs an import; results go to `onResult` as they complete. */
export async function importFromCatalog(home: Home, options: ImportOptions, makeDownloader = (o: DownloaderOptions) => new Downloader(o)): Promise<ImportSummary> {
  const site = home.site(options.site);
  if (!isTopLevel(site)) {
    const top = home.topLevelOf(site.code);
    throw new InvalidOperationError(
      'NotTopLevelSite',
      `Catalog imports go into the top-level site${top && top.code !== site.code ? ` ${top.code}` : ''}; ${site.code} is a ${site.role} site below ${site.parent}, which receives imported updates by synchronizing`,
      { target: site.code },
    );
  }
  const whatIf = options.whatIf ?? false;
  const paths = home.sitePaths(site.code);
  // One writer per site: a sync and an import never write at once.
  const write: SiteWrite | undefined = whatIf ? undefined : openSiteWrite(home, site.code, 'catalog import', 'run the import again');
  let store: SiteStore | undefined = write?.store;
  let log: SiteLogger | undefined;
  let resolved: ResolvedUpstream | undefined;
  let recorder: SyncRunRecorder | undefined;
  const started = Date.now();
  const summary: ImportSummary = {
    site: site.code,
    whatIf,
    inputs: options.inputs.length,
    results: 0,
    counts: noCounts(),
    duplicates: 0,
    relatedUpdates: 0,
    filesDownloaded: 0,
    bytesDownloaded: 0,
    catalogRequests: 0,
    catalogRetries: 0,
    upstreamProbes: 0,
    durationMs: 0,
  };
  try {
    store ??= openSiteStore(paths.database, { readonly: true });
    const logger = whatIf ? undefined : createSiteLogger({ logDir: paths.logDir, format: options.logFormat ?? 'site-server' });
    log = logger;
    const proxy = site.sup.proxy;
    const catalog = new CatalogClient({
      ...(options.catalogUrl ? { baseUrl: options.catalogUrl } : {}),
      ...(proxy ? { proxy } : {}),
      ...(options.catalogTimeoutMs !== undefined ? { timeoutMs: options.catalogTimeoutMs } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(logger ? { onRetry: (error: UpstreamError, attempt: number, delay: number) => logger.info(`Catalog request failed (${error.message}); retry ${attempt} in ${(delay / 1000).toFixed(1)} s`) } : {}),
    });
    const downloader = makeDownloader({
      ...(proxy ? { proxy } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(logger ? { onRetry: (error: SupsyncError, attempt: number, delay: number) => logger.info(`Download failed (${error.message}); retry ${attempt} in ${(delay / 1000).toFixed(1)} s`) } : {}),
    });
    resolved = await resolveUpstream(home, site);
    if (logger) {
      markInterruptedRuns(store);
      recorder = new SyncRunRecorder(store, site, logger, 'catalog', false, `catalog ${catalog.baseUrl}${resolved ? `, metadata from ${resolved.description}` : ''}`);
      recorder.status(6705);
      recorder.phase('Importing from the Microsoft Update Catalog');
    }
    const run: ImportRun = {
      options,
      site,
      store,
      writer: recorder ? new RevisionWriter(store, recorder, site.sup.languageSummaryDetails) : undefined,
      recorder,
      downloaded: 0,
      contentDir: paths.content,
      catalog,
      downloader,
      ...(resolved ? { upstream: { resolved, metadata: upstreamMetadata(site, resolved, store, options) } } : {}),
      ...(log ? { log } : {}),
      categoryTitles: store.categories.idsByTitle(),
      summary,
      inFlight: new Map(),
    };
    recorder?.measureBytes(() => run.downloaded);
    log?.info(
      `Importing ${options.inputs.length} input(s) from the Microsoft Update Catalog (${catalog.baseUrl}) into site ${site.code}; metadata from ${resolved ? resolved.description : "the catalog's pages (the sync source is none)"}${options.metadataOnly ? ', metadata only' : ''}`,
    );
    await runInputs(run);
    summary.catalogRequests = catalog.requests;
    summary.catalogRetries = catalog.retries;
    summary.upstreamProbes = run.upstream?.metadata.probes ?? 0;
    const c = summary.counts;
    const outcome =
      `${c.Imported} imported, ${c.AlreadyPresent} already present, ${c.NotFound} not found, ${c.Invalid} invalid, ${c.Failed} failed` +
      `${summary.duplicates ? ` (${summary.duplicates} duplicate input(s))` : ''}; ${summary.filesDownloaded} file(s), ${summary.bytesDownloaded} bytes downloaded`;
    if (recorder && log) {
      const failed = c.NotFound + c.Invalid + c.Failed;
      if (failed > 0 && c.Imported + c.AlreadyPresent === 0) {
        // Nothing came in: the run failed (the results say why, input by input).
        recorder.fail('CatalogImportFailed', `none of the ${summary.results} input(s) could be imported: ${c.NotFound} not found, ${c.Invalid} invalid, ${c.Failed} failed`, undefined);
        summary.catalogVersion = store.state.read().catalog_version;
      } else {
        recorder.phase('Synchronizing site database');
        const finished = finishRun({ store, site, log, recorder }, { cleanup: false });
        log.info(`Updated ${finished.changed} items in SMS database, new update source content version is ${finished.catalogVersion}`);
        summary.catalogVersion = finished.catalogVersion;
      }
      summary.runId = recorder.runId;
    }
    summary.durationMs = Date.now() - started;
    log?.info(`Catalog import finished in ${(summary.durationMs / 1000).toFixed(1)} s: ${outcome}`);
    return summary;
  } catch (thrown) {
    const error = asSupsyncError(thrown);
    log?.error(`Catalog import failed: ${error.message}`);
    recorder?.fail(error.code, error.message, undefined);
    throw error;
  } finally {
    await resolved?.close();
    log?.close();
    if (write) write.release();
    else store?.close();
  }
}

function upstreamMetadata(site: SiteControl, resolved: ResolvedUpstream, store: SiteStore, options: ImportOptions): UpstreamMetadata {
  const client = clientFor(site, resolved, { ...(options.retry ? { retry: options.retry } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  return new UpstreamMetadata(client, {
    useRevisionList: resolved.kind !== 'microsoft-update',
    languages: site.sup.languageSummaryDetails,
    isStored: (id, revision) => {
      const stored = store.updates.storedRevision(id);
      if (stored !== undefined) return revision === undefined || stored >= revision;
      return store.categories.has(id);
    },
  });
}

/** The inputs, `concurrency` at a time, in order of arrival; duplicates wait for the input they repeat. */
async function runInputs(run: ImportRun): Promise<void> {
  const { inputs } = run.options;
  const keyOf = (input: ImportInput) => (input.kind === 'updateId' ? `id:${input.updateId}` : input.kind === 'kb' ? `kb:${input.kb}` : undefined);
  const firstOf = new Map<string, number>();
  const duplicateOf = new Map<number, number>();
  inputs.forEach((input, index) => {
    const key = keyOf(input);
    if (key === undefined) return;
    const first = firstOf.get(key);
    if (first === undefined) firstOf.set(key, index);
    else duplicateOf.set(index, first);
  });
  const repeated = new Set(duplicateOf.values());
  // Arguments are numbered among themselves, for labels like "argument 2 (KB123)".
  const argumentNumbers = new Map<number, number>();
  inputs.forEach((input, index) => {
    if (input.line === undefined) argumentNumbers.set(index, argumentNumbers.size + 1);
  });
  const labelOf = (index: number) => label(inputs[index]!, argumentNumbers.get(index) ?? 0);
  const outcomes = new Map<number, Promise<Outcome[]>>();

  const started = Date.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < inputs.length) {
      if (run.options.signal?.aborted) throw new UpstreamError('Aborted', 'The import was cancelled; what was imported so far stays imported');
      const index = next++;
      const input = inputs[index]!;
      const first = duplicateOf.get(index);
      let results: ImportResult[];
      if (first !== undefined) {
        results = (await outcomes.get(first)!).map((outcome) => ({
          ...resultOf(input, outcome),
          status: outcome.status === 'Imported' ? 'AlreadyPresent' : outcome.status,
          reason: `duplicate of ${labelOf(first)}${outcome.status === 'Imported' ? ', imported once' : ''}${outcome.reason ? `: ${outcome.reason}` : ''}`,
          relatedUpdates: 0,
          files: 0,
          bytesDownloaded: 0,
          duplicateOf: labelOf(first),
        }));
        run.summary.duplicates++;
      } else {
        const pending = handleInput(run, input);
        if (repeated.has(index)) outcomes.set(index, pending.then((list) => list.map((r) => r.outcome)));
        results = (await pending).map((r) => r.result);
      }
      for (const result of results) record(run, result);
      done++;
      run.recorder?.progress('catalog inputs', done, inputs.length, started);
      run.options.onProgress?.({ done, total: inputs.length, startedAt: started });
    }
  };
  // Every worker stops before the run ends, so none touches the database after it is closed.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(Math.max(1, run.options.concurrency ?? 8), Math.max(1, inputs.length)) }, worker));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
}

function record(run: ImportRun, result: ImportResult): void {
  const { summary } = run;
  summary.results++;
  summary.counts[result.status]++;
  summary.relatedUpdates += result.relatedUpdates;
  summary.filesDownloaded += result.files;
  summary.bytesDownloaded += result.bytesDownloaded;
  if (result.status === 'Failed' || result.status === 'NotFound' || result.status === 'Invalid') {
    run.recorder?.countFailed();
    run.log?.warn(`Catalog import of ${result.line === undefined ? '' : `line ${result.line}: `}${result.input}${result.updateId ? ` (update ${result.updateId})` : ''}: ${result.status}: ${result.reason ?? ''}`);
  }
  run.options.onResult(result);
}

function resultOf(input: ImportInput, outcome: Outcome, extra: Partial<ImportResult> = {}): ImportResult {
  // Optional fields are left out rather than set to undefined, so records stay clean.
  const defined = Object.fromEntries(Object.entries(outcome).filter(([, value]) => value !== undefined)) as Outcome;
  return { input: input.input, ...(input.line !== undefined ? { line: input.line } : {}), ...defined, ...extra };
}

async function handleInput(run: ImportRun, input: ImportInput): Promise<{ result: ImportResult; outcome: Outcome }[]> {
  const unresolved = (status: ImportStatus, reason: string, kb?: string) => {
    const outcome: Outcome = { status, reason, ...(kb ? { kb } : {}), relatedUpdates: 0, files: 0, bytesDownloaded: 0 };
    return [{ result: resultOf(input, outcome), outcome }];
  };
  if (input.kind === 'invalid') return unresolved('Invalid', input.reason ?? 'not an update ID or KB');
  if (input.kind === 'updateId') {
    const outcome = await importOnce(run, input.updateId!);
    return [{ result: resultOf(input, outcome), outcome }];
  }
  const kb = input.kb!;
  let matches: CatalogSearchResult[];
  let note: string | undefined;
  try {
    ({ matches, note } = await resolveKb(run, kb));
  } catch (error) {
    if (run.options.signal?.aborted) throw error;
    return unresolved('Failed', `searching the catalog for KB${kb} failed: ${asSupsyncError(error).message}`, kb);
  }
  if (matches.length === 0) return unresolved('NotFound', note!, kb);
  return Promise.all(
    matches.map(async (match) => {
      const outcome = await importOnce(run, match.updateId, match);
      const reason = [note, outcome.reason].filter((r) => r !== undefined).join('; ');
      const withNote: Outcome = { ...outcome, ...(reason ? { reason } : {}) };
      return { result: resultOf(input, withNote, { matchCount: matches.length }), outcome: withNote };
    }),
  );
}

/** The updates a KB names in the catalog, narrowed by the filters; `note` says what happened. */
async function resolveKb(run: ImportRun, kb: string): Promise<{ matches: CatalogSearchResult[]; note?: string }> {
  const search = await run.catalog.search(`KB${kb}`);
  // A search matches text anywhere; only updates carrying this KB count.
  const ownKb = new RegExp(`\\bKB${kb}\\b`, 'i');
  const forKb = search.results.filter((r) => r.kb === kb || (r.kb === undefined && ownKb.test(r.title)));
  const filters = run.options.filters ?? {};
  const matches = forKb.filter(
    (r) =>
      (filters.product === undefined || r.products.toLowerCase().includes(filters.product.toLowerCase())) &&
      (filters.titleContains === undefined || r.title.toLowerCase().includes(filters.titleContains.toLowerCase())) &&
      (filters.architecture === undefined || architectureMatches(r.title, filters.architecture)),
  );
  const capped = search.capped ? ` (the catalog's ${search.totalCount}-result cap cut the search; some updates may be missing)` : '';
  if (forKb.length === 0) return { matches, note: `the catalog has no update for KB${kb}${capped}` };
  if (matches.length === 0) {
    return { matches, note: `the catalog has ${forKb.length} update(s) for KB${kb}, none matching ${describeFilters(filters)}: ${forKb.map((r) => r.title).join('; ')}${capped}` };
  }
  if (matches.length > 1) {
    const narrowed = matches.length < forKb.length ? ` (of ${forKb.length}, after ${describeFilters(filters)})` : '';
    return { matches, note: `KB${kb} names ${matches.length} updates${narrowed}; each is imported (narrow with --product, --architecture or --title-contains)${capped}` };
  }
  return capped ? { matches, note: capped.trim().replace(/^\(|\)$/g, '') } : { matches };
}

/** One update, once per run however many inputs name it. */
function importOnce(run: ImportRun, updateId: string, hint?: CatalogSearchResult): Promise<Outcome> {
  const running = run.inFlight.get(updateId);
  if (running) {
    return running.then((outcome) => ({
      ...outcome,
      status: outcome.status === 'Imported' ? 'AlreadyPresent' : outcome.status,
      reason: `also named by another input of this run${outcome.reason ? `; ${outcome.reason}` : ''}`,
      relatedUpdates: 0,
      files: 0,
      bytesDownloaded: 0,
    }));
  }
  const pending = importUpdate(run, updateId, hint);
  run.inFlight.set(updateId, pending);
  // Once settled, the database answers for a later input (AlreadyPresent); a what-if run has no database writes to ask, so it keeps the outcome.
  if (!run.summary.whatIf) {
    const forget = () => run.inFlight.delete(updateId);
    void pending.then(forget, forget);
  }
  return pending;
}

async function importUpdate(run: ImportRun, updateId: string, hint?: CatalogSearchResult): Promise<Outcome> {
  const base = { updateId, relatedUpdates: 0, files: 0, bytesDownloaded: 0 };
  const hinted = { ...(hint ? { title: hint.title } : {}), ...(hint?.kb ? { kb: hint.kb } : {}) };
  const { store, options } = run;
  const whatIf = run.summary.whatIf;
  try {
    if (store.categories.has(updateId)) {
      return { ...base, status: 'Invalid', reason: `${updateId} is a category (product, classification or detectoid) of the site, not an update` };
    }
    const stored = store.updates.storedSummary(updateId);
    const updateDir = path.join(run.contentDir, updateId);
    if (stored && (options.metadataOnly || contentComplete(updateDir))) {
      const reason = stored.expired ? `stored, but expired (${stored.expired_reason ?? 'expired'})` : stored.imported ? undefined : 'already synchronized from the upstream';
      return {
        ...base,
        title: stored.title,
        ...(stored.kb ? { kb: stored.kb } : {}),
        status: 'AlreadyPresent',
        revisionNumber: stored.revision,
        ...(reason ? { reason } : {}),
      };
    }

    const plan: MetadataPlan = stored ? { source: 'Stored', related: [] } : await locateMetadata(run, updateId);
    const title = plan.document ? englishTitle(plan.document) : (plan.details?.title ?? stored?.title ?? hinted.title);
    const kb = plan.document?.kbArticleId ?? plan.details?.kb ?? stored?.kb ?? hinted.kb;
    const described = { ...(title ? { title } : {}), ...(kb ? { kb } : {}) };

    let downloads: DownloadedFile[] = [];
    let fileCount = 0;
    if (!options.metadataOnly) {
      const dialog = await run.catalog.downloadDialog(updateId);
      if (dialog.files.length === 0) throw new UpstreamError('CatalogNoFiles', `the catalog's download dialog lists no files for update ${updateId}`, { target: updateId, category: 'ObjectNotFound' });
      // Refuse bad URLs and names before anything is fetched (a what-if says so too).
      const names = new Map<string, string>();
      for (const file of dialog.files) {
        run.downloader.checkUrl(file.url);
        const name = safeFileName(file.fileName);
        const clash = names.get(name.toLowerCase());
        if (clash !== undefined && clash !== (file.digest ?? file.sha256)) {
          throw new UpstreamError('CatalogFileNameClash', `the catalog lists two different files named ${name} for update ${updateId}`, { target: updateId, category: 'InvalidData' });
        }
        names.set(name.toLowerCase(), file.digest ?? file.sha256 ?? '');
      }
      fileCount = dialog.files.length;
      if (!whatIf) {
        for (const file of dialog.files) {
          const download = await run.downloader.download(file, updateDir);
          if (!download.reused) run.downloaded += download.size;
          downloads.push(download);
        }
        writeManifest(updateDir, downloads);
      }
    }

    const revisionNumber = plan.document?.revisionNumber ?? (plan.source === 'Catalog' ? 0 : stored?.revision);
    const sourceNote = plan.source === 'Catalog' ? `stored the catalog's details: ${plan.note}` : plan.source === 'Stored' ? 'the metadata was already stored; its files were downloaded' : undefined;
    const relatedNote = plan.related.length > 0 ? `with ${plan.related.length} bundled or prerequisite update(s)` : undefined;
    const reason = [whatIf ? `would import${options.metadataOnly ? '' : ` with ${fileCount} file(s)`}` : undefined, sourceNote, relatedNote].filter((r) => r !== undefined).join('; ');
    const outcome: Outcome = {
      ...base,
      ...described,
      status: 'Imported',
      metadataSource: plan.source,
      ...(revisionNumber !== undefined ? { revisionNumber } : {}),
      relatedUpdates: plan.related.length,
      files: downloads.filter((d) => !d.reused).length,
      bytesDownloaded: downloads.filter((d) => !d.reused).reduce((sum, d) => sum + d.size, 0),
      ...(reason ? { reason } : {}),
    };
    if (whatIf) return { ...outcome, files: fileCount };
    commit(run, updateId, plan, downloads);
    run.log?.info(
      `Imported update ${updateId} - ${title ?? ''} from ${plan.source === 'Upstream' ? run.upstream!.resolved.description : plan.source === 'Catalog' ? "the catalog's details" : 'the stored metadata'}` +
        ` (revision ${revisionNumber ?? '?'}${plan.related.length ? `, ${plan.related.length} related update(s)` : ''}${downloads.length ? `, ${downloads.length} file(s) in ${updateDir}` : ''})`,
    );
    return outcome;
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const typed = asSupsyncError(error);
    const notFound = typed instanceof CatalogPageError && !typed.transient;
    const upstreamNote = run.upstream && notFound ? `the upstream ${run.upstream.resolved.description} does not have it and ` : '';
    return {
      ...base,
      ...hinted,
      status: notFound ? 'NotFound' : 'Failed',
      reason: notFound ? `${upstreamNote}the catalog has no update ${updateId}` : typed.message,
    };
  }
}

/** The real document from the upstream when it has it, else the catalog's details page. */
async function locateMetadata(run: ImportRun, updateId: string): Promise<MetadataPlan> {
  let note = 'the sync source is none';
  if (run.upstream && run.upstreamDown !== undefined) note = run.upstreamDown;
  else if (run.upstream) {
    const { metadata, resolved } = run.upstream;
    try {
      const document = await metadata.document(updateId);
      if (document?.publicationState === 'Expired') {
        note = `the upstream ${resolved.description} serves it as expired`;
      } else if (document) {
        return { source: 'Upstream', document, related: await metadata.related(document), note: '' };
      } else {
        note = `the upstream ${resolved.description} does not have it${metadata.listProblem ? ` (its revision list failed: ${metadata.listProblem}; probed ${defaultProbe.limit} revisions)` : ''}`;
      }
    } catch (error) {
      if (run.options.signal?.aborted) throw error;
      note = `the upstream ${resolved.description} could not give it: ${asSupsyncError(error).message}`;
      // A fault or a missing relation concerns this update; an upstream that is down or timing out would cost every later update the same retries.
      if (error instanceof UpstreamError && !(error instanceof SoapFaultError) && (error.category === 'ConnectionError' || error.category === 'OperationTimeout')) {
        run.upstreamDown = `${note} (not asked again in this run)`;
      }
    }
  }
  const details = await run.catalog.details(updateId);
  return { source: 'Catalog', details, related: [], note };
}

/** The update, its relations first, in one transaction with one change sequence number. */
function commit(run: ImportRun, updateId: string, plan: MetadataPlan, downloads: DownloadedFile[]): void {
  const { store, writer, recorder, site } = run;
  const languages = site.sup.languageSummaryDetails;
  let root: UpdateMetadata | undefined = plan.document;
  if (plan.source === 'Catalog') {
    const details = plan.details!;
    // Only categories the site holds are referenced: a child site could not satisfy any other.
    const classificationId = details.classification === undefined ? undefined : run.categoryTitles.classifications.get(details.classification.toLowerCase());
    const productIds = details.products.flatMap((title) => {
      const id = run.categoryTitles.products.get(title.toLowerCase());
      return id === undefined ? [] : [id];
    });
    const xml = catalogUpdateXml({
      updateId,
      details,
      ...(classificationId ? { classificationId } : {}),
      productIds,
      files: downloads.map((d) => ({ fileName: d.fileName, size: d.size, digest: d.sha1, sha256: d.sha256 })),
      fallbackDate: new Date().toISOString(),
    });
    root = parseUpdateXml(xml, `update ${updateId} (from the catalog's details)`, { languages });
    const urls = new Map(downloads.map((d) => [d.sha1, d.url]));
    for (const file of root.files) {
      const url = urls.get(file.digest);
      if (url) file.url = url;
    }
  }
  if (!root) return;
  const document = root;
  recorder!.transaction(() => {
    const changeSeq = store.nextChangeSeq();
    const now = new Date().toISOString();
    for (const related of [...plan.related, document]) writer!.write(related, changeSeq, now, { imported: true, phase: 'updates' });
  })();
}

/** Whether every file of an earlier import is still in place at its size. */
function contentComplete(dir: string): boolean {
  let manifest: { files?: { fileName: string; size: number }[] };
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, manifestName), 'utf8')) as typeof manifest;
  } catch {
    return false;
  }
  return (manifest.files ?? []).every((file) => {
    try {
      return fs.statSync(path.join(dir, safeFileName(file.fileName))).size === file.size;
    } catch {
      return false;
    }
  });
}

function writeManifest(dir: string, downloads: DownloadedFile[]): void {
  const file = path.join(dir, manifestName);
  const temp = `${file}.partial`;
  try {
    fs.writeFileSync(temp, JSON.stringify({ files: downloads.map((d) => ({ fileName: d.fileName, size: d.size, sha1: d.sha1, sha256: d.sha256, url: d.url })) }, null, 2));
    fs.renameSync(temp, file);
  } catch (error) {
    throw new IoError('ContentManifestFailed', `Cannot write ${file}: ${(error as Error).message}`, { target: file, cause: error });
  }
}
