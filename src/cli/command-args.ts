// Generated from src/cli/spec.ts by scripts/generate-args.ts; do not edit, run npm run build.

/** The global options, before the command words. */
export type GlobalArgs = {
  home?: string;
  output?: 'table' | 'list' | 'wide' | 'json' | 'clixml';
  verbose?: boolean;
  logFormat?: 'site-server' | 'cmtrace';
};

/** Each command's parsed arguments, by command id. */
export type CommandArgs = {
  'site.add': GlobalArgs & {
    code: string;
    role: 'central' | 'primary' | 'secondary';
    parent?: string;
    parentUrl?: string;
    serverName?: string;
    url?: string;
    remote?: boolean;
    syncRequestSecret?: string;
    standAlone?: boolean;
    allowUnauthenticatedSyncRequests?: boolean;
    whatIf?: boolean;
  };
  'site.list': GlobalArgs & {
    code?: string;
    name?: string;
  };
  'site.remove': GlobalArgs & {
    code: string;
    whatIf?: boolean;
  };
  'sup.get': GlobalArgs & {
    site?: string;
    serverName?: string;
  };
  'sup.set': GlobalArgs & {
    site?: string;
    serverName?: string;
    syncSource?: 'microsoft-update' | 'upstream' | 'none';
    synchronizeAction?: 'SynchronizeFromMicrosoftUpdate' | 'SynchronizeFromAnUpstreamDataSourceLocation' | 'DoNotSynchronizeFromMicrosoftUpdateOrUpstreamDataSource';
    upstreamUrl?: string;
    addProduct?: string[];
    removeProduct?: string[];
    addClassification?: string[];
    removeClassification?: string[];
    addLanguage?: string[];
    removeLanguage?: string[];
    addLanguageUpdateFile?: string[];
    removeLanguageUpdateFile?: string[];
    addLanguageSummaryDetail?: string[];
    removeLanguageSummaryDetail?: string[];
    immediatelyExpireSupersedence?: boolean;
    waitMonths?: number;
    immediatelyExpireSupersedenceForFeature?: boolean;
    waitMonthsForFeature?: number;
    enableSyncFailureAlert?: boolean;
    enableCallWsusCleanupWizard?: boolean;
    proxy?: string;
    proxyUsername?: string;
    proxyPassword?: string;
    noProxy?: boolean;
    caFile?: string;
    noCaFile?: boolean;
    maxRequestsInFlight?: number;
    start?: string;
    recurInterval?: 'minutes' | 'hours' | 'days';
    recurCount?: number;
    dayOfWeek?: string;
    weekOrder?: 'first' | 'second' | 'third' | 'fourth' | 'last';
    dayOfMonth?: string;
    nonrecurring?: boolean;
    utc?: boolean;
    scheduleString?: string;
    noSchedule?: boolean;
    whatIf?: boolean;
    passThru?: boolean;
    contentFileOption?: 'FullFilesOnly' | 'ExpressForWindows10Only';
    defaultWsusServer?: string;
    enableManualCertManagement?: boolean;
    enableThirdPartyUpdates?: boolean;
    featureUpdateMaxRuntimeMins?: number;
    nonFeatureUpdateMaxRuntimeMins?: number;
    reportingEvent?: 'CreateAllWsusReportingEvents' | 'CreateOnlyWsusStatusReportingEvents' | 'DoNotCreateWsusReportingEvents';
  };
  'status': GlobalArgs & {
    site?: string;
  };
  'sync': GlobalArgs & {
    site: string;
    full?: boolean;
    wait?: boolean;
    trigger?: 'manual' | 'schedule' | 'parent';
    whatIf?: boolean;
  };
  'sync.history': GlobalArgs & {
    site: string;
    last?: number;
  };
  'update.list': GlobalArgs & {
    site: string;
    kb?: string;
    product?: string;
    classification?: string;
    title?: string;
    name?: string;
    category?: string[];
    categoryName?: string[];
    datePostedMin?: string;
    datePostedMax?: string;
    dateRevisedMin?: string;
    dateRevisedMax?: string;
    isSuperseded?: boolean;
    isExpired?: boolean;
    onlyExpired?: boolean;
    severity?: 'None' | 'Low' | 'Moderate' | 'Important' | 'Critical';
    updateId?: string;
    includeExpired?: boolean;
    limit?: number;
  };
  'category.list': GlobalArgs & {
    site: string;
    type?: string;
    name?: string;
    id?: string;
  };
  'corpus.generate': GlobalArgs & {
    updates: number;
    seed?: string;
    generation?: number;
    out: string;
  };
  'metadata.import': GlobalArgs & {
    site: string;
    path: string;
    whatIf?: boolean;
  };
  'metadata.export': GlobalArgs & {
    site: string;
    path: string;
  };
  'serve': GlobalArgs & {
    site: string;
    host?: string;
    port?: number;
    cert?: string;
    key?: string;
    allowAccount?: string[];
    sharedSecret?: string;
    clientCa?: string;
    maxUpdatesPerRequest?: number;
  };
  'upstream.test': GlobalArgs & {
    url: string;
    caFile?: string;
  };
  'upstream.get-update': GlobalArgs & {
    url: string;
    updateId: string;
    revision: number;
    caFile?: string;
  };
  'schedule.new': GlobalArgs & {
    start?: string;
    recurInterval?: 'minutes' | 'hours' | 'days';
    recurCount?: number;
    dayOfWeek?: string;
    weekOrder?: 'first' | 'second' | 'third' | 'fourth' | 'last';
    dayOfMonth?: string;
    nonrecurring?: boolean;
    utc?: boolean;
    scheduleString?: string;
  };
  'schedule.next': GlobalArgs & {
    start?: string;
    recurInterval?: 'minutes' | 'hours' | 'days';
    recurCount?: number;
    dayOfWeek?: string;
    weekOrder?: 'first' | 'second' | 'third' | 'fourth' | 'last';
    dayOfMonth?: string;
    nonrecurring?: boolean;
    utc?: boolean;
    scheduleString?: string;
    site?: string;
    from?: string;
    count?: number;
    timeZone?: string;
  };
  'schedule.task-xml': GlobalArgs & {
    site: string;
    out?: string;
    shell?: 'pwsh' | 'powershell';
    modulePath?: string;
  };
  'schedule.systemd': GlobalArgs & {
    site: string;
  };
  'schedule.crontab': GlobalArgs & {
    site: string;
  };
  'demo': GlobalArgs & {
    updates?: number;
    keep?: boolean;
  };
  'catalog.import': GlobalArgs & {
    site: string;
    updateId?: string[];
    kb?: string[];
    path?: string;
    metadataOnly?: boolean;
    product?: string;
    architecture?: 'x86' | 'x64' | 'arm64';
    titleContains?: string;
    catalogUrl?: string;
    catalogTimeout?: number;
    retries?: number;
    retryDelay?: number;
    concurrency?: number;
    whatIf?: boolean;
  };
  'service': GlobalArgs & {
    site?: string[];
    pollSeconds?: number;
    retryDelaySeconds?: number;
    cert?: string;
    key?: string;
    adminListen?: string;
    adminCert?: string;
    adminKey?: string;
  };
  'console': GlobalArgs & {
    listen?: string;
    cert?: string;
    key?: string;
  };
  'console.credential': GlobalArgs & {
    user?: string;
    removeUser?: string;
    newToken?: boolean;
    removeToken?: boolean;
  };
  'alert.list': GlobalArgs & {
    id?: number;
    site?: string;
    state?: 'Active' | 'Canceled';
    type?: 'SyncFailure' | 'NoSuccessfulSync' | 'CatalogVersionLag';
  };
  'alert.subscribe': GlobalArgs & {
    name: string;
    emailAddress?: string[];
    webhookUrl?: string;
    webhookFormat?: 'generic' | 'teams' | 'slack';
  };
  'alert.subscriptions': GlobalArgs & {
  };
  'alert.unsubscribe': GlobalArgs & {
    name: string;
  };
  'alert.settings': GlobalArgs & {
  };
  'alert.set': GlobalArgs & {
    noSuccessfulSyncHours?: number;
    catalogVersionLagThreshold?: number;
    deliveryAttempts?: number;
    retryDelaySeconds?: number;
    smtpServer?: string;
    smtpPort?: number;
    smtpSecurity?: 'starttls' | 'tls' | 'none';
    smtpFrom?: string;
    smtpUsername?: string;
    smtpPassword?: string;
    smtpCaFile?: string;
    noSmtp?: boolean;
  };
  'metrics': GlobalArgs & {
    out: string;
  };
};

export type CommandId = keyof CommandArgs;
