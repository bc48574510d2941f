/**
 * The SUP endpoints of the hosted sites, for their children on other machines. A site with a `url`
 * in its site.json listens on that URL's port (80/443 when the URL names none): on that address
 * when the URL's host is an IP address, on 127.0.0.1 for `localhost`, and on every interface for a
 * host name (the name is what the children resolve; the machine answers on all its addresses).
 * An https URL needs the service's certificate and key. Remote parents' sync requests (POST
 * /supsync/SyncRequest) land in the site's inbox, where the service picks them up.
 */
import net from 'node:net';
import { BusyError, InvalidArgumentError, IoError } from '../errors.js';
import { type RunningEndpoint, SupEndpoint, type SupEndpointOptions } from '../server/sup-endpoint.js';
import type { SiteControl } from '../site/model.js';
import type { SiteDb } from '../store/site-db.js';

export interface EndpointAddress {
  /** Undefined: every interface. */
  host: string | undefined;
  port: number;
  tls: boolean;
}

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

export function endpointAddress(url: string): EndpointAddress {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'https:';
  const port = parsed.port === '' ? (tls ? 443 : 80) : Number(parsed.port);
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(hostname) !== 0) return { host: hostname, port, tls };
  return { host: hostname.toLowerCase() === 'localhost' ? '127.0.0.1' : undefined, port, tls };
}

export async function serveSiteEndpoint(
  site: SiteControl & { url: string },
  db: SiteDb,
  inbox: string,
  tls: TlsFiles | undefined,
  onRequest?: SupEndpointOptions['onRequest'],
): Promise<RunningEndpoint> {
  const address = endpointAddress(site.url);
  if (address.tls && !tls) {
    throw new InvalidArgumentError('CertificateRequired', `Site ${site.code} serves ${site.url}: an https endpoint needs --cert and --key`, { target: '--cert' });
  }
  const endpoint = new SupEndpoint({ db, inbox, languages: site.sup.languageSummaryDetails, ...(address.tls && tls ? { tls } : {}), ...(onRequest ? { onRequest } : {}) });
  const listen = (host: string) => endpoint.listen(host, address.port);
  try {
    if (address.host !== undefined) return await listen(address.host);
    try {
      return await listen('::');
    } catch (error) {
      // A host without IPv6 cannot listen on '::'; every IPv4 interface is what is left.
      if (!['EAFNOSUPPORT', 'EADDRNOTAVAIL'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      return await listen('0.0.0.0');
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new BusyError('EndpointPortInUse', `Site ${site.code} cannot serve ${site.url}: port ${address.port} is in use (is "supsync serve" running for it?)`, { target: site.code, cause: error });
    }
    throw new IoError('EndpointListenFailed', `Site ${site.code} cannot serve ${site.url}: ${(error as Error).message}`, { target: site.code, cause: error });
  }
}
