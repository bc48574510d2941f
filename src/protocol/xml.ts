/**
 * The one XML codec of the project. Every XML document supsync reads (SOAP envelopes, update
 * metadata, package files) goes through `parseXml`, so the parser choice and the safety rules
 * live here: strict XML 1.0 well-formedness (saxes), no DTDs (so no external or expanding
 * entities), a size bound and a depth bound enforced while parsing.
 */
import { createRequire } from 'node:module';
import type { SaxesTagPlain } from 'saxes';
import { InvalidDataError } from '../errors.js';

let saxesModule: typeof import('saxes') | undefined;
/**
 * saxes, loaded on the first parse: its character classes cost ~0.03 s of CPU to build, and the
 * commands that only escape text (a schedule's task XML, `sup get`) start a host and never parse.
 */
const saxes = (): typeof import('saxes') => (saxesModule ??= createRequire(import.meta.url)('saxes') as typeof import('saxes'));

export interface XmlLimits {
  /** Largest document accepted, in characters. */
  maxLength: number;
  /** Deepest element nesting accepted. */
  maxDepth: number;
}

export const defaultXmlLimits: XmlLimits = { maxLength: 256 * 1024 * 1024, maxDepth: 64 };

/**
 * Parsed element: attributes under `@_name`, text under `#text`, children by name, each name
 * holding an array. An element with neither attributes nor element children is its text (a
 * string, '' when empty). The shape is fast-xml-parser's, which the callers were written against.
 */
export type XmlNode = Record<string, unknown>;

/** An element whose end tag has not been read yet. */
interface OpenElement {
  key: string;
  attributes: Record<string, string>;
  /** Its element children, created when the first one ends. */
  children: XmlNode | undefined;
  /** All its text, concatenated; whitespace between elements included, as callers trim. */
  text: string;
}

/**
 * Parses a document into plain objects (children are always arrays). Throws InvalidDataError
 * naming `what`: XmlMalformed when the text is not well-formed XML 1.0 (mismatched, unclosed or
 * stray tags, several roots, text outside the root, unquoted or repeated attributes, `<` in an
 * attribute value, undefined entities, forbidden characters, truncation), XmlDtdRefused for a
 * DTD or entity declaration, XmlTooLarge and XmlTooDeep beyond the limits.
 *
 * Entities and character references are always decoded, and line ends normalised to LF, as
 * XML requires; `decodeCharRefs` is accepted for callers that ask for it. Without
 * `keepPrefixes`, names lose their prefix and `xmlns` attributes are dropped; with it, keys are
 * the names as written (`soap:Body`, `@_xmlns:soap`), for callers that resolve namespaces.
 * The XML declaration, processing instructions and comments are left out; CDATA is text.
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
  // saxes reads a DOCTYPE without acting on it; refusing outright, wherever it appears, is simpler
  // to trust. The includes() keeps the pattern off the common documents, which have no `<!`.
  if (text.includes('<!') && /<!(?:DOCTYPE|ENTITY)/i.test(text)) {
    throw new InvalidDataError('XmlDtdRefused', `${what} contains a DTD or entity declaration, which supsync never processes`, { target: what });
  }
  const keepPrefixes = options.keepPrefixes === true;
  const document: XmlNode = {};
  const open: OpenElement[] = [];
  let current: OpenElement | undefined;
  // Prefixes are left to the callers that care about namespaces (they check declarations themselves).
  const parser = new (saxes().SaxesParser)({ xmlns: false });
  parser.on('error', (error) => {
    const reason = error.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
    throw new InvalidDataError('XmlMalformed', `${what} is not well-formed XML: ${reason} (line ${parser.line}, column ${parser.column})`, { target: what });
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (open.length === limits.maxDepth) {
      throw new InvalidDataError('XmlTooDeep', `${what} nests elements more than ${limits.maxDepth} deep`, { target: what });
    }
    current = { key: keepPrefixes ? tag.name : localName(tag.name), attributes: tag.attributes, children: undefined, text: '' };
    open.push(current);
  });
  const onText = (data: string): void => {
    // Text outside the root can only be whitespace (saxes refuses anything else).
    if (current !== undefined) current.text += data;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const element = open.pop()!;
    current = open[open.length - 1];
    append(current === undefined ? document : (current.children ??= {}), element.key, valueOf(element, keepPrefixes));
  });
  parser.write(text).close();
  return document;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** An ended element as stored: its text alone, or an object with children, then `#text`, then attributes. */
function valueOf(element: OpenElement, keepPrefixes: boolean): XmlNode | string {
  const { text, attributes } = element;
  let node = element.children;
  if (node !== undefined && text !== '') node['#text'] = text;
  for (const name in attributes) {
    // Namespace declarations mean nothing once prefixes are gone.
    if (!keepPrefixes && (name === 'xmlns' || name.startsWith('xmlns:'))) continue;
    node ??= text === '' ? {} : { '#text': text };
    node[`@_${keepPrefixes ? name : localName(name)}`] = attributes[name];
  }
  return node ?? text;
}

/** Adds a child under `key`; names such as `constructor` or `__proto__` become own properties like any other. */
function append(parent: XmlNode, key: string, value: XmlNode | string): void {
  const list = parent[key];
  if (list === undefined) parent[key] = [value];
  else if (Object.hasOwn(parent, key)) (list as unknown[]).push(value);
  else Object.defineProperty(parent, key, { value: [value], writable: true, enumerable: true, configurable: true });
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
