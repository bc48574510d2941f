/**
 * A site database holding the nine real documents of fixtures/wsusss/recorded/docs (KB2267602's
 * bundle tree for Microsoft Defender Antivirus, its leaves without a classification of their own)
 * plus the product and classifications they reference, and a recording reverse proxy that keeps
 * every SOAP body crossing it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { categoryXml } from '../../src/dev/corpus.js';
import { parseResponse } from '../../src/protocol/soap/index.js';
import { parseUpdateXml } from '../../src/protocol/update-xml.js';
import { applyAddSite, planAddSite } from '../../src/store/sites.js';
import { Home } from '../../src/store/home.js';
import { type SiteDb, openSiteDb } from '../../src/store/site-db.js';
import { UpdateStore, loadCategoryIndex } from '../../src/store/updates.js';
import { tempDir } from './cli.js';
import { wsusssRecorded } from './fixtures.js';
import { loadExchanges } from './wsusss.js';

export const defender = '8c3fcc84-7410-4a95-8b89-a166a0190486';
export const definitionUpdates = 'e0789628-ce08-4437-be74-2495b842f43b';
export const securityUpdates = '0fa1201d-4330-4fa8-8ae9-b877473b6441';
/** KB2267602: bundles 1f9bd9bb, 266f6222 and ccb78947; 1f9bd9bb bundles the leaf ff36f0b5. */
export const kb2267602 = 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe';
export const leaves = ['266f6222-c89d-43f2-9f8a-69340271e677', 'ff36f0b5-dded-4780-8664-cd78af8b62c1'];

/** A synthetic Defender definition update with one file whose bytes the test holds (content tests). */
export function contentUpdate(bytes: Buffer): { id: string; xml: string; digest: string; hexName: string; fileName: string } {
  const id = 'c0ffee00-0000-4000-8000-000000000001';
  const digest = crypto.createHash('sha1').update(bytes).digest('base64');
  const fileName = 'am_delta_patch_1.400.1.0.exe';
  const xml =
    `<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"><upd:UpdateIdentity UpdateID="${id}" RevisionNumber="200" />` +
    `<upd:Properties UpdateType="Software" DefaultPropertiesLanguage="en" PublicationState="Published" CreationDate="2026-10-01T00:00:00.000Z" PublisherID="395392a0-19c0-48b7-a927-f7c15066d905"><upd:KBArticleID>2267602</upd:KBArticleID></upd:Properties>` +
    `<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language><upd:Title>Test definition update with content</upd:Title></upd:LocalizedProperties></upd:LocalizedPropertiesCollection>` +
    `<upd:Relationships><upd:Prerequisites><upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${definitionUpdates}" /></upd:AtLeastOne><upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${defender}" /></upd:AtLeastOne></upd:Prerequisites></upd:Relationships>` +
    `<upd:Files><upd:File Digest="${digest}" DigestAlgorithm="SHA1" FileName="${fileName}" Size="${bytes.length}" Modified="2026-10-01T00:00:00Z" /></upd:Files>` +
    `<upd:ApplicabilityRules><upd:IsInstalled><bar:WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="10" xmlns:bar="http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules" /></upd:IsInstalled></upd:ApplicabilityRules></upd:Update>`;
  return { id, xml, digest, hexName: `${Buffer.from(digest, 'base64').toString('hex').toUpperCase()}.exe`, fileName };
}

/**
 * A stand-in for an update the recorded documents name but the recording did not capture: a
 * bundled child at the revision its bundle names, or a prerequisite (an architecture detectoid)
 * at revision 300, the first one a probe for an update of unknown revision asks.
 */
function standInXml(id: string, revision: number): string {
  return (
    `<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"><upd:UpdateIdentity UpdateID="${id}" RevisionNumber="${revision}" />` +
    `<upd:Properties UpdateType="Software" DefaultPropertiesLanguage="en" PublicationState="Published" CreationDate="2026-10-01T00:00:00.000Z" PublisherID="395392a0-19c0-48b7-a927-f7c15066d905"></upd:Properties>` +
    `<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language><upd:Title>Unrecorded update ${id}</upd:Title></upd:LocalizedProperties></upd:LocalizedPropertiesCollection></upd:Update>`
  );
}

/**
 * The recorded documents in a site database. `unrecorded`: with stand-ins for the 150-odd bundled
 * children and prerequisites they name that the recording lacks, so a client fetching relations by
 * id finds them at the first revision it probes instead of probing each a hundred times in vain
 * (what Microsoft Update, which has them all, would answer); `skip` ids stay missing all the same.
 */
export function seededSite(code = 'US1', options: { content?: Buffer; skip?: string[]; unrecorded?: boolean } = {}): { home: Home; db: SiteDb } {
  const home = new Home(tempDir());
  applyAddSite(home, planAddSite(home, { code, role: 'primary' }));
  const db = openSiteDb(home.sitePaths(code).database);
  const store = new UpdateStore(db);
  const index = loadCategoryIndex(db);
  const urls = new Map(parseResponse('GetUpdateData', loadExchanges().find((e) => e.key === 'exchanges/000014')!.response).fileUrls.map((u) => [u.fileDigest, u.muUrl]));
  db.transaction(() => {
    const synthetic = [
      { id: defender, title: 'Microsoft Defender Antivirus', type: 'Product' as const },
      { id: definitionUpdates, title: 'Definition Updates', type: 'UpdateClassification' as const },
      { id: securityUpdates, title: 'Security Updates', type: 'UpdateClassification' as const },
    ];
    for (const c of synthetic) store.store(parseUpdateXml(categoryXml(c), c.id), index, { changeSeq: 1, now: new Date().toISOString() });
    const docs = fs.readdirSync(path.join(wsusssRecorded, 'docs')).sort();
    // Categories first, so updates resolve their product and classification.
    const parsed = docs.map((name) => parseUpdateXml(fs.readFileSync(path.join(wsusssRecorded, 'docs', name), 'utf8'), name)).filter((u) => !options.skip?.includes(u.updateId));
    for (const update of [...parsed.filter((u) => u.updateType === 'Category'), ...parsed.filter((u) => u.updateType !== 'Category')]) {
      for (const f of update.files) f.url = urls.get(f.digest);
      store.store(update, index, { changeSeq: 2, now: new Date().toISOString() });
    }
    if (options.unrecorded) {
      const known = new Set([...synthetic.map((c) => c.id), ...parsed.map((u) => u.updateId), ...(options.skip ?? [])]);
      const named = new Map<string, number>();
      for (const update of parsed) {
        for (const child of update.bundledUpdates) named.set(child.updateId, child.revisionNumber ?? 300);
        for (const id of update.prerequisites.flat()) if (!named.has(id)) named.set(id, 300);
      }
      for (const [id, revision] of named) if (!known.has(id)) store.store(parseUpdateXml(standInXml(id, revision), id), index, { changeSeq: 2, now: new Date().toISOString() });
    }
    if (options.content) {
      const update = contentUpdate(options.content);
      store.store(parseUpdateXml(update.xml, update.id), index, { changeSeq: 2, now: new Date().toISOString() });
    }
  })();
  if (options.content) {
    const update = contentUpdate(options.content);
    const dir = path.join(home.sitePaths(code).content, update.id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, update.fileName), options.content);
  }
  return { home, db };
}

export interface Exchange {
  path: string;
  soapAction: string;
  request: string;
  status: number;
  response: string;
}

/** A reverse proxy keeping every exchange; `rewrite` may change an answer (to play another server). */
export async function recordingProxy(
  target: string,
  rewrite?: (exchange: Exchange) => string,
): Promise<{ url: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = Buffer.concat(chunks).toString('utf8');
      const headers = { ...req.headers };
      delete headers['accept-encoding']; // keep answers readable here
      const forward = http.request(`${target}${req.url}`, { method: req.method, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          const exchange: Exchange = { path: req.url ?? '', soapAction: String(req.headers.soapaction ?? ''), request, status: answer.statusCode!, response: Buffer.concat(parts).toString('utf8') };
          if (rewrite) exchange.response = rewrite(exchange);
          exchanges.push(exchange);
          const out = { ...answer.headers, 'content-length': String(Buffer.byteLength(exchange.response)) };
          delete out['transfer-encoding'];
          // A fault put in by `rewrite` goes with HTTP 500, as servers send faults.
          res.writeHead(/<(\w+:)?Fault>/.test(exchange.response) && !/<(\w+:)?Fault>/.test(Buffer.concat(parts).toString('utf8')) ? 500 : answer.statusCode!, out);
          res.end(exchange.response);
        });
      });
      forward.on('error', () => res.destroy());
      forward.end(request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
