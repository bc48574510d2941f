/**
 * The campaign's summary figures: printed by the tests, and written by `npm run campaign` into
 * README.md between `<!-- campaign:NAME -->` and `<!-- /campaign:NAME -->`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures.js';
import type { Reference, Scenario, TrialResult } from './kill-loop.js';

export interface Figures {
  text: string;
  markdown: string;
}

const conditions = () => `${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}`;

export function killLoopFigures(seed: number, results: TrialResult[], references: Partial<Record<Scenario, Reference>>, seconds: number): Figures {
  const kills = results.flatMap((r) => r.kills);
  const done = kills.filter((k) => k.outcome !== 'not-reached');
  const byPhase = new Map<string, number>();
  for (const k of done) {
    const phase = k.point.server ? `server killed (${k.point.server})` : k.point.phase;
    byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
  }
  const byScenario = (s: Scenario) => results.filter((r) => r.trial.scenario === s);
  const identical = results.filter((r) => r.identical).length;
  const resumedKilled = results.filter((r) => r.kills.filter((k) => k.outcome !== 'not-reached').length > 1).length;
  const phases = [...byPhase].map(([p, n]) => `${p} ${n}`).join(', ');
  const present = (['initial', 'delta', 'full'] as Scenario[]).filter((s) => references[s]);
  const scenarios = present.map((s) => `${s} ${byScenario(s).filter((r) => r.identical).length}/${byScenario(s).length}`).join(', ');
  const refs = present
    .map((s) => references[s]!)
    .map((r, i) => `${present[i]}: ${r.dump.counts.updates} updates (${r.dump.counts.expired} expired), version ${r.catalogVersion}, ${r.requests.updates} update batches, ${r.seconds.toFixed(1)} s`)
    .join('; ');
  const failures = results.filter((r) => !r.identical).flatMap((r) => r.problems);
  // One line per kind of difference (the text before its first figure), with how many trials showed it.
  const kinds = new Map<string, number>();
  for (const f of failures) {
    const kind = f.split(/[\d:]/)[0]!.trim();
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const distinct = [...kinds].map(([kind, n]) => `${kind} (${n})`);
  const text = [
    `kill loop: seed ${seed}; ${results.length} trials, ${done.length} kill -9 points reached (${kills.length - done.length} not reached: the run finished first); ${resumedKilled} trials killed a resumed run again`,
    `points by phase: ${phases}`,
    `identical to the uninterrupted run: ${identical} of ${results.length} (by scenario ${scenarios})`,
    ...(distinct.length > 0 ? [`differences: ${distinct.join(' | ')}`] : []),
    `references: ${refs}`,
    `${seconds.toFixed(0)} s on ${conditions()}`,
  ].join('\n');
  const markdown = [
    `Last \`npm run campaign\` (seed ${seed}, \`CAMPAIGN_SEED=${seed} npm run campaign\` replays it), ${new Date().toISOString().slice(0, 16)}Z, ${seconds.toFixed(0)} s on ${conditions()}:`,
    '',
    `- **${done.length} kill -9 points** in ${results.length} trials (${kills.length - done.length} drawn point(s) not reached: the run finished first), ${resumedKilled} trials killing a resumed run again; by phase: ${phases}.`,
    `- **${identical} of ${results.length} trials identical** to an uninterrupted run (content, catalog version, history totals; \`integrity_check\` ok after every kill); by scenario ${scenarios}.`,
    ...(distinct.length > 0 ? [`- Differences found: ${distinct.map((d) => `\`${d}\``).join('; ')}.`] : []),
    `- Uninterrupted references: ${refs}.`,
  ].join('\n');
  return { text, markdown };
}

/** Replaces the text between the section's markers in README.md. */
export function writeReadmeFigures(name: string, markdown: string): void {
  const file = path.join(repoRoot, 'README.md');
  const readme = fs.readFileSync(file, 'utf8');
  const open = `<!-- campaign:${name} -->`;
  const close = `<!-- /campaign:${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md has no ${open} … ${close} section`);
  fs.writeFileSync(file, `${readme.slice(0, start + open.length)}\n${markdown}\n${readme.slice(end)}`);
}

export function faultFigures(outcomes: { mode: { name: string; what: string; expect: { outcome: string } }; outcome: string; exit: number; code: string | null; seconds: number; problems: string[] }[], seconds: number): Figures {
  const asExpected = outcomes.filter((o) => o.problems.length === 0).length;
  const count = (outcome: string) => outcomes.filter((o) => o.mode.expect.outcome === outcome).length;
  const rows = outcomes.map((o) => `| ${o.mode.name} | ${o.mode.what} | ${o.mode.expect.outcome} | ${o.outcome} | ${o.exit} | ${o.problems.length === 0 ? 'yes' : o.problems.join('; ').replace(/\|/g, '/')} |`);
  const text = [
    `fault modes: ${outcomes.length} (${count('failed')} must fail cleanly, ${count('recovered')} must recover, ${count('accepted')} accepted); ${asExpected} as expected in ${seconds.toFixed(1)} s on ${conditions()}`,
    ...outcomes.filter((o) => o.problems.length > 0).map((o) => `${o.mode.name}: ${o.problems.join('; ')}`),
  ].join('\n');
  const markdown = [
    `Last \`npm run campaign\`, ${new Date().toISOString().slice(0, 16)}Z: **${asExpected} of ${outcomes.length} fault modes as expected** (${count('failed')} fail cleanly, ${count('recovered')} recover, ${count('accepted')} accepted) in ${seconds.toFixed(1)} s on ${conditions()}.`,
    '',
    '| mode | what the upstream does | must | got | exit | as expected |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  return { text, markdown };
}
