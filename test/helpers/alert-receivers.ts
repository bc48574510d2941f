/**
 * Real receivers for alert deliveries on 127.0.0.1: a webhook server that records the JSON bodies
 * it is posted (or answers every request with one failing status), and an SMTP server (smtp-server)
 * with STARTTLS on a self-signed certificate and a required login, recording each message.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Certificate } from './servers.js';

export interface WebhookReceiver {
  url: string;
  /** The bodies posted, by path, in order. */
  posts: { path: string; body: unknown }[];
  /** Every request, answered or not. */
  hits: number;
  close(): Promise<void>;
}

/** A webhook endpoint answering 200 (or `failWith` to every request). */
export function webhookReceiver(failWith?: number): Promise<WebhookReceiver> {
  const receiver = { posts: [] as { path: string; body: unknown }[], hits: 0 };
  const server = http.createServer((req, res) => {
    receiver.hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failWith !== undefined) return res.writeHead(failWith).end('unavailable');
      receiver.posts.push({ path: req.url ?? '/', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(
        Object.assign(receiver, {
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
            }),
        }),
      ),
    ),
  );
}

export interface MailReceiver {
  port: number;
  messages: { from: string; to: string[]; user: string; secure: boolean; raw: string }[];
  close(): Promise<void>;
}

/** An SMTP server that offers STARTTLS and requires the login `user`/`password`. */
export function mailReceiver(certificate: Certificate, user: string, password: string): Promise<MailReceiver> {
  const messages: MailReceiver['messages'] = [];
  const server = new SMTPServer({
    key: certificate.key,
    cert: certificate.cert,
    authOptional: false,
    // Without TLS no login: the password never crosses in clear.
    allowInsecureAuth: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: String(session.user),
          secure: session.secure,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({ port, messages, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

/** Waits for a condition, polling; fails naming what it waited for after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
