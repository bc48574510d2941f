/**
 * stdout carries only records: NDJSON (one JSON object per line with a `type`, which the PowerShell
 * module turns into a PSTypeName) when asked or when stdout is not a terminal, a readable table
 * otherwise. Everything else (logs, progress) goes to stderr.
 */
import type { SupsyncError } from '../errors.js';

export interface OutputRecord {
  type: string;
  [field: string]: unknown;
}

export type OutputMode = 'table' | 'json';

export interface Output {
  emit(record: OutputRecord): void;
  /** Writes buffered tables (table mode); a no-op for NDJSON, which is written as produced. */
  flush(): void;
  error(error: SupsyncError): void;
}

export function createOutput(mode: OutputMode, stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  if (mode === 'json') {
    return {
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
    emit: (record) => buffered.push(record),
    flush: () => {
      if (buffered.length > 0) stdout.write(renderTables(buffered));
      buffered.length = 0;
    },
    error: (error) => stderr.write(`supsync: error ${error.code}: ${error.message}\n`),
  };
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

/** Groups records by type and renders each group as an aligned text table. */
export function renderTables(records: OutputRecord[]): string {
  const groups = new Map<string, OutputRecord[]>();
  for (const record of records) groups.set(record.type, [...(groups.get(record.type) ?? []), record]);
  const parts: string[] = [];
  for (const [, group] of groups) {
    const columns = [...new Set(group.flatMap((r) => Object.keys(r)))].filter((c) => c !== 'type' && group.every((r) => isScalar(r[c])));
    if (group.length === 1 && columns.length > 6) {
      // A single wide record reads better as a list.
      const width = Math.max(...columns.map((c) => c.length));
      parts.push(columns.map((c) => `${c.padEnd(width)} : ${cell(group[0]![c])}`).join('\n'));
      continue;
    }
    const rows = group.map((r) => columns.map((c) => cell(r[c])));
    const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
    parts.push([line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}

function isScalar(value: unknown): boolean {
  return value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value) || (Array.isArray(value) && value.every((v) => typeof v !== 'object'));
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}
