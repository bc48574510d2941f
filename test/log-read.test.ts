/**
 * Reading wsyncmgr.log back for the console: both layouts parse to what was written, types follow
 * CMTrace's highlighting, and the tail reader loses and repeats nothing across a roll-over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { formatLogLine, parseLogLine, readLogSince, readSiteLog, typeFromText } from '../src/log/index.js';
import { createSiteLogger } from '../src/log/site-logger.js';
import { parseListenAddress } from '../src/console/address.js';
import { tempDir } from './helpers/cli.js';

describe('log reader', () => {
  it('parses both layouts back to the message, instant, component, thread and type written', () => {
    const time = new Date('2026-11-23T10:00:41.123Z');
    for (const zone of ['UTC', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata']) {
      for (const format of ['site-server', 'cmtrace'] as const) {
        for (const type of [1, 2, 3] as const) {
          const message = 'Sync failed: a $$< and a ]LOG]!> inside';
          const entry = parseLogLine(formatLogLine(format, { message, time, thread: 4844, type }, zone));
          expect(entry.time?.toISOString(), `${format} ${zone}`).to.equal(time.toISOString());
          expect(entry.component).to.equal('SMS_WSUS_SYNC_MANAGER');
          expect(entry.thread).to.equal(4844);
          // The site-server layout keeps no type: it is read from the text ("failed" is an error).
          expect(entry.type).to.equal(format === 'cmtrace' ? type : 3);
          expect(entry.message).to.equal(format === 'cmtrace' ? 'Sync failed: a $$< and a ]LOG] !> inside' : 'Sync failed: a $ $< and a ]LOG]!> inside');
        }
      }
    }
    expect(parseLogLine('not a log line at all')).to.deep.include({ message: 'not a log line at all', time: undefined, thread: undefined, type: 1 });
  });

  it('types entries as CMTrace highlights them: STATMSG by SEV, otherwise error and warning words', () => {
    expect(typeFromText('STATMSG: ID=6703 SEV=E LEV=M')).to.equal(3);
    expect(typeFromText('STATMSG: ID=6707 SEV=W LEV=M ISTR0="failed"')).to.equal(2);
    expect(typeFromText('STATMSG: ID=6702 SEV=I LEV=M ISTR0="error"')).to.equal(1);
    expect(typeFromText('Sync failed. Will retry in 60 minutes')).to.equal(3);
    expect(typeFromText('Warning: the upstream server changed')).to.equal(2);
    expect(typeFromText('Sync succeeded. Setting sync alert to canceled state on site CS1')).to.equal(1);
  });

  it('follows the tail across roll-overs without losing or repeating an entry', () => {
    const dir = tempDir('supsync-log-read-');
    const write = (from: number, to: number) => {
      const log = createSiteLogger({ logDir: dir, maxBytes: 2000 });
      for (let i = from; i < to; i++) log.info(`line ${i}`);
      log.close();
    };
    write(0, 5);
    const first = readSiteLog(dir);
    const seen = first.entries.map((e) => e.message);
    let cursor = first.cursor;
    // Small steps, each rolling at most once (the tail is read at least once per roll, as the console polls).
    for (let step = 5; step < 100; step += 7) {
      write(step, step + 7);
      const next = readLogSince(dir, cursor);
      seen.push(...next.entries.map((e) => e.message));
      cursor = next.cursor;
    }
    expect(fs.existsSync(path.join(dir, 'wsyncmgr.lo_'))).to.equal(true);
    expect(seen).to.deep.equal(Array.from({ length: 103 }, (_, i) => `line ${i}`).slice(0, seen.length));
    expect(seen.length).to.equal(103);
    expect(readLogSince(dir, cursor).entries).to.deep.equal([]);
  });

  it('reads an address to listen on, or names the flag', () => {
    expect(parseListenAddress('8540', '--admin-listen')).to.deep.equal({ host: '127.0.0.1', port: 8540 });
    expect(parseListenAddress('0.0.0.0:0', '--admin-listen')).to.deep.equal({ host: '0.0.0.0', port: 0 });
    expect(parseListenAddress('[::1]:9000', '--admin-listen')).to.deep.equal({ host: '::1', port: 9000 });
    expect(parseListenAddress('localhost', '--admin-listen')).to.deep.equal({ host: 'localhost', port: 8539 });
    for (const bad of ['', ':80', 'host:99999', 'a b:1', '[zz]:1', 'host:port']) {
      expect(() => parseListenAddress(bad, '--admin-listen'), bad).to.throw(/--admin-listen '.*' is not an address to listen on/);
    }
  });
});
