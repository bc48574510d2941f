/**
 * A local Microsoft Update Catalog for tests and the demo (a development aid, not a mirror): it
 * serves `Search.aspx`, `ScopedViewInline.aspx` and `DownloadDialog.aspx` in the catalog's real
 * markup (render.ts) for the updates of a site database, so the whole import runs on loopback.
 *
 * The site database holds metadata, not files, and its file digests are of files nobody has.
 * The optional file server therefore serves synthetic content — deterministic bytes per update
 * and file name — and the download dialog announces the digests of those bytes. It serves https
 * only (the import refuses anything else), on a certificate the caller provides; the dialog then
 * points at it. Without it, the dialog points at plain http on this server, which an import
 * refuses: no URL this server hands out ever leads off the machine.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { canonicalGuid, localizedFor } from '../model/update.js';
import { storedXmlText } from '../protocol/stored-xml.js';
import { parseUpdateXml } from '../protocol/update-xml.js';
import type { SiteStore } from '../store/site-store.js';
import type { CatalogView } from '../store/catalog-view.js';
import { architecturesInTitle } from '../catalog/architecture.js';
import { catalogNotFoundCode } from '../catalog/errors.js';
import { type CatalogDownloadFile, type CatalogSearchResult, type CatalogUpdateDetails, catalogPageSize, catalogResultCap } from '../catalog/pages.js';
import { renderDetailsPage, renderDownloadDialog, renderErrorPage, renderSearchPage } from './catalog-render.js';
import { type RunningServer, listen } from '../server/listen.js';
import { readRequestBody } from '../server/request-body.js';

/** The path files are served under, shaped like the real download hosts' paths. */
const filePath = '/c/msdownload/update/software/';

/** Deterministic stand-in bytes for a file of an update (2 KB to 34 KB). */
export function syntheticFileContent(updateId: string, fileName: string): Buffer {
  const seed = crypto.createHash('sha256').update(`${updateId}\u0000${fileName}`).digest();
  const size = 2048 + (seed.readUInt16LE(0) % 32768);
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < size; i++) blocks.push(crypto.createHash('sha256').update(seed).update(String(i)).digest());
  return Buffer.concat(blocks).subarray(0, size);
}

/** "109.2 MB", as the catalog writes sizes. */
export function formatCatalogSize(bytes: number): string {
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** en-US short date (`9/10/2019`) of an ISO date. */
function usDate(iso: string): string {
  const date = new Date(iso);
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`;
}

/** The architecture a title names, as the details page writes it. */
function architectureOf(title: string): string | undefined {
  const shown = { arm64: 'ARM64', x64: 'AMD64', x86: 'X86' } as const;
  const named = architecturesInTitle(title);
  return named.length === 0 ? undefined : named.map((a) => shown[a]).join(', ');
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

export interface CatalogServerOptions {
  store: SiteStore;
  /** Base URL of the https file server; without one, download URLs point at this server over http. */
  filesBaseUrl?: string;
  onRequest?: (method: string, path: string, status: number, ms: number) => void;
}

export class CatalogServer {
  readonly #view: CatalogView;
  readonly #options: CatalogServerOptions;
  #selfUrl = '';

  constructor(options: CatalogServerOptions) {
    this.#view = options.store.catalogView;
    this.#options = options;
  }

  async listen(host: string, port: number): Promise<RunningServer> {
    const running = await listen(
      http.createServer((req, res) => void this.#handle(req, res)),
      host,
      port,
      'http',
    );
    this.#selfUrl = running.url;
    return running;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://catalog.local');
    const page = url.pathname.toLowerCase();
    const send = (status: number, body: string, contentType = 'text/html; charset=utf-8') => {
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'private' });
      res.end(body);
      this.#options.onRequest?.(req.method ?? 'GET', `${url.pathname}${url.search}`, status, Date.now() - started);
    };
    try {
      if (page === '/search.aspx' && req.method === 'GET') return send(200, this.#search(url.searchParams.get('q') ?? '', Number(url.searchParams.get('p') ?? '1')));
      if (page === '/scopedviewinline.aspx' && req.method === 'GET') return send(200, this.#details(url.searchParams.get('updateid') ?? ''));
      if (page === '/downloaddialog.aspx' && req.method === 'POST') {
        const form = new URLSearchParams(await readRequestBody(req, 64 * 1024));
        return send(200, this.#dialog(form.get('updateIDs') ?? ''));
      }
      if (page.startsWith(filePath) && req.method === 'GET') return send(403, 'Files are served over https only: start the server with a files certificate', 'text/plain');
      return send(404, 'Not found', 'text/plain');
    } catch {
      // The real catalog's answer to anything it chokes on: its error page.
      return send(200, renderErrorPage('8DDD0010'));
    }
  }

  #search(query: string, requestedPage: number): string {
    const tokens = query.split(/\s+/).filter((t) => t !== '');
    const rows = this.#view.search(tokens, catalogResultCap);
    const pageCount = Math.max(1, Math.ceil(rows.length / catalogPageSize));
    const pageNumber = Number.isInteger(requestedPage) && requestedPage >= 1 ? requestedPage : 1;
    const slice = rows.slice((pageNumber - 1) * catalogPageSize, pageNumber * catalogPageSize);
    const results = slice.map((row): CatalogSearchResult => {
      const bytes = row.size ?? 0;
      return {
        updateId: row.update_id,
        title: row.title,
        products: row.products ?? '',
        classification: row.classification ?? '',
        lastUpdatedText: usDate(row.creation_date),
        sizeText: formatCatalogSize(bytes),
        sizeInBytes: bytes,
      };
    });
    return renderSearchPage({ query, results, page: pageNumber, pageCount, totalCount: rows.length });
  }

  #details(rawId: string): string {
    const updateId = canonicalGuid(rawId);
    const row = updateId === undefined ? undefined : this.#view.details(updateId);
    if (!row || updateId === undefined) return renderErrorPage(catalogNotFoundCode);
    const update = parseUpdateXml(storedXmlText(row.stored, `update ${updateId}`), `update ${updateId}`);
    const english = localizedFor(update, 'en');
    const products = this.#view.productTitles(updateId);
    const languages = this.#view.languages(updateId).map((code) => languageNames.of(code) ?? code);
    const supersededBy = this.#view.supersededBy(updateId);
    // The real page names the updates an update replaces without linking them.
    const supersedes = this.#view.supersedesTitles(updateId);
    const details: CatalogUpdateDetails = {
      updateId,
      title: row.title,
      lastModifiedText: usDate(row.creation_date),
      sizeText: formatCatalogSize(row.size ?? 0),
      products,
      languages,
      supersededBy: supersededBy.map((s) => ({ title: s.title, updateId: s.id })),
      supersedes: supersedes.map((title) => ({ title })),
      moreInfoUrls: english?.moreInfoUrl ? [english.moreInfoUrl] : [],
      supportUrls: english?.supportUrl ? [english.supportUrl] : [],
      rebootBehavior: 'Can request restart',
    };
    const optional: Partial<CatalogUpdateDetails> = {
      description: english?.description,
      msrcNumber: update.securityBulletinId,
      msrcSeverity: row.msrc_severity ?? undefined,
      kb: row.kb ?? undefined,
      classification: row.classification ?? undefined,
      architecture: architectureOf(row.title),
    };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) (details as unknown as Record<string, unknown>)[key] = value;
    return renderDetailsPage(details);
  }

  #dialog(updateIDs: string): string {
    let requested: unknown;
    try {
      requested = JSON.parse(updateIDs);
    } catch {
      return renderErrorPage('8DDD0010');
    }
    const first = Array.isArray(requested) ? (requested[0] as { updateID?: unknown } | undefined) : undefined;
    const updateId = typeof first?.updateID === 'string' ? canonicalGuid(first.updateID) : undefined;
    const title = updateId === undefined ? undefined : this.#view.title(updateId);
    if (updateId === undefined || title === undefined) return renderErrorPage(catalogNotFoundCode);
    const files = this.#view.files(updateId).map((file): CatalogDownloadFile => {
      const content = syntheticFileContent(file.update_id, file.file_name);
      const base = this.#options.filesBaseUrl ?? this.#selfUrl;
      return {
        url: `${base}${filePath}${file.update_id}/${encodeURIComponent(file.file_name)}`,
        fileName: file.file_name,
        digest: crypto.createHash('sha1').update(content).digest('base64'),
        sha256: crypto.createHash('sha256').update(content).digest('base64'),
      };
    });
    return renderDownloadDialog({ updateId, title, files });
  }

}

export interface CatalogFileServerOptions {
  store: SiteStore;
  tls: { cert: Buffer; key: Buffer };
  onRequest?: (method: string, path: string, status: number, ms: number) => void;
}

/** The https server of the synthetic files, with Range support so downloads can resume. */
export class CatalogFileServer {
  readonly #options: CatalogFileServerOptions;

  constructor(options: CatalogFileServerOptions) {
    this.#options = options;
  }

  listen(host: string, port: number): Promise<RunningServer> {
    const server = https.createServer({ cert: this.#options.tls.cert, key: this.#options.tls.key }, (req, res) => this.#handle(req, res));
    return listen(server, host, port, 'https');
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = Date.now();
    const path = new URL(req.url ?? '/', 'https://files.local').pathname;
    const done = (status: number) => this.#options.onRequest?.(req.method ?? 'GET', path, status, Date.now() - started);
    const parts = path.startsWith(filePath) ? path.slice(filePath.length).split('/') : [];
    const updateId = parts.length === 2 ? canonicalGuid(parts[0]!) : undefined;
    const fileName = parts.length === 2 ? decodeURIComponent(parts[1]!) : undefined;
    const known = updateId !== undefined && fileName !== undefined && this.#options.store.catalogView.files(updateId).some((f) => f.update_id === updateId && f.file_name === fileName);
    if (!known || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return done(404);
    }
    const content = syntheticFileContent(updateId, fileName);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      if (start >= content.length) {
        res.writeHead(416, { 'content-range': `bytes */${content.length}` }).end();
        return done(416);
      }
      res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': content.length - start, 'content-range': `bytes ${start}-${content.length - 1}/${content.length}`, 'accept-ranges': 'bytes' });
      res.end(content.subarray(start));
      return done(206);
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': content.length, 'accept-ranges': 'bytes' });
    res.end(content);
    done(200);
  }
}
