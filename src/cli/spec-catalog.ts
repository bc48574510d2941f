/** The catalog commands of the command spec (merged into commandSpec in spec.ts). */
import { architectures } from '../catalog/architecture.js';
import { siteParam, whatIfParam } from './spec-params.js';
import type { CommandSpec } from './spec-types.js';

export const catalogCommands: CommandSpec[] = [
  {
    id: 'catalog.import',
    words: ['catalog', 'import'],
    summary: 'Imports updates from the Microsoft Update Catalog into the top-level site, by update ID, KB or batch file.',
    description:
      "Imports updates into the top-level site's database as imported updates, kept whatever the product and classification selection, so the next sync carries them to the child sites. A KB is resolved through the catalog's search (every update it names is imported; --product, --architecture and --title-contains narrow them). The metadata comes from the site's upstream (GetUpdateData) with the update's bundled updates and prerequisites; with a sync source of none, or when the upstream does not have the update, the catalog's own details are stored instead and the result says so. Unless --metadata-only, the files of the catalog's download dialog are downloaded into the site's content directory (https on Microsoft download hosts only, digests verified, interrupted downloads resumed). Importing what is already there is reported AlreadyPresent. One result per input and a summary; exit code 7 when some inputs failed and others succeeded. A batch file is one GUID or KB per line (# comments allowed) or a CSV with an UpdateId (Guid, Id) or KB (KBUpdate, HotfixId) column, UTF-8 or UTF-16.",
    changesState: true,
    outputTypes: ['SupSync.CatalogImportResult', 'SupSync.CatalogImportSummary'],
    params: [
      siteParam('The top-level site code, e.g. CS1.'),
      {
        flag: 'update-id',
        type: 'string[]',
        description: 'Update IDs (GUIDs) as the catalog shows them.',
        ps: { name: 'UpdateId', aliases: ['Guid', 'Id'], pipeline: 'both', parameterSets: ['ByUpdate'] },
      },
      { flag: 'kb', type: 'string[]', description: 'KB article numbers (with or without "KB").', ps: { name: 'ArticleId', aliases: ['KB', 'KBUpdate', 'HotfixId'], pipeline: 'property', parameterSets: ['ByUpdate'] } },
      { flag: 'path', type: 'string', description: 'A batch file: one GUID or KB per line, or a CSV with an UpdateId or KB column.', ps: { name: 'Path', aliases: ['UpdateIdFilePath'], parameterSets: ['ByPath'], kind: 'path' } },
      { flag: 'metadata-only', type: 'switch', description: 'Import the metadata only; download no files.', ps: { name: 'MetadataOnly' } },
      { flag: 'product', type: 'string', description: 'For KBs naming several updates: only those whose products contain this text.', ps: { name: 'Product' } },
      { flag: 'architecture', type: 'string', choices: architectures, description: 'For KBs naming several updates: only this architecture (titles naming none fit every architecture).', ps: { name: 'Architecture' } },
      { flag: 'title-contains', type: 'string', description: 'For KBs naming several updates: only those whose title contains this text.', ps: { name: 'TitleContains' } },
      { flag: 'catalog-url', type: 'string', description: 'The catalog base URL (default https://www.catalog.update.microsoft.com), for mirrors, proxies and tests.', ps: { name: 'CatalogUrl' } },
      { flag: 'catalog-timeout', type: 'number', description: 'Seconds a catalog request may take (default 30).', ps: false },
      { flag: 'retries', type: 'number', description: 'Retries of a failing catalog request, download or upstream request (default 4).', ps: false },
      { flag: 'retry-delay', type: 'number', description: 'Seconds before the first retry, doubling each time (default 1).', ps: false },
      { flag: 'concurrency', type: 'number', description: 'Inputs processed at once (default 8); catalog requests in flight are bounded separately (4).', ps: false },
      whatIfParam,
    ],
    ps: {
      verb: 'Import',
      noun: 'UpdateFromCatalog',
      aliases: ['Import-CMSoftwareUpdateFromCatalog'],
      related: ['Invoke-CMSoftwareUpdateSync', 'Get-CMSoftwareUpdate'],
      confirmImpact: 'Medium',
      defaultParameterSet: 'ByUpdate',
      examples: [
        { code: 'Import-UpdateFromCatalog -SiteCode CS1 -UpdateId 7f659ce1-a58f-41a8-bcf0-18fe434f0916', remarks: 'Imports one update with its files into CS1.' },
        {
          code: 'Import-UpdateFromCatalog -SiteCode CS1 -ArticleId 4011677 -Architecture x64 -MetadataOnly',
          remarks: 'Imports the 64-bit update of KB4011677, metadata only.',
        },
        { code: 'Import-UpdateFromCatalog -SiteCode CS1 -Path .\\updates.csv -WhatIf', remarks: 'Shows what importing a CSV of update IDs and KBs would do.' },
        {
          code: "Import-Csv .\\updates.csv | Import-UpdateFromCatalog -SiteCode CS1 | Where-Object Status -eq 'Failed'",
          remarks: 'Imports updates from the pipeline and lists the ones that failed.',
        },
      ],
    },
  },
];
