/** `service`: the long-running sync service of the home's sites, until SIGINT/SIGTERM. */
import fs from 'node:fs';
import { defaultConsolePort, isLoopback, parseListenAddress } from '../../console/address.js';
import type { RunningConsole } from '../../console/server.js';
import { BusyError, InvalidArgumentError, InvalidOperationError } from '../../errors.js';
import { SyncService } from '../../service/service.js';
import { normalizeSiteCode } from '../../model/site.js';
import type { Home } from '../../store/home.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';
import { childSyncStarter } from '../child-sync.js';
import { consoleRecord, tlsFiles } from './console.js';
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
  // The console first, so that loading the web server does not delay what the first tick starts.
  const adminConsole = await serveConsole(home, args, syncService, cert && key ? { cert: readPem(cert, '--cert'), key: readPem(key, '--key') } : undefined, note);
  let hosted;
  try {
    hosted = await syncService.start();
  } catch (error) {
    await adminConsole?.close();
    throw error;
  }
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
  if (adminConsole) emit(consoleRecord(adminConsole));
  output.flush();
  note(`The supsync service hosts ${sites.join(', ')} (process ${process.pid})${adminConsole ? `; its console is at ${adminConsole.url}` : ''}; stop with Ctrl+C`);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await adminConsole?.close();
  await syncService.stop();
  note('The supsync service stopped');
};

export const serviceHandlers = { service };

/**
 * The web console on --admin-listen (default 127.0.0.1:8539), with the Synchronize action. When the
 * default port is taken (another service on this machine) the service runs on without a console;
 * an address given explicitly must be served.
 */
async function serveConsole(
  home: Home,
  args: Record<string, unknown>,
  syncService: SyncService,
  serviceTls: { cert: Buffer; key: Buffer } | undefined,
  note: (message: string) => void,
): Promise<RunningConsole | undefined> {
  const given = stringArg(args, 'adminListen');
  if (given?.trim().toLowerCase() === 'off') return undefined;
  const { host, port } = parseListenAddress(given ?? `127.0.0.1:${defaultConsolePort}`, '--admin-listen');
  const adminTls = tlsFiles(stringArg(args, 'adminCert'), stringArg(args, 'adminKey'), '--admin-cert', '--admin-key');
  const tls = adminTls ?? (isLoopback(host) ? undefined : serviceTls);
  const { startConsole } = await import('../../console/server.js');
  try {
    return await startConsole({ home, host, port, ...(tls ? { tls } : {}), sync: { request: (code, full, by) => syncService.requestSync(code, full, by) }, metrics: () => syncService.metrics.render() });
  } catch (error) {
    if (given === undefined && error instanceof BusyError) {
      note(`The console is not served: ${error.message}; give --admin-listen another address`);
      return undefined;
    }
    throw error;
  }
}

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
