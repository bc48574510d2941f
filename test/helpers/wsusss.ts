/**
 * The recorded real [MS-WSUSSS] exchanges (fixtures/wsusss/recorded) and a structural comparison
 * of SOAP documents, shared by the codec, client and server tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Operation } from '../../src/protocol/soap/index.js';
import { wsusssRecorded } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

export interface Exchange {
  key: string; // e.g. "exchanges/000009"
  operation: Operation;
  soapAction: string; // the request's SOAPAction header value, quoted
  path: string;
  status: number;
  timestamp: string;
  request: string;
  response: string;
}

export function loadExchanges(): Exchange[] {
  const result: Exchange[] = [];
  for (const set of ['exchanges', 'exchanges-client']) {
    const setDir = path.join(wsusssRecorded, set);
    for (const name of readdirSync(setDir).filter((n) => /^\d+$/.test(n)).sort()) {
      const dir = path.join(setDir, name);
      const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
      const meta = JSON.parse(read('meta.json')) as { soap_action: string; path: string; status: number; timestamp: string };
      const header = /^soapaction:[ \t]*(.*?)\r?$/im.exec(read('request.headers'));
      if (header === null) throw new Error(`${set}/${name} has no SOAPAction header`);
      result.push({
        key: `${set}/${name}`,
        operation: meta.soap_action.slice(meta.soap_action.lastIndexOf('/') + 1) as Operation,
        soapAction: header[1]!,
        path: meta.path,
        status: meta.status,
        timestamp: meta.timestamp,
        request: read('request.body'),
        response: read('response.body'),
      });
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Structural comparison: element names resolved to namespaces, attributes, order; no text.

const orderedParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

interface Shape {
  name: string; // "{namespace}local"
  attributes: string[]; // "{namespace}local=value", namespace declarations excluded
  children: Shape[];
}

function resolve(qname: string, scope: Record<string, string>, isAttribute: boolean): string {
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  // Unprefixed attributes are in no namespace; unprefixed elements in the default one.
  const ns = colon === -1 && isAttribute ? '' : scope[prefix];
  if (ns === undefined) throw new Error(`undeclared prefix in ${qname}`);
  return `{${ns}}${qname.slice(colon + 1)}`;
}

function shapes(nodes: OrderedNode[], parentScope: Record<string, string>): Shape[] {
  const result: Shape[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined || name === '#text' || name.startsWith('?')) continue;
    const attributes = node[':@'] ?? {};
    const scope = { ...parentScope };
    for (const [attribute, value] of Object.entries(attributes)) {
      if (attribute === 'xmlns') scope[''] = value;
      else if (attribute.startsWith('xmlns:')) scope[attribute.slice(6)] = value;
    }
    result.push({
      name: resolve(name, scope, false),
      attributes: Object.entries(attributes)
        .filter(([a]) => a !== 'xmlns' && !a.startsWith('xmlns:'))
        .map(([a, v]) => `${resolve(a, scope, true)}=${v}`)
        .sort(),
      children: shapes(node[name] as OrderedNode[], scope),
    });
  }
  return result;
}

/** Differences between two documents' element structure, as readable paths (empty when equal). */
export function structuralDiff(actualXml: string, expectedXml: string, options: { collapseRepeats?: boolean } = {}): string[] {
  const differences: string[] = [];
  // With collapseRepeats, a run of same-named siblings counts as one (lists of different lengths).
  const collapse = (list: Shape[]) => (options.collapseRepeats ? list.filter((shape, i) => i === 0 || list[i - 1]!.name !== shape.name) : list);
  const walk = (actualList: Shape[], expectedList: Shape[], at: string) => {
    const actual = collapse(actualList);
    const expected = collapse(expectedList);
    for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
      const a = actual[i];
      const e = expected[i];
      if (a === undefined || e === undefined) {
        differences.push(`${at}[${i}]: ${a === undefined ? 'missing' : 'extra'} ${(a ?? e)!.name}`);
        continue;
      }
      const here = `${at}/${e.name}`;
      if (a.name !== e.name) differences.push(`${at}[${i}]: ${a.name} instead of ${e.name}`);
      else if (a.attributes.join(' ') !== e.attributes.join(' ')) differences.push(`${here}: attributes ${a.attributes.join(' ')} vs ${e.attributes.join(' ')}`);
      else walk(a.children, e.children, here);
    }
  };
  const root = { xml: 'http://www.w3.org/XML/1998/namespace', '': '' };
  walk(shapes(orderedParser.parse(actualXml) as OrderedNode[], root), shapes(orderedParser.parse(expectedXml) as OrderedNode[], root), '');
  return differences;
}

