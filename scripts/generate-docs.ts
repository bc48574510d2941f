/**
 * Writes docs/commands.md, the command reference, from the command spec (the same source the CLI
 * and the PowerShell module come from). Run by `npm run build`; the output is committed and
 * reproducible byte for byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../src/errors.js';
import { commandSpec, globalParams } from '../src/cli/spec.js';
import type { ParamSpec } from '../src/cli/spec-types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function flagUsage(p: ParamSpec): string {
  const value = p.type === 'switch' ? '' : p.type === 'boolean' ? ' true|false' : p.choices ? ` ${p.choices.join('|')}` : p.type === 'string[]' ? ' VALUE...' : p.type === 'number' ? ' N' : ' VALUE';
  return `--${p.flag}${value}`;
}

export function commandReference(): string {
  const lines = [
    '<!-- generated from src/cli/spec.ts by scripts/generate-docs.ts; do not edit, run npm run build -->',
    '# supsync command reference',
    '',
    '`supsync [--home DIR] [--output table|json] [--log-format site-server|cmtrace] <command>`',
    '',
    '| global option | meaning |',
    '| --- | --- |',
    ...globalParams.map((p) => `| \`${flagUsage(p)}\` | ${p.description} |`),
    '',
    'stdout carries only records: NDJSON (one JSON object per line, each with a `type`) with `--output json` or when stdout is not a terminal, a table otherwise. Logs and progress go to stderr. An error is one `SupSync.Error` record (`code`, `message`, `category`, `target`) and a non-zero exit code:',
    '',
    '| exit code | meaning |',
    '| --- | --- |',
    ...Object.entries(ExitCode).map(([name, code]) => `| ${code} | ${name} |`),
    '',
    `Exit code ${ExitCode.queued} (queued) is not an error: \`sync\` found the site synchronizing and queued the request behind that run (the result's \`QueuedBehindRun\`); the running process runs it when that finishes. PowerShell writes the Queued result and no error.`,
    '',
  ];
  for (const command of commandSpec) {
    lines.push(`## supsync ${command.words.join(' ')}`, '', command.summary, '', command.description, '');
    const usage = command.params.map((p) => (p.required ? flagUsage(p) : `[${flagUsage(p)}]`)).join(' ');
    lines.push('```', `supsync ${command.words.join(' ')} ${usage}`.trimEnd(), '```', '');
    if (command.params.length > 0) {
      lines.push('| option | PowerShell | meaning |', '| --- | --- | --- |');
      for (const p of command.params) lines.push(`| \`${flagUsage(p)}\` | ${p.ps ? `-${p.ps.name}` : (p.flag === 'what-if' ? '-WhatIf' : '')} | ${p.description}${p.required ? ' Required.' : ''} |`);
      lines.push('');
    }
    if (command.ps) lines.push(`PowerShell: \`${command.ps.verb}-${command.ps.noun}\`${command.ps.aliases?.length ? ` (alias ${command.ps.aliases.join(', ')})` : ''}. Writes ${command.outputTypes.map((t) => `\`${t}\``).join(', ')}.`, '');
    else lines.push(`Writes ${command.outputTypes.map((t) => `\`${t}\``).join(', ')}.`, '');
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(root, 'docs', 'commands.md'), commandReference());
}
