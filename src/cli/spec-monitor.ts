/** The metrics command of the command spec (merged into commandSpec in spec.ts). */
import type { CommandSpec } from './spec-types.js';

export const monitorCommands: CommandSpec[] = [
  {
    id: 'metrics',
    words: ['metrics'],
    summary: "Writes the sites' Prometheus metrics to a file (for node_exporter's textfile collector).",
    description:
      "Writes the per-site metrics in the Prometheus text format — last sync state, last successful sync time, last sync duration, updates by state, catalog version and lag behind the parent, consecutive failures, next scheduled sync and retry, active alerts — to --out, atomically (a temporary file renamed over it), so node_exporter's textfile collector never reads half a file. Run it on a schedule, or scrape the running service's /metrics instead, which also counts the requests its SUP endpoints serve. docs/monitoring.md has a scrape job and alert rules.",
    changesState: true,
    outputTypes: ['SupSync.MetricsFile'],
    params: [{ flag: 'out', type: 'string', required: true, description: 'The file to write, e.g. /var/lib/node_exporter/textfile_collector/supsync.prom.', ps: { name: 'Path', kind: 'path', position: 0 } }],
    ps: {
      verb: 'Export',
      noun: 'SupSyncMetric',
      related: ['Get-CMSoftwareUpdateSyncStatus', 'Get-CMAlert'],
      examples: [
        { code: "Export-SupSyncMetric -Path 'C:\\Program Files\\windows_exporter\\textfile_inputs\\supsync.prom'", remarks: "Writes the metrics where windows_exporter's textfile collector reads them." },
        { code: "Export-SupSyncMetric -Path '/var/lib/node_exporter/textfile_collector/supsync.prom'", remarks: "Writes them for node_exporter's textfile collector (run it from a scheduled task or a timer)." },
      ],
    },
  },
];
