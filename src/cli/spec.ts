/**
 * The command spec: every supsync command, its parameters and their PowerShell faces. The yargs
 * CLI (cli/main.ts) and the module generator (scripts/generate-module.ts) both read this list.
 */
import { siteRoles, syncSourceKinds } from '../site/model.js';
import type { CommandSpec, ParamSpec } from './spec-types.js';

const siteParam = (description = 'The site code (3 characters), e.g. CS1.'): ParamSpec => ({
  flag: 'site',
  type: 'string',
  required: true,
  description,
  ps: { name: 'SiteCode', pipeline: 'property', position: 0, completer: 'site' },
});

/** --what-if: in PowerShell it is -WhatIf from SupportsShouldProcess, not a declared parameter. */
const whatIfParam: ParamSpec = {
  flag: 'what-if',
  type: 'switch',
  description: 'Show what would change without changing anything.',
  ps: false,
};

const boolSetting = (flag: string, psName: string, description: string): ParamSpec => ({ flag, type: 'boolean', description, ps: { name: psName } });
const listSetting = (flag: string, psName: string, description: string, completer?: 'product' | 'classification'): ParamSpec => ({
  flag,
  type: 'string[]',
  description,
  ps: { name: psName, ...(completer ? { completer } : {}) },
});

export const commandSpec: CommandSpec[] = [
  {
    id: 'site.add',
    words: ['site', 'add'],
    summary: 'Adds a site to the hierarchy.',
    description:
      'Creates a site with its software update point: its directory under the supsync home, the site control file (site.json), the site database (site.db) and its wsyncmgr.log. A central administration site or a primary site without a parent is the top-level site; a child site synchronizes from its parent\'s software update point.',
    changesState: true,
    outputTypes: ['SupSync.Site'],
    params: [
      { flag: 'code', type: 'string', required: true, description: 'The new site code: exactly 3 letters or digits, stored upper-case.', ps: { name: 'SiteCode', position: 0 } },
      { flag: 'role', type: 'string', required: true, choices: siteRoles, description: 'central (CAS), primary or secondary.', ps: { name: 'Role' } },
      { flag: 'parent', type: 'string', description: 'The parent site code (a primary under a CAS, a secondary under a primary).', ps: { name: 'ParentSiteCode', completer: 'site' } },
      { flag: 'parent-url', type: 'string', description: "The parent's SUP endpoint URL when the parent lives on another machine.", ps: { name: 'ParentUrl' } },
      { flag: 'server-name', type: 'string', description: "The FQDN of the site's software update point server.", ps: { name: 'ServerName' } },
      { flag: 'url', type: 'string', description: "The URL the site's SUP endpoint listens on (for child sites on other machines).", ps: { name: 'Url' } },
      whatIfParam,
    ],
    ps: {
      verb: 'New',
      noun: 'CMSite',
      examples: [
        { code: 'New-CMSite -SiteCode CS1 -Role central', remarks: 'Creates the central administration site CS1, the top of the hierarchy.' },
        { code: 'New-CMSite -SiteCode PS1 -Role primary -ParentSiteCode CS1', remarks: 'Adds the primary site PS1 below CS1.' },
        { code: "New-CMSite -SiteCode SS1 -Role secondary -ParentSiteCode PS1 -ServerName 'ss1.contoso.com'", remarks: 'Adds a secondary site below PS1.' },
      ],
    },
  },
  {
    id: 'site.list',
    words: ['site', 'list'],
    summary: 'Lists the sites of this supsync home.',
    description: 'Lists each site with its role, parent, children, software update point server and sync source.',
    changesState: false,
    outputTypes: ['SupSync.Site'],
    params: [],
    ps: {
      verb: 'Get',
      noun: 'CMSite',
      examples: [
        { code: 'Get-CMSite', remarks: 'Lists every site.' },
        { code: "Get-CMSite | Where-Object Role -eq 'primary'", remarks: 'Lists the primary sites.' },
      ],
    },
  },
  {
    id: 'site.remove',
    words: ['site', 'remove'],
    summary: 'Removes a site that has no child sites.',
    description: 'Deletes the site directory with its settings, database and logs. Refused while child sites exist.',
    changesState: true,
    outputTypes: ['SupSync.Site'],
    params: [
      { flag: 'code', type: 'string', required: true, description: 'The site code to remove.', ps: { name: 'SiteCode', pipeline: 'property', position: 0, completer: 'site' } },
      whatIfParam,
    ],
    ps: {
      verb: 'Remove',
      noun: 'CMSite',
      confirmImpact: 'High',
      examples: [
        { code: 'Remove-CMSite -SiteCode SS1', remarks: 'Removes the secondary site SS1 after confirmation.' },
        { code: 'Remove-CMSite -SiteCode SS1 -WhatIf', remarks: 'Shows what would be removed.' },
      ],
    },
  },
  {
    id: 'sup.get',
    words: ['sup', 'get'],
    summary: "Gets a site's software update point component settings.",
    description: 'Shows the sync source, schedule, products, classifications, languages, supersedence rules, alerts and proxy (the password is never shown).',
    changesState: false,
    outputTypes: ['SupSync.SupComponent'],
    params: [siteParam()],
    ps: {
      verb: 'Get',
      noun: 'CMSoftwareUpdatePointComponent',
      examples: [
        { code: 'Get-CMSoftwareUpdatePointComponent -SiteCode CS1', remarks: 'Shows the SUP settings of CS1.' },
        { code: '(Get-CMSoftwareUpdatePointComponent -SiteCode CS1).Products', remarks: 'Lists the synchronized products.' },
      ],
    },
  },
  {
    id: 'sup.set',
    words: ['sup', 'set'],
    summary: "Changes a site's software update point component settings.",
    description:
      'Changes the sync source, products, classifications, languages, supersedence rules, alerts and proxy, with Configuration Manager\'s rules: everything but the proxy and alerts is set on the top-level site only, and a child site always synchronizes from its parent. Add/Remove lists are idempotent. Changing supersedence rules makes the next sync a full sync.',
    changesState: true,
    outputTypes: ['SupSync.SupComponent', 'SupSync.SupChangePlan'],
    params: [
      siteParam(),
      { flag: 'sync-source', type: 'string', choices: syncSourceKinds, description: 'microsoft-update, upstream (with --upstream-url) or none (disconnected: only imports feed it).', ps: false },
      {
        flag: 'synchronize-action',
        type: 'string',
        choices: ['SynchronizeFromMicrosoftUpdate', 'SynchronizeFromAnUpstreamDataSourceLocation', 'DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource'],
        description: "The sync source in Configuration Manager's words.",
        ps: { name: 'SynchronizeAction' },
      },
      { flag: 'upstream-url', type: 'string', description: 'The upstream WSUS or SUP, e.g. https://wsus.contoso.com:8531.', ps: { name: 'UpstreamSourceLocation' } },
      listSetting('add-product', 'AddProduct', 'Products to synchronize, by title or GUID.', 'product'),
      listSetting('remove-product', 'RemoveProduct', 'Products to stop synchronizing.', 'product'),
      listSetting('add-classification', 'AddUpdateClassification', 'Update classifications to synchronize, by title or GUID.', 'classification'),
      listSetting('remove-classification', 'RemoveUpdateClassification', 'Update classifications to stop synchronizing.', 'classification'),
      listSetting('add-language', 'AddLanguage', 'Languages for both update files and summary details (e.g. en, de, fr).'),
      listSetting('remove-language', 'RemoveLanguage', 'Languages to remove from both lists.'),
      listSetting('add-language-update-file', 'AddLanguageUpdateFile', 'Languages of update files to download.'),
      listSetting('remove-language-update-file', 'RemoveLanguageUpdateFile', 'Languages of update files to stop downloading.'),
      listSetting('add-language-summary-detail', 'AddLanguageSummaryDetail', 'Languages of summary details (titles, descriptions) to keep.'),
      listSetting('remove-language-summary-detail', 'RemoveLanguageSummaryDetail', 'Languages of summary details to drop.'),
      boolSetting('immediately-expire-supersedence', 'ImmediatelyExpireSupersedence', 'Expire a superseded update at once (true) or after --wait-months (false).'),
      { flag: 'wait-months', type: 'number', description: 'Months to wait before a superseded update expires (1-99).', ps: { name: 'WaitMonth' } },
      boolSetting('immediately-expire-supersedence-for-feature', 'ImmediatelyExpireSupersedenceForFeature', 'The same rule for feature updates.'),
      { flag: 'wait-months-for-feature', type: 'number', description: 'Months to wait before a superseded feature update expires.', ps: { name: 'WaitMonthForFeature' } },
      boolSetting('enable-sync-failure-alert', 'EnableSyncFailureAlert', 'Raise an alert when a sync fails.'),
      boolSetting('enable-call-wsus-cleanup-wizard', 'EnableCallWsusCleanupWizard', 'Run the WSUS cleanup (expired update removal) after syncs.'),
      { flag: 'proxy', type: 'string', description: 'Proxy URL for the SUP (credentials may be given separately).', ps: { name: 'ProxyUrl' } },
      { flag: 'proxy-username', type: 'string', description: 'Proxy account name.', ps: { name: 'ProxyUserName' } },
      { flag: 'proxy-password', type: 'string', secret: true, description: 'Proxy password (stored, never shown).', ps: { name: 'ProxyPassword' } },
      { flag: 'no-proxy', type: 'switch', description: 'Remove the proxy setting.', ps: { name: 'NoProxy' } },
      whatIfParam,
      { flag: 'pass-thru', type: 'switch', description: 'Return the changed settings.', ps: { name: 'PassThru' } },
    ],
    ps: {
      verb: 'Set',
      noun: 'CMSoftwareUpdatePointComponent',
      examples: [
        {
          code: "Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -AddProduct 'Windows 11' -AddUpdateClassification 'Security Updates','Critical Updates'",
          remarks: 'Synchronizes Windows 11 security and critical updates.',
        },
        {
          code: "Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -SynchronizeAction SynchronizeFromAnUpstreamDataSourceLocation -UpstreamSourceLocation 'https://wsus.contoso.com:8531'",
          remarks: 'Synchronizes from an upstream WSUS server.',
        },
        { code: 'Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -ImmediatelyExpireSupersedence $false -WaitMonth 2 -WhatIf', remarks: 'Shows the change; the next sync would be a full sync.' },
        { code: "Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -AddLanguageSummaryDetail de -PassThru", remarks: 'Adds German summary details and returns the new settings.' },
      ],
    },
  },
  {
    id: 'status',
    words: ['status'],
    summary: 'Gets the synchronization status of each software update point.',
    description:
      "One record per SUP with the Get-CMSoftwareUpdateSyncStatus fields (WSUSServerName, SiteCode, WSUSSourceServer, SyncCatalogVersion, LastSuccessfulSyncTime, LastSyncState, LastSyncStateTime, LastSyncErrorCode, ReplicationLinkStatus, LastReplicationLinkCheckTime), a truthful one-line state and each child's catalog-version lag behind its parent.",
    changesState: false,
    outputTypes: ['SupSync.SyncStatus'],
    params: [{ ...siteParam('Only this site (default: every site).'), required: false }],
    ps: {
      verb: 'Get',
      noun: 'CMSoftwareUpdateSyncStatus',
      examples: [
        { code: 'Get-CMSoftwareUpdateSyncStatus', remarks: 'Shows the status of every software update point.' },
        { code: 'Get-CMSoftwareUpdateSyncStatus -SiteCode PS1 | Format-List *', remarks: 'Shows every field for PS1.' },
      ],
    },
  },
];

/** Global options, before the command words. */
export const globalParams: ParamSpec[] = [
  { flag: 'home', type: 'string', description: 'The supsync home directory (default: $SUPSYNC_HOME, else the per-machine data directory).', ps: false },
  { flag: 'output', type: 'string', choices: ['table', 'json'], description: 'table (default on a terminal) or json (NDJSON, default otherwise).', ps: false },
  { flag: 'log-format', type: 'string', choices: ['site-server', 'cmtrace'], description: 'The wsyncmgr.log line format.', ps: false },
];

export function findCommand(id: string): CommandSpec {
  const command = commandSpec.find((c) => c.id === id);
  if (!command) throw new Error(`No command ${id} in the spec`);
  return command;
}
