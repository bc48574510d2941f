/** The dependency rules of ARCHITECTURE.md hold over src/ (scripts/check-layers.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { check } from '../scripts/check-layers.js';

describe('layers', () => {
  it('no import points up a layer or between separated neighbours, and there is no import cycle', () => {
    const { backArrows, cycles } = check();
    expect(backArrows).to.deep.equal([]);
    expect(cycles).to.deep.equal([]);
  });

  it('store/ alone speaks SQL and opens the database', () => {
    const speaking = /\.prepare\(|\.pragma\(|better-sqlite3/;
    const offenders = sources('src').filter((file) => !file.startsWith(`src${path.sep}store${path.sep}`) && speaking.test(fs.readFileSync(file, 'utf8')));
    expect(offenders).to.deep.equal([]);
  });
});

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}
