/**
 * A replay server on loopback answering with the real responses recorded from a Windows Server 2025
 * WSUS: each request is matched to the recorded exchange it corresponds to (operation, filter,
 * requested update) and gets that exchange's status and body. Tests can override answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRequest, type RequestMessage } from '../../src/protocol/soap/index.js';
import { type Exchange, loadExchanges } from './wsusss.js';

export interface ReplayServer {
  url: string;
  /** Operations in the order they were asked. */
  calls: string[];
  /** Answers this request instead of the recording when it returns a reply. */
  override?: (message: RequestMessage, call: number) => { status: number; body: string } | undefined;
  close(): Promise<void>;
}

const recorded = loadExchanges().filter((e) => e.key.startsWith('exchanges/'));
const byNumber = (n: string): Exchange => recorded.find((e) => e.key === `exchanges/${n}`)!;

const updateExchanges: Record<string, string> = {
  'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe': '000013',
  '266f6222-c89d-43f2-9f8a-69340271e677': '000014',
  'ccb78947-6453-4ecc-9de8-bc0305c98f2d': '000015',
  '56309036-4c77-4dd9-951a-99ee9c246a94': '000016',
};

/** The recorded exchange that answers a request. */
export function recordedAnswer(message: RequestMessage): Exchange {
  switch (message.operation) {
    case 'GetAuthConfig':
      return byNumber('000001');
    case 'GetAuthorizationCookie':
      return byNumber('000002');
    case 'GetCookie':
      return byNumber('000003');
    case 'GetConfigData':
      return byNumber(message.configAnchor ? '000004' : '000005');
    case 'GetRevisionIdList': {
      const f = message.filter;
      if (!message.cookie) return byNumber('000019');
      if (f.anchor !== undefined && !/^\d+,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/.test(f.anchor)) return byNumber('000018');
      if (f.getConfig) return byNumber('000006');
      const categories = f.categories ?? [];
      const classifications = f.classifications ?? [];
      if (categories.length === 0 && classifications.length === 0) return byNumber('000012');
      if (classifications.length === 0) return byNumber('000007');
      if (classifications.some((c) => c.id === '0fa1201d-4330-4fa8-8ae9-b877473b6441')) return byNumber('000008');
      if (f.anchor === undefined) return byNumber('000009');
      return byNumber(categories.some((c) => c.delta) ? '000011' : '000010');
    }
    case 'GetUpdateData':
      return byNumber(updateExchanges[message.updateIds[0]?.updateId ?? ''] ?? '000017');
    default:
      // The recordings hold no other operation: answer as WSUS answers an unknown revision.
      return byNumber('000017');
  }
}

export function startReplayServer(): Promise<ReplayServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let answer: { status: number; body: string };
      try {
        const message = parseRequest(body, String(req.headers.soapaction ?? '').replace(/^"|"$/g, ''));
        replay.calls.push(message.operation);
        answer = replay.override?.(message, replay.calls.length) ?? (({ status, response }) => ({ status, body: response }))(recordedAnswer(message));
      } catch (error) {
        answer = { status: 400, body: String(error) };
      }
      res.writeHead(answer.status, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(answer.body);
    });
  });
  const replay: ReplayServer = {
    url: '',
    calls: [],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      replay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(replay);
    });
  });
}
