/** Paths to the shared real fixtures (../shared beside the repository) and to the built CLI. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures');
export const wsusssRecorded = path.join(fixturesDir, 'wsusss', 'recorded');
export const catalogFixtures = path.join(fixturesDir, 'catalog');
export const cliPath = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
/** The development entry point: every command plus `catalog serve` and the loopback download options. */
export const devCliPath = path.join(repoRoot, 'dist', 'src', 'dev', 'main.js');
