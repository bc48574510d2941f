/**
 * Node.js options the host always runs with. Every launcher passes them before main.js: the
 * PowerShell module, a parent's spawn of a child's sync, the systemd and cron lines, `npm start`
 * and the benchmarks.
 *
 * --max-old-space-size=1024: V8 sizes its heap growth by its limit. With the limit it picks on a
 * machine with plenty of memory (about 4 GB), it lets the old generation reach about four times
 * what is live before collecting; at 1 GB, about 1.6 times. A full sync of 100,000 updates holds
 * about 35 MB live on the main thread, and peaks at about 330 MB RSS with the default limit and
 * about 250 MB with this one, at the same speed (README, Benchmarks). What a sync holds live
 * grows by about 0.3 KB per listed revision, so 1 GB leaves room for millions.
 */
export const hostNodeOptions: readonly string[] = ['--max-old-space-size=1024'];
