/**
 * Update XML parse throughput on a sync-sized batch: N documents (20,000 by default) made from
 * the nine recorded ones, each copy with its own UpdateID, parsed by
 *   update-xml      parseUpdateXml: the project codec plus the full mapping and validation;
 *   codec-minimal   the project codec (parseXml: saxes plus the object tree) with a minimal
 *                   mapping (identity and titles);
 *   saxes-events    saxes alone, the same data taken from its events without building a tree:
 *                   what the tree costs;
 *   xml2js-minimal  xml2js parseStringPromise with the same minimal mapping;
 *   fxp-unchecked   fast-xml-parser alone (the codec's parser before saxes, there behind its
 *                   validator and a depth pre-scan), unchecked, with the minimal mapping.
 * Each run is a child process, so the peak RSS reported is the variant's own; CPU time is shown
 * beside wall time because CPU time suffers less from other load on the machine.
 *
 * Run: npx tsx scripts/bench-xml.ts [documents]
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import xml2js from 'xml2js';
import { parseUpdateXml } from '../src/protocol/update-xml.js';
import { child, children, childText, attr, parseXml, type XmlNode } from '../src/protocol/xml.js';

const variants = ['update-xml', 'codec-minimal', 'saxes-events', 'xml2js-minimal', 'fxp-unchecked'] as const;
type Variant = (typeof variants)[number];

/** What the minimal mappings extract; the checksum proves every variant did the same work. */
interface Minimal {
  updateId: string;
  revisionNumber: number;
  titles: Array<{ language: string; title: string }>;
}

interface Result {
  variant: Variant;
  documents: number;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  corpusRssMb: number;
  peakRssMb: number;
  checksum: number;
}

const scriptPath = fileURLToPath(import.meta.url);
const rounds = 3;

/** The repository root holds package.json, whether this runs from scripts/ or dist/scripts/. */
function repoRoot(): string {
  let dir = path.dirname(scriptPath);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the script');
    dir = parent;
  }
  return dir;
}

function corpus(count: number): string[] {
  const docsDir = path.join(repoRoot(), '..', 'shared', 'fixtures', 'wsusss', 'recorded', 'docs');
  const originals = readdirSync(docsDir)
    .filter((name) => name.endsWith('.xml'))
    .sort()
    .map((name) => readFileSync(path.join(docsDir, name), 'utf8'));
  return Array.from({ length: count }, (_, i) => {
    const id = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0')}`;
    // The first UpdateID of a document is its own UpdateIdentity.
    return originals[i % originals.length]!.replace(/UpdateID="[^"]*"/, `UpdateID="${id}"`);
  });
}

function minimalFromFxp(root: XmlNode | undefined, q: (local: string) => string): Minimal {
  const identity = child(root, q('UpdateIdentity'));
  return {
    updateId: (attr(identity, 'UpdateID') ?? '').toLowerCase(),
    revisionNumber: Number(attr(identity, 'RevisionNumber')),
    titles: children(child(root, q('LocalizedPropertiesCollection')), q('LocalizedProperties')).map((lp) => ({
      language: childText(lp, q('Language')) ?? '',
      title: childText(lp, q('Title')) ?? '',
    })),
  };
}

/** xml2js keeps prefixes, attributes under `$` and text under `_` (or as a plain string). */
function minimalFromXml2js(doc: Record<string, any>): Minimal {
  const root = doc['upd:Update'];
  const identity = root['upd:UpdateIdentity'][0].$;
  const text = (value: any): string => (typeof value === 'string' ? value : (value?._ ?? ''));
  const localized: any[] = root['upd:LocalizedPropertiesCollection']?.[0]?.['upd:LocalizedProperties'] ?? [];
  return {
    updateId: String(identity.UpdateID).toLowerCase(),
    revisionNumber: Number(identity.RevisionNumber),
    titles: localized.map((lp) => ({ language: text(lp['upd:Language'][0]), title: text(lp['upd:Title'][0]) })),
  };
}

/** The minimal mapping from saxes events: the root's UpdateIdentity, and Language and Title under LocalizedProperties. */
function minimalFromSaxes(text: string): Minimal {
  const result: Minimal = { updateId: '', revisionNumber: NaN, titles: [] };
  const path: string[] = [];
  let entry: { language: string; title: string } | undefined;
  let field: 'language' | 'title' | undefined;
  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag) => {
    const local = tag.name.slice(tag.name.indexOf(':') + 1);
    const parent = path[path.length - 1];
    if (local === 'UpdateIdentity' && path.length === 1) {
      result.updateId = (tag.attributes['UpdateID'] ?? '').toLowerCase();
      result.revisionNumber = Number(tag.attributes['RevisionNumber']);
    } else if (local === 'LocalizedProperties' && parent === 'LocalizedPropertiesCollection') {
      entry = { language: '', title: '' };
      result.titles.push(entry);
    } else if (parent === 'LocalizedProperties' && (local === 'Language' || local === 'Title')) {
      field = local === 'Language' ? 'language' : 'title';
    }
    path.push(local);
  });
  parser.on('text', (data) => {
    if (field !== undefined) entry![field] += data;
  });
  parser.on('closetag', () => {
    path.pop();
    field = undefined;
  });
  parser.write(text).close();
  return result;
}

const uncheckedParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (_name, _jpath, _isLeafNode, isAttribute) => !isAttribute,
});

function checksumOf(identityChars: number, revision: number, titles: Array<{ title: string }>): number {
  return identityChars + revision + titles.reduce((sum, t) => sum + t.title.length, 0);
}

async function parseOne(variant: Variant, text: string): Promise<number> {
  switch (variant) {
    case 'update-xml': {
      const u = parseUpdateXml(text, 'bench');
      return checksumOf(u.updateId.length, u.revisionNumber, u.localized);
    }
    case 'codec-minimal': {
      const m = minimalFromFxp(child(parseXml(text, 'bench'), 'Update'), (local) => local);
      return checksumOf(m.updateId.length, m.revisionNumber, m.titles);
    }
    case 'saxes-events': {
      const m = minimalFromSaxes(text);
      return checksumOf(m.updateId.length, m.revisionNumber, m.titles);
    }
    case 'xml2js-minimal': {
      const m = minimalFromXml2js(await xml2js.parseStringPromise(text));
      return checksumOf(m.updateId.length, m.revisionNumber, m.titles);
    }
    case 'fxp-unchecked': {
      const m = minimalFromFxp(child(uncheckedParser.parse(text) as XmlNode, 'Update'), (local) => local);
      return checksumOf(m.updateId.length, m.revisionNumber, m.titles);
    }
  }
}

async function runVariant(variant: Variant, count: number): Promise<Result> {
  const docs = corpus(count);
  const bytes = docs.reduce((sum, d) => sum + Buffer.byteLength(d, 'utf8'), 0);
  const corpusRssMb = process.memoryUsage().rss / 2 ** 20;
  // Warm-up so the timed pass measures optimised code.
  for (const d of docs.slice(0, 1000)) await parseOne(variant, d);
  let checksum = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const d of docs) checksum += await parseOne(variant, d);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return {
    variant,
    documents: count,
    bytes,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    corpusRssMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    checksum,
  };
}

function inChild(variant: Variant, count: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = fork(scriptPath, ['--variant', variant, String(count)]);
    worker.once('message', (message) => resolve(message as Result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${variant} exited with ${code}`));
    });
  });
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--variant') {
    const result = await runVariant(args[1] as Variant, Number(args[2]));
    // Closing the channel lets the child exit once the result is sent.
    process.send!(result, () => process.disconnect());
    return;
  }
  const count = Number(args[0] ?? 20000);
  const results: Result[] = [];
  // Rounds interleave the variants, rotating their order, so that load from other processes
  // on the machine falls on all of them alike.
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) results.push(await inChild(variants[(i + round) % variants.length]!, count));
  }
  const first = results[0]!;
  console.log(`${count} documents, ${(first.bytes / 2 ** 20).toFixed(1)} MiB of UTF-8; median of ${rounds} runs each; Node ${process.version}`);
  console.log('variant          docs/s  MiB/s  docs/CPU-s  MiB/CPU-s  corpus RSS MiB  peak RSS MiB  checksum');
  for (const variant of variants) {
    const runs = results.filter((r) => r.variant === variant);
    const wall = median(runs.map((r) => r.seconds));
    const cpu = median(runs.map((r) => r.cpuSeconds));
    const mib = first.bytes / 2 ** 20;
    console.log(
      `${variant.padEnd(15)} ${(count / wall).toFixed(0).padStart(7)} ${(mib / wall).toFixed(1).padStart(6)} ${(count / cpu).toFixed(0).padStart(11)} ` +
        `${(mib / cpu).toFixed(1).padStart(10)} ${median(runs.map((r) => r.corpusRssMb)).toFixed(0).padStart(15)} ` +
        `${Math.max(...runs.map((r) => r.peakRssMb)).toFixed(0).padStart(13)}  ${runs[0]!.checksum}`,
    );
  }
  // update-xml trims and lower-cases, which the real documents do not need, so all must agree.
  if (results.some((r) => r.checksum !== first.checksum)) console.log('warning: the variants extracted different data');
}

await main();
