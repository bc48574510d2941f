/**
 * Extracts the XML schemas of the [MS-WSUSSS] WSDL (Appendix A of the spec: 6.1 Server Sync Web
 * Service, 6.2 DSS Authorization Web Service, 6.3 Reporting Web Service) into standalone .xsd
 * files, so tests validate every SOAP body with a real schema validator against the spec's own
 * types. Each service keeps its own set: the server-sync and reporting services both use the
 * SoftwareDistribution namespace with different declarations.
 *
 *   node dist/scripts/extract-wsusss-schemas.js [spec.md] [out-dir]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExtractedSchema {
  /** e.g. `sync-1.xsd`. */
  file: string;
  service: 'sync' | 'dss' | 'reporting';
  targetNamespace: string;
  text: string;
}

const sections = [
  { heading: '## 6.1 Server Sync Web Service', service: 'sync' },
  { heading: '## 6.2 DSS Authorization Web Service', service: 'dss' },
  { heading: '## 6.3 Reporting Web Service', service: 'reporting' },
] as const;

/** The WSDL text of one Appendix A section: the markdown's list markers and blank lines removed. */
function wsdlText(spec: string, heading: string): string {
  const start = spec.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`The spec has no section '${heading}'`);
  const rest = spec.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,2} \d/);
  return (end === -1 ? rest : rest.slice(0, end))
    .split('\n')
    .filter((line) => !line.startsWith('<a id='))
    .map((line) => line.replace(/^- /, ''))
    .filter((line) => line.trim() !== '')
    .join('\n');
}

export function extractSchemas(spec: string): ExtractedSchema[] {
  const result: ExtractedSchema[] = [];
  for (const { heading, service } of sections) {
    const wsdl = wsdlText(spec, heading);
    const definitions = /<wsdl:definitions\b([^>]*)>/.exec(wsdl);
    if (!definitions) throw new Error(`${heading}: no <wsdl:definitions>`);
    const declarations = [...definitions[1]!.matchAll(/\bxmlns:(\w+)="([^"]*)"/g)].map((m) => ({ prefix: m[1]!, uri: m[2]! }));
    const schemas = [...wsdl.matchAll(/<s:schema\b([^>]*)>([\s\S]*?)<\/s:schema>/g)];
    const files = schemas.map((m, i) => ({ file: `${service}-${i + 1}.xsd`, targetNamespace: /targetNamespace="([^"]*)"/.exec(m[1]!)?.[1] ?? '' }));
    schemas.forEach((match, i) => {
      const attributes = match[1]!.replace(/\s+/g, ' ').trim();
      // The WSDL declares the prefixes once on <wsdl:definitions>; a standalone schema needs them itself.
      const missing = declarations.filter((d) => !new RegExp(`xmlns:${d.prefix}=`).test(attributes)).map((d) => `xmlns:${d.prefix}="${d.uri}"`);
      // An import of a namespace defined beside it in the same WSDL gets that file as its location.
      const body = match[2]!.replace(/<s:import namespace="([^"]*)"\s*\/>/g, (whole, ns: string) => {
        const sibling = files.find((f) => f.targetNamespace === ns);
        return sibling ? `<s:import namespace="${ns}" schemaLocation="${sibling.file}" />` : whole;
      });
      result.push({
        file: files[i]!.file,
        service,
        targetNamespace: files[i]!.targetNamespace,
        text: `<?xml version="1.0" encoding="utf-8"?>\n<!-- Extracted from [MS-WSUSSS] Appendix A (${heading.slice(3)}) by scripts/extract-wsusss-schemas.ts; do not edit. -->\n<s:schema ${[attributes, ...missing].join(' ')}>\n${body.trim()}\n</s:schema>\n`,
      });
    });
  }
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', process.argv[1]!.includes(`${path.sep}dist${path.sep}`) ? '..' : '');
  const spec = process.argv[2] ?? path.resolve(root, '..', 'shared', 'reference', 'MS-WSUSSS.md');
  const out = process.argv[3] ?? path.join(root, 'test', 'fixtures', 'wsusss-schemas');
  fs.mkdirSync(out, { recursive: true });
  for (const schema of extractSchemas(fs.readFileSync(spec, 'utf8'))) {
    fs.writeFileSync(path.join(out, schema.file), schema.text);
    console.log(`${schema.file}  ${schema.targetNamespace}`);
  }
}
