/**
 * The command spec: every supsync command, its parameters and their PowerShell faces. The yargs
 * CLI (cli/main.ts) and the module generator (scripts/generate-module.ts) both read this list.
 */
import { siteRoles, syncSourceKinds } from '../site/model.js';
import { catalogCommands } from './spec-catalog.js';
import { alertCommands } from './spec-alerts.js';
import { monitorCommands } from './spec-monitor.js';
import { serviceCommands } from './spec-service.js';
import { boolSetting, listSetting, scheduleParams, siteParam, whatIfParam } from './spec-params.js';
import type { CommandSpec, ParamSpec } from './spec-types.js';

const coreCommands: CommandSpec[] = [
  {
    id: 'site.add',
    words: ['site', 'add'],
    summary: 'Adds a site to the hierarchy.',
    description:
      'Creates a site with its software update point: its directory under the supsync home, the site control file (site.json), the site database (site.db) and its wsyncmgr.log. A central administration site or a primary site without a parent is the top-level site; a child site synchronizes from its parent\'s software update point.',
    changesState: true,
    outputTypes: ['SupSync.Site', 'SupSync.SitePlan'],
    params: [
      { flag: 'code', type: 'string', required: true, description: 'The new site code: exactly 3 letters or digits, stored upper-case.', ps: { name: 'SiteCode', position: 0 } },
      { flag: 'role', type: 'string', required: true, choices: siteRoles, description: 'central (CAS), primary or secondary.', ps: { name: 'Role' } },
      { flag: 'parent', type: 'string', description: 'The parent site code (a primary under a CAS, a secondary under a primary).', ps: { name: 'ParentSiteCode', completer: 'site' } },
      { flag: 'parent-url', type: 'string', description: "The parent's SUP endpoint URL when the parent lives on another machine.", ps: { name: 'ParentUrl' } },
      { flag: 'server-name', type: 'string', description: "The FQDN of the site's software update point server.", ps: { name: 'ServerName' } },
      { flag: 'url', type: 'string', description: "The URL the site's SUP endpoint listens on (for child sites on other machines).", ps: { name: 'Url' } },
      {
        flag: 'remote',
        type: 'switch',
        description: "Record a child site that lives on another machine (with --parent, the local parent, and --url, the child's endpoint): the parent then notifies it after each sync.",
        ps: { name: 'Remote' },
      },
      whatIfParam,
    ],
    ps: {
      verb: 'New',
      noun: 'CMSite',
      examples: [
        { code: 'New-CMSite -SiteCode CS1 -Role central', remarks: 'Creates the central administration site CS1, the top of the hierarchy.' },
        { code: 'New-CMSite -SiteCode PS1 -Role primary -ParentSiteCode CS1', remarks: 'Adds the primary site PS1 below CS1.' },
        { code: "New-CMSite -SiteCode SS1 -Role secondary -ParentSiteCode PS1 -ServerName 'ss1.contoso.com'", remarks: 'Adds a secondary site below PS1.' },
        { code: "New-CMSite -SiteCode SS2 -Role secondary -ParentSiteCode PS1 -Url 'https://ss2.contoso.com:8531' -Remote", remarks: 'Records SS2, a secondary on another machine, as a child of PS1.' },
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
      ...scheduleParams(false).map((p) =>
        p.flag === 'schedule-string'
          ? { ...p, ps: { name: 'Schedule', kind: 'scheduleObject' as const } }
          : p,
      ),
      { flag: 'no-schedule', type: 'switch', description: 'Turn scheduled synchronization off (-Schedule $null).', ps: false },
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
        {
          code: "$weekly = New-CMSoftwareUpdateSyncSchedule -DayOfWeek Sunday -RecurCount 1 -Start '2026-11-29T02:00'\nSet-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule $weekly",
          remarks: 'Synchronizes every Sunday at 2:00 AM local time.',
        },
        { code: 'Set-CMSoftwareUpdatePointComponent -SiteCode CS1 -Schedule $null', remarks: 'Turns scheduled synchronization off.' },
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
  {
    id: 'sync',
    words: ['sync'],
    summary: "Synchronizes a site's software update point, then its child sites.",
    description:
      'Runs a synchronization of the site: categories, then updates for the selected products and classifications from the sync source (an upstream server, Microsoft Update, or for a child site its parent), supersedence and expiry, cleanup. Status messages 6701-6705 and wsyncmgr.log tell the story. After success each child site is asked to sync from its parent. A sync killed at any point resumes from what it stored. With --what-if, shows per product and classification what would change, writing nothing.',
    changesState: true,
    outputTypes: ['SupSync.SyncResult', 'SupSync.SyncPlan', 'SupSync.SyncPlanSummary'],
    params: [
      siteParam(),
      { flag: 'full', type: 'switch', description: 'Re-process all metadata (no anchors); updates the upstream no longer lists expire.', ps: { name: 'FullSync' } },
      { flag: 'wait', type: 'switch', description: 'Return only when the whole cascade below the site has finished, with one result per site.', ps: { name: 'Wait' } },
      { flag: 'trigger', type: 'string', choices: ['manual', 'schedule', 'parent'], description: 'Why the sync runs (recorded in the history and the log; scheduled tasks pass schedule).', ps: { name: 'Trigger' } },
      whatIfParam,
    ],
    ps: {
      verb: 'Invoke',
      noun: 'CMSoftwareUpdateSync',
      aliases: ['Sync-CMSoftwareUpdate'],
      confirmImpact: 'Medium',
      examples: [
        { code: 'Invoke-CMSoftwareUpdateSync -SiteCode CS1', remarks: 'Starts a delta sync of CS1; child sites are asked to sync after it.' },
        { code: 'Invoke-CMSoftwareUpdateSync -SiteCode CS1 -FullSync -Wait', remarks: 'Runs a full sync and waits for the whole hierarchy below CS1, one result per site.' },
        { code: 'Invoke-CMSoftwareUpdateSync -SiteCode CS1 -WhatIf', remarks: 'Shows what a sync would change per product and classification, changing nothing.' },
      ],
    },
  },
  {
    id: 'sync.history',
    words: ['sync', 'history'],
    summary: 'Lists the sync runs of a site with their counts.',
    description: 'One record per run: trigger, full or delta, start, end, state, error, catalog version, and the counts of new, revised, superseded, expired and removed updates.',
    changesState: false,
    outputTypes: ['SupSync.SyncRun'],
    params: [siteParam(), { flag: 'last', type: 'number', description: 'Only the last N runs.', ps: { name: 'Last' } }],
    ps: {
      verb: 'Get',
      noun: 'CMSoftwareUpdateSyncHistory',
      examples: [
        { code: 'Get-CMSoftwareUpdateSyncHistory -SiteCode CS1 -Last 5', remarks: 'Shows the last five sync runs of CS1.' },
        { code: "Get-CMSoftwareUpdateSyncHistory -SiteCode PS1 | Where-Object State -eq 'failed'", remarks: 'Shows the failed runs of PS1.' },
      ],
    },
  },
  {
    id: 'update.list',
    words: ['update', 'list'],
    summary: 'Queries the updates in a site database.',
    description: 'Lists updates with their KB, classification, products, severity, dates and state; filters combine.',
    changesState: false,
    outputTypes: ['SupSync.Update'],
    params: [
      siteParam(),
      { flag: 'kb', type: 'string', description: 'KB article number (with or without "KB").', ps: { name: 'ArticleId', aliases: ['KB'] } },
      { flag: 'product', type: 'string', description: 'Product title or GUID.', ps: { name: 'Product', completer: 'product' } },
      { flag: 'classification', type: 'string', description: 'Classification title or GUID.', ps: { name: 'Classification', completer: 'classification' } },
      { flag: 'title', type: 'string', description: 'Text the title contains.', ps: { name: 'Title' } },
      { flag: 'update-id', type: 'string', description: 'One update GUID.', ps: { name: 'UpdateId', aliases: ['Guid', 'Id'], pipeline: 'property' } },
      { flag: 'include-expired', type: 'switch', description: 'Also list expired updates.', ps: { name: 'IncludeExpired' } },
      { flag: 'limit', type: 'number', description: 'At most this many records.', ps: { name: 'First' } },
    ],
    ps: {
      verb: 'Get',
      noun: 'CMSoftwareUpdate',
      examples: [
        { code: 'Get-CMSoftwareUpdate -SiteCode CS1 -ArticleId 5034441', remarks: 'Finds the update for KB5034441.' },
        { code: "Get-CMSoftwareUpdate -SiteCode CS1 -Classification 'Security Updates' -Product 'Windows 11' -First 20", remarks: 'Lists 20 Windows 11 security updates.' },
        { code: 'Get-CMSoftwareUpdate -SiteCode PS1 -IncludeExpired | Where-Object IsExpired', remarks: 'Lists the expired updates of PS1.' },
      ],
    },
  },
  {
    id: 'category.list',
    words: ['category', 'list'],
    summary: 'Lists the categories a site knows: products, classifications, families, companies, detectoids.',
    description: 'After the first sync, lists the categories so products and classifications can be picked by title or GUID.',
    changesState: false,
    outputTypes: ['SupSync.Category'],
    params: [
      siteParam(),
      { flag: 'type', type: 'string', choices: ['product', 'classification', 'product-family', 'company', 'detectoid'], description: 'Only this kind.', ps: { name: 'CategoryType' } },
    ],
    ps: {
      verb: 'Get',
      noun: 'CMSoftwareUpdateCategory',
      examples: [
        { code: 'Get-CMSoftwareUpdateCategory -SiteCode CS1 -CategoryType product', remarks: 'Lists the products CS1 knows.' },
        { code: "Get-CMSoftwareUpdateCategory -SiteCode CS1 -CategoryType classification | Select-Object Title, Id", remarks: 'Lists the classifications with their GUIDs.' },
      ],
    },
  },
  {
    id: 'corpus.generate',
    words: ['corpus', 'generate'],
    summary: 'Writes a deterministic, Microsoft-Update-like metadata package.',
    description:
      'Generates categories (companies, product families, ~100 products, the real classifications, detectoids) and N updates with localized properties, supersedence chains, bundles, prerequisites and files, in the real update XML format, as a metadata package that metadata import reads.',
    changesState: true,
    outputTypes: ['SupSync.Package'],
    params: [
      { flag: 'updates', type: 'number', required: true, description: 'How many updates.', ps: { name: 'UpdateCount' } },
      { flag: 'seed', type: 'string', description: 'Seed (same seed, same corpus). Default: supsync.', ps: { name: 'Seed' } },
      { flag: 'generation', type: 'number', description: 'Generation G adds new revisions (~1%) and updates (~0.5%) per step after 1.', ps: { name: 'Generation' } },
      { flag: 'out', type: 'string', required: true, description: 'The package file to write.', ps: { name: 'Path' } },
    ],
    ps: false,
  },
  {
    id: 'metadata.import',
    words: ['metadata', 'import'],
    summary: 'Imports a metadata package into a disconnected site.',
    description: 'Loads a metadata package (a generated corpus or another site\'s export) into a top-level site whose sync source is none; all or nothing.',
    changesState: true,
    outputTypes: ['SupSync.SyncResult'],
    params: [siteParam(), { flag: 'path', type: 'string', required: true, description: 'The package file.', ps: { name: 'Path', kind: 'path' } }, whatIfParam],
    ps: {
      verb: 'Import',
      noun: 'CMSoftwareUpdateMetadata',
      examples: [
        { code: 'Import-CMSoftwareUpdateMetadata -SiteCode DS1 -Path D:\\Transfer\\metadata.pkg.gz', remarks: 'Imports metadata carried over from a connected site.' },
        { code: 'Import-CMSoftwareUpdateMetadata -SiteCode DS1 -Path D:\\Transfer\\metadata.pkg.gz -WhatIf', remarks: 'Shows what the import would do, changing nothing.' },
      ],
    },
  },
  {
    id: 'metadata.export',
    words: ['metadata', 'export'],
    summary: "Exports a site's metadata as a package for a disconnected site.",
    description: 'Writes every category and update revision of the site database into a metadata package (always all metadata, like wsusutil export).',
    changesState: false,
    outputTypes: ['SupSync.Package'],
    params: [siteParam(), { flag: 'path', type: 'string', required: true, description: 'The package file to write.', ps: { name: 'Path', kind: 'path' } }],
    ps: {
      verb: 'Export',
      noun: 'CMSoftwareUpdateMetadata',
      examples: [
        { code: 'Export-CMSoftwareUpdateMetadata -SiteCode CS1 -Path E:\\metadata.pkg.gz', remarks: 'Exports all metadata of CS1 to removable media.' },
        { code: 'Export-CMSoftwareUpdateMetadata -SiteCode CS1 -Path ./metadata.pkg.gz; Get-Item ./metadata.pkg.gz', remarks: 'Exports into the current directory and shows the file.' },
      ],
    },
  },
  {
    id: 'serve',
    words: ['serve'],
    summary: "Serves a site's SUP endpoint ([MS-WSUSSS]) to downstream servers.",
    description:
      'Serves /ServerSyncWebService/ServerSyncWebService.asmx and /DssAuthWebService/DssAuthWebService.asmx from the site database, so child sites or a real downstream WSUS can synchronize from it. Runs until interrupted.',
    changesState: false,
    outputTypes: ['SupSync.Endpoint'],
    params: [
      siteParam(),
      { flag: 'host', type: 'string', description: 'Address to listen on (default 127.0.0.1).', ps: { name: 'ListenAddress' } },
      { flag: 'port', type: 'number', description: 'Port (default 8530; 0 picks a free one).', ps: { name: 'Port' } },
      { flag: 'cert', type: 'string', description: 'PEM certificate file: serve HTTPS.', ps: { name: 'CertificatePath' } },
      { flag: 'key', type: 'string', description: 'PEM private key file for --cert.', ps: { name: 'KeyPath' } },
      { flag: 'allow-account', type: 'string[]', description: 'Only these downstream server names may sync.', ps: { name: 'AllowAccount' } },
      { flag: 'shared-secret', type: 'string', secret: true, description: 'Require HTTP basic credentials with this password.', ps: { name: 'SharedSecret' } },
      { flag: 'max-updates-per-request', type: 'number', description: 'GetUpdateData batch limit (default 100).', ps: false },
    ],
    ps: false,
  },
  {
    id: 'upstream.test',
    words: ['upstream', 'test'],
    summary: 'Checks an upstream server: handshake and configuration.',
    description: 'Authenticates with an upstream WSUS or SUP and reports its protocol version, MaxNumberOfUpdatesPerRequest, LazySync, catalog-only mode and the number of category revisions.',
    changesState: false,
    outputTypes: ['SupSync.UpstreamTest'],
    params: [
      { flag: 'url', type: 'string', required: true, description: 'The upstream base URL, e.g. https://wsus.contoso.com:8531.', ps: { name: 'Url' } },
      { flag: 'ca-file', type: 'string', description: 'PEM bundle of extra trusted certificate authorities.', ps: { name: 'CaFile', kind: 'path' } },
    ],
    ps: {
      verb: 'Test',
      noun: 'CMSoftwareUpdateUpstream',
      examples: [
        { code: "Test-CMSoftwareUpdateUpstream -Url 'https://wsus.contoso.com:8531'", remarks: 'Checks that the upstream WSUS answers the server-to-server protocol.' },
        { code: "Test-CMSoftwareUpdateUpstream -Url 'https://wsus.contoso.com:8531' -CaFile .\\contoso-root.pem", remarks: 'Trusts an internal certificate authority for the check.' },
      ],
    },
  },
  {
    id: 'upstream.get-update',
    words: ['upstream', 'get-update'],
    summary: 'Fetches one update revision from an upstream server and prints its parsed record.',
    description: 'Runs the handshake, then GetUpdateData for one update revision, decodes its blob and prints the parsed update.',
    changesState: false,
    outputTypes: ['SupSync.UpstreamUpdate'],
    params: [
      { flag: 'url', type: 'string', required: true, description: 'The upstream base URL.', ps: { name: 'Url' } },
      { flag: 'update-id', type: 'string', required: true, description: 'The update GUID.', ps: { name: 'UpdateId' } },
      { flag: 'revision', type: 'number', required: true, description: 'The revision number.', ps: { name: 'RevisionNumber' } },
      { flag: 'ca-file', type: 'string', description: 'PEM bundle of extra trusted certificate authorities.', ps: { name: 'CaFile' } },
    ],
    ps: false,
  },
  {
    id: 'schedule.new',
    words: ['schedule', 'new'],
    summary: 'Builds a sync schedule (New-CMSchedule) and shows its schedule string.',
    description: 'Validates the schedule flags (or a ConfigMgr schedule string) and returns the schedule with its 16-hex-digit ScheduleString, its description and its next run.',
    changesState: false,
    outputTypes: ['SupSync.Schedule'],
    params: scheduleParams(true),
    ps: {
      verb: 'New',
      noun: 'CMSoftwareUpdateSyncSchedule',
      examples: [
        { code: "New-CMSoftwareUpdateSyncSchedule -DayOfWeek Sunday -RecurCount 1 -Start '2026-11-29T02:00'", remarks: 'Every Sunday at 2:00 AM local time.' },
        { code: 'New-CMSoftwareUpdateSyncSchedule -RecurInterval Days -RecurCount 7', remarks: 'Every 7 days from now (the SUP default).' },
        { code: "New-CMSoftwareUpdateSyncSchedule -ScheduleString '0001200000100038'", remarks: 'Carries a schedule over from ConfigMgr.' },
      ],
    },
  },
  {
    id: 'schedule.next',
    words: ['schedule', 'next'],
    summary: 'Prints the next occurrences of a schedule.',
    description: "The next run times as ISO 8601 with the local offset, for schedule flags or a site's sync schedule; correct across daylight-saving changes, month ends and leap years.",
    changesState: false,
    outputTypes: ['SupSync.ScheduleOccurrence'],
    params: [
      ...scheduleParams(false),
      { flag: 'site', type: 'string', description: "Use this site's sync schedule.", ps: false },
      { flag: 'from', type: 'string', description: 'Occurrences after this instant (default now).', ps: false },
      { flag: 'count', type: 'number', description: 'How many (default 5).', ps: false },
      { flag: 'time-zone', type: 'string', description: 'IANA time zone of local schedules (default the machine zone).', ps: false },
    ],
    ps: false,
  },
  {
    id: 'schedule.task-xml',
    words: ['schedule', 'task-xml'],
    summary: "Writes a Windows Task Scheduler task that runs a site's sync on its schedule.",
    description:
      'Produces Task Scheduler XML (schema 1.2) running pwsh (or Windows PowerShell) as SYSTEM with Import-Module SupSync; Invoke-CMSoftwareUpdateSync -SiteCode XXX on the site\'s schedule; written UTF-16 with --out.',
    changesState: false,
    outputTypes: ['SupSync.ScheduledTask'],
    params: [
      siteParam(),
      { flag: 'out', type: 'string', description: 'Write the XML to this file (UTF-16 with BOM, as Task Scheduler exports).', ps: { name: 'Path' } },
      { flag: 'shell', type: 'string', choices: ['pwsh', 'powershell'], description: 'pwsh (PowerShell 7, default) or powershell (Windows PowerShell 5.1).', ps: { name: 'Shell' } },
      { flag: 'module-path', type: 'string', description: 'The SupSync module to import (default: by name).', ps: { name: 'ModulePath' } },
    ],
    ps: false,
  },
  {
    id: 'schedule.systemd',
    words: ['schedule', 'systemd'],
    summary: "Writes a systemd timer and service unit pair for a site's sync schedule.",
    description: 'For Linux hosts: the timer (OnCalendar, Persistent=true so a missed run happens once) and the service running supsync sync.',
    changesState: false,
    outputTypes: ['SupSync.SystemdUnits'],
    params: [siteParam()],
    ps: false,
  },
  {
    id: 'schedule.crontab',
    words: ['schedule', 'crontab'],
    summary: "Writes a crontab line for a site's sync schedule (when cron can express it).",
    description: 'A crontab line running supsync sync on the site\'s schedule; refused with the reason when cron cannot express the schedule exactly.',
    changesState: false,
    outputTypes: ['SupSync.Crontab'],
    params: [siteParam()],
    ps: false,
  },
  {
    id: 'demo',
    words: ['demo'],
    summary: 'Runs the demo: a temporary hierarchy synchronized over the protocol on loopback.',
    description:
      'Creates a temporary home with an upstream site seeded from a generated corpus and served on loopback, a central site CS1 syncing from it, primaries PS1 and PS2 and a secondary SS1 under PS1; runs a full sync down the hierarchy, then a delta sync after the corpus gains new revisions, and prints the status, the history and the tail of CS1\'s wsyncmgr.log.',
    changesState: false,
    outputTypes: ['SupSync.SyncStatus', 'SupSync.SyncRun'],
    params: [
      { flag: 'updates', type: 'number', description: 'Corpus size (default 2000).', ps: false },
      { flag: 'keep', type: 'switch', description: 'Keep the temporary home and print where it is.', ps: false },
    ],
    ps: false,
  },
];

export const commandSpec: CommandSpec[] = [...coreCommands, ...catalogCommands, ...serviceCommands, ...alertCommands, ...monitorCommands];

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
