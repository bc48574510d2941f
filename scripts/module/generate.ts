/**
 * Generates the SupSync PowerShell module from the command spec: SupSync.psm1 (one function per
 * spec command with a PowerShell face, argument completers, dot-sourcing of the handwritten
 * module/Private and module/Public files), SupSync.psd1, SupSync.Format.ps1xml and
 * SupSync.Types.ps1xml. Pure apart
 * from readGeneratorInput/writeModule, and byte-for-byte reproducible: no timestamps, spec order,
 * sorted file lists, LF line endings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ExitCode } from '../../src/errors.js';
import { hostNodeOptions } from '../../src/cli/node-options.js';
import { commandSpec } from '../../src/cli/spec.js';
import type { CommandSpec } from '../../src/cli/spec-types.js';
import { renderFormat } from './format.js';
import { renderFunction } from './functions.js';
import { renderTypes } from './types.js';
import { type Cmdlet, ModuleSpecError, cmdlets, exitCodeErrors } from './model.js';
import { approvedVerbs, psArray, psQuote } from './ps.js';

const moduleName = 'SupSync';
/** Fixed for the life of the module: PowerShellGet and Import-Module -RequiredVersion key on it. */
export const moduleGuid = '4b617451-dae2-47a3-988c-dc83de152ea1';
const header = 'generated — do not edit; run npm run build (scripts/generate-module.ts writes it from the command spec in src/cli/)';
/** Windows PowerShell 5.1 reads a .ps1/.psm1/.psd1 without a byte-order mark in the ANSI code page; the help text is not all ASCII. */
const bom = '\uFEFF';

export interface GeneratorInput {
  commands: readonly CommandSpec[];
  /** package.json's version, description and engines.node. */
  version: string;
  description: string;
  nodeEngine: string;
  /** File names under module/Private and module/Public, and the public files' text (their functions are exported). */
  privateFiles: readonly string[];
  publicFiles: ReadonlyArray<{ name: string; text: string }>;
}


/** The module files by name, as text (LF line endings; the PowerShell files start with a BOM). */
export function generateModule(input: GeneratorInput): Map<string, string> {
  const all = cmdlets(input.commands);
  const publicFunctions = input.publicFiles.flatMap((file) => publicFunctionNames(file.name, file.text));
  const functions = [...all.map((c) => c.name), ...publicFunctions];
  const duplicate = functions.find((name, i) => functions.findIndex((other) => other.toLowerCase() === name.toLowerCase()) !== i);
  if (duplicate) throw new ModuleSpecError('module', `the function ${duplicate} is defined twice`);
  const aliases = all.flatMap((c) => c.ps.aliases ?? []);
  return new Map([
    [`${moduleName}.psd1`, bom + manifest(input, functions, aliases)],
    [`${moduleName}.psm1`, bom + rootModule(input, all, functions, aliases)],
    [`${moduleName}.Format.ps1xml`, renderFormat(header)],
    [`${moduleName}.Types.ps1xml`, renderTypes(header)],
  ]);
}

function publicFunctionNames(file: string, text: string): string[] {
  const names = [...text.matchAll(/^function\s+([A-Za-z]+)-([A-Za-z0-9]+)\b/gm)].map((m) => `${m[1]}-${m[2]}`);
  for (const name of names) if (!approvedVerbs.has(name.split('-')[0]!)) throw new ModuleSpecError(`Public/${file}`, `${name} does not use an approved verb`);
  return names;
}

function rootModule(input: GeneratorInput, all: readonly Cmdlet[], functions: readonly string[], aliases: readonly string[]): string {
  const lines = [
    `# ${header}`,
    '#Requires -Version 5.1',
    '',
    '# The host is looked up relative to the module; Node.js must be at least the version package.json requires.',
    '$script:SupSyncModuleRoot = $PSScriptRoot',
    `$script:SupSyncMinimumNode = [version]${psQuote(minimumNode(input.nodeEngine))}`,
    '# Node.js options the host always runs with (hostNodeOptions in src/cli/node-options.ts).',
    `$script:SupSyncNodeOptions = ${psArray(hostNodeOptions)}`,
    '# The host exits with these codes (ExitCode in src/errors.ts); an exit without an error record becomes this error.',
    '$script:SupSyncExitCodes = @{',
    ...Object.entries(exitCodeErrors).map(
      ([key, e]) => `    ${ExitCode[key as keyof typeof exitCodeErrors]} = @{ Id = ${psQuote(e.id)}; Category = ${psQuote(e.category)}; Meaning = ${psQuote(e.meaning)} }`,
    ),
    '}',
    `$script:SupSyncPartialExitCode = ${ExitCode.partial}`,
    '# A sync request queued behind the running sync: no error.',
    `$script:SupSyncQueuedExitCode = ${ExitCode.queued}`,
    '',
    '# Handwritten helpers and public functions.',
    ...[...input.privateFiles.map((f) => `Private/${f}`), ...input.publicFiles.map((f) => `Public/${f.name}`)].map((f) => `. (Join-Path -Path $PSScriptRoot -ChildPath ${psQuote(f)})`),
  ];
  for (const cmdlet of all) lines.push('', ...renderFunction(cmdlet, all));
  lines.push('', ...completers(all), '', `Export-ModuleMember -Function ${psArray(functions)} -Alias ${psArray(aliases)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Register-ArgumentCompleter rather than [ArgumentCompleter()]: a script block in that attribute
 * runs outside the module's scope and cannot call the module's private functions
 * (PowerShell/PowerShell#7265); one registered from the module can.
 */
function completers(all: readonly Cmdlet[]): string[] {
  const groups = new Map<string, { parameter: string; kind: string; commands: string[] }>();
  for (const cmdlet of all) {
    for (const parameter of cmdlet.parameters) {
      if (!parameter.completer) continue;
      const key = `${parameter.name}\u0000${parameter.completer}`;
      const group = groups.get(key) ?? { parameter: parameter.name, kind: parameter.completer, commands: [] };
      group.commands.push(cmdlet.name, ...(cmdlet.ps.aliases ?? []));
      groups.set(key, group);
    }
  }
  const lines = ['# Tab completion of site codes, products and classifications, asked of the host.'];
  for (const group of groups.values()) {
    lines.push(
      `Register-ArgumentCompleter -CommandName ${psArray(group.commands)} -ParameterName ${psQuote(group.parameter)} -ScriptBlock {`,
      '    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)',
      `    Complete-SupSyncArgument -Kind ${psQuote(group.kind)} -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters`,
      '}',
    );
  }
  return lines;
}

function manifest(input: GeneratorInput, functions: readonly string[], aliases: readonly string[]): string {
  const [version, prerelease] = splitVersion(input.version);
  const list = (items: readonly string[]) => (items.length === 0 ? '@()' : `@(\n${items.map((item) => `        ${psQuote(item)}`).join(',\n')}\n    )`);
  const lines = [
    `# ${header}`,
    '@{',
    `    RootModule = ${psQuote(`${moduleName}.psm1`)}`,
    `    ModuleVersion = ${psQuote(version)}`,
    `    GUID = ${psQuote(moduleGuid)}`,
    "    Author = 'supsync contributors'",
    "    CompanyName = 'supsync'",
    "    Copyright = '(c) supsync contributors. MIT License.'",
    `    Description = ${psQuote(input.description)}`,
    "    PowerShellVersion = '5.1'",
    "    CompatiblePSEditions = @('Desktop', 'Core')",
    `    TypesToProcess = @(${psQuote(`${moduleName}.Types.ps1xml`)})`,
    `    FormatsToProcess = @(${psQuote(`${moduleName}.Format.ps1xml`)})`,
    `    FunctionsToExport = ${list(functions)}`,
    '    CmdletsToExport = @()',
    '    VariablesToExport = @()',
    `    AliasesToExport = ${list(aliases)}`,
    '    PrivateData = @{',
    '        PSData = @{',
    "            Tags = @('ConfigMgr', 'SCCM', 'WSUS', 'SoftwareUpdates', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')",
    ...(prerelease ? [`            Prerelease = ${psQuote(prerelease)}`] : []),
    '        }',
    '    }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** ModuleVersion must be numeric; a semver prerelease goes to PSData.Prerelease as PowerShellGet expects. */
function splitVersion(version: string): [string, string | undefined] {
  const match = /^(\d+\.\d+\.\d+)(?:-([0-9A-Za-z]+))?$/.exec(version);
  if (!match) throw new ModuleSpecError('package.json', `the version '${version}' is not x.y.z or x.y.z-tag (letters and digits)`);
  return [match[1]!, match[2]];
}

function minimumNode(engine: string): string {
  const match = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(engine.trim());
  if (!match) throw new ModuleSpecError('package.json', `engines.node '${engine}' is not '>=major.minor[.patch]'`);
  return `${match[1]}.${match[2]}.${match[3] ?? '0'}`;
}

/** package.json and the handwritten files of module/, in a stable order. */
export function readGeneratorInput(repoRoot: string, commands: readonly CommandSpec[] = commandSpec): GeneratorInput {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string; description: string; engines: { node: string } };
  const moduleDir = path.join(repoRoot, 'module');
  const scripts = (dir: string) => {
    const names = fs.readdirSync(path.join(moduleDir, dir)).filter((f) => f.endsWith('.ps1'));
    for (const name of names) if (!/^[A-Za-z0-9][A-Za-z0-9.-]*\.ps1$/.test(name)) throw new ModuleSpecError(`module/${dir}`, `the file name '${name}' has characters the module loader does not quote`);
    return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  };
  return {
    commands,
    version: pkg.version,
    description: pkg.description,
    nodeEngine: pkg.engines.node,
    privateFiles: scripts('Private'),
    publicFiles: scripts('Public').map((name) => ({ name, text: fs.readFileSync(path.join(moduleDir, 'Public', name), 'utf8') })),
  };
}

/** Generates into `outDir` (default module/) and returns the paths written. */
export function writeModule(repoRoot: string, outDir = path.join(repoRoot, 'module')): string[] {
  const files = generateModule(readGeneratorInput(repoRoot));
  fs.mkdirSync(outDir, { recursive: true });
  return [...files].map(([name, text]) => {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, text, 'utf8');
    return file;
  });
}
