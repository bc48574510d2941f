/**
 * wsyncmgr.log writer. Every line written is read back with the parser below, which is written
 * from the published layouts (not from src/log): it splits at the first end marker as a naive
 * reader would, and rebuilds the UTC instant from local time + bias on its own.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, InvalidOperationError, IoError } from '../src/errors.js';
import {
  createSiteLogger,
  formatCmtraceLine,
  formatSiteServerLine,
  gmtDate,
  statusMessageLine,
  statusMessages,
  type LogFormat,
  type SiteLogger,
  type StatusMessageId,
} from '../src/log/index.js';
import { repoRoot } from './helpers/fixtures.js';

// ---------------------------------------------------------------- independent reader

interface ParsedLine {
  message: string;
  component: string;
  /** MM-DD-YYYY */
  date: string;
  /** HH:MM:SS.mmm */
  time: string;
  /** The bias exactly as written, e.g. `+420`. */
  biasText: string;
  bias: number;
  thread: number;
  /** Site-server layout only. */
  threadHex?: number;
  /** CMTrace layout only. */
  type?: number;
  context?: string;
  file?: string;
}

const SITE_SERVER_TAIL =
  /^<(?<component>[A-Z_]+)><(?<date>\d\d-\d\d-\d{4}) (?<time>\d\d:\d\d:\d\d\.\d{3})(?<bias>[+-]\d+)><thread=(?<thread>\d+) \(0x(?<hex>[0-9A-F]+)\)>$/;
const CMTRACE_TAIL =
  /^<time="(?<time>\d\d:\d\d:\d\d\.\d{3})(?<bias>[+-]\d+)" date="(?<date>\d\d-\d\d-\d{4})" component="(?<component>[^"]*)" context="(?<context>[^"]*)" type="(?<type>[123])" thread="(?<thread>\d+)" file="(?<file>[^"]*)">$/;

function parseSiteServer(line: string): ParsedLine {
  const at = line.indexOf('$$<');
  expect(at, `no $$< in ${line}`).to.be.greaterThan(-1);
  const head = line.slice(0, at);
  expect(head.endsWith('  '), `two spaces before $$ in ${line}`).to.equal(true);
  const tail = SITE_SERVER_TAIL.exec(line.slice(at + 2));
  expect(tail, `site-server tail of ${line}`).to.not.equal(null);
  const g = tail?.groups ?? {};
  return {
    message: head.slice(0, -2),
    component: g.component ?? '',
    date: g.date ?? '',
    time: g.time ?? '',
    biasText: g.bias ?? '',
    bias: Number(g.bias),
    thread: Number(g.thread),
    threadHex: Number.parseInt(g.hex ?? '', 16),
  };
}

function parseCmtrace(line: string): ParsedLine {
  expect(line.startsWith('<![LOG['), `start marker in ${line}`).to.equal(true);
  const end = line.indexOf(']LOG]!>');
  expect(end, `end marker in ${line}`).to.be.greaterThan(-1);
  const tail = CMTRACE_TAIL.exec(line.slice(end + ']LOG]!>'.length));
  expect(tail, `cmtrace tail of ${line}`).to.not.equal(null);
  const g = tail?.groups ?? {};
  return {
    message: line.slice('<![LOG['.length, end),
    component: g.component ?? '',
    date: g.date ?? '',
    time: g.time ?? '',
    biasText: g.bias ?? '',
    bias: Number(g.bias),
    thread: Number(g.thread),
    type: Number(g.type),
    context: g.context ?? '',
    file: g.file ?? '',
  };
}

const parseLine = (layout: LogFormat, line: string): ParsedLine => (layout === 'cmtrace' ? parseCmtrace(line) : parseSiteServer(line));

/** The instant a line names: local wall clock plus the bias (UTC = local + bias). */
function utcOf(parsed: ParsedLine): number {
  const [month, day, year] = parsed.date.split('-').map(Number) as [number, number, number];
  const [hms, ms] = parsed.time.split('.') as [string, string];
  const [hour, minute, second] = hms.split(':').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day, hour, minute, second, Number(ms)) + parsed.bias * 60_000;
}

interface ParsedStatus {
  id: number;
  sev: string;
  lev: string;
  source: string;
  comp: string;
  sys: string;
  site: string;
  pid: number;
  tid: number;
  gmtdate: string;
  istr: string[];
  numattrs: number;
}

const STATMSG = new RegExp(
  '^STATMSG: ID=(?<id>\\d+) SEV=(?<sev>[IWE]) LEV=(?<lev>\\w) SOURCE="(?<source>[^"]*)" COMP="(?<comp>[^"]*)" ' +
    'SYS=(?<sys>\\S+) SITE=(?<site>\\w{3}) PID=(?<pid>\\d+) TID=(?<tid>\\d+) ' +
    'GMTDATE=(?<gmtdate>(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\d{4}) ' +
    Array.from({ length: 10 }, (_, i) => `ISTR${i}="(?<istr${i}>[^"]*)"`).join(' ') +
    ' NUMATTRS=(?<numattrs>\\d+)$',
);

function parseStatus(text: string): ParsedStatus {
  const match = STATMSG.exec(text);
  expect(match, `STATMSG layout of ${text}`).to.not.equal(null);
  const g = match?.groups ?? {};
  return {
    id: Number(g.id),
    sev: g.sev ?? '',
    lev: g.lev ?? '',
    source: g.source ?? '',
    comp: g.comp ?? '',
    sys: g.sys ?? '',
    site: g.site ?? '',
    pid: Number(g.pid),
    tid: Number(g.tid),
    gmtdate: g.gmtdate ?? '',
    istr: Array.from({ length: 10 }, (_, i) => g[`istr${i}`] ?? ''),
    numattrs: Number(g.numattrs),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Mon Nov 23 19:25:15.123 2026` as epoch milliseconds. */
function gmtMs(text: string): number {
  const match = /^\w{3} (\w{3}) (\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) (\d{4})$/.exec(text);
  expect(match, text).to.not.equal(null);
  const [, month, day, hour, minute, second, ms, year] = match as unknown as string[];
  return Date.UTC(Number(year), MONTHS.indexOf(month ?? ''), Number(day), Number(hour), Number(minute), Number(second), Number(ms));
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The lines of a log file, checking its BOM and CRLF endings on the way. */
function readLog(file: string): string[] {
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 3).equals(BOM), `${file} starts with a UTF-8 BOM`).to.equal(true);
  const text = bytes.subarray(3).toString('utf8');
  if (text === '') return [];
  expect(text.endsWith('\r\n'), `${file} ends with CRLF`).to.equal(true);
  const lines = text.slice(0, -2).split('\r\n');
  for (const line of lines) expect(/[\r\n]/.test(line), `a bare CR or LF inside ${JSON.stringify(line)}`).to.equal(false);
  return lines;
}

// ---------------------------------------------------------------- fixtures

let tempDir = '';
let openLoggers: SiteLogger[] = [];

beforeEach(() => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'supsync-log-'));
});

afterEach(() => {
  for (const logger of openLoggers) logger.close();
  openLoggers = [];
  fs.rmSync(tempDir, { recursive: true, force: true });
});

function logger(options: Partial<Parameters<typeof createSiteLogger>[0]> = {}): SiteLogger {
  const created = createSiteLogger({ logDir: tempDir, ...options });
  openLoggers.push(created);
  return created;
}

const logPath = (): string => path.join(tempDir, 'wsyncmgr.log');
const rolledPath = (): string => path.join(tempDir, 'wsyncmgr.lo_');

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  expect.fail('expected an error');
}

/** Messages that stress the layouts, with what each reader must get back. */
const MESSAGES: { input: string; siteServer: string; cmtrace: string }[] = [
  { input: 'Starting Sync', siteServer: 'Starting Sync', cmtrace: 'Starting Sync' },
  { input: '', siteServer: '', cmtrace: '' },
  { input: 'two\nlines', siteServer: 'two lines', cmtrace: 'two lines' },
  { input: 'crlf\r\nend', siteServer: 'crlf end', cmtrace: 'crlf end' },
  { input: 'cr\rend', siteServer: 'cr end', cmtrace: 'cr end' },
  { input: 'blank\n\nline', siteServer: 'blank  line', cmtrace: 'blank  line' },
  { input: 'sep\u2028para\u2029nel\u0085end', siteServer: 'sep para nel end', cmtrace: 'sep para nel end' },
  { input: 'nul\u0000bell\u0007del\u007f', siteServer: 'nul bell del ', cmtrace: 'nul bell del ' },
  { input: 'tab\tkept', siteServer: 'tab\tkept', cmtrace: 'tab\tkept' },
  { input: 'quotes "double" \'single\' <angle> & amp', siteServer: 'quotes "double" \'single\' <angle> & amp', cmtrace: 'quotes "double" \'single\' <angle> & amp' },
  { input: 'non-ASCII: é ü ß 日本語 🚀 Ω', siteServer: 'non-ASCII: é ü ß 日本語 🚀 Ω', cmtrace: 'non-ASCII: é ü ß 日本語 🚀 Ω' },
  { input: 'end marker ]LOG]!> inside', siteServer: 'end marker ]LOG]!> inside', cmtrace: 'end marker ]LOG] !> inside' },
  { input: 'start marker <![LOG[ inside', siteServer: 'start marker <![LOG[ inside', cmtrace: 'start marker <! [LOG[ inside' },
  { input: 'dollar $$<FAKE><x> inside', siteServer: 'dollar $ $<FAKE><x> inside', cmtrace: 'dollar $$<FAKE><x> inside' },
  { input: 'trailing spaces  ', siteServer: 'trailing spaces  ', cmtrace: 'trailing spaces  ' },
  { input: 'Sync failed: C:\\Program Files\\x [0x80072EE2]. Source: CWSyncMgr::DoSync', siteServer: 'Sync failed: C:\\Program Files\\x [0x80072EE2]. Source: CWSyncMgr::DoSync', cmtrace: 'Sync failed: C:\\Program Files\\x [0x80072EE2]. Source: CWSyncMgr::DoSync' },
];

// ---------------------------------------------------------------- pure formats

describe('wsyncmgr.log line formats', () => {
  it('reproduces the real example lines of the brief byte for byte', () => {
    expect(formatSiteServerLine({ message: 'Starting Sync', time: new Date('2022-11-30T00:03:34.174Z'), thread: 4844 }, 'Europe/Berlin')).to.equal(
      'Starting Sync  $$<SMS_WSUS_SYNC_MANAGER><11-30-2022 01:03:34.174-60><thread=4844 (0x12EC)>',
    );
    expect(
      formatCmtraceLine({ message: 'Done', time: new Date('2015-06-26T21:24:33.329Z'), thread: 1256, type: 1, file: 'wsyncmgr.cpp:1626' }, 'America/Los_Angeles'),
    ).to.equal(
      '<![LOG[Done]LOG]!><time="14:24:33.329+420" date="06-26-2015" component="SMS_WSUS_SYNC_MANAGER" context="" type="1" thread="1256" file="wsyncmgr.cpp:1626">',
    );
  });

  const zones = [
    { zone: 'America/Los_Angeles', instant: '2026-07-15T08:03:04.005Z', date: '07-15-2026', time: '01:03:04.005', bias: '+420' },
    { zone: 'America/Los_Angeles', instant: '2026-01-15T08:03:04.005Z', date: '01-15-2026', time: '00:03:04.005', bias: '+480' },
    { zone: 'Europe/Berlin', instant: '2026-07-15T08:03:04.005Z', date: '07-15-2026', time: '10:03:04.005', bias: '-120' },
    { zone: 'Europe/Berlin', instant: '2026-01-15T08:03:04.005Z', date: '01-15-2026', time: '09:03:04.005', bias: '-60' },
    { zone: 'UTC', instant: '2026-07-15T08:03:04.005Z', date: '07-15-2026', time: '08:03:04.005', bias: '+000' },
    { zone: 'UTC', instant: '2026-01-15T23:59:59.999Z', date: '01-15-2026', time: '23:59:59.999', bias: '+000' },
  ];
  for (const { zone, instant, date, time, bias } of zones) {
    it(`writes ${instant} in ${zone} as ${date} ${time}${bias} in both layouts`, () => {
      const entry = { message: 'Wakeup for scheduled regular sync', time: new Date(instant), thread: 4844, type: 2 as const, file: 'sync.ts:12' };
      const site = parseSiteServer(formatSiteServerLine(entry, zone));
      const cm = parseCmtrace(formatCmtraceLine(entry, zone));
      for (const parsed of [site, cm]) {
        expect(parsed.date).to.equal(date);
        expect(parsed.time).to.equal(time);
        expect(parsed.biasText).to.equal(bias);
        expect(parsed.component).to.equal('SMS_WSUS_SYNC_MANAGER');
        expect(parsed.message).to.equal('Wakeup for scheduled regular sync');
        expect(parsed.thread).to.equal(4844);
        expect(utcOf(parsed)).to.equal(Date.parse(instant));
      }
      expect(site.threadHex).to.equal(4844);
      expect(cm.type).to.equal(2);
      expect(cm.context).to.equal('');
      expect(cm.file).to.equal('sync.ts:12');
    });
  }

  it('follows daylight saving switches to the millisecond', () => {
    const at = (instant: string, zone: string): string => {
      const p = parseSiteServer(formatSiteServerLine({ message: 'x', time: new Date(instant), thread: 1 }, zone));
      return `${p.date} ${p.time}${p.biasText}`;
    };
    expect(at('2026-03-08T09:59:59.999Z', 'America/Los_Angeles')).to.equal('03-08-2026 01:59:59.999+480');
    expect(at('2026-03-08T10:00:00.000Z', 'America/Los_Angeles')).to.equal('03-08-2026 03:00:00.000+420');
    expect(at('2026-10-25T00:59:59.999Z', 'Europe/Berlin')).to.equal('10-25-2026 02:59:59.999-120');
    expect(at('2026-10-25T01:00:00.000Z', 'Europe/Berlin')).to.equal('10-25-2026 02:00:00.000-60');
    expect(at('2026-12-31T23:30:00.000Z', 'Europe/Berlin')).to.equal('01-01-2027 00:30:00.000-60');
    expect(at('2027-01-01T05:00:00.000Z', 'America/Los_Angeles')).to.equal('12-31-2026 21:00:00.000+480');
    expect(at('2026-01-15T00:00:00.000Z', 'UTC')).to.equal('01-15-2026 00:00:00.000+000');
  });

  it('writes odd biases as Windows does: minutes, sign of UTC minus local', () => {
    const bias = (zone: string, instant: string): string =>
      parseCmtrace(formatCmtraceLine({ message: 'x', time: new Date(instant), thread: 1 }, zone)).biasText;
    expect(bias('Asia/Kolkata', '2026-07-15T00:00:00Z')).to.equal('-330');
    expect(bias('Asia/Kathmandu', '2026-07-15T00:00:00Z')).to.equal('-345');
    expect(bias('Pacific/Kiritimati', '2026-07-15T00:00:00Z')).to.equal('-840');
    expect(bias('America/St_Johns', '2026-01-15T00:00:00Z')).to.equal('+210');
    expect(bias('Atlantic/Azores', '2026-01-15T00:00:00Z')).to.equal('+060');
  });

  it('writes the thread in decimal and upper-case hex', () => {
    for (const thread of [0, 9, 255, 4844, 65535, 4_194_304]) {
      const parsed = parseSiteServer(formatSiteServerLine({ message: 'x', time: new Date(0), thread }, 'UTC'));
      expect(parsed.thread).to.equal(thread);
      expect(parsed.threadHex).to.equal(thread);
    }
    expect(formatSiteServerLine({ message: 'x', time: new Date(0), thread: 0xabc }, 'UTC')).to.contain('<thread=2748 (0xABC)>');
  });

  it('keeps every message on one line and unbroken in both layouts', () => {
    for (const { input, siteServer, cmtrace } of MESSAGES) {
      const entry = { message: input, time: new Date('2026-07-15T08:03:04.005Z'), thread: 7 };
      const site = formatSiteServerLine(entry, 'UTC');
      const cm = formatCmtraceLine(entry, 'UTC');
      for (const line of [site, cm]) expect(/[\r\n\u2028\u2029\u0085]/.test(line), JSON.stringify(line)).to.equal(false);
      expect(parseSiteServer(site).message, JSON.stringify(input)).to.equal(siteServer);
      expect(parseCmtrace(cm).message, JSON.stringify(input)).to.equal(cmtrace);
    }
  });

  it('keeps a quote in the source location from ending file="…" early', () => {
    const line = formatCmtraceLine({ message: 'x', time: new Date(0), thread: 1, file: 'we"ird.ts:3' }, 'UTC');
    expect(parseCmtrace(line).file).to.equal("we'ird.ts:3");
  });

  it('rejects an unknown time zone and an invalid time', () => {
    const zoneError = thrown(() => formatSiteServerLine({ message: 'x', time: new Date(0), thread: 1 }, 'Mars/Olympus_Mons'));
    expect(zoneError).to.be.instanceOf(InvalidArgumentError);
    expect(zoneError).to.include({ code: 'InvalidTimeZone', target: 'Mars/Olympus_Mons' });
    const timeError = thrown(() => formatCmtraceLine({ message: 'x', time: new Date(Number.NaN), thread: 1 }, 'UTC'));
    expect(timeError).to.be.instanceOf(InvalidArgumentError);
    expect(timeError).to.include({ code: 'InvalidLogTime' });
  });
});

describe('STATMSG lines', () => {
  it('reproduces the STATMSG line of Microsoft\'s wsyncmgr.log example', () => {
    const line = statusMessageLine(
      { id: 6701, system: 'CS1SITE.CONTOSO.COM', site: 'CS1', time: new Date('2014-01-16T18:53:52.608Z') },
      { pid: 432, thread: 3404 },
    );
    expect(line).to.equal(
      'STATMSG: ID=6701 SEV=I LEV=M SOURCE="SMS Server" COMP="SMS_WSUS_SYNC_MANAGER" SYS=CS1SITE.CONTOSO.COM SITE=CS1 PID=432 TID=3404 ' +
        'GMTDATE=Thu Jan 16 18:53:52.608 2014 ISTR0="" ISTR1="" ISTR2="" ISTR3="" ISTR4="" ISTR5="" ISTR6="" ISTR7="" ISTR8="" ISTR9="" NUMATTRS=0',
    );
  });

  it('parses back field by field, insertion strings in order and quotes neutralised', () => {
    const parsed = parseStatus(
      statusMessageLine(
        {
          id: 6703,
          system: 'cm01.corp.contoso.com',
          site: 'PS1',
          time: new Date('2018-10-09T22:36:30.986Z'),
          properties: ['Failed to sync update "KB5001"', 'Source: upstream', 'é 日本'],
        },
        { pid: 924, thread: 1424 },
      ),
    );
    expect(parsed).to.deep.equal({
      id: 6703,
      sev: 'E',
      lev: 'M',
      source: 'SMS Server',
      comp: 'SMS_WSUS_SYNC_MANAGER',
      sys: 'cm01.corp.contoso.com',
      site: 'PS1',
      pid: 924,
      tid: 1424,
      gmtdate: 'Tue Oct 09 22:36:30.986 2018',
      istr: ["Failed to sync update 'KB5001'", 'Source: upstream', 'é 日本', '', '', '', '', '', '', ''],
      numattrs: 0,
    });
  });

  it('takes each id\'s severity from the table unless told otherwise', () => {
    const sev = (id: StatusMessageId, severity?: 'I' | 'W' | 'E'): string =>
      parseStatus(statusMessageLine({ id, system: 'a.b', site: 'CS1', ...(severity === undefined ? {} : { severity }) })).sev;
    expect([6701, 6702, 6703, 6704, 6705, 6706, 6707, 6708].map((id) => sev(id as StatusMessageId))).to.deep.equal(['I', 'I', 'E', 'I', 'I', 'I', 'W', 'W']);
    expect(sev(6702, 'W')).to.equal('W');
  });

  it('describes the ids 6701–6708 with the sync phases', () => {
    expect(Object.keys(statusMessages)).to.deep.equal(['6701', '6702', '6703', '6704', '6705', '6706', '6707', '6708']);
    expect(statusMessages[6704].meaning).to.contain('Synchronizing WSUS Server');
    expect(statusMessages[6705].meaning).to.contain('Synchronizing site database');
    expect(statusMessages[6706].meaning).to.contain('Synchronizing Internet facing WSUS Server');
    expect(statusMessages[6703].severity).to.equal('E');
  });

  it('writes GMTDATE in UTC with a zero-padded day', () => {
    expect(gmtDate(new Date('2026-03-01T00:00:00.007Z'))).to.equal('Sun Mar 01 00:00:00.007 2026');
    expect(gmtDate(new Date('2026-11-23T19:25:15.123Z'))).to.equal('Mon Nov 23 19:25:15.123 2026');
  });

  it('rejects what it cannot write faithfully', () => {
    const cases: [() => unknown, string][] = [
      [() => statusMessageLine({ id: 6799 as StatusMessageId, system: 'a.b', site: 'CS1' }), 'UnknownStatusMessageId'],
      [() => statusMessageLine({ id: 6701, system: 'a.b', site: 'CS12' }), 'InvalidSiteCode'],
      [() => statusMessageLine({ id: 6701, system: 'has space', site: 'CS1' }), 'InvalidStatusMessage'],
      [() => statusMessageLine({ id: 6701, system: 'a.b', site: 'CS1', properties: Array.from({ length: 11 }, () => 'x') }), 'InvalidStatusMessage'],
    ];
    for (const [action, code] of cases) {
      const error = thrown(action);
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(error).to.include({ code });
    }
  });
});

// ---------------------------------------------------------------- the file

describe('wsyncmgr.log file', () => {
  const expectedBiases: Record<string, number[]> = { 'America/Los_Angeles': [420, 480], 'Europe/Berlin': [-60, -120], UTC: [0] };
  for (const zone of Object.keys(expectedBiases)) {
    for (const layout of ['site-server', 'cmtrace'] as const) {
      it(`writes lines that parse back field by field (${layout}, ${zone})`, () => {
        const before = Date.now();
        const log = logger({ format: layout, timeZone: zone });
        for (const { input } of MESSAGES) log.info(input);
        log.warn('Sync failed. Will retry in 60 minutes');
        log.error('Too many consecutive failures. Aborting sync.');
        log.status({ id: 6703, system: 'cm01.contoso.com', site: 'CS1', properties: ['line one\nline two', 'q"uote'] });
        log.status({ id: 6702, system: 'cm01.contoso.com', site: 'CS1' });
        const after = Date.now();

        const lines = readLog(log.path).map((line) => parseLine(layout, line));
        expect(lines).to.have.length(MESSAGES.length + 4);
        const expected = [
          ...MESSAGES.map((m) => ({ message: layout === 'cmtrace' ? m.cmtrace : m.siteServer, type: 1 })),
          { message: 'Sync failed. Will retry in 60 minutes', type: 2 },
          { message: 'Too many consecutive failures. Aborting sync.', type: 3 },
        ];
        expected.forEach(({ message, type }, i) => {
          const line = lines[i] as ParsedLine;
          expect(line.message).to.equal(message);
          if (layout === 'cmtrace') expect(line.type).to.equal(type);
        });
        for (const line of lines) {
          expect(line.component).to.equal('SMS_WSUS_SYNC_MANAGER');
          expect(line.thread).to.equal(process.pid);
          expect(expectedBiases[zone]).to.include(line.bias);
          expect(utcOf(line)).to.be.within(before, after);
          if (layout === 'site-server') expect(line.threadHex).to.equal(process.pid);
          else {
            expect(line.context).to.equal('');
            expect(line.file).to.match(/^log\.test\.ts:\d+$/);
          }
        }

        const failed = lines[MESSAGES.length + 2] as ParsedLine;
        const done = lines[MESSAGES.length + 3] as ParsedLine;
        if (layout === 'cmtrace') {
          expect(failed.type).to.equal(3);
          expect(done.type).to.equal(1);
        }
        const failedStatus = parseStatus(failed.message);
        expect(failedStatus).to.include({ id: 6703, sev: 'E', sys: 'cm01.contoso.com', site: 'CS1', pid: process.pid, tid: process.pid, numattrs: 0 });
        expect(failedStatus.istr.slice(0, 3)).to.deep.equal(['line one line two', "q'uote", '']);
        expect(gmtMs(failedStatus.gmtdate)).to.be.within(before, after);
        expect(parseStatus(done.message)).to.include({ id: 6702, sev: 'I' });
      });
    }
  }

  it('records the calling line as file="name:line" in the CMTrace layout', () => {
    const log = logger({ format: 'cmtrace', timeZone: 'UTC' });
    log.info('first');
    log.info('second');
    const [first, second] = readLog(log.path).map(parseCmtrace) as [ParsedLine, ParsedLine];
    const lineOf = (p: ParsedLine): number => Number(p.file?.split(':')[1]);
    expect(first.file?.split(':')[0]).to.equal('log.test.ts');
    expect(lineOf(second)).to.equal(lineOf(first) + 1);
  });

  it('creates the directory, then appends to an existing log without a second BOM', () => {
    const dir = path.join(tempDir, 'Logs', 'nested');
    const one = createSiteLogger({ logDir: dir, timeZone: 'UTC' });
    one.info('one');
    one.close();
    const two = createSiteLogger({ logDir: dir, timeZone: 'UTC' });
    two.info('two');
    two.close();
    const bytes = fs.readFileSync(path.join(dir, 'wsyncmgr.log'));
    expect(bytes.indexOf(BOM, 1)).to.equal(-1);
    expect(readLog(path.join(dir, 'wsyncmgr.log')).map((l) => parseSiteServer(l).message)).to.deep.equal(['one', 'two']);
  });

  it('fails with IoError LogWriteFailed naming the path when the directory cannot be written', () => {
    const blocker = path.join(tempDir, 'a-file');
    fs.writeFileSync(blocker, 'not a directory');
    const logDir = path.join(blocker, 'logs');
    const error = thrown(() => createSiteLogger({ logDir }));
    expect(error).to.be.instanceOf(IoError);
    expect(error).to.include({ code: 'LogWriteFailed', category: 'WriteError', exitCode: 8, target: logDir });
    expect((error as Error).message).to.contain(logDir);
  });

  it('throws IoError from the call whose line could not be written, and recovers after', () => {
    const log = logger({ timeZone: 'UTC' });
    log.info('before');
    fs.rmSync(logPath());
    fs.mkdirSync(logPath());
    const error = thrown(() => log.info('lost'));
    expect(error).to.be.instanceOf(IoError);
    expect(error).to.include({ code: 'LogWriteFailed', target: logPath() });
    fs.rmdirSync(logPath());
    log.info('after');
    log.warn('and on');
    expect(readLog(logPath()).map((l) => parseSiteServer(l).message)).to.deep.equal(['after', 'and on']);
  });

  it('starts a new file with a BOM when the log was deleted under it', () => {
    const log = logger({ timeZone: 'UTC' });
    log.info('old');
    fs.rmSync(logPath());
    log.info('new');
    expect(readLog(logPath()).map((l) => parseSiteServer(l).message)).to.deep.equal(['new']);
  });

  it('refuses to log after close, and closing twice is harmless', () => {
    const log = createSiteLogger({ logDir: tempDir });
    log.info('x');
    log.close();
    log.close();
    const error = thrown(() => log.info('late'));
    expect(error).to.be.instanceOf(InvalidOperationError);
    expect(error).to.include({ code: 'LoggerClosed' });
  });

  it('rejects a size limit that is not a positive number of bytes, and an unknown time zone', () => {
    for (const maxBytes of [0, 3, -5, 1.5, Number.NaN]) {
      expect(thrown(() => createSiteLogger({ logDir: tempDir, maxBytes }))).to.include({ code: 'InvalidLogMaxBytes' });
    }
    expect(thrown(() => createSiteLogger({ logDir: tempDir, timeZone: 'Nowhere/Special' }))).to.include({ code: 'InvalidTimeZone' });
  });
});

// ---------------------------------------------------------------- roll-over

describe('wsyncmgr.log roll-over', () => {
  const readOrUndefined = (file: string): Buffer | undefined => (fs.existsSync(file) ? fs.readFileSync(file) : undefined);

  it('rolls to wsyncmgr.lo_ at the limit, replaces the previous .lo_, and loses or splits no line', () => {
    const maxBytes = 1024;
    const log = logger({ maxBytes, timeZone: 'UTC' });
    const rolled: Buffer[] = [];
    for (let i = 0; rolled.length < 3; i++) {
      expect(i, 'rolled three times within 200 lines').to.be.lessThan(200);
      const message = `Synchronizing update ${String(i).padStart(4, '0')} - ${'é'.repeat(i % 7)}${'x'.repeat(20 + ((i * 13) % 50))}`;
      const before = readOrUndefined(logPath()) ?? BOM;
      const rolledBefore = readOrUndefined(rolledPath());
      log.info(message);
      const after = fs.readFileSync(logPath());
      const rolledAfter = readOrUndefined(rolledPath());
      let added: Buffer;
      if (rolledAfter !== undefined && (rolledBefore === undefined || !rolledAfter.equals(rolledBefore))) {
        // This line rolled: the .lo_ now holds exactly the file as it was, the new file just this line.
        expect(rolledAfter.equals(before), `roll at line ${i}`).to.equal(true);
        rolled.push(rolledAfter);
        expect(after.subarray(0, 3).equals(BOM)).to.equal(true);
        added = after.subarray(3);
      } else {
        expect(after.subarray(0, before.length).equals(before), `append at line ${i}`).to.equal(true);
        added = after.subarray(before.length);
      }
      const text = added.toString('utf8');
      expect(text.endsWith('\r\n') && text.indexOf('\r\n') === text.length - 2, `one whole line added at ${i}`).to.equal(true);
      expect(parseSiteServer(text.slice(0, -2)).message).to.equal(message);
      expect(after.length).to.be.at.most(maxBytes);
    }
    expect(fs.readdirSync(tempDir).sort()).to.deep.equal(['wsyncmgr.lo_', 'wsyncmgr.log']);
    // Each .lo_ replaced the one before; together with the log they hold a gap-free sequence.
    const numbers = (file: Buffer): number[] =>
      file
        .subarray(3)
        .toString('utf8')
        .split('\r\n')
        .filter((l) => l !== '')
        .map((l) => Number(/^Synchronizing update (\d{4})/.exec(parseSiteServer(l).message)?.[1]));
    const sequence = [...rolled, fs.readFileSync(logPath())].flatMap(numbers);
    expect(sequence).to.deep.equal(sequence.map((_, i) => i));
    expect(numbers(fs.readFileSync(rolledPath()))).to.deep.equal(numbers(rolled[2] as Buffer));
  });

  it('writes a line longer than the limit whole, into a file of its own', () => {
    const log = logger({ maxBytes: 200, timeZone: 'UTC' });
    log.info('short');
    const long = `long ${'y'.repeat(500)}`;
    log.info(long);
    expect(readLog(rolledPath()).map((l) => parseSiteServer(l).message)).to.deep.equal(['short']);
    expect(readLog(logPath()).map((l) => parseSiteServer(l).message)).to.deep.equal([long]);
    log.info('next');
    expect(readLog(rolledPath()).map((l) => parseSiteServer(l).message)).to.deep.equal([long]);
    expect(readLog(logPath()).map((l) => parseSiteServer(l).message)).to.deep.equal(['next']);
  });

  it('keeps writing to wsyncmgr.log when wsyncmgr.lo_ cannot be replaced', () => {
    fs.mkdirSync(path.join(rolledPath(), 'in-the-way'), { recursive: true });
    const log = logger({ maxBytes: 300, timeZone: 'UTC' });
    const messages = Array.from({ length: 12 }, (_, i) => `line ${i}`);
    for (const message of messages) log.info(message);
    expect(readLog(logPath()).map((l) => parseSiteServer(l).message)).to.deep.equal(messages);
    fs.rmSync(rolledPath(), { recursive: true });
    log.info('rolled now');
    expect(readLog(rolledPath()).map((l) => parseSiteServer(l).message)).to.deep.equal(messages);
    expect(readLog(logPath()).map((l) => parseSiteServer(l).message)).to.deep.equal(['rolled now']);
  });

  it('waits briefly for the holder of a fresh lock, then writes on; breaks a stale lock', () => {
    const lock = `${logPath()}.lock`;
    const log = logger({ maxBytes: 300, timeZone: 'UTC' });
    fs.writeFileSync(lock, '');
    const messages = Array.from({ length: 5 }, (_, i) => `line ${i}`);
    const started = Date.now();
    for (const message of messages) log.info(message);
    // Three lines fit; the other two each waited for the lock before writing on.
    expect(Date.now() - started).to.be.at.least(2 * 250);
    expect(fs.existsSync(rolledPath())).to.equal(false);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, aMinuteAgo, aMinuteAgo);
    log.info('rolled now');
    expect(readLog(rolledPath()).map((l) => parseSiteServer(l).message)).to.deep.equal(messages);
    expect(fs.existsSync(lock)).to.equal(false);
  });
});

// ---------------------------------------------------------------- other processes

interface ChildResult {
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The built log module (the code the product's processes run): another process loads it as plain
 * JavaScript, where tsx's loader would cost each child about 0.3 CPU-s more than the work it does.
 */
function builtLogModule(): string {
  const file = path.join(repoRoot, 'dist', 'src', 'log', 'index.js');
  if (!fs.existsSync(file)) throw new Error(`Build first (npm run build): ${file} is missing`);
  return pathToFileURL(file).href;
}

/** Runs an ES module snippet in a fresh node, with the built log module's URL in SUPSYNC_LOG_MODULE. */
function runChild(script: string, env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: { ...process.env, ...env, SUPSYNC_LOG_MODULE: builtLogModule() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ pid: child.pid ?? -1, code, stdout, stderr }));
  });
}

/**
 * Writes LINES lines `child=<ID> seq=<n> <ID repeated>` in ROUNDS rounds; before each round it waits
 * for the test's "go", which the test sends once both children are ready: the two write each round
 * at the same time, whatever the load on the machine (a start time on the clock would not ensure it).
 */
const WRITER = `
const { createSiteLogger } = await import(process.env.SUPSYNC_LOG_MODULE);
const env = process.env;
const log = createSiteLogger({ logDir: env.LOG_DIR, timeZone: 'UTC', maxBytes: Number(env.MAX_BYTES) });
const perRound = Number(env.LINES) / Number(env.ROUNDS);
for (let round = 0; round < Number(env.ROUNDS); round++) {
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send('ready');
  await go;
  for (let i = round * perRound; i < (round + 1) * perRound; i++) log.info('child=' + env.ID + ' seq=' + i + ' ' + env.ID.repeat(20 + (i * 37) % 300));
}
log.close();
process.disconnect();
`;

/** Runs the WRITER children side by side, sending both "go" each time both are ready for a round. */
function runWriters(ids: string[], env: Record<string, string>): Promise<ChildResult[]> {
  const children = ids.map((id) =>
    spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
      cwd: repoRoot,
      env: { ...process.env, ...env, ID: id, SUPSYNC_LOG_MODULE: builtLogModule() },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  let ready = 0;
  for (const child of children) {
    child.on('message', () => {
      ready += 1;
      if (ready < children.length) return;
      ready = 0;
      for (const each of children) if (each.connected) each.send('go');
    });
  }
  return Promise.all(
    children.map(
      (child) =>
        new Promise<ChildResult>((resolve, reject) => {
          let stdout = '';
          let stderr = '';
          child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
          child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
          child.on('error', reject);
          child.on('close', (code) => resolve({ pid: child.pid ?? -1, code, stdout, stderr }));
        }),
    ),
  );
}

describe('wsyncmgr.log shared by processes', () => {
  const LINES = 2000;
  const ROUNDS = 20;

  async function writeConcurrently(maxBytes: number): Promise<Map<string, number>> {
    const results = await runWriters(['A', 'B'], { LOG_DIR: tempDir, MAX_BYTES: String(maxBytes), LINES: String(LINES), ROUNDS: String(ROUNDS) });
    for (const result of results) expect(result, result.stderr).to.include({ code: 0, stdout: '', stderr: '' });
    return new Map(results.map((result, i) => [i === 0 ? 'A' : 'B', result.pid]));
  }

  /** Checks every line of a file is whole and well-formed; returns the sequence numbers per child. */
  function checkLines(file: string, pids: Map<string, number>): Map<string, number[]> {
    const seqs = new Map<string, number[]>([
      ['A', []],
      ['B', []],
    ]);
    for (const line of readLog(file)) {
      const parsed = parseSiteServer(line);
      const match = /^child=([AB]) seq=(\d+) ([AB]+)$/.exec(parsed.message);
      expect(match, `whole line: ${line}`).to.not.equal(null);
      const [, id, seq, body] = match as unknown as [string, string, string, string];
      expect(body).to.equal(id.repeat(20 + ((Number(seq) * 37) % 300)));
      expect(parsed.thread).to.equal(pids.get(id));
      seqs.get(id)?.push(Number(seq));
    }
    return seqs;
  }

  it('two processes appending at once produce only whole lines, none lost', async () => {
    const pids = await writeConcurrently(64 * 1024 * 1024);
    const seqs = checkLines(logPath(), pids);
    // The children really did write at the same time: their lines alternate in the file (each round holds both).
    const ids = readLog(logPath()).map((line) => parseSiteServer(line).message.slice('child='.length, 'child='.length + 1));
    expect(ids.filter((id, i) => i > 0 && id !== ids[i - 1]).length).to.be.greaterThan(10);
    const all = Array.from({ length: LINES }, (_, i) => i);
    expect(seqs.get('A')).to.deep.equal(all);
    expect(seqs.get('B')).to.deep.equal(all);
  });

  it('two processes rolling over at once leave whole lines in order in both files', async () => {
    const maxBytes = 16 * 1024;
    const pids = await writeConcurrently(maxBytes);
    const older = checkLines(rolledPath(), pids);
    const newer = checkLines(logPath(), pids);
    for (const id of ['A', 'B']) {
      const sequence = [...(older.get(id) ?? []), ...(newer.get(id) ?? [])];
      expect(sequence, `child ${id} in order across the files`).to.deep.equal([...sequence].sort((a, b) => a - b));
      expect(new Set(sequence).size).to.equal(sequence.length);
    }
    // Whichever child wrote last, its last line is in the current log.
    expect([newer.get('A')?.at(-1), newer.get('B')?.at(-1)]).to.include(LINES - 1);
    // A writer that finds another rolling may finish its one line in the full file.
    // 'child=A seq=1999 ' + up to 319 letters + the ~90-byte suffix and CRLF.
    const longestLine = 450;
    for (const file of [logPath(), rolledPath()]) expect(fs.statSync(file).size).to.be.at.most(maxBytes + 2 * longestLine);
    expect(fs.readdirSync(tempDir).sort()).to.deep.equal(['wsyncmgr.lo_', 'wsyncmgr.log']);
  });

  const MIRROR = `
const { createSiteLogger } = await import(process.env.SUPSYNC_LOG_MODULE);
const options = JSON.parse(process.env.OPTIONS);
const log = createSiteLogger({ logDir: process.env.LOG_DIR, ...options });
log.info('Starting Sync\\nsecond line');
log.warn('Sync failed. Will retry in 60 minutes');
log.error('Too many consecutive failures. Aborting sync.');
log.status({ id: 6701, system: 'cm01.contoso.com', site: 'CS1' });
log.close();
`;

  it('echoes each entry in short form (a status message as its id and meaning) while the file keeps the whole line', () => {
    const echoed: string[] = [];
    const log = createSiteLogger({ logDir: tempDir, echo: (level, message) => echoed.push(`${level}: ${message}`) });
    log.info('Starting Sync\nsecond line');
    log.infoLines(['per-update detail']);
    log.warn('Sync failed. Will retry in 60 minutes');
    log.error('Too many consecutive failures. Aborting sync.');
    log.status({ id: 6701, system: 'cm01.contoso.com', site: 'CS1', properties: ['manual'] });
    log.status({ id: 6703, system: 'cm01.contoso.com', site: 'CS1', properties: ['upstream unreachable'] });
    log.close();
    expect(echoed).to.deep.equal([
      'info: Starting Sync second line',
      'warn: Sync failed. Will retry in 60 minutes',
      'error: Too many consecutive failures. Aborting sync.',
      'info: 6701 WSUS synchronization started: manual',
      'error: 6703 WSUS synchronization failed: upstream unreachable',
    ]);
    const lines = readLog(logPath());
    expect(lines).to.have.length(6);
    expect(parseStatus(parseSiteServer(lines[4]!).message)).to.include({ id: 6701 });
  });

  it('writes nothing to stdout or stderr without an echo', async () => {
    const quiet = await runChild(MIRROR, { LOG_DIR: tempDir, OPTIONS: JSON.stringify({}) });
    expect(quiet).to.include({ code: 0, stdout: '', stderr: '' });
    expect(readLog(logPath())).to.have.length(4);
  });
});
