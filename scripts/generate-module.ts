/**
 * The second step of `npm run build`: writes the PowerShell module (module/SupSync.psd1, .psm1,
 * .Format.ps1xml, .Types.ps1xml) from the command spec. See scripts/module/generate.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModule } from './module/generate.js';

/** The repository root: the nearest directory above this file with a package.json (this runs from dist/scripts). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('generate-module: no package.json above the script');
    dir = parent;
  }
  return dir;
}

const root = repoRoot();
for (const file of writeModule(root)) process.stdout.write(`generate-module: wrote ${path.relative(root, file)}\n`);
