/**
 * stderr: what a person (or the PowerShell module) is told while a command runs.
 *
 * - Live progress: on a terminal, one line per site (cli-progress's MultiBar redraws them in place:
 *   site, phase, bar, N of M, rate, ETA), ended by a summary line when the site's result is in,
 *   or by "interrupted" on Ctrl+C. cli-progress is kept and small, and draws several bars with log
 *   lines scrolling above them, which a cascade with --wait needs. In json mode (a pipe, the
 *   module) each update is a `SupSync.Progress` record the module turns into Write-Progress; on
 *   a pipe or file in a table mode, nothing.
 * - Log lines (the echo of wsyncmgr.log): quiet by default; `--verbose` shows them in short form.
 *   Warnings and errors always show, in colour on a terminal (never with NO_COLOR or on a pipe).
 *   In json mode they keep the `level: message` form the module maps to Write-Warning and
 *   Write-Verbose.
 * - Notes: lines for the person (what the demo is doing, a queued request, What if: lines).
 */
import { createRequire } from 'node:module';
import { styleText } from 'node:util';
import type cliProgress from 'cli-progress';
import type { SiteLogLevel } from '../log/index.js';
import { formatCount, formatDuration, formatState } from './human.js';
import type { OutputRecord } from './output.js';

/** Counts behind a progress update, for the live bar. */
export interface ProgressCounts {
  /** One bar per key (a site code). */
  key: string;
  phase: string;
  processed: number;
  total: number;
}

export interface TerminalOptions {
  stream: NodeJS.WritableStream;
  /** NDJSON progress records and `level: message` lines, for the module or a pipe. */
  json: boolean;
  /** Live bars: stderr is a terminal and the output is for a person. */
  live: boolean;
  color: boolean;
  verbose: boolean;
  signal?: AbortSignal;
}

interface Task {
  bar: cliProgress.SingleBar;
  phase: string;
  phaseStarted: number;
  /** Items already done when the phase was first seen: the rate counts only what came after. */
  phaseBase: number;
  processed: number;
  total: number;
  done: boolean;
}

export class Terminal {
  readonly #options: TerminalOptions;
  #bars: cliProgress.MultiBar | undefined;
  readonly #tasks = new Map<string, Task>();
  /** After Ctrl+C the interrupted bars stay as they are; late progress draws no new ones. */
  #interrupted = false;

  constructor(options: TerminalOptions) {
    this.#options = options;
    options.signal?.addEventListener('abort', () => this.#interrupt(), { once: true });
  }

  /** A line for the person. */
  note(message: string): void {
    this.#line(message);
  }

  /** A log line's echo: info only with --verbose, warnings and errors always. */
  log(level: SiteLogLevel, message: string): void {
    if (level === 'info' && !this.#options.verbose) return;
    if (this.#options.json || !this.#options.color) {
      this.#line(`${level}: ${message}`);
      return;
    }
    const tint = level === 'error' ? 'red' : level === 'warn' ? 'yellow' : 'dim';
    this.#line(styleText(tint, `${level === 'warn' ? 'warning' : level}: ${message}`));
  }

  progress(activity: string, status: string, percent: number | undefined, counts?: ProgressCounts): void {
    if (this.#options.json) {
      this.#write(`${JSON.stringify({ type: 'SupSync.Progress', Activity: activity, Status: status, PercentComplete: percent ?? -1 })}\n`);
      return;
    }
    if (!this.#options.live || this.#interrupted) return;
    const key = counts?.key ?? activity;
    const phase = counts?.phase ?? status;
    const processed = counts?.processed ?? percent ?? 0;
    const total = counts?.total ?? (percent === undefined ? 0 : 100);
    let task = this.#tasks.get(key);
    if (!task || task.done) {
      task = { bar: this.#multiBar().create(Math.max(total, 1), processed, { key, line: '' }), phase, phaseStarted: Date.now(), phaseBase: processed, processed, total, done: false };
      this.#tasks.set(key, task);
    }
    if (task.phase !== phase) Object.assign(task, { phase, phaseStarted: Date.now(), phaseBase: processed });
    Object.assign(task, { processed, total });
    task.bar.setTotal(Math.max(total, 1));
    task.bar.update(total === 0 ? 1 : processed, { key, line: this.#barText(key, task) });
  }

  /** Ends the live line of what a record reports: a SupSync.SyncResult ends its site's bar with a summary. */
  settle(record: OutputRecord): void {
    if (!this.#options.live || record.type !== 'SupSync.SyncResult') return;
    const key = String(record.SiteCode);
    const summary = syncSummary(record, this.#options.color);
    const task = this.#tasks.get(key);
    if (task && !task.done) {
      task.done = true;
      task.bar.update({ key, line: summary });
    } else {
      this.#line(summary);
    }
    if ([...this.#tasks.values()].every((t) => t.done)) this.stop();
  }

  /** Draws the bars a last time and lets the terminal go (before the tables are written). */
  stop(): void {
    if (!this.#bars) return;
    this.#bars.stop();
    this.#bars = undefined;
    this.#tasks.clear();
  }

  #interrupt(): void {
    this.#interrupted = true;
    for (const [key, task] of this.#tasks) {
      if (task.done) continue;
      task.done = true;
      const line = `${key}  interrupted (Ctrl+C) in ${task.phase} at ${formatCount(task.processed)} of ${formatCount(task.total)}; the next sync resumes from what was stored`;
      task.bar.update({ key, line: this.#options.color ? styleText('yellow', line) : line });
    }
    this.stop();
  }

  #barText(key: string, task: Task): string {
    const elapsed = (Date.now() - task.phaseStarted) / 1000;
    const rate = elapsed > 0 ? (task.processed - task.phaseBase) / elapsed : 0;
    const left = task.total - task.processed;
    const eta = left <= 0 ? '0s' : rate > 0 ? formatDuration(left / rate) : '?';
    const percent = task.total === 0 ? 100 : Math.floor((task.processed / task.total) * 100);
    return `${key}  ${task.phase.padEnd(10)} {bar} ${formatCount(task.processed)} of ${formatCount(task.total)} (${percent}%)  ${rate >= 10 ? formatCount(rate) : rate.toFixed(1)}/s  ETA ${eta}`;
  }

  #multiBar(): cliProgress.MultiBar {
    if (this.#bars) return this.#bars;
    const progress = liveBars();
    this.#bars = new progress.MultiBar({
      stream: this.#options.stream,
      format: (options, params, payload: { line?: string }) => (payload.line ?? '').replace('{bar}', progress.Format.BarFormat(params.progress, options)),
      barsize: 24,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      // A line wider than the terminal would wrap and break the redraw.
      linewrap: false,
      gracefulExit: false,
      fps: 8,
      etaBuffer: 1,
    });
    return this.#bars;
  }

  #line(text: string): void {
    if (this.#bars?.isActive) this.#bars.log(`${text}\n`);
    else this.#write(`${text}\n`);
  }

  #write(text: string): void {
    this.#options.stream.write(text);
  }
}

/**
 * cli-progress is loaded when live bars are first drawn (a person's terminal): a host writing
 * records or logging to a pipe never draws one, and loading it at every start cost about 0.03 s of CPU.
 */
const liveBars = (): typeof cliProgress => createRequire(import.meta.url)('cli-progress') as typeof cliProgress;

/** `CS1  Succeeded  new 1,234  revised 12  expired 3  catalog 4  1m 23s` */
export function syncSummary(record: OutputRecord, color: boolean): string {
  const state = formatState(String(record.State));
  const tint = state === 'Failed' ? 'red' : state === 'Succeeded' ? 'green' : 'yellow';
  const counts = (['New', 'Revised', 'Superseded', 'Expired', 'Removed'] as const)
    .filter((field) => Number(record[field]) > 0)
    .map((field) => `${field.toLowerCase()} ${formatCount(Number(record[field]))}`);
  const parts = [
    `${String(record.SiteCode)}  ${color ? styleText(tint, state) : state}`,
    counts.length > 0 ? counts.join(', ') : state === 'Failed' || state === 'Queued' ? '' : 'nothing new',
    `catalog ${formatCount(Number(record.CatalogVersion))}`,
    typeof record.DurationSeconds === 'number' ? formatDuration(record.DurationSeconds) : '',
    record.Error ? String(record.Error) : '',
  ];
  return parts.filter((p) => p !== '').join('  ');
}
