/**
 * The PowerShell face of each spec command, worked out once and checked: names, types, parameter
 * attributes, and the binding table that tells the module's runtime how a bound parameter becomes
 * host arguments.
 */
import type { CommandSpec, ConfigMgrOnlyParam, ParamSpec, ParamType, PowerShellCommand, PowerShellParam } from '../../src/cli/spec-types.js';
import { type ErrorCategory, ExitCode } from '../../src/errors.js';
import { approvedVerbs, isPsIdentifier, reservedParameterNames } from './ps.js';

/** How the runtime turns a bound value into host arguments (ConvertTo-SupSyncArgument in module/Private). */
export type BindingType = 'string' | 'string[]' | 'number' | 'boolean' | 'switch' | 'path' | 'schedule' | 'secret' | 'datetime' | 'category' | 'siteObject' | 'accept' | 'refuse';

export interface HostBinding {
  /** The host's long flag without dashes. */
  flag: string;
  type: BindingType;
  /** The host's values; the user's spelling is matched case-insensitively. */
  choices?: readonly string[];
  /** For `schedule`: the host switch that `$null` becomes. */
  nullFlag?: string;
  /** Left out in PowerShell, the flag gets the home's top-level site. */
  defaultTopLevel?: boolean;
  /** For `refuse`: why this product cannot honour the parameter (the error says it). */
  reason?: string;
}

export type PsType = 'string' | 'string[]' | 'int' | 'bool' | 'switch' | 'object' | 'object[]' | 'securestring' | 'datetime';

export interface PsParameter {
  name: string;
  psType: PsType;
  mandatory: boolean;
  position: number | undefined;
  pipeline: PowerShellParam['pipeline'];
  aliases: string[];
  parameterSets: string[];
  choices: readonly string[] | undefined;
  completer: PowerShellParam['completer'];
  description: string;
  binding: HostBinding;
}

export interface Cmdlet {
  name: string;
  command: CommandSpec;
  ps: PowerShellCommand;
  parameters: PsParameter[];
  /** The host takes `--what-if` and answers with its plan. */
  hostWhatIf: boolean;
  /** The parameter whose value names what ShouldProcess acts on. */
  target: string | undefined;
  /** Pipeline parameters whose values are gathered into one host call per batch. */
  batch: string[];
}

/** What an exit without an error record becomes in PowerShell (the keys follow ExitCode in src/errors.ts; ok and queued are no error). */
export const exitCodeErrors: Record<Exclude<keyof typeof ExitCode, 'ok' | 'queued'>, { id: string; category: ErrorCategory; meaning: string }> = {
  internal: { id: 'InternalError', category: 'NotSpecified', meaning: 'an unexpected internal error' },
  usage: { id: 'UsageError', category: 'InvalidArgument', meaning: 'bad usage or an invalid argument value' },
  notFound: { id: 'NotFound', category: 'ObjectNotFound', meaning: 'a named thing does not exist' },
  data: { id: 'InvalidData', category: 'InvalidData', meaning: 'stored state is unreadable' },
  upstream: { id: 'UpstreamFailed', category: 'ConnectionError', meaning: 'the upstream server or catalog failed' },
  busy: { id: 'Busy', category: 'ResourceBusy', meaning: 'another process holds the site' },
  partial: { id: 'PartialFailure', category: 'NotSpecified', meaning: 'some items succeeded and some failed' },
  io: { id: 'IoFailed', category: 'WriteError', meaning: 'the file system refused' },
  invalidOperation: { id: 'InvalidOperation', category: 'InvalidOperation', meaning: 'the operation is not allowed in the current state' },
};

/**
 * Pipeline values gathered per host call: node starts once per batch, not once per row (a start
 * costs about half a second, the host's work per catalog row tens of milliseconds). The runtime
 * also ends a batch at batchChars characters of values, so that the argument list stays well
 * inside Windows' 32,767-character limit on the environment variable that carries it.
 */
export const batchSize = 250;
export const batchChars = 16000;

/** `--no-schedule` is what `-Schedule $null` becomes (ConfigMgr's way of turning the schedule off). */
const scheduleNullFlag = 'no-schedule';

const psTypes: Record<ParamType, PsType> = { string: 'string', 'string[]': 'string[]', number: 'int', boolean: 'bool', switch: 'switch' };

export class ModuleSpecError extends Error {
  constructor(command: string, message: string) {
    super(`${command}: ${message}`);
    this.name = 'ModuleSpecError';
  }
}

function cmdletName(ps: PowerShellCommand): string {
  return `${ps.verb}-${ps.noun}`;
}

/** The cmdlets of the spec commands that have a PowerShell face, in spec order; throws on a spec PowerShell would reject. */
export function cmdlets(commands: readonly CommandSpec[]): Cmdlet[] {
  const result: Cmdlet[] = [];
  const taken = new Map<string, string>();
  const claim = (name: string, by: string) => {
    const owner = taken.get(name.toLowerCase());
    if (owner !== undefined) throw new ModuleSpecError(by, `the command name ${name} is already used by ${owner}`);
    taken.set(name.toLowerCase(), by);
  };
  for (const command of commands) {
    if (command.ps === false) continue;
    const cmdlet = toCmdlet(command, command.ps);
    claim(cmdlet.name, command.id);
    for (const alias of command.ps.aliases ?? []) claim(alias, command.id);
    result.push(cmdlet);
  }
  return result;
}

function toCmdlet(command: CommandSpec, ps: PowerShellCommand): Cmdlet {
  const fail = (message: string): never => {
    throw new ModuleSpecError(command.id, message);
  };
  if (!approvedVerbs.has(ps.verb)) fail(`'${ps.verb}' is not an approved PowerShell verb`);
  if (!isPsIdentifier(ps.noun)) fail(`the noun '${ps.noun}' is not a plain name`);
  for (const alias of ps.aliases ?? []) if (!/^[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9]*$/.test(alias)) fail(`the alias '${alias}' is not Verb-Noun`);
  if (ps.examples.length === 0) fail('has no examples');

  const whatIf = command.params.find((p) => p.flag === 'what-if');
  if (whatIf && whatIf.ps !== false) fail('--what-if must have ps: false (PowerShell maps -WhatIf to it)');
  if (whatIf && !command.changesState) fail('--what-if on a command that changes nothing');

  const parameters = command.params.filter((p): p is ParamSpec & { ps: PowerShellParam } => p.ps !== false).map((p) => toParameter(command, p, fail));
  const names = new Set<string>();
  for (const parameter of parameters) {
    for (const name of [parameter.name, ...parameter.aliases]) {
      const key = name.toLowerCase();
      if (!isPsIdentifier(name)) fail(`the parameter name or alias '${name}' is not a plain name`);
      if (reservedParameterNames.has(key)) fail(`the parameter name or alias '${name}' is a common parameter`);
      if (names.has(key)) fail(`the parameter name or alias '${name}' is used twice`);
      names.add(key);
    }
  }
  const sets = new Set(parameters.flatMap((p) => p.parameterSets));
  if (ps.defaultParameterSet !== undefined && !sets.has(ps.defaultParameterSet)) fail(`the default parameter set '${ps.defaultParameterSet}' has no parameter`);
  for (const set of sets.size > 0 ? [...sets] : [undefined]) {
    const positions = parameters
      .filter((p) => p.position !== undefined && (p.parameterSets.length === 0 || (set !== undefined && p.parameterSets.includes(set))))
      .map((p) => p.position);
    if (new Set(positions).size !== positions.length) fail(`two parameters share a position${set ? ` in the set ${set}` : ''}`);
  }

  const target = (parameters.find((p) => p.position === 0) ?? parameters.find((p) => p.mandatory))?.name;
  for (const extra of ps.configMgrOnly ?? []) {
    for (const name of [extra.name, ...(extra.aliases ?? [])]) {
      if (!isPsIdentifier(name) || reservedParameterNames.has(name.toLowerCase())) fail(`the ConfigMgr parameter name '${name}' is not usable`);
      if (names.has(name.toLowerCase())) fail(`the ConfigMgr parameter name or alias '${name}' is used twice`);
      names.add(name.toLowerCase());
    }
    parameters.push(configMgrOnlyParameter(extra));
  }
  const batch = parameters.filter((p) => p.pipeline !== undefined && (p.psType === 'string[]' || p.binding.type === 'category')).map((p) => p.name);
  return { name: cmdletName(ps), command, ps, parameters, hostWhatIf: whatIf !== undefined, target, batch };
}

function toParameter(command: CommandSpec, param: ParamSpec & { ps: PowerShellParam }, fail: (message: string) => never): PsParameter {
  const ps = param.ps;
  let psType = psTypes[param.type];
  let binding: HostBinding = { flag: param.flag, type: param.type, ...(param.choices ? { choices: param.choices } : {}) };
  if (ps.kind === 'scheduleObject') {
    if (param.type !== 'string') fail(`-${ps.name}: a scheduleObject parameter must be a string flag`);
    if (!command.params.some((p) => p.flag === scheduleNullFlag && p.type === 'switch')) fail(`-${ps.name}: a scheduleObject parameter needs the --${scheduleNullFlag} switch that $null becomes`);
    psType = 'object';
    binding = { flag: param.flag, type: 'schedule', nullFlag: scheduleNullFlag };
  } else if (ps.kind === 'path') {
    if (param.type !== 'string') fail(`-${ps.name}: a path parameter must be a string flag`);
    binding = { flag: param.flag, type: 'path' };
  } else if (param.secret) {
    // A password is a SecureString in PowerShell (never plain text in scripts or history).
    if (param.type !== 'string' || param.choices) fail(`-${ps.name}: a secret must be a plain string flag`);
    psType = 'securestring';
    binding = { flag: param.flag, type: 'secret' };
  }
  if (ps.psType === 'bool') {
    if (param.type !== 'switch' && param.type !== 'boolean') fail(`-${ps.name}: psType bool on a ${param.type} flag`);
    psType = 'bool';
    binding = { flag: param.flag, type: 'boolean' };
  } else if (ps.psType === 'datetime') {
    if (param.type !== 'string') fail(`-${ps.name}: a datetime parameter must be a string flag`);
    psType = 'datetime';
    binding = { flag: param.flag, type: 'datetime' };
  }
  if (ps.kind === 'categoryObject') {
    if (param.type !== 'string[]') fail(`-${ps.name}: a categoryObject parameter must be a string[] flag`);
    psType = 'object[]';
    binding = { flag: param.flag, type: 'category' };
  }
  if (ps.defaultsToTopLevelSite) binding.defaultTopLevel = true;
  if (param.choices && param.type !== 'string' && param.type !== 'string[]') fail(`-${ps.name}: choices on a ${param.type} parameter`);
  if (param.type === 'switch' && param.required) fail(`-${ps.name}: a mandatory switch`);
  if (ps.completer && param.type !== 'string' && param.type !== 'string[]') fail(`-${ps.name}: a completer on a ${param.type} parameter`);
  for (const set of ps.parameterSets ?? []) if (!isPsIdentifier(set)) fail(`-${ps.name}: the parameter set name '${set}' is not a plain name`);
  if (ps.position !== undefined && (!Number.isInteger(ps.position) || ps.position < 0)) fail(`-${ps.name}: the position must be a whole number from 0`);
  return {
    name: ps.name,
    psType,
    mandatory: (param.required ?? false) && !ps.defaultsToTopLevelSite,
    position: ps.position,
    pipeline: ps.pipeline,
    aliases: [...(ps.aliases ?? [])],
    parameterSets: [...(ps.parameterSets ?? [])],
    choices: param.choices,
    completer: ps.completer,
    description: param.description,
    binding,
  };
}

function configMgrOnlyParameter(extra: ConfigMgrOnlyParam): PsParameter {
  return {
    name: extra.name,
    psType: extra.type === 'int' ? 'int' : extra.type,
    mandatory: extra.required ?? false,
    position: undefined,
    pipeline: extra.pipeline,
    aliases: [...(extra.aliases ?? [])],
    parameterSets: [...(extra.parameterSets ?? [])],
    choices: undefined,
    completer: undefined,
    description: extra.description,
    binding:
      extra.handling === 'siteObject'
        ? { flag: 'site', type: 'siteObject' }
        : extra.handling === 'flag'
          ? { flag: extra.flag ?? '', type: 'string' }
          : extra.handling === 'refuse'
            ? { flag: '', type: 'refuse', reason: extra.description }
            : { flag: '', type: 'accept' },
  };
}
