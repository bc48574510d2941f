/** Starting an HTTP(S) server the way every supsync server starts (the SUP endpoint, the catalog). */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port); `close` also ends kept-alive connections. */
export function listen(server: http.Server, host: string, port: number, scheme: 'http' | 'https'): Promise<RunningServer> {
  server.keepAliveTimeout = 30_000;
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
