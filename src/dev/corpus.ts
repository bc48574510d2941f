/**
 * A deterministic, Microsoft-Update-like metadata set: a category tree (company, product
 * families, ~100 products, the real classifications, detectoids) and updates with localized
 * properties, supersedence chains, bundles, prerequisites and files, in the real update XML format.
 * Pure: the same options always give the same documents, in import order (categories first,
 * bundled children before their bundles).
 */
import crypto from 'node:crypto';
import { escapeXml } from '../protocol/xml.js';
import { updateClassifications } from '../model/classifications.js';

export interface CorpusOptions {
  updates: number;
  seed: string;
  /**
   * Generation 1 is the base set; each later generation revises ~1% of the updates (a new
   * revision number) and adds ~0.5% new ones, so a delta sync has something to fetch.
   */
  generation?: number;
  /**
   * Every update in this classification (by title), e.g. 'Drivers' for the largest selection
   * Microsoft Update has (over 30,000 driver updates in a few driver products).
   */
  classification?: string;
  /** Every update carries this many languages of localized properties (at most 40), instead of the usual mix. */
  localizedLanguages?: number;
}

export interface CorpusDocument {
  updateId: string;
  revisionNumber: number;
  xml: string;
  kind: 'category' | 'update';
}

const microsoftCompanyId = '56309036-4c77-4dd9-951a-99ee9c246a94';
const windowsFamilyId = '6964aab4-c5b5-43bd-a17d-ffb4346a8e1d';
const defenderProductId = '8c3fcc84-7410-4a95-8b89-a166a0190486';

const families: { name: string; products: string[] }[] = [
  {
    name: 'Windows',
    products: [
      'Windows 10', 'Windows 10, version 1903 and later', 'Windows 10 LTSB', 'Windows 10 LTSC 2019', 'Windows 10 LTSC 2021', 'Windows 11',
      'Windows 11 Dynamic Update', 'Windows Server 2016', 'Windows Server 2019', 'Windows Server 2022', 'Windows Server 2025', 'Windows Server, version 1903 and later',
      'Windows Server 2012 R2', 'Windows 8.1', 'Windows 7', 'Windows Server 2008 R2', 'Windows Defender', 'Windows Admin Center', 'Windows Subsystem for Linux',
      'Windows - Client, version 21H2 and later, Servicing Drivers', 'Windows - Server, version 21H2 and later, Servicing Drivers', 'Windows 11 GDR-DU',
      'Windows Insider Pre-Release', 'Windows Safe OS Dynamic Update', 'Windows 10 Feature On Demand', 'Windows 11 Feature On Demand',
    ],
  },
  {
    name: 'Office',
    products: [
      'Office 2013', 'Office 2016', 'Office 2019', 'Office LTSC 2021', 'Office LTSC 2024', 'Microsoft 365 Apps/Office 2019/Office LTSC', 'Visio 2016',
      'Project 2016', 'SharePoint Server 2016', 'SharePoint Server 2019', 'SharePoint Server Subscription Edition', 'Skype for Business Server 2019', 'Office Online Server',
    ],
  },
  {
    name: 'SQL Server',
    products: [
      'Microsoft SQL Server 2014', 'Microsoft SQL Server 2016', 'Microsoft SQL Server 2017', 'Microsoft SQL Server 2019', 'Microsoft SQL Server 2022',
      'Microsoft SQL Server Management Studio v18', 'Microsoft SQL Server Management Studio v19', 'Microsoft SQL Server Management Studio v20',
    ],
  },
  {
    name: 'Exchange',
    products: ['Exchange Server 2013', 'Exchange Server 2016', 'Exchange Server 2019', 'Exchange Server Subscription Edition'],
  },
  {
    name: 'Developer Tools, Runtimes, and Redistributables',
    products: [
      '.NET 6.0', '.NET 7.0', '.NET 8.0', '.NET 9.0', 'Visual Studio 2017', 'Visual Studio 2019', 'Visual Studio 2022', 'Visual Studio 2026',
      'Microsoft .NET Framework 4.8', 'Microsoft .NET Framework 4.8.1', 'PowerShell - x64', 'PowerShell - x86', 'PowerShell LTS - x64',
    ],
  },
  {
    name: 'Microsoft Defender',
    products: ['Microsoft Defender Antivirus', 'Microsoft Defender for Endpoint', 'Microsoft Security Essentials', 'Microsoft Defender for Identity'],
  },
  {
    name: 'System Center',
    products: [
      'System Center 2019 - Operations Manager', 'System Center 2022 - Operations Manager', 'System Center 2019 - Virtual Machine Manager',
      'System Center 2022 - Virtual Machine Manager', 'System Center 2019 Data Protection Manager', 'System Center 2022 - Data Protection Manager',
      'Microsoft Configuration Manager', 'System Center Endpoint Protection',
    ],
  },
  {
    name: 'Azure',
    products: ['Azure Connected Machine Agent', 'Azure Stack HCI', 'Azure File Sync agent updates for Windows Server 2016', 'Azure File Sync agent updates for Windows Server 2019',
      'Azure File Sync agent updates for Windows Server 2022', 'Azure Arc-enabled SQL Server'],
  },
  {
    name: 'Edge',
    products: ['Microsoft Edge', 'Microsoft Edge WebView2', 'Microsoft Edge Update'],
  },
  {
    name: 'Dynamics',
    products: ['Dynamics 365 Business Central', 'Dynamics CRM 2016', 'Dynamics 365 Customer Engagement', 'Dynamics AX 2012'],
  },
  {
    name: 'Hyper-V and Virtualization',
    products: ['Hyper-V Server 2019', 'Windows Server 2019 Hyper-V', 'Virtual Machine Converter', 'Integration Services'],
  },
  {
    name: 'Security and Identity',
    products: ['Active Directory Federation Services', 'Microsoft Identity Manager 2016', 'Azure AD Connect', 'Microsoft Entra Connect', 'Advanced Threat Analytics',
      'Microsoft Online Services Sign-In Assistant'],
  },
];

/** Languages, with a word each so localized text differs per language (and is not all ASCII). */
const languages: [string, string][] = [
  ['en', 'Update'], ['de', 'Aktualisierung für'], ['fr', 'Mise à jour pour'], ['ja', '更新プログラム'], ['es', 'Actualización para'], ['it', 'Aggiornamento per'],
  ['nl', 'Update voor'], ['pt-br', 'Atualização para'], ['zh-cn', '更新'], ['zh-tw', '更新程式'], ['ko', '업데이트'], ['ru', 'Обновление для'], ['pl', 'Aktualizacja dla'],
  ['sv', 'Uppdatering för'], ['tr', 'Güncelleştirme'], ['cs', 'Aktualizace pro'], ['da', 'Opdatering til'], ['fi', 'Päivitys'], ['no', 'Oppdatering for'],
  ['hu', 'Frissítés'], ['el', 'Ενημέρωση για'], ['he', 'עדכון עבור'], ['ar', 'تحديث لـ'], ['th', 'อัปเดตสำหรับ'], ['uk', 'Оновлення для'], ['ro', 'Actualizare pentru'],
  ['bg', 'Актуализация за'], ['hr', 'Ažuriranje za'], ['sk', 'Aktualizácia pre'], ['sl', 'Posodobitev za'], ['et', 'Värskendus'], ['lv', 'Atjauninājums'],
  ['lt', 'Naujinimas'], ['pt', 'Atualização para'], ['sr', 'Ažuriranje za'],
  // Only for localizedLanguages over 35: the usual mix stays as it was, so figures compare across versions.
  ['hi', 'के लिए अद्यतन'], ['zh-hk', '更新'], ['ca', 'Actualització per a'], ['eu', 'Eguneratzea'], ['gl', 'Actualización para'],
];

/** The most languages an update of the usual mix carries. */
const usualLanguageCount = 35;

/** Share of updates per classification (roughly Microsoft Update's mix). */
const classificationWeights: [string, number][] = [
  ['Security Updates', 30], ['Updates', 22], ['Critical Updates', 8], ['Definition Updates', 12], ['Drivers', 10], ['Update Rollups', 5],
  ['Feature Packs', 2], ['Service Packs', 1], ['Tools', 2], ['Upgrades', 2], ['Applications', 2], ['Connectors', 1], ['Developer Kits', 1], ['Guidance', 2],
];

const publisherId = 'bccf8ca0-2819-4598-8d15-c1506e363e92';
const updateNs = 'xmlns:pub="http://schemas.microsoft.com/msus/2002/12/Publishing" xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"';

/** A GUID derived from the seed and a name, so every run yields the same identities. */
export function corpusGuid(seed: string, name: string): string {
  const h = crypto.createHash('sha1').update(`${seed}\u0000${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** mulberry32: small, fast, deterministic. */
function random(seed: string): () => number {
  let state = crypto.createHash('sha1').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CorpusCategory {
  id: string;
  title: string;
  type: 'Company' | 'ProductFamily' | 'Product' | 'UpdateClassification' | 'Detectoid';
  parentId?: string;
}

/** The category tree of a corpus: company, families, products, classifications and detectoids. */
export function corpusCategories(seed: string): CorpusCategory[] {
  const out: CorpusCategory[] = [{ id: microsoftCompanyId, title: 'Microsoft', type: 'Company' }];
  for (const family of families) {
    const familyId = family.name === 'Windows' ? windowsFamilyId : corpusGuid(seed, `family:${family.name}`);
    out.push({ id: familyId, title: family.name, type: 'ProductFamily', parentId: microsoftCompanyId });
    for (const product of family.products) {
      out.push({ id: product === 'Microsoft Defender Antivirus' ? defenderProductId : corpusGuid(seed, `product:${product}`), title: product, type: 'Product', parentId: familyId });
    }
  }
  for (const c of updateClassifications) out.push({ id: c.id, title: c.title, type: 'UpdateClassification' });
  for (let i = 0; i < 24; i++) out.push({ id: corpusGuid(seed, `detectoid:${i}`), title: `Detectoid ${i}: Windows build ${10240 + i * 400} or later`, type: 'Detectoid' });
  return out;
}

interface PlannedUpdate {
  index: number;
  id: string;
  revision: number;
  classification: string;
  classificationId: string;
  productId: string;
  productTitle: string;
  kb: number;
  created: Date;
  languageCount: number;
  supersedes: string[];
  bundled: { id: string; revision: number }[];
  isChild: boolean;
  files: number;
  detectoid: string;
}

/**
 * All documents of the corpus at the requested generation, categories first, then updates with
 * bundled children before their parents.
 */
export function* generateCorpus(options: CorpusOptions): Generator<CorpusDocument> {
  const { seed } = options;
  const generation = options.generation ?? 1;
  const categories = corpusCategories(seed);
  for (const category of categories) yield { updateId: category.id, revisionNumber: 100, xml: categoryXml(category), kind: 'category' };

  const products = categories.filter((c) => c.type === 'Product');
  const detectoids = categories.filter((c) => c.type === 'Detectoid');
  const planned = planUpdates(options.updates, seed, products, detectoids, 0, options);
  // Later generations: revise ~1% and add ~0.5% per generation.
  for (let g = 2; g <= generation; g++) {
    const rnd = random(`${seed}:generation:${g}`);
    for (const update of planned) if (!update.isChild && rnd() < 0.01) update.revision += 1;
    const extra = planUpdates(Math.max(1, Math.round(options.updates * 0.005)), `${seed}:new:${g}`, products, detectoids, planned.length, options);
    planned.push(...extra);
  }
  for (const update of planned) yield { updateId: update.id, revisionNumber: update.revision, xml: updateXml(update, seed), kind: 'update' };
}

function planUpdates(
  count: number,
  seed: string,
  products: CorpusCategory[],
  detectoids: CorpusCategory[],
  offset = 0,
  shape: Pick<CorpusOptions, 'classification' | 'localizedLanguages'> = {},
): PlannedUpdate[] {
  const rnd = random(`${seed}:updates:${offset}`);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const totalWeight = classificationWeights.reduce((s, [, w]) => s + w, 0);
  if (shape.classification !== undefined && !updateClassifications.some((c) => c.title === shape.classification)) {
    throw new Error(`corpus: no classification "${shape.classification}"`);
  }
  const driverProducts = products.filter((p) => /Servicing Drivers|^Windows 1[01]$/.test(p.title));
  const chooseClassification = () => {
    if (shape.classification !== undefined) return shape.classification;
    let r = rnd() * totalWeight;
    for (const [name, weight] of classificationWeights) if ((r -= weight) < 0) return name;
    return 'Updates';
  };
  const start = Date.UTC(2019, 0, 1);
  const span = Date.UTC(2026, 10, 1) - start;
  const out: PlannedUpdate[] = [];
  // The newest update of each product x classification chain, for supersedence.
  const chains = new Map<string, PlannedUpdate[]>();
  const make = (index: number, classification: string, product: CorpusCategory, isChild: boolean): PlannedUpdate => ({
    index,
    id: corpusGuid(seed, `update:${index}`),
    revision: 200 + Math.floor(rnd() * 3),
    classification,
    classificationId: updateClassifications.find((c) => c.title === classification)!.id,
    productId: product.id,
    productTitle: product.title,
    kb: 5000000 + index,
    created: new Date(start + Math.floor(((index + rnd()) / Math.max(count + offset, 1)) * span)),
    // Most documents carry one language; some many (the multilingual ones are the big blobs).
    languageCount: shape.localizedLanguages !== undefined ? Math.min(shape.localizedLanguages, languages.length) : rnd() < 0.6 ? 1 : rnd() < 0.6 ? 5 + Math.floor(rnd() * 6) : usualLanguageCount,
    supersedes: [],
    bundled: [],
    isChild,
    files: isChild || rnd() < 0.3 ? 1 + Math.floor(rnd() * 3) : 0,
    detectoid: pick(detectoids).id,
  });
  let index = offset;
  while (out.length < count) {
    const classification = chooseClassification();
    // Driver updates live in a few driver products on Microsoft Update; the usual mix keeps its draw.
    const product =
      classification === 'Definition Updates'
        ? products.find((p) => p.id === defenderProductId)!
        : shape.classification === 'Drivers'
          ? pick(driverProducts)
          : pick(products);
    const isBundle = classification !== 'Drivers' && rnd() < 0.15 && count - out.length >= 3;
    const children: PlannedUpdate[] = [];
    if (isBundle) {
      const n = 1 + Math.floor(rnd() * Math.min(3, count - out.length - 1));
      for (let i = 0; i < n; i++) children.push(make(index++, classification, product, true));
      out.push(...children);
    }
    const update = make(index++, classification, product, false);
    update.bundled = children.map((c) => ({ id: c.id, revision: c.revision }));
    if (update.files === 0 && children.length === 0) update.files = 1;
    const key = `${product.id}:${classification}`;
    const chain = chains.get(key) ?? [];
    if (chain.length > 0 && rnd() < 0.45) {
      update.supersedes.push(chain[chain.length - 1]!.id);
      if (chain.length > 1 && rnd() < 0.3) update.supersedes.push(chain[chain.length - 2]!.id);
    }
    chain.push(update);
    chains.set(key, chain.slice(-4));
    out.push(update);
  }
  return out.slice(0, count);
}

/** The update XML of a category (also used by tests that need a category the fixtures lack). */
export function categoryXml(category: CorpusCategory): string {
  const type = category.type === 'Detectoid' ? 'Detectoid' : 'Category';
  const handler = type === 'Category' ? ' Handler="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category"' : '';
  const parent = category.parentId
    ? `<upd:Relationships><upd:Prerequisites><upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${category.parentId}" /></upd:AtLeastOne></upd:Prerequisites></upd:Relationships>`
    : '';
  const handlerData =
    type === 'Category'
      ? `<upd:HandlerSpecificData xsi:type="cat:Category" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><cat:CategoryInformation CategoryType="${category.type}" ProhibitsSubcategories="${category.type === 'Product'}" ExcludedByDefault="false" xmlns:cat="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category" /></upd:HandlerSpecificData>`
      : '';
  return (
    `<upd:Update ${updateNs}><upd:UpdateIdentity UpdateID="${category.id}" RevisionNumber="100" />` +
    `<upd:Properties DefaultPropertiesLanguage="en" UpdateType="${type}" IsPublic="true"${handler} PublicationState="Published" CreationDate="2004-05-15T05:50:01.611Z" PublisherID="42f20e12-2856-447d-a8b2-68f06c2e9b45"></upd:Properties>` +
    `<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language><upd:Title>${escapeXml(category.title)}</upd:Title>` +
    `<upd:Description>${escapeXml(`${category.title} category.`)}</upd:Description></upd:LocalizedProperties></upd:LocalizedPropertiesCollection>` +
    `${parent}${handlerData}</upd:Update>`
  );
}

function updateXml(u: PlannedUpdate, seed: string): string {
  const isDriver = u.classification === 'Drivers';
  const title = isDriver
    ? `Contoso - Net - ${10 + (u.index % 90)}.${u.index % 1000}.0.${u.revision}`
    : u.isChild
      ? `${u.productTitle} ${u.classification === 'Definition Updates' ? 'Full Deltas' : 'component'} ${u.index}.${u.revision} (KB${u.kb}) x64`
      : `${u.classification === 'Security Updates' ? 'Security Update' : u.classification === 'Definition Updates' ? 'Security Intelligence Update' : u.classification.replace(/s$/, '')} for ${u.productTitle} (KB${u.kb})${u.revision > 202 ? ' (revised)' : ''}`;
  const severity = u.classification === 'Security Updates' ? ['Critical', 'Important', 'Moderate', 'Low'][u.index % 4] : undefined;
  const langs = languages.slice(0, u.languageCount);
  const localized = langs
    .map(
      ([language, word]) =>
        `<upd:LocalizedProperties><upd:Language>${language}</upd:Language><upd:Title>${escapeXml(language === 'en' ? title : `${word} ${title}`)}</upd:Title>` +
        `<upd:Description>${escapeXml(`${word}: ${description(u)}`)}</upd:Description>` +
        `<upd:MoreInfoUrl>https://support.microsoft.com/help/${u.kb}</upd:MoreInfoUrl><upd:SupportUrl>https://support.microsoft.com</upd:SupportUrl></upd:LocalizedProperties>`,
    )
    .join('');
  const supersedes = u.supersedes.length
    ? `<upd:SupersededUpdates>${u.supersedes.map((id) => `<upd:UpdateIdentity UpdateID="${id}" />`).join('')}</upd:SupersededUpdates>`
    : '';
  const bundled = u.bundled.length
    ? `<upd:BundledUpdates><upd:AtLeastOne>${u.bundled.map((c) => `<upd:UpdateIdentity UpdateID="${c.id}" RevisionNumber="${c.revision}" />`).join('')}</upd:AtLeastOne></upd:BundledUpdates>`
    : '';
  const files = Array.from({ length: u.files }, (_, i) => {
    const digest = crypto.createHash('sha1').update(`${seed}:file:${u.id}:${u.revision}:${i}`).digest('base64');
    const sha256 = crypto.createHash('sha256').update(`${seed}:file:${u.id}:${u.revision}:${i}`).digest('base64');
    const size = 50_000 + ((u.index * 7919 + i * 104729) % 400_000_000);
    return `<upd:File Digest="${digest}" DigestAlgorithm="SHA1" FileName="windows-kb${u.kb}-x64_${i}.${isDriver ? 'cab' : 'msu'}" Size="${size}" Modified="${u.created.toISOString().slice(0, 19)}Z"><upd:AdditionalDigest Algorithm="SHA256">${sha256}</upd:AdditionalDigest></upd:File>`;
  }).join('');
  const kbProps = isDriver ? '' : `<upd:KBArticleID>${u.kb}</upd:KBArticleID>`;
  const severityProps = severity ? `<upd:SecurityBulletinID>MS${u.created.getUTCFullYear() % 100}-${String(u.index % 999).padStart(3, '0')}</upd:SecurityBulletinID>` : '';
  return (
    `<upd:Update ${updateNs}><upd:UpdateIdentity UpdateID="${u.id}" RevisionNumber="${u.revision}" />` +
    `<upd:Properties UpdateType="${isDriver ? 'Driver' : 'Software'}" DefaultPropertiesLanguage="en"${severity ? ` MsrcSeverity="${severity}"` : ''}${u.files ? ` MaxDownloadSize="${u.files * 1000000}" MinDownloadSize="0"` : ''} PublicationState="Published" CreationDate="${u.created.toISOString()}" PublisherID="${publisherId}">` +
    `${kbProps}${severityProps}</upd:Properties>` +
    `<upd:LocalizedPropertiesCollection>${localized}</upd:LocalizedPropertiesCollection>` +
    `<upd:Relationships><upd:Prerequisites><upd:UpdateIdentity UpdateID="${u.detectoid}" />` +
    // A bundle's leaf has no classification of its own and names its product only as a plain
    // prerequisite (no IsCategory), as the real Defender leaves do (fixtures/wsusss/recorded/docs/
    // ff36f0b5-…, 7366a74a-…): a product × classification filter alone does not list it.
    (u.isChild
      ? `<upd:AtLeastOne><upd:UpdateIdentity UpdateID="${u.productId}" /></upd:AtLeastOne></upd:Prerequisites>`
      : `<upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${u.classificationId}" /></upd:AtLeastOne>` +
        `<upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${u.productId}" /></upd:AtLeastOne></upd:Prerequisites>`) +
    `${bundled}${supersedes}</upd:Relationships>` +
    (files ? `<upd:Files>${files}</upd:Files>` : '') +
    `<upd:ApplicabilityRules><upd:IsInstalled><bar:WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="10" MinorVersion="0" BuildNumber="${10240 + (u.index % 20) * 400}" xmlns:bar="http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules" /></upd:IsInstalled></upd:ApplicabilityRules>` +
    `</upd:Update>`
  );
}

function description(u: PlannedUpdate): string {
  const base =
    u.classification === 'Definition Updates'
      ? 'Install this update to revise the files that are used to detect viruses, spyware, and other potentially unwanted software.'
      : u.classification === 'Security Updates'
        ? 'A security issue has been identified in a Microsoft software product that could affect your system. You can help protect your system by installing this update from Microsoft.'
        : 'Install this update to resolve issues in the product. For a complete listing of the issues that are included in this update, see the associated Microsoft Knowledge Base article.';
  // Long descriptions on some updates: the real blobs range from ~2 KB to ~35 KB.
  return u.index % 5 === 0 ? `${base} ${base} After you install this item, you may have to restart your computer.` : base;
}

