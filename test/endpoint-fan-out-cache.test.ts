/**
 * The SUP endpoint's kept GetUpdateData entries (server/encoded-revisions.ts), over loopback HTTP
 * and the real site database: an answer served from them is byte for byte the answer encoded
 * afresh (and the codec's buildResponse of the stored revisions); a committed run that changes the
 * site (an import with expiry) makes the endpoint serve the changed revisions anew while unchanged
 * ones are still served from memory; and the entries stay within their byte bound.
 */
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { RevisionKey } from '../src/model/update.js';
import { planSupChange } from '../src/model/sup-settings.js';
import { encodeUpdateBlob, readUpdateBlob } from '../src/protocol/cab/index.js';
import { DSS_AUTH_PATH, buildRequest, buildResponse, parseResponse, type Cookie, type RequestMessage, type ResponseOf } from '../src/protocol/soap/index.js';
import { storedXmlText } from '../src/protocol/stored-xml.js';
import { readStorableUpdateData, readUpdateDataResponse } from '../src/protocol/update-data.js';
import { exportPackage } from '../src/package/export.js';
import { readPackage } from '../src/package/file.js';
import { type RunningEndpoint, SupEndpoint } from '../src/server/sup-endpoint.js';
import { Home } from '../src/store/home.js';
import { updateSiteControl } from '../src/store/site-file.js';
import { applyAddSite, planAddSite } from '../src/store/sites.js';
import { SiteStore, openSiteStore, withSiteStore } from '../src/store/site-store.js';
import { importPackage } from '../src/sync/import-package.js';
import { tempDir } from './helpers/cli.js';
import { corpusSite } from './helpers/corpus-site.js';
import { seededSite } from './helpers/recorded-site.js';
import { asSchema5 } from './helpers/older-site-db.js';
import { loadExchanges } from './helpers/wsusss.js';

/** Posts a SOAP body and returns the answer's bytes as sent (asking for them plain unless told). */
function post(url: string, soapAction: string, body: string, acceptEncoding = 'identity'): Promise<{ status: number; bytes: Buffer; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .request(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapAction, 'accept-encoding': acceptEncoding } }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.once('end', () => resolve({ status: answer.statusCode ?? 0, bytes: Buffer.concat(chunks), encoding: answer.headers['content-encoding'] }));
        answer.once('error', reject);
      })
      .once('error', reject)
      .end(body);
  });
}

/** A downstream that keeps each GetUpdateData answer's raw bytes. */
async function rawDownstream(endpoint: RunningEndpoint) {
  const call = async <M extends RequestMessage>(message: M, path?: string) => {
    const request = buildRequest(message);
    const answer = await post(`${endpoint.url}${path ?? request.path}`, request.soapAction, request.body);
    expect(answer.status, message.operation).to.equal(200);
    return parseResponse(message.operation, answer.bytes.toString('utf8')) as ResponseOf<M['operation']>;
  };
  const auth = await call({ operation: 'GetAuthorizationCookie', accountName: 'cache.test', accountGuid: '4f4ee2b1-7c38-4b8b-9d0e-7d5a4c0f3a11' }, DSS_AUTH_PATH);
  const { cookie } = await call({ operation: 'GetCookie', authCookies: [{ plugInId: auth.plugInId, cookieData: auth.cookieData }], protocolVersion: '1.20' });
  return {
    updateData: async (updateIds: RevisionKey[], withCookie: Cookie = cookie): Promise<Buffer> => {
      const request = buildRequest({ operation: 'GetUpdateData', cookie: withCookie, updateIds });
      const answer = await post(`${endpoint.url}${request.path}`, request.soapAction, request.body);
      expect(answer.status, answer.bytes.toString().slice(0, 300)).to.equal(200);
      expect(answer.encoding).to.equal(undefined);
      return answer.bytes;
    },
    /** A full revision list of every update, as sent. */
    listAll: async (): Promise<Buffer> => {
      const request = buildRequest({ operation: 'GetRevisionIdList', cookie, filter: { getConfig: false } });
      const answer = await post(`${endpoint.url}${request.path}`, request.soapAction, request.body);
      expect(answer.status).to.equal(200);
      return answer.bytes;
    },
    /** The answer as sent to a downstream that asks for gzip. */
    gzippedUpdateData: async (updateIds: RevisionKey[]): Promise<Buffer> => {
      const request = buildRequest({ operation: 'GetUpdateData', cookie, updateIds });
      const answer = await post(`${endpoint.url}${request.path}`, request.soapAction, request.body, 'gzip');
      expect(answer.status).to.equal(200);
      expect(answer.encoding).to.equal('gzip');
      return answer.bytes;
    },
  };
}

/** GetUpdateData's answer as the codec writes it from the stored revisions (the endpoint's rules: compressed over 4 KB, expired marked). */
function codecAnswer(store: SiteStore, keys: RevisionKey[]): Buffer {
  const fileUrls = new Map<string, string>();
  const updates = keys.map((key) => {
    const revision = store.served.revision(key)!;
    for (const f of revision.files) if (f.url) fileUrls.set(f.digest, f.url);
    const text = storedXmlText(revision.stored, key.updateId);
    const xml = revision.expired ? text.replace(/PublicationState="[^"]*"/, 'PublicationState="Expired"') : text;
    const blob = Buffer.byteLength(xml) > 4096 ? { xmlUpdateBlobCompressed: encodeUpdateBlob(xml) } : { xmlUpdateBlob: xml };
    return { ...key, fileDigestList: revision.files.map((f) => f.digest), ...blob };
  });
  return Buffer.from(buildResponse({ operation: 'GetUpdateData', updates, fileUrls: [...fileUrls].map(([fileDigest, muUrl]) => ({ fileDigest, muUrl, ussUrl: '' })) }));
}

function batches<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

describe('SUP endpoint: GetUpdateData entries kept encoded', () => {
  let home: Home;
  let pkg: string;
  let store: SiteStore;
  let keys: RevisionKey[];

  before(async () => {
    home = new Home(tempDir('supsync-cache-'));
    pkg = await corpusSite(home, 'UPS', { updates: 400, seed: 'kept-entries' });
    store = openSiteStore(home.sitePaths('UPS').database);
    keys = [...store.served.categoryRevisions(), ...store.served.updateRevisions({})];
  });
  after(() => store.close());

  it('serves a batch from memory byte for byte as it encoded it, and as the codec writes the stored revisions', async () => {
    const cached = new SupEndpoint({ store });
    const uncached = new SupEndpoint({ store, encodedCacheBytes: 0 });
    const [withCache, withoutCache] = [await cached.listen('127.0.0.1', 0), await uncached.listen('127.0.0.1', 0)];
    try {
      const downstream = await rawDownstream(withCache);
      // Categories (no files), updates with files and URLs, documents over and under 4 KB.
      const batch = [...keys.slice(0, 30), ...keys.slice(-70)];
      const first = await downstream.updateData(batch);
      expect(cached.encodedCacheFigures).to.include({ hits: 0, misses: batch.length, entries: batch.length });
      const second = await downstream.updateData(batch);
      expect(cached.encodedCacheFigures).to.include({ hits: batch.length, misses: batch.length });
      expect(second.equals(first)).to.equal(true);
      expect(first.equals(codecAnswer(store, batch))).to.equal(true);
      expect(first.equals(await (await rawDownstream(withoutCache)).updateData(batch))).to.equal(true);
      expect(uncached.encodedCacheFigures.entries).to.equal(0);
      // The batch covers what the answer's shape depends on.
      const text = first.toString('utf8');
      expect(text).to.include('<XmlUpdateBlobCompressed>').and.include('<XmlUpdateBlob>');
      // A batch of one revision without files has an empty URL list.
      const category = await downstream.updateData([keys[0]!]);
      expect(category.toString('utf8')).to.include('<fileUrls />');
      expect(category.equals(codecAnswer(store, [keys[0]!]))).to.equal(true);
    } finally {
      await withCache.close();
      await withoutCache.close();
    }
  });

  it('serves what a committed run changed anew, and what it left alone still from memory', async () => {
    const endpoint = new SupEndpoint({ store });
    const running = await endpoint.listen('127.0.0.1', 0);
    try {
      const downstream = await rawDownstream(running);
      const updateKeys = store.served.updateRevisions({});
      const before = new Map<RevisionKey, Buffer>();
      for (const batch of batches(updateKeys, 100)) before.set(batch[0]!, await downstream.updateData(batch));
      const since = store.served.maxChangeSeq();
      // A run of the site's own that commits: the same package imported again under a rule that
      // expires superseded updates now (as a sync's finish does), through its own connection.
      const known = withSiteStore(home.sitePaths('UPS').database, (s) => s.categories.known());
      updateSiteControl(home.sitePaths('UPS').controlFile, (site) => ({ ...site, sup: planSupChange(site, { immediatelyExpireSupersedence: true }, known).settings }));
      const imported = await importPackage(home, 'UPS', pkg);
      expect(imported.state).to.equal('Succeeded');
      const changed = store.served.updateRevisions({ sinceSeq: since });
      expect(changed.length).to.be.greaterThan(0);
      const changedIds = new Set(changed.map((k) => k.updateId));
      const unchanged = updateKeys.filter((k) => !changedIds.has(k.updateId)).slice(0, 50);
      expect(unchanged).to.have.length(50);

      const { hits, stale } = endpoint.encodedCacheFigures;
      const expired = changed.slice(0, 50);
      const fresh = await downstream.updateData(expired);
      expect(endpoint.encodedCacheFigures.stale - stale).to.equal(expired.length);
      expect(fresh.equals(codecAnswer(store, expired))).to.equal(true);
      for (const update of parseResponse('GetUpdateData', fresh.toString('utf8')).updates) {
        const xml = update.xmlUpdateBlob ?? readUpdateBlob(update.xmlUpdateBlobCompressed!, 'test').xml;
        expect(xml, update.updateId).to.include('PublicationState="Expired"');
      }
      const kept = await downstream.updateData(unchanged);
      expect(endpoint.encodedCacheFigures.hits - hits).to.equal(unchanged.length);
      expect(kept.equals(codecAnswer(store, unchanged))).to.equal(true);
    } finally {
      await running.close();
    }
  });

  it('keeps no more than its byte bound, least recently used out, and answers the same after eviction', async () => {
    const maxBytes = 150_000;
    const endpoint = new SupEndpoint({ store, encodedCacheBytes: maxBytes });
    const running = await endpoint.listen('127.0.0.1', 0);
    try {
      const downstream = await rawDownstream(running);
      const updateKeys = store.served.updateRevisions({});
      const first = await downstream.updateData(updateKeys.slice(0, 100));
      for (const batch of batches(updateKeys.slice(100), 100)) {
        await downstream.updateData(batch);
        const figures = endpoint.encodedCacheFigures;
        expect(figures.bytes).to.be.at.most(maxBytes);
        expect(figures.entries).to.be.greaterThan(0);
      }
      // The first batch went out first: asked again, it is encoded again, to the same bytes.
      const { misses } = endpoint.encodedCacheFigures;
      const again = await downstream.updateData(updateKeys.slice(0, 100));
      expect(endpoint.encodedCacheFigures.misses - misses).to.equal(100);
      expect(again.equals(first)).to.equal(true);
      expect(endpoint.encodedCacheFigures.bytes).to.be.at.most(maxBytes);
    } finally {
      await running.close();
    }
  });

  it('serves the recorded real updates, with their files and file URLs, byte for byte as the codec writes them, from memory too', async () => {
    const { db } = seededSite('REC');
    const recorded = new SiteStore(db);
    const endpoint = new SupEndpoint({ store: recorded });
    const running = await endpoint.listen('127.0.0.1', 0);
    try {
      const downstream = await rawDownstream(running);
      const all = [...recorded.served.categoryRevisions(), ...recorded.served.updateRevisions({})];
      let urls = 0;
      for (const batch of batches(all, 25)) {
        const expected = codecAnswer(recorded, batch);
        const first = await downstream.updateData(batch);
        const second = await downstream.updateData(batch);
        expect(first.equals(expected)).to.equal(true);
        expect(second.equals(expected)).to.equal(true);
        urls += first.toString('utf8').split('<ServerSyncUrlData>').length - 1;
      }
      expect(urls).to.be.greaterThan(0);
      expect(endpoint.encodedCacheFigures).to.include({ hits: all.length, misses: all.length });
    } finally {
      await running.close();
      db.close();
    }
  });

  it('keeps a batch gzipped for the next downstream that asks for gzip, until the site changes', async () => {
    const endpoint = new SupEndpoint({ store });
    const running = await endpoint.listen('127.0.0.1', 0);
    try {
      const first = await rawDownstream(running);
      const second = await rawDownstream(running);
      const batch = store.served.updateRevisions({}).slice(0, 100);
      const zipped = await first.gzippedUpdateData(batch);
      expect(endpoint.gzippedAnswerFigures).to.include({ answers: 1, hits: 0, misses: 1 });
      expect(zlib.gunzipSync(zipped).equals(codecAnswer(store, batch))).to.equal(true);
      expect((await second.gzippedUpdateData(batch)).equals(zipped)).to.equal(true);
      expect(endpoint.gzippedAnswerFigures).to.include({ answers: 1, hits: 1, misses: 1 });
      // Another batch, or the same in another order, is another answer.
      const reordered = [...batch].reverse();
      expect(zlib.gunzipSync(await second.gzippedUpdateData(reordered)).equals(codecAnswer(store, reordered))).to.equal(true);
      expect(endpoint.gzippedAnswerFigures).to.include({ answers: 2, hits: 1, misses: 2 });
      // A commit to the site (an expiry, through the store's own write path on another connection) moves the data version.
      withSiteStore(home.sitePaths('UPS').database, (writer) => writer.transaction(() => writer.updates.expire(batch[0]!.updateId, 'superseded', new Date().toISOString(), writer.nextChangeSeq()))());
      const after = zlib.gunzipSync(await first.gzippedUpdateData(batch));
      expect(endpoint.gzippedAnswerFigures).to.include({ hits: 1, misses: 3 });
      expect(after.equals(codecAnswer(store, batch))).to.equal(true);
      expect(after.equals(zlib.gunzipSync(zipped))).to.equal(false);
    } finally {
      await running.close();
    }
  });

  it('keeps a revision list read to its end for the next downstream, until the site changes; the same text as the codec writes', async () => {
    const endpoint = new SupEndpoint({ store, listPageRows: 40 });
    const running = await endpoint.listen('127.0.0.1', 0);
    // The answer as the codec writes the stored list whole, with the anchor the endpoint gave.
    const codecList = (answer: Buffer) => Buffer.from(buildResponse({ operation: 'GetRevisionIdList', anchor: parseResponse('GetRevisionIdList', answer.toString('utf8')).anchor, newRevisions: store.served.updateRevisions({}) }));
    try {
      const [first, second] = [await rawDownstream(running), await rawDownstream(running)];
      const read = await first.listAll();
      expect(endpoint.keptListFigures).to.include({ answers: 1, hits: 0, misses: 1 });
      expect(read.equals(codecList(read))).to.equal(true);
      const kept = await second.listAll();
      expect(endpoint.keptListFigures).to.include({ answers: 1, hits: 1, misses: 1 });
      expect(kept.equals(codecList(kept))).to.equal(true);
      // An expiry committed on another connection: the list is read again, without the expired update.
      const [gone] = store.served.updateRevisions({});
      withSiteStore(home.sitePaths('UPS').database, (writer) => writer.transaction(() => writer.updates.expire(gone!.updateId, 'superseded', new Date().toISOString(), writer.nextChangeSeq()))());
      const after = await first.listAll();
      expect(endpoint.keptListFigures).to.include({ hits: 1, misses: 2 });
      expect(after.equals(codecList(after))).to.equal(true);
      expect(after.toString('utf8')).not.to.include(gone!.updateId);
      expect(read.toString('utf8')).to.include(gone!.updateId);
    } finally {
      await running.close();
    }
  });
});

describe('SUP endpoint: update XML kept as the cabinet the wire carried', () => {
  // The recorded Windows answers: LZX cabinets (2^21 window), one to three data blocks each.
  const answers = loadExchanges().filter((e) => e.operation === 'GetUpdateData' && e.status === 200);
  const wire = new Map(
    answers
      .flatMap((e) => (parseResponse('GetUpdateData', e.response) as ResponseOf<'GetUpdateData'>).updates)
      .flatMap((u) => (u.xmlUpdateBlobCompressed ? [[`${u.updateId}/${u.revisionNumber}`, u.xmlUpdateBlobCompressed.replace(/\s+/g, '')] as const] : [])),
  );

  /** A site holding what a sync stores of the recorded answers (the storing thread's path, no worker). */
  function receivedSite(): SiteStore {
    const home = new Home(tempDir('supsync-cabinets-'));
    applyAddSite(home, planAddSite(home, { code: 'REC', role: 'primary' }));
    const store = openSiteStore(home.sitePaths('REC').database);
    const index = store.categories.index();
    store.transaction(() => {
      for (const answer of answers) {
        for (const update of readStorableUpdateData(answer.response).updates) store.updates.store(update, index, { changeSeq: 1, now: new Date().toISOString() });
      }
    })();
    return store;
  }

  it('receives LZX cabinets of one to three data blocks, stores each as it came, and serves it as it is, from memory too', async () => {
    const cabinets = [...wire.values()].map((base64) => Buffer.from(base64, 'base64'));
    expect(cabinets.map((cab) => cab.readUInt16LE(36 + 6) & 0x0f)).to.satisfy((methods: number[]) => methods.every((m) => m === 3));
    expect(Math.max(...cabinets.map((cab) => cab.readUInt16LE(36 + 4)))).to.equal(3);
    const store = receivedSite();
    const endpoint = new SupEndpoint({ store });
    const running = await endpoint.listen('127.0.0.1', 0);
    try {
      const keys = [...store.served.categoryRevisions(), ...store.served.updateRevisions({})];
      const compressed = keys.filter((k) => wire.has(`${k.updateId}/${k.revisionNumber}`));
      expect(compressed).to.have.length(wire.size);
      for (const key of keys) expect(store.served.revision(key)!.stored.format).to.equal(wire.has(`${key.updateId}/${key.revisionNumber}`) ? 'cabinet' : 'deflate');
      const downstream = await rawDownstream(running);
      for (let round = 0; round < 2; round++) {
        const served = (parseResponse('GetUpdateData', (await downstream.updateData(keys)).toString('utf8')) as ResponseOf<'GetUpdateData'>).updates;
        expect(served.map((u) => u.xmlUpdateBlobCompressed ?? null)).to.deep.equal(keys.map((k) => wire.get(`${k.updateId}/${k.revisionNumber}`) ?? null));
      }
      expect(endpoint.encodedCacheFigures).to.include({ hits: keys.length, misses: keys.length });
    } finally {
      await running.close();
      store.close();
    }
  });

  it('serves an expired update kept as a cabinet marked Expired, in a cabinet of its own', async () => {
    const store = receivedSite();
    const running = await new SupEndpoint({ store }).listen('127.0.0.1', 0);
    try {
      const key = store.served.updateRevisions({}).find((k) => wire.has(`${k.updateId}/${k.revisionNumber}`))!;
      const xml = readUpdateBlob(wire.get(`${key.updateId}/${key.revisionNumber}`)!, 'recorded').xml;
      expect(xml).to.match(/PublicationState="Published"/);
      store.transaction(() => store.updates.expire(key.updateId, 'test', new Date().toISOString(), 2))();
      const [served] = (parseResponse('GetUpdateData', (await (await rawDownstream(running)).updateData([key])).toString('utf8')) as ResponseOf<'GetUpdateData'>).updates;
      expect(served!.xmlUpdateBlobCompressed).to.be.a('string').and.not.equal(wire.get(`${key.updateId}/${key.revisionNumber}`));
      expect(readUpdateBlob(served!.xmlUpdateBlobCompressed!, 'served').xml).to.equal(xml.replace('PublicationState="Published"', 'PublicationState="Expired"'));
    } finally {
      await running.close();
      store.close();
    }
  });

  it('migrates a schema-4 site: its deflated rows read, serve and export as before, and rows stored since keep the cabinet', async () => {
    const home = new Home(tempDir('supsync-migrate-cabinets-'));
    await corpusSite(home, 'OLD', { updates: 60, seed: 'schema-4' });
    const file = home.sitePaths('OLD').database;
    const before = withSiteStore(file, (store) => [...store.categories.documents(), ...store.updates.documents()].map((d) => [d.update_id, storedXmlText(d.stored, d.update_id)]));
    // The site as supsync left it before migration 5: no metadata_format column.
    const old = new Database(file);
    asSchema5(old);
    old.exec('ALTER TABLE updates DROP COLUMN metadata_format; ALTER TABLE categories DROP COLUMN metadata_format;');
    old.pragma('user_version = 4');
    old.close();
    const received = readStorableUpdateData(answers.find((e) => e.key === 'exchanges/000013')!.response).updates[0]!;
    const receivedXml = readUpdateDataResponse(answers.find((e) => e.key === 'exchanges/000013')!.response).updates[0]!.xml;
    const store = openSiteStore(file);
    try {
      const documents = [...store.categories.documents(), ...store.updates.documents()];
      expect(documents.map((d) => d.stored.format)).to.satisfy((formats: string[]) => formats.every((f) => f === 'deflate'));
      expect(documents.map((d) => [d.update_id, storedXmlText(d.stored, d.update_id)])).to.deep.equal(before);
      const keys = store.served.updateRevisions({}).slice(0, 20);
      const running = await new SupEndpoint({ store }).listen('127.0.0.1', 0);
      try {
        expect((await (await rawDownstream(running)).updateData(keys)).equals(codecAnswer(store, keys))).to.equal(true);
      } finally {
        await running.close();
      }

      store.transaction(() => store.updates.store(received, store.categories.index(), { changeSeq: 5, now: new Date().toISOString() }))();
      const kept = store.served.revision(received)!.stored;
      expect(kept.format).to.equal('cabinet');
      expect(kept.bytes.toString('base64')).to.equal(wire.get(`${received.updateId}/${received.revisionNumber}`));
    } finally {
      store.close();
    }
    const exported = path.join(home.root, 'exported.pkg.gz');
    await exportPackage(home, 'OLD', exported);
    const records = new Map<string, string>();
    for await (const { records: batch } of readPackage(exported)) for (const r of batch) records.set(r.updateId, r.xml);
    for (const [id, xml] of before) expect(records.get(id), id).to.equal(xml);
    expect(records.get(received.updateId)).to.equal(receivedXml);
    expect(records.size).to.equal(before.length + 1);
  });
});
