/**
 * Where the console listens, as given on the command line. Apart from the server so that the CLI
 * reads its flags without loading the web server.
 */
import net from 'node:net';
import { InvalidArgumentError } from '../errors.js';

export const defaultConsolePort = 8539;

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  return bare === '::1';
}

/** `HOST:PORT`, `[v6]:PORT`, `PORT` (on 127.0.0.1) or `HOST` (on the default port). */
export function parseListenAddress(text: string, flag: string): { host: string; port: number } {
  const value = text.trim();
  const fail = (): never => {
    throw new InvalidArgumentError('InvalidListenAddress', `${flag} '${text}' is not an address to listen on: give HOST:PORT, PORT or HOST (e.g. 127.0.0.1:${defaultConsolePort})`, { target: flag });
  };
  const port = (p: string) => (/^\d{1,5}$/.test(p) && Number(p) <= 65535 ? Number(p) : fail());
  if (/^\d+$/.test(value)) return { host: '127.0.0.1', port: port(value) };
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (v6) return net.isIPv6(v6[1]!) ? { host: v6[1]!, port: v6[2] === undefined ? defaultConsolePort : port(v6[2]) } : fail();
  const colon = value.lastIndexOf(':');
  const host = colon < 0 ? value : value.slice(0, colon);
  if (host === '' || host.includes(':') || !/^[A-Za-z0-9.-]+$/.test(host)) return fail();
  return { host, port: colon < 0 ? defaultConsolePort : port(value.slice(colon + 1)) };
}


/** A URL as the console may show it: any user name and password in it left out. */
export function shownUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.username === '' && url.password === '') return text;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return text;
  }
}
