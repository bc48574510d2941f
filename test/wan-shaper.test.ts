/**
 * The WAN shaper of the benchmarks (src/dev/wan-shaper.ts) on loopback: it adds the round-trip time
 * (one more for a new connection), caps the rate with one bucket shared by all connections, and
 * carries every byte in order. Times are checked as lower bounds only (a busy machine is slower,
 * never faster, than the shaper allows).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { expect } from 'chai';
import { WanShaper } from '../src/dev/wan-shaper.js';

/** A TCP server that echoes what it reads, or answers `size` pseudo-random bytes to any line. */
async function startServer(mode: 'echo' | { size: number }): Promise<{ server: net.Server; port: number; sent: Buffer[] }> {
  const sent: Buffer[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    if (mode === 'echo') socket.pipe(socket);
    else
      socket.once('data', () => {
        const body = crypto.randomBytes(mode.size);
        sent.push(body);
        socket.end(body);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port, sent };
}

function connect(url: string): Promise<net.Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `message` and resolves with the first `expected` bytes read back. */
function exchange(socket: net.Socket, message: Buffer, expected: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < expected) return;
      socket.off('data', onData);
      resolve(Buffer.concat(chunks));
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(message);
  });
}

/** Reads a whole answer until the server ends it. */
function download(url: string): Promise<Buffer> {
  return connect(url).then(
    (socket) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.once('end', () => {
          socket.end();
          resolve(Buffer.concat(chunks));
        });
        socket.once('error', reject);
        socket.write('GET\n');
      }),
  );
}

describe('WAN shaper', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function shaped(mode: 'echo' | { size: number }, rttMs: number, bitsPerSecond: number) {
    const upstream = await startServer(mode);
    closers.push(() => new Promise((resolve) => upstream.server.close(() => resolve())));
    const shaper = await new WanShaper({ host: '127.0.0.1', port: upstream.port }, { rttMs, bitsPerSecond }).listen();
    closers.push(() => shaper.close());
    return { shaper, sent: upstream.sent };
  }

  it('adds a round trip to each exchange and one more to a new connection, and counts every byte', async () => {
    const { shaper } = await shaped('echo', 120, 1e9);
    // Timed from before the connect: the shaper starts the handshake's delay when it accepts, which
    // a busy machine may run before the client's connect callback.
    const first = performance.now();
    const socket = await connect(shaper.url);
    closers.push(async () => void socket.destroy());
    const answers = [await exchange(socket, Buffer.from('ping-1'), 6)];
    const firstMs = performance.now() - first;
    const second = performance.now();
    answers.push(await exchange(socket, Buffer.from('ping-2'), 6));
    const secondMs = performance.now() - second;
    expect(answers.map(String)).to.deep.equal(['ping-1', 'ping-2']);
    // First exchange: the connection's handshake plus the request's round trip.
    expect(firstMs).to.be.at.least(2 * 120 - 2);
    expect(secondMs).to.be.at.least(120 - 2);
    expect(shaper.counters).to.deep.equal({ bytesUp: 12, bytesDown: 12, connections: 1 });
  });

  it('keeps the order of many small chunks on one connection', async () => {
    const { shaper } = await shaped('echo', 20, 50e6);
    const socket = await connect(shaper.url);
    closers.push(async () => void socket.destroy());
    const chunks = Array.from({ length: 200 }, (_, i) => Buffer.from(`${String(i).padStart(4, '0')};`));
    const whole = Buffer.concat(chunks);
    const reading = exchange(socket, Buffer.alloc(0), whole.length);
    for (const chunk of chunks) socket.write(chunk);
    expect(String(await reading)).to.equal(String(whole));
  });

  it('caps the rate with one bucket shared by all connections', async () => {
    const size = 256 * 1024;
    const bitsPerSecond = 4e6; // 500 KB/s: two answers of 256 KiB need about a second together
    const { shaper, sent } = await shaped({ size }, 10, bitsPerSecond);
    const started = performance.now();
    const received = await Promise.all([download(shaper.url), download(shaper.url)]);
    const elapsedMs = performance.now() - started;
    expect(received.map((r) => r.length)).to.deep.equal([size, size]);
    // Every byte arrives, in order, on its own connection.
    const digests = (list: Buffer[]) => list.map((b) => crypto.createHash('sha1').update(b).digest('hex')).sort();
    expect(digests(received)).to.deep.equal(digests(sent));
    expect(shaper.counters.bytesDown).to.equal(2 * size);
    expect(shaper.counters.connections).to.equal(2);
    // Shared bucket: both answers pass one link (less the burst the bucket starts with).
    const floorMs = ((2 * size - shaper.profile.burstBytes) * 8 * 1000) / bitsPerSecond;
    expect(elapsedMs).to.be.at.least(floorMs);
  });

  it("keeps a timeline of the downstream link's busy time and a log of the SOAP actions sent upstream", async () => {
    const size = 100 * 1024;
    const bitsPerSecond = 4e6;
    const { shaper } = await shaped('echo', 10, bitsPerSecond);
    shaper.resetCounters();
    const socket = await connect(shaper.url);
    closers.push(async () => void socket.destroy());
    const request = Buffer.concat([Buffer.from('POST /x HTTP/1.1\r\nSOAPAction: "http://www.microsoft.com/SoftwareDistribution/Server/ServerSyncWebService/GetUpdateData"\r\n\r\n'), Buffer.alloc(size)]);
    await exchange(socket, request, request.length);
    expect(shaper.requests.map((r) => r.action)).to.deep.equal(['GetUpdateData']);
    // The link's busy time is what its bytes take at its rate, wherever the seconds fall.
    const busyMs = shaper.downUtilization().reduce((sum, share) => sum + share * 1000, 0);
    expect(busyMs).to.be.closeTo((request.length * 8 * 1000) / bitsPerSecond, 1);
    expect(shaper.lastDownMs).to.be.greaterThan(0);
  });
});
