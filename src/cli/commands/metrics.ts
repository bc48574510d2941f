/** `metrics --out FILE`: the Prometheus text of the home's sites, written atomically. */
import fs from 'node:fs';
import path from 'node:path';
import { IoError } from '../../errors.js';
import { type CommandHandler } from '../context.js';

export const metrics: CommandHandler = async ({ home, args, emit }) => {
  const out = path.resolve(String(args.out));
  const { createMetrics } = await import('../../monitor/metrics.js');
  const { body } = await createMetrics(home, { processMetrics: false }).render();
  const temporary = `${out}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, body);
    fs.renameSync(temporary, out);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new IoError('MetricsWriteFailed', `Cannot write the metrics to ${out}: ${(error as Error).message}`, { target: '--out', cause: error });
  }
  emit({ type: 'SupSync.MetricsFile', Path: out, Series: body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length });
};
