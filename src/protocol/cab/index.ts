/** Microsoft Cabinet reading and writing, and the WSUS compressed update blobs built on it. */
export { cabinetXml, encodeUpdateBlob, readUpdateBlob } from './blob.js';
export type { CabinetErrorCode } from './errors.js';
export { readCabinet, type CabinetFile } from './reader.js';
export { writeCabinet, type CabinetMethod } from './writer.js';
