/**
 * Batch files naming updates to import from the catalog, in the shapes found in the wild:
 * Microsoft's ImportUpdateToWSUS.ps1 format (one GUID per line), one KB per line, or a CSV
 * (Export-Csv output of community modules) whose ID column is UpdateId/Guid/Id or
 * KB/KBUpdate/HotfixId. One bad row becomes an 'invalid' entry; only a file that is none of
 * these is refused.
 */
import { parse } from 'csv-parse/sync';
import { InvalidArgumentError } from '../errors.js';
import { canonicalGuid } from '../model/update.js';

export type BatchEntryKind = 'updateId' | 'kb' | 'invalid';

export interface ClassifiedInput {
  kind: BatchEntryKind;
  /** Lower-case GUID, for kind 'updateId'. */
  updateId?: string;
  /** Digits only, for kind 'kb'. */
  kb?: string;
  /** Why the input is not usable, for kind 'invalid'. */
  reason?: string;
}

export interface BatchEntry extends ClassifiedInput {
  /** 1-based line of the file the entry starts on. */
  line: number;
  /** The value as written (trimmed). */
  input: string;
  /** The line of an earlier entry naming the same update; this one adds nothing. */
  duplicateOf?: number;
}

/** ID column names, case-insensitive, most specific first. */
const updateIdColumns = ['updateid', 'guid', 'id'];
const kbColumns = ['kb', 'kbupdate', 'hotfixid'];

/** Reads one argument: a GUID (braces allowed), `KB1234567` or `1234567`. */
export function classifyInput(text: string): ClassifiedInput {
  const value = text.trim();
  if (value === '') return { kind: 'invalid', reason: 'the value is empty' };
  const updateId = canonicalGuid(value);
  if (updateId !== undefined) return { kind: 'updateId', updateId };
  const kb = /^(?:KB)?0*([1-9]\d{0,8})$/i.exec(value)?.[1];
  if (kb !== undefined) return { kind: 'kb', kb };
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return { kind: 'invalid', reason: `"${shown}" is neither an update ID (a GUID) nor a KB number` };
}

function invalidFile(fileName: string, what: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError('BatchFileInvalid', `The batch file ${fileName} ${what}`, { target: fileName, cause });
}

/**
 * Text of the file: UTF-8 (with or without BOM), or UTF-16 with a BOM, little-endian being what
 * Windows PowerShell 5.1 writes (Export-Csv -Encoding Unicode, Out-File, `>`).
 */
function decode(bytes: Buffer, fileName: string): string {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  if (encoding === 'utf-8' && bytes.includes(0)) {
    throw invalidFile(
      fileName,
      'contains NUL bytes: it looks like UTF-16 without a byte-order mark; save it as UTF-8 or as UTF-16 with a BOM',
    );
  }
  try {
    // TextDecoder drops the BOM itself.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    throw invalidFile(fileName, `is not valid ${encoding.toUpperCase()} text`, error);
  }
}

/** `;` when the header has more of them than `,` outside quotes (European Export-Csv -UseCulture). */
function delimiterOf(header: string): ',' | ';' {
  const unquoted = header.replace(/"[^"]*"/g, '');
  const count = (c: string): number => unquoted.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

function isCsvHeader(line: string): boolean {
  const single = line.replace(/^"(.*)"$/, '$1').trim().toLowerCase();
  return line.includes(',') || line.includes(';') || updateIdColumns.includes(single) || kbColumns.includes(single);
}

function entry(line: number, input: string): BatchEntry {
  return { line, input: input.trim(), ...classifyInput(input) };
}

function plainEntries(lines: readonly string[]): BatchEntry[] {
  const entries: BatchEntry[] = [];
  lines.forEach((text, index) => {
    const value = text.trim();
    if (value === '' || value.startsWith('#')) return;
    entries.push(entry(index + 1, value));
  });
  return entries;
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

function csvEntries(lines: readonly string[], headerIndex: number, fileName: string): BatchEntry[] {
  const header = lines[headerIndex] as string;
  let records: CsvRecord[];
  try {
    // Parsed from the header on (csv-parse's from_line miscounts after comment lines).
    records = parse(lines.slice(headerIndex).join('\n'), {
      delimiter: delimiterOf(header),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      comment: '#',
      comment_no_infix: true,
    }) as unknown as CsvRecord[]; // csv-parse's types do not model `info: true`
  } catch (error) {
    // csv-parse counts lines from the header and says what went wrong before the first colon.
    const { lines: at, message } = error as { lines?: number; message?: string };
    const where = typeof at === 'number' ? ` at line ${headerIndex + at}` : '';
    throw invalidFile(fileName, `is not readable as CSV${where}: ${String(message).split(':')[0]}`, error);
  }

  const columns = (records[0]?.record ?? []).map((name) => name.trim());
  const find = (aliases: readonly string[]): number => {
    for (const alias of aliases) {
      const index = columns.findIndex((name) => name.toLowerCase() === alias);
      if (index >= 0) return index;
    }
    return -1;
  };
  const idColumn = find(updateIdColumns);
  const kbColumn = find(kbColumns);
  if (idColumn < 0 && kbColumn < 0) {
    throw invalidFile(
      fileName,
      'has no update ID column: expected UpdateId (or Guid, Id) or KB (or KBUpdate, HotfixId); ' +
        `found ${columns.map((c) => `"${c}"`).join(', ') || 'none'}`,
    );
  }

  return records.slice(1).map(({ record, info }): BatchEntry => {
    // info.lines is the line the record ends on; quoted values may span lines.
    const spanned = record.reduce((sum, value) => sum + (value.match(/\n/g)?.length ?? 0), 0);
    const line = headerIndex + info.lines - spanned;
    // A row's update ID wins over its KB (it names one update, a KB may name several).
    const column = idColumn >= 0 && (record[idColumn] ?? '') !== '' ? idColumn : kbColumn >= 0 ? kbColumn : idColumn;
    const value = record[column] ?? '';
    if (value === '') {
      const names = [idColumn, kbColumn].filter((c) => c >= 0).map((c) => columns[c]);
      return { line, input: '', kind: 'invalid', reason: `the ${names.join(' and ')} column${names.length > 1 ? 's are' : ' is'} empty` };
    }
    return entry(line, value);
  });
}

/** Marks every entry naming an update already named earlier with the earlier line. */
function markDuplicates(entries: BatchEntry[]): BatchEntry[] {
  const seen = new Map<string, number>();
  for (const item of entries) {
    const key = item.kind === 'updateId' ? `id:${item.updateId}` : item.kind === 'kb' ? `kb:${item.kb}` : undefined;
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, item.line);
    else item.duplicateOf = first;
  }
  return entries;
}

/**
 * Reads a batch file. Plain text (one GUID or KB per line, `#` comments) unless the first
 * meaningful line is a CSV header; Export-Csv's `#TYPE` line is a comment either way.
 */
export function parseBatchInput(bytes: Buffer, fileName: string): BatchEntry[] {
  const lines = decode(bytes, fileName).split(/\r\n|\n|\r/);
  const headerIndex = lines.findIndex((text) => text.trim() !== '' && !text.trim().startsWith('#'));
  if (headerIndex < 0) return [];
  const first = (lines[headerIndex] as string).trim();
  const csv = classifyInput(first).kind === 'invalid' && isCsvHeader(first);
  return markDuplicates(csv ? csvEntries(lines, headerIndex, fileName) : plainEntries(lines));
}
