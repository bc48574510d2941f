/** The service commands of the command spec (merged into commandSpec in spec.ts). */
import type { CommandSpec } from './spec-types.js';

export const serviceCommands: CommandSpec[] = [
  {
    id: 'service',
    words: ['service'],
    summary: 'Runs the sync service of the sites until stopped: scheduled syncs, sync requests, retries and SUP endpoints.',
    description:
      "A long-running process (run it as a Windows service or a systemd unit) that, for each site it hosts (--site, default every site of the home): runs the scheduled syncs at the occurrences of the site's schedule; picks up the sync requests in the site's inbox (a parent's notification, a remote parent's request through the endpoint) and the sync queued by a request that found the site busy; retries a failed sync after --retry-delay-seconds (60 minutes, as Configuration Manager); and serves the site's SUP endpoint when its site.json has a URL (on that URL's port: on that address for an IP address, on 127.0.0.1 for localhost, on every interface for a host name). One sync per site at a time, also against a \"supsync sync\" started beside it, which gets queued. After downtime, missed occurrences of a schedule cause one sync at start-up. Schedule changes apply within a poll interval without a restart and never cancel a running sync. After a successful sync, local child sites hosted by a running service get a request file that service picks up; other local children are synced by a spawned \"supsync sync\". Ctrl+C (SIGINT) or SIGTERM stops it: a running sync keeps what it stored and resumes when the service starts again. The next scheduled sync of each site appears in \"supsync status\" (NextScheduledSync). Sites added while it runs need a restart.",
    changesState: true,
    outputTypes: ['SupSync.ServiceSite', 'SupSync.SyncResult'],
    params: [
      { flag: 'site', type: 'string[]', description: 'The sites to host (default: every site of the home).', ps: false },
      { flag: 'poll-seconds', type: 'number', description: 'How often the inbox and the schedule are looked at, in seconds (default 5).', ps: false },
      { flag: 'retry-delay-seconds', type: 'number', description: 'Delay before a failed sync is retried, in seconds (default 3600).', ps: false },
      { flag: 'cert', type: 'string', description: 'PEM certificate for sites whose URL is https (with --key).', ps: false },
      { flag: 'key', type: 'string', description: 'PEM private key for --cert.', ps: false },
    ],
    // A foreground process that runs until stopped is installed as a service running `supsync service`, not called as a cmdlet.
    ps: false,
  },
];
