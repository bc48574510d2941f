/**
 * A reverse proxy on loopback that holds the upstream's GetUpdateData answers while its gate is
 * closed, releasing them one at a time on the test's word: a sync held at a known point, so what
 * a test sees during it never depends on timing.
 */
import http from 'node:http';
import { listen } from './servers.js';

export interface Gate {
  url: string;
  /** Hold every GetUpdateData request from now on. */
  close(): void;
  /** Forward every held request and stop holding. */
  open(): void;
  /** Forwards the oldest held request. */
  releaseOne(): void;
  /** Resolves once at least `n` requests are held. */
  held(n: number): Promise<void>;
  stop(): Promise<void>;
}

export async function gateProxy(target: string): Promise<Gate> {
  let closed = false;
  const queue: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const notify = () => {
    for (const waiter of [...waiters]) {
      if (queue.length >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const out = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        });
        out.on('error', () => res.destroy());
        out.end(body);
      };
      if (closed && body.includes('GetUpdateData')) {
        queue.push(forward);
        notify();
      } else forward();
    });
  });
  const listening = await listen(server);
  return {
    url: listening.url,
    close: () => {
      closed = true;
    },
    open: () => {
      closed = false;
      for (const forward of queue.splice(0)) forward();
    },
    releaseOne: () => {
      const forward = queue.shift();
      if (!forward) throw new Error('no request is held');
      forward();
    },
    held: (n) => new Promise<void>((resolve) => {
      waiters.push({ n, resolve });
      notify();
    }),
    stop: async () => {
      closed = false;
      for (const forward of queue.splice(0)) forward();
      await listening.close();
    },
  };
}
