import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { InvalidDataError } from '../src/errors.js';
import { checkDownloadUrl, upgradeToHttps } from '../src/catalog/download-policy.js';
import { maxFileNameBytes, safeFileName } from '../src/model/file-name.js';
import { parseDownloadDialog } from '../src/catalog/pages.js';
import { catalogFixtures } from './helpers/fixtures.js';

function refusal(action: () => unknown, code: string): InvalidDataError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidDataError);
    expect((error as InvalidDataError).code).to.equal(code);
    return error as InvalidDataError;
  }
  throw new Error(`expected ${code}`);
}

describe('checkDownloadUrl', () => {
  const allowed = [
    'https://download.windowsupdate.com/c/msdownload/update/software/crup/2019/01/oart-x-none_e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d.cab',
    'https://catalog.s.download.windowsupdate.com/d/msdownload/update/software/secu/2024/05/windows11.0-kb5037771-x64_19a3d5c3.msu',
    'https://www.download.windowsupdate.com/d/a.cab',
    'https://catalog.sf.dl.delivery.mp.microsoft.com/filestreamingservice/files/a2fe5398-6f24-46ee-a533-372dc30bfd82/public/windows11.0-kb5039212-x64.msu',
    'https://7.tlu.dl.delivery.mp.microsoft.com/filestreamingservice/files/x',
    'https://download.microsoft.com/download/a/b/c/file.exe',
    'https://fe2.update.microsoft.com/v6/a.cab',
    'https://DOWNLOAD.WindowsUpdate.COM:443/a.cab',
  ];
  for (const url of allowed) {
    it(`allows ${url}`, () => {
      const parsed = checkDownloadUrl(url);
      expect(parsed).to.be.instanceOf(URL);
      expect(parsed.protocol).to.equal('https:');
      expect(parsed.port).to.equal('');
    });
  }

  const refusedUrls: [string, string][] = [
    ['http://download.windowsupdate.com/a.cab', 'not https'],
    ['ftp://download.windowsupdate.com/a.cab', 'not https'],
    ['file:///etc/passwd', 'not https'],
    ['/relative/a.cab', 'not a valid absolute URL'],
    ['https://download.windowsupdate.com.evil.net/a.cab', 'not a Microsoft download host'],
    ['https://evil-windowsupdate.com/a.cab', 'not a Microsoft download host'],
    ['https://evildownload.windowsupdate.com.net/a.cab', 'not a Microsoft download host'],
    ['https://windowsupdate.com/a.cab', 'not a Microsoft download host'],
    ['https://microsoft.com/a.cab', 'not a Microsoft download host'],
    ['https://catalog.sf.dl.delivery.mp.microsoft.com.evil.net/a.cab', 'not a Microsoft download host'],
    ['https://dl.delivery.mp.microsoft.com/a.cab', 'not a Microsoft download host'],
    ['https://download.windowsupdate.com@evil.net/a.cab', 'user information'],
    ['https://user@download.windowsupdate.com/a.cab', 'user information'],
    ['https://evil.net\\@download.windowsupdate.com/a.cab', 'evil.net is not a Microsoft download host'],
    ['https://download.windowsupdate.com%2eevil.net/a.cab', 'not a Microsoft download host'],
    ['https://13.107.4.50/a.cab', 'IP address'],
    ['https://0x7f.1/a.cab', 'IP address'],
    ['https://[2620:1ec:c11::200]/a.cab', 'IP address'],
    ['https://download.windowsupdate.com:8443/a.cab', 'port 8443'],
    ['https://download.windowsupdate.com./a.cab', 'empty label'],
    ['https://a..download.windowsupdate.com/a.cab', 'empty label'],
    // Cyrillic "о" in "dоwnload": a punycode look-alike.
    ['https://d\u043ewnload.windowsupdate.com/a.cab', 'punycode'],
    ['https://xn--dwnload-9ig.download.windowsupdate.com/a.cab', 'punycode'],
  ];
  for (const [url, why] of refusedUrls) {
    it(`refuses ${url} (${why})`, () => {
      const error = refusal(() => checkDownloadUrl(url), 'DownloadUrlRefused');
      expect(error.message).to.contain(why);
      expect(error.target).to.be.a('string');
    });
  }

  it('names the URL in the message, but never a password in it', () => {
    const error = refusal(() => checkDownloadUrl('https://me:s3cret@evil.net/a.cab'), 'DownloadUrlRefused');
    expect(error.message).to.contain('evil.net').and.not.contain('s3cret');
    expect(error.target).to.not.contain('s3cret');
  });

  describe('extraAllowedHosts', () => {
    it('allows exactly the listed host and port, https only', () => {
      const options = { extraAllowedHosts: ['127.0.0.1:8443'] };
      expect(checkDownloadUrl('https://127.0.0.1:8443/files/a.cab', options).href).to.equal('https://127.0.0.1:8443/files/a.cab');
      refusal(() => checkDownloadUrl('https://127.0.0.1:8444/files/a.cab', options), 'DownloadUrlRefused');
      refusal(() => checkDownloadUrl('https://127.0.0.1/files/a.cab', options), 'DownloadUrlRefused');
      refusal(() => checkDownloadUrl('http://127.0.0.1:8443/files/a.cab', options), 'DownloadUrlRefused');
      refusal(() => checkDownloadUrl('https://x@127.0.0.1:8443/files/a.cab', options), 'DownloadUrlRefused');
    });

    it('still allows the Microsoft hosts', () => {
      expect(() => checkDownloadUrl('https://download.windowsupdate.com/a.cab', { extraAllowedHosts: ['localhost:1'] })).to.not.throw();
    });
  });
});

describe('upgradeToHttps', () => {
  it('rewrites the http links of the 2019 download dialogs to https', () => {
    const dialog = parseDownloadDialog(readFileSync(path.join(catalogFixtures, 'downloaddialog-multi.html'), 'utf8'));
    for (const file of dialog.files) {
      expect(file.url.startsWith('http://download.windowsupdate.com/')).to.equal(true);
      const upgraded = upgradeToHttps(file.url);
      expect(upgraded).to.equal(file.url.replace(/^http:/, 'https:'));
      expect(checkDownloadUrl(upgraded).pathname.endsWith(file.fileName)).to.equal(true);
    }
  });

  it('leaves other URLs unchanged, for checkDownloadUrl to refuse', () => {
    for (const url of [
      'http://evil.net/a.cab',
      'http://download.windowsupdate.com.evil.net/a.cab',
      'http://download.windowsupdate.com:8080/a.cab',
      'http://user@download.windowsupdate.com/a.cab',
      'http://10.0.0.1/a.cab',
      'https://download.windowsupdate.com/a.cab',
      'not a url',
    ]) {
      expect(upgradeToHttps(url)).to.equal(url);
    }
  });
});

describe('safeFileName', () => {
  const cases: [string, string][] = [
    ['windows11.0-kb5039212-x64_2b67855a5e73c7a873e6bdca512c8c106b429196.msu', 'windows11.0-kb5039212-x64_2b67855a5e73c7a873e6bdca512c8c106b429196.msu'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\System32\\evil.dll', 'evil.dll'],
    ['C:\\Windows\\a.cab', 'a.cab'],
    ['C:evil.cab', 'C_evil.cab'],
    ['\\\\server\\share\\x.cab', 'x.cab'],
    ['a<b>c:d"e|f?g*h.cab', 'a_b_c_d_e_f_g_h.cab'],
    ['tab\there\u0000nul\u001b.cab', 'tab_here_nul_.cab'],
    ['a..b...cab', 'a.b.cab'],
    ['.hidden.cab', 'hidden.cab'],
    ['trailing.cab. . ', 'trailing.cab'],
    // U+202E would make "gpj.exe" display as "exe.jpg".
    ['photo\u202Egpj.exe', 'photogpj.exe'],
    ['CON', '_CON'],
    ['nul.cab', '_nul.cab'],
    ['Com1.msu', '_Com1.msu'],
    ['LPT9', '_LPT9'],
    ['aux .txt', '_aux .txt'],
    ['CONSOLE.cab', 'CONSOLE.cab'],
    ['e\u0301t\u00e9.cab', '\u00e9t\u00e9.cab'],
  ];
  for (const [input, expected] of cases) {
    it(`makes ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
      expect(safeFileName(input)).to.equal(expected);
    });
  }

  it('bounds the length in UTF-8 bytes, keeping the extension and whole characters', () => {
    const ascii = safeFileName(`${'x'.repeat(300)}.msu`);
    expect(Buffer.byteLength(ascii)).to.equal(maxFileNameBytes);
    expect(ascii.endsWith('x.msu')).to.equal(true);
    const accented = safeFileName(`${'é'.repeat(150)}.cab`);
    expect(Buffer.byteLength(accented)).to.be.at.most(maxFileNameBytes);
    expect(accented).to.match(/^é+\.cab$/);
    const emoji = safeFileName('😀'.repeat(100));
    expect(Buffer.byteLength(emoji)).to.be.at.most(maxFileNameBytes);
    expect(emoji).to.match(/^(😀)+$/u);
  });

  for (const input of ['', '..', '.', '/', 'a/..', 'C:\\', '<>|', ' . ', '\u202E']) {
    it(`refuses ${JSON.stringify(input)}: nothing usable remains`, () => {
      const error = refusal(() => safeFileName(input), 'UnsafeFileName');
      expect(error.target).to.equal(input);
    });
  }
});
