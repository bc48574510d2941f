/** `service`: the long-running sync service of the home's sites, until SIGINT/SIGTERM. */
import fs from 'node:fs';
import { InvalidArgumentError, InvalidOperationError } from '../../errors.js';
import { SyncService } from '../../service/service.js';
import { normalizeSiteCode } from '../../model/site.js';
import type { Home } from '../../store/home.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';
import { childSyncStarter } from '../child-sync.js';
import { syncResultRecord } from './sync.js';

const service: CommandHandler<'service'> = async ({ home, args, emit, note, signal, output, logFormat }) => {
  const sites = hostedSites(home, listArg(args, 'site'));
  const cert = stringArg(args, 'cert');
  const key = stringArg(args, 'key');
  if ((cert === undefined) !== (key === undefined)) throw new InvalidArgumentError('ConflictingOptions', '--cert and --key go together', { target: cert ? '--key' : '--cert' });
  const syncService = new SyncService({
    home,
    sites,
    pollMs: seconds(args.pollSeconds, 5, 0.1, '--poll-seconds') * 1000,
    retryDelayMs: seconds(args.retryDelaySeconds, 3600, 1, '--retry-delay-seconds') * 1000,
    logFormat,
    startChildSync: childSyncStarter(home, logFormat),
    ...(cert && key ? { tls: { cert: readPem(cert, '--cert'), key: readPem(key, '--key') } } : {}),
    onResult: (result) => {
      emit(syncResultRecord(result));
      output.flush();
      note(`${result.site}: ${result.trigger} sync ${result.state}${result.error ? ` (${result.error.message})` : ''}`);
    },
    onNote: note,
  });
  const hosted = await syncService.start();
  for (const site of hosted) {
    emit({
      type: 'SupSync.ServiceSite',
      SiteCode: site.code,
      ProcessId: process.pid,
      EndpointUrl: site.endpointUrl ?? null,
      Schedule: site.schedule,
      NextScheduledSync: site.nextScheduledSync?.toISOString() ?? null,
    });
  }
  output.flush();
  note(`The supsync service hosts ${sites.join(', ')} (process ${process.pid}); stop with Ctrl+C`);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await syncService.stop();
  note('The supsync service stopped');
};

export const serviceHandlers = { service };

function hostedSites(home: Home, given: string[] | undefined): string[] {
  if (given === undefined) {
    const all = home.siteCodes();
    if (all.length === 0) throw new InvalidOperationError('NoSites', `${home.root} has no sites to host; add one with "supsync site add"`, { target: home.root });
    return all;
  }
  const codes = [...new Set(given.map((code) => normalizeSiteCode(code, '--site')))];
  for (const code of codes) home.site(code);
  return codes;
}

function seconds(value: unknown, fallback: number, min: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n >= min)) throw new InvalidArgumentError('InvalidArgument', `${flag} must be at least ${min}, got ${String(value)}`, { target: flag });
  return n;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new InvalidArgumentError('FileUnreadable', `${flag} ${file} cannot be read: ${(error as Error).message}`, { target: flag });
  }
}
