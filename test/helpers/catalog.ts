/**
 * Loopback servers for the catalog tests: a scripted catalog (each test decides every answer),
 * a self-signed certificate made with openssl, a forward proxy in front of a real catalog server
 * that can break chosen answers, and `supsync catalog serve` as a child process.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { cliPath } from './fixtures.js';

export interface Listening {
  url: string;
  /** `127.0.0.1:port`. */
  host: string;
  close(): Promise<void>;
}

export function listen(server: http.Server, scheme: 'http' | 'https' = 'http', host = '127.0.0.1'): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `${scheme}://${host}:${port}`,
        host: `${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export interface Certificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/** A self-signed certificate for 127.0.0.1, or undefined when openssl is missing. */
export function makeCertificate(dir: string): Certificate | undefined {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2', '-keyout', keyFile, '-out', certFile],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return { certFile, keyFile, cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What a scripted answer may do: answer, or hang (never answer) to provoke a timeout. */
export type Answer = { status?: number; body: string; headers?: Record<string, string> } | 'hang';

/** An HTTP server whose every answer the test scripts; it records the requests it saw. */
export async function scriptedServer(answer: (request: RecordedRequest, count: number) => Answer | Promise<Answer>): Promise<Listening & { requests: RecordedRequest[]; inFlight: { now: number; max: number } }> {
  const requests: RecordedRequest[] = [];
  const inFlight = { now: 0, max: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      inFlight.now++;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      res.on('close', () => inFlight.now--);
      void Promise.resolve(answer(request, requests.length)).then((a) => {
        if (a === 'hang') return;
        res.writeHead(a.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...a.headers });
        res.end(a.body);
      });
    });
  });
  return { ...(await listen(server)), requests, inFlight };
}

export interface ServerProcess {
  /** The record the server printed once listening. */
  record: Record<string, unknown>;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A `supsync ... serve` command as a child process; resolves with the record of `type` it prints once listening. */
export function serveProcess(home: string, args: string[], type: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [cliPath, '--home', home, '--output', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes(type));
      if (!line) return;
      resolve({
        record: JSON.parse(line) as Record<string, unknown>,
        process: child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`supsync ${args.join(' ')} exited with ${code}: ${err}`)));
  });
}

/**
 * A reverse proxy in front of a catalog: `rewrite` may replace an answer (or hang it), keyed on
 * the request; everything else passes through unchanged.
 */
export async function catalogFront(
  target: string,
  rewrite: (request: RecordedRequest, upstream: () => Promise<string>) => Promise<Answer | undefined> | Answer | undefined,
): Promise<Listening & { requests: RecordedRequest[] }> {
  const forward = (request: RecordedRequest): Promise<string> =>
    new Promise((resolve, reject) => {
      const out = http.request(`${target}${request.url}`, { method: request.method, headers: { ...request.headers, host: new URL(target).host } }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      out.on('error', reject);
      out.end(request.body);
    });
  const server = await scriptedServer(async (request) => (await rewrite(request, () => forward(request))) ?? { body: await forward(request) });
  return server;
}
