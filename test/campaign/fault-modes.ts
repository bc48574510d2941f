/**
 * The upstream fault modes of issue 16's campaign: a proxy in front of a real SUP endpoint that,
 * per mode, answers some requests the way a broken or hostile upstream would (5xx, SOAP faults,
 * truncated or malformed bodies, the wrong content type, a reset mid-body, a stall, a trickle, a
 * redirect loop, an oversize answer, refused cookies, empty lists, corrupt update data, an anchor
 * ahead of the server's data), plus upstreams that cannot be reached at all (TLS failures, a closed
 * port). Each mode says what must come of it: a clean failure (6703, a retry time, exit 5, the
 * error code, nothing half-written) or a recovery (the sync ends with the upstream's content).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Forwarded {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FaultContext {
  operation: string;
  /** 1-based, per operation, counted from the start of the mode's sync. */
  call: number;
  body: string;
  res: http.ServerResponse;
  /** The real upstream's answer to this request. */
  forward(): Promise<Forwarded>;
}

/** Answers the request (returns true) or lets it through to the upstream (false). */
export type Fault = (context: FaultContext) => Promise<boolean> | boolean;

export interface FaultMode {
  name: string;
  /** What a sync meets. */
  what: string;
  fault?: Fault;
  /** The site's upstream URL instead of the proxy's (unreachable upstreams). */
  upstreamUrl?: (endpoints: FaultEndpoints) => string;
  /** A first sync with the fault in place, whose result the mode does not judge (it leaves a state behind). */
  before?: boolean;
  /** Run inside `npm test` too (one of each kind); the others only in `npm run campaign`. */
  inSuite?: boolean;
  /**
   * failed: the exit code is 5 (upstream), or 4 (data) where the answer itself cannot be read —
   * received data that is malformed is a data error, as docs/commands.md's table has it.
   */
  expect: { outcome: 'failed'; code: RegExp; exit: 4 | 5 } | { outcome: 'recovered' } | { outcome: 'accepted'; check: 'nothing-stored' };
}

export interface FaultEndpoints {
  proxy: string;
  /** https with a certificate nobody trusts. */
  untrustedTls: string;
  /** A port nothing listens on. */
  closedPort: string;
}

const soapFault = (code: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Fault occurred</faultstring><detail><ErrorCode>${code}</ErrorCode><Message></Message><ID>1</ID><Method></Method></detail></soap:Fault></soap:Body></soap:Envelope>`;

const answer = (res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/xml; charset=utf-8', extra: http.OutgoingHttpHeaders = {}) => {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
  return true;
};

/** Sends the real answer in `slices` pieces `gapMs` apart. */
async function trickle(c: FaultContext, slices: number, gapMs: number): Promise<boolean> {
  const real = await c.forward();
  c.res.writeHead(real.status, { 'content-type': String(real.headers['content-type']), 'content-length': real.body.length });
  const size = Math.ceil(real.body.length / slices);
  for (let i = 0; i < real.body.length && !c.res.destroyed; i += size) {
    c.res.write(real.body.subarray(i, i + size));
    await new Promise((r) => setTimeout(r, gapMs));
  }
  c.res.end();
  return true;
}

/** Headers and half the real body, then the connection is cut. */
async function resetMidBody(c: FaultContext): Promise<boolean> {
  const real = await c.forward();
  c.res.writeHead(real.status, { 'content-type': String(real.headers['content-type']), 'content-length': real.body.length });
  c.res.write(real.body.subarray(0, real.body.length >> 1), () => c.res.socket?.destroy());
  return true;
}

const data = (c: FaultContext) => c.operation === 'GetUpdateData';
const updateList = (c: FaultContext) => c.operation === 'GetRevisionIdList' && !/GetConfig>true</.test(c.body);

/**
 * The second GetUpdateData answer with its first cabinet damaged: a byte of its first data block's
 * compressed bytes flipped, and with `unchecked` that block's checksum zeroed ("none", which
 * [MS-CAB] allows), so only reading the data can find the damage. A sync keeps a cabinet as it
 * came: this is what must be refused rather than stored.
 */
function damagedCabinet(unchecked: boolean): Fault {
  return async (c) => {
    if (!data(c) || c.call !== 2) return false;
    const real = await c.forward();
    return answer(c.res, 200, damageFirstCabinet(real.body.toString('utf8'), unchecked));
  };
}

function damageFirstCabinet(body: string, unchecked: boolean): string {
  return body.replace(/(<XmlUpdateBlobCompressed>)([^<]+)/, (_, element: string, base64: string) => {
    const cabinet = Buffer.from(base64, 'base64');
    const block = cabinet.readUInt32LE(36); // the first folder's first CFDATA
    cabinet[block + 8 + Math.min(20, cabinet.readUInt16LE(block + 4) >> 1)]! ^= 0x55;
    if (unchecked) cabinet.writeUInt32LE(0, block);
    return `${element}${cabinet.toString('base64')}`;
  });
}

/**
 * Each mode's timing needs the campaign's tuning: requests time out after 1.5 s and a transient
 * failure is retried once (see `faultSyncArgs`).
 */
export const faultModes: FaultMode[] = [
  { name: 'http-500-once', inSuite: true, what: 'HTTP 500 without a SOAP fault, once, on an update data batch', fault: (c) => data(c) && c.call === 2 && answer(c.res, 500, 'Internal Server Error', 'text/plain'), expect: { outcome: 'recovered' } },
  { name: 'http-500-always', what: 'HTTP 500 on every update data batch from the second on', fault: (c) => data(c) && c.call >= 2 && answer(c.res, 500, 'Internal Server Error', 'text/plain'), expect: { outcome: 'failed', code: /^UpstreamHttpError$/, exit: 5 } },
  { name: 'http-503-once', what: 'HTTP 503 once, on an update list', fault: (c) => updateList(c) && c.call === 2 && answer(c.res, 503, 'busy', 'text/plain', { 'retry-after': '1' }), expect: { outcome: 'recovered' } },
  { name: 'http-503-always', what: 'HTTP 503 on every update list', fault: (c) => updateList(c) && answer(c.res, 503, 'busy', 'text/plain'), expect: { outcome: 'failed', code: /^UpstreamHttpError$/, exit: 5 } },
  { name: 'server-busy-once', what: 'the SOAP fault ServerBusy once', fault: (c) => data(c) && c.call === 3 && answer(c.res, 500, soapFault('ServerBusy')), expect: { outcome: 'recovered' } },
  { name: 'server-busy-always', inSuite: true, what: 'the SOAP fault ServerBusy on every batch from the second on', fault: (c) => data(c) && c.call >= 2 && answer(c.res, 500, soapFault('ServerBusy')), expect: { outcome: 'failed', code: /^WsusServerBusy$/, exit: 5 } },
  { name: 'soap-fault-internal', what: 'the SOAP fault InternalServerError on a batch', fault: (c) => data(c) && c.call === 2 && answer(c.res, 500, soapFault('InternalServerError')), expect: { outcome: 'failed', code: /^WsusInternalServerError$/, exit: 5 } },
  { name: 'cookie-expired-once', what: 'InvalidCookie once mid-sync (the cookie expired)', fault: (c) => data(c) && c.call === 3 && answer(c.res, 500, soapFault('InvalidCookie')), expect: { outcome: 'recovered' } },
  { name: 'cookie-refused-always', what: 'InvalidCookie on every batch: a fresh cookie is refused too', fault: (c) => data(c) && c.call >= 2 && answer(c.res, 500, soapFault('InvalidCookie')), expect: { outcome: 'failed', code: /^WsusInvalidCookie$/, exit: 5 } },
  { name: 'auth-refused', what: 'GetCookie answered InvalidAuthorizationCookie (the server refuses this downstream)', fault: (c) => c.operation === 'GetCookie' && answer(c.res, 500, soapFault('InvalidAuthorizationCookie')), expect: { outcome: 'failed', code: /^WsusInvalidAuthorizationCookie$/, exit: 5 } },
  { name: 'auth-forbidden', what: 'HTTP 403 to every authentication call', fault: (c) => /Auth|Cookie/.test(c.operation) && answer(c.res, 403, 'Forbidden', 'text/plain'), expect: { outcome: 'failed', code: /^UpstreamHttpError$/, exit: 5 } },
  {
    name: 'truncated-body',
    inSuite: true,
    what: 'an update data answer cut in half (a consistent Content-Length)',
    fault: async (c) => {
      if (!data(c) || c.call !== 2) return false;
      const real = await c.forward();
      return answer(c.res, 200, real.body.subarray(0, real.body.length >> 1));
    },
    expect: { outcome: 'failed', code: /^(XmlMalformed|SoapMalformed)$/, exit: 4 },
  },
  { name: 'malformed-xml', what: 'an update list answer that is not XML', fault: (c) => updateList(c) && c.call === 2 && answer(c.res, 200, '<soap:Envelope><soap:Body><GetRevisionIdListResponse><<<'), expect: { outcome: 'failed', code: /^(XmlMalformed|SoapMalformed)$/, exit: 4 } },
  { name: 'wrong-content-type', what: 'an HTML error page with status 200 instead of SOAP', fault: (c) => data(c) && c.call === 2 && answer(c.res, 200, '<html><body><h1>Service Unavailable</h1></body></html>', 'text/html'), expect: { outcome: 'failed', code: /^(SoapMalformed|SoapUnexpectedResponse|SoapWrongNamespace|XmlMalformed)$/, exit: 4 } },
  { name: 'reset-mid-body-once', what: 'the connection reset half-way through an answer, once', fault: (c) => data(c) && c.call === 2 && resetMidBody(c), expect: { outcome: 'recovered' } },
  { name: 'reset-mid-body-always', inSuite: true, what: 'the connection reset half-way through every batch from the second on', fault: (c) => data(c) && c.call >= 2 && resetMidBody(c), expect: { outcome: 'failed', code: /^UpstreamUnreachable$/, exit: 5 } },
  { name: 'stall-once', inSuite: true, what: 'an answer that never comes (held past the timeout), once', fault: (c) => data(c) && c.call === 2, expect: { outcome: 'recovered' } },
  { name: 'stall-always', what: 'every update list held past the timeout', fault: (c) => updateList(c), expect: { outcome: 'failed', code: /^UpstreamTimeout$/, exit: 5 } },
  { name: 'slow-trickle', what: 'an answer trickled in 8 slices over 0.4 s (inside the timeout)', fault: (c) => data(c) && c.call === 2 && trickle(c, 8, 50), expect: { outcome: 'recovered' } },
  { name: 'trickle-past-timeout', what: 'every batch trickled over 3 s (past the timeout)', fault: (c) => data(c) && c.call >= 2 && trickle(c, 10, 300), expect: { outcome: 'failed', code: /^UpstreamTimeout$/, exit: 5 } },
  { name: 'redirect-loop', what: 'a redirect to itself', fault: (c) => c.call === 1 && c.operation === 'GetConfigData' && answer(c.res, 302, '', 'text/plain', { location: '/ServerSyncWebService/ServerSyncWebService.asmx' }), expect: { outcome: 'failed', code: /^UpstreamHttpError$/, exit: 5 } },
  {
    name: 'oversize',
    what: 'an answer of 3 MB where at most 2 MB are taken',
    fault: (c) => {
      if (!data(c) || c.call !== 2) return false;
      c.res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < 48; i++) c.res.write(chunk);
      c.res.end();
      return true;
    },
    expect: { outcome: 'failed', code: /^UpstreamResponseTooLarge$/, exit: 5 },
  },
  {
    name: 'empty-lists',
    inSuite: true,
    what: 'update lists that list nothing (an upstream with no updates for the selection)',
    fault: async (c) => {
      if (!updateList(c)) return false;
      const real = await c.forward();
      return answer(c.res, real.status, real.body.toString('utf8').replace(/<NewRevisions>[\s\S]*?<\/NewRevisions>/g, '<NewRevisions />'));
    },
    expect: { outcome: 'accepted', check: 'nothing-stored' },
  },
  {
    name: 'invalid-revision-data',
    what: "update data whose update XML is not an update document",
    fault: async (c) => {
      if (!data(c) || c.call !== 2) return false;
      const real = await c.forward();
      const garbage = (element: string) => (element.endsWith('Compressed>') ? Buffer.from('not a compressed update document').toString('base64') : 'not an update document');
      return answer(c.res, 200, real.body.toString('utf8').replace(/(<XmlUpdateBlob(?:Compressed)?>)[^<]*/, (_, element: string) => `${element}${garbage(element)}`));
    },
    expect: { outcome: 'failed', code: /^(UpdateBlobInvalid|UpdateXmlInvalid|XmlMalformed)$/, exit: 4 },
  },
  { name: 'cabinet-checksum', inSuite: true, what: 'update data whose compressed blob is a cabinet with a damaged data block (its checksum fails)', fault: damagedCabinet(false), expect: { outcome: 'failed', code: /^CabinetChecksum$/, exit: 4 } },
  {
    name: 'cabinet-unchecked-damage',
    what: 'update data whose compressed blob is a cabinet with a damaged data block and no checksum (which [MS-CAB] allows)',
    fault: damagedCabinet(true),
    expect: { outcome: 'failed', code: /^(MszipCorrupt|UpdateBlobInvalid|XmlMalformed|UpdateXmlInvalid)$/, exit: 4 },
  },
  {
    name: 'anchor-gap',
    what: "an anchor ahead of the server's data (the upstream restored from an older backup): ServerChanged next time",
    before: true,
    fault: async (c) => {
      if (c.operation !== 'GetRevisionIdList') return false;
      const real = await c.forward();
      return answer(c.res, real.status, real.body.toString('utf8').replace(/<Anchor>\d+,/, '<Anchor>999999,'));
    },
    expect: { outcome: 'recovered' },
  },
  { name: 'tls-untrusted', inSuite: true, what: 'https with a certificate no one trusts', upstreamUrl: (e) => e.untrustedTls, expect: { outcome: 'failed', code: /^UpstreamCertificateUntrusted$/, exit: 5 } },
  { name: 'tls-to-plain-http', what: 'https to a port that speaks plain http', upstreamUrl: (e) => e.proxy.replace(/^http:/, 'https:'), expect: { outcome: 'failed', code: /^UpstreamUnreachable$/, exit: 5 } },
  { name: 'connection-refused', what: 'a port nothing listens on', upstreamUrl: (e) => e.closedPort, expect: { outcome: 'failed', code: /^UpstreamUnreachable$/, exit: 5 } },
];

/** The sync's tuning for the fault campaign (the development entry point's `sync` flags). */
export const faultSyncArgs = ['--timeout-ms', '1500', '--retry-limit', '1', '--retry-delay-ms', '20', '--max-response-bytes', String(2 * 1024 * 1024)];

/** The proxy in front of the real endpoint; `mode` decides, per request, whether the fault answers. */
export class FaultProxy {
  fault: Fault | undefined;
  #counts = new Map<string, number>();
  #server: http.Server | undefined;
  #url = '';

  constructor(readonly target: string) {}

  get url(): string {
    return this.#url;
  }

  /** A new fault, counting calls from zero. */
  use(fault: Fault | undefined): void {
    this.fault = fault;
    this.#counts.clear();
  }

  async listen(): Promise<void> {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.#handle(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }

  #fetch(req: http.IncomingMessage, body: Buffer): Promise<Forwarded> {
    const headers = { ...req.headers };
    delete headers['accept-encoding']; // the faults read and cut the answer's bytes
    return new Promise((resolve, reject) => {
      const upstream = http.request(`${this.target}${req.url}`, { method: req.method, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => resolve({ status: answer.statusCode!, headers: answer.headers, body: Buffer.concat(parts) }));
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const operation = String(req.headers.soapaction ?? '').replace(/^"|"$/g, '').split('/').pop() ?? '';
    const call = (this.#counts.get(operation) ?? 0) + 1;
    this.#counts.set(operation, call);
    try {
      const context: FaultContext = { operation, call, body: body.toString('utf8'), res, forward: () => this.#fetch(req, body) };
      if (this.fault && (await this.fault(context))) return;
      const real = await this.#fetch(req, body);
      const headers = { ...real.headers };
      delete headers['transfer-encoding'];
      res.writeHead(real.status, { ...headers, 'content-length': real.body.length });
      res.end(real.body);
    } catch {
      res.destroy();
    }
  }
}

/** An https server whose self-signed certificate no trust store holds (it answers nothing useful: the handshake fails first). */
export async function untrustedTlsServer(cert: Buffer, key: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = https.createServer({ cert, key }, (_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
