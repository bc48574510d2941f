/**
 * Validates SOAP messages against the XML schemas of [MS-WSUSSS] Appendix A (extracted into
 * test/fixtures/wsusss-schemas by scripts/extract-wsusss-schemas.ts) plus the SOAP 1.1 envelope,
 * with libxml2's schema validator (xmllint-wasm) — not supsync's own parser.
 */
import fs from 'node:fs';
import path from 'node:path';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';
import { repoRoot } from './fixtures.js';

export const schemaDir = path.join(repoRoot, 'test', 'fixtures', 'wsusss-schemas');
const envelopeFile = path.join(repoRoot, 'test', 'fixtures', 'soap', 'envelope-1.1.xsd');

export type Service = 'sync' | 'dss' | 'reporting';

const schemaSets = new Map<Service, { main: XMLFileInfo; preload: XMLFileInfo[] }>();

function schemaSet(service: Service) {
  let set = schemaSets.get(service);
  if (set) return set;
  const files = fs.readdirSync(schemaDir).filter((f) => f.startsWith(`${service}-`) && f.endsWith('.xsd')).sort();
  const preload: XMLFileInfo[] = files.map((f) => ({ fileName: f, contents: fs.readFileSync(path.join(schemaDir, f), 'utf8') }));
  preload.push({ fileName: 'envelope-1.1.xsd', contents: fs.readFileSync(envelopeFile, 'utf8') });
  const imports = preload.map((p) => {
    const ns = /targetNamespace="([^"]*)"/.exec(String(p.contents))![1];
    return `<xs:import namespace="${ns}" schemaLocation="${p.fileName}"/>`;
  });
  const main = { fileName: `${service}-main.xsd`, contents: `<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${imports.join('')}</xs:schema>` };
  set = { main, preload };
  schemaSets.set(service, set);
  return set;
}

/** The service whose schema declares a SOAP body addressed to `urlPath`. */
export function serviceOf(urlPath: string): Service {
  const p = urlPath.toLowerCase();
  if (p.includes('dssauthwebservice')) return 'dss';
  if (p.includes('reportingwebservice')) return 'reporting';
  return 'sync';
}

/** The schema errors of one SOAP message (empty when it is valid). */
export async function schemaErrors(xml: string, service: Service): Promise<string[]> {
  const { main, preload } = schemaSet(service);
  const result = await validateXML({ xml: { fileName: 'message.xml', contents: xml }, schema: main, preload, maxMemoryPages: 4096 });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}

/** Collects messages to validate in one go at the end of a test. */
export class SchemaLog {
  readonly messages: { what: string; xml: string; service: Service }[] = [];

  add(what: string, xml: string, service: Service): void {
    this.messages.push({ what, xml, service });
  }

  /** Every invalid message with its errors (empty when all are valid); one validator run per service. */
  async invalid(): Promise<string[]> {
    const failures: string[] = [];
    for (const service of ['sync', 'dss', 'reporting'] as const) {
      const messages = this.messages.filter((m) => m.service === service);
      if (messages.length === 0) continue;
      const { main, preload } = schemaSet(service);
      const files = messages.map((m, i) => ({ fileName: `m${i}.xml`, contents: m.xml }));
      const result = await validateXML({ xml: files, schema: main, preload, maxMemoryPages: 16384 });
      for (const error of result.errors) {
        const index = Number(/^m(\d+)\.xml/.exec(error.loc?.fileName ?? '')?.[1] ?? /m(\d+)\.xml/.exec(error.rawMessage)?.[1]);
        failures.push(`${messages[index]?.what ?? '?'}: ${error.rawMessage}`);
      }
    }
    return failures;
  }
}
