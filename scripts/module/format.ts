/**
 * SupSync.Format.ps1xml: default table views for the record types an admin reads as tables. The
 * columns are the record properties the host writes (a test checks them against real records);
 * unlisted types fall back to PowerShell's default list or table.
 */

export interface Column {
  property: string;
  label?: string;
  width?: number;
  /** Numbers read best right-aligned. */
  right?: boolean;
}

const n = (property: string, width = 8): Column => ({ property, width, right: true });

/** An import result and its what-if plan read the same: what was asked, what came of it, and why. */
function catalogImportColumns(): Column[] {
  return [{ property: 'Status', width: 14 }, { property: 'Input', width: 36 }, { property: 'KB', width: 8 }, { property: 'Title' }, { property: 'Reason' }];
}

export const tableViews: Readonly<Record<string, readonly Column[]>> = {
  'SupSync.Site': [
    { property: 'SiteCode', width: 8 },
    { property: 'Role', width: 9 },
    { property: 'ParentSiteCode', label: 'Parent', width: 6 },
    { property: 'TopLevel', width: 8 },
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
    { property: 'SiteCode', width: 8 },
    { property: 'WSUSServerName', width: 24 },
    n('SyncCatalogVersion', 7),
    n('LastSyncState', 13),
    { property: 'LastSuccessfulSyncTime', width: 24 },
    n('CatalogVersionLag', 3),
    { property: 'Status' },
  ],
  'SupSync.SyncResult': [
    { property: 'SiteCode', width: 8 },
    { property: 'State', width: 9 },
    { property: 'FullSync', width: 8 },
    n('New'),
    n('Revised'),
    n('Superseded', 10),
    n('Expired'),
    n('Removed'),
    n('CatalogVersion', 7),
    n('DurationSeconds', 9),
    { property: 'Error' },
  ],
  'SupSync.SyncPlan': [
    { property: 'Product', width: 34 },
    { property: 'Classification', width: 22 },
    n('New'),
    n('Revised'),
    n('Superseded', 10),
    n('Expired'),
    n('Removed'),
    n('BytesToFetch', 12),
  ],
  'SupSync.SyncRun': [
    n('RunId', 5),
    { property: 'Trigger', width: 8 },
    { property: 'FullSync', width: 8 },
    { property: 'StartTime', width: 24 },
    { property: 'State', width: 9 },
    n('New'),
    n('Revised'),
    n('Expired'),
    n('Removed'),
    n('CatalogVersion', 7),
    { property: 'Error' },
  ],
  'SupSync.Update': [
    { property: 'ArticleId', label: 'KB', width: 8 },
    { property: 'Title' },
    { property: 'Classification', width: 20 },
    { property: 'MsrcSeverity', label: 'Severity', width: 9 },
    { property: 'CreationDate', width: 24 },
    { property: 'IsExpired', label: 'Expired', width: 7 },
  ],
  'SupSync.Category': [
    { property: 'CategoryType', width: 20 },
    { property: 'Title' },
    { property: 'Id', width: 36 },
  ],
  'SupSync.CatalogImportResult': catalogImportColumns(),
  'SupSync.CatalogImportPlan': catalogImportColumns(),
  'SupSync.Alert': [
    n('ID', 4),
    { property: 'SiteCode', width: 8 },
    { property: 'AlertType', width: 17 },
    { property: 'AlertState', label: 'State', width: 8 },
    { property: 'Severity', width: 8 },
    { property: 'StartTime', width: 24 },
    n('OccurrenceCount', 5),
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
    { property: 'Description' },
    { property: 'NextRun', width: 25 },
  ],
};

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export function renderFormat(header: string): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<!-- ${header} -->`, '<Configuration>', '  <ViewDefinitions>'];
  for (const [type, columns] of Object.entries(tableViews)) {
    lines.push('    <View>', `      <Name>${escapeXml(type)}</Name>`, `      <ViewSelectedBy><TypeName>${escapeXml(type)}</TypeName></ViewSelectedBy>`, '      <TableControl>', '        <TableHeaders>');
    for (const column of columns) {
      const parts = [`<Label>${escapeXml(column.label ?? column.property)}</Label>`];
      if (column.width !== undefined) parts.push(`<Width>${column.width}</Width>`);
      if (column.right) parts.push('<Alignment>Right</Alignment>');
      lines.push(`          <TableColumnHeader>${parts.join('')}</TableColumnHeader>`);
    }
    lines.push('        </TableHeaders>', '        <TableRowEntries>', '          <TableRowEntry>', '            <TableColumnItems>');
    for (const column of columns) lines.push(`              <TableColumnItem><PropertyName>${escapeXml(column.property)}</PropertyName></TableColumnItem>`);
    lines.push('            </TableColumnItems>', '          </TableRowEntry>', '        </TableRowEntries>', '      </TableControl>', '    </View>');
  }
  lines.push('  </ViewDefinitions>', '</Configuration>');
  return `${lines.join('\n')}\n`;
}
