/**
 * What a benchmark's measuring process prints (bench-run.ts, bench-fetch-probe.ts): one JSON line
 * that bench.ts, bench-wan.ts and bench-fanout.ts read back.
 */
import type { FetchStats } from '../src/protocol/client.js';

export interface Measurement {
  updates: number;
  seconds: number;
  peakRssMb: number;
  bytes: number;
  /** CPU time of this process (user + system), all threads. */
  cpuSeconds: number;
  /** A sync's fetch: requests, the request window's figures. */
  fetch?: FetchStats;
}

/** This process's measurement since `started` (performance.now()). */
export function measured(started: number, updates: number, bytes: number): Measurement {
  const usage = process.resourceUsage();
  return { updates, seconds: (performance.now() - started) / 1000, peakRssMb: usage.maxRSS / 1024, bytes, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 };
}

/** Runs the measuring `main` and prints its measurement, or the error and exit 1. */
export function printMeasurement(main: () => Promise<Measurement>): void {
  main().then(
    (m) => console.log(JSON.stringify(m)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
