/**
 * Builds test hierarchies on real files and real loopback servers: an upstream site (sync source
 * none) seeded from a generated corpus through the CLI, served by `supsync serve` as a child
 * process, and helpers to read a site database's content for comparisons.
 *
 * `cli` runs the CLI's real entry point in this process (test/helpers/in-process.ts): a node
 * start-up costs about 0.8 s of CPU, and a hierarchy test runs hundreds of command lines. Cases
 * that must prove the real process (its exit code, signals, its stdout as a pipe) use `runCli`
 * (helpers/cli.ts) or `cliProcess` below.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { storedXmlText } from '../../src/protocol/stored-xml.js';
import { type CliResult, runCli, tempDir } from './cli.js';
import { runCommandLine } from './in-process.js';
import { serveProcess } from './servers.js';

/**
 * One command line, expecting its exit code: in this process, or as a child process while another
 * command line runs here (a sync held at a gate while the test asks for the status).
 */
export async function cli(home: string, args: string[], expectedCode = 0): Promise<CliResult> {
  const result = await runCommandLine(home, args);
  expect(result.code, `supsync ${args.join(' ')}\n${result.stderr}\n${result.stdout}`).to.equal(expectedCode);
  return result;
}

/** One command line as a real child process of the built entry point, expecting its exit code: the end-to-end cases. */
export async function cliProcess(home: string, args: string[], expectedCode = 0): Promise<CliResult> {
  const result = await runCli(home, args);
  expect(result.code, `supsync ${args.join(' ')}\n${result.stderr}\n${result.stdout}`).to.equal(expectedCode);
  return result;
}

/** A home with an upstream site UPS (sync source none, no supersedence expiry) loaded with a corpus. */
export async function upstreamHome(updates: number, seed: string): Promise<{ home: string; corpus: (generation: number) => Promise<string> }> {
  const home = tempDir('supsync-sync-');
  await cli(home, ['site', 'add', '--code', 'UPS', '--role', 'primary', '--server-name', 'ups.test']);
  await cli(home, ['sup', 'set', '--site', 'UPS', '--sync-source', 'none', '--wait-months', '99', '--wait-months-for-feature', '99']);
  const corpus = async (generation: number) => {
    const file = path.join(home, `corpus-${generation}.pkg.gz`);
    // A generation is the same package every time (seeded): one made already is not made again.
    if (fs.existsSync(file)) return file;
    await cli(home, ['corpus', 'generate', '--updates', String(updates), '--seed', seed, '--generation', String(generation), '--out', file]);
    return file;
  };
  await cli(home, ['metadata', 'import', '--site', 'UPS', '--path', await corpus(1)]);
  return { home, corpus };
}

/**
 * A new home holding a copy of `template`'s sites (settings JSON, SQLite files, logs): a test that
 * needs a hierarchy a file built once in `before` works on its own copy. The template's databases
 * must be closed (nothing left in their write-ahead logs to lose).
 */
export function copyHome(template: string, prefix = 'supsync-copy-'): string {
  const home = tempDir(prefix);
  fs.cpSync(template, home, { recursive: true });
  return home;
}

export interface ServedSite {
  url: string;
  stop(): Promise<void>;
}

/** `supsync serve --site CODE --port 0` as a child process; resolves with its URL. */
export async function serveSite(home: string, code: string, extra: string[] = []): Promise<ServedSite> {
  const served = await serveProcess(home, ['serve', '--site', code, '--port', '0', ...extra], 'SupSync.Endpoint');
  return { url: String(served.record.Url), stop: served.stop };
}

/**
 * Passes one request on to `target` and its answer back; resolves when the answer is sent or the
 * client has gone. An upstream that is down (killed) resets the client's connection, as it would.
 */
export function forwardRequest(target: string, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
  return new Promise<void>((done) => {
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
      res.once('finish', () => done());
      res.once('close', () => done());
    });
    upstream.on('error', () => {
      res.destroy();
      done();
    });
    upstream.end(body);
  });
}

/**
 * A reverse proxy in front of an upstream with a gate on GetUpdateData: while the gate is closed,
 * every GetUpdateData request waits until the test passes it (`pass`) or opens the gate (`open`),
 * so a test holds a sync in its fetch phase for exactly as long as it needs — no delays, no sleeps.
 * Other operations (cookies, configuration, revision lists) always go through.
 */
export interface GatedProxy {
  url: string;
  /** Held requests from here on. */
  close(): void;
  /** Lets every held and future request through. */
  open(): void;
  /** Resolves once at least `count` requests are held (a sync is under way, waiting on the gate). */
  held(count?: number): Promise<void>;
  /** Lets `count` held requests through (waiting for them to arrive) and resolves once their answers were sent. */
  pass(count?: number): Promise<void>;
  /**
   * Resolves once no held request is live. After a killed sync: its held requests are seen gone
   * when their sockets close, which can come after the child's exit event; until then `held` and
   * `pass` would count them as the next sync's.
   */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function gatedProxy(target: string): Promise<GatedProxy> {
  let closed = false;
  const waiting: { go(): Promise<void>; gone: boolean }[] = [];
  const listeners: (() => void)[] = [];
  const notify = () => {
    for (const listener of listeners.splice(0)) listener();
  };
  const next = () => new Promise<void>((resolve) => listeners.push(resolve));
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => forwardRequest(target, req, res, body);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!closed || !body.includes('GetUpdateData')) return void forward(req, res, body);
      const entry = { go: () => forward(req, res, body), gone: false };
      // A held request whose client died (a killed sync) is never passed.
      res.once('close', () => {
        entry.gone = true;
        notify();
      });
      waiting.push(entry);
      notify();
    });
  });
  const live = () => waiting.filter((w) => !w.gone);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          closed = true;
        },
        open: () => {
          closed = false;
          for (const entry of waiting.splice(0)) if (!entry.gone) void entry.go();
        },
        held: async (count = 1) => {
          while (live().length < count) await next();
        },
        pass: async (count = 1) => {
          const sent: Promise<void>[] = [];
          for (let i = 0; i < count; i++) {
            while (live().length === 0) await next();
            const entry = live()[0]!;
            waiting.splice(waiting.indexOf(entry), 1);
            sent.push(entry.go());
          }
          await Promise.all(sent);
        },
        idle: async () => {
          while (live().length > 0) await next();
        },
        stop: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

/** Every update of a site: id → "revision|expired|sha1 of the stored XML". */
export function siteContent(home: string, code: string, options: { liveOnly?: boolean } = {}): Map<string, string> {
  const db = new Database(path.join(home, 'sites', code, 'site.db'), { readonly: true });
  try {
    const rows = db.prepare(`SELECT update_id, revision, expired, metadata, metadata_format FROM updates LEFT JOIN update_documents USING (update_key) ${options.liveOnly ? 'WHERE expired = 0' : ''}`).all() as {
      update_id: string;
      revision: number;
      expired: number;
      metadata: Buffer;
      metadata_format: number;
    }[];
    // The XML's text: a child keeps the cabinet its parent served, the parent may keep it deflated.
    const text = (r: (typeof rows)[number]) => storedXmlText({ format: r.metadata_format === 1 ? 'cabinet' : 'deflate', bytes: r.metadata }, r.update_id);
    return new Map(rows.map((r) => [r.update_id, `${r.revision}|${options.liveOnly ? '' : r.expired}|${crypto.createHash('sha1').update(text(r)).digest('hex')}`]));
  } finally {
    db.close();
  }
}

/** Revisions only (id → revision), for comparing sites whose expiry differs. */
export function siteRevisions(home: string, code: string, where = '1 = 1'): Map<string, number> {
  const db = new Database(path.join(home, 'sites', code, 'site.db'), { readonly: true });
  try {
    return new Map((db.prepare(`SELECT update_id, revision FROM updates WHERE ${where}`).raw().all() as [string, number][]).map(([id, rev]) => [id, rev]));
  } finally {
    db.close();
  }
}

export function query<T>(home: string, code: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path.join(home, 'sites', code, 'site.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
