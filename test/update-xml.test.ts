import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { InvalidDataError } from '../src/errors.js';
import { localizedFor, type UpdateMetadata } from '../src/model/update.js';
import { parseUpdateXml, updateNamespace, type UpdateXmlOptions } from '../src/protocol/update-xml.js';
import { parseXml, childText, children } from '../src/protocol/xml.js';
import { wsusssRecorded } from './helpers/fixtures.js';

const docs = {
  bundle: 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe-r200.xml',
  fullDeltas547: '266f6222-c89d-43f2-9f8a-69340271e677-r200.xml',
  fullDeltas539: '7366a74a-ef29-44e1-b738-570b516aca1f-r200.xml',
  engineLeaf: 'ff36f0b5-dded-4780-8664-cd78af8b62c1-r200.xml',
  engineBundle: '1f9bd9bb-7390-4aa3-bbdb-ded99fac2583-r200.xml',
  sigStub: 'ccb78947-6453-4ecc-9de8-bc0305c98f2d-r200.xml',
  company: '56309036-4c77-4dd9-951a-99ee9c246a94-r101.xml',
  productFamily: '6964aab4-c5b5-43bd-a17d-ffb4346a8e1d-r100.xml',
  product: 'dd78b8a1-0b20-45c1-add6-4da72e9364cf-r202.xml',
} as const;

const defender = '8c3fcc84-7410-4a95-8b89-a166a0190486';
const definitionUpdates = 'e0789628-ce08-4437-be74-2495b842f43b';

function read(file: string): string {
  return readFileSync(path.join(wsusssRecorded, 'docs', file), 'utf8');
}

function parse(file: string, options?: UpdateXmlOptions): UpdateMetadata {
  return parseUpdateXml(read(file), file, options);
}

/** Replaces text that must be present, so a fixture change cannot make a test pass vacuously. */
function edit(text: string, from: string | RegExp, to: string): string {
  const result = text.replace(from, to);
  expect(result, `edit of ${String(from)}`).to.not.equal(text);
  return result;
}

function expectInvalid(action: () => unknown, code: string, target: string, field?: string): InvalidDataError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).to.be.instanceOf(InvalidDataError);
  const error = caught as InvalidDataError;
  expect(error.code).to.equal(code);
  expect(error.target).to.equal(target);
  expect(error.category).to.equal('InvalidData');
  expect(error.message).to.include(target);
  if (field !== undefined) {
    expect(error.data?.['field']).to.equal(field);
    expect(error.message).to.include(field);
  }
  return error;
}

/** A minimal well-formed update document, for the shapes the recorded documents lack. */
function minimalDoc(parts: { attributes?: string; properties?: string; body?: string } = {}): string {
  const attributes = parts.attributes ?? 'UpdateType="Software" CreationDate="2026-01-02T03:04:05.678Z"';
  return (
    `<upd:Update xmlns:upd="${updateNamespace}">` +
    '<upd:UpdateIdentity UpdateID="11111111-2222-3333-4444-555555555555" RevisionNumber="7" />' +
    `<upd:Properties DefaultPropertiesLanguage="en" ${attributes}>${parts.properties ?? ''}</upd:Properties>` +
    `${parts.body ?? ''}</upd:Update>`
  );
}

describe('parseUpdateXml', () => {
  describe('the nine recorded documents', () => {
    const table: Array<[string, string, number, string, string | undefined, string, number, string]> = [
      [docs.bundle, 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', 200, 'Software', undefined, '2026-10-04T12:00:58.381Z', 35,
        'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.459.547.0) - Current Channel (Broad)'],
      [docs.fullDeltas547, '266f6222-c89d-43f2-9f8a-69340271e677', 200, 'Software', undefined, '2026-10-04T12:00:58.287Z', 1,
        'Full Deltas 1.459.547.0 for Defender amd64fre [Ring0, Ring1, Ring2, Ring3, Ring4, Broad, Delayed]'],
      [docs.fullDeltas539, '7366a74a-ef29-44e1-b738-570b516aca1f', 200, 'Software', undefined, '2026-10-03T21:45:30.495Z', 1,
        'Full Deltas 1.459.539.0 for Defender amd64fre [Ring0, Ring1, Ring2, Ring3, Ring4, Broad, Delayed]'],
      [docs.engineLeaf, 'ff36f0b5-dded-4780-8664-cd78af8b62c1', 200, 'Software', undefined, '2026-09-02T08:19:36.080Z', 1,
        'AM Engine 1.1.26080.3 for Defender amd64fre Broad'],
      [docs.engineBundle, '1f9bd9bb-7390-4aa3-bbdb-ded99fac2583', 200, 'Software', undefined, '2026-09-02T08:19:36.190Z', 1,
        'HIDDEN: Defender Engine 1.1.26080.3 for EngineBroad (Installer 1.1.24010.2001-Q)'],
      [docs.sigStub, 'ccb78947-6453-4ecc-9de8-bc0305c98f2d', 200, 'Software', undefined, '2024-01-11T20:15:45.051Z', 1,
        'HIDDEN: Defender MpSigStub 1.1.24010.2001 for EngineBroad (Installer 1.1.24010.2001-Q)'],
      // The two oldest categories spell their UpdateID in upper case.
      [docs.company, '56309036-4c77-4dd9-951a-99ee9c246a94', 101, 'Category', 'Company', '2005-09-22T00:05:11.471Z', 24, 'Microsoft'],
      [docs.productFamily, '6964aab4-c5b5-43bd-a17d-ffb4346a8e1d', 100, 'Category', 'ProductFamily', '2004-05-15T05:50:01.611Z', 24, 'Windows'],
      [docs.product, 'dd78b8a1-0b20-45c1-add6-4da72e9364cf', 202, 'Category', 'Product', '2015-08-25T20:09:50.002Z', 1, 'OOBE ZDP'],
    ];
    for (const [file, updateId, revisionNumber, updateType, categoryType, creationDate, languages, title] of table) {
      it(`reads identity, type, date and English title of ${file}`, () => {
        const text = read(file);
        const update = parseUpdateXml(text, file);
        expect(update.updateId).to.equal(updateId);
        expect(update.revisionNumber).to.equal(revisionNumber);
        expect(update.updateType).to.equal(updateType);
        expect(update.categoryType).to.equal(categoryType);
        expect(update.creationDate).to.equal(creationDate);
        expect(update.publicationState).to.equal('Published');
        expect(update.defaultLanguage).to.equal('en');
        expect(update.localized).to.have.length(languages);
        expect(localizedFor(update, 'en')?.title).to.equal(title);
        // The document is kept byte for byte, to be served downstream unchanged.
        expect(update.xml).to.equal(text);
      });
    }

    it('agrees with the English titles the same server sent a native Windows Update Agent', () => {
      const withFragments = [docs.bundle, docs.fullDeltas547, docs.fullDeltas539, docs.engineLeaf, docs.engineBundle, docs.sigStub, docs.product];
      for (const file of withFragments) {
        const fragmentFile = path.join(wsusssRecorded, 'wusp-reference', file.replace(/\.xml$/, '.localized-en.xml'));
        const fragment = children(parseXml(readFileSync(fragmentFile, 'utf8'), fragmentFile), 'LocalizedProperties')[0];
        expect(localizedFor(parse(file), 'en')?.title, file).to.equal(childText(fragment, 'Title'));
      }
    });

    it('reads KB2267602: KB number from Properties, no severity or bulletin, no files', () => {
      const update = parse(docs.bundle);
      expect(update.kbArticleId).to.equal('2267602');
      expect(update.securityBulletinId).to.equal(undefined);
      expect(update.msrcSeverity).to.equal(undefined);
      expect(update.files).to.deep.equal([]);
    });

    it('reads all 35 languages of KB2267602 with their links', () => {
      const update = parse(docs.bundle);
      expect(update.localized.map((l) => l.language)).to.deep.equal([
        'en', 'ar', 'bg', 'cs', 'da', 'de', 'el', 'es', 'et', 'fi', 'fr', 'he', 'hr', 'hu', 'it', 'ja', 'ko', 'lt',
        'lv', 'nl', 'no', 'pl', 'pt', 'pt-br', 'ro', 'ru', 'sk', 'sl', 'sr', 'sv', 'th', 'tr', 'uk', 'zh-cn', 'zh-tw',
      ]);
      expect(localizedFor(update, 'en')).to.deep.equal({
        language: 'en',
        title: 'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.459.547.0) - Current Channel (Broad)',
        description:
          'Install this update to revise the files that are used to detect viruses, spyware, and other potentially unwanted software. Once you have installed this item, it cannot be removed.',
        moreInfoUrl: 'https://go.microsoft.com/fwlink/?linkid=2007160',
        supportUrl: 'https://go.microsoft.com/fwlink/?LinkId=52661',
      });
      expect(localizedFor(update, 'de')?.title).to.equal(
        'Security Intelligence-Update für Microsoft Defender Antivirus – KB2267602 (Version 1.459.547.0) – Aktueller Kanal (Allgemein)',
      );
      expect(localizedFor(update, 'ja')?.title).to.equal(
        'Microsoft Defender Antivirus のセキュリティ インテリジェンス更新プログラム - KB2267602 (バージョン 1.459.547.0) - 現在のチャネル (広範)',
      );
      expect(localizedFor(update, 'zh-tw')?.title).to.equal('安全情報更新 Microsoft Defender Antivirus - KB2267602 (版本 1.459.547.0) - 目前通道 (廣泛)');
      // The French title carries no-break spaces; they are content, not trimmed.
      expect(localizedFor(update, 'fr')?.title).to.equal(
        'Mise à jour de la sélection disjointe pour Microsoft Defender Antivirus – 2267602\u00a0Ko (version\u00a01.459.547.0) – Canal actuel (large)',
      );
      expect(localizedFor(update, 'de')?.description).to.match(/^Installieren Sie dieses Update/);
      for (const entry of update.localized) {
        expect(entry.moreInfoUrl, entry.language).to.equal('https://go.microsoft.com/fwlink/?linkid=2007160');
        expect(entry.supportUrl, entry.language).to.equal('https://go.microsoft.com/fwlink/?LinkId=52661');
        expect(entry.uninstallNotes, entry.language).to.equal(undefined);
      }
    });

    it('reads the relationships of KB2267602', () => {
      const update = parse(docs.bundle);
      expect(update.supersededUpdateIds).to.deep.equal([
        'ce84983e-b20e-44d7-a412-1fd91fc7bda8',
        '74e87997-e3b3-45d2-a527-a8877a5162ec',
        '1594b429-a8c5-4b0d-ac86-79b0a826a847',
        'b2a92e00-dfa3-4fd0-b285-8d961303b0ca',
        '22281ef5-bbea-4576-af48-6aa6bafbb5b3',
        'cb326352-0184-4dfb-96eb-8817727cbe7f',
        '42e65fc7-a953-4d7f-9277-54e3a265200e',
        'cf3a401d-e198-47ba-97a4-debb550f5b39',
        '391d3487-e6f5-4bd0-a607-7e29f9fbd88e',
        'bb663b81-45db-43cb-8bfa-33411e0d8a1f',
      ]);
      expect(update.prerequisites).to.deep.equal([
        ['be4048db-157c-4532-9582-7f05099590c9'],
        ['0aac58ee-82a0-4452-a7fa-19f68398f1fa'],
        [definitionUpdates],
        [defender],
      ]);
      // Its two AtLeastOne groups say IsCategory="true": classification and product.
      expect(update.categoryIds).to.deep.equal([definitionUpdates, defender]);
      // Four AtLeastOne groups of 7, 7, 7 and 103 children, all at revision 200.
      expect(update.bundledUpdates).to.have.length(124);
      expect(update.bundledUpdates.slice(0, 7)).to.deep.equal([
        { updateId: '90f961a9-1756-4493-aade-644c37589961', revisionNumber: 200 },
        { updateId: 'b41f24ed-5293-4c1c-81c8-9d4b8af8eb7e', revisionNumber: 200 },
        { updateId: 'abfe02a0-3833-43fe-884c-98d692ce7df7', revisionNumber: 200 },
        { updateId: '73c4b5f6-fe36-4a59-837a-7f4c938b43fd', revisionNumber: 200 },
        { updateId: '8357c543-cd5b-41fe-b6b5-3e8d1188c648', revisionNumber: 200 },
        { updateId: 'ccb78947-6453-4ecc-9de8-bc0305c98f2d', revisionNumber: 200 },
        { updateId: '7a20e8ab-8dfa-4320-8929-4e212309394c', revisionNumber: 200 },
      ]);
      expect(update.bundledUpdates[12]).to.deep.equal({ updateId: '1f9bd9bb-7390-4aa3-bbdb-ded99fac2583', revisionNumber: 200 });
      expect(update.bundledUpdates[23]).to.deep.equal({ updateId: '266f6222-c89d-43f2-9f8a-69340271e677', revisionNumber: 200 });
      expect(update.bundledUpdates[123]).to.deep.equal({ updateId: '3baa1bb8-21ec-4c3a-8bc7-f613ff818fd2', revisionNumber: 200 });
      expect(new Set(update.bundledUpdates.map((b) => b.updateId)).size).to.equal(124);
      expect(update.bundledUpdates.every((b) => b.revisionNumber === 200)).to.equal(true);
    });

    it('reads the 24 bundled updates of the engine bundle 1f9bd9bb with their revisions', () => {
      const update = parse(docs.engineBundle);
      expect(update.bundledUpdates).to.deep.equal(
        [
          'f0f101fb-5f20-46fb-949f-3da68bd6f77d', 'ff36f0b5-dded-4780-8664-cd78af8b62c1', 'af84c5cd-1bb7-4421-aae7-ecf6a7cf4898',
          'baf5e068-ca5b-4649-9f4d-d91d68da2eab', 'd8bd2012-b824-4041-bcec-ee4be4cdbfc6', '2b83a689-a630-416c-a201-686a4c2b9323',
          'eebb930c-9da0-420a-9ce0-ce27c00b4e82', '3537ee6c-c08c-4200-a72f-116c8ab441a1', '5196c248-a5db-4861-8808-a04d40ceee9d',
          'df55f77b-7366-4691-83c4-d1df423c9824', '2958bc53-5ca1-4a90-8c76-73e11a0274e1', '377e42bc-41e8-4ca4-a979-8b8196dc734a',
          '4456baec-5b73-4ec1-acf6-4150bc18a520', '0e1d8d1b-6618-46d5-b2ee-abcaf7791ac0', '55a30351-d131-46a8-9eac-0ef880dff91f',
          '3fdd38a3-3777-448b-9a59-ea7bc64e96a5', '836505fe-fd19-45da-a2fd-680b59e41814', '94f75687-9b9b-43c0-8627-d3be39d0f55f',
          'ca06b03e-f8e7-44bc-8955-3953d8fdf2ae', 'a4d86311-0ef3-4b22-b1d7-300cca533e7c', 'd30aa460-5bd5-4177-96d2-d85ca5be4997',
          'b1bf510e-70ca-4bf6-b655-f9e878cbfe82', '42e95b1b-480c-4725-a470-45ef2dda1794', 'a05b85ab-86f5-453c-a0b2-61b8a053d8d3',
        ].map((updateId) => ({ updateId, revisionNumber: 200 })),
      );
      // AtLeastOne groups without IsCategory: prerequisites, but not declared categories.
      expect(update.prerequisites).to.deep.equal([[definitionUpdates], [defender]]);
      expect(update.categoryIds).to.deep.equal([]);
      expect(update.supersededUpdateIds).to.deep.equal([]);
      expect(update.files).to.deep.equal([]);
      expect(update.kbArticleId).to.equal(undefined);
    });

    it('reads the small leaf ccb78947 with four bundled updates', () => {
      const update = parse(docs.sigStub);
      expect(update.bundledUpdates).to.deep.equal([
        { updateId: 'b6f443c9-ad38-4347-bab3-f1dc0b03d533', revisionNumber: 200 },
        { updateId: '0daf8592-9e3f-4a8a-9141-d83fafebd09f', revisionNumber: 200 },
        { updateId: '4c0a0a90-4bd5-4fe5-b306-8dbd6fde30a0', revisionNumber: 200 },
        { updateId: 'e052d9bd-e49c-4d6e-876e-005b49b89812', revisionNumber: 200 },
      ]);
      expect(update.prerequisites).to.deep.equal([[definitionUpdates], [defender]]);
      expect(update.localized).to.deep.equal([
        { language: 'en', title: 'HIDDEN: Defender MpSigStub 1.1.24010.2001 for EngineBroad (Installer 1.1.24010.2001-Q)' },
      ]);
    });

    it('reads the file and prerequisites of the Full Deltas leaf 266f6222', () => {
      const update = parse(docs.fullDeltas547);
      expect(update.files).to.deep.equal([
        {
          fileName: 'AM_Delta.exe',
          size: 11606440,
          digest: 'h/W9BGlYUAaqXTp30cZi/SiV3c0=',
          digestAlgorithm: 'SHA1',
          sha256: 'Amt0qymy5KsROiwIXm4QIIV75Ju4r+Cl28Pg8gaLXUA=',
          modified: '2026-10-04T09:39:26.000Z',
        },
      ]);
      // Three plain UpdateIdentity (groups of one), then one AtLeastOne without IsCategory.
      expect(update.prerequisites).to.deep.equal([
        ['be4048db-157c-4532-9582-7f05099590c9'],
        ['59653007-e2e9-4f71-8525-2ff588527978'],
        ['0aac58ee-82a0-4452-a7fa-19f68398f1fa'],
        [defender],
      ]);
      expect(update.categoryIds).to.deep.equal([]);
      expect(update.bundledUpdates).to.deep.equal([]);
      expect(update.supersededUpdateIds).to.deep.equal([]);
    });

    it('reads the files of the leaves ff36f0b5 and 7366a74a', () => {
      expect(parse(docs.engineLeaf).files).to.deep.equal([
        {
          fileName: 'AM_Engine.exe',
          size: 6662560,
          digest: 'vXidQqLgJwCO4+fE++5nIN1txMk=',
          digestAlgorithm: 'SHA1',
          sha256: 'FX0fJz391BBQFKgKnFee7Set4FikM6ebvaIHkpuXY+c=',
          modified: '2026-08-18T00:39:04.000Z',
        },
      ]);
      expect(parse(docs.fullDeltas539).files).to.deep.equal([
        {
          fileName: 'AM_Delta.exe',
          size: 11610576,
          digest: '6LHXWIXPjwU6Ewe9ycP4e/DPeto=',
          digestAlgorithm: 'SHA1',
          sha256: 'z53OiKDgnskhUnDhQeuuixJreIqwZq1X7COvqZM4+Tk=',
          modified: '2026-10-03T19:37:36.000Z',
        },
      ]);
    });

    it('agrees with the files in the extended fragments the server sent Windows Update Agent', () => {
      for (const file of [docs.fullDeltas547, docs.fullDeltas539, docs.engineLeaf]) {
        const fragmentFile = path.join(wsusssRecorded, 'wusp-reference', file.replace(/\.xml$/, '.extended.xml'));
        // The fragment is a sequence of elements, not a document: wrap it.
        const fragment = children(parseXml(`<fragment>${readFileSync(fragmentFile, 'utf8')}</fragment>`, fragmentFile), 'fragment')[0];
        const expected = children(children(fragment, 'Files')[0], 'File')[0]!;
        const [parsed] = parse(file).files;
        expect(parsed?.digest, file).to.equal(expected['@_Digest']);
        expect(parsed?.size, file).to.equal(Number(expected['@_Size']));
        expect(parsed?.sha256, file).to.equal(childText(expected, 'AdditionalDigest'));
      }
    });

    it('reads the category hierarchy Microsoft → Windows → OOBE ZDP', () => {
      const company = parse(docs.company);
      expect(company.prerequisites).to.deep.equal([]);
      expect(company.categoryIds).to.deep.equal([]);
      expect(company.localized.map((l) => l.language)).to.deep.equal([
        'ar', 'cs', 'da', 'de', 'el', 'en', 'es', 'fi', 'fr', 'he', 'hu', 'it', 'ja', 'ko', 'nl', 'no', 'pl', 'pt', 'pt-br', 'ru', 'sv', 'tr',
        'zh-cn', 'zh-tw',
      ]);
      expect(localizedFor(company, 'de')).to.deep.equal({ language: 'de', title: 'Microsoft', description: 'Microsoft' });

      const family = parse(docs.productFamily);
      expect(family.prerequisites).to.deep.equal([[company.updateId]]);
      expect(family.categoryIds).to.deep.equal([company.updateId]);
      expect(localizedFor(family, 'ja')).to.deep.equal({ language: 'ja', title: 'Windows', description: 'Windows' });

      const product = parse(docs.product);
      expect(product.categoryIds).to.deep.equal([family.updateId]);
      expect(product.localized).to.deep.equal([
        { language: 'en', title: 'OOBE ZDP', description: 'This category would be used by the updates that would meet the ZDP bar.' },
      ]);
      for (const category of [company, family, product]) {
        expect(category.files).to.deep.equal([]);
        expect(category.bundledUpdates).to.deep.equal([]);
      }
    });

    it('leaves categoryType out of software updates', () => {
      expect(parse(docs.bundle)).to.not.have.property('categoryType');
    });
  });

  describe('language selection', () => {
    it('keeps the selected languages plus the default language, in document order', () => {
      expect(parse(docs.bundle, { languages: ['fr', 'de'] }).localized.map((l) => l.language)).to.deep.equal(['en', 'de', 'fr']);
    });

    it('compares languages without regard to case', () => {
      expect(parse(docs.bundle, { languages: ['ZH-TW', 'Pt-BR'] }).localized.map((l) => l.language)).to.deep.equal(['en', 'pt-br', 'zh-tw']);
    });

    it('falls back to the default language alone when no selected language is present', () => {
      expect(parse(docs.bundle, { languages: [] }).localized.map((l) => l.language)).to.deep.equal(['en']);
      expect(parse(docs.company, { languages: ['xx'] }).localized.map((l) => l.language)).to.deep.equal(['en']);
    });

    it('keeps every language when no selection is given', () => {
      expect(parse(docs.company, {}).localized).to.have.length(24);
    });

    it('leaves the kept xml untouched by the selection', () => {
      expect(parse(docs.bundle, { languages: ['de'] }).xml).to.equal(read(docs.bundle));
    });
  });

  describe('shapes of the schema the recordings lack', () => {
    it('accepts any prefix, or none, bound to the update namespace', () => {
      const text = read(docs.bundle);
      const expected = { ...parse(docs.bundle), xml: '' };
      const renamed = edit(text.replaceAll('upd:', 'u:'), 'xmlns:upd=', 'xmlns:u=');
      expect({ ...parseUpdateXml(renamed, 'renamed'), xml: '' }).to.deep.equal(expected);
      const unprefixed = edit(text.replaceAll('upd:', ''), `xmlns:upd="${updateNamespace}"`, `xmlns="${updateNamespace}"`);
      expect({ ...parseUpdateXml(unprefixed, 'unprefixed'), xml: '' }).to.deep.equal(expected);
    });

    it('reads a security update: severity, bulletin, KB prefix, uninstall notes, language-neutral support link', () => {
      const update = parseUpdateXml(
        minimalDoc({
          attributes: 'UpdateType="Software" MsrcSeverity="Critical" CreationDate="2008-10-23T17:00:00"',
          properties:
            '<upd:SupportUrl>https://example.invalid/support</upd:SupportUrl>' +
            '<upd:SecurityBulletinID>MS08-067</upd:SecurityBulletinID><upd:KBArticleID>KB958644</upd:KBArticleID>',
          body:
            '<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language>' +
            '<upd:Title>Security Update for Windows (KB958644)</upd:Title><upd:Description>A security issue &amp; more.</upd:Description>' +
            '<upd:UninstallNotes>This software update can be removed.</upd:UninstallNotes>' +
            '<upd:MoreInfoUrl>https://example.invalid/ms08-067</upd:MoreInfoUrl></upd:LocalizedProperties></upd:LocalizedPropertiesCollection>',
        }),
        'security update',
      );
      expect(update.msrcSeverity).to.equal('Critical');
      expect(update.securityBulletinId).to.equal('MS08-067');
      expect(update.kbArticleId).to.equal('958644');
      // A date without an offset is UTC, whatever the local time zone of the process.
      expect(update.creationDate).to.equal('2008-10-23T17:00:00.000Z');
      expect(update.localized).to.deep.equal([
        {
          language: 'en',
          title: 'Security Update for Windows (KB958644)',
          description: 'A security issue & more.',
          uninstallNotes: 'This software update can be removed.',
          moreInfoUrl: 'https://example.invalid/ms08-067',
          supportUrl: 'https://example.invalid/support',
        },
      ]);
    });

    it('reads bundled updates listed without an AtLeastOne wrapper, with or without revisions', () => {
      const update = parseUpdateXml(
        minimalDoc({
          body:
            '<upd:Relationships><upd:BundledUpdates>' +
            '<upd:UpdateIdentity UpdateID="{AAAAAAAA-0000-0000-0000-000000000001}" RevisionNumber="0" />' +
            '<upd:UpdateIdentity UpdateID="aaaaaaaa-0000-0000-0000-000000000002" />' +
            '</upd:BundledUpdates></upd:Relationships>',
        }),
        'plain bundle',
      );
      expect(update.bundledUpdates).to.deep.equal([
        { updateId: 'aaaaaaaa-0000-0000-0000-000000000001', revisionNumber: 0 },
        { updateId: 'aaaaaaaa-0000-0000-0000-000000000002' },
      ]);
    });

    it('accepts IsCategory="1" and lists a category once', () => {
      const group = '<upd:AtLeastOne IsCategory="1"><upd:UpdateIdentity UpdateID="BBBBBBBB-0000-0000-0000-000000000001" /></upd:AtLeastOne>';
      const update = parseUpdateXml(minimalDoc({ body: `<upd:Relationships><upd:Prerequisites>${group}${group}</upd:Prerequisites></upd:Relationships>` }), 'repeated');
      expect(update.categoryIds).to.deep.equal(['bbbbbbbb-0000-0000-0000-000000000001']);
      expect(update.prerequisites).to.have.length(2);
    });

    it('reads Driver and Detectoid updates, and an UpdateClassification category', () => {
      for (const type of ['Driver', 'Detectoid']) {
        expect(parseUpdateXml(minimalDoc({ attributes: `UpdateType="${type}" CreationDate="2026-01-02"` }), type).updateType).to.equal(type);
      }
      const classification = parseUpdateXml(
        minimalDoc({
          attributes: 'UpdateType="Category" CreationDate="2026-01-02T03:04:05+02:00"',
          body: '<upd:HandlerSpecificData><c:CategoryInformation xmlns:c="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category" CategoryType="UpdateClassification" /></upd:HandlerSpecificData>',
        }),
        'classification',
      );
      expect(classification.categoryType).to.equal('UpdateClassification');
      expect(classification.creationDate).to.equal('2026-01-02T01:04:05.000Z');
    });

    it('defaults the digest algorithm to SHA-1 and ignores other additional digests', () => {
      const [file] = parseUpdateXml(
        minimalDoc({ body: '<upd:Files><upd:File Digest="AAAA" FileName="a.cab" Size="0"><upd:AdditionalDigest Algorithm="SHA512">BBBB</upd:AdditionalDigest></upd:File></upd:Files>' }),
        'file',
      ).files;
      expect(file).to.deep.equal({ fileName: 'a.cab', size: 0, digest: 'AAAA', digestAlgorithm: 'SHA1' });
    });
  });

  describe('bad input', () => {
    const target = 'update under test';

    it('refuses text that is not XML', () => {
      expectInvalid(() => parseUpdateXml('this is not xml', target), 'XmlMalformed', target);
      expectInvalid(() => parseUpdateXml('', target), 'XmlMalformed', target);
    });

    it('refuses a truncated document', () => {
      const text = read(docs.bundle);
      expectInvalid(() => parseUpdateXml(text.slice(0, text.length / 2), target), 'XmlMalformed', target);
      expectInvalid(() => parseUpdateXml(text.slice(0, -'</upd:Update>'.length), target), 'XmlMalformed', target);
    });

    it('refuses a root that is not Update', () => {
      const text = edit(read(docs.sigStub).replace('<upd:Update ', '<upd:Revision '), '</upd:Update>', '</upd:Revision>');
      expectInvalid(() => parseUpdateXml(text, target), 'UpdateXmlWrongRoot', target, 'Update');
    });

    it('refuses an Update element in another namespace, or in none', () => {
      const other = edit(read(docs.sigStub), `xmlns:upd="${updateNamespace}"`, 'xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Publishing"');
      const error = expectInvalid(() => parseUpdateXml(other, target), 'UpdateXmlWrongRoot', target, 'Update');
      expect(error.message).to.include('http://schemas.microsoft.com/msus/2002/12/Publishing');
      const none = edit(read(docs.sigStub).replaceAll('upd:', ''), ` xmlns:upd="${updateNamespace}"`, '');
      expectInvalid(() => parseUpdateXml(none, target), 'UpdateXmlWrongRoot', target, 'Update');
      // The namespace is bound to one prefix but the root uses another.
      const unbound = edit(read(docs.sigStub), `xmlns:upd="${updateNamespace}"`, `xmlns:u="${updateNamespace}"`);
      expectInvalid(() => parseUpdateXml(unbound, target), 'UpdateXmlWrongRoot', target, 'Update');
    });

    it('refuses two root elements', () => {
      expectInvalid(() => parseUpdateXml(read(docs.sigStub) + read(docs.sigStub), target), 'XmlMalformed', target);
      const empty = `<upd:Update xmlns:upd="${updateNamespace}"/>`;
      expectInvalid(() => parseUpdateXml(empty + empty, target), 'XmlMalformed', target);
    });

    it('refuses a document without UpdateIdentity or Properties', () => {
      const noIdentity = edit(read(docs.sigStub), /<upd:UpdateIdentity [^>]*\/>/, '');
      expectInvalid(() => parseUpdateXml(noIdentity, target), 'UpdateXmlInvalid', target, 'UpdateIdentity');
      const noProperties = edit(read(docs.sigStub), /<upd:Properties [^>]*><\/upd:Properties>/, '');
      expectInvalid(() => parseUpdateXml(noProperties, target), 'UpdateXmlInvalid', target, 'Properties');
    });

    it('refuses an UpdateID that is not a GUID', () => {
      for (const id of ['not-a-guid', 'ccb78947-6453-4ecc-9de8-bc0305c98f2', '']) {
        const text = edit(read(docs.sigStub), 'UpdateID="ccb78947-6453-4ecc-9de8-bc0305c98f2d"', `UpdateID="${id}"`);
        expectInvalid(() => parseUpdateXml(text, target), 'UpdateXmlInvalid', target, 'UpdateIdentity/@UpdateID');
      }
    });

    it('refuses a revision number that is negative, fractional, garbage, too large or missing', () => {
      for (const revision of ['-1', '1.5', 'abc', '2147483648', ' ']) {
        const text = edit(read(docs.sigStub), 'RevisionNumber="200" /><upd:Properties', `RevisionNumber="${revision}" /><upd:Properties`);
        expectInvalid(() => parseUpdateXml(text, target), 'UpdateXmlInvalid', target, 'UpdateIdentity/@RevisionNumber');
      }
      const missing = edit(read(docs.sigStub), 'RevisionNumber="200" /><upd:Properties', '/><upd:Properties');
      expectInvalid(() => parseUpdateXml(missing, target), 'UpdateXmlInvalid', target, 'UpdateIdentity/@RevisionNumber');
      expect(parseUpdateXml(edit(read(docs.sigStub), 'RevisionNumber="200" /><upd:Properties', 'RevisionNumber="2147483647" /><upd:Properties'), target).revisionNumber)
        .to.equal(2147483647);
    });

    it('refuses an unknown or missing UpdateType', () => {
      const unknown = edit(read(docs.sigStub), 'UpdateType="Software"', 'UpdateType="Firmware"');
      expectInvalid(() => parseUpdateXml(unknown, target), 'UpdateXmlInvalid', target, 'Properties/@UpdateType');
      const missing = edit(read(docs.sigStub), 'UpdateType="Software"', '');
      expectInvalid(() => parseUpdateXml(missing, target), 'UpdateXmlInvalid', target, 'Properties/@UpdateType');
    });

    it('refuses a CreationDate that is not a date', () => {
      for (const date of ['yesterday', '2024-02-30T20:15:45.051Z', '2024-01-11T25:15:45Z', '11/01/2024', '']) {
        const text = edit(read(docs.sigStub), 'CreationDate="2024-01-11T20:15:45.051Z"', `CreationDate="${date}"`);
        expectInvalid(() => parseUpdateXml(text, target), 'UpdateXmlInvalid', target, 'Properties/@CreationDate');
      }
    });

    it('refuses a relationship to something that is not a GUID', () => {
      const prerequisite = edit(read(docs.fullDeltas547), 'UpdateID="59653007-e2e9-4f71-8525-2ff588527978"', 'UpdateID="59653007"');
      expectInvalid(() => parseUpdateXml(prerequisite, target), 'UpdateXmlInvalid', target, 'Relationships/Prerequisites/UpdateIdentity/@UpdateID');
      const bundled = edit(read(docs.sigStub), 'UpdateID="e052d9bd-e49c-4d6e-876e-005b49b89812" RevisionNumber="200"', 'UpdateID="x" RevisionNumber="200"');
      expectInvalid(() => parseUpdateXml(bundled, target), 'UpdateXmlInvalid', target, 'Relationships/BundledUpdates/UpdateIdentity/@UpdateID');
      const revision = edit(read(docs.sigStub), 'UpdateID="e052d9bd-e49c-4d6e-876e-005b49b89812" RevisionNumber="200"', 'UpdateID="e052d9bd-e49c-4d6e-876e-005b49b89812" RevisionNumber="-2"');
      expectInvalid(() => parseUpdateXml(revision, target), 'UpdateXmlInvalid', target, 'Relationships/BundledUpdates/UpdateIdentity/@RevisionNumber');
      const empty = edit(read(docs.sigStub), '<upd:AtLeastOne><upd:UpdateIdentity UpdateID="e0789628-ce08-4437-be74-2495b842f43b" /></upd:AtLeastOne>', '<upd:AtLeastOne />');
      expectInvalid(() => parseUpdateXml(empty, target), 'UpdateXmlInvalid', target, 'Relationships/Prerequisites/AtLeastOne');
    });

    it('refuses a category without a known CategoryType', () => {
      const unknown = edit(read(docs.product), 'CategoryType="Product"', 'CategoryType="Gadget"');
      const field = 'HandlerSpecificData/CategoryInformation/@CategoryType';
      expectInvalid(() => parseUpdateXml(unknown, target), 'UpdateXmlInvalid', target, field);
      const missing = edit(read(docs.product), /<upd:HandlerSpecificData[\s\S]*<\/upd:HandlerSpecificData>/, '');
      expectInvalid(() => parseUpdateXml(missing, target), 'UpdateXmlInvalid', target, field);
    });

    it('refuses localized properties without a language or a title', () => {
      const noTitle = edit(read(docs.product), '<upd:Title>OOBE ZDP</upd:Title>', '');
      expectInvalid(() => parseUpdateXml(noTitle, target), 'UpdateXmlInvalid', target, 'LocalizedPropertiesCollection/LocalizedProperties/Title');
      const noLanguage = edit(read(docs.product), '<upd:Language>en</upd:Language>', '');
      expectInvalid(() => parseUpdateXml(noLanguage, target), 'UpdateXmlInvalid', target, 'LocalizedPropertiesCollection/LocalizedProperties/Language');
    });

    it('refuses a file with a path for a name, a bad size, a missing or non-base64 digest', () => {
      const cases: Array<[string, string, string]> = [
        ['FileName="AM_Engine.exe"', 'FileName="..\\..\\Windows\\evil.exe"', 'Files/File/@FileName'],
        ['FileName="AM_Engine.exe"', 'FileName="a/b.exe"', 'Files/File/@FileName'],
        [' Size="6662560"', ' Size="-6662560"', 'Files/File/@Size'],
        [' Size="6662560"', ' Size="6.6 MB"', 'Files/File/@Size'],
        ['Digest="vXidQqLgJwCO4+fE++5nIN1txMk="', '', 'Files/File/@Digest'],
        ['Digest="vXidQqLgJwCO4+fE++5nIN1txMk="', 'Digest="../vXidQqLgJwCO"', 'Files/File/@Digest'],
        ['FX0fJz391BBQFKgKnFee7Set4FikM6ebvaIHkpuXY+c=', 'not base64!', 'Files/File/AdditionalDigest'],
        ['Modified="2026-08-18T00:39:04Z"', 'Modified="last week"', 'Files/File/@Modified'],
      ];
      for (const [from, to, field] of cases) {
        expectInvalid(() => parseUpdateXml(edit(read(docs.engineLeaf), from, to), target), 'UpdateXmlInvalid', target, field);
      }
    });

    it('refuses a DTD, so no external or expanding entity is ever read', () => {
      const external = `<!DOCTYPE upd:Update [<!ENTITY x SYSTEM "file:///etc/passwd">]>${edit(read(docs.product), '<upd:Title>OOBE ZDP</upd:Title>', '<upd:Title>&x;</upd:Title>')}`;
      expectInvalid(() => parseUpdateXml(external, target), 'XmlDtdRefused', target);
      const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>${read(docs.product)}`;
      expectInvalid(() => parseUpdateXml(laughs, target), 'XmlDtdRefused', target);
    });

    it('refuses hostile nesting before building objects', () => {
      const deep = `${'<lar:And>'.repeat(200)}${'</lar:And>'.repeat(200)}`;
      const text = edit(read(docs.company), '<lar:True />', deep);
      expectInvalid(() => parseUpdateXml(text, target), 'XmlTooDeep', target);
    });
  });
});
