/**
 * The parse worker: reads GetUpdateData answers (envelope, cabinets, update XML) off the main
 * thread, which meanwhile stores earlier batches. The stored forms of a batch's XML (the cabinets
 * as they came, plain XML as UTF-8) travel back in one transferred buffer, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { transferError } from '../errors.js';
import { warmUpAnswer } from './parse-warm-up.js';
import { type PackedUpdateData, packUpdateData } from './update-data.js';

export interface ParseRequest {
  id: number;
  /** The answer's bytes (UTF-8). */
  body: Uint8Array;
  languages?: readonly string[];
}

export type ParseAnswer = ({ id: number } & PackedUpdateData) | { id: number; error: ReturnType<typeof transferError> };

parentPort!.on('message', ({ id, body, languages }: ParseRequest) => {
  let answer: ParseAnswer;
  try {
    answer = { id, ...packUpdateData(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), languages) };
  } catch (error) {
    answer = { id, error: transferError(error) };
  }
  parentPort!.postMessage(answer, 'xml' in answer ? [answer.xml.buffer as ArrayBuffer] : []);
});

// Before the first real answer arrives (parse-warm-up.ts says why); one read compiles the code.
packUpdateData(warmUpAnswer(), ['en']);
