/**
 * The CLI run under a real pseudo-terminal (node-pty), and what a terminal would show of its
 * output: the bytes are replayed into a headless xterm (@xterm/headless), so a test reads the
 * screen a person sees (lines redrawn in place, wrapped rows) rather than the escape codes.
 */
import { spawn } from 'node-pty';
import xtermPackage from '@xterm/headless';
import { cliPath } from './fixtures.js';

// A CommonJS bundle: Node sees only its default export.
const { Terminal } = xtermPackage as unknown as typeof import('@xterm/headless');

export interface PtyRun {
  /** Everything the terminal received so far (stdout and stderr both go to the terminal). */
  output(): string;
  /** Resolves once the output matches; fails with the output so far if the program exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Types into the terminal (`\x03` is Ctrl+C). */
  type(data: string): void;
  exited: Promise<{ code: number; output: string }>;
}

export function runInPty(home: string, args: string[], options: { cols?: number; env?: NodeJS.ProcessEnv } = {}): PtyRun {
  const env = { ...process.env, TERM: 'xterm-256color', ...options.env } as Record<string, string>;
  // A person's terminal: under CI=true (as CI runs the suite) Node reports a terminal without colours.
  delete env.CI;
  for (const [key, value] of Object.entries(options.env ?? {})) if (value === undefined) delete env[key];
  const child = spawn(process.execPath, [cliPath, '--home', home, ...args], { cols: options.cols ?? 120, rows: 50, env, name: 'xterm-256color' });
  let output = '';
  const waiters: { pattern: RegExp; resolve(match: RegExpMatchArray): void; reject(error: Error): void }[] = [];
  child.onData((data) => {
    output += data;
    for (const waiter of [...waiters]) {
      const match = output.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  });
  const exited = new Promise<{ code: number; output: string }>((resolve) =>
    child.onExit(({ exitCode }) => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`exited with ${exitCode} before showing ${waiter.pattern}:\n${output}`));
      resolve({ code: exitCode, output });
    }),
  );
  return {
    output: () => output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const match = output.match(pattern);
        if (match) resolve(match);
        else waiters.push({ pattern, resolve, reject });
      }),
    type: (data) => child.write(data),
    exited,
  };
}

export interface ScreenLine {
  text: string;
  /** The terminal wrapped the previous line into this one: a row too wide for the screen. */
  wrapped: boolean;
}

/** The screen (with its scrollback) a terminal of `cols` columns shows after these bytes. */
export function screenOf(output: string, cols = 120): Promise<ScreenLine[]> {
  const terminal = new Terminal({ cols, rows: 50, scrollback: 5000, allowProposedApi: true });
  return new Promise((resolve) =>
    terminal.write(output, () => {
      const buffer = terminal.buffer.active;
      const lines: ScreenLine[] = [];
      for (let i = 0; i < buffer.length; i++) {
        const line = buffer.getLine(i)!;
        lines.push({ text: line.translateToString(true), wrapped: line.isWrapped });
      }
      while (lines.length > 0 && lines.at(-1)!.text === '') lines.pop();
      terminal.dispose();
      resolve(lines);
    }),
  );
}

/** SGR (colour) escape sequences. */
export const colourCodes = /\x1b\[[0-9;]*m/;
