/**
 * Loopback servers for the catalog tests: a scripted catalog (each test decides every answer) and
 * a forward proxy in front of a real catalog server that can break chosen answers.
 */
import http from 'node:http';
import { type Listening, listen } from './servers.js';

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
