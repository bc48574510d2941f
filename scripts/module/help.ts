/** Comment-based help for the generated functions, from the spec's summaries, descriptions and examples. */
import { ExitCode } from '../../src/errors.js';
import { type Cmdlet, ModuleSpecError, type PsParameter, type PsType, exitCodeErrors } from './model.js';

const dotNetTypes: Record<PsType, string> = {
  string: 'System.String',
  'string[]': 'System.String[]',
  int: 'System.Int32',
  bool: 'System.Boolean',
  switch: 'System.Management.Automation.SwitchParameter',
  object: 'System.Object',
  'object[]': 'System.Object[]',
  datetime: 'System.DateTime',
  securestring: 'System.Security.SecureString',
};

/** The lines of the `<# … #>` help block (unindented). */
export function helpLines(cmdlet: Cmdlet, all: readonly Cmdlet[]): string[] {
  const { command, ps } = cmdlet;
  const speak = (text: string) => inPowerShellTerms(cmdlet, text);
  const lines = ['<#', '.SYNOPSIS', speak(command.summary), '', '.DESCRIPTION', speak(command.description), '', `Runs the supsync host command: supsync ${command.words.join(' ')}`];
  for (const parameter of cmdlet.parameters) lines.push('', `.PARAMETER ${parameter.name}`, ...parameterText(parameter, all).map(speak));
  for (const example of ps.examples) lines.push('', '.EXAMPLE', ...example.code.split('\n'), '', example.remarks);
  lines.push('', '.INPUTS', ...inputs(cmdlet));
  lines.push('', '.OUTPUTS', ...command.outputTypes);
  for (const related of relatedCmdlets(cmdlet, all)) lines.push('', '.LINK', related);
  lines.push('#>');
  const split = lines.flatMap((line) => line.split('\n'));
  checkHelp(command.id, split);
  return split;
}

function parameterText(parameter: PsParameter, all: readonly Cmdlet[]): string[] {
  const text = [parameter.description];
  if (parameter.choices) text.push(`Valid values (any case): ${parameter.choices.join(', ')}.`);
  if (parameter.binding.type === 'schedule') {
    const maker = all.find((c) => c.command.outputTypes.includes('SupSync.Schedule'));
    text.push(`Takes a schedule${maker ? ` from ${maker.name}` : ''} or a schedule string; $null turns scheduled synchronization off.`);
  }
  if (parameter.binding.type === 'path') text.push('A relative path or a PowerShell drive path is resolved against the current location.');
  if (parameter.binding.defaultTopLevel) text.push("Optional: left out, it is the home's top-level site (-Verbose says which), as ConfigMgr takes the site from the site drive.");
  if (parameter.binding.type === 'datetime') text.push('A [datetime]: local time unless its Kind is Utc.');
  if (parameter.binding.type === 'accept') text.push('Accepted for compatibility with the ConfigMgr cmdlet; it changes nothing here.');
  if (parameter.binding.type === 'refuse') text.push('Not supported by SupSync: giving it is an error (ParameterNotSupported) naming it.');
  if (parameter.binding.type === 'secret') text.push('A SecureString, e.g. (Read-Host -AsSecureString); it reaches the host in its environment, never on a command line.');
  return text;
}

/**
 * Help speaks of PowerShell parameters, not CLI flags: `--wait-months` of this command becomes
 * `-WaitMonth`, and an exit code becomes the error PowerShell reports.
 */
export function inPowerShellTerms(cmdlet: Cmdlet, text: string): string {
  const byFlag = new Map(cmdlet.parameters.filter((p) => p.binding.flag !== '').map((p) => [p.binding.flag, p.name]));
  return text
    .replace(/--([a-z][a-z0-9-]*)/g, (whole, flag: string) => (byFlag.has(flag) ? `-${byFlag.get(flag)}` : flag === 'what-if' ? '-WhatIf' : whole))
    .replace(/exit code (\d+)/g, (whole, code: string) => {
      const known = Object.entries(ExitCode).find(([, value]) => value === Number(code));
      return known && known[0] !== 'ok' && known[0] !== 'queued' ? `a ${exitCodeErrors[known[0] as keyof typeof exitCodeErrors].id} error` : whole;
    });
}

function inputs(cmdlet: Cmdlet): string[] {
  const piped = cmdlet.parameters.filter((p) => p.pipeline !== undefined);
  if (piped.length === 0) return ['None'];
  const how = { value: 'by value', property: 'by property name', both: 'by value and by property name' } as const;
  return piped.map((p) => `${dotNetTypes[p.psType]}: -${p.name}, ${how[p.pipeline!]}${p.aliases.length > 0 ? ` (also ${p.aliases.join(', ')})` : ''}.`);
}

/**
 * Cmdlets a reader of this one will want next: the same host command group (`site add` → `site
 * list`), or nouns where one extends the other (CMSoftwareUpdateSync → CMSoftwareUpdateSyncStatus).
 */
function relatedCmdlets(cmdlet: Cmdlet, all: readonly Cmdlet[]): string[] {
  const noun = cmdlet.ps.noun;
  return all
    .filter((other) => other !== cmdlet)
    .filter(
      (other) =>
        other.command.words[0] === cmdlet.command.words[0] ||
        other.ps.noun.startsWith(noun) ||
        noun.startsWith(other.ps.noun) ||
        (cmdlet.ps.related ?? []).includes(other.name),
    )
    .map((other) => other.name);
}

/** Text PowerShell would read as help syntax rather than prose: refused at build time, naming the command. */
function checkHelp(id: string, lines: readonly string[]): void {
  for (const line of lines.slice(1, -1)) {
    if (line.includes('#>')) throw new ModuleSpecError(id, `help text may not contain '#>' (it ends the help block): ${line}`);
    if (/^\s*\.[A-Za-z]/.test(line) && !/^\.(SYNOPSIS|DESCRIPTION|PARAMETER|EXAMPLE|INPUTS|OUTPUTS|LINK)\b/.test(line)) {
      throw new ModuleSpecError(id, `a help line may not start with '.' (PowerShell would read a help keyword): ${line}`);
    }
  }
}
