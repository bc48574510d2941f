/**
 * The SUP endpoint under more than one downstream: a long revision list is written page by page
 * and other downstreams are answered while it is held between pages (held by a gate on the read,
 * not by timing); the list is the same list; GetUpdateData entries kept encoded follow the
 * revision's expiry. Answers, whole or paged, are gzipped only for a downstream that asks.
 */
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { RevisionKey } from '../src/model/update.js';
import { UpstreamClient } from '../src/protocol/client.js';
import { type RunningEndpoint, SupEndpoint } from '../src/server/sup-endpoint.js';
import { Home } from '../src/store/home.js';
import type { RevisionQuery } from '../src/store/served.js';
import { openSiteDb } from '../src/store/site-db.js';
import { type SiteStore, openSiteStore } from '../src/store/site-store.js';
import { tempDir } from './helpers/cli.js';
import { corpusSite } from './helpers/corpus-site.js';
import { asSchema5 } from './helpers/older-site-db.js';

/** A store whose revision lists stop before their third page until `open()`; `held` resolves when one is stopped there. */
function gatedLists(store: SiteStore) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let reached!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  const served = {
    ...store.served,
    async *updateRevisionPages(query: RevisionQuery, pageRows: number): AsyncGenerator<RevisionKey[]> {
      let n = 0;
      for (const page of store.served.updateRevisionPages(query, pageRows)) {
        if (n++ === 2) {
          reached();
          await opened;
        }
        yield page;
      }
    },
  };
  const gated = new Proxy(store, { get: (target, name) => (name === 'served' ? served : Reflect.get(target, name, target)) });
  return { store: gated, held, open };
}

interface Exchange {
  operation: string;
  acceptEncoding: string | undefined;
  contentEncoding: string | undefined;
  /** The answer's bytes as sent. */
  bytes: number;
}

/**
 * An HTTP front that sets every request's Accept-Encoding to `accept` (undefined: none at all, as
 * a WSUS downstream sends) before it reaches `target`, and records each exchange as it crossed.
 */
async function encodingFront(target: string, accept: string | undefined) {
  const exchanges: Exchange[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      delete headers['accept-encoding'];
      if (accept !== undefined) headers['accept-encoding'] = accept;
      const exchange: Exchange = { operation: /<soap:Body><(\w+)/.exec(String(body))?.[1] ?? '?', acceptEncoding: accept, contentEncoding: undefined, bytes: 0 };
      http
        .request(`${target}${req.url}`, { method: req.method, headers }, (answer) => {
          exchange.contentEncoding = answer.headers['content-encoding'];
          answer.on('data', (chunk: Buffer) => (exchange.bytes += chunk.length));
          answer.once('end', () => exchanges.push(exchange));
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        })
        .end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const client = (url: string, name: string) => new UpstreamClient({ baseUrl: url, accountName: name, accountGuid: '4f4ee2b1-7c38-4b8b-9d0e-7d5a4c0f3a11', retry: { limit: 0, baseDelayMs: 1, maxDelayMs: 1 } });

describe('SUP endpoint serving several downstreams', () => {
  let home: Home;
  let store: SiteStore;

  before(async () => {
    home = new Home(tempDir('supsync-fanout-'));
    await corpusSite(home, 'UPS', { updates: 600, seed: 'fan-out' });
    store = openSiteStore(home.sitePaths('UPS').database);
  });
  after(() => store.close());

  it('answers a second downstream while a long list is held between its pages, then finishes the list whole', async () => {
    const gate = gatedLists(store);
    const endpoint: RunningEndpoint = await new SupEndpoint({ store: gate.store, listPageRows: 50 }).listen('127.0.0.1', 0);
    try {
      let listDone = false;
      const long = client(endpoint.url, 'first.test')
        .getRevisionIdList({ getConfig: false })
        .finally(() => (listDone = true));
      await gate.held;
      // The first list is stopped in the middle of its read: another downstream syncs meanwhile.
      const second = client(endpoint.url, 'second.test');
      const categories = await second.getRevisionIdList({ getConfig: true });
      const batch = await second.getUpdateData(categories.newRevisions.slice(0, 5));
      expect(batch.updates).to.have.length(5);
      expect(listDone).to.equal(false);
      gate.open();
      const listed = (await long).newRevisions;
      const whole = store.served.updateRevisions({});
      expect(listed).to.have.length(whole.length);
      expect(new Set(listed.map((r) => r.updateId)).size).to.equal(whole.length);
      expect(listed).to.have.deep.members(whole);
    } finally {
      await endpoint.close();
    }
  });

  it('lists a product × classification selection with its closure the same in pages as in one read', async () => {
    const known = store.categories.known();
    const query = { products: known.products.map((p) => p.id), classifications: known.classifications.map((c) => c.id) };
    const paged = [...store.served.updateRevisionPages(query, 37)].flat();
    const whole = store.served.updateRevisions(query);
    expect(paged.length).to.be.greaterThan(37 * 3);
    expect(paged).to.have.length(whole.length);
    expect(paged).to.have.deep.members(whole);
  });

  it('migrates a schema-3 site to list pages by (change_seq, update_id), and lists the same from it', async () => {
    // A copy of the site as an older supsync left it: revision lists paged on the change_seq index alone.
    const file = path.join(tempDir('supsync-migrate-'), 'site.db');
    const source = openSiteDb(home.sitePaths('UPS').database);
    await source.backup(file);
    source.close();
    const old = new Database(file);
    asSchema5(old);
    old.exec('CREATE INDEX updates_seq ON updates (change_seq); DROP INDEX updates_seq_id;');
    // Nor the metadata_format column of migration 5.
    old.exec('ALTER TABLE updates DROP COLUMN metadata_format; ALTER TABLE categories DROP COLUMN metadata_format;');
    old.pragma('user_version = 3');
    old.close();
    const migrated = openSiteStore(file);
    try {
      const inspect = new Database(file, { readonly: true });
      const indexes = (inspect.pragma('index_list(updates)') as { name: string }[]).map((i) => i.name);
      // The imported corpus shares one change_seq: every page boundary falls inside it.
      const seqs = inspect.prepare('SELECT count(DISTINCT change_seq) FROM updates').pluck().get() as number;
      inspect.close();
      expect(indexes).to.include('updates_seq_id').and.not.include('updates_seq');
      expect(seqs).to.equal(1);
      const paged = [...migrated.served.updateRevisionPages({}, 37)];
      expect(paged.length).to.be.greaterThan(10);
      expect(paged.flat()).to.deep.equal(store.served.updateRevisions({}));
    } finally {
      migrated.close();
    }
  });

  it('gzips answers, whole and paged, only for a downstream that asks; one that sends no Accept-Encoding gets them plain', async () => {
    const endpoint = await new SupEndpoint({ store, listPageRows: 50 }).listen('127.0.0.1', 0);
    const plainFront = await encodingFront(endpoint.url, undefined);
    const gzipFront = await encodingFront(endpoint.url, 'gzip');
    try {
      const read = async (url: string) => {
        const downstream = client(url, 'fourth.test');
        const list = (await downstream.getRevisionIdList({ getConfig: false })).newRevisions;
        const batch = await downstream.getUpdateData(list.slice(0, 100));
        return { list, xml: batch.updates.map((u) => u.xml) };
      };
      const plain = await read(plainFront.url);
      const zipped = await read(gzipFront.url);
      // The same list (600 updates in pages of 50, so written page by page) and the same documents either way.
      expect(plain.list).to.have.length(store.served.updateRevisions({}).length);
      expect(zipped.list).to.deep.equal(plain.list);
      expect(zipped.xml).to.deep.equal(plain.xml);
      const large = (exchanges: Exchange[]) => exchanges.filter((e) => e.operation === 'GetRevisionIdList' || e.operation === 'GetUpdateData');
      expect(large(plainFront.exchanges)).to.have.length(2);
      for (const e of large(plainFront.exchanges)) expect(e.contentEncoding, e.operation).to.equal(undefined);
      expect(large(gzipFront.exchanges)).to.have.length(2);
      for (const e of large(gzipFront.exchanges)) expect(e.contentEncoding, e.operation).to.equal('gzip');
      for (const [i, e] of large(gzipFront.exchanges).entries()) expect(e.bytes, e.operation).to.be.below(large(plainFront.exchanges)[i]!.bytes / 2);
      // The handshake's small answers are not worth compressing.
      expect(gzipFront.exchanges.find((e) => e.operation === 'GetAuthConfig')!.contentEncoding).to.equal(undefined);
    } finally {
      await plainFront.close();
      await gzipFront.close();
      await endpoint.close();
    }
  });

  it('serves a revision again as expired once it expires, though its answer was kept encoded', async () => {
    const endpoint = await new SupEndpoint({ store }).listen('127.0.0.1', 0);
    try {
      const downstream = client(endpoint.url, 'third.test');
      const [key] = store.served.updateRevisions({});
      const before = await downstream.getUpdateData([key!]);
      expect(before.updates[0]!.xml).to.include('PublicationState="Published"');
      // Expiry as a sync writes it: the flag and a new change sequence, in the site database.
      const db = openSiteDb(home.sitePaths('UPS').database);
      db.prepare('UPDATE updates SET expired = 1, change_seq = change_seq + 1000 WHERE update_id = ?').run(key!.updateId);
      db.close();
      const after = await downstream.getUpdateData([key!]);
      expect(after.updates[0]!.xml).to.include('PublicationState="Expired"');
    } finally {
      await endpoint.close();
    }
  });
});
