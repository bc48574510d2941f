/** `demo`: the README's main command (npm start). */
import fs from 'node:fs';
import { ExitCode, InvalidArgumentError } from '../../errors.js';
import { runDemo } from '../../dev/demo.js';
import type { CommandHandler } from '../context.js';
import { status } from './status.js';
import { syncHistory } from './sync.js';

export const demo: CommandHandler<'demo'> = async (context) => {
  const { args, note, signal } = context;
  const updates = args.updates === undefined ? 2000 : Number(args.updates);
  if (!Number.isInteger(updates) || updates < 10 || updates > 1_000_000) {
    throw new InvalidArgumentError('InvalidArgument', `--updates must be a whole number from 10 to 1000000, got ${args.updates}`, { target: '--updates' });
  }
  const { home, results } = await runDemo({ updates, keep: Boolean(args.keep), note, signal });
  for (const r of results) {
    note(`  ${r.site}: ${r.state}${r.error ? ` (${r.error.message})` : ''}, new ${r.counts.new}, revised ${r.counts.revised}, expired ${r.counts.expired}, catalog version ${r.catalogVersion}, ${(r.durationMs / 1000).toFixed(1)} s`);
  }
  const demoContext = { ...context, home };
  await status({ ...demoContext, args: {} });
  await syncHistory({ ...demoContext, args: { site: 'CS1' } });
  context.output.flush();
  const log = fs.readFileSync(home.sitePaths('CS1').logDir + '/wsyncmgr.log', 'utf8').trimEnd().split(/\r?\n/);
  note('\nTail of CS1 wsyncmgr.log:');
  for (const line of log.slice(-25)) note(line);
  if (args.keep) note(`\nThe demo home is kept at ${home.root} (try: supsync --home ${home.root} status)`);
  return results.some((r) => r.state === 'Failed') ? ExitCode.upstream : undefined;
};
