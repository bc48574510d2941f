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
   */
  kind?: 'scheduleObject' | 'path';
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
