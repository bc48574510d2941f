/**
 * `update list` streams its records: a pipe's writes are asynchronous, so a listing written in one
 * go would sit whole in the host's memory and reach the module only at the end. The handler waits
 * while stdout holds what it wrote, so its reader works on the first records while the rest are made.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CommandContext } from '../src/cli/context.js';
import { updateList } from '../src/cli/commands/updates.js';
import { createOutput } from '../src/cli/output.js';
import { Home } from '../src/store/home.js';
import { corpusSite } from './helpers/corpus-site.js';

/** A stdout that takes writes only while the test lets it (a reader that has stopped reading). */
class HeldStdout extends Writable {
  readonly lines: string[] = [];
  #held: (() => void)[] = [];
  #open = false;
  constructor() {
    super({ highWaterMark: 4096, decodeStrings: false });
  }
  override _write(chunk: string, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(chunk);
    if (this.#open) done();
    else this.#held.push(done);
  }
  open(): void {
    this.#open = true;
    for (const done of this.#held.splice(0)) done();
  }
}

describe('update list streaming', () => {
  let root: string;
  let home: Home;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'supsync-stream-'));
    home = new Home(root);
    await corpusSite(home, 'PS1', { updates: 400, seed: 'stream' });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('waits while stdout holds its records, and writes every record once it takes them', async () => {
    const stdout = new HeldStdout();
    const output = createOutput('clixml', { stdout, stderr: new Writable({ write: (_c, _e, done) => done() }) });
    let emitted = 0;
    const context = {
      home,
      args: { site: 'PS1' },
      emit: (record) => {
        emitted++;
        output.emit(record);
      },
      drained: () => output.drained(),
      output,
    } as CommandContext<Parameters<typeof updateList>[0]['args']>;
    let settled = false;
    const listing = Promise.resolve(updateList(context)).then(() => (settled = true));
    // Every turn of the event loop the held stdout could have let it on: it never does.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'the listing went on while stdout held its records');
    assert.equal(emitted, 64, 'records made before the listing waited: one block');

    stdout.open();
    await listing;
    const records = stdout.lines.join('').split('\n').filter(Boolean);
    assert.equal(records.length, emitted);
    assert.ok(records.length > 64 * 3, `${records.length} records`);
    assert.ok(records.every((line) => line.startsWith('<Obj><TN><T>SupSync.Update</T></TN>')));
    assert.equal(new Set(records.map((line) => /<S N="UpdateId">([^<]+)</.exec(line)?.[1])).size, records.length, 'each update once');
  });
});
