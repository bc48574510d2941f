/**
 * The parse worker: reads GetUpdateData answers (envelope, cabinets, update XML) and deflates each
 * update's XML for the site database, off the main thread, which meanwhile stores earlier batches.
 * The deflated XML of a batch travels back in one transferred buffer, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { transferError } from '../errors.js';
import type { UpdateMetadata } from '../model/update.js';
import type { ServerSyncUrlData } from './soap/index.js';
import { warmUpAnswer } from './parse-warm-up.js';
import { readStorableUpdateData } from './update-data.js';

export interface ParseRequest {
  id: number;
  /** The answer's bytes (UTF-8). */
  body: Uint8Array;
  languages?: readonly string[];
}

/** An update without its XML, and where its deflated XML lies in the batch's buffer. */
export type PackedUpdate = Omit<UpdateMetadata, 'xml'> & { deflatedXml: { size: number; start: number; end: number } };

export type ParseAnswer = { id: number; updates: PackedUpdate[]; fileUrls: ServerSyncUrlData[]; deflated: ArrayBuffer } | { id: number; error: ReturnType<typeof transferError> };

parentPort!.on('message', ({ id, body, languages }: ParseRequest) => {
  let answer: ParseAnswer;
  try {
    const { updates, fileUrls } = readStorableUpdateData(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), languages);
    const deflated = new Uint8Array(updates.reduce((sum, update) => sum + update.deflatedXml.bytes.length, 0));
    let offset = 0;
    const packed = updates.map((update) => {
      const { bytes, size } = update.deflatedXml;
      deflated.set(bytes, offset);
      offset += bytes.length;
      return { ...update, deflatedXml: { size, start: offset - bytes.length, end: offset } };
    });
    answer = { id, updates: packed, fileUrls, deflated: deflated.buffer };
  } catch (error) {
    answer = { id, error: transferError(error) };
  }
  parentPort!.postMessage(answer, 'deflated' in answer ? [answer.deflated] : []);
});

// Before the first real answer arrives (parse-warm-up.ts says why); one read compiles the code.
readStorableUpdateData(warmUpAnswer(), ['en']);
