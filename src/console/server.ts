/**
 * The web console: an admin HTTP(S) server (fastify for routing, eta templates, uPlot for the run
 * chart) showing the hierarchy's synchronization status, a site's history, its wsyncmgr.log, the
 * updates, and — when the supsync service serves it — the Synchronize Software Updates action.
 *
 * Security: bound to loopback, read-only views need no credential, and a Host other than a
 * loopback name is refused (a DNS-rebinding page cannot read them); bound to any other address it
 * needs HTTPS and an admin credential for everything. The sync action always needs the credential,
 * a JSON body, the page's CSRF token and a same-origin Origin, so a cross-site form or script
 * cannot start a sync with the browser's cached credential. Pages show hashes of nothing and no
 * password: the proxy password and the credential never leave the home.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { BusyError, InvalidArgumentError, InvalidOperationError, IoError, NotFoundError, SupsyncError, asSupsyncError } from '../errors.js';
import { type LogCursor, readLogSince, readSiteLog } from '../log/index.js';
import { canonicalGuid } from '../model/update.js';
import { type SiteControl, normalizeSiteCode, redactProxy } from '../model/site.js';
import { listAlerts } from '../store/alert-db.js';
import { readConsoleSettings } from '../store/console-settings.js';
import type { Tristate } from '../store/console-queries.js';
import type { Home } from '../store/home.js';
import { describeSchedule, validateSchedule } from '../schedule/index.js';
import { isLoopback, shownUrl } from './address.js';
import { authenticate, hasCredential } from './credentials.js';
import { type SiteStatus, SiteStores, hierarchy, siteStatus } from './status-model.js';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** What the service lends the console: queuing a sync of a site it hosts. */
export interface SyncAction {
  /** Queues a sync like `supsync sync` does; throws a SupsyncError when it cannot. */
  request(code: string, full: boolean, requestedBy: string): { queuedBehindRun: number | null };
}

export interface ConsoleOptions {
  home: Home;
  host: string;
  port: number;
  tls?: TlsFiles;
  /** Absent: a read-only console (`supsync console`). */
  sync?: SyncAction;
  /** `/metrics` in the Prometheus text format (the service's own metrics, with its SUP endpoints' requests). */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** How often live views look for changes (default 500 ms). */
  pollMs?: number;
}

export interface RunningConsole {
  url: string;
  readOnly: boolean;
  close(): Promise<void>;
}

const consoleDir = path.dirname(fileURLToPath(import.meta.url));
/** Templates and client assets are files beside the sources; from dist/ they are found in the package's src/. */
const sourceDir = fs.existsSync(path.join(consoleDir, 'views')) ? consoleDir : path.resolve(consoleDir, '..', '..', '..', 'src', 'console');
const uplotDir = path.dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
const assets: Record<string, { file: string; type: string }> = {
  'console.js': { file: path.join(sourceDir, 'assets', 'console.js'), type: 'text/javascript; charset=utf-8' },
  'console.css': { file: path.join(sourceDir, 'assets', 'console.css'), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { file: path.join(uplotDir, 'dist', 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: path.join(uplotDir, 'dist', 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

class HttpError extends SupsyncError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message, status === 401 || status === 403 ? 'PermissionDenied' : 'InvalidArgument', 2);
    this.status = status;
  }
}

function statusOf(error: SupsyncError): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof InvalidArgumentError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof BusyError || error instanceof InvalidOperationError) return 409;
  return 500;
}

const reasons: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error' };

/** `1 h 05 min`, `3 min 20 s`, `12 s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${Math.max(0, Math.round(seconds * 10) / 10)} s`;
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

type Query = Record<string, string>;

/** The query string as single values; a repeated or unknown parameter is a 400 naming it. */
function readQuery(request: FastifyRequest, allowed: readonly string[]): Query {
  const raw = request.query as Record<string, unknown>;
  const out: Query = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError('UnknownQueryParameter', `Unknown query parameter '${key}'${allowed.length ? `: this page takes ${allowed.join(', ')}` : ': this page takes none'}`, { target: key });
    }
    if (typeof value !== 'string') throw new InvalidArgumentError('InvalidQueryParameter', `Query parameter '${key}' was given more than once`, { target: key });
    out[key] = value;
  }
  return out;
}

function wholeNumber(query: Query, key: string, min: number, max: number, fallback: number): number {
  const text = query[key];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new InvalidArgumentError('InvalidQueryParameter', `Query parameter '${key}' must be a whole number from ${min} to ${max}, not '${text}'`, { target: key });
  }
  return Number(text);
}

function choice<T extends string>(query: Query, key: string, choices: readonly T[], fallback: T): T {
  const text = query[key];
  if (text === undefined || text === '') return fallback;
  if (!choices.includes(text as T)) throw new InvalidArgumentError('InvalidQueryParameter', `Query parameter '${key}' must be one of ${choices.join(', ')}, not '${text}'`, { target: key });
  return text as T;
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const { home, host, port, tls } = options;
  const loopback = isLoopback(host);
  if (!loopback && !tls) {
    throw new InvalidArgumentError('ConsoleHttpsRequired', `The console on ${host} (not loopback) is served over HTTPS only: give a certificate and key`, { target: host });
  }
  if (!loopback && !hasCredential(readConsoleSettings(home.root))) {
    throw new InvalidOperationError('ConsoleCredentialRequired', `The console on ${host} (not loopback) needs an admin credential: set one with "supsync console credential"`, { target: host });
  }
  const csrfToken = crypto.randomBytes(24).toString('base64url');
  const pollMs = options.pollMs ?? 500;
  const stores = new SiteStores(home);
  const eta = new Eta({ views: path.join(sourceDir, 'views'), cache: true, autoEscape: true, autoTrim: false });
  const scheme = tls ? 'https' : 'http';
  const closers = new Set<() => void>();
  const verified = new Map<string, string>();
  let verifiedFor = '';

  const app = (tls ? Fastify({ https: { cert: tls.cert, key: tls.key }, logger: false, routerOptions: { maxParamLength: 100 } }) : Fastify({ logger: false, routerOptions: { maxParamLength: 100 } })) as unknown as FastifyInstance;

  /** Who the request's credential names, or undefined; verified hashes are remembered while the settings stay the same. */
  const userOf = (request: FastifyRequest): string | undefined => {
    const header = request.headers.authorization;
    if (!header) return undefined;
    const settings = readConsoleSettings(home.root);
    const version = JSON.stringify(settings);
    if (version !== verifiedFor) {
      verified.clear();
      verifiedFor = version;
    }
    const key = crypto.createHash('sha256').update(header).digest('base64');
    if (verified.has(key)) return verified.get(key);
    const user = authenticate(header, settings);
    if (user !== undefined) verified.set(key, user);
    return user;
  };
  const requireCredential = (request: FastifyRequest, reply: FastifyReply): string => {
    if (!hasCredential(readConsoleSettings(home.root))) {
      throw new HttpError(403, 'NoAdminCredential', 'No admin credential is set for this console: set one with "supsync console credential" on the server');
    }
    const user = userOf(request);
    if (user === undefined) {
      reply.header('WWW-Authenticate', 'Basic realm="supsync console", charset="UTF-8"');
      throw new HttpError(401, request.headers.authorization ? 'CredentialRejected' : 'CredentialRequired', request.headers.authorization ? 'The admin credential is wrong' : 'This needs the admin credential (HTTP Basic user and password, or the admin token)');
    }
    return user;
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'same-origin');
    reply.header('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
    reply.header('Cache-Control', 'no-store');
    if (loopback) {
      // A page on another name resolving to 127.0.0.1 (DNS rebinding) must not read the console.
      const hostname = (request.headers.host ?? '').replace(/:\d+$/, '');
      if (!isLoopback(hostname)) throw new HttpError(403, 'HostNotAllowed', `This console answers to loopback names only, not '${request.headers.host ?? ''}'`);
    } else {
      requireCredential(request, reply);
    }
  });

  const wantsHtml = (request: FastifyRequest) => request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/events/') && (request.headers.accept ?? '').includes('text/html');
  const sendError = (request: FastifyRequest, reply: FastifyReply, error: SupsyncError, status: number) => {
    if (!wantsHtml(request)) return reply.code(status).type('application/json; charset=utf-8').send({ error: { status, code: error.code, message: error.message } });
    const body = eta.render('./error', { status, reason: reasons[status] ?? '', message: error.message, code: error.code });
    return reply.code(status).type('text/html; charset=utf-8').send(page(request, { title: `${status} ${reasons[status] ?? ''}`, page: 'error', body }));
  };
  app.setErrorHandler((thrown, request, reply) => {
    const fastifyStatus = (thrown as { statusCode?: number }).statusCode;
    if (!(thrown instanceof SupsyncError) && fastifyStatus !== undefined && fastifyStatus >= 400 && fastifyStatus < 500) {
      // fastify's own: a body that is not JSON, too large, an unsupported content type.
      const error = new HttpError(fastifyStatus, (thrown as { code?: string }).code ?? 'BadRequest', (thrown as Error).message);
      return sendError(request, reply, error, fastifyStatus);
    }
    const error = asSupsyncError(thrown);
    return sendError(request, reply, error, statusOf(error));
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new HttpError(404, 'PageNotFound', `There is no page ${request.url.split('?')[0]}`), 404));

  const alertsHtml = () => eta.render('./alerts', { alerts: listAlerts(home, { state: 'Active' }) });
  const topSite = () => hierarchy(home)[0]?.site.code;
  function page(_request: FastifyRequest, data: { title: string; page: string; body: string; site?: string; chart?: boolean }): string {
    return eta.render('./layout', {
      ...data,
      csrf: csrfToken,
      topSite: topSite(),
      alerts: alertsHtml(),
      mode: options.sync ? 'service' : 'read-only',
      modeTitle: options.sync ? 'Served by the supsync service: Synchronize Software Updates is available on the top-level site' : 'supsync console: read-only; the service serves the sync action',
    });
  }
  const html = (reply: FastifyReply, text: string) => reply.type('text/html; charset=utf-8').send(text);

  const siteParam = (request: FastifyRequest): SiteControl => {
    const code = normalizeSiteCode((request.params as { code: string }).code, 'site');
    return home.site(code);
  };
  const statuses = () => {
    const now = Date.now();
    return new Map(home.sites().map((site) => [site.code, siteStatus(home, stores, site, now)]));
  };
  const renderCard = (s: SiteStatus) => eta.render('./site-card', { s, duration: formatDuration });

  app.get('/', async (_request, reply) => reply.redirect('/status'));

  app.get('/status', async (request, reply) => {
    readQuery(request, []);
    const body = eta.render('./status', { tree: hierarchy(home), statuses: statuses(), duration: formatDuration });
    return html(reply, page(request, { title: 'Synchronization status', page: 'status', body }));
  });

  app.get('/api/status', async (request) => {
    readQuery(request, []);
    return [...statuses().values()];
  });

  const historyData = (site: SiteControl) => {
    const store = stores.get(site.code);
    const runs = store.runs.history(50);
    const lastRun = runs[runs.length - 1];
    const chart = {
      time: runs.map((r) => Math.floor(Date.parse(r.started_at) / 1000)),
      duration: runs.map((r) => (r.ended_at ? Math.round((Date.parse(r.ended_at) - Date.parse(r.started_at)) / 100) / 10 : null)),
      new: runs.map((r) => r.new_count),
      revised: runs.map((r) => r.revised_count),
      expired: runs.map((r) => r.expired_count),
    };
    return {
      runs,
      lastRun,
      counts: lastRun ? store.console.runCountsByProductClassification(lastRun.id) : [],
      chartJson: JSON.stringify(chart).replaceAll('<', '\\u003c'),
      status: siteStatus(home, stores, site),
      duration: formatDuration,
    };
  };

  app.get('/sites/:code', async (request, reply) => {
    readQuery(request, []);
    const site = siteParam(request);
    const history = historyData(site);
    const body = eta.render('./site', {
      ...history,
      site,
      settings: settingsOf(site, stores.get(site.code).categories.known()),
      children: home.localChildren(site.code),
      shownUrl,
      canSync: options.sync !== undefined,
      syncUnavailable: 'This console is read-only: Synchronize Software Updates is served by "supsync service" (its --admin-listen address), or run "supsync sync".',
    });
    return html(reply, page(request, { title: `Site ${site.code}`, page: 'site', site: site.code, chart: true, body }));
  });

  app.get('/sites/:code/history', async (request, reply) => {
    readQuery(request, []);
    return html(reply, eta.render('./history', historyData(siteParam(request))));
  });

  app.get('/sites/:code/log', async (request, reply) => {
    const query = readQuery(request, ['q', 'limit']);
    const limit = wholeNumber(query, 'limit', 1, 1_000_000, 10_000);
    const site = siteParam(request);
    const logDir = home.sitePaths(site.code).logDir;
    const { entries, cursor } = readSiteLog(logDir);
    const shown = entries.slice(-limit);
    const rows = eta.render('./log-rows', { entries: shown, file: undefined });
    const body = eta.render('./log', { code: site.code, path: path.join(logDir, 'wsyncmgr.log'), q: query.q ?? '', cursor, rows, truncated: entries.length - shown.length });
    return html(reply, page(request, { title: `${site.code} wsyncmgr.log`, page: 'log', site: site.code, body }));
  });

  const updatesQuery = ['kb', 'title', 'product', 'classification', 'superseded', 'expired', 'page'] as const;
  const tristates: readonly Tristate[] = ['any', 'only', 'exclude'];
  app.get('/sites/:code/updates', async (request, reply) => {
    const query = readQuery(request, updatesQuery);
    const site = siteParam(request);
    const store = stores.get(site.code);
    const known = store.categories.known();
    const category = (key: 'product' | 'classification', list: { id: string; title: string }[]) => {
      const text = query[key];
      if (text === undefined || text === '') return undefined;
      const guid = canonicalGuid(text);
      const found = list.find((c) => c.id === guid || c.title.toLowerCase() === text.toLowerCase());
      if (!found) throw new InvalidArgumentError('InvalidQueryParameter', `Query parameter '${key}': ${site.code} knows no ${key} '${text}'`, { target: key });
      return found.id;
    };
    let kb: string | undefined;
    if (query.kb !== undefined && query.kb.trim() !== '') {
      kb = /^(?:kb)?(\d{1,10})$/i.exec(query.kb.trim())?.[1];
      if (!kb) throw new InvalidArgumentError('InvalidQueryParameter', `Query parameter 'kb' must be a KB number (e.g. 5034441 or KB5034441), not '${query.kb}'`, { target: 'kb' });
    }
    const pageNo = wholeNumber(query, 'page', 1, 1_000_000, 1);
    const pageSize = 50;
    const productId = category('product', known.products);
    const classificationId = category('classification', known.classifications);
    const superseded = choice(query, 'superseded', tristates, 'any');
    const expired = choice(query, 'expired', tristates, 'exclude');
    const title = query.title?.trim() ? query.title.trim() : undefined;
    const result = store.console.searchUpdates({
      ...(kb ? { kb } : {}),
      ...(title ? { title } : {}),
      ...(productId ? { productId } : {}),
      ...(classificationId ? { classificationId } : {}),
      superseded,
      expired,
      limit: pageSize,
      offset: (pageNo - 1) * pageSize,
    });
    const link = (n: number) => {
      const params = new URLSearchParams(Object.entries({ ...query, page: String(n) }).filter(([, v]) => v !== ''));
      return `/sites/${site.code}/updates?${params.toString()}`;
    };
    const body = eta.render('./updates', {
      code: site.code,
      query: { ...query, product: productId, classification: classificationId, superseded, expired },
      products: known.products,
      classifications: known.classifications,
      total: result.total,
      rows: result.rows,
      offset: (pageNo - 1) * pageSize,
      prev: pageNo > 1 ? link(pageNo - 1) : undefined,
      next: pageNo * pageSize < result.total ? link(pageNo + 1) : undefined,
    });
    return html(reply, page(request, { title: `${site.code} updates`, page: 'updates', site: site.code, body }));
  });

  app.get('/sites/:code/updates/:id', async (request, reply) => {
    readQuery(request, []);
    const site = siteParam(request);
    const text = (request.params as { id: string }).id;
    const id = canonicalGuid(text);
    if (!id) throw new InvalidArgumentError('InvalidUpdateId', `'${text}' is not an update ID (a GUID)`, { target: 'id' });
    const store = stores.get(site.code);
    const update = store.console.updateDetail(id);
    if (!update) throw new NotFoundError('UpdateNotFound', `Site ${site.code} has no update ${id}`, { target: id });
    const body = eta.render('./update', { code: site.code, update, relations: store.console.updateRelations(id) });
    return html(reply, page(request, { title: update.title, page: 'update', site: site.code, body }));
  });

  app.get('/sites/:code/sync', async (_request, reply) => {
    reply.header('Allow', 'POST');
    throw new HttpError(405, 'MethodNotAllowed', 'Synchronize Software Updates is a POST from the site page');
  });

  app.post('/sites/:code/sync', { bodyLimit: 1024 }, async (request, reply) => {
    if (!options.sync) {
      throw new HttpError(405, 'ConsoleReadOnly', 'This console is read-only (supsync console): the sync action is served by "supsync service" on its --admin-listen address');
    }
    checkSameOrigin(request, scheme, csrfToken);
    const user = requireCredential(request, reply);
    const body = request.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).some((k) => k !== 'full') || ('full' in body && typeof body.full !== 'boolean')) {
      throw new InvalidArgumentError('InvalidSyncRequest', 'The body must be a JSON object {"full": true|false}', { target: 'body' });
    }
    const full = (body as { full?: boolean }).full === true;
    const site = siteParam(request);
    const status = siteStatus(home, stores, site);
    if (!status.topLevel) {
      const top = home.topLevelOf(site.code)?.code;
      throw new InvalidOperationError('NotTopLevelSite', `Synchronize Software Updates runs on the top-level site${top ? ` ${top}` : ''}; ${site.code} syncs after its parent`, { target: site.code });
    }
    const queued = options.sync.request(site.code, full, user);
    return reply.code(202).send({ SiteCode: site.code, FullSync: full, Queued: true, QueuedBehindRun: queued.queuedBehindRun, Url: `/sites/${site.code}` });
  });

  app.get('/assets/:name', async (request, reply) => {
    const asset = assets[(request.params as { name: string }).name];
    if (!asset) throw new HttpError(404, 'AssetNotFound', `There is no asset ${(request.params as { name: string }).name}`);
    reply.header('Cache-Control', 'no-cache');
    return reply.type(asset.type).send(fs.readFileSync(asset.file));
  });

  app.get('/metrics', async (request, reply) => {
    readQuery(request, []);
    const { contentType, body } = await options.metrics();
    return reply.type(contentType).send(body);
  });

  // Server-Sent Events: the status of every site, pushed when it changes.
  const statusFeed = new Feed(pollMs, statuses);
  app.get('/events/status', (request, reply) => {
    readQuery(request, []);
    const stream = openStream(reply);
    const sent = new Map<string, string>();
    let codes = '';
    const push = (now: Map<string, SiteStatus>) => {
      const list = [...now.keys()].join(',');
      if (codes !== '' && list !== codes) stream.send('reload', {});
      codes = list;
      for (const [code, s] of now) {
        const key = JSON.stringify(s);
        if (sent.get(code) === key) continue;
        sent.set(code, key);
        stream.send('site', { code, health: s.health, lastRunId: s.lastRunId ?? null, html: renderCard(s) });
      }
    };
    const stop = statusFeed.subscribe((now, error) => (error ? stream.send('problem', { message: error.message }) : push(now!)));
    push(statuses());
    closers.add(stream.end);
    request.raw.on('close', () => {
      stop();
      closers.delete(stream.end);
    });
  });

  app.get('/events/sites/:code/log', (request, reply) => {
    const query = readQuery(request, ['ino', 'offset']);
    const site = siteParam(request);
    const logDir = home.sitePaths(site.code).logDir;
    let cursor: LogCursor = query.ino !== undefined || query.offset !== undefined ? { ino: wholeNumber(query, 'ino', 0, Number.MAX_SAFE_INTEGER, 0), offset: wholeNumber(query, 'offset', 0, Number.MAX_SAFE_INTEGER, 0) } : readSiteLog(logDir).cursor;
    const stream = openStream(reply);
    const timer = setInterval(() => {
      try {
        const next = readLogSince(logDir, cursor);
        cursor = next.cursor;
        if (next.entries.length > 0) stream.send('entries', { html: eta.render('./log-rows', { entries: next.entries, file: 'wsyncmgr.log' }), ino: cursor.ino, offset: cursor.offset });
      } catch (error) {
        stream.send('problem', { message: asSupsyncError(error).message });
      }
    }, pollMs);
    const end = () => {
      clearInterval(timer);
      stream.end();
    };
    closers.add(end);
    request.raw.on('close', () => {
      clearInterval(timer);
      closers.delete(end);
    });
  });

  try {
    await app.listen({ host, port });
  } catch (error) {
    stores.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new BusyError('ConsolePortInUse', `The console cannot listen on ${host}:${port}: the port is in use`, { target: `${host}:${port}`, cause: error });
    throw new IoError('ConsoleListenFailed', `The console cannot listen on ${host}:${port}: ${(error as Error).message}`, { target: `${host}:${port}`, cause: error });
  }
  const address = app.server.address() as net.AddressInfo;
  const shownHost = net.isIPv6(host) ? `[${host}]` : host;
  return {
    url: `${scheme}://${shownHost}:${address.port}`,
    readOnly: options.sync === undefined,
    close: async () => {
      statusFeed.stop();
      for (const close of [...closers]) close();
      await app.close();
      stores.close();
    },
  };
}

/** The sync action's guard against cross-site requests: JSON only, the page's CSRF token, a same-origin Origin. */
function checkSameOrigin(request: FastifyRequest, scheme: string, csrfToken: string): void {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json') throw new HttpError(415, 'JsonRequired', 'The sync action takes a JSON body (Content-Type: application/json)');
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${scheme}://${request.headers.host ?? ''}`) {
    throw new HttpError(403, 'CrossSiteRequest', `A request from ${origin} cannot start a sync: only the console's own pages can`);
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'CrossSiteRequest', `A ${site} request cannot start a sync: only the console's own pages can`);
  const token = request.headers['x-csrf-token'];
  const given = Buffer.from(typeof token === 'string' ? token : '');
  const expected = Buffer.from(csrfToken);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new HttpError(403, 'CsrfTokenInvalid', 'The request does not carry this console\'s CSRF token (X-CSRF-Token): reload the page and try again');
  }
}

function settingsOf(site: SiteControl, known: { products: { id: string; title: string }[]; classifications: { id: string; title: string }[] }): [string, string][] {
  const sup = site.sup;
  // A selection made by GUID before the first sync keeps the GUID as its title; the site knows better now.
  const titles = new Map([...known.products, ...known.classifications].map((c) => [c.id, c.title]));
  const title = (c: { id: string; title: string }) => (c.title === c.id ? (titles.get(c.id) ?? c.title) : c.title);
  const source = sup.syncSource.kind === 'upstream' ? `upstream server ${shownUrl(sup.syncSource.upstreamUrl ?? '')}` : sup.syncSource.kind === 'microsoft-update' ? 'Microsoft Update' : 'none (imports only)';
  let schedule = 'off (syncs on requests only)';
  if (sup.schedule != null) {
    try {
      schedule = describeSchedule(validateSchedule(sup.schedule));
    } catch (error) {
      schedule = `not valid: ${asSupsyncError(error).message}`;
    }
  }
  const proxy = redactProxy(sup.proxy);
  const months = (immediately: boolean, wait: number) => (immediately ? 'immediately' : `after ${wait} month${wait === 1 ? '' : 's'}`);
  return [
    ['Role', site.role],
    ['Parent', site.parent ?? '(top-level site)'],
    ['Sync source', source],
    ['Schedule', schedule],
    ['Products', sup.products.map(title).join(', ') || '(none)'],
    ['Classifications', sup.classifications.map(title).join(', ') || '(none)'],
    ['Languages (update files)', sup.languageUpdateFiles.join(', ')],
    ['Languages (summary details)', sup.languageSummaryDetails.join(', ')],
    ['Superseded updates expire', months(sup.supersedence.immediatelyExpire, sup.supersedence.waitMonths)],
    ['Superseded feature updates expire', months(sup.supersedence.immediatelyExpireFeature, sup.supersedence.waitMonthsFeature)],
    ['Sync failure alert', sup.enableSyncFailureAlert ? 'on' : 'off'],
    ['WSUS cleanup after sync', sup.enableCallWsusCleanupWizard ? 'on' : 'off'],
    ['Proxy', proxy ? `${proxy.url}${proxy.username ? ` as ${proxy.username}` : ''}${proxy.hasPassword ? ' (password set)' : ''}` : 'none'],
    ['Next sync is full', sup.fullSyncRequired ? 'yes (settings changed)' : 'no'],
    ['SUP endpoint URL', site.url ? shownUrl(site.url) : '(none)'],
  ];
}

interface Stream {
  send(event: string, data: unknown): void;
  end(): void;
}

function openStream(reply: FastifyReply): Stream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Content-Type-Options': 'nosniff',
  });
  raw.write('retry: 2000\n\n');
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
  raw.on('close', () => clearInterval(heartbeat));
  return {
    send: (event, data) => {
      if (!raw.writableEnded) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end: () => {
      clearInterval(heartbeat);
      if (!raw.writableEnded) raw.end();
    },
  };
}

/** One timer and one reading for every subscriber of a live view, running only while someone listens. */
class Feed<T> {
  readonly #ms: number;
  readonly #read: () => T;
  readonly #subscribers = new Set<(value: T | undefined, error?: SupsyncError) => void>();
  #timer: NodeJS.Timeout | undefined;
  constructor(ms: number, read: () => T) {
    this.#ms = ms;
    this.#read = read;
  }
  subscribe(fn: (value: T | undefined, error?: SupsyncError) => void): () => void {
    this.#subscribers.add(fn);
    this.#timer ??= setInterval(() => {
      let value: T | undefined;
      let error: SupsyncError | undefined;
      try {
        value = this.#read();
      } catch (thrown) {
        error = asSupsyncError(thrown);
      }
      for (const subscriber of this.#subscribers) subscriber(value, error);
    }, this.#ms);
    return () => {
      this.#subscribers.delete(fn);
      if (this.#subscribers.size === 0) this.stop();
    };
  }
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
