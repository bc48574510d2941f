/**
 * The USS Content Download service of [MS-WSUSSS] 2.1: `GET|HEAD /Content/<folder>/<file>` with
 * HTTP/1.1 byte ranges, served from the site's content store (`sites/<CODE>/content/<update id>/
 * <file name>`, where catalog imports put files). `<folder>` is the last two hex digits of the
 * file's SHA-1; `<file>` is `<SHA-1 hex>.<ext>` as a WSUS content store names files, or the file's
 * own name. A file is served only once its SHA-1 matches the digest the site's metadata gives.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { safeFileName } from '../model/file-name.js';
import type { ServedRepository, StoredFile } from '../store/served.js';

export const CONTENT_PREFIX = '/content/';

/** Files whose digest was verified, by path, with the size and mtime they had then. */
const verified = new Map<string, { size: number; mtimeMs: number; digest: string }>();

function sha1Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha1');
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('base64')));
  });
}

/** Whether the content store holds any file (decides CatalogOnlySync for the site). */
export function contentStoreHasFiles(contentDir: string | undefined): boolean {
  if (!contentDir) return false;
  try {
    return fs.readdirSync(contentDir, { withFileTypes: true }).some((d) => d.isDirectory() && fs.readdirSync(path.join(contentDir, d.name)).some((f) => !f.endsWith('.partial') && !f.startsWith('.')));
  } catch {
    return false;
  }
}

/** The verified file on disk for a content path, or a reason it is not served. */
async function locate(served: ServedRepository, contentDir: string, folder: string, name: string): Promise<{ file: string; stored: StoredFile; stat: fs.Stats } | { missing: string }> {
  const hexName = /^([0-9a-f]{40})(\.[A-Za-z0-9]+)?$/i.exec(name);
  const digest = hexName ? Buffer.from(hexName[1]!, 'hex').toString('base64') : undefined;
  for (const stored of served.contentFileCandidates(name, digest)) {
    const hex = Buffer.from(stored.digest, 'base64').toString('hex').toUpperCase();
    if (hex.length !== 40 || !hex.endsWith(folder.toUpperCase())) continue;
    const file = path.join(contentDir, stored.updateId, safeFileName(stored.fileName));
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue;
    }
    const known = verified.get(file);
    if (!known || known.size !== stat.size || known.mtimeMs !== stat.mtimeMs || known.digest !== stored.digest) {
      if ((await sha1Of(file)) !== stored.digest) return { missing: `${name}: the stored file does not match its digest` };
      verified.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, digest: stored.digest });
    }
    return { file, stored, stat };
  }
  return { missing: `${name}: this site does not hold that file` };
}

/** A single `bytes=` range of a file of `size` bytes: [start, end], 'unsatisfiable', or undefined to send it whole. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined; // several ranges or another unit: the whole file is a valid answer
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (Number(last !== '' ? last : Infinity) < start) return undefined;
  }
  return start >= size ? 'unsatisfiable' : [start, end];
}

/** Answers GET or HEAD for a content path (`/content/<folder>/<file>`, already lower-cased for matching). */
export async function serveContent(
  served: ServedRepository,
  contentDir: string | undefined,
  rawPath: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<{ status: number; detail?: string }> {
  const text = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
    return { status, detail: body };
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Only GET and HEAD are served here', { allow: 'GET, HEAD' });
  const segments = decodeURIComponent(rawPath).split('/').filter(Boolean);
  if (segments.length !== 3 || !/^[0-9a-f]{2}$/i.test(segments[1]!)) return text(404, 'Not found: the content path is /Content/<two hex digits>/<file>');
  if (!contentDir) return text(404, 'This site serves no content (CatalogOnlySync is true: take files from Microsoft Update)');
  const found = await locate(served, contentDir, segments[1]!, segments[2]!);
  if ('missing' in found) return text(404, `Not found: ${found.missing}`);
  const { file, stored, stat } = found;
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'last-modified': stat.mtime.toUTCString(),
    etag: `"${Buffer.from(stored.digest, 'base64').toString('hex')}"`,
  };
  const range = parseRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, stat.size);
  if (range === 'unsatisfiable') return text(416, 'Range not satisfiable', { 'content-range': `bytes */${stat.size}` });
  const [start, end] = range ?? [0, stat.size - 1];
  const status = range ? 206 : 200;
  res.writeHead(status, { ...headers, 'content-length': stat.size === 0 ? 0 : end - start + 1, ...(range ? { 'content-range': `bytes ${start}-${end}/${stat.size}` } : {}) });
  if (req.method === 'HEAD' || stat.size === 0) {
    res.end();
    return { status };
  }
  await new Promise<void>((resolve) => {
    const stream = fs.createReadStream(file, { start, end });
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', resolve);
    stream.pipe(res);
  });
  return { status };
}
