/**
 * Preloaded into a benchmarked supsync process (`node --import dist/scripts/bench-probe.js …`):
 * measures its event-loop delay with perf_hooks and, as it exits, writes that with its CPU time and
 * peak RSS to the file $SUPSYNC_BENCH_PROBE as JSON. Kept out of the product: the host runs unchanged.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeFigures {
  /** Event-loop delay in milliseconds (perf_hooks histogram, 10 ms resolution). */
  loopDelayMs: { p50: number; p99: number; max: number; mean: number };
  cpuSeconds: number;
  peakRssMb: number;
  seconds: number;
}

const file = process.env.SUPSYNC_BENCH_PROBE;
if (file) {
  const started = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('exit', () => {
    delay.disable();
    const usage = process.resourceUsage();
    const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
    const figures: ProbeFigures = {
      loopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean) },
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      peakRssMb: usage.maxRSS / 1024,
      seconds: (performance.now() - started) / 1000,
    };
    fs.writeFileSync(file, JSON.stringify(figures));
  });
}
