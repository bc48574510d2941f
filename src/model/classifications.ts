/**
 * The update classifications Microsoft Update publishes, with their well-known category GUIDs.
 * They are the same on every WSUS, so supsync can accept them by title before the first sync
 * has fetched the category list.
 */
export interface KnownCategory {
  id: string;
  title: string;
}

export const updateClassifications: readonly KnownCategory[] = [
  { id: 'e6cf1350-c01b-414d-a61f-263d14d133b4', title: 'Critical Updates' },
  { id: '0fa1201d-4330-4fa8-8ae9-b877473b6441', title: 'Security Updates' },
  { id: 'e0789628-ce08-4437-be74-2495b842f43b', title: 'Definition Updates' },
  { id: 'cd5ffd1e-e932-4e3a-bf74-18bf0b1bbd83', title: 'Updates' },
  { id: '28bc880e-0592-4cbf-8f95-c79b17911d5f', title: 'Update Rollups' },
  { id: '68c5b0a3-d1a6-4553-ae49-01d3a7827828', title: 'Service Packs' },
  { id: 'b54e7d24-7add-428f-8b75-90a396fa584f', title: 'Feature Packs' },
  { id: 'b4832bd8-e735-4761-8daf-37f882276dab', title: 'Tools' },
  { id: 'ebfc1fc5-71a4-4f7b-9aca-3b9a503104a0', title: 'Drivers' },
  { id: '3689bdc8-b205-4af4-8d4a-a63924c5e9d5', title: 'Upgrades' },
  { id: '5c9376ab-8ce6-464a-b136-22113dd69801', title: 'Applications' },
  { id: '434de588-ed14-48f5-8eed-a15e09a991f6', title: 'Connectors' },
  { id: 'a38c835c-2950-4e87-86cc-6911a52c34a3', title: 'Developer Kits' },
  { id: '051f8713-e600-4bee-b7b7-690d43c78948', title: 'Guidance' },
];

/** Definition updates never expire through supersedence (BRIEF §2). */
export const definitionUpdatesId = 'e0789628-ce08-4437-be74-2495b842f43b';
/** Feature updates (Windows 10/11 upgrades) follow the separate "feature" supersedence rule. */
export const upgradesId = '3689bdc8-b205-4af4-8d4a-a63924c5e9d5';
