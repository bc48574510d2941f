/**
 * The dependency rules of ARCHITECTURE.md, checked over src/: every relative import (type-only
 * ones too) must point to the same or a lower layer, and no module may reach itself again through
 * its imports. Prints each back-arrow and cycle; exits 1 when there is one.
 *
 *   node dist/scripts/check-layers.js [src-dir]        (or: npx tsx scripts/check-layers.ts)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Layer of each top-level folder (or file) of src/: higher layers may import lower ones, never the reverse. */
export const layers: Record<string, number> = {
  cli: 6,
  dev: 6,
  service: 5,
  // The web console: served by the service (and by `supsync console`), reading sites through the store.
  console: 5,
  // Metrics read what the service records of itself (its host record) and are rendered by it.
  monitor: 5,
  sync: 4,
  // Alerts are raised after syncs (by the CLI and the service) from what the store holds.
  alerts: 4,
  catalog: 4,
  server: 4,
  package: 3,
  protocol: 3,
  store: 3,
  // Schedule strings, occurrences and their Task Scheduler / systemd / cron forms: a format, like protocol's.
  schedule: 3,
  log: 2,
  net: 2,
  // Output files the user names: written beside the target and renamed into place.
  files: 2,
  model: 0,
  'errors.ts': 0,
};

/** Folders of one layer that must not import each other in this direction (so they cannot form cycles either). */
export const apart: [string, string][] = [
  ['protocol', 'store'],
  ['store', 'protocol'],
  ['sync', 'server'],
  ['server', 'sync'],
  ['sync', 'catalog'],
  ['server', 'catalog'],
  ['catalog', 'server'],
];

const here = path.dirname(fileURLToPath(import.meta.url));
const root = fs.existsSync(path.join(here, '..', 'src')) && !here.includes(`${path.sep}dist${path.sep}`) ? path.join(here, '..') : path.join(here, '..', '..');
const defaultSrc = path.join(root, 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of text.matchAll(importPattern)) {
    const spec = (match[1] ?? match[2])!;
    const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
    if (fs.existsSync(target)) out.push(target);
  }
  return out;
}

/** Checks src/ of this checkout, or another tree's (to measure it). */
export function check(src = defaultSrc): { backArrows: string[]; cycles: string[][] } {
  const layerOf = (file: string): string => path.relative(src, file).split(path.sep)[0]!;
  const files = sources(src);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const rel = (f: string) => path.relative(src, f);
  const backArrows: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = layerOf(from);
      const b = layerOf(to);
      if (a === b) continue;
      if ((layers[a] ?? -1) < (layers[b] ?? 99) || apart.some(([x, y]) => x === a && y === b)) backArrows.push(`${rel(from)} -> ${rel(to)} (${a} may not import ${b})`);
    }
  }
  // Strongly connected components (Tarjan): every component of more than one module is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(rel(w));
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return { backArrows, cycles };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { backArrows, cycles } = check(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  for (const arrow of backArrows) console.log(`back-arrow: ${arrow}`);
  for (const cycle of cycles) console.log(`cycle: ${cycle.join(' <-> ')}`);
  console.log(`${backArrows.length} back-arrow(s), ${cycles.length} import cycle(s)`);
  process.exitCode = backArrows.length + cycles.length > 0 ? 1 : 0;
}
