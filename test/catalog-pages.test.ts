import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { InvalidArgumentError, InvalidDataError, SupsyncError, UpstreamError } from '../src/errors.js';
import { CatalogPageError } from '../src/catalog/errors.js';
import {
  parseCatalogDate,
  parseDetailsPage,
  parseDownloadDialog,
  parseSearchPage,
  type CatalogSearchResult,
  type CatalogUpdateDetails,
} from '../src/catalog/pages.js';
import { renderDetailsPage, renderDownloadDialog, renderErrorPage, renderSearchPage } from '../src/dev/catalog-render.js';
import { catalogFixtures } from './helpers/fixtures.js';

const localFixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'catalog');

function shared(file: string): string {
  return readFileSync(path.join(catalogFixtures, file), 'utf8');
}

/** Replaces text that must be present, so a fixture change cannot make a test pass vacuously. */
function edit(text: string, from: string | RegExp, to: string): string {
  const result = text.replace(from, to);
  expect(result, `edit of ${String(from)}`).to.not.equal(text);
  return result;
}

function thrown(action: () => unknown): SupsyncError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(SupsyncError);
    return error as SupsyncError;
  }
  throw new Error('expected an error');
}

/** A search results row in the catalog's 2023 markup (classes and layout of pages served since then). */
function row2023(id: string, index: number, title: string, products: string, date: string, size: string, bytes: number): string {
  return `<tr id="${id}_R${index}">
        <td class="resultsbottomBorder resultspadding resultsIconWidth " id="${id}_C0_R${index}">
        </td><td class="resultsbottomBorder resultspadding" id="${id}_C1_R${index}">
        <a id='${id}_link' href= "javascript:void(0);" onclick='goToDetails("${id}");' class="contentTextItemSpacerNoBreakLink">
            ${title}
        </a>
    </td><td class="resultsbottomBorder resultspadding" id="${id}_C2_R${index}">
        ${products}
    </td><td class="resultsbottomBorder resultspadding" id="${id}_C3_R${index}">
        Updates
    </td><td class="resultsbottomBorder resultspadding " id="${id}_C4_R${index}">
        ${date}
    </td><td class="resultsbottomBorder resultspadding" id="${id}_C5_R${index}">
        n/a
    </td><td class="resultsbottomBorder resultspadding resultsSizeWidth" id="${id}_C6_R${index}">
        <span id="${id}_size">${size}</span>
        <span class="noDisplay" id="${id}_originalSize">${bytes}</span>
    </td><td class="resultsbottomBorder resultsButtonWidth" id="${id}_C7_R${index}">

        <input id="${id}" class="flatBlueButtonDownload focus-only" type="button" value='Download' />
    </td>
    </tr>`;
}

function searchPage2023(rows: string, counts: string, next: string): string {
  return `<!DOCTYPE html><html lang="en"><body class="mainBody" id="ltr"><form method="post" action="./Search.aspx?q=x" id="aspnetForm">
    <div id="contentSection">
        <table id="ctl00_catalogBody_navigationLinks" class="resultsNavigation"><tr><td>
            <span id="ctl00_catalogBody_labelUpdates_Separator">Updates:</span>
            <span id="ctl00_catalogBody_searchDuration">${counts}</span><br />
        </td><td class="textAlignRight">${next}</td></tr></table>
    </div>
    <div id="tableContainer" class="resultsBackGround">
        <table class="resultsBorder resultsBackGround" cellspacing="0" cellpadding="0" rules="all" id="ctl00_catalogBody_updateMatches">
            <tr class="dataGridFixedHeader1" id="headerRow"><td id="header_C0">&nbsp;</td><td id="header_C1">Title</td></tr>
            ${rows}
        </table>
    </div></form></body></html>`;
}

describe('catalog search page', () => {
  describe('the 2019 capture of "Office 2013" (page 1 of 40)', () => {
    const page = parseSearchPage(shared('search-office2013-page1.html'));

    it('has the 25 rows, a next page, the total and the cap', () => {
      expect(page.results).to.have.length(25);
      expect(page.hasNextPage).to.equal(true);
      expect(page).to.include({ totalCount: 1000, page: 1, pageCount: 40, capped: true });
    });

    it('reads the KB4011677 row as the fixture README expects', () => {
      expect(page.results[5]).to.deep.equal({
        updateId: '601956e3-f2f0-469a-a7fe-cad6c0b4f665',
        title: 'Update for Microsoft Office 2013 (KB4011677) 32-Bit Edition',
        products: 'Office 2013',
        classification: 'Critical Updates',
        lastUpdated: '2019-05-14',
        lastUpdatedText: '5/14/2019',
        sizeText: '109.2 MB',
        sizeInBytes: 114503680,
        kb: '4011677',
      });
    });

    it('reads the first, a KB-sized and the last row exactly', () => {
      const [first, , , , , , , , , , tenth] = page.results;
      expect(first).to.deep.include({
        updateId: '1fd12850-50f0-4cb9-9fc0-9df72443ae87',
        title: 'Update for Microsoft Office 2013 (KB4475562) 64-Bit Edition',
        lastUpdated: '2019-09-10',
        lastUpdatedText: '9/10/2019',
        sizeText: '3.5 MB',
        sizeInBytes: 3686124,
        kb: '4475562',
      });
      expect(tenth).to.deep.include({
        updateId: '6726024b-1689-464a-a958-49e0a76f2538',
        title: 'Update for Microsoft Office 2013 (KB4092455) 32-Bit Edition',
        lastUpdated: '2019-03-12',
        sizeText: '353 KB',
        sizeInBytes: 361564,
      });
      expect(page.results[24]).to.deep.include({
        updateId: 'd001ca72-ce16-4700-9a6d-b2bb28974002',
        title: 'Update for Microsoft Office 2013 (KB4022233) 64-Bit Edition',
        lastUpdated: '2018-09-11',
        sizeText: '10.9 MB',
        sizeInBytes: 11457318,
      });
      for (const result of page.results) {
        expect(result).to.include({ products: 'Office 2013', classification: 'Critical Updates' });
        expect(result).to.not.have.property('version'); // the catalog shows n/a
      }
    });

    it('gives every row a distinct update ID', () => {
      expect(new Set(page.results.map((r) => r.updateId)).size).to.equal(25);
    });
  });

  it('reads the 2019 capture of "KB4022233" as the last and only page', () => {
    const page = parseSearchPage(shared('search-kb4022233-lastpage.html'));
    expect(page).to.include({ hasNextPage: false, totalCount: 2, page: 1, pageCount: 1, capped: false });
    expect(page.results.map((r) => [r.updateId, r.title, r.sizeInBytes])).to.deep.equal([
      ['d001ca72-ce16-4700-9a6d-b2bb28974002', 'Update for Microsoft Office 2013 (KB4022233) 64-Bit Edition', 11457318],
      ['a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5', 'Update for Microsoft Office 2013 (KB4022233) 32-Bit Edition', 9325490],
    ]);
  });

  it('reads the 2023 markup (no row style, new classes) with sizes past 2^31', () => {
    const html = searchPage2023(
      row2023(
        '41225EBF-A2D6-4619-863E-6F8B823DAE2D',
        0,
        '2024-05 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5037771)',
        'Windows 10,  version 1903 and later',
        '5/14/2024',
        '4.8 GB',
        5210112130,
      ) + row2023('cab3f7e6-5a72-461e-a1d1-520c498b6666', 1, 'Microsoft Edge-Stable Channel Version 125', 'Microsoft Edge', '5/30/2024', '65.6 MB', 68768279),
      '1 - 2 of 2 (page 1 of 1)',
      '<span id="ctl00_catalogBody_nextPage"><span>Next</span></span>',
    );
    const page = parseSearchPage(html);
    expect(page).to.include({ hasNextPage: false, totalCount: 2, capped: false });
    expect(page.results[0]).to.deep.equal({
      updateId: '41225ebf-a2d6-4619-863e-6f8b823dae2d',
      title: '2024-05 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5037771)',
      products: 'Windows 10, version 1903 and later',
      classification: 'Updates',
      lastUpdated: '2024-05-14',
      lastUpdatedText: '5/14/2024',
      sizeText: '4.8 GB',
      sizeInBytes: 5210112130,
      kb: '5037771',
    });
    expect(page.results[1]).to.not.have.property('kb');
  });

  it('sees a next page from a plain &p= link, as served since the 2025 paging change', () => {
    const rows = row2023('cab3f7e6-5a72-461e-a1d1-520c498b6666', 0, 'T (KB1)', 'P', '1/2/2025', '1 KB', 1024);
    const html = searchPage2023(
      rows,
      '26 - 50 of 73 (page 2 of 3)',
      '<span id="ctl00_catalogBody_nextPageLink"><a id="ctl00_catalogBody_nextPageLinkText" href="Search.aspx?q=x&amp;p=3">Next</a></span>',
    );
    expect(parseSearchPage(html)).to.include({ hasNextPage: true, page: 2, pageCount: 3, totalCount: 73 });
  });

  it('trusts the page count when the next-page link is missing', () => {
    const rows = row2023('cab3f7e6-5a72-461e-a1d1-520c498b6666', 0, 'T', 'P', '1/2/2025', '1 KB', 1024);
    expect(parseSearchPage(searchPage2023(rows, '1 - 25 of 40 (page 1 of 2)', '')).hasNextPage).to.equal(true);
    expect(parseSearchPage(searchPage2023(rows, '26 - 40 of 40 (page 2 of 2)', '')).hasNextPage).to.equal(false);
  });

  it('reads a row that lost its row id by its title link', () => {
    const rows = edit(row2023('cab3f7e6-5a72-461e-a1d1-520c498b6666', 0, 'T', 'P', '1/2/2025', '1 KB', 1024), /<tr id="[^"]*">/, '<tr>');
    expect(parseSearchPage(searchPage2023(rows, '', '')).results.map((r) => r.updateId)).to.deep.equal([
      'cab3f7e6-5a72-461e-a1d1-520c498b6666',
    ]);
  });

  describe('dates and counts in the culture of the Accept-Language', () => {
    const dated = (date: string, counts = '1 - 1 of 1 (page 1 of 1)'): string =>
      searchPage2023(row2023('cab3f7e6-5a72-461e-a1d1-520c498b6666', 0, 'T', 'P', date, '1 KB', 1024), counts, '');

    for (const [acceptLanguage, text] of [
      ['en-US', '9/10/2019'],
      ['en-US,en;q=0.9', '9/10/2019'],
      ['en-GB', '10/09/2019'],
      ['de-DE', '10.9.2019'],
      ['fr-FR', '10/09/2019'],
      ['ja-JP', '2019/09/10'],
      ['de-DE', '2019-09-10'],
    ] as const) {
      it(`reads ${text} in ${acceptLanguage} as 2019-09-10`, () => {
        const [result] = parseSearchPage(dated(text), { acceptLanguage }).results;
        expect(result).to.include({ lastUpdated: '2019-09-10', lastUpdatedText: text });
      });
    }

    it('defaults to en-US, the catalog default', () => {
      expect(parseSearchPage(dated('9/10/2019')).results[0]?.lastUpdated).to.equal('2019-09-10');
    });

    it('leaves out a date that does not read in the culture, keeping the text', () => {
      const [result] = parseSearchPage(dated('13/10/2019'), { acceptLanguage: 'en-US' }).results;
      expect(result).to.include({ lastUpdatedText: '13/10/2019' }).and.not.have.property('lastUpdated');
      expect(parseCatalogDate('2/30/2019')).to.equal(undefined);
      expect(parseCatalogDate('2/29/2020')).to.equal('2020-02-29');
    });

    it('reads the counts worded in another language', () => {
      expect(parseSearchPage(dated('10.9.2019', '1 - 25 von 1.000 (Seite 1 von 40)'), { acceptLanguage: 'de-DE' })).to.include({
        totalCount: 1000,
        page: 1,
        pageCount: 40,
        capped: true,
      });
    });

    it('refuses a culture that is not a language tag', () => {
      const error = thrown(() => parseSearchPage(dated('9/10/2019'), { acceptLanguage: 'not a tag!' }));
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(error.code).to.equal('CatalogCultureInvalid');
    });
  });

  it('gives an empty page for the no-results text', () => {
    const html = `<html><body><form id="aspnetForm"><div id="ctl00_catalogBody_noResults">
      <span id="ctl00_catalogBody_noResultText">We did not find any results for "KB0000001".</span></div></form></body></html>`;
    expect(parseSearchPage(html)).to.deep.equal({ results: [], hasNextPage: false, totalCount: 0, capped: false });
  });

  describe('the error page', () => {
    it('throws a transient CatalogPageError for 8DDD0010 (try again later)', () => {
      const error = thrown(() => parseSearchPage(renderErrorPage('8DDD0010'), { source: 'Search.aspx?q=KB1' }));
      expect(error).to.be.instanceOf(CatalogPageError).and.instanceOf(UpstreamError);
      expect(error).to.include({ code: 'CatalogErrorPage', catalogCode: '8DDD0010', transient: true, target: 'Search.aspx?q=KB1' });
      expect(error.message).to.contain('8DDD0010').and.contain('Search.aspx?q=KB1');
    });

    it('throws a non-transient not-found error for 8DDD0024', () => {
      const error = thrown(() => parseDetailsPage(renderErrorPage('8DDD0024')));
      expect(error).to.include({ code: 'CatalogNotFound', catalogCode: '8DDD0024', transient: false, category: 'ObjectNotFound' });
    });

    it('treats an unknown code as transient', () => {
      expect(thrown(() => parseSearchPage(renderErrorPage('8DDD0123')))).to.include({ catalogCode: '8DDD0123', transient: true });
    });

    it("falls back to the code in the form's Error.aspx?id= when the text has none", () => {
      const html = edit(renderErrorPage('8DDD0010'), /Error number: <\/span>8DDD0010\]/, 'Error number: </span>]');
      expect(html).to.contain('Error.aspx?id=-1914896368'); // as on the real error page
      expect(thrown(() => parseSearchPage(html))).to.include({ catalogCode: '8DDD0010', transient: true });
    });
  });

  describe('changed markup', () => {
    it('refuses a page with none of the expected elements', () => {
      const error = thrown(() => parseSearchPage('<html><body><h1>Welcome to the new catalog</h1></body></html>', { source: 'Search.aspx?q=x' }));
      expect(error).to.be.instanceOf(InvalidDataError);
      expect(error).to.include({ code: 'CatalogMarkupChanged', target: 'Search.aspx?q=x' });
    });

    it('refuses a results table whose rows name no update', () => {
      const html = searchPage2023('<tr><td>a</td><td>b</td></tr>', '', '');
      expect(thrown(() => parseSearchPage(html)).code).to.equal('CatalogMarkupChanged');
    });

    it('refuses a row with missing cells', () => {
      const html = edit(shared('search-kb4022233-lastpage.html'), /<\/td><td class="resultsbottomBorder resultspadding" id="a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5_C5_R1">\s*n\/a\s*/, '');
      const error = thrown(() => parseSearchPage(html));
      expect(error.code).to.equal('CatalogMarkupChanged');
      expect(error.message).to.contain('a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5').and.contain('column 5');
    });

    it('reads a row without cell ids by position, and refuses one lacking cells', () => {
      const row = row2023('cab3f7e6-5a72-461e-a1d1-520c498b6666', 0, 'T', 'P', '1/2/2025', '1 KB', 1024).replace(/ id="cab3f7e6[^"]*_C\d_R0"/g, '');
      expect(parseSearchPage(searchPage2023(row, '', '')).results[0]).to.include({ title: 'T', products: 'P', lastUpdatedText: '1/2/2025' });
      const short = edit(row, /<td class="resultsbottomBorder resultsButtonWidth"[\s\S]*?<\/td>/, '');
      const shorter = edit(short, /<td class="resultsbottomBorder resultspadding resultsSizeWidth"[\s\S]*?<\/td>/, '');
      expect(thrown(() => parseSearchPage(searchPage2023(shorter, '', ''))).code).to.equal('CatalogMarkupChanged');
    });

    it('refuses a row without its byte size', () => {
      const html = edit(shared('search-kb4022233-lastpage.html'), 'id="a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5_originalSize">9325490', 'id="x">9325490');
      expect(thrown(() => parseSearchPage(html)).code).to.equal('CatalogMarkupChanged');
    });
  });
});

describe('catalog details page', () => {
  const fixture = readFileSync(path.join(localFixtures, 'details-kb4011677.html'), 'utf8');

  it('reads every field of the constructed 2023-markup page', () => {
    expect(parseDetailsPage(fixture)).to.deep.equal({
      updateId: '601956e3-f2f0-469a-a7fe-cad6c0b4f665',
      title: 'Update for Microsoft Office 2013 (KB4011677) 32-Bit Edition',
      description:
        'Microsoft has released an update for Microsoft Office 2013 32-Bit Edition. This update provides the latest fixes to Microsoft Office 2013 32-Bit Edition. Additionally, this update contains stability and performance improvements.',
      lastModified: '2019-05-14',
      lastModifiedText: '5/14/2019',
      sizeText: '109.2 MB',
      rebootBehavior: 'Can request restart',
      kb: '4011677',
      classification: 'Critical Updates',
      products: ['Office 2013', 'Office 2013 Proofing Tools, 32-Bit'],
      architecture: 'X86',
      languages: ['Arabic', 'Finnish', 'Portuguese (Brazil)', 'Serbian (Latin)', 'Slovenian', 'Swedish', 'all'],
      supersededBy: [
        {
          title: 'Update for Microsoft Office 2013 (KB4475556) 32-Bit Edition',
          updateId: '37513b5a-6cd0-472d-b0a7-1cfd6aa5c96c',
          kb: '4475556',
        },
        {
          title: 'Update for Microsoft Office 2013 (KB4462201) 32-Bit Edition',
          updateId: '571920a7-5d4d-46e8-817a-84236936232c',
          kb: '4462201',
        },
      ],
      supersedes: [
        { title: 'Update for Microsoft Office 2013 (KB4461482) 32-Bit Edition', kb: '4461482' },
        { title: 'Update for Microsoft Office 2013 (KB4022233) 32-Bit Edition', kb: '4022233' },
      ],
      moreInfoUrls: ['https://support.microsoft.com/kb/4011677'],
      supportUrls: ['https://support.microsoft.com'],
    });
  });

  it('reads the older supersedence markup (TABINDEX, single-quoted links, uppercase GUID)', () => {
    const html = edit(
      fixture,
      /<div id="supersededbyInfo">[\s\S]*?<span id="ScopedViewHandler_labelSupersededUpdates_Separator"/,
      `<div id="supersededbyInfo" TABINDEX="1" ><div><a href='ScopedViewInline.aspx?updateid=37513B5A-6CD0-472D-B0A7-1CFD6AA5C96C'>Update for Microsoft Office 2013 (KB4475556) 32-Bit Edition</a></div></div>
       <span id="ScopedViewHandler_labelSupersededUpdates_Separator"`,
    );
    expect(parseDetailsPage(html).supersededBy).to.deep.equal([
      { title: 'Update for Microsoft Office 2013 (KB4475556) 32-Bit Edition', updateId: '37513b5a-6cd0-472d-b0a7-1cfd6aa5c96c', kb: '4475556' },
    ]);
  });

  it('reads n/a as absent and empty lists', () => {
    let html = edit(fixture, /<div id="supersededbyInfo">[\s\S]*?<\/div>\s*<span id="ScopedViewHandler_labelSupersededUpdates/, '<div id="supersededbyInfo">\n n/a\n </div><span id="ScopedViewHandler_labelSupersededUpdates');
    html = edit(html, /(Architecture:<\/span>)\s*X86/, '$1 n/a');
    html = edit(html, '<span id="ScopedViewHandler_rebootBehavior">Can request restart</span>', '<span id="ScopedViewHandler_rebootBehavior">n/a</span>');
    const details = parseDetailsPage(html);
    expect(details.supersededBy).to.deep.equal([]);
    expect(details).to.not.have.any.keys('architecture', 'rebootBehavior', 'msrcSeverity', 'msrcNumber');
  });

  it('takes the KB from the title when the KB field shows n/a', () => {
    const html = edit(fixture, /(KB article numbers:<\/span>)\s*4011677/, '$1 n/a');
    expect(parseDetailsPage(html).kb).to.equal('4011677');
  });

  it('takes the update ID from the form when the page has no UpdateID span (pre-2023 pages)', () => {
    const html = edit(fixture, /<span id="ScopedViewHandler_UpdateID">[^<]*<\/span>/, '');
    expect(parseDetailsPage(html).updateId).to.equal('601956e3-f2f0-469a-a7fe-cad6c0b4f665');
  });

  it('reads the date in the page culture', () => {
    const html = edit(fixture, '<span id="ScopedViewHandler_date">5/14/2019</span>', '<span id="ScopedViewHandler_date">14.05.2019</span>');
    expect(parseDetailsPage(html, { acceptLanguage: 'de-DE' })).to.include({ lastModified: '2019-05-14', lastModifiedText: '14.05.2019' });
  });

  it('refuses a page without the update title', () => {
    const html = edit(fixture, 'id="ScopedViewHandler_titleText"', 'id="somethingElse"');
    expect(thrown(() => parseDetailsPage(html))).to.include({ code: 'CatalogMarkupChanged' });
  });
});

describe('catalog download dialog', () => {
  it('reads the single-file 2019 capture (KB4461444, Office 2013 64-bit)', () => {
    expect(parseDownloadDialog(shared('downloaddialog-single.html'))).to.deep.equal({
      updateId: '7f659ce1-a58f-41a8-bcf0-18fe434f0916',
      files: [
        {
          url: 'http://download.windowsupdate.com/c/msdownload/update/software/crup/2019/01/oart-x-none_e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d.cab',
          fileName: 'oart-x-none_e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d.cab',
          digest: '4/qckQO8UJ3N9+lxyjy+oMGKew0=',
        },
      ],
    });
  });

  it('reads the 41 files of the multi-file 2019 capture (KB4011677, Office 2013 32-bit)', () => {
    const dialog = parseDownloadDialog(shared('downloaddialog-multi.html'));
    expect(dialog.updateId).to.equal('601956e3-f2f0-469a-a7fe-cad6c0b4f665');
    expect(dialog.files).to.have.length(41);
    const base = 'http://download.windowsupdate.com/d/msdownload/update/software/crup/2019/04/';
    expect(dialog.files[0]).to.deep.equal({
      url: `${base}proof-ar-sa_d140d14d65cf35bf269443bedf33a91ce25ced17.cab`,
      fileName: 'proof-ar-sa_d140d14d65cf35bf269443bedf33a91ce25ced17.cab',
      digest: '0UDRTWXPNb8mlEO+3zOpHOJc7Rc=',
    });
    expect(dialog.files[1]).to.include({ fileName: 'proof-sl-si_7779ffad03046159c9fe46ea8b51cef2359ed043.cab', digest: 'd3n/rQMEYVnJ/kbqi1HO8jWe0EM=' });
    expect(dialog.files[20]).to.deep.equal({
      url: `${base}proof-sv-se_a76dd4e3f8cd6cd3c78dda6f790e96288e1d342b.cab`,
      fileName: 'proof-sv-se_a76dd4e3f8cd6cd3c78dda6f790e96288e1d342b.cab',
      digest: 'p23U4/jNbNPHjdpveQ6WKI4dNCs=',
    });
    expect(dialog.files[40]).to.deep.equal({
      url: `${base}proof-fi-fi_100b6b21d102186192a860630007c06026106b0e.cab`,
      fileName: 'proof-fi-fi_100b6b21d102186192a860630007c06026106b0e.cab',
      digest: 'EAtrIdECGGGSqGBjAAfAYCYQaw4=',
    });
    for (const file of dialog.files) {
      expect(file.fileName).to.match(/^proof-[a-z-]+_[0-9a-f]{40}\.cab$/);
      expect(file.url).to.equal(base + file.fileName);
      expect(Buffer.from(file.digest ?? '', 'base64')).to.have.length(20);
    }
    expect(new Set(dialog.files.map((f) => f.fileName)).size).to.equal(41);
  });

  it('reads the newer script (catalog.sf host, sha256, double quotes, escapes) given without the page', () => {
    const script = `var downloadInformation = new Array();
downloadInformation[0] = new Object();
downloadInformation[0].updateID ='15cddec9-ad48-4f0f-bc76-0f60359a5f6d';
downloadInformation[0].files[0] = new Object();
downloadInformation[0].files[0].url = 'https://catalog.sf.dl.delivery.mp.microsoft.com/filestreamingservice/files/a2fe5398-6f24-46ee-a533-372dc30bfd82/public/windows11.0-kb5039212-x64_2b67855a5e73c7a873e6bdca512c8c106b429196.msu';
downloadInformation[0].files[0].digest = 'K2eFWl5zx6hz5r3KUSyMEGtCkZY=';
downloadInformation[0].files[0].sha256 = '1Gk0YE41XqmsYfwRMPjQfOm5hZDqJoR/ivHhS4EYLzc=';
downloadInformation[0].files[0].fileName = 'windows11.0-kb5039212-x64_2b67855a5e73c7a873e6bdca512c8c106b429196.msu';
downloadInformation[0].files[1] = new Object();
downloadInformation[0].files[1].url = "https://catalog.s.download.windowsupdate.com/c/it\\'s.cab";
downloadInformation[0].files[1].digest = '';
downloadInformation[0].files[1].sha256 = '';
downloadInformation[0].files[1].fileName = 'it\\'s \\u00e9.cab';`;
    expect(parseDownloadDialog(script)).to.deep.equal({
      updateId: '15cddec9-ad48-4f0f-bc76-0f60359a5f6d',
      files: [
        {
          url: 'https://catalog.sf.dl.delivery.mp.microsoft.com/filestreamingservice/files/a2fe5398-6f24-46ee-a533-372dc30bfd82/public/windows11.0-kb5039212-x64_2b67855a5e73c7a873e6bdca512c8c106b429196.msu',
          fileName: 'windows11.0-kb5039212-x64_2b67855a5e73c7a873e6bdca512c8c106b429196.msu',
          digest: 'K2eFWl5zx6hz5r3KUSyMEGtCkZY=',
          sha256: '1Gk0YE41XqmsYfwRMPjQfOm5hZDqJoR/ivHhS4EYLzc=',
        },
        { url: "https://catalog.s.download.windowsupdate.com/c/it's.cab", fileName: "it's é.cab" },
      ],
    });
  });

  it('gives no files for a dialog that lists no update', () => {
    expect(parseDownloadDialog('<script>var downloadInformation = new Array();</script>')).to.deep.equal({ files: [] });
  });

  it('refuses a digest that is not a base64 SHA-1', () => {
    const html = edit(shared('downloaddialog-single.html'), "'4/qckQO8UJ3N9+lxyjy+oMGKew0='", "'4/qckQO8UJ3N9+lxyjy+oMGK'");
    expect(thrown(() => parseDownloadDialog(html))).to.include({ code: 'CatalogDigestInvalid' });
  });

  it('refuses a file without a name, and a page without the script', () => {
    const html = edit(shared('downloaddialog-single.html'), /downloadInformation\[0\]\.files\[0\]\.fileName = '[^']*';/, '');
    expect(thrown(() => parseDownloadDialog(html)).code).to.equal('CatalogMarkupChanged');
    expect(thrown(() => parseDownloadDialog('<html><body>Download</body></html>')).code).to.equal('CatalogMarkupChanged');
  });

  it('refuses a dialog describing two updates', () => {
    const two = renderDownloadDialog({ updateId: '7f659ce1-a58f-41a8-bcf0-18fe434f0916', files: [] }).replace(
      '</script>',
      "downloadInformation[1] = new Object(); downloadInformation[1].updateID ='601956e3-f2f0-469a-a7fe-cad6c0b4f665';</script>",
    );
    expect(thrown(() => parseDownloadDialog(two)).code).to.equal('CatalogDialogAmbiguous');
  });

  it('throws the error page', () => {
    expect(thrown(() => parseDownloadDialog(renderErrorPage('8DDD0010')))).to.be.instanceOf(CatalogPageError);
  });
});

describe('catalog pages rendered for the local catalog server', () => {
  const awkward = 'Mise à jour <b>"Ω" & \'friends\'</b> 日本語 (KB5037771)';
  const results: CatalogSearchResult[] = [
    {
      updateId: '41225ebf-a2d6-4619-863e-6f8b823dae2d',
      title: awkward,
      products: 'Windows 11, version 23H2 & <later>',
      classification: 'Security Updates',
      lastUpdated: '2024-05-14',
      lastUpdatedText: '5/14/2024',
      version: '10.0.22631.3593',
      sizeText: '4.8 GB',
      sizeInBytes: 5210112130,
      kb: '5037771',
    },
    {
      updateId: 'cab3f7e6-5a72-461e-a1d1-520c498b6666',
      title: 'Plain',
      products: 'Office 2013',
      classification: 'Updates',
      lastUpdated: '2019-09-10',
      lastUpdatedText: '9/10/2019',
      sizeText: '353 KB',
      sizeInBytes: 361564,
    },
  ];

  it('round-trips a search page', () => {
    const html = renderSearchPage({ query: 'a <b> & "c"', results, page: 2, pageCount: 3, totalCount: 52 });
    expect(html).to.not.contain('<b>"Ω"');
    expect(parseSearchPage(html)).to.deep.equal({ results, hasNextPage: true, totalCount: 52, page: 2, pageCount: 3, capped: false });
  });

  it('renders the last page without a next link, and the cap notice at 1000', () => {
    expect(parseSearchPage(renderSearchPage({ query: 'q', results, page: 3, pageCount: 3, totalCount: 52 })).hasNextPage).to.equal(false);
    const capped = parseSearchPage(renderSearchPage({ query: 'q', results, page: 40, pageCount: 40, totalCount: 1000 }));
    expect(capped).to.include({ hasNextPage: false, capped: true });
  });

  it('renders no results as the no-results page', () => {
    expect(parseSearchPage(renderSearchPage({ query: '<none>', results: [], page: 1, pageCount: 0, totalCount: 0 })).results).to.deep.equal([]);
  });

  it('round-trips a details page', () => {
    const details: CatalogUpdateDetails = {
      updateId: '601956e3-f2f0-469a-a7fe-cad6c0b4f665',
      title: awkward,
      description: 'Fixes <script>alert("x")</script> & more — ünïcödé',
      lastModified: '2024-05-14',
      lastModifiedText: '5/14/2024',
      sizeText: '4.8 GB',
      msrcNumber: 'MS24-001',
      msrcSeverity: 'Critical',
      rebootBehavior: 'Can request restart',
      kb: '5037771',
      classification: 'Security Updates',
      products: ['Windows 11', 'Windows 10, version 1903 and later'],
      architecture: 'AMD64',
      languages: ['Portuguese (Brazil)', 'Chinese (Traditional)', 'all'],
      supersededBy: [{ title: 'Newer <one> (KB5039212)', updateId: '15cddec9-ad48-4f0f-bc76-0f60359a5f6d', kb: '5039212' }],
      supersedes: [{ title: 'Older & "quoted" (KB5036893)', kb: '5036893' }, { title: 'Linked older', updateId: 'cab3f7e6-5a72-461e-a1d1-520c498b6666' }],
      moreInfoUrls: ['https://support.microsoft.com/help/5037771?a=1&b="2"'],
      supportUrls: ['https://support.microsoft.com'],
    };
    expect(parseDetailsPage(renderDetailsPage(details))).to.deep.equal(details);
  });

  it('round-trips a sparse details page', () => {
    const details: CatalogUpdateDetails = {
      title: 'Driver',
      products: [],
      languages: [],
      supersededBy: [],
      supersedes: [],
      moreInfoUrls: [],
      supportUrls: [],
    };
    expect(parseDetailsPage(renderDetailsPage(details))).to.deep.equal(details);
  });

  it('round-trips a download dialog, escaping what could end the script', () => {
    const files = [
      {
        url: "https://catalog.s.download.windowsupdate.com/c/a'b\\c</script><script>x.cab",
        fileName: "a'b\\c</script>\u2028é.cab",
        digest: '4/qckQO8UJ3N9+lxyjy+oMGKew0=',
        sha256: '1Gk0YE41XqmsYfwRMPjQfOm5hZDqJoR/ivHhS4EYLzc=',
      },
      { url: 'https://download.windowsupdate.com/d/b.cab', fileName: 'b.cab' },
    ];
    const html = renderDownloadDialog({ updateId: '601956e3-f2f0-469a-a7fe-cad6c0b4f665', title: 'T <"x">', files });
    expect(html).to.not.contain('</script><script>');
    expect(parseDownloadDialog(html)).to.deep.equal({ updateId: '601956e3-f2f0-469a-a7fe-cad6c0b4f665', files });
  });
});
