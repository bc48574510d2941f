/**
 * Node.js options every launcher passes before main.js (the module, a parent's spawn of a child's
 * sync, systemd and cron lines, `npm start`, the benchmarks). A 1 GB heap limit makes V8 collect
 * sooner: a 100,000-update sync peaks about 80 MB lower at the same speed (README, Benchmarks).
 */
export const hostNodeOptions: readonly string[] = ['--max-old-space-size=1024'];
