/**
 * The one XML codec of the project. Every XML document supsync reads (SOAP envelopes, update
 * metadata, package files) goes through `parseXml`, so the parser choice and the safety rules
 * live here: no DTDs (so no external or expanding entities), a size bound and a depth bound.
 */
import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { InvalidDataError } from '../errors.js';

export interface XmlLimits {
  /** Largest document accepted, in characters. */
  maxLength: number;
  /** Deepest element nesting accepted. */
  maxDepth: number;
}

export const defaultXmlLimits: XmlLimits = { maxLength: 256 * 1024 * 1024, maxDepth: 64 };

/** Parsed element: attributes under `@_name`, text under `#text`, children by local name. */
export type XmlNode = Record<string, unknown>;

/**
 * Single-pass decoder for XML's five predefined entities and numeric character references
 * (DTDs are refused, so no other entity can exist). Single pass, so `&amp;#65;` stays `&#65;`.
 */
export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g, (whole, hex?: string, dec?: string, name?: string) => {
    if (name !== undefined) return predefinedEntities[name]!;
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    // Code points XML forbids are left as written rather than invented.
    const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    return allowed ? String.fromCodePoint(code) : whole;
  });
}
const predefinedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const xmlEntityDecoder: EntityDecoderOptions = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: decodeXmlEntities,
};

function makeParser(removeNSPrefix: boolean, decodeCharRefs = false): XMLParser {
  return new XMLParser({
    ...(decodeCharRefs ? { entityDecoder: xmlEntityDecoder } : {}),
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    // Every element becomes an array, so callers never branch on one-vs-many.
    isArray: (_name, _jpath, _isLeafNode, isAttribute) => !isAttribute,
  });
}
const localNameParser = makeParser(true);
const prefixedParser = makeParser(false);
const charRefParsers = { local: makeParser(true, true), prefixed: makeParser(false, true) };

/**
 * Parses a document into plain objects (children are always arrays). Throws InvalidDataError
 * naming `what` when the text is not well-formed, has a DTD, or exceeds the limits.
 */
export function parseXml(
  text: string,
  what: string,
  limits: XmlLimits = defaultXmlLimits,
  options: { keepPrefixes?: boolean; decodeCharRefs?: boolean } = {},
): XmlNode {
  if (text.length > limits.maxLength) {
    throw new InvalidDataError('XmlTooLarge', `${what} is ${text.length} characters, over the limit of ${limits.maxLength}`, { target: what });
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new InvalidDataError('XmlDtdRefused', `${what} contains a DTD or entity declaration, which supsync never processes`, { target: what });
  }
  checkDepth(text, what, limits.maxDepth);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new InvalidDataError('XmlMalformed', `${what} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`, { target: what });
  }
  // keepPrefixes keeps `prefix:name` keys and `@_xmlns:*` attributes, for callers that check namespaces.
  // decodeCharRefs also decodes `&#…;` references, which the default parsers leave as written.
  if (options.decodeCharRefs) {
    return (options.keepPrefixes ? charRefParsers.prefixed : charRefParsers.local).parse(text) as XmlNode;
  }
  return (options.keepPrefixes ? prefixedParser : localNameParser).parse(text) as XmlNode;
}

/** Cheap pre-scan so a hostile deeply nested document is refused before building objects. */
function checkDepth(text: string, what: string, maxDepth: number): void {
  let depth = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x2f /* / */) depth--;
    else if (next !== 0x3f /* ? */ && next !== 0x21 /* ! */) {
      const close = text.indexOf('>', i);
      if (close === -1) break;
      if (text.charCodeAt(close - 1) !== 0x2f) depth++;
      if (depth > maxDepth) {
        throw new InvalidDataError('XmlTooDeep', `${what} nests elements more than ${maxDepth} deep`, { target: what });
      }
    }
  }
}

/** Children of `node` named `name` (always an array, possibly empty). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as XmlNode[];
}

/** The first child named `name`, if any. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** Text content of an element (a leaf is stored as a string or as an object with `#text`). */
export function textOf(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return textOf(node[0]);
  if (typeof node === 'object') {
    const text = (node as XmlNode)['#text'];
    return typeof text === 'string' ? text : typeof text === 'number' ? String(text) : '';
  }
  return String(node);
}

/** Text of the first child named `name`. */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  return textOf(node?.[name]);
}

/** An attribute value. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return value === undefined ? undefined : String(value);
}

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * Escapes element content the way .NET's XmlWriter does: `&`, `<`, `>`, and CR as `&#xD;`
 * (a raw CR would be turned into LF by the reader's line-end normalisation); quotes stay.
 */
export function escapeXmlText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => textEscapes[c]!);
}
const textEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
