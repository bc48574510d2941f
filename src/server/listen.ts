/** Starting an HTTP(S) server the way every supsync server starts (the SUP endpoint, the catalog). */
import type http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Limits suited to SOAP over HTTP: requests are small and sent at once, so a client that trickles
 * its headers or body (slowloris) or opens connection after connection is cut off early instead
 * of holding the server for Node's defaults (300 s per request, no connection bound).
 */
export interface ServerLimits {
  /** Time to receive the request headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body (answered 408 when exceeded). */
  requestTimeoutMs: number;
  /** A connection idle this long (no bytes either way) is closed. */
  idleTimeoutMs: number;
  /** Time a kept-alive connection waits for its next request. */
  keepAliveTimeoutMs: number;
  /** Connections open at once from one client address; more are closed at once. */
  maxConnectionsPerClient: number;
  /** Told of each connection closed for the bound above (the client retries it): for logs and metrics. */
  onConnectionRefused?: (client: string) => void;
}

export const defaultServerLimits: Omit<ServerLimits, 'onConnectionRefused'> = {
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 30_000,
  // Children share an address behind NAT (and on one test machine). A child keeps up to 16 requests
  // in flight (net/window.ts), and one that measures a long round trip starts at 8: 25 children
  // went over a bound of 128 (52 connections cut, each a child's retry), so 25 at 16 fit with room.
  maxConnectionsPerClient: 512,
};

/** Listens on host:port (0 = any free port); `close` also ends kept-alive connections. */
export function listen(server: http.Server, host: string, port: number, scheme: 'http' | 'https', limits: Partial<ServerLimits> = {}): Promise<RunningServer> {
  const l = { ...defaultServerLimits, ...limits };
  server.headersTimeout = l.headersTimeoutMs;
  server.requestTimeout = l.requestTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.setTimeout(l.idleTimeoutMs, (socket: Socket) => socket.destroy());
  limitConnectionsPerClient(server, l.maxConnectionsPerClient, l.onConnectionRefused);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `${scheme}://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function limitConnectionsPerClient(server: http.Server, max: number, onRefused: ((client: string) => void) | undefined): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? '';
    const count = (open.get(client) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      onRefused?.(client);
      return;
    }
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left <= 0) open.delete(client);
      else open.set(client, left);
    });
  });
}
