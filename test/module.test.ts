/**
 * The SupSync PowerShell module. Here: every module file parsed with the real PowerShell grammar
 * and checked, from the parse tree, against the command spec (functions, parameters, attributes,
 * help, binding tables, manifest, completers, calls between the module's own functions);
 * deterministic generation; the argument contract with the host; the table views against real
 * host records. Wherever pwsh is on PATH: the module imported and run for real through
 * node-powershell against a temporary hierarchy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Node, Parser } from 'web-tree-sitter';
import { tableViews } from '../scripts/module/format.js';
import { generateModule, moduleGuid, readGeneratorInput, writeModule } from '../scripts/module/generate.js';
import { inPowerShellTerms } from '../scripts/module/help.js';
import { type Cmdlet, ModuleSpecError, cmdlets } from '../scripts/module/model.js';
import { commandSpec } from '../src/cli/spec.js';
import { processStartTime } from '../src/store/lock-file.js';
import { withSiteStore } from '../src/store/site-store.js';
import type { CommandSpec, ParamSpec, PowerShellCommand, PowerShellParam } from '../src/cli/spec-types.js';
import { tempDir } from './helpers/cli.js';
import { runInProcess } from './helpers/in-process.js';
import { pwshRuntimeEnv, requirePwsh } from './helpers/pwsh.js';
import { devCliPath, repoRoot } from './helpers/fixtures.js';
import {
  type PsAttribute,
  type PsFunction,
  type PsValue,
  attributeNamed,
  callsOf,
  functionsOf,
  helpSections,
  literal,
  parsePowerShell,
  powershellParser,
  syntaxErrors,
} from './helpers/powershell-ast.js';

const moduleDir = path.join(repoRoot, 'module');
const read = (file: string) => fs.readFileSync(path.join(moduleDir, file), 'utf8');
const handwritten = (dir: string) =>
  fs
    .readdirSync(path.join(moduleDir, dir))
    .filter((f) => f.endsWith('.ps1'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((f) => `${dir}/${f}`);

type PsCommandSpec = CommandSpec & { ps: PowerShellCommand };
const psCommands = commandSpec.filter((c): c is PsCommandSpec => c.ps !== false);
const psParams = (command: CommandSpec) => command.params.filter((p): p is ParamSpec & { ps: PowerShellParam } => p.ps !== false);
const cmdletNameOf = (command: PsCommandSpec) => `${command.ps.verb}-${command.ps.noun}`;

/** The PowerShell type each spec parameter must have (the mapping, restated independently of the generator). */
function expectedType(param: ParamSpec & { ps: PowerShellParam }): string {
  if (param.ps.kind === 'scheduleObject') return 'object';
  if (param.ps.kind === 'categoryObject') return 'object[]';
  if (param.ps.psType) return param.ps.psType;
  if (param.secret) return 'securestring';
  return { string: 'string', 'string[]': 'string[]', number: 'int', boolean: 'bool', switch: 'switch' }[param.type];
}

/** The runtime binding type the module's ConvertTo-SupSyncArgument must apply. */
function expectedBinding(param: ParamSpec & { ps: PowerShellParam }): string {
  if (param.ps.kind === 'scheduleObject') return 'schedule';
  if (param.ps.kind === 'categoryObject') return 'category';
  if (param.ps.psType === 'bool') return 'boolean';
  if (param.ps.psType === 'datetime') return 'datetime';
  if (param.ps.kind === 'path') return 'path';
  if (param.secret) return 'secret';
  return param.type;
}

const common = new Set(['verbose', 'debug', 'erroraction', 'warningaction', 'informationaction', 'progressaction', 'errorvariable', 'warningvariable', 'informationvariable', 'outvariable', 'outbuffer', 'pipelinevariable']);
const asArray = (value: PsValue | undefined): PsValue[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const named = (attribute: PsAttribute, key: string): PsValue | undefined => Object.entries(attribute.named).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];

/** `$supsyncCommand = @{…}` in the begin block of a generated function. */
function commandTable(fn: PsFunction): Record<string, PsValue> {
  const assignment = fn.node.descendantsOfType('assignment_expression').find((a) => a.namedChildren[0]!.text === '$supsyncCommand');
  if (!assignment) throw new Error(`${fn.name} has no $supsyncCommand table`);
  return literal(assignment.namedChildren[assignment.namedChildren.length - 1]!) as Record<string, PsValue>;
}

describe('PowerShell module: the files parsed with the PowerShell grammar', () => {
  let parser: Parser;
  const trees = new Map<string, Node>();
  let moduleFunctions: PsFunction[];
  let generated: Map<string, PsFunction>;
  let manifest: Record<string, PsValue>;

  before(async () => {
    parser = await powershellParser();
    for (const file of ['SupSync.psm1', 'SupSync.psd1', ...handwritten('Private'), ...handwritten('Public')]) trees.set(file, parsePowerShell(parser, read(file)));
    moduleFunctions = [...trees.values()].flatMap(functionsOf);
    generated = new Map(functionsOf(trees.get('SupSync.psm1')!).map((f) => [f.name, f]));
    manifest = literal(trees.get('SupSync.psd1')!.descendantsOfType('hash_literal_expression')[0]!) as Record<string, PsValue>;
  });

  it('parses every module file without an ERROR or MISSING node', () => {
    for (const [file, root] of trees) expect(syntaxErrors(root), file).to.deep.equal([]);
    expect(generated.size).to.equal(psCommands.length);
  });

  it('marks each generated file as generated; PowerShell files carry a UTF-8 BOM (5.1 reads them in the ANSI code page otherwise); handwritten files are ASCII', () => {
    for (const file of ['SupSync.psm1', 'SupSync.psd1']) {
      const bytes = fs.readFileSync(path.join(moduleDir, file));
      expect([...bytes.subarray(0, 3)], file).to.deep.equal([0xef, 0xbb, 0xbf]);
      expect(bytes.subarray(3).toString('utf8'), file).to.match(/^# generated — do not edit; run npm run build/);
    }
    expect(read('SupSync.Format.ps1xml')).to.match(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<!-- generated — do not edit; run npm run build/);
    for (const file of [...handwritten('Private'), ...handwritten('Public')]) {
      expect(read(file), file).to.match(/^# Handwritten/);
      expect(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(read(file)), `${file} is ASCII`).to.equal(true);
    }
    for (const file of ['SupSync.psm1', 'SupSync.psd1', 'SupSync.Format.ps1xml', ...handwritten('Private'), ...handwritten('Public')]) expect(read(file).includes('\r'), `${file} has LF line endings`).to.equal(false);
  });

  describe('one function per spec command, exactly as the spec says', () => {
    for (const command of psCommands) {
      const name = cmdletNameOf(command);
      it(`${name} (${command.id})`, () => {
        const fn = generated.get(name);
        expect(fn, name).to.not.equal(undefined);
        const params = psParams(command);

        const [binding] = attributeNamed(fn!.attributes, 'CmdletBinding');
        expect(binding, 'CmdletBinding').to.not.equal(undefined);
        expect(named(binding!, 'SupportsShouldProcess') ?? false, 'SupportsShouldProcess').to.equal(command.changesState);
        expect(named(binding!, 'ConfirmImpact'), 'ConfirmImpact').to.equal(command.changesState ? command.ps.confirmImpact : undefined);
        expect(named(binding!, 'DefaultParameterSetName'), 'DefaultParameterSetName').to.equal(command.ps.defaultParameterSet);
        expect(named(binding!, 'PositionalBinding')).to.equal(false);
        expect(attributeNamed(fn!.attributes, 'Alias').flatMap((a) => a.positional)).to.deep.equal(command.ps.aliases ?? []);
        expect(attributeNamed(fn!.attributes, 'OutputType').flatMap((a) => a.positional)).to.deep.equal(command.outputTypes);

        const configMgrOnly = command.ps.configMgrOnly ?? [];
        expect(fn!.parameters.map((p) => p.name), 'parameters').to.deep.equal([...params.map((p) => p.ps.name), ...configMgrOnly.map((p) => p.name)]);
        for (const [i, param] of params.entries()) {
          const actual = fn!.parameters[i]!;
          const what = `-${param.ps.name}`;
          expect(actual.type, `${what} type`).to.equal(expectedType(param));
          const parameterAttributes = attributeNamed(actual.attributes, 'Parameter');
          const sets = param.ps.parameterSets ?? [];
          expect(parameterAttributes.map((a) => named(a, 'ParameterSetName')), `${what} parameter sets`).to.deep.equal(sets.length > 0 ? sets : [undefined]);
          for (const attribute of parameterAttributes) {
            expect(named(attribute, 'Mandatory') ?? false, `${what} Mandatory`).to.equal((param.required ?? false) && !param.ps.defaultsToTopLevelSite);
            expect(named(attribute, 'Position'), `${what} Position`).to.equal(param.ps.position);
            expect(named(attribute, 'ValueFromPipeline') ?? false, `${what} ValueFromPipeline`).to.equal(param.ps.pipeline === 'value' || param.ps.pipeline === 'both');
            expect(named(attribute, 'ValueFromPipelineByPropertyName') ?? false, `${what} ByPropertyName`).to.equal(param.ps.pipeline === 'property' || param.ps.pipeline === 'both');
          }
          expect(attributeNamed(actual.attributes, 'Alias').flatMap((a) => a.positional), `${what} aliases`).to.deep.equal(param.ps.aliases ?? []);
          expect(attributeNamed(actual.attributes, 'ValidateSet').flatMap((a) => a.positional), `${what} ValidateSet`).to.deep.equal(param.choices ? [...param.choices] : []);
          expect(attributeNamed(actual.attributes, 'ArgumentCompleter'), `${what}: completers are registered, not attributes`).to.deep.equal([]);
        }

        const help = helpSections(fn!.help ?? '');
        const section = (keyword: string) => help.filter((s) => s.keyword === keyword);
        const cmdlet = cmdlets(commandSpec).find((c) => c.name === name)!;
        const speak = (text: string) => inPowerShellTerms(cmdlet, text);
        expect(section('SYNOPSIS').map((s) => s.text)).to.deep.equal([speak(command.summary)]);
        expect(section('DESCRIPTION')[0]?.text).to.include(speak(command.description));
        expect(section('PARAMETER').map((s) => s.argument), '.PARAMETER entries').to.deep.equal([...params.map((p) => p.ps.name), ...configMgrOnly.map((p) => p.name)]);
        for (const entry of section('PARAMETER')) {
          const description = params.find((p) => p.ps.name === entry.argument)?.description ?? configMgrOnly.find((p) => p.name === entry.argument)!.description;
          expect(entry.text, `.PARAMETER ${entry.argument}`).to.include(speak(description));
          // Help speaks of PowerShell parameters: no flag of a parameter this cmdlet has, no exit code.
          for (const param of params) expect(entry.text, `.PARAMETER ${entry.argument} names --${param.flag}`).to.not.match(new RegExp(`--${param.flag}\\b`));
          expect(entry.text).to.not.match(/exit code \d/);
        }
        for (const param of params) expect(section('DESCRIPTION')[0]!.text, `DESCRIPTION names --${param.flag}`).to.not.match(new RegExp(`--${param.flag}\\b`));
        expect(section('DESCRIPTION')[0]!.text).to.not.match(/exit code \d/);
        expect(section('EXAMPLE').length, '.EXAMPLE count').to.be.at.least(2);
        expect(section('EXAMPLE').map((s) => s.text)).to.deep.equal(command.ps.examples.map((e) => `${e.code}\n\n${e.remarks}`));
        expect(section('OUTPUTS')[0]?.text.split('\n')).to.deep.equal(command.outputTypes);
        expect(section('LINK').length, '.LINK').to.be.at.least(1);
        for (const link of section('LINK')) expect(generated.has(link.text), `.LINK ${link.text}`).to.equal(true);

        const table = commandTable(fn!);
        expect(table.Id).to.equal(command.id);
        expect(table.Words).to.deep.equal(command.words);
        expect(table.ChangesState).to.equal(command.changesState);
        expect(table.HostWhatIf).to.equal(command.params.some((p) => p.flag === 'what-if'));
        const bindings = table.Parameters as Record<string, Record<string, PsValue>>;
        expect(Object.keys(bindings), 'binding table order').to.deep.equal([...params.map((p) => p.ps.name), ...configMgrOnly.map((p) => p.name)]);
        for (const extra of configMgrOnly) {
          const entry = bindings[extra.name]!;
          expect(entry.Type, `-${extra.name} binding`).to.equal(extra.handling === 'flag' ? 'string' : extra.handling);
          if (extra.handling === 'refuse') expect(entry.Reason, `-${extra.name} reason`).to.equal(extra.description);
        }
        for (const param of params) {
          const entry = bindings[param.ps.name]!;
          expect(entry.Flag, `-${param.ps.name} flag`).to.equal(param.flag);
          expect(entry.Type, `-${param.ps.name} binding`).to.equal(expectedBinding(param));
          expect(entry.Choices ?? null).to.deep.equal(param.choices ? [...param.choices] : null);
          if (param.ps.kind === 'scheduleObject') {
            expect(command.params.some((p) => p.flag === entry.NullFlag && p.type === 'switch'), 'the $null flag is a host switch').to.equal(true);
          }
        }
        const batched = params.filter((p) => p.ps.pipeline !== undefined && p.type === 'string[]').map((p) => p.ps.name);
        if (batched.length === 0 && cmdlet.batch.length > 0) expect.fail('batch parameters the spec does not make');
        expect(table.Batch === null ? [] : (table.Batch as Record<string, PsValue>).Parameters).to.deep.equal(batched);
        expect(fn!.blocks).to.deep.equal(batched.length > 0 ? ['begin', 'process', 'end'] : ['begin', 'process']);
      });
    }
  });

  it('registers an argument completer for every parameter the spec gives one, under the cmdlet and its aliases', () => {
    const registrations = callsOf(trees.get('SupSync.psm1')!)
      .filter((c) => c.name === 'Register-ArgumentCompleter')
      .map((c) => ({
        commands: asArray(literal(c.values.get('CommandName')!)),
        parameter: literal(c.values.get('ParameterName')!),
        kind: /-Kind '(\w+)'/.exec(c.values.get('ScriptBlock')!.text)?.[1],
      }));
    let expected = 0;
    for (const command of psCommands) {
      for (const param of psParams(command).filter((p) => p.ps.completer)) {
        expected++;
        for (const name of [cmdletNameOf(command), ...(command.ps.aliases ?? [])]) {
          const found = registrations.filter((r) => r.commands.includes(name) && r.parameter === param.ps.name);
          expect(found.map((r) => r.kind), `${name} -${param.ps.name}`).to.deep.equal([param.ps.completer]);
        }
      }
    }
    expect(expected).to.be.greaterThan(0);
    expect(registrations.every((r) => r.commands.every((c) => typeof c === 'string' && (generated.has(c) || psCommands.some((p) => p.ps.aliases?.includes(c)))))).to.equal(true);
  });

  it('has a manifest exporting exactly the generated and the handwritten public functions, and the real aliases', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const publicFunctions = handwritten('Public').flatMap((f) => functionsOf(trees.get(f)!).map((fn) => fn.name));
    expect(publicFunctions).to.include.members(['Register-CMSoftwareUpdateSyncTask', 'Unregister-CMSoftwareUpdateSyncTask']);
    expect(manifest.RootModule).to.equal('SupSync.psm1');
    expect(manifest.ModuleVersion).to.equal(pkg.version);
    expect(manifest.GUID).to.equal(moduleGuid);
    expect(manifest.CompatiblePSEditions).to.deep.equal(['Desktop', 'Core']);
    expect(manifest.PowerShellVersion).to.equal('5.1');
    expect(manifest.FormatsToProcess).to.deep.equal(['SupSync.Format.ps1xml']);
    expect(manifest.TypesToProcess).to.deep.equal(['SupSync.Types.ps1xml']);
    expect(asArray(manifest.FunctionsToExport)).to.have.members([...psCommands.map(cmdletNameOf), ...publicFunctions]);
    expect(asArray(manifest.FunctionsToExport)).to.have.length(psCommands.length + publicFunctions.length);
    expect(manifest.CmdletsToExport).to.deep.equal([]);
    expect(manifest.VariablesToExport).to.deep.equal([]);
    expect(asArray(manifest.AliasesToExport)).to.deep.equal(psCommands.flatMap((c) => c.ps.aliases ?? []));
    expect(asArray(manifest.AliasesToExport)).to.include('Sync-CMSoftwareUpdate');
    expect(((manifest.PrivateData as Record<string, PsValue>).PSData as Record<string, PsValue>).Tags).to.be.an('array');

    const [exported] = callsOf(trees.get('SupSync.psm1')!).filter((c) => c.name === 'Export-ModuleMember');
    expect(asArray(literal(exported!.values.get('Function')!))).to.deep.equal(manifest.FunctionsToExport);
    expect(asArray(literal(exported!.values.get('Alias')!))).to.deep.equal(asArray(manifest.AliasesToExport));
    for (const file of [manifest.RootModule, ...asArray(manifest.FormatsToProcess)]) expect(fs.existsSync(path.join(moduleDir, String(file))), String(file)).to.equal(true);
  });

  it('dot-sources every handwritten file, and defines every function the generated code and completers call', () => {
    const psm1 = trees.get('SupSync.psm1')!;
    const sourced = psm1
      .descendantsOfType('string_literal')
      .filter((s) => s.namedChildren[0]?.type === 'verbatim_string_characters')
      .map((s) => String(literal(s)))
      .filter((s) => /^(Private|Public)\//.test(s));
    expect(sourced).to.deep.equal([...handwritten('Private'), ...handwritten('Public')]);
    const defined = new Set(moduleFunctions.map((f) => f.name.toLowerCase()));
    const called = [...trees.values()].flatMap(callsOf).filter((c) => /-SupSync|-CMSoftwareUpdate|-CMSite/.test(c.name));
    for (const call of called) expect(defined.has(call.name.toLowerCase()), `${call.name} is defined`).to.equal(true);
    expect(called.map((c) => c.name)).to.include.members(['Invoke-SupSyncCommand', 'Complete-SupSyncBatch', 'Complete-SupSyncArgument', 'Invoke-SupSyncHost']);
  });

  it('calls the module\'s own functions only with parameters they declare, passing the mandatory ones', () => {
    const byName = new Map(moduleFunctions.map((f) => [f.name.toLowerCase(), f]));
    let checked = 0;
    for (const [file, root] of trees) {
      for (const call of callsOf(root)) {
        const fn = byName.get(call.name.toLowerCase());
        if (!fn) continue;
        checked++;
        const declared = new Map<string, (typeof fn.parameters)[number]>();
        for (const p of fn.parameters) for (const n of [p.name, ...attributeNamed(p.attributes, 'Alias').flatMap((a) => a.positional.map(String))]) declared.set(n.toLowerCase(), p);
        const shouldProcess = named(attributeNamed(fn.attributes, 'CmdletBinding')[0] ?? { name: '', positional: [], named: {} }, 'SupportsShouldProcess') === true;
        for (const given of call.parameters) {
          const key = given.toLowerCase();
          const ok = declared.has(key) || common.has(key) || (shouldProcess && (key === 'whatif' || key === 'confirm'));
          expect(ok, `${file}: ${call.name} -${given}`).to.equal(true);
        }
        const mandatory = fn.parameters.filter((p) => attributeNamed(p.attributes, 'Parameter').some((a) => named(a, 'Mandatory') === true && named(a, 'ParameterSetName') === undefined));
        if (call.positional.length === 0 && !isPipelineTarget(call.node)) {
          for (const p of mandatory) expect(call.parameters.map((g) => g.toLowerCase()), `${file}: ${call.name} gets -${p.name}`).to.include(p.name.toLowerCase());
        }
      }
    }
    expect(checked).to.be.greaterThan(20);
  });

  it('uses, in the handwritten functions, only variables that are parameters, assigned, loop variables, automatic, or module-scoped and assigned', () => {
    const automatic = new Set(['$_', '$true', '$false', '$null', '$psboundparameters', '$pscmdlet', '$myinvocation', '$matches', '$psversiontable', '$psscriptroot', '$whatifpreference', '$verbosepreference']);
    const scriptAssigned = new Set(
      [...trees.values()].flatMap((root) => root.descendantsOfType('left_assignment_expression').flatMap((l) => l.descendantsOfType('variable').map((v) => v.text.toLowerCase()))).filter((v) => v.startsWith('$script:')),
    );
    for (const file of [...handwritten('Private'), ...handwritten('Public')]) {
      for (const fn of functionsOf(trees.get(file)!)) {
        const known = new Set<string>();
        for (const p of fn.node.descendantsOfType('script_parameter')) known.add(p.namedChildren.find((c) => c.type === 'variable')!.text.toLowerCase());
        for (const l of fn.node.descendantsOfType('left_assignment_expression')) for (const v of l.descendantsOfType('variable')) known.add(v.text.toLowerCase());
        for (const f of fn.node.descendantsOfType('foreach_statement')) known.add(f.namedChildren.find((c) => c.type === 'variable')!.text.toLowerCase());
        for (const variable of fn.node.descendantsOfType('variable')) {
          const name = variable.text.toLowerCase().replace(/^@/, '$'); // @name splats $name
          if (name.startsWith('$env:') || automatic.has(name) || known.has(name)) continue;
          if (name.startsWith('$script:')) {
            expect(scriptAssigned.has(name), `${file}: ${fn.name} reads ${variable.text}, which the module assigns`).to.equal(true);
            continue;
          }
          expect.fail(`${file}: ${fn.name} reads ${variable.text}, which it never assigns`);
        }
      }
    }
  });

  it('has help examples that call each cmdlet with parameters it has', () => {
    const byName = new Map<string, PsFunction>();
    for (const fn of moduleFunctions) byName.set(fn.name.toLowerCase(), fn);
    for (const command of psCommands) for (const alias of command.ps.aliases ?? []) byName.set(alias.toLowerCase(), generated.get(cmdletNameOf(command))!);
    let checked = 0;
    for (const fn of moduleFunctions.filter((f) => f.help)) {
      for (const example of helpSections(fn.help!).filter((s) => s.keyword === 'EXAMPLE')) {
        // Not checked for syntax errors: the grammar does not know bare-word lists (Select-Object Title, Id); the calls still parse.
        const root = parsePowerShell(parser, example.text.split('\n\n')[0]!);
        for (const call of callsOf(root)) {
          const target = byName.get(call.name.toLowerCase());
          if (!target) continue;
          checked++;
          const names = new Set(target.parameters.flatMap((p) => [p.name, ...attributeNamed(p.attributes, 'Alias').flatMap((a) => a.positional.map(String))]).map((n) => n.toLowerCase()));
          for (const given of call.parameters) expect(names.has(given.toLowerCase()) || common.has(given.toLowerCase()) || ['whatif', 'confirm'].includes(given.toLowerCase()), `${fn.name} example: ${call.name} -${given}`).to.equal(true);
        }
      }
    }
    expect(checked).to.be.at.least(psCommands.length);
  });

  it('has a well-formed SupSync.Format.ps1xml with a table view for each record type an admin reads as a table', () => {
    const xml = read('SupSync.Format.ps1xml');
    expect(XMLValidator.validate(xml)).to.equal(true);
    const parsed = new XMLParser({ isArray: (name) => ['View', 'TableColumnHeader', 'TableColumnItem'].includes(name) }).parse(xml) as {
      Configuration: { ViewDefinitions: { View: { Name: string; ViewSelectedBy: { TypeName: string }; TableControl: { TableHeaders: { TableColumnHeader: { Label: string }[] }; TableRowEntries: { TableRowEntry: { TableColumnItems: { TableColumnItem: { PropertyName?: string; ScriptBlock?: string }[] } } } } }[] } };
    };
    const views = parsed.Configuration.ViewDefinitions.View;
    const required = ['SupSync.SyncStatus', 'SupSync.Update', 'SupSync.SyncRun', 'SupSync.SyncResult', 'SupSync.Site', 'SupSync.Category', 'SupSync.CatalogImportResult'];
    expect(views.map((v) => v.ViewSelectedBy.TypeName)).to.include.members(required);
    const outputTypes = new Set(commandSpec.flatMap((c) => c.outputTypes));
    for (const view of views) {
      expect(outputTypes.has(view.ViewSelectedBy.TypeName) || view.ViewSelectedBy.TypeName === 'SupSync.CatalogImportPlan', `${view.Name} is a type some command writes`).to.equal(true);
      const headers = view.TableControl.TableHeaders.TableColumnHeader;
      const items = view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem;
      expect(headers.length, view.Name).to.equal(items.length);
      // A formatted column's script block starts from its property: $v = $_.'Name'.
      expect(items.map((i) => i.PropertyName ?? /^\$v = \$_\.'([^']+)'/.exec(i.ScriptBlock ?? '')?.[1])).to.deep.equal(tableViews[view.Name]!.map((c) => c.property));
    }
  });
});

/** A call that receives pipeline input gets its mandatory values from there. */
function isPipelineTarget(command: Node): boolean {
  const pipeline = command.parent;
  return pipeline !== null && pipeline.type === 'pipeline_chain' ? pipeline.namedChildren.findIndex((c) => c.id === command.id) > 0 : false;
}

describe('PowerShell module: the generator', () => {
  it('generates the same bytes every time, and the module files in the repository are that generation', () => {
    const first = tempDir('supsync-module-');
    const second = tempDir('supsync-module-');
    const names = writeModule(repoRoot, first).map((f) => path.basename(f));
    writeModule(repoRoot, second);
    expect(names).to.have.members(['SupSync.psd1', 'SupSync.psm1', 'SupSync.Format.ps1xml', 'SupSync.Types.ps1xml']);
    for (const name of names) {
      const bytes = fs.readFileSync(path.join(first, name));
      expect(bytes.equals(fs.readFileSync(path.join(second, name))), name).to.equal(true);
      expect(bytes.equals(fs.readFileSync(path.join(moduleDir, name))), `module/${name} is stale: run npm run build`).to.equal(true);
    }
  });

  const valid: CommandSpec = {
    id: 'thing.get',
    words: ['thing', 'get'],
    summary: 'Gets a thing.',
    description: 'Gets the thing.',
    changesState: false,
    outputTypes: ['SupSync.Thing'],
    params: [{ flag: 'site', type: 'string', description: 'The site.', ps: { name: 'SiteCode' } }],
    ps: { verb: 'Get', noun: 'Thing', examples: [{ code: 'Get-Thing', remarks: 'Gets it.' }] },
  };
  const generate = (command: CommandSpec, extra: CommandSpec[] = []) => generateModule({ ...readGeneratorInput(repoRoot), commands: [command, ...extra] });
  const withParam = (param: ParamSpec): CommandSpec => ({ ...valid, params: [...valid.params, param] });

  it('generates a module from a minimal valid spec', () => {
    const files = generate(valid);
    expect(files.get('SupSync.psm1')).to.include('function Get-Thing {');
  });

  const refused: [string, CommandSpec, CommandSpec[], RegExp][] = [
    ['an unapproved verb', { ...valid, ps: { ...(valid.ps as PowerShellCommand), verb: 'Fetch' } }, [], /not an approved PowerShell verb/],
    ['a common parameter name', withParam({ flag: 'verbose-x', type: 'switch', description: 'x', ps: { name: 'Verbose' } }), [], /common parameter/],
    ['a common parameter alias', withParam({ flag: 'x', type: 'string', description: 'x', ps: { name: 'X', aliases: ['ea'] } }), [], /common parameter/],
    ['a parameter name used twice', withParam({ flag: 'other', type: 'string', description: 'x', ps: { name: 'Other', aliases: ['SiteCode'] } }), [], /used twice/],
    ['--what-if with a PowerShell face', { ...withParam({ flag: 'what-if', type: 'switch', description: 'x', ps: { name: 'Preview' } }), changesState: true }, [], /ps: false/],
    ['a schedule object without --no-schedule', withParam({ flag: 'schedule-string', type: 'string', description: 'x', ps: { name: 'Schedule', kind: 'scheduleObject' } }), [], /no-schedule/],
    [
      'two parameters at one position',
      { ...valid, params: [{ ...valid.params[0]!, ps: { name: 'SiteCode', position: 0 } }, { flag: 'other', type: 'string', description: 'x', ps: { name: 'Other', position: 0 } }] },
      [],
      /share a position/,
    ],
    ['help text that ends the help block', { ...valid, description: 'Text with #> inside.' }, [], /#>/],
    ['a help line that PowerShell reads as a keyword', { ...valid, description: 'First line.\n.NET is not a keyword.' }, [], /start with '\.'/],
    ['a default parameter set without parameters', { ...valid, ps: { ...(valid.ps as PowerShellCommand), defaultParameterSet: 'Nowhere' } }, [], /default parameter set/],
    ['two commands with one name', valid, [{ ...valid, id: 'thing.get2' }], /already used/],
  ];
  for (const [what, command, extra, message] of refused) {
    it(`refuses ${what}, naming the command`, () => {
      expect(() => generate(command, extra)).to.throw(ModuleSpecError, message);
    });
  }
});

/**
 * Runs the host the way the module does: the arguments as base64 of a UTF-8 JSON array in SUPSYNC_ARGV, the home in
 * SUPSYNC_HOME (asking for --output=json, which a test reads, where the module asks for clixml). In this process: the
 * real process is what the cmdlets below start, with hostile values too.
 */
async function runLikeModule(home: string, args: string[]): Promise<{ code: number | null; records: Record<string, unknown>[]; stderr: string }> {
  const argv = Buffer.from(JSON.stringify(['--output=json', ...args]), 'utf8').toString('base64');
  const { code, records, stderr } = await runInProcess(home, ['--argv-env', 'SUPSYNC_ARGV'], { asGiven: true, env: { SUPSYNC_HOME: home, SUPSYNC_ARGV: argv } });
  return { code, records, stderr };
}

/**
 * The module's mapping of bound parameters to host arguments (ConvertTo-SupSyncArgument),
 * restated: --flag=value, one per list item, true|false, switches bare, the schedule's null flag.
 */
function moduleArguments(cmdlet: Cmdlet, bound: Record<string, unknown>): string[] {
  const args = [...cmdlet.command.words];
  for (const parameter of cmdlet.parameters) {
    if (!(parameter.name in bound)) continue;
    const value = bound[parameter.name];
    const { flag, type, nullFlag } = parameter.binding;
    if (type === 'switch') args.push(`--${flag}`);
    else if (type === 'boolean') args.push(`--${flag}=${value ? 'true' : 'false'}`);
    else if (type === 'string[]') for (const item of value as string[]) args.push(`--${flag}=${item}`);
    else if (type === 'schedule' && value === null) args.push(`--${nullFlag}`);
    else args.push(`--${flag}=${String(value)}`);
  }
  return args;
}

describe('PowerShell module: the argument contract with the host', () => {
  const all = cmdlets(commandSpec);
  const cmdlet = (name: string) => all.find((c) => c.name === name)!;
  let home: string;

  before(async () => {
    home = tempDir();
    expect((await runLikeModule(home, moduleArguments(cmdlet('New-CMSite'), { SiteCode: 'CS1', Role: 'central' }))).code).to.equal(0);
  });

  const hostile = [
    `a"b $(x); ü`,
    `'single' "double" \`backtick\` $env:PATH %PATH% !x ^y`,
    '-leading-dash --site=ZZ9',
    'semi;colon & amp | pipe > out < in',
    '日本語 Ελληνικά עברית 🙂',
    'trailing backslash \\',
    '\\\\server\\share\\"quoted"\\',
    'new\nline\ttab',
  ];
  for (const value of hostile) {
    it(`carries ${JSON.stringify(value)} to the host intact`, async () => {
      const set = await runLikeModule(home, moduleArguments(cmdlet('Set-CMSoftwareUpdatePointComponent'), { SiteCode: 'CS1', ProxyUrl: 'http://proxy.contoso.com:8080', ProxyUserName: value, PassThru: true }));
      expect(set.code, set.stderr).to.equal(0);
      const get = await runLikeModule(home, moduleArguments(cmdlet('Get-CMSoftwareUpdatePointComponent'), { SiteCode: 'CS1' }));
      expect(get.records[0]!.ProxyUserName).to.equal(value);
    });
  }

  it('accepts every value shape the bindings produce: booleans, numbers, lists, secrets, switches, a schedule string and the schedule\'s $null', async () => {
    const set = cmdlet('Set-CMSoftwareUpdatePointComponent');
    const first = await runLikeModule(
      home,
      moduleArguments(set, {
        SiteCode: 'CS1',
        ImmediatelyExpireSupersedence: false,
        WaitMonth: 2,
        EnableSyncFailureAlert: true,
        AddLanguage: ['de', 'fr'],
        ProxyUrl: 'http://proxy.contoso.com:8080',
        ProxyPassword: 'p@ss "w0rd" $(x)',
        Schedule: '0001200000100038',
        PassThru: true,
      }),
    );
    expect(first.code, first.stderr).to.equal(0);
    expect(first.records[0]).to.include({ ImmediatelyExpireSupersedence: false, WaitMonth: 2, EnableSyncFailureAlert: true, ScheduleString: '0001200000100038', ProxyHasPassword: true });
    expect(first.records[0]!.LanguageUpdateFiles).to.include.members(['de', 'fr']);
    const control = JSON.parse(fs.readFileSync(path.join(home, 'sites', 'CS1', 'site.json'), 'utf8')) as { sup: { proxy: { password: string } } };
    expect(control.sup.proxy.password).to.equal('p@ss "w0rd" $(x)');
    const off = await runLikeModule(home, moduleArguments(set, { SiteCode: 'CS1', Schedule: null, NoProxy: true, PassThru: true }));
    expect(off.code, off.stderr).to.equal(0);
    expect(off.records[0]).to.include({ ScheduleString: null, ProxyUrl: null });
  });

  it('answers -WhatIf with the plan: "What if:" lines on stderr and plan records, changing nothing', async () => {
    const result = await runLikeModule(home, [...moduleArguments(cmdlet('Set-CMSoftwareUpdatePointComponent'), { SiteCode: 'CS1', WaitMonth: 5 }), '--what-if']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.match(/^What if: CS1 /m);
    expect(result.records.map((r) => r.type)).to.deep.equal(['SupSync.SupChangePlan']);
    expect((await runLikeModule(home, ['sup', 'get', '--site=CS1'])).records[0]!.WaitMonth).to.equal(2);
  });

  it('ends a failure with one SupSync.Error record carrying the code, ErrorCategory, target and exit code the module maps', async () => {
    const result = await runLikeModule(home, moduleArguments(cmdlet('Get-CMSoftwareUpdatePointComponent'), { SiteCode: 'ZZ9' }));
    expect(result.code).to.equal(3);
    expect(result.records).to.have.length(1);
    expect(result.records[0]).to.include({ type: 'SupSync.Error', code: 'SiteNotFound', category: 'ObjectNotFound', exitCode: 3 });
  });

  it('answers the completers\' host calls with the properties they read', async () => {
    const sites = await runLikeModule(home, ['site', 'list']);
    expect(sites.records[0]).to.include.keys('SiteCode', 'Role', 'TopLevel');
    for (const kind of ['product', 'classification']) {
      const categories = await runLikeModule(home, ['category', 'list', '--site=CS1', `--type=${kind}`]);
      expect(categories.code, categories.stderr).to.equal(0);
    }
  });
});

describe('PowerShell module: table views against real host records', () => {
  const records = new Map<string, Record<string, unknown>[]>();
  let serve: ChildProcess | undefined;

  before(async function () {
    this.timeout(120_000);
    const home = tempDir();
    const catalogHome = tempDir();
    // The records come from command lines run in this process (the argument contract above runs the host as the module does).
    const host = (where: string, args: string[]) => runInProcess(where, args);
    const keep = (result: { code: number; records: Record<string, unknown>[]; stderr: string }) => {
      expect(result.code, result.stderr).to.be.oneOf([0, 7]);
      for (const record of result.records) records.set(String(record.type), [...(records.get(String(record.type)) ?? []), record]);
      return result;
    };
    const corpus = async (where: string, seed: string) => {
      const file = path.join(where, 'corpus.pkg.gz');
      expect((await host(where, ['corpus', 'generate', '--updates=25', `--seed=${seed}`, `--out=${file}`])).code).to.equal(0);
      return file;
    };
    keep(await host(home, ['site', 'add', '--code=CS1', '--role=central']));
    keep(await host(home, ['site', 'add', '--code=PS1', '--role=primary', '--parent=CS1', '--what-if']));
    keep(await host(home, ['sup', 'set', '--site=CS1', '--sync-source=none']));
    keep(await host(home, ['metadata', 'import', '--site=CS1', `--path=${await corpus(home, 'views')}`]));
    keep(await host(home, ['sync', '--site=CS1']));
    keep(await host(home, ['sync', '--site=CS1', '--what-if']));
    // A child plans per product and classification what it would fetch from its parent.
    keep(await host(home, ['site', 'add', '--code=PS2', '--role=primary', '--parent=CS1']));
    keep(await host(home, ['sync', '--site=PS2', '--what-if']));
    for (const args of [['status'], ['sync', 'history', '--site=CS1'], ['update', 'list', '--site=CS1', '--limit=3'], ['category', 'list', '--site=CS1'], ['schedule', 'new', '--recur-interval=days', '--recur-count=7']]) keep(await host(home, args));
    // An alert: a site whose upstream refuses connections fails its sync with the failure alert on.
    keep(await host(home, ['alert', 'subscribe', '--name=ops', '--email-address=ops@test.example']));
    keep(await host(home, ['site', 'add', '--code=PS3', '--role=primary', '--stand-alone']));
    keep(await host(home, ['sup', 'set', '--site=PS3', '--sync-source=upstream', '--upstream-url=http://127.0.0.1:9', '--enable-sync-failure-alert=true']));
    // The development entry's sync without transport retries: a refused connection fails at once, not after 7.5 s of backoff.
    expect((await runInProcess(home, ['sync', '--site=PS3', '--retry-limit=0'], { entry: devCliPath })).code).to.not.equal(0);
    keep(await host(home, ['alert', 'list']));

    // The catalog stand-in is served by the development entry point (src/dev/main.ts).
    expect((await host(catalogHome, ['site', 'add', '--code=CAT', '--role=central'])).code).to.equal(0);
    expect((await host(catalogHome, ['sup', 'set', '--site=CAT', '--sync-source=none'])).code).to.equal(0);
    expect((await host(catalogHome, ['metadata', 'import', '--site=CAT', `--path=${await corpus(catalogHome, 'catalog')}`])).code).to.equal(0);
    const ids = (await host(catalogHome, ['update', 'list', '--site=CAT', '--limit=2'])).records.map((r) => String(r.UpdateId));
    const url = await new Promise<string>((resolve, reject) => {
      serve = spawn(process.execPath, [devCliPath, '--home', catalogHome, '--output', 'json', 'catalog', 'serve', '--site', 'CAT'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      serve.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(String((JSON.parse(out.split('\n')[0]!) as { Url: string }).Url));
      });
      serve.on('error', reject);
      serve.on('exit', (code) => reject(new Error(`catalog serve exited with ${code}`)));
    });
    const importArgs = ['catalog', 'import', '--site=CS1', '--metadata-only', `--catalog-url=${url}`, ...ids.map((id) => `--update-id=${id}`), '--update-id=not-a-guid'];
    keep(await host(home, [...importArgs, '--what-if']));
    keep(await host(home, importArgs));
  });

  after(() => {
    if (serve?.pid !== undefined && serve.exitCode === null) serve.kill();
  });

  for (const [type, columns] of Object.entries(tableViews)) {
    it(`${type}: every column is a property of the host's records`, function () {
      const written = records.get(type);
      if (!written) {
        expect.fail(`the host wrote no ${type} record in this test's hierarchy`);
      }
      for (const column of columns) expect(written![0], `${type}.${column.property}`).to.have.property(column.property);
    });
  }
});

/**
 * The module run for real in PowerShell 7 through node-powershell, against a temporary hierarchy.
 * Data reaches PowerShell only through the environment of the pwsh process (node-powershell's
 * templates would run `$(…)` inside values), and each script runs from a file.
 */
describe('PowerShell module: cmdlets run in pwsh', function () {
  this.timeout(180_000);
  const nasty = `a"b $(Get-Date) ; ü 日本 \`n -x 'q'`;
  let shell: { invoke(command: string): Promise<{ raw: string }>; dispose(): Promise<void> } | undefined;
  let scripts: string;
  let work: string;
  let home: string;

  before(async function () {
    const pwsh = requirePwsh(this, 'the SupSync module (its files were parsed and checked above)');
    home = tempDir();
    work = tempDir();
    scripts = tempDir('supsync-pwsh-');
    expect((await runLikeModule(home, ['corpus', 'generate', '--updates=30', `--out=${path.join(work, 'corpus.pkg.gz')}`])).code).to.equal(0);
    const fake = path.join(work, 'old-node');
    fs.writeFileSync(fake, '#!/bin/sh\necho v18.0.0\n', { mode: 0o755 });
    const { PowerShell } = await import('node-powershell');
    shell = new PowerShell({
      executable: pwsh,
      throwOnInvocationError: false,
      executableOptions: { '-NoProfile': true },
      spawnOptions: {
        env: {
          ...process.env,
          ...pwshRuntimeEnv,
          SUPSYNC_HOME: home,
          SUPSYNC_NODE: process.execPath,
          SUPSYNC_TEST_MODULE: path.join(moduleDir, 'SupSync.psd1'),
          SUPSYNC_TEST_WORK: work,
          SUPSYNC_TEST_NASTY: nasty,
          SUPSYNC_TEST_OLD_NODE: process.platform === 'win32' ? '' : fake,
        },
      },
    });
    // The whole suite under strict mode: in the module's own scope (its functions' parent) and in each script.
    const loaded = await run(`Import-Module $env:SUPSYNC_TEST_MODULE -Force\n. (Get-Module SupSync) { Set-StrictMode -Version Latest }\n$result = @((Get-Module SupSync).ExportedFunctions.Keys)`);
    expect(loaded.result).to.be.an('array').that.is.not.empty;
  });

  after(async () => {
    await shell?.dispose();
  });

  let counter = 0;
  /** Runs a script (from a file: the path has no quote) and returns its $result as JSON, and everything it printed. */
  async function run(body: string): Promise<{ result: any; raw: string }> {
    const file = path.join(scripts, `script-${++counter}.ps1`);
    expect(file).to.match(/^[^'"`$]+$/);
    fs.writeFileSync(file, `Set-StrictMode -Version Latest\n$ErrorActionPreference = 'Stop'\n$result = $null\n${body}\n'@@RESULT@@' + (ConvertTo-Json -InputObject $result -Depth 8 -Compress)\n`, 'utf8');
    const { raw } = await shell!.invoke(`& '${file}'`);
    // The console may put terminal mode sequences before the line, so the marker is looked for anywhere in it.
    const line = raw.split('\n').find((l) => l.includes('@@RESULT@@'));
    if (!line) throw new Error(`the script printed no result:\n${raw}`);
    return { result: JSON.parse(line.slice(line.indexOf('@@RESULT@@') + '@@RESULT@@'.length).trim()), raw };
  }

  it('exports the generated and handwritten functions and the aliases, with help', async () => {
    const { result } = await run(`
$module = Get-Module SupSync
$result = @{
  Functions = @($module.ExportedFunctions.Keys)
  Aliases = @($module.ExportedAliases.Keys)
  SyncAlias = (Get-Alias Sync-CMSoftwareUpdate).ResolvedCommandName
  Examples = @((Get-Help Set-CMSoftwareUpdatePointComponent -Examples).examples.example).Count
  WaitMonth = @((Get-Help Set-CMSoftwareUpdatePointComponent -Parameter WaitMonth).description | ForEach-Object { $_.Text }) -join ' '
}`);
    const publicFunctions = handwritten('Public').flatMap((f) => [...read(f).matchAll(/^function ([A-Za-z]+-[A-Za-z]+)/gm)].map((m) => m[1]!));
    expect(result.Functions).to.have.members([...psCommands.map(cmdletNameOf), ...publicFunctions]);
    expect(result.Aliases).to.have.members(psCommands.flatMap((c) => c.ps.aliases ?? []));
    expect(result.SyncAlias).to.equal('Invoke-CMSoftwareUpdateSync');
    expect(result.Examples).to.be.at.least(2);
    expect(result.WaitMonth).to.include('Months to wait');
  });

  it('creates sites, maps ValidateSet values to the host\'s spelling, and types the records for the table view', async () => {
    const { result } = await run(`
$cs1 = New-CMSite -SiteCode cs1 -Role Central -ServerName 'cs1.contoso.com' -Confirm:$false
$null = New-CMSite -SiteCode PS1 -Role PRIMARY -ParentSiteCode CS1
$sites = @(Get-CMSite)
$result = @{
  TypeName = $cs1.PSObject.TypeNames[0]
  HasTypeProperty = $null -ne $cs1.PSObject.Properties['type']
  Codes = @($sites | ForEach-Object { $_.SiteCode })
  Roles = @($sites | ForEach-Object { $_.Role })
  Table = (Get-CMSite | Format-Table | Out-String)
}`);
    expect(result.TypeName).to.equal('SupSync.Site');
    expect(result.HasTypeProperty).to.equal(false);
    expect(result.Codes).to.deep.equal(['CS1', 'PS1']);
    expect(result.Roles).to.deep.equal(['central', 'primary']);
    expect(result.Table).to.match(/SiteCode\s+Role\s+Parent\s+TopLevel/);
  });

  it('answers -WhatIf with the host\'s plan and changes nothing', async () => {
    const { result, raw } = await run(`
$plan = New-CMSite -SiteCode PS2 -Role primary -ParentSiteCode CS1 -WhatIf
$before = (Get-CMSoftwareUpdatePointComponent -SiteCode CS1).WaitMonth
$change = Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -WaitMonth 7 -WhatIf
$result = @{
  PlanType = $plan.PSObject.TypeNames[0]
  Created = @(Get-CMSite | Where-Object { $_.SiteCode -eq 'PS2' }).Count
  ChangeType = $change.PSObject.TypeNames[0]
  Before = $before
  After = (Get-CMSoftwareUpdatePointComponent -SiteCode CS1).WaitMonth
}`);
    expect(raw).to.match(/What if: would create site PS2/);
    expect(raw).to.match(/What if: CS1 /);
    expect(result).to.deep.include({ PlanType: 'SupSync.SitePlan', Created: 0, ChangeType: 'SupSync.SupChangePlan' });
    expect(result.Before).to.be.a('number');
    expect(result.After).to.equal(result.Before);
  });

  it('carries hostile values intact and a SecureString password, and returns the settings with -PassThru', async () => {
    const { result } = await run(`
$secure = ConvertTo-SecureString -String 'p@ss "w0rd" $(x)' -AsPlainText -Force
$set = Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -ProxyUrl 'http://proxy.contoso.com:8080' -ProxyUserName $env:SUPSYNC_TEST_NASTY -ProxyPassword $secure -EnableSyncFailureAlert $true -ImmediatelyExpireSupersedence $false -WaitMonth 2 -AddLanguage de, fr -PassThru
$get = Get-CMSoftwareUpdatePointComponent -SiteCode CS1
$result = @{ PassThruType = $set.PSObject.TypeNames[0]; UserName = $get.ProxyUserName; HasPassword = $get.ProxyHasPassword; Alert = $get.EnableSyncFailureAlert; Wait = $get.WaitMonth; Languages = @($get.LanguageUpdateFiles) }`);
    expect(result).to.deep.include({ PassThruType: 'SupSync.SupComponent', UserName: nasty, HasPassword: true, Alert: true, Wait: 2 });
    expect(result.Languages).to.include.members(['de', 'fr']);
    const control = JSON.parse(fs.readFileSync(path.join(home, 'sites', 'CS1', 'site.json'), 'utf8')) as { sup: { proxy: { password: string } } };
    expect(control.sup.proxy.password).to.equal('p@ss "w0rd" $(x)');
  });

  it('takes a schedule object, a schedule string, and $null for -Schedule', async () => {
    const { result } = await run(`
$schedule = New-CMSoftwareUpdateSyncSchedule -DayOfWeek Sunday -RecurCount 1 -Start '2026-11-29T02:00'
$on = Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule $schedule -PassThru
$off = Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule $null -PassThru
$text = Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule $schedule.ScheduleString -PassThru
$result = @{ Made = $schedule.ScheduleString; Type = $schedule.PSObject.TypeNames[0]; On = $on.ScheduleString; Off = $off.ScheduleString; Text = $text.ScheduleString }`);
    expect(result.Type).to.equal('SupSync.Schedule');
    expect(result.Made).to.match(/^[0-9A-F]{16}$/);
    expect(result).to.deep.include({ On: result.Made, Off: null, Text: result.Made });
  });

  it('turns the host\'s failure into a terminating error with its code and category, and per-item failures into non-terminating ones', async () => {
    const { result } = await run(`
$caught = $null
try { Get-CMSoftwareUpdatePointComponent -SiteCode ZZ9 } catch { $caught = $_ }
$rows = @([pscustomobject]@{ SiteCode = 'CS1' }, [pscustomobject]@{ SiteCode = 'ZZ9' }, [pscustomobject]@{ SiteCode = 'PS1' })
$found = @($rows | Get-CMSoftwareUpdatePointComponent -ErrorAction SilentlyContinue -ErrorVariable problems)
$result = @{
  Id = $caught.FullyQualifiedErrorId
  Category = [string]$caught.CategoryInfo.Category
  Target = [string]$caught.TargetObject
  ExitCode = $caught.Exception.Data['ExitCode']
  Found = @($found | ForEach-Object { $_.SiteCode })
  Errors = @($problems | ForEach-Object { $_.FullyQualifiedErrorId })
}`);
    expect(result.Id).to.match(/^SiteNotFound(,|$)/);
    expect(result.Category).to.equal('ObjectNotFound');
    expect(result.ExitCode).to.equal(3);
    expect(result.Found).to.deep.equal(['CS1', 'PS1']);
    expect(result.Errors).to.have.length(1);
    expect(result.Errors[0]).to.match(/^SiteNotFound/);
  });

  it('never lets a value run as code: injection attempts are plain (refused) values', async () => {
    const { result } = await run(`
Set-Location $env:SUPSYNC_TEST_WORK
$ids = @()
foreach ($attempt in @('$(New-Item -ItemType File injected-1)', 'x"; New-Item -ItemType File injected-2; "', "x'; New-Item -ItemType File injected-3; '", 'x & echo injected-4 > injected-4', 'x; touch injected-5')) {
  try { New-CMSite -SiteCode AB1 -Role primary -ParentSiteCode CS1 -ServerName $attempt } catch { $ids += $_.FullyQualifiedErrorId }
}
$result = @{ Ids = $ids; Files = @(Get-ChildItem -Name -Filter 'injected*') }`);
    expect(result.Ids).to.have.length(5);
    for (const id of result.Ids) expect(id).to.match(/^InvalidServerName/);
    expect(result.Files).to.deep.equal([]);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('injected'))).to.deep.equal([]);
  });

  it('imports metadata from a relative path, then reads updates, categories, status and history as typed records', async () => {
    const { result } = await run(`
Set-Location $env:SUPSYNC_TEST_WORK
$null = New-CMSite -SiteCode DS1 -Role primary -StandAlone
Set-CMSoftwareUpdatePointComponent -SiteCode DS1 -SynchronizeAction DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource
$imported = Import-CMSoftwareUpdateMetadata -SiteCode DS1 -Path ./corpus.pkg.gz -Confirm:$false
$updates = @(Get-CMSoftwareUpdate -SiteCode DS1 -First 5)
$first = @(Get-CMSoftwareUpdate -SiteCode DS1 | Select-Object -First 1)
$result = @{
  Imported = $imported.State
  Updates = @($updates | ForEach-Object { $_.PSObject.TypeNames[0] })
  First = $first.Count
  Classifications = @(Get-CMSoftwareUpdateCategory -SiteCode DS1 -CategoryType Classification | ForEach-Object { $_.CategoryType } | Select-Object -Unique)
  Status = (Get-CMSoftwareUpdateSyncStatus -SiteCode DS1).LastSyncState
  History = @(Get-CMSoftwareUpdateSyncHistory -SiteCode DS1 | ForEach-Object { $_.PSObject.TypeNames[0] })
  Synced = (Sync-CMSoftwareUpdate -SiteCode DS1 -Confirm:$false).PSObject.TypeNames[0]
  UpdateTable = (Get-CMSoftwareUpdate -SiteCode DS1 -First 2 | Format-Table | Out-String)
}`);
    expect(result.Imported).to.equal('Succeeded');
    expect(result.Updates).to.deep.equal(Array(5).fill('SupSync.Update'));
    expect(result.First).to.equal(1);
    expect(result.Classifications).to.deep.equal(['UpdateClassification']);
    expect(result.Status).to.equal(6702);
    expect(result.History).to.deep.equal(['SupSync.SyncRun']);
    expect(result.Synced).to.equal('SupSync.SyncResult');
    expect(result.UpdateTable).to.match(/KB\s+Title/);
  });

  it('shows the sync plan for Invoke-CMSoftwareUpdateSync -WhatIf', async () => {
    const { result, raw } = await run(`
$plan = @(Invoke-CMSoftwareUpdateSync -SiteCode DS1 -WhatIf)
$result = @{ Types = @($plan | ForEach-Object { $_.PSObject.TypeNames[0] }) }`);
    expect(raw).to.match(/What if: DS1 would fetch/);
    expect(result.Types).to.include('SupSync.SyncPlanSummary');
  });

  it('writes a queued sync request (exit code 10) as its Queued result, with no error', async () => {
    // A live sync holding DS1: a process standing in for it, its start time in the lock as a holder writes it.
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    await new Promise((resolve) => holder.once('spawn', resolve));
    const lock = path.join(home, 'sites', 'DS1', 'sync.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: holder.pid, start: processStartTime(holder.pid!), operation: 'sync', since: new Date().toISOString(), runId: 77 }));
    try {
      const { result } = await run(`
$ErrorActionPreference = 'Stop'
$queued = Sync-CMSoftwareUpdate -SiteCode DS1 -Confirm:$false -ErrorVariable problems
$result = @{ State = $queued.State; Behind = $queued.QueuedBehindRun; Errors = @($problems).Count; Succeeded = $? }`);
      expect(result).to.deep.include({ State: 'Queued', Behind: 77, Errors: 0, Succeeded: true });
    } finally {
      fs.rmSync(lock, { force: true });
      holder.kill();
      // The request would otherwise run with the next sync of DS1 that a later test asks for.
      withSiteStore(path.join(home, 'sites', 'DS1', 'site.db'), (store) => store.state.takeQueuedRequest());
    }
  });

  it('says which Node.js it needs when node is missing or too old', async function () {
    const { result } = await run(`
$saved = $env:SUPSYNC_NODE
$ids = @()
try {
  $env:SUPSYNC_NODE = Join-Path $env:SUPSYNC_TEST_WORK 'no-such-node'
  try { Get-CMSite } catch { $ids += $_.FullyQualifiedErrorId; $message = $_.Exception.Message }
  if ($env:SUPSYNC_TEST_OLD_NODE) {
    $env:SUPSYNC_NODE = $env:SUPSYNC_TEST_OLD_NODE
    try { Get-CMSite } catch { $ids += $_.FullyQualifiedErrorId }
  }
} finally { $env:SUPSYNC_NODE = $saved }
$result = @{ Ids = $ids; Message = $message; After = @(Get-CMSite).Count }`);
    expect(result.Ids[0]).to.match(/^NodeNotFound/);
    expect(result.Message).to.include('20.19');
    if (process.platform !== 'win32') expect(result.Ids[1]).to.match(/^NodeTooOld/);
    expect(result.After).to.be.greaterThan(0);
  });
});
