/**
 * stdout carries only records: NDJSON (one JSON object per line with a `type`) when asked or when
 * stdout is not a terminal; CliXml (one PowerShell-serialized object a line, its `type` the type
 * name) for the PowerShell module, which makes objects of it in compiled code; otherwise what a
 * person reads: each record type's default view from cli/views.ts as a table (`table`), every
 * field as a table (`wide`) or one field a line (`list`). Everything else (logs, progress,
 * errors in words) goes to stderr through cli/terminal.ts.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { styleText } from 'node:util';
import type Table from 'cli-table3';
import type { SupsyncError } from '../errors.js';
import { computedMemberNames } from './computed-members.js';
import { formatCell, formatField } from './human.js';
import { type ViewColumn, columnLabel, viewOf } from './views.js';

export interface OutputRecord {
  type: string;
  [field: string]: unknown;
}

export const outputModes = ['table', 'list', 'wide', 'json', 'clixml'] as const;
export type OutputMode = (typeof outputModes)[number];
/** Modes whose stdout is a record stream for a program (progress then goes to stderr as JSON lines too). */
export const isRecordStream = (mode: OutputMode): mode is 'json' | 'clixml' => mode === 'json' || mode === 'clixml';

export interface Output {
  readonly mode: OutputMode;
  emit(record: OutputRecord): void;
  /** Writes buffered tables (table modes); a no-op for NDJSON, which is written as produced. */
  flush(): void;
  /**
   * Settles once stdout has taken the records written so far, at once when it holds little. A
   * pipe's writes are asynchronous: a listing made in one go would be queued whole in memory and
   * reach its reader only at the end, so a long listing awaits this now and then to stream.
   */
  drained(): Promise<void>;
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
  if (isRecordStream(mode)) {
    const line = mode === 'json' ? (record: OutputRecord) => `${JSON.stringify(record)}\n` : (record: OutputRecord) => `${cliXmlRecord(record)}\n`;
    return {
      mode,
      emit: (record) => stdout.write(line(record)),
      flush: () => undefined,
      drained: () => ((stdout as { writableNeedDrain?: boolean }).writableNeedDrain === true ? once(stdout, 'drain').then(() => undefined) : Promise.resolve()),
      error: (error) => {
        stdout.write(line(errorRecord(error)));
        stderr.write(`supsync: ${error.message}\n`);
      },
    };
  }
  const buffered: OutputRecord[] = [];
  return {
    mode,
    emit: (record) => buffered.push(record),
    drained: () => Promise.resolve(),
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

/**
 * A record as one line of PowerShell's CliXml (an `<Obj>` of the `<Objs>` document that
 * PSSerializer.DeserializeAsList reads, which the module wraps around a block of lines): the
 * record's `type` its type name, the other fields its properties, typed as PowerShell reads them
 * (I64, Db, B, Nil, lists, nested objects). A top-level field whose text is an ISO 8601 date-time
 * is a DT: with an offset (Z written as +00:00) PowerShell makes a local [datetime] of it, without
 * one a wall-clock (Unspecified) value; nested text stays text, as in the JSON the module read before.
 * The fields the module computes from the others (cli/computed-members.ts) are left out.
 */
export function cliXmlRecord(record: OutputRecord): string {
  const computed = computedMemberNames(record.type);
  let members = '';
  for (const [name, value] of Object.entries(record)) {
    if (name === 'type' || value === undefined || computed?.has(name)) continue;
    const date = typeof value === 'string' ? cliXmlDateTime(value) : undefined;
    members += date === undefined ? cliXmlValue(value, name) : `<DT N="${cliXmlText(name, true)}">${date}</DT>`;
  }
  return `<Obj><TN><T>${cliXmlText(record.type)}</T></TN><MS>${members}</MS></Obj>`;
}

const isoDateTime = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The xs:dateTime text of an ISO 8601 date-time string, or undefined for any other text. */
function cliXmlDateTime(text: string): string | undefined {
  const match = isoDateTime.exec(text);
  if (!match || Number.isNaN(Date.parse(text))) return undefined;
  // xs:dateTime wants seconds, and .NET reads at most 7 fractional digits.
  const seconds = (match[2] ?? ':00').slice(0, 11);
  const offset = match[3] === 'Z' ? '+00:00' : (match[3] ?? '');
  return match[1] + seconds + offset;
}

function cliXmlValue(value: unknown, name?: string): string {
  const n = name === undefined ? '' : ` N="${cliXmlText(name, true)}"`;
  if (value === null || value === undefined) return `<Nil${n} />`;
  if (typeof value === 'string') return `<S${n}>${cliXmlText(value)}</S>`;
  if (typeof value === 'boolean') return `<B${n}>${value}</B>`;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return `<I64${n}>${value}</I64>`;
    // JSON has no NaN or infinity either: null, as JSON.stringify writes them.
    return Number.isFinite(value) ? `<Db${n}>${value}</Db>` : `<Nil${n} />`;
  }
  if (value instanceof Date) return `<DT${n}>${value.toISOString().replace('Z', '+00:00')}</DT>`;
  if (Array.isArray(value)) return `<Obj${n}><LST>${value.map((item) => cliXmlValue(item)).join('')}</LST></Obj>`;
  let members = '';
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) if (item !== undefined) members += cliXmlValue(item, key);
  return `<Obj${n}><MS>${members}</MS></Obj>`;
}

/**
 * Text escaped as PowerShell's serializer does: XML's markup characters, and as _xHHHH_ what XML
 * cannot carry or would change (control characters such as the line feeds that separate records,
 * surrogates, U+FFFE/U+FFFF) and the underscore that starts such an escape.
 */
function cliXmlText(text: string, attribute = false): string {
  if (!/[&<>"_\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/.test(text)) return text;
  return text.replace(/[&<>"\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]|_(?=x)/g, (c) => {
    if (c === '&') return '&amp;';
    if (c === '<') return '&lt;';
    if (c === '>') return '&gt;';
    if (c === '"') return attribute ? '&quot;' : c;
    return `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`;
  });
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
export function render(records: readonly OutputRecord[], mode: Exclude<OutputMode, 'json' | 'clixml'>, options: RenderOptions = {}): string {
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

/**
 * cli-table3 is loaded when a table is first drawn: most host starts (the module's cmdlets, child
 * syncs, the service) write records, and loading it at every start cost about 0.02 s of CPU.
 */
const tableClass = (): typeof Table => createRequire(import.meta.url)('cli-table3') as typeof Table;

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
  const table = new (tableClass())({
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
