/**
 * The reverse of pages.ts, for the local catalog server of the tests and the demo: pages in the
 * catalog's real markup shapes (same ids and classes, trimmed of the scripts and chrome nobody
 * reads), so that the parsers, and any tool written against the real catalog, read them back.
 * Everything interpolated is escaped: HTML in markup, JavaScript string escapes in scripts.
 */
import { catalogPageSize, catalogResultCap, type CatalogDownloadFile, type CatalogSearchResult, type CatalogUpdateDetails, type CatalogUpdateReference } from '../catalog/pages.js';

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and double- or single-quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] as string);
}

/**
 * A single-quoted JavaScript string literal safe inside a <script> element: quotes, backslashes,
 * line breaks and `<` (which could close the element) are escaped.
 */
function jsString(text: string): string {
  return `'${text.replace(/[\\'"<>&\u0000-\u001f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

function page(body: string, formAction: string): string {
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="ltr" lang="en">
<head>
    <meta charset="utf-8" />
    <meta http-equiv="X-UA-Compatible" content="IE=7" />
    <title>Microsoft Update Catalog</title>
    <link rel="stylesheet" type="text/css" href="Style/catalog.css" />
</head>
<body class="mainBody" id="ltr">
<form method="post" action="${escapeHtml(formAction)}" id="aspnetForm">
${body}
</form>
</body>
</html>
`;
}

function searchRow(result: CatalogSearchResult, index: number): string {
  const id = escapeHtml(result.updateId);
  const cell = (column: number, extraClass: string, content: string): string =>
    `<td class="resultsbottomBorder resultspadding${extraClass}" id="${id}_C${column}_R${index}">
                        ${content}
                    </td>`;
  return `<tr id="${id}_R${index}" style="border-width:0px;">
		${cell(0, ' resultsIconWidth ', '')}${cell(
      1,
      '',
      `<a id='${id}_link' href= "javascript:void(0);" onclick='goToDetails("${id}");'>
                            ${escapeHtml(result.title)}
                        </a>`,
    )}${cell(2, '', escapeHtml(result.products))}${cell(3, '', escapeHtml(result.classification))}${cell(
      4,
      ' ',
      escapeHtml(result.lastUpdatedText),
    )}${cell(5, '', escapeHtml(result.version ?? 'n/a'))}${cell(
      6,
      ' resultsSizeWidth',
      `<span id="${id}_size">${escapeHtml(result.sizeText)}</span>
                       <span class="noDisplay" id="${id}_originalSize">${result.sizeInBytes}</span>`,
    )}<td class="resultsbottomBorder resultsButtonWidth" id="${id}_C7_R${index}">
                            <input id="${id}" class="flatLightBlueButton" type="button" value='Download' />
                        </td>
	</tr>`;
}

const headerRow = `<tr class="dataGridFixedHeader1" id="headerRow">
		<td class="headerText ResultsHeaderTD resultsNOBorder" id="header_C0">&nbsp;</td>
		<td class="headerText resultsHeaderpadding ResultsHeaderTD resultsBorderRight" id="header_C1"><span>Title</span></td>
		<td class="headerText resultsHeaderpadding ResultsHeaderTD resultsBorderRight" id="header_C2"><span>Products</span></td>
		<td class="headerText resultsHeaderpadding ResultsHeaderTD resultsBorderRight" id="header_C3"><span>Classification</span></td>
		<td class="headerText resultsHeaderpadding ResultsHeaderTD resultsBorderRight resultsDateWidth" id="header_C4"><span>Last Updated</span></td>
		<td class="headerText resultsHeaderpadding ResultsHeaderTD resultsBorderRight" id="header_C5"><span>Version</span></td>
		<td class="headerText resultsHeaderpadding ResultsHeaderTD  resultsBorderRight" id="header_C6"><span>Size</span></td>
		<td class="headerText ResultsHeaderTD resultsButtonWidth" id="header_C7"></td>
	</tr>`;

export interface SearchPageInput {
  query: string;
  /** The results of this page (at most 25). */
  results: CatalogSearchResult[];
  /** 1-based. */
  page: number;
  pageCount: number;
  /** All matches, capped at 1000 as the catalog does. */
  totalCount: number;
}

/** `Search.aspx?q=` for one page; no results give the catalog's no-results text. */
export function renderSearchPage(input: SearchPageInput): string {
  const query = escapeHtml(input.query);
  const heading = `<div class="textSubHeadingColor textBold" id="searchSubHeading">
            <table id="ctl00_catalogBody_ResultsHeaderTable">
	<tr>
		<td>
                        <span id="ctl00_catalogBody_resultText">Search results for</span>
                        <span id="ctl00_catalogBody_searchString">"${query}"</span>
                    </td>
	</tr>
</table>
        </div>`;
  const form = `./Search.aspx?q=${encodeURIComponent(input.query)}`;
  if (input.results.length === 0) {
    return page(
      `<div id="contentSection">
        ${heading}
        <div id="ctl00_catalogBody_noResults" class="noResults">
            <span id="ctl00_catalogBody_noResultText" class="textBold">We did not find any results for "${query}".</span>
        </div>
    </div>`,
      form,
    );
  }

  const first = (input.page - 1) * catalogPageSize + 1;
  const last = first + input.results.length - 1;
  const nextHref = `Search.aspx?q=${encodeURIComponent(input.query)}&p=${input.page + 1}`;
  const next =
    input.page < input.pageCount
      ? `<span id="ctl00_catalogBody_nextPageLink">
                        <a id="ctl00_catalogBody_nextPageLinkText" href="${escapeHtml(nextHref)}"><span>Next</span></a>
                    </span>`
      : `<span id="ctl00_catalogBody_nextPage">
                        <span>Next</span>
                        <img src="Images/button_NextArrow_disabled.gif" id="ctl00_catalogBody_nextImage" alt="" align="middle" /></span>`;
  const capNotice =
    input.totalCount >= catalogResultCap
      ? `<div id="ctl00_catalogBody_moreResults" class="moreReults">
            <span id="ctl00_catalogBody_textMoreResults">Your search resulted in over 1000 matching updates.  Only the first 1000 are returned.  To narrow your search, try adding additional keywords to your search terms.</span>
        </div>`
      : '';
  return page(
    `<div id="contentSection">
        ${heading}
        ${capNotice}
        <table id="ctl00_catalogBody_navigationLinks" cellpadding="0" cellspacing="0" border="0" class="resultsNavigation">
	<tr>
		<td>
                    <span id="ctl00_catalogBody_labelUpdates_Separator">Updates:</span>
                    <span id="ctl00_catalogBody_searchDuration">${first} - ${last} of ${input.totalCount} (page ${input.page} of ${input.pageCount})</span><br />
                </td>
		<td valign="middle" class="textAlignRight">
                    <span id="ctl00_catalogBody_prevPage"><span>Previous</span></span><span>|</span> ${next}
                </td>
	</tr>
</table>
    </div>
    <div id="tableContainer" class="resultsBackGround">
        <table class="resultsBorder resultsBackGround" cellspacing="0" cellpadding="0" rules="all" id="ctl00_catalogBody_updateMatches" style="border-color:Gray;border-width:1px;border-style:solid;border-collapse:collapse;">
	${headerRow}${input.results.map(searchRow).join('')}
</table>
    </div>`,
    form,
  );
}

/** One item per line with `,` lines between, as the catalog writes its lists. */
function list(items: readonly string[]): string {
  return items.length === 0 ? 'n/a' : items.map((item) => escapeHtml(item.replace(/\s+/g, ' '))).join('\n                                    ,\n                                    ');
}

function labelled(divId: string, labelId: string, label: string, value: string, divClass = ''): string {
  return `<div id="${divId}"${divClass === '' ? '' : ` class="${divClass}"`}>
                                    <span id="ScopedViewHandler_${labelId}_Separator" class="labelTitle">${label}</span>

                                    ${value}

                                </div>`;
}

function referenceList(references: readonly CatalogUpdateReference[]): string {
  if (references.length === 0) return 'n/a';
  return references
    .map((reference) => {
      const title = escapeHtml(reference.title);
      const content =
        reference.updateId === undefined
          ? title
          : `<a href="ScopedViewInline.aspx?updateid=${escapeHtml(reference.updateId)}">${title}</a>`;
      return `
                            <div style="padding-bottom: 0.3em;">
                                ${content}
                            </div>
`;
    })
    .join('');
}

function urlList(urls: readonly string[], tabIndex: number): string {
  if (urls.length === 0) return 'n/a';
  return urls
    .map(
      (url) => `<div>
                                        <a target="catalogNew" tabindex="${tabIndex}" href="${escapeHtml(url)}" class="contentTextItemSpacerNoBreakLink">
                                            ${escapeHtml(url)}
                                        </a>
                                    </div>`,
    )
    .join('\n');
}

/** `ScopedViewInline.aspx?updateid=` in the 2023 markup. */
export function renderDetailsPage(details: CatalogUpdateDetails): string {
  const text = (value: string | undefined): string => escapeHtml(value ?? 'n/a');
  const updateId = details.updateId ?? '';
  return page(
    `<div class="inlinePadding">
        <div id="scopedViewHeaderTitleBox" class="dialogHeader">
            <span id="scopedViewHeaderTitleResource">Update Details</span>
        </div>
        <div id="contentSection">
            <div class="textBottomSpacer labelTitle" id="titleDiv">
                <span id="ScopedViewHandler_titleText">${escapeHtml(details.title)}</span>
            </div>
            <div id="dateDiv" class="textBottomSpacer">
                <span id="ScopedViewHandler_labelLastModified_Separator" class="labelTitle">Last Modified:</span>
                <span id="ScopedViewHandler_date">${escapeHtml(details.lastModifiedText ?? '')}</span>
            </div>
            <div id="sizeDiv" class="textBottomSpacer">
                <span class="labelTitle">Size:</span>
                <span id="ScopedViewHandler_size">${text(details.sizeText)}</span>
            </div>
            <div id="updateIdDiv" class="textBottomSpacer">
                <span class="labelTitle">UpdateID:</span>
                <span id="ScopedViewHandler_UpdateID">${escapeHtml(updateId)}</span>
            </div>
        </div>
        <div id="tabBody">
            <div id="overviewBox">
                <div id="overviewContentBody" class="tabBodyContentBox">
                    <table cellpadding="0" cellspacing="0" border="0" width="95%">
                        <tbody>
                        <tr>
                            <td id="overviewLeftBox">
                                <div id="descDiv" class="textDoubleSpacer">
                                    <span id="ScopedViewHandler_labelDescription_Separator" class="labelTitle">Description:</span>
                                    <span id="ScopedViewHandler_desc">${text(details.description)}</span>
                                </div>
                                ${labelled('archDiv', 'labelArchitecture', 'Architecture:', text(details.architecture))}
                                ${labelled('classificationDiv', 'labelClassification', 'Classification:', text(details.classification))}
                                ${labelled('productsDiv', 'labelSupportedProducts', 'Supported products:', list(details.products))}
                                ${labelled('languagesDiv', 'labelSupportedLanguages', 'Supported languages:', list(details.languages))}
                            </td>
                            <td id="overviewRightBox">
                                <div id="ScopedViewHandler_SoftwareInfo">
                                    ${labelled('securityBullitenDiv', 'labelSecurityBulliten', 'MSRC Number:', text(details.msrcNumber))}
                                    <div id="msrcSeverityDiv">
                                        <span id="ScopedViewHandler_labelMSRCSeverity_Separator" class="labelTitle">MSRC severity:</span>
                                        <span id="ScopedViewHandler_msrcSeverity">${text(details.msrcSeverity)}</span>
                                    </div>
                                    ${labelled('kbDiv', 'labelKBArticle', 'KB article numbers:', text(details.kb), 'textDoubleSpacer')}
                                </div>
                                ${labelled('moreInfoDiv', 'labelMoreInfo', 'More information:', urlList(details.moreInfoUrls, 2), 'textDoubleSpacer')}
                                ${labelled('suportUrlDiv', 'labelSupportUrl', 'Support Url:', urlList(details.supportUrls, 3), 'textDoubleSpacer')}
                            </td>
                        </tr>
                        </tbody>
                    </table>
                </div>
            </div>
            <div id="packageBox" style="display: none;">
                <div id="ScopedViewHandler_softwarePackage">
                    <div class="tabBodyContentBox tabBodyContentBox">
                        <span id="ScopedViewHandler_labelSupersedingUpdates_Separator" class="labelTitle">This update has been replaced by the following updates:</span>
                        <div id="supersededbyInfo">${referenceList(details.supersededBy)}</div>
                        <span id="ScopedViewHandler_labelSupersededUpdates_Separator" class="labelTitle">This update replaces the following updates:</span>
                        <div id="supersedesInfo">${referenceList(details.supersedes)}</div>
                    </div>
                </div>
            </div>
            <div id="installBox" style="display: none;">
                <div class="tabBodyContentBox" tabindex="1">
                    <div id="rebootBehaviorDiv">
                        <span id="ScopedViewHandler_labelRebooBehavior_Separator" class="labelTitle">Restart behavior:</span>
                        <span id="ScopedViewHandler_rebootBehavior">${text(details.rebootBehavior)}</span>
                    </div>
                </div>
            </div>
        </div>
    </div>`,
    updateId === '' ? './ScopedViewInline.aspx' : `./ScopedViewInline.aspx?updateid=${encodeURIComponent(updateId)}`,
  );
}

export interface DownloadDialogInput {
  updateId: string;
  /** The update's title (the dialog's `enTitle`). */
  title?: string;
  files: CatalogDownloadFile[];
}

/** `DownloadDialog.aspx`: the page whose script assigns `downloadInformation[0]`. */
export function renderDownloadDialog(input: DownloadDialogInput): string {
  const prefix = 'downloadInformation[0]';
  const lines = [
    'var downloadInformation = new Array();',
    `${prefix} = new Object();`,
    `${prefix}.updateID =${jsString(input.updateId)};`,
    `${prefix}.isHotFix =false;`,
    `${prefix}.enTitle =${jsString(input.title ?? '')};`,
    `${prefix}.sizeLanguage ='';`,
    `${prefix}.files = new Array();`,
  ];
  input.files.forEach((file, index) => {
    const f = `${prefix}.files[${index}]`;
    lines.push(
      `${f} = new Object();`,
      `${f}.url = ${jsString(file.url)};`,
      `${f}.digest = ${jsString(file.digest ?? '')};`,
      `${f}.sha256 = ${jsString(file.sha256 ?? '')};`,
      `${f}.architectures = '';`,
      `${f}.languages = 'all';`,
      `${f}.longLanguages = 'all';`,
      `${f}.fileName = ${jsString(file.fileName)};`,
      `${f}.defaultFileNameLength = 128;`,
    );
  });
  lines.push(`${prefix}.allFilesExist = false;`);
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="ltr">
<head id="DialogHeading"><meta http-equiv="X-UA-Compatible" content="IE=7" /><title>
	Microsoft Update Catalog
</title>
    <script language="javascript" type="text/javascript">
        // Writes the eula and file info arrays
        ${lines.join('\n')}
    </script>
</head>
<body>
    <div id="downloadFiles"></div>
</body>
</html>
`;
}

/** The catalog's error page, e.g. `8DDD0010` (try again later) or `8DDD0024` (not found). */
export function renderErrorPage(code: string): string {
  // The page posts back to Error.aspx?id=<the code as a signed 32-bit number>.
  const id = /^[0-9A-F]{8}$/i.test(code) ? String(parseInt(code, 16) | 0) : '';
  return page(
    `<div id="errorPageHeader" class="textTopTitlePadding">
        <table id="errorPageHeaderTable" border="0" cellpadding="0" cellspacing="0">
            <tr id="errorPageHeaderTableRow" class="contentHeaderTableRow">
                <td id="errorPageHeaderTableRowText">
                    <span id="ctl00_catalogBody_errorHandler_textHeaderError" class="contentPageTitle">The website has encountered a problem </span>
                </td>
            </tr>
        </table>
    </div>
    <div id="errorPageDisplayedError" class="contentHeaderErrorNumber">
        [<span id="ctl00_catalogBody_errorHandler_textErrorNumberError" class="contentHeaderErrorNumber">Error number: </span>${escapeHtml(code)}]
    </div>`,
    id === '' ? './Error.aspx' : `./Error.aspx?id=${id}`,
  );
}
