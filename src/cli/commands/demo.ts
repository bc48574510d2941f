/** `demo`: the README's main command (npm start). */
import { ExitCode, InvalidArgumentError } from '../../errors.js';
import { runDemo } from '../../dev/demo.js';
import type { CommandHandler } from '../context.js';
import { status } from './status.js';
import { syncHistory } from './sync-history.js';
import { syncResultRecord } from './sync.js';

export const demo: CommandHandler<'demo'> = async (context) => {
  const { args, note, signal, progress, log, settle } = context;
  const updates = args.updates === undefined ? 2000 : Number(args.updates);
  if (!Number.isInteger(updates) || updates < 10 || updates > 1_000_000) {
    throw new InvalidArgumentError('InvalidArgument', `--updates must be a whole number from 10 to 1000000, got ${args.updates}`, { target: '--updates' });
  }
  const { home, results } = await runDemo({
    updates,
    keep: Boolean(args.keep),
    note,
    signal,
    sync: {
      logEcho: log,
      onProgress: (p) => progress(`Synchronizing ${p.site}`, `${p.phase}: ${p.processed} of ${p.total}`, p.total === 0 ? 100 : Math.floor((p.processed / p.total) * 100), { key: p.site, ...p }),
    },
    // Each step's bars end in their summary lines before the next step's line.
    stepDone: (step) => step.forEach((result) => settle(syncResultRecord(result))),
  });
  const demoContext = { ...context, home };
  await status({ ...demoContext, args: {} });
  await syncHistory({ ...demoContext, args: { site: 'CS1' } });
  context.output.flush();
  // One line that fits a terminal of 120 columns.
  note(
    args.keep
      ? `\nDemo home kept. Try: supsync --home ${home.root} status (then sync history --site PS1, update list)`
      : `\nDemo home ${home.root}, removed on exit. To explore it: npm start -- --keep, then supsync --home DIR status`,
  );
  return results.some((r) => r.state === 'Failed') ? ExitCode.upstream : undefined;
};
