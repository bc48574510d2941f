/**
 * stdout carries only records: NDJSON (one JSON object per line with a `type`, which the PowerShell
 * module turns into a PSTypeName) when asked or when stdout is not a terminal; otherwise what a
 * person reads: each record type's default view from cli/views.ts as a table (`table`), every
 * field as a table (`wide`) or one field a line (`list`). Everything else (logs, progress,
 * errors in words) goes to stderr through cli/terminal.ts.
 */
import { styleText } from 'node:util';
import Table from 'cli-table3';
import type { SupsyncError } from '../errors.js';
import { formatCell, formatField } from './human.js';
import { type ViewColumn, columnLabel, viewOf } from './views.js';

export interface OutputRecord {
  type: string;
  [field: string]: unknown;
}

export const outputModes = ['table', 'list', 'wide', 'json'] as const;
export type OutputMode = (typeof outputModes)[number];

export interface Output {
  readonly mode: OutputMode;
  emit(record: OutputRecord): void;
  /** Writes buffered tables (table modes); a no-op for NDJSON, which is written as produced. */
  flush(): void;
  error(error: SupsyncError): void;
}

export interface OutputOptions {
  stdout?: NodeJS.WritableStream & { columns?: number };
  stderr?: NodeJS.WritableStream;
  /** Colour on stdout (states) and stderr (the error line); see `colorFor`. */
  color?: { stdout: boolean; stderr: boolean };
}

/** Colour only on a terminal that takes it, and never with NO_COLOR (Node's hasColors reads NO_COLOR, FORCE_COLOR and TERM). */
export function colorFor(stream: NodeJS.WritableStream): boolean {
  const tty = stream as NodeJS.WriteStream;
  return Boolean(tty.isTTY) && typeof tty.hasColors === 'function' && tty.hasColors() && process.env.NO_COLOR === undefined;
}

export function createOutput(mode: OutputMode, options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const color = options.color ?? { stdout: colorFor(stdout), stderr: colorFor(stderr) };
  if (mode === 'json') {
    return {
      mode,
      emit: (record) => stdout.write(`${JSON.stringify(record)}\n`),
      flush: () => undefined,
      error: (error) => {
        stdout.write(`${JSON.stringify(errorRecord(error))}\n`);
        stderr.write(`supsync: ${error.message}\n`);
      },
    };
  }
  const buffered: OutputRecord[] = [];
  return {
    mode,
    emit: (record) => buffered.push(record),
    flush: () => {
      if (buffered.length > 0) stdout.write(render(buffered, mode, { color: color.stdout, columns: stdout.columns }));
      buffered.length = 0;
    },
    error: (error) => {
      const line = errorLine(error);
      stderr.write(`${color.stderr ? styleText('red', line) : line}\n`);
    },
  };
}

/** An error for a person: what was wrong, with which input, what to do, and the code in brackets. */
export function errorLine(error: SupsyncError): string {
  const usage = error.code === 'UsageError' || (error.category === 'InvalidArgument' && error.target?.startsWith('--'));
  const hint = usage ? ' (supsync <command> --help lists the options)' : '';
  return `supsync: ${error.message}${hint} [${error.code}]`;
}

export function errorRecord(error: SupsyncError): OutputRecord {
  return {
    type: 'SupSync.Error',
    code: error.code,
    message: error.message,
    category: error.category,
    target: error.target ?? null,
    exitCode: error.exitCode,
    ...(error.data ? { data: error.data } : {}),
  };
}

export interface RenderOptions {
  color?: boolean;
  /** The terminal's width: an open last column takes at most what is left of it. */
  columns?: number;
  now?: number;
}

/** Records grouped by type in order of first appearance, each group as its view (table), every field as a table (wide) or as a list. */
export function render(records: readonly OutputRecord[], mode: Exclude<OutputMode, 'json'>, options: RenderOptions = {}): string {
  const groups = new Map<string, OutputRecord[]>();
  for (const record of records) groups.set(record.type, [...(groups.get(record.type) ?? []), record]);
  const parts: string[] = [];
  for (const [type, group] of groups) {
    const view = viewOf(type);
    if (mode === 'list' || (mode === 'table' && !view && group.length === 1)) parts.push(group.map(listOf).join('\n\n'));
    else parts.push(renderTable(mode === 'table' && view ? view : everyField(group), group, options));
  }
  return `${parts.join('\n\n')}\n`;
}

/** Every field of a record, one a line. */
function listOf(record: OutputRecord): string {
  const fields = Object.keys(record).filter((f) => f !== 'type');
  const width = Math.max(...fields.map((f) => f.length));
  return fields.map((f) => `${f.padEnd(width)} : ${formatField(record[f])}`.trimEnd()).join('\n');
}

/** Columns for every field the records have, exact values, widths from the content. */
function everyField(group: readonly OutputRecord[]): ViewColumn[] {
  const fields = [...new Set(group.flatMap((r) => Object.keys(r)))].filter((f) => f !== 'type');
  return fields.map((property) => ({ property, ...(group.every((r) => typeof r[property] === 'number' || r[property] === null) ? { right: true } : {}) }));
}

const stateColors: Record<string, Parameters<typeof styleText>[0]> = { Succeeded: 'green', Failed: 'red', Running: 'yellow', Queued: 'yellow', Interrupted: 'yellow' };

export function renderTable(columns: readonly ViewColumn[], records: readonly OutputRecord[], options: RenderOptions = {}): string {
  const rows = records.map((record) => columns.map((column) => formatCell(column, record, options.now)));
  const labels = columns.map(columnLabel);
  const fixed = columns.reduce((sum, c) => sum + (c.width ?? 0) + 1, 0);
  const widths = columns.map((column, i) => {
    if (column.width !== undefined) return column.width;
    const natural = Math.max(labels[i]!.length, ...rows.map((row) => row[i]!.length));
    // An open column gets what the terminal has left, but never less than its heading.
    return options.columns ? Math.max(labels[i]!.length, Math.min(natural, options.columns - fixed)) : natural;
  });
  const table = new Table({
    head: labels,
    colWidths: widths,
    colAligns: columns.map((c) => (c.right ? 'right' : 'left')),
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ' },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  table.push(widths.map((w) => '-'.repeat(w)));
  for (const row of rows) {
    table.push(
      row.map((cell, i) => {
        const shown = wrapCell(cell, widths[i]!);
        const tint = columns[i]!.format === 'state' ? stateColors[cell] : undefined;
        return options.color && tint ? styleText(tint, shown) : shown;
      }),
    );
  }
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/**
 * A value longer than its column over the next lines of its row, as Format-Table's <Wrap/> shows
 * it: broken at spaces, a longer word split; nothing is cut off and no line is wider than the view.
 */
function wrapCell(cell: string, width: number): string {
  if (cell.length <= width) return cell;
  const lines: string[] = [];
  let line = '';
  for (const word of cell.split(' ')) {
    let rest = word;
    while (rest.length > 0) {
      const room = line === '' ? width : width - line.length - 1;
      if (rest.length <= room) {
        line = line === '' ? rest : `${line} ${rest}`;
        rest = '';
      } else if (line !== '') {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
