/**
 * The kill -9 loop (issue 16's proof, test/campaign/kill-loop.ts): syncs killed at seeded random
 * points, resumed, and compared with uninterrupted runs. Inside `npm test` a few points on a small
 * corpus; `npm run campaign` (CAMPAIGN=full) draws at least 24 on a larger one and writes the
 * figures into README.md. The seed is printed; `CAMPAIGN_SEED=n` replays a campaign.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { type KillCampaign as Campaign, KillCampaign, type TrialResult, drawTrials, seededRandom } from './campaign/kill-loop.js';
import { killLoopFigures, writeReadmeFigures } from './campaign/figures.js';

const full = process.env.CAMPAIGN === 'full';
// npm test replays one seed, so it fails only when the code changes; npm run campaign draws a new
// one each time to find what a fixed seed cannot (issue 16 keeps one such finding open).
const seed = process.env.CAMPAIGN_SEED !== undefined ? Number(process.env.CAMPAIGN_SEED) : full ? crypto.randomInt(1, 2 ** 31) : 1624163889;
const trials = Number(process.env.CAMPAIGN_KILLS ?? (full ? 24 : 2));

describe('kill -9 campaign', function () {
  this.timeout(0);
  let campaign: Campaign;
  const started = Date.now();

  before(async () => {
    campaign = full
      ? await KillCampaign.prepare({ updates: 1500, batch: 25, generation: 4, scenarios: ['initial', 'delta', 'full'] })
      : await KillCampaign.prepare({ updates: 200, batch: 20, generation: 3, scenarios: ['initial', 'full'] });
  });
  after(() => campaign?.close());

  it(`resumes after every kill with the content, catalog version and history totals of an uninterrupted run (seed ${seed})`, async () => {
    // A server left down costs seconds of the sync's retries: npm test does not wait them out.
    const drawn = drawTrials(seededRandom(seed), trials, campaign.references, { serverDown: full });
    const results: TrialResult[] = [];
    for (const [i, trial] of drawn.entries()) {
      const result = await campaign.run(trial, i);
      results.push(result);
      const points = result.kills.map((k) => `${k.point.server ? `server ${k.point.server} at ` : ''}${k.point.phase}${k.point.phase === 'finish' ? '' : ` #${k.point.ordinal} ${k.point.moment}`}${k.outcome === 'not-reached' ? ' (finished first)' : ''}`);
      process.stderr.write(`      ${String(i + 1).padStart(2)} ${trial.scenario.padEnd(7)} ${points.join(' → ')}: ${result.identical ? 'identical' : result.problems.join('; ')} (${result.seconds.toFixed(1)} s)\n`);
    }
    const figures = killLoopFigures(seed, results, campaign.references, (Date.now() - started) / 1000);
    process.stderr.write(`${figures.text.split('\n').map((l) => `      ${l}`).join('\n')}\n`);
    if (full) writeReadmeFigures('kill-loop', figures.markdown);
    const failed = results.filter((r) => !r.identical);
    expect(failed.map((r) => `${r.trial.scenario} ${JSON.stringify(r.trial.kills)}: ${r.problems.join('; ')}`), `seed ${seed}`).to.deep.equal([]);
  });
});
