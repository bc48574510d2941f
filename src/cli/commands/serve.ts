/** `serve`: the site's SUP endpoint until interrupted. */
import fs from 'node:fs';
import { BusyError, InvalidArgumentError, IoError } from '../../errors.js';
import { SupEndpoint } from '../../server/sup-endpoint.js';
import { normalizeSiteCode } from '../../model/site.js';
import { openSiteStore } from '../../store/site-store.js';
import { type CommandHandler, listArg, stringArg } from '../context.js';

export const serve: CommandHandler<'serve'> = async ({ home, args, emit, note, signal, output }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  const site = home.site(code);
  const cert = stringArg(args, 'cert');
  const key = stringArg(args, 'key');
  if ((cert === undefined) !== (key === undefined)) throw new InvalidArgumentError('ConflictingOptions', '--cert and --key go together', { target: cert ? '--key' : '--cert' });
  const port = args.port === undefined ? 8530 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('InvalidArgument', `--port must be 0-65535, got ${args.port}`, { target: '--port' });
  const read = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new InvalidArgumentError('FileUnreadable', `${flag} ${file} cannot be read: ${(error as Error).message}`, { target: flag });
    }
  };
  const store = openSiteStore(home.sitePaths(code).database);
  const allowAccounts = listArg(args, 'allowAccount');
  const sharedSecret = stringArg(args, 'sharedSecret');
  const clientCa = stringArg(args, 'clientCa');
  if (clientCa && !cert) throw new InvalidArgumentError('ConflictingOptions', '--client-ca needs HTTPS: give --cert and --key too', { target: '--client-ca' });
  const endpoint = await listenOrExplain(code, port, new SupEndpoint({
    store,
    languages: site.sup.languageSummaryDetails,
    inbox: home.sitePaths(code).inbox,
    contentDir: home.sitePaths(code).content,
    syncRequestsFrom: { parent: site.parent, ...site.syncRequests },
    ...(clientCa ? { clientCa: read(clientCa, '--client-ca') } : {}),
    ...(cert && key ? { tls: { cert: read(cert, '--cert'), key: read(key, '--key') } } : {}),
    ...(allowAccounts ? { allowAccounts } : {}),
    ...(sharedSecret !== undefined ? { sharedSecret } : {}),
    ...(args.maxUpdatesPerRequest !== undefined ? { maxUpdatesPerRequest: Number(args.maxUpdatesPerRequest) } : {}),
    onRequest: (operation, status, ms) => note(`${new Date().toISOString()} ${operation} ${status} ${ms} ms`),
  }), stringArg(args, 'host') ?? '127.0.0.1').catch((error: unknown) => {
    store.close();
    throw error;
  });
  emit({ type: 'SupSync.Endpoint', SiteCode: code, Url: endpoint.url, ServerSyncUrl: `${endpoint.url}/ServerSyncWebService/ServerSyncWebService.asmx` });
  output.flush();
  note(`Serving the SUP endpoint of ${code} at ${endpoint.url}; stop with Ctrl+C`);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await endpoint.close();
  store.close();
};

/** Listens, turning a port in use or a refused address into a typed error naming it. */
async function listenOrExplain(code: string, port: number, endpoint: SupEndpoint, host: string) {
  try {
    return await endpoint.listen(host, port);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === 'EADDRINUSE') throw new BusyError('EndpointPortInUse', `Cannot serve ${code} on ${host}:${port}: the port is in use (another "supsync serve" or service?); pick another with --port`, { target: '--port', cause: error });
    throw new IoError('EndpointListenFailed', `Cannot serve ${code} on ${host}:${port}: ${(error as Error).message}`, { target: '--host', cause: error });
  }
}
