/**
 * The fetch's adaptive request window against a real upstream (supsync's SUP endpoint serving a
 * generated corpus from a real SQLite file) behind a real HTTP front on loopback that holds
 * GetUpdateData requests and answers them with signs of overload (ServerBusy, 503, 502): the window
 * halves once per wave, holds every new request for the back-off, sends the batches again within
 * the smaller window and fetches every revision exactly once. And through the WAN shaper: it grows
 * from its first size while throughput rises, never past its bound, and the large answers cross
 * the link gzipped; on loopback the client asks for plain answers once it measured the link.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { WanShaper } from '../src/dev/wan-shaper.js';
import { LinkEstimate, wanRoundTripMs } from '../src/net/link.js';
import { UpstreamClient } from '../src/protocol/client.js';
import { SupEndpoint, type RunningEndpoint } from '../src/server/sup-endpoint.js';
import { planSupChange } from '../src/model/sup-settings.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { Home } from '../src/store/home.js';
import { type SiteStore, openSiteStore, withSiteStore } from '../src/store/site-store.js';
import { updateSiteControl } from '../src/store/site-file.js';
import { syncSite } from '../src/sync/engine.js';
import type { FetchStats } from '../src/protocol/client.js';
import { forwardRequest } from './helpers/hierarchy.js';
import { tempDir } from './helpers/cli.js';
import { corpusSite } from './helpers/corpus-site.js';

const identity = { accountName: 'cs1.contoso.test', accountGuid: crypto.randomUUID() };
const busyFault = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Fault occurred</faultstring><detail><ErrorCode>ServerBusy</ErrorCode><Message></Message><ID>1</ID><Method></Method></detail></soap:Fault></soap:Body></soap:Envelope>`;

interface Held {
  body: Buffer;
  arrived: number;
  answer(status: number, body: string): Promise<number>;
  forward(): void;
}

/** An HTTP front that forwards to `target`, holding GetUpdateData requests while `holding`. */
async function front(target: string) {
  const held: Held[] = [];
  const listeners: (() => void)[] = [];
  let holding = true;
  let inFlight = 0;
  let maxInFlight = 0;
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void forwardRequest(target, req, res, body);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!body.includes('GetUpdateData')) return forward(req, res, body);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      res.once('close', () => inFlight--);
      const entry: Held = {
        body,
        arrived: performance.now(),
        answer: (status, text) => new Promise((done) => res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' }).end(text, () => done(performance.now()))),
        forward: () => forward(req, res, body),
      };
      if (!holding) return entry.forward();
      held.push(entry);
      for (const listener of listeners.splice(0)) listener();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resolves with the first `count` held requests once they are there (taking them off the list). */
    async take(count: number): Promise<Held[]> {
      while (held.length < count) await new Promise<void>((resolve) => listeners.push(resolve));
      return held.splice(0, count);
    },
    open() {
      holding = false;
      for (const entry of held.splice(0)) entry.forward();
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The update ids a GetUpdateData request asks for, in order. */
const askedIds = (body: Buffer) => [...String(body).matchAll(/<UpdateID>([^<]+)<\/UpdateID>/g)].map((m) => m[1]!);

describe('fetch window', function () {
  this.timeout(120_000);
  let home: Home;
  let store: SiteStore;
  let endpoint: RunningEndpoint;

  before(async () => {
    home = new Home(tempDir('supsync-window-'));
    await corpusSite(home, 'UPS', { updates: 300, seed: 'window' }, { syncSource: 'none', waitMonths: 99 });
    store = openSiteStore(home.sitePaths('UPS').database);
    endpoint = await new SupEndpoint({ store, maxUpdatesPerRequest: 25 }).listen('127.0.0.1', 0);
  });
  after(async () => {
    await endpoint.close();
    store.close();
  });

  const overloads: [string, number, string][] = [
    ['a ServerBusy fault', 500, busyFault],
    ['HTTP 503', 503, 'Service Unavailable'],
    ['HTTP 502', 502, 'Bad Gateway'],
  ];
  for (const [name, status, body] of overloads) {
    it(`halves the window on ${name}, backs off, and fetches every revision once`, async () => {
      const gate = await front(endpoint.url);
      const retry = { limit: 3, baseDelayMs: 300, maxDelayMs: 600 };
      const client = new UpstreamClient({ baseUrl: gate.url, ...identity, retry, timeoutMs: 30_000, initialConcurrency: 4, concurrency: 8 });
      try {
        const ids = (await client.getRevisionIdList({ getConfig: false })).newRevisions;
        expect(ids.length).to.be.greaterThan(100);
        const fetched: string[] = [];
        const fetching = client.fetchUpdates(ids, (batch) => void fetched.push(...batch.updates.map((u) => u.updateId)));
        // The first wave: as many requests as the first window allows, all at the upstream at once.
        const wave = await gate.take(4);
        expect(client.fetchStats()).to.include({ size: 4, maxInFlight: 4 });
        const answered = Math.max(...(await Promise.all(wave.map((h) => h.answer(status, body)))));
        // The batches come again, two at a time (one halving for the wave), after the back-off.
        const resent = await gate.take(2);
        expect(client.fetchStats()).to.include({ size: 2, reductions: 1 });
        expect(resent.map((h) => askedIds(h.body).join()).every((asked) => wave.some((w) => askedIds(w.body).join() === asked))).to.equal(true);
        for (const request of resent) expect(request.arrived - answered).to.be.at.least(retry.baseDelayMs * 0.75 - 5);
        for (const request of resent) request.forward();
        gate.open();
        await fetching;
        expect(fetched.length).to.equal(ids.length);
        expect(new Set(fetched)).to.deep.equal(new Set(ids.map((id) => id.updateId)));
        // Never more in flight at the upstream than the window's bound.
        expect(gate.maxInFlight).to.be.at.most(8);
      } finally {
        await client.close();
        await gate.close();
      }
    });
  }

  it('fails the fetch once a batch stays overloaded past the retry limit', async () => {
    const gate = await front(endpoint.url);
    const client = new UpstreamClient({ baseUrl: gate.url, ...identity, retry: { limit: 1, baseDelayMs: 10, maxDelayMs: 20 }, timeoutMs: 30_000, initialConcurrency: 1 });
    try {
      const ids = (await client.getRevisionIdList({ getConfig: false })).newRevisions;
      const fetching = client.fetchUpdates(ids, () => undefined);
      for (let attempt = 0; attempt < 2; attempt++) for (const request of await gate.take(1)) await request.answer(503, 'Service Unavailable');
      let failure: unknown;
      await fetching.catch((error: unknown) => (failure = error));
      expect(failure).to.have.property('code', 'UpstreamHttpError');
      expect(client.fetchStats().size).to.equal(1);
    } finally {
      await client.close();
      await gate.close();
    }
  });

  it("holds a sync to the SUP's max-requests-in-flight, and refuses a bound out of range", async () => {
    const gate = await front(endpoint.url);
    gate.open();
    try {
      applyAddSite(home, planAddSite(home, { code: 'CS1', role: 'central' }));
      const setSup = (request: Parameters<typeof planSupChange>[1]) => {
        const known = withSiteStore(home.sitePaths('CS1').database, (s) => s.categories.known());
        updateSiteControl(home.sitePaths('CS1').controlFile, (site) => ({ ...site, sup: planSupChange(site, request, known).settings }));
      };
      setSup({ syncSource: 'upstream', upstreamUrl: gate.url, maxRequestsInFlight: 2 });
      await syncSite(home, 'CS1', { trigger: 'manual' });
      const known = withSiteStore(home.sitePaths('CS1').database, (s) => s.categories.known());
      setSup({ addProduct: known.products.map((p) => p.id), addClassification: known.classifications.map((c) => c.id) });
      let stats: FetchStats | undefined;
      const [result] = await syncSite(home, 'CS1', { trigger: 'manual', onFetchStats: (s) => (stats = s) });
      expect(result!.state).to.equal('Succeeded');
      expect(result!.counts.new).to.be.greaterThan(100);
      expect(stats!.maxInFlight).to.be.within(1, 2);
      expect(gate.maxInFlight).to.be.within(1, 2);
      expect(() => setSup({ maxRequestsInFlight: 65 })).to.throw(/--max-requests-in-flight must be a whole number from 1 to 64, got 65/);
    } finally {
      await gate.close();
    }
  });

  it('grows from its first size across a WAN while throughput rises, never past its bound', async () => {
    const gate = await front(endpoint.url);
    gate.open();
    const shaper = await new WanShaper({ host: '127.0.0.1', port: Number(new URL(gate.url).port) }, { rttMs: 60, bitsPerSecond: 1e9 }).listen();
    const client = new UpstreamClient({ baseUrl: shaper.url, ...identity, initialConcurrency: 1, concurrency: 3 });
    try {
      const ids = (await client.getRevisionIdList({ getConfig: false })).newRevisions;
      let count = 0;
      await client.fetchUpdates(ids, (batch) => void (count += batch.updates.length));
      expect(count).to.equal(ids.length);
      const stats = client.fetchStats();
      expect(stats.sizes[0]).to.equal(1);
      expect(stats.maxInFlight).to.be.greaterThan(1);
      expect(Math.max(...stats.sizes)).to.be.at.most(3);
      expect(gate.maxInFlight).to.be.at.most(3);
      // Across the WAN (its round trip at least the shaper's 60 ms) the client asks for gzip, and the
      // upstream gzips its large answers: fewer bytes on the wire than read.
      expect(stats.roundTripMs).to.be.at.least(60);
      expect(client.link.crossesWan).to.equal(true);
      expect(stats.gzippedAnswers).to.be.greaterThan(0);
      expect(shaper.counters.bytesDown).to.be.below(stats.bytes * 0.7);
    } finally {
      await client.close();
      await shaper.close();
      await gate.close();
    }
  });

  it('asks for gzipped answers until it measured its link, then as that link says (plain on loopback or a LAN)', async () => {
    const seen: string[] = [];
    const recording = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push(String(req.headers['accept-encoding']));
        void forwardRequest(endpoint.url, req, res, Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => recording.listen(0, '127.0.0.1', resolve));
    const client = new UpstreamClient({ baseUrl: `http://127.0.0.1:${(recording.address() as AddressInfo).port}`, ...identity });
    try {
      expect(client.link.crossesWan).to.equal(undefined);
      const ids = (await client.getRevisionIdList({ getConfig: false })).newRevisions;
      // Nothing was measured when the handshake began: its first request asks for gzip, as any HTTP client does.
      expect(seen[0]).to.equal('gzip');
      // One request at a time, so the header each one sent follows from what was measured before it.
      for (let i = 0; i < 3; i++) {
        const expected = client.link.acceptsGzip ? 'gzip' : 'identity';
        const batch = await client.getUpdateData(ids.slice(i * 25, (i + 1) * 25));
        expect(batch.updates).to.have.length(25);
        expect(seen.at(-1)).to.equal(expected);
      }
      expect(client.fetchStats().roundTripMs).to.equal(client.link.roundTripMs).and.to.be.a('number');
    } finally {
      await client.close();
      await new Promise<void>((resolve) => recording.close(() => resolve()));
    }
  });

  it('judges a link by the least round trip it measured: a WAN from 10 ms, one fast answer enough for a LAN', () => {
    const link = new LinkEstimate();
    expect(link.acceptsGzip).to.equal(true);
    link.record(250);
    link.record(80);
    expect(link.roundTripMs).to.equal(80);
    expect(link.crossesWan).to.equal(true);
    expect(link.acceptsGzip).to.equal(true);
    // A slow answer (server time) never raises the estimate; a fast one lowers it for good.
    link.record(wanRoundTripMs - 1);
    link.record(400);
    expect(link.roundTripMs).to.equal(wanRoundTripMs - 1);
    expect(link.crossesWan).to.equal(false);
    expect(link.acceptsGzip).to.equal(false);
    link.record(Number.NaN);
    link.record(-5);
    expect(link.roundTripMs).to.equal(wanRoundTripMs - 1);
  });
});
