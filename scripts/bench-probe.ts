/**
 * Preloaded into a benchmarked supsync process (`node --import dist/scripts/bench-probe.js …`):
 * measures its event-loop delay with perf_hooks and, as it exits, writes that with its CPU time and
 * peak RSS to the file $SUPSYNC_BENCH_PROBE as JSON. Kept out of the product: the host runs unchanged.
 * SIGUSR2 marks the start of the measured work (the fan-out bench sends it to the parent once it
 * listens): the CPU spent from then on is reported apart from the process's start-up.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeFigures {
  /** Event-loop delay in milliseconds (perf_hooks histogram, 10 ms resolution). */
  loopDelayMs: { p50: number; p99: number; max: number; mean: number };
  cpuSeconds: number;
  /** CPU time since SIGUSR2 (undefined when none came). */
  cpuSecondsSinceMark?: number;
  peakRssMb: number;
  seconds: number;
}

const file = process.env.SUPSYNC_BENCH_PROBE;
if (file) {
  const started = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpuSeconds = () => {
    const usage = process.resourceUsage();
    return (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  };
  let mark: number | undefined;
  process.on('SIGUSR2', () => {
    mark = cpuSeconds();
    // The delay before the mark is the start-up's (module loading), not the load's.
    delay.reset();
  });
  process.on('exit', () => {
    delay.disable();
    const usage = process.resourceUsage();
    const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
    const figures: ProbeFigures = {
      loopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean) },
      cpuSeconds: cpuSeconds(),
      ...(mark !== undefined ? { cpuSecondsSinceMark: cpuSeconds() - mark } : {}),
      peakRssMb: usage.maxRSS / 1024,
      seconds: (performance.now() - started) / 1000,
    };
    fs.writeFileSync(file, JSON.stringify(figures));
  });
}
