/**
 * The shape of the declarative command spec: the one source of truth that drives both the yargs
 * CLI and the generated PowerShell module (as Crescendo maps cmdlet parameters to native
 * arguments).
 */

/** `switch` is a flag with no value; `boolean` takes true|false (ConfigMgr's [bool] parameters). */
export type ParamType = 'string' | 'string[]' | 'number' | 'boolean' | 'switch';

export interface PowerShellParam {
  /** The PowerShell parameter name (ConfigMgr's where one exists). */
  name: string;
  aliases?: string[];
  /** ValueFromPipeline / ValueFromPipelineByPropertyName. */
  pipeline?: 'value' | 'property' | 'both';
  position?: number;
  /** Parameter sets this parameter belongs to (mandatory within them when `required`). */
  parameterSets?: string[];
  /** Tab completion from the host. */
  completer?: 'site' | 'product' | 'classification';
  /**
   * `scheduleObject`: the parameter takes a schedule object (New-CMSoftwareUpdateSyncSchedule's
   * output, or a ScheduleString) and `$null` turns the schedule off, as ConfigMgr's -Schedule does:
   * an object becomes `--<flag> <its ScheduleString>`, `$null` becomes `--no-schedule`.
   * `path`: a file path, resolved against PowerShell's current location (PSDrives, `~`) before it
   * reaches the host.
   * `categoryObject`: [object[]] taking Get-CMSoftwareUpdateCategory's records (or category
   * GUIDs/titles) from the pipeline by value; each becomes `--<flag>=<its Id>`, gathered per batch.
   */
  kind?: 'scheduleObject' | 'path' | 'categoryObject';
  /**
   * The PowerShell type when it differs from the flag's: `bool` for a host switch that ConfigMgr
   * takes as [bool] (`-FullSync $true` sends `--full=true`), `datetime` for an ISO 8601 flag
   * ([datetime] in PowerShell, sent as local wall-clock time, or UTC with Z for a UTC value).
   */
  psType?: 'bool' | 'datetime';
  /**
   * A mandatory host flag that is optional in PowerShell, as in ConfigMgr where the site comes
   * from the site drive: left out, it is the home's top-level site (said in -Verbose).
   */
  defaultsToTopLevelSite?: boolean;
}

/**
 * A parameter of the real ConfigMgr cmdlet without a host flag of its own. `accept`: it means
 * nothing here and is taken as ConfigMgr takes it (-Fast, -ForceWildcardHandling); `refuse`: this
 * product cannot honour it (deployments, content), so binding it is an error naming it.
 */
export interface ConfigMgrOnlyParam {
  name: string;
  type: 'string' | 'string[]' | 'int' | 'bool' | 'switch' | 'datetime' | 'object' | 'object[]';
  /** `siteObject`: an object whose SiteCode becomes --site; `flag`: sent as the string flag `flag`. */
  handling: 'accept' | 'refuse' | 'siteObject' | 'flag';
  flag?: string;
  description: string;
  aliases?: string[];
  parameterSets?: string[];
  required?: boolean;
  pipeline?: 'value' | 'property' | 'both';
}

export interface ParamSpec {
  /** The CLI long flag without dashes, kebab-case: `add-product`. */
  flag: string;
  type: ParamType;
  description: string;
  required?: boolean;
  choices?: readonly string[];
  /** For `number`: the accepted range (checked when the arguments are parsed). */
  range?: { min: number; max: number; integer?: boolean };
  /** Never echoed in output or logs. */
  secret?: boolean;
  /** A one-letter CLI alias: `o` for `-o`. */
  short?: string;
  /** How the parameter appears in PowerShell; `false` keeps it CLI-only. */
  ps: PowerShellParam | false;
}

export interface PowerShellExample {
  code: string;
  remarks: string;
}

export interface PowerShellCommand {
  verb: string;
  noun: string;
  aliases?: string[];
  examples: PowerShellExample[];
  /** ConfirmImpact for state-changing cmdlets. */
  confirmImpact?: 'Low' | 'Medium' | 'High';
  /** The default parameter set name when the command has several. */
  defaultParameterSet?: string;
  /** Cmdlets to name under .LINK besides those of the same command group or noun. */
  related?: string[];
  /** Parameters of the real ConfigMgr cmdlet that have no host flag (accepted or refused). */
  configMgrOnly?: ConfigMgrOnlyParam[];
}

export interface CommandSpec {
  /** Dotted command id, also the handler key: `site.add`. */
  id: string;
  /** The words that invoke it: `['site', 'add']`. */
  words: string[];
  summary: string;
  description: string;
  /** Changes stored state (needs -WhatIf/-Confirm in PowerShell). */
  changesState: boolean;
  /** The record type names it writes to stdout (PSTypeNames). */
  outputTypes: string[];
  params: ParamSpec[];
  ps: PowerShellCommand | false;
}
