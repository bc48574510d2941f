/** The [MS-WSUSSS] SOAP codec: typed messages in, SOAP bodies out, and back. No HTTP. */
export { buildFault } from './envelope.js';
export { buildRequest, buildResponse, parseRequest, parseResponse, revisionListResponseParts, updateDataResponseParts } from './messages.js';
export { formatAnchor, formatDateTime, parseAnchor, parseDateTime, type Anchor } from './values.js';
export * from './types.js';
