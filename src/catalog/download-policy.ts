/**
 * What supsync agrees to download and how it names the result on disk. The catalog's download
 * dialog hands out URLs and file names; both are upstream data, so a URL must be https on a
 * Microsoft download host, and a file name must be a plain name that cannot escape the
 * destination folder or mean something special to Windows.
 */
import { InvalidDataError } from '../errors.js';

/** Hosts allowed exactly. */
const exactHosts: readonly string[] = ['download.windowsupdate.com', 'download.microsoft.com'];

/**
 * Domains whose subdomains are allowed: the catalog's download hosts over the years
 * (catalog.s.download.windowsupdate.com, catalog.sf.dl.delivery.mp.microsoft.com, ...).
 */
const domainSuffixes: readonly string[] = ['download.windowsupdate.com', 'dl.delivery.mp.microsoft.com', 'update.microsoft.com'];

export interface DownloadPolicyOptions {
  /**
   * More hosts allowed exactly, as `URL.host` spells them (`127.0.0.1:8443`): for tests that
   * serve files over https on loopback. Never derived from upstream data.
   */
  extraAllowedHosts?: readonly string[];
}

function refused(url: string, why: string): InvalidDataError {
  return new InvalidDataError('DownloadUrlRefused', `Refusing to download ${url}: ${why}`, { target: url });
}

/** Whether a (lower-case, WHATWG-normalised) host name is one of Microsoft's download hosts. */
function isMicrosoftDownloadHost(hostname: string): boolean {
  return exactHosts.includes(hostname) || domainSuffixes.some((domain) => hostname.endsWith(`.${domain}`));
}

/** Why the parsed URL's host is not allowed, or undefined when it is. */
function hostProblem(url: URL): string | undefined {
  const { hostname } = url;
  if (url.username !== '' || url.password !== '') return 'it carries user information before the host';
  if (hostname.split('.').includes('')) return `the host "${hostname}" has an empty label (a leading, doubled or trailing dot)`;
  if (hostname.startsWith('[') || /^\d+(\.\d+){3}$/.test(hostname)) {
    return `the host ${hostname} is an IP address, not a Microsoft download host`;
  }
  if (hostname.split('.').some((label) => label.startsWith('xn--'))) {
    return `the host ${hostname} is an internationalized (punycode) name, which Microsoft's download hosts are not`;
  }
  if (url.port !== '') return `it names port ${url.port}; Microsoft's download hosts use the default https port`;
  if (!isMicrosoftDownloadHost(hostname)) return `the host ${hostname} is not a Microsoft download host`;
  return undefined;
}

/**
 * Accepts only https URLs on Microsoft's download hosts (plus any `extraAllowedHosts`) and
 * returns the parsed URL to fetch; throws InvalidDataError `DownloadUrlRefused` saying why not.
 */
export function checkDownloadUrl(url: string, options: DownloadPolicyOptions = {}): URL {
  if (!URL.canParse(url)) throw refused(url, 'it is not a valid absolute URL');
  const parsed = new URL(url);
  // Messages name a password in the URL only as asterisks.
  const masked = new URL(url);
  if (masked.password !== '') masked.password = '***';
  const shown = masked.password === '' ? url : masked.href;
  if (parsed.protocol !== 'https:') throw refused(shown, `it uses ${parsed.protocol.replace(/:$/, '')}, not https`);
  if (options.extraAllowedHosts?.includes(parsed.host) && parsed.username === '' && parsed.password === '') return parsed;
  const problem = hostProblem(parsed);
  if (problem !== undefined) throw refused(shown, problem);
  return parsed;
}

/**
 * The https form of an http URL on a Microsoft download host: the catalog handed out
 * `http://download.windowsupdate.com/...` links for years, and those hosts serve the same
 * paths over https. Any other URL comes back unchanged, for checkDownloadUrl to judge.
 */
export function upgradeToHttps(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' || hostProblem(parsed) !== undefined) return url;
  parsed.protocol = 'https:';
  return parsed.toString();
}
