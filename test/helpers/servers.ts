/**
 * Loopback servers shared by the tests: listening on an ephemeral port, a self-signed certificate
 * made with openssl, a `supsync … serve` command as a child process, and a forward proxy that
 * tunnels CONNECT requests (what hpagent sends, for http and https targets alike).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { cliPath } from './fixtures.js';

export interface Listening {
  url: string;
  /** `127.0.0.1:port`. */
  host: string;
  close(): Promise<void>;
}

export function listen(server: http.Server, scheme: 'http' | 'https' = 'http', host = '127.0.0.1'): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `${scheme}://${host}:${port}`,
        host: `${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export interface Certificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/**
 * A self-signed certificate for 127.0.0.1, or undefined when openssl is missing. Its key is EC
 * P-256: making one costs ~1 ms of CPU where an RSA-2048 key's prime search took 0.1-0.4 s, and
 * Node.js, .NET and Chromium all accept it for TLS.
 */
export function makeCertificate(dir: string): Certificate | undefined {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2', '-keyout', keyFile, '-out', certFile],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return { certFile, keyFile, cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
}

export interface ServerProcess {
  /** The record the server printed once listening. */
  record: Record<string, unknown>;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A `supsync ... serve` command as a child process; resolves with the record of `type` it prints once listening. */
export function serveProcess(home: string, args: string[], type: string, entry = cliPath): Promise<ServerProcess> {
  const child = spawn(process.execPath, [entry, '--home', home, '--output', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes(type));
      if (!line) return;
      resolve({
        record: JSON.parse(line) as Record<string, unknown>,
        process: child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`supsync ${args.join(' ')} exited with ${code}: ${err}`)));
  });
}

/** A forward proxy on loopback tunnelling CONNECT requests; `seen` gets each `host:port` and Proxy-Authorization. */
export async function connectProxy(seen: (target: string, authorization: string) => void): Promise<Listening> {
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  // A tunnel's sockets leave the server's connections once CONNECT succeeds: closed here with it, or
  // close() would wait for the client's idle keep-alive socket to time out (about 5 s).
  const tunnels = new Set<net.Socket>();
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen(req.url!, req.headers['proxy-authorization'] ?? '');
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      tunnels.add(socket);
      socket.once('close', () => tunnels.delete(socket));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const listening = await listen(proxy);
  return {
    ...listening,
    close: () => {
      for (const socket of tunnels) socket.destroy();
      return listening.close();
    },
  };
}
