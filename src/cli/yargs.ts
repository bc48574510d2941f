/**
 * yargs, as the host's entry points import it. `npm run build` bundles it into the entry points
 * with two patches (scripts/bundle-hosts.ts): loaded as the 30-odd modules of its package, yargs
 * was most of a host start's own CPU, and every cmdlet call, child sync and scheduled task starts a
 * host. Run from source (tsx), this file re-exports the package as it is.
 */
export { default } from 'yargs';
export type { Argv } from 'yargs';
export { hideBin } from 'yargs/helpers';
