/**
 * One generated advanced function per spec command, Crescendo-style: the parameters and help are
 * generated, the behaviour is a binding table handed to the handwritten runtime
 * (module/Private/Invoke-SupSyncCommand.ps1), which maps $PSBoundParameters to host arguments in
 * process{}, asks ShouldProcess, and streams the host's records.
 */
import { helpLines } from './help.js';
import { type Cmdlet, type HostBinding, type PsParameter, batchChars, batchSize } from './model.js';
import { psArray, psQuote } from './ps.js';

const indent = (depth: number) => '    '.repeat(depth);

export function renderFunction(cmdlet: Cmdlet, all: readonly Cmdlet[]): string[] {
  const { command, ps } = cmdlet;
  const binding = [
    ...(command.changesState ? ['SupportsShouldProcess = $true', ...(ps.confirmImpact ? [`ConfirmImpact = ${psQuote(ps.confirmImpact)}`] : [])] : []),
    ...(ps.defaultParameterSet ? [`DefaultParameterSetName = ${psQuote(ps.defaultParameterSet)}`] : []),
    // Only the spec's positions: PowerShell would otherwise make every parameter positional.
    'PositionalBinding = $false',
  ];
  const lines = [`function ${cmdlet.name} {`, ...helpLines(cmdlet, all).map((line) => (line === '' ? '' : indent(1) + line))];
  lines.push(`${indent(1)}[CmdletBinding(${binding.join(', ')})]`);
  if (ps.aliases?.length) lines.push(`${indent(1)}[Alias(${ps.aliases.map(psQuote).join(', ')})]`);
  lines.push(`${indent(1)}[OutputType(${command.outputTypes.map(psQuote).join(', ')})]`);
  lines.push(`${indent(1)}param(`);
  cmdlet.parameters.forEach((parameter, i) => {
    if (i > 0) lines.push('');
    lines.push(...parameterLines(parameter).map((line) => indent(2) + line));
    if (i < cmdlet.parameters.length - 1) lines[lines.length - 1] += ',';
  });
  lines.push(`${indent(1)})`, '');
  lines.push(`${indent(1)}begin {`, ...commandTable(cmdlet).map((line) => indent(2) + line), `${indent(1)}}`, '');
  lines.push(`${indent(1)}process {`, `${indent(2)}Invoke-SupSyncCommand -Cmdlet $PSCmdlet -Command $supsyncCommand -BoundParameters $PSBoundParameters -PipelineObject $_`, `${indent(1)}}`);
  if (cmdlet.batch.length > 0) lines.push('', `${indent(1)}end {`, `${indent(2)}Complete-SupSyncBatch -Cmdlet $PSCmdlet -Command $supsyncCommand`, `${indent(1)}}`);
  lines.push('}');
  return lines;
}

function parameterLines(parameter: PsParameter): string[] {
  const common = [
    ...(parameter.mandatory ? ['Mandatory = $true'] : []),
    ...(parameter.position !== undefined ? [`Position = ${parameter.position}`] : []),
    ...(parameter.pipeline === 'value' || parameter.pipeline === 'both' ? ['ValueFromPipeline = $true'] : []),
    ...(parameter.pipeline === 'property' || parameter.pipeline === 'both' ? ['ValueFromPipelineByPropertyName = $true'] : []),
  ];
  const attributes =
    parameter.parameterSets.length === 0
      ? [`[Parameter(${common.join(', ')})]`]
      : parameter.parameterSets.map((set) => `[Parameter(${[`ParameterSetName = ${psQuote(set)}`, ...common].join(', ')})]`);
  if (parameter.aliases.length > 0) attributes.push(`[Alias(${parameter.aliases.map(psQuote).join(', ')})]`);
  if (parameter.choices) attributes.push(`[ValidateSet(${parameter.choices.map(psQuote).join(', ')})]`);
  // A mandatory schedule may still be $null: that turns the schedule off.
  if (parameter.psType === 'object' && parameter.mandatory) attributes.push('[AllowNull()]');
  return [...attributes, `[${parameter.psType}] $${parameter.name}`];
}

/**
 * The `$supsyncCommand` table the runtime reads: host words, ShouldProcess wording, batching and
 * the parameter bindings (a name no spec parameter is likely to take).
 */
function commandTable(cmdlet: Cmdlet): string[] {
  const { command } = cmdlet;
  const bindings = cmdlet.parameters.map((p) => `${indent(2)}${psQuote(p.name)} = ${bindingLiteral(p.binding)}`);
  return [
    '$supsyncCommand = @{',
    `${indent(1)}Id = ${psQuote(command.id)}`,
    `${indent(1)}Words = ${psArray(command.words)}`,
    `${indent(1)}Action = ${psQuote(command.summary.replace(/\.$/, ''))}`,
    `${indent(1)}Target = ${cmdlet.target === undefined ? '$null' : psQuote(cmdlet.target)}`,
    `${indent(1)}ChangesState = ${command.changesState ? '$true' : '$false'}`,
    `${indent(1)}HostWhatIf = ${cmdlet.hostWhatIf ? '$true' : '$false'}`,
    `${indent(1)}Batch = ${cmdlet.batch.length > 0 ? `@{ Parameters = ${psArray(cmdlet.batch)}; Size = ${batchSize}; Chars = ${batchChars} }` : '$null'}`,
    ...(bindings.length > 0 ? [`${indent(1)}Parameters = [ordered]@{`, ...bindings, `${indent(1)}}`] : [`${indent(1)}Parameters = [ordered]@{}`]),
    '}',
  ];
}

function bindingLiteral(binding: HostBinding): string {
  const entries = [`Flag = ${psQuote(binding.flag)}`, `Type = ${psQuote(binding.type)}`];
  if (binding.choices) entries.push(`Choices = ${psArray(binding.choices)}`);
  if (binding.nullFlag) entries.push(`NullFlag = ${psQuote(binding.nullFlag)}`);
  if (binding.defaultTopLevel) entries.push('DefaultTopLevel = $true');
  if (binding.reason) entries.push(`Reason = ${psQuote(binding.reason)}`);
  return `@{ ${entries.join('; ')} }`;
}
