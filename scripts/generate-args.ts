/**
 * Writes src/cli/command-args.ts, the argument types of every command's handler, from the command
 * spec: the parsed flags as the CLI hands them over (camel-cased, converted to the spec's types,
 * optional unless required). Run by `npm run build`; the output is committed, and the compiler
 * holds each handler to its command's arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandSpec, globalParams } from '../src/cli/spec.js';
import type { ParamSpec } from '../src/cli/spec-types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository, whether this runs from dist/scripts (the build) or from scripts (tsx). */
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function typeOf(param: ParamSpec): string {
  switch (param.type) {
    case 'string':
      return param.choices ? param.choices.map((c) => `'${c}'`).join(' | ') : 'string';
    case 'string[]':
      return 'string[]';
    case 'number':
      return 'number';
    default:
      return 'boolean';
  }
}

const member = (param: ParamSpec) => `  ${camel(param.flag)}${param.required ? '' : '?'}: ${typeOf(param)};`;

export function commandArgsSource(): string {
  const lines = [
    '// Generated from src/cli/spec.ts by scripts/generate-args.ts; do not edit, run npm run build.',
    '',
    '/** The global options, before the command words. */',
    'export type GlobalArgs = {',
    ...globalParams.map(member),
    '};',
    '',
    '/** Each command\'s parsed arguments, by command id. */',
    'export type CommandArgs = {',
  ];
  for (const command of commandSpec) {
    lines.push(`  '${command.id}': GlobalArgs & {`, ...command.params.map((p) => `  ${member(p)}`), '  };');
  }
  lines.push('};', '', 'export type CommandId = keyof CommandArgs;', '');
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = path.join(root, 'src', 'cli', 'command-args.ts');
  const text = commandArgsSource();
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
    fs.writeFileSync(file, text);
    console.log(`generate-args: wrote ${path.relative(root, file)}`);
  }
}
