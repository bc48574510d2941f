/**
 * The SOAP 1.1 envelope: reading one with namespaces resolved (prefixes are the sender's choice,
 * so nothing here looks at them), writing one in the shape Windows writes, and SOAP faults.
 */
import { randomUUID } from 'node:crypto';
import { InvalidDataError, SoapFaultError } from '../../errors.js';
import { escapeXmlText, parseXml, textOf, type XmlNode } from '../xml.js';
import { isOperation, SOAP_ENV_NS, soapActionOf, XSD_NS, XSI_NS, type SoapFault, type WsusErrorCode } from './types.js';

/** In-scope namespace declarations: prefix ('' for the default) → URI. */
type Scope = Record<string, string>;

/** An element of a parsed document with its namespace resolved. */
export interface Element {
  local: string;
  ns: string;
  /** fast-xml-parser's value: a string for a text-only element without attributes. */
  node: XmlNode | string;
  scope: Scope;
}

const rootScope: Scope = Object.assign(Object.create(null) as Scope, { '': '', xml: 'http://www.w3.org/XML/1998/namespace' });

export function malformed(message: string, target?: string): InvalidDataError {
  return new InvalidDataError('SoapMalformed', message, target === undefined ? {} : { target });
}

function scopeOf(node: XmlNode | string, parent: Scope): Scope {
  if (typeof node === 'string') return parent;
  let scope = parent;
  for (const key of Object.keys(node)) {
    if (key !== '@_xmlns' && !key.startsWith('@_xmlns:')) continue;
    // Copy-on-write through the prototype chain: most elements declare nothing.
    if (scope === parent) scope = Object.create(parent) as Scope;
    scope[key === '@_xmlns' ? '' : key.slice('@_xmlns:'.length)] = String(node[key]);
  }
  return scope;
}

/** The element children of an element (grouped by name, as fast-xml-parser keeps them). */
export function elementsOf(parent: Element): Element[] {
  if (typeof parent.node === 'string') return [];
  const result: Element[] = [];
  for (const key of Object.keys(parent.node)) {
    if (key.startsWith('@_') || key === '#text' || key.startsWith('?')) continue;
    const colon = key.indexOf(':');
    const prefix = colon === -1 ? '' : key.slice(0, colon);
    const local = key.slice(colon + 1);
    for (const node of parent.node[key] as (XmlNode | string)[]) {
      const scope = scopeOf(node, parent.scope);
      const ns = scope[prefix];
      if (ns === undefined) throw malformed(`The namespace prefix '${prefix}' of <${key}> is not declared`);
      result.push({ local, ns, node, scope });
    }
  }
  return result;
}

export function childrenOf(parent: Element, local: string, ns: string): Element[] {
  return elementsOf(parent).filter((e) => e.local === local && e.ns === ns);
}

export function childOf(parent: Element, local: string, ns: string): Element | undefined {
  return elementsOf(parent).find((e) => e.local === local && e.ns === ns);
}

export function textOfElement(element: Element): string {
  return textOf(element.node) ?? '';
}

/**
 * Parses a SOAP 1.1 envelope and returns the single element in its Body. Throws InvalidDataError:
 * the XML codes of parseXml (XmlMalformed, XmlDtdRefused, …), SoapWrongNamespace for another
 * envelope namespace (SOAP 1.2 included), SoapMalformed for anything else.
 */
export function openEnvelope(xml: string, what: string): Element {
  const document = parseXml(xml, what, undefined, { keepPrefixes: true, decodeCharRefs: true });
  const [envelope, ...more] = elementsOf({ local: '', ns: '', node: document, scope: rootScope });
  if (envelope === undefined || more.length > 0 || envelope.local !== 'Envelope') throw malformed(`${what} is not a SOAP envelope`);
  if (envelope.ns !== SOAP_ENV_NS) {
    throw new InvalidDataError('SoapWrongNamespace', `${what} is an envelope in the namespace '${envelope.ns}', not SOAP 1.1's '${SOAP_ENV_NS}'`);
  }
  const body = childOf(envelope, 'Body', SOAP_ENV_NS);
  if (body === undefined) throw malformed(`${what} has no soap:Body`);
  const [content, ...extra] = elementsOf(body);
  if (content === undefined || extra.length > 0) throw malformed(`${what} must hold exactly one element in its soap:Body`);
  return content;
}

/** Envelope start as Windows's ASP.NET writes answers (it declares xsi and xsd even unused). */
export const RESPONSE_ENVELOPE_START = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_ENV_NS}" xmlns:xsi="${XSI_NS}" xmlns:xsd="${XSD_NS}"><soap:Body>`;
/** Envelope start for requests, as the recorded downstream clients write them. */
export const REQUEST_ENVELOPE_START = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_ENV_NS}"><soap:Body>`;
export const ENVELOPE_END = '</soap:Body></soap:Envelope>';

export function isFault(element: Element): boolean {
  return element.local === 'Fault' && element.ns === SOAP_ENV_NS;
}

/** Text of an unqualified fault child, looked up by local name only (senders differ on qualifying them). */
function faultField(parent: Element | undefined, local: string): string | undefined {
  const found = parent === undefined ? undefined : elementsOf(parent).find((e) => e.local === local);
  return found === undefined ? undefined : textOfElement(found);
}

/**
 * Turns a soap:Fault into the error to throw. Without a detail ErrorCode (a plain ASP.NET fault),
 * faultCode is the SOAP faultcode's local name (`Server`, `Client`) and the spec says: stop.
 */
export function faultError(fault: Element, operation: string): SoapFaultError {
  const faultcode = faultField(fault, 'faultcode') ?? '';
  const faultstring = faultField(fault, 'faultstring') ?? '';
  const detail = elementsOf(fault).find((e) => e.local === 'detail');
  // ASP.NET puts the code in detail/ErrorCode; a .NET/WCF server puts it in the fault string.
  const errorCode = faultField(detail, 'ErrorCode')?.trim() || errorCodeInText(faultstring);
  const faultCode = errorCode || faultcode.slice(faultcode.indexOf(':') + 1) || 'Unknown';
  const message = errorCode ? (faultField(detail, 'Message') ?? '') : faultstring;
  return new SoapFaultError(faultCode, message, {
    target: operation,
    data: {
      faultcode,
      faultstring,
      actor: faultField(fault, 'faultactor'),
      id: faultField(detail, 'ID'),
      method: faultField(detail, 'Method'),
    },
  });
}

const wsusErrorCodes: readonly WsusErrorCode[] = [
  'InvalidParameters',
  'InvalidCookie',
  'InternalServerError',
  'IncompatibleProtocolVersion',
  'InvalidAuthorizationCookie',
  'FileDigestsMissing',
  'ServerChanged',
  'ServerBusy',
];

/**
 * The [MS-WSUSSS] error code a fault string names as a word (`InvalidCookie`,
 * `Fault occurred: ServerBusy`, `SoapException: ErrorCode=ServerChanged`), or undefined.
 */
export function errorCodeInText(text: string): WsusErrorCode | undefined {
  return wsusErrorCodes.find((code) => new RegExp(`(^|[^A-Za-z])${code}([^A-Za-z]|$)`).test(text));
}

/** Errors about the server itself get soap:Server; errors about what the caller sent get soap:Client (as recorded). */
const serverSideErrors: ReadonlySet<WsusErrorCode> = new Set(['InternalServerError', 'ServerBusy', 'ServerChanged']);

/**
 * A fault body exactly as Windows writes it (exchanges 000017–000019); serve it with HTTP 500.
 * Detail children are unqualified ([MS-WSUSSS] 2.2.9.1) and written with explicit end tags.
 */
export function buildFault(fault: SoapFault): string {
  const kind = serverSideErrors.has(fault.errorCode) ? 'soap:Server' : 'soap:Client';
  const method = fault.method === undefined ? '' : isOperation(fault.method) ? `"${soapActionOf(fault.method)}"` : fault.method;
  return [
    RESPONSE_ENVELOPE_START,
    `<soap:Fault><faultcode>${kind}</faultcode><faultstring>Fault occurred</faultstring>`,
    `<faultactor>${escapeXmlText(fault.actor)}</faultactor>`,
    `<detail><ErrorCode>${fault.errorCode}</ErrorCode><Message>${escapeXmlText(fault.message)}</Message>`,
    `<ID>${escapeXmlText(fault.id ?? randomUUID())}</ID><Method>${escapeXmlText(method)}</Method></detail></soap:Fault>`,
    ENVELOPE_END,
  ].join('');
}
