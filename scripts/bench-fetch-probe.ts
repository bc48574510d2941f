/**
 * The fetch-only probe of `bench-fanout.js … fetch`: a client of a SUP endpoint that costs the
 * endpoint what a child costs it and itself next to nothing, so that the endpoint, not its clients,
 * is what the benchmark's two cores run out of. It is a capacity measure of the parent, not a
 * child: it does the handshake and lists every update like a child (through the protocol codec),
 * then posts GetUpdateData for every update in the endpoint's batches, 4 in flight, asking for
 * plain answers (`Accept-Encoding: identity`, as a supsync child does on loopback), and counts the
 * answers' bytes and checks each is a 200 that names its last update, without parsing them.
 * Prints a JSON line like `bench-run.js`: updates, seconds, bytes, CPU, peak RSS.
 * Usage: node dist/scripts/bench-fetch-probe.js <url>
 */
import http from 'node:http';
import crypto from 'node:crypto';
import type { RevisionKey } from '../src/model/update.js';
import { DSS_AUTH_PATH, buildRequest, parseResponse, type Cookie, type RequestMessage, type ResponseOf } from '../src/protocol/soap/index.js';
import { measured, printMeasurement } from './bench-measurement.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function post(url: string, soapAction: string, body: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapAction, 'accept-encoding': 'identity' } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.once('end', () => resolve({ status: answer.statusCode ?? 0, body: Buffer.concat(chunks) }));
      answer.once('error', reject);
    });
    request.once('error', reject);
    request.end(body);
  });
}

/** One protocol call through the codec (the handshake and the list: a child's few large-enough calls). */
async function call<M extends RequestMessage>(base: string, message: M, path?: string): Promise<ResponseOf<M['operation']>> {
  const request = buildRequest(message);
  const answer = await post(`${base}${path ?? request.path}`, request.soapAction, request.body);
  if (answer.status !== 200) throw new Error(`${message.operation}: HTTP ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
  return parseResponse(message.operation, answer.body.toString('utf8')) as ResponseOf<M['operation']>;
}

async function main() {
  const base = process.argv[2]!;
  const started = performance.now();
  const auth = await call(base, { operation: 'GetAuthorizationCookie', accountName: 'fetch-probe.test', accountGuid: crypto.randomUUID() }, DSS_AUTH_PATH);
  const { cookie } = await call(base, { operation: 'GetCookie', authCookies: [{ plugInId: auth.plugInId, cookieData: auth.cookieData }], protocolVersion: '1.20' });
  const config = await call(base, { operation: 'GetConfigData', cookie });
  const ids = (await call(base, { operation: 'GetRevisionIdList', cookie, filter: { getConfig: false } })).newRevisions;
  const size = config.maxNumberOfUpdatesPerRequest;
  let updates = 0;
  let bytes = 0;
  let next = 0;
  const fetchBatch = async (batch: RevisionKey[], withCookie: Cookie) => {
    const request = buildRequest({ operation: 'GetUpdateData', cookie: withCookie, updateIds: batch });
    const answer = await post(`${base}${request.path}`, request.soapAction, request.body);
    // Not parsed: enough to know it is the whole answer to this batch.
    const last = batch[batch.length - 1]!.updateId;
    if (answer.status !== 200 || !answer.body.includes(last)) throw new Error(`GetUpdateData: HTTP ${answer.status}, ${answer.body.length} bytes, ${answer.body.includes(last) ? '' : 'without its last update '}${answer.body.toString().slice(0, 300)}`);
    updates += batch.length;
    bytes += answer.body.length;
  };
  const lane = async () => {
    while (next < ids.length) await fetchBatch(ids.slice(next, (next += size)), cookie);
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  agent.destroy();
  return measured(started, updates, bytes);
}

printMeasurement(main);
