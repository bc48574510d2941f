/**
 * The default table view of each record type, defined once: the few columns a person wants, their
 * order, widths and how each value reads. The CLI's tables (cli/output.ts) and the PowerShell
 * module's SupSync.Format.ps1xml (scripts/module/format.ts) are both made from this list, so
 * `supsync status` and Get-CMSoftwareUpdateSyncStatus show the same columns. Each default view
 * fits in 120 columns; `--output list` and Format-List show every field.
 *
 * A column shows one property, or two for `span` (the time between a start and an end). How a
 * value reads is named by its `format`, implemented twice on purpose: in TypeScript
 * (cli/human.ts) and as a PowerShell script block (scripts/module/format.ts); a test runs both on
 * the same values.
 */

/**
 * - `text`: as written; a list joined with ", ".
 * - `count`: a whole number with thousands separators (`12,345`).
 * - `yesno`: Yes or No.
 * - `state`: a sync state by name (6702 → Succeeded, `failed` → Failed, `NoChanges` → No changes).
 * - `time`: local date and time (`2026-12-06 03:52`).
 * - `age`: how long ago, or how long from now (`3 h ago`, `in 12 min`).
 * - `seconds`: a duration given in seconds (`1m 23s`).
 * - `span`: the duration from `property` to `end` (both times).
 * - `bytes`: a size (`12.4 MB`, 1024-based as Windows shows sizes).
 */
export type ValueFormat = 'text' | 'count' | 'yesno' | 'state' | 'time' | 'age' | 'seconds' | 'span' | 'bytes';

export interface ViewColumn {
  property: string;
  /** The heading; defaults to the property name. */
  label?: string;
  /** Fixed width; the last column of a view may leave it open. */
  width?: number;
  /** Numbers read best right-aligned. */
  right?: boolean;
  format?: ValueFormat;
  /** For `span`: the property holding the end time. */
  end?: string;
}

const count = (property: string, width = 8, label?: string): ViewColumn => ({ property, width, right: true, format: 'count', ...(label ? { label } : {}) });

/** An import result and its what-if plan read the same: what was asked, what came of it, and why. */
function catalogImportColumns(): ViewColumn[] {
  return [{ property: 'Status', width: 14 }, { property: 'Input', width: 36 }, { property: 'KB', width: 8 }, { property: 'Title', width: 30 }, { property: 'Reason' }];
}

/** The widest a default view may be, separators between columns included. */
export const maxViewWidth = 120;

/** Open-ended last columns are counted at this width when a view's width is checked. */
export const openColumnWidth = 24;

export const tableViews: Readonly<Record<string, readonly ViewColumn[]>> = {
  'SupSync.Site': [
    { property: 'SiteCode', width: 8 },
    { property: 'Role', width: 9 },
    { property: 'ParentSiteCode', label: 'Parent', width: 6 },
    { property: 'TopLevel', width: 8, format: 'yesno' },
    { property: 'ServerName', width: 30 },
    { property: 'SyncSource' },
  ],
  'SupSync.SitePlan': [
    { property: 'Action', width: 6 },
    { property: 'SiteCode', width: 8 },
    { property: 'Role', width: 9 },
    { property: 'ParentSiteCode', label: 'Parent', width: 6 },
    { property: 'Directory' },
  ],
  'SupSync.SyncStatus': [
    { property: 'SiteCode', label: 'Site', width: 4 },
    { property: 'WSUSServerName', label: 'Server', width: 24 },
    { property: 'LastSyncState', label: 'State', width: 9, format: 'state' },
    { property: 'LastSyncStateTime', label: 'Since', width: 11, format: 'age' },
    { property: 'LastSuccessfulSyncTime', label: 'Last success', width: 16, format: 'time' },
    count('SyncCatalogVersion', 7, 'Catalog'),
    count('CatalogVersionLag', 3, 'Lag'),
    { property: 'Status', width: 30 },
  ],
  'SupSync.SyncResult': [
    { property: 'SiteCode', label: 'Site', width: 4 },
    { property: 'State', width: 10, format: 'state' },
    { property: 'FullSync', label: 'Full', width: 4, format: 'yesno' },
    count('New'),
    count('Revised'),
    count('Superseded', 10),
    count('Expired'),
    count('Removed'),
    count('CatalogVersion', 7, 'Catalog'),
    { property: 'DurationSeconds', label: 'Duration', width: 9, right: true, format: 'seconds' },
    { property: 'Error', width: 24 },
  ],
  'SupSync.SyncPlan': [
    { property: 'Product', width: 30 },
    { property: 'Classification', width: 20 },
    count('New'),
    count('Revised'),
    count('Superseded', 10),
    count('Expired'),
    count('Removed'),
    { property: 'BytesToFetch', label: 'To fetch', width: 9, right: true, format: 'bytes' },
  ],
  'SupSync.SyncRun': [
    count('RunId', 5, 'Run'),
    { property: 'Trigger', width: 8 },
    { property: 'FullSync', label: 'Full', width: 4, format: 'yesno' },
    { property: 'StartTime', label: 'Started', width: 16, format: 'time' },
    { property: 'StartTime', label: 'Duration', width: 8, right: true, format: 'span', end: 'EndTime' },
    { property: 'State', width: 11, format: 'state' },
    count('New', 7),
    count('Revised', 7),
    count('Expired', 7),
    count('Removed', 7),
    count('Failed', 6),
    count('CatalogVersion', 7, 'Catalog'),
    { property: 'BytesFetched', label: 'Fetched', width: 9, right: true, format: 'bytes' },
  ],
  'SupSync.Update': [
    { property: 'ArticleId', label: 'KB', width: 8 },
    { property: 'Title', width: 56 },
    { property: 'Classification', width: 18 },
    { property: 'MsrcSeverity', label: 'Severity', width: 9 },
    { property: 'CreationDate', label: 'Created', width: 16, format: 'time' },
    { property: 'IsExpired', label: 'Expired', width: 7, format: 'yesno' },
  ],
  'SupSync.Category': [
    { property: 'CategoryType', label: 'Type', width: 14 },
    { property: 'Title', width: 60 },
    { property: 'Id', width: 36 },
  ],
  'SupSync.CatalogImportResult': catalogImportColumns(),
  'SupSync.CatalogImportPlan': catalogImportColumns(),
  'SupSync.Alert': [
    { property: 'ID', width: 4, right: true },
    { property: 'SiteCode', label: 'Site', width: 5 },
    { property: 'AlertType', label: 'Type', width: 17 },
    { property: 'AlertState', label: 'State', width: 9, format: 'state' },
    { property: 'Severity', width: 8 },
    { property: 'StartTime', label: 'Since', width: 16, format: 'time' },
    { property: 'OccurrenceCount', label: 'Count', width: 5, right: true, format: 'count' },
    { property: 'Message' },
  ],
  'SupSync.AlertSubscription': [
    { property: 'Name', width: 20 },
    { property: 'Kind', width: 8 },
    { property: 'WebhookFormat', label: 'Format', width: 8 },
    { property: 'Target' },
  ],
  'SupSync.Schedule': [
    { property: 'ScheduleString', width: 16 },
    { property: 'Description', width: 60 },
    { property: 'NextRun', label: 'Next run', width: 16, format: 'time' },
  ],
};

/** The view of a record type, or undefined when it has none (then every field is shown). */
export function viewOf(type: string): readonly ViewColumn[] | undefined {
  return tableViews[type];
}

export const columnLabel = (column: ViewColumn): string => column.label ?? column.property;

/** The width a view takes: its columns, open ones counted at `openColumnWidth`, and one space between each. */
export function viewWidth(columns: readonly ViewColumn[]): number {
  return columns.reduce((sum, c) => sum + (c.width ?? openColumnWidth), 0) + columns.length - 1;
}
