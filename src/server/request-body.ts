/** Reading a request body on supsync's HTTP servers (the SUP endpoint, the local catalog server). */
import type http from 'node:http';

/** The body was over the limit: answer 413 (the rest of the body is discarded, the connection kept long enough to answer). */
export class RequestBodyTooLarge extends Error {
  constructor(readonly max: number) {
    super(`request body over ${max} bytes`);
  }
}

/**
 * The body as UTF-8 text; rejects with RequestBodyTooLarge past `max` bytes (at once when the
 * Content-Length says so). The excess is read and dropped rather than the socket destroyed, so the
 * client gets its 413 instead of a reset connection.
 */
export function readRequestBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      req.resume();
      reject(new RequestBodyTooLarge(max));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        reject(new RequestBodyTooLarge(max));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
