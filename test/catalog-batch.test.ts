import { expect } from 'chai';
import { InvalidArgumentError } from '../src/errors.js';
import { classifyInput, parseBatchInput, type BatchEntry } from '../src/catalog/batch-input.js';

const office32 = '601956e3-f2f0-469a-a7fe-cad6c0b4f665';
const office64 = '581bc14d-8cf4-4a8e-8988-74e0a5c7a077';
const kb2019 = '7f659ce1-a58f-41a8-bcf0-18fe434f0916';

/** UTF-16LE with a byte-order mark, as `Export-Csv -Encoding Unicode` and `Out-File` write. */
function utf16le(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

function utf16be(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
}

function utf8bom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

function refused(bytes: Buffer, fileName: string): InvalidArgumentError {
  try {
    parseBatchInput(bytes, fileName);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidArgumentError);
    const typed = error as InvalidArgumentError;
    expect(typed).to.include({ code: 'BatchFileInvalid', target: fileName });
    expect(typed.message).to.contain(fileName);
    return typed;
  }
  throw new Error('expected BatchFileInvalid');
}

describe('classifyInput', () => {
  const cases: [string, ReturnType<typeof classifyInput>][] = [
    [office32, { kind: 'updateId', updateId: office32 }],
    [` {${office32.toUpperCase()}} `, { kind: 'updateId', updateId: office32 }],
    ['KB4011677', { kind: 'kb', kb: '4011677' }],
    ['kb4011677', { kind: 'kb', kb: '4011677' }],
    ['4011677', { kind: 'kb', kb: '4011677' }],
    ['123', { kind: 'kb', kb: '123' }],
    ['KB0890830', { kind: 'kb', kb: '890830' }],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)}`, () => {
      expect(classifyInput(input)).to.deep.equal(expected);
    });
  }

  for (const input of ['', '   ', 'KB', 'KB0', '0', 'KB12a', `${office32}x`, '601956e3-f2f0-469a-a7fe', 'KB 4011677', '12345678901', 'Office 2013']) {
    it(`refuses ${JSON.stringify(input)} with a reason`, () => {
      const result = classifyInput(input);
      expect(result.kind).to.equal('invalid');
      expect(result.reason).to.be.a('string').and.not.equal('');
    });
  }
});

describe('parseBatchInput', () => {
  describe('plain text, one ID per line (ImportUpdateToWSUS.ps1 -UpdateIdFilePath)', () => {
    it('reads GUIDs and KBs, skipping comments and blank lines, numbering physical lines (CRLF)', () => {
      const text = [
        '# updates approved in change 4711',
        office32,
        '',
        `  {${office64.toUpperCase()}}  `,
        '\t# indented comment',
        'KB4461444',
        '4022233',
        'not-a-guid',
        office32,
        'kb4461444',
      ].join('\r\n');
      expect(parseBatchInput(Buffer.from(text), 'ids.txt')).to.deep.equal([
        { line: 2, input: office32, kind: 'updateId', updateId: office32 },
        { line: 4, input: `{${office64.toUpperCase()}}`, kind: 'updateId', updateId: office64 },
        { line: 6, input: 'KB4461444', kind: 'kb', kb: '4461444' },
        { line: 7, input: '4022233', kind: 'kb', kb: '4022233' },
        { line: 8, input: 'not-a-guid', kind: 'invalid', reason: '"not-a-guid" is neither an update ID (a GUID) nor a KB number' },
        { line: 9, input: office32, kind: 'updateId', updateId: office32, duplicateOf: 2 },
        { line: 10, input: 'kb4461444', kind: 'kb', kb: '4461444', duplicateOf: 6 },
      ]);
    });

    it('reads UTF-16BE with a BOM, and old Mac CR line ends', () => {
      const entries = parseBatchInput(utf16be(`${office32}\r${kb2019}\r`), 'ids-be.txt');
      expect(entries.map((e) => [e.line, e.updateId])).to.deep.equal([
        [1, office32],
        [2, kb2019],
      ]);
    });

    it('reads UTF-16LE with a BOM (Out-File in Windows PowerShell 5.1)', () => {
      const entries = parseBatchInput(utf16le(`KB4011677\r\n${office64}\r\n`), 'out-file.txt');
      expect(entries.map((e) => e.kind)).to.deep.equal(['kb', 'updateId']);
    });

    it('gives nothing for a file of comments', () => {
      expect(parseBatchInput(Buffer.from('# nothing yet\n\n'), 'empty.txt')).to.deep.equal([]);
      expect(parseBatchInput(Buffer.alloc(0), 'empty.txt')).to.deep.equal([]);
    });
  });

  describe('CSV', () => {
    it('reads Export-Csv -Encoding Unicode output of a catalog module: #TYPE line, quotes, CRLF, UTF-16LE', () => {
      const csv = [
        '#TYPE MSCatalogUpdate',
        '"Title","Products","Classification","LastUpdated","Version","Size","SizeInBytes","Guid","KB"',
        `"Update for Microsoft Office 2013 (KB4011677) 32-Bit Edition","Office 2013","Critical Updates","5/14/2019 12:00:00 AM","n/a","109.2 MB","114503680","${office32}","KB4011677"`,
        `"Title with ""quotes"", a comma; and é","Office 2013","Critical Updates","5/14/2019 12:00:00 AM","n/a","111.2 MB","116609036","${office64.toUpperCase()}","4011677"`,
        '"Only a KB","Office 2013","Critical Updates","","","","","","KB4461444"',
        '"Bad","Office 2013","Critical Updates","","","","","{not-a-guid}","KB4022233"',
        '"Neither","Office 2013","Critical Updates","","","","","",""',
        `"Again","Office 2013","Critical Updates","","","","","${office32}","KB4011677"`,
        '',
      ].join('\r\n');
      const entries = parseBatchInput(utf16le(csv), 'updates.csv');
      expect(entries).to.deep.equal([
        { line: 3, input: office32, kind: 'updateId', updateId: office32 },
        { line: 4, input: office64.toUpperCase(), kind: 'updateId', updateId: office64 },
        { line: 5, input: 'KB4461444', kind: 'kb', kb: '4461444' },
        { line: 6, input: '{not-a-guid}', kind: 'invalid', reason: '"{not-a-guid}" is neither an update ID (a GUID) nor a KB number' },
        { line: 7, input: '', kind: 'invalid', reason: 'the Guid and KB columns are empty' },
        { line: 8, input: office32, kind: 'updateId', updateId: office32, duplicateOf: 3 },
      ] satisfies BatchEntry[]);
    });

    it('detects the ; delimiter (Export-Csv -UseCulture), in UTF-8 with a BOM', () => {
      const csv = `"UpdateID";"Title"\r\n"${office32}";"a; b, c"\r\n${kb2019};plain\r\n`;
      expect(parseBatchInput(utf8bom(csv), 'culture.csv').map((e) => [e.line, e.updateId])).to.deep.equal([
        [2, office32],
        [3, kb2019],
      ]);
    });

    it('matches column names without regard to case, any alias, with or without the KB prefix', () => {
      const hotfixes = 'Source,Description,HotFixID,InstalledBy,InstalledOn\nPC1,Security Update,KB5034441,NT AUTHORITY\\SYSTEM,1/9/2024\nPC1,Update,5034123,,\n';
      expect(parseBatchInput(Buffer.from(hotfixes), 'Get-HotFix.csv').map((e) => e.kb)).to.deep.equal(['5034441', '5034123']);
      const kbUpdate = 'title,KBUPDATE\nx,KB4011677\n';
      expect(parseBatchInput(Buffer.from(kbUpdate), 'k.csv')[0]).to.include({ kind: 'kb', kb: '4011677', line: 2 });
      const id = `ID,Name\n${office32},x\n`;
      expect(parseBatchInput(Buffer.from(id), 'i.csv')[0]).to.include({ kind: 'updateId', updateId: office32 });
    });

    it('prefers the update ID column to the KB column, and UpdateId to Id', () => {
      const csv = `Id,KB,UpdateId\n4011677,KB4011677,${office32}\n`;
      expect(parseBatchInput(Buffer.from(csv), 'kbupdate.csv')).to.deep.equal([{ line: 2, input: office32, kind: 'updateId', updateId: office32 }]);
    });

    it('reads a one-column CSV by its header name', () => {
      const entries = parseBatchInput(Buffer.from(`"UpdateId"\n"${office32}"\n"KB4011677"\n`), 'one.csv');
      expect(entries.map((e) => e.kind)).to.deep.equal(['updateId', 'kb']);
    });

    it('numbers lines correctly after a quoted value spanning lines, and skips # comment lines', () => {
      const csv = `Title,Guid\r\n"two\r\nlines",${office32}\r\n# later\r\n\r\nx,${office64}\r\n`;
      expect(parseBatchInput(Buffer.from(csv), 'multi.csv').map((e) => [e.line, e.updateId])).to.deep.equal([
        [2, office32],
        [6, office64],
      ]);
    });

    it('refuses a CSV without an ID column, naming the columns found', () => {
      const error = refused(Buffer.from('Title,Products\nx,y\n'), 'report.csv');
      expect(error.message).to.contain('"Title"').and.contain('"Products"').and.contain('UpdateId').and.contain('KB');
    });

    it('refuses a CSV it cannot read, naming the line', () => {
      const error = refused(Buffer.from(`#TYPE x\nGuid,Title\n${office32},"unclosed\n`), 'broken.csv');
      expect(error.message).to.equal('The batch file broken.csv is not readable as CSV at line 3: Quote Not Closed');
    });
  });

  describe('encodings', () => {
    it('refuses UTF-16 without a byte-order mark', () => {
      const error = refused(Buffer.from(`${office32}\r\n`, 'utf16le'), 'nobom.txt');
      expect(error.message).to.contain('byte-order mark');
    });

    it('refuses bytes that are not UTF-8', () => {
      refused(Buffer.from([0x4b, 0x42, 0xff, 0x31, 0x0a]), 'latin.txt');
    });
  });
});
