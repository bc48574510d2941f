/** Reading a request body on supsync's HTTP servers (the SUP endpoint, the local catalog server). */
import type http from 'node:http';

/** The body as UTF-8 text; rejects (and drops the connection) past `max` bytes. */
export function readRequestBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new Error(`request body over ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
