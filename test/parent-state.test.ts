/**
 * The Parent USS State a downstream keeps between syncs ([MS-WSUSSS] 3.1.1: the last cookie and the
 * DSS URL, persistent data): a client given a still-valid cookie skips the handshake, one given only
 * the DSS URL skips GetAuthConfig, and whatever the upstream refuses is dropped for the whole
 * handshake. Against a real SUP endpoint on loopback, which reports each operation it answered.
 */
import { expect } from 'chai';
import { LinkEstimate } from '../src/net/link.js';
import { RequestWindow } from '../src/net/window.js';
import { type ParentUssState, UpstreamClient } from '../src/protocol/client.js';
import { type RunningEndpoint, SupEndpoint } from '../src/server/sup-endpoint.js';
import { type SupChangeRequest, planSupChange } from '../src/model/sup-settings.js';
import { Home } from '../src/store/home.js';
import { type SiteStore, openSiteStore, withSiteStore } from '../src/store/site-store.js';
import { updateSiteControl } from '../src/store/site-file.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { syncSite } from '../src/sync/engine.js';
import { tempDir } from './helpers/cli.js';
import { corpusSite } from './helpers/corpus-site.js';

const handshake = ['GetAuthConfig', 'GetAuthorizationCookie', 'GetCookie'];

describe('the Parent USS State kept between syncs', function () {
  this.timeout(60_000);
  let home: Home;
  let upstream: SiteStore;
  let endpoint: RunningEndpoint;
  /** The operations the endpoint answered, with their HTTP status, in order. */
  let answered: { operation: string; status: number }[] = [];
  const identity = { accountName: 'cs1.contoso.test', accountGuid: '0b7f6d35-3c39-4b8e-9a43-8ab0e7d0a1c2' };

  function setSup(code: string, change: SupChangeRequest): void {
    const known = withSiteStore(home.sitePaths(code).database, (store) => store.categories.known());
    updateSiteControl(home.sitePaths(code).controlFile, (site) => ({ ...site, sup: planSupChange(site, change, known, code).settings }));
  }
  const operations = () => answered.map((a) => a.operation);

  /** A client's state after its own whole handshake. */
  async function freshState(): Promise<ParentUssState> {
    const client = new UpstreamClient({ baseUrl: endpoint.url, ...identity });
    await client.config();
    expect(client.parentState.cookie?.encryptedData).to.be.a('string');
    return client.parentState;
  }

  before(async () => {
    home = new Home(tempDir('supsync-parent-state-'));
    await corpusSite(home, 'UPS', { updates: 60, seed: 'parent-state' });
    upstream = openSiteStore(home.sitePaths('UPS').database);
    endpoint = await new SupEndpoint({ store: upstream, onRequest: (operation, status) => answered.push({ operation, status }) }).listen('127.0.0.1', 0);
  });
  after(async () => {
    await endpoint.close();
    upstream.close();
  });
  beforeEach(() => (answered = []));

  it('a client without state does the whole handshake and hands over the cookie, the DSS URL and the round trip it got', async () => {
    const state = await freshState();
    expect(operations()).to.deep.equal([...handshake, 'GetConfigData']);
    expect(state.dssUrl).to.equal(`${endpoint.url}/DssAuthWebService/DssAuthWebService.asmx`);
    expect(Date.parse(state.cookie!.expiration)).to.be.greaterThan(Date.now());
    expect(state.roundTripMs).to.be.a('number');
  });

  it('a still-valid cookie is used as it is: no handshake, the same cookie kept', async () => {
    const state = await freshState();
    answered = [];
    const client = new UpstreamClient({ baseUrl: endpoint.url, ...identity, parentState: state });
    const config = await client.config();
    expect(config.maxNumberOfUpdatesPerRequest).to.be.greaterThan(0);
    expect(operations()).to.deep.equal(['GetConfigData']);
    expect(client.parentState.cookie).to.deep.equal(state.cookie);
  });

  it('the last round trip decides gzip until the client measured its own: a loopback upstream is asked for plain answers from the first request', async () => {
    const state = await freshState();
    const listing = new UpstreamClient({ baseUrl: endpoint.url, ...identity, parentState: state });
    const ids = (await listing.getRevisionIdList({ getConfig: false })).newRevisions.slice(0, 50);
    // The first request of each client is this large GetUpdateData (over the endpoint's 16 KB gzip threshold).
    const gzipped = async (parentState: ParentUssState) => {
      const client = new UpstreamClient({ baseUrl: endpoint.url, ...identity, parentState });
      const batch = await client.getUpdateData(ids);
      expect(batch.bytes).to.be.greaterThan(16 * 1024);
      return client.fetchStats().gzippedAnswers;
    };
    // Told nothing, a client asks for gzip until it has measured its link.
    expect(await gzipped({ cookie: state.cookie! })).to.equal(1);
    // Told the loopback round trip the last sync measured, it asks for plain answers from the start.
    expect(await gzipped({ cookie: state.cookie!, roundTripMs: 0 })).to.equal(0);
    // Told a WAN's, it asks for gzip.
    expect(await gzipped({ cookie: state.cookie!, roundTripMs: 200 })).to.equal(1);
  });

  it('a cookie the upstream refuses (InvalidCookie) restarts the protocol from GetAuthConfig, and the new cookie is kept', async () => {
    const state = await freshState();
    const forged = { ...state.cookie!, encryptedData: Buffer.from('not a cookie this server issued').toString('base64') };
    answered = [];
    const client = new UpstreamClient({ baseUrl: endpoint.url, ...identity, parentState: { ...state, cookie: forged } });
    await client.config();
    expect(answered[0]).to.deep.equal({ operation: 'GetConfigData', status: 500 });
    expect(operations().slice(1)).to.deep.equal([...handshake, 'GetConfigData']);
    expect(client.parentState.cookie!.encryptedData).to.not.equal(forged.encryptedData);
    expect(client.parentState.dssUrl).to.equal(state.dssUrl);
  });

  it('an expired cookie is never sent; the remembered DSS URL saves GetAuthConfig', async () => {
    const state = await freshState();
    const expired = { ...state.cookie!, expiration: new Date(Date.now() - 60_000).toISOString() };
    answered = [];
    await new UpstreamClient({ baseUrl: endpoint.url, ...identity, parentState: { ...state, cookie: expired } }).config();
    expect(operations()).to.deep.equal(['GetAuthorizationCookie', 'GetCookie', 'GetConfigData']);
    expect(answered.every((a) => a.status === 200)).to.equal(true);
  });

  it('a remembered DSS URL that no longer answers falls back to GetAuthConfig and keeps the URL it names', async () => {
    answered = [];
    const moved = `${endpoint.url}/OldDssAuthWebService/DssAuthWebService.asmx`;
    const retry = { limit: 0, baseDelayMs: 1, maxDelayMs: 1 };
    const client = new UpstreamClient({ baseUrl: endpoint.url, ...identity, retry, parentState: { dssUrl: moved } });
    await client.config();
    expect(operations().slice(-4)).to.deep.equal([...handshake, 'GetConfigData']);
    expect(client.parentState.dssUrl).to.equal(`${endpoint.url}/DssAuthWebService/DssAuthWebService.asmx`);
  });

  it('a site keeps the state in its database: its next sync skips the handshake; another upstream URL does not get it', async () => {
    applyAddSite(home, planAddSite(home, { code: 'CS1', role: 'central' }));
    setSup('CS1', { syncSource: 'upstream', upstreamUrl: endpoint.url });
    expect((await syncSite(home, 'CS1', { trigger: 'manual' }))[0]!.state).to.equal('Succeeded');
    expect(operations().slice(0, 3)).to.deep.equal(handshake);
    answered = [];
    expect((await syncSite(home, 'CS1', { trigger: 'manual' }))[0]!.state).to.be.oneOf(['Succeeded', 'NoChanges']);
    expect(operations()).to.include('GetRevisionIdList');
    expect(operations().filter((o) => handshake.includes(o))).to.deep.equal([]);

    // The same endpoint under another name (localhost for 127.0.0.1) is another upstream to the site.
    setSup('CS1', { upstreamUrl: endpoint.url.replace('127.0.0.1', 'localhost') });
    answered = [];
    expect((await syncSite(home, 'CS1', { trigger: 'manual' }))[0]!.state).to.be.oneOf(['Succeeded', 'NoChanges']);
    expect(operations().slice(0, 3)).to.deep.equal(handshake);
  });
});

describe('a sync that skips the handshake: the link and the window from the start', () => {
  it('the last sync\'s round trip counts as a sample until a handshake measures afresh', () => {
    // Kept: a loopback measure. The first answers of a sync that skips the handshake carry the
    // upstream's time to read its lists (here 40 ms): the link is still loopback.
    const kept = new LinkEstimate(0);
    expect(kept.crossesWan).to.equal(false);
    kept.record(40);
    expect(kept.roundTripMs).to.equal(0);
    expect(kept.acceptsGzip).to.equal(false);
    // A handshake measures afresh: a path that became a WAN since counts from then on.
    const moved = new LinkEstimate(0);
    moved.forgetLast();
    expect(moved.crossesWan).to.equal(undefined);
    moved.record(200);
    expect(moved.crossesWan).to.equal(true);
    // Nothing usable kept: nothing known until an answer.
    expect(new LinkEstimate(Number.NaN).crossesWan).to.equal(undefined);
    expect(new LinkEstimate(-1).roundTripMs).to.equal(undefined);
  });

  it('the request window starts at half its bound, higher only before its first request, and never past its bound', async () => {
    // Half the bound by default (rounded up), on every link.
    expect(new RequestWindow({ max: 16 }).size).to.equal(8);
    expect(new RequestWindow({ max: 5 }).size).to.equal(3);
    expect(new RequestWindow({ max: 1 }).size).to.equal(1);
    // A first size asked for is kept, and raised only by startAt.
    const window = new RequestWindow({ max: 16, initial: 2 });
    expect(window.size).to.equal(2);
    window.startAt(8);
    expect(window.size).to.equal(8);
    const bounded = new RequestWindow({ max: 6, initial: 2 });
    bounded.startAt(8);
    expect(bounded.size).to.equal(6);
    const fixed = new RequestWindow({ max: 4, adaptive: false });
    fixed.startAt(2);
    expect(fixed.size).to.equal(4);
    const started = new RequestWindow({ max: 16, initial: 2 });
    await started.acquire();
    started.startAt(8);
    expect(started.size).to.equal(2);
    started.complete(1000);
    started.startAt(8);
    expect(started.stats().sizes).to.deep.equal([2]);
  });
});
