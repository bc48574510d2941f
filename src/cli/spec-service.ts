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
    outputTypes: ['SupSync.ServiceSite', 'SupSync.Console', 'SupSync.SyncResult'],
    params: [
      { flag: 'site', type: 'string[]', description: 'The sites to host (default: every site of the home).', ps: false },
      { flag: 'poll-seconds', type: 'number', description: 'How often the inbox and the schedule are looked at, in seconds (default 5).', ps: false },
      { flag: 'retry-delay-seconds', type: 'number', description: 'Delay before a failed sync is retried, in seconds (default 3600).', ps: false },
      { flag: 'cert', type: 'string', description: 'PEM certificate for sites whose URL is https (with --key).', ps: false },
      { flag: 'key', type: 'string', description: 'PEM private key for --cert.', ps: false },
      {
        flag: 'admin-listen',
        type: 'string',
        description: `Where the web console listens: HOST:PORT, PORT (on 127.0.0.1) or off (default 127.0.0.1:8539; when that default port is taken the service runs without the console). An address other than loopback needs HTTPS (--admin-cert/--admin-key, else --cert/--key) and an admin credential ("supsync console credential").`,
        ps: false,
      },
      { flag: 'admin-cert', type: 'string', description: 'PEM certificate for the console (HTTPS), with --admin-key.', ps: false },
      { flag: 'admin-key', type: 'string', description: 'PEM private key for --admin-cert.', ps: false },
    ],
    // A foreground process that runs until stopped is installed as a service running `supsync service`, not called as a cmdlet.
    ps: false,
  },
  {
    id: 'console',
    words: ['console'],
    summary: 'Serves the web console of this home read-only, until stopped.',
    description:
      "The monitoring console without a running service: the hierarchy's synchronization status (live), each site's run history, settings and children, its wsyncmgr.log (live tail), and the updates with their relations. Read-only: Synchronize Software Updates is served by \"supsync service\" on its --admin-listen address. Loopback needs no credential; another address needs HTTPS (--cert/--key) and an admin credential (\"supsync console credential\"), asked for every page. Stop with Ctrl+C.",
    changesState: false,
    outputTypes: ['SupSync.Console'],
    params: [
      { flag: 'listen', type: 'string', description: 'HOST:PORT, PORT (on 127.0.0.1) or HOST (default 127.0.0.1:8539; port 0 picks a free one).', ps: false },
      { flag: 'cert', type: 'string', description: 'PEM certificate: serve HTTPS.', ps: false },
      { flag: 'key', type: 'string', description: 'PEM private key for --cert.', ps: false },
    ],
    ps: false,
  },
  {
    id: 'console.credential',
    words: ['console', 'credential'],
    summary: "Sets the console's admin credential: a user with a password, or a generated token.",
    description:
      "Stores only scrypt hashes in the home's console.json. --user NAME takes the password from the environment variable SUPSYNC_CONSOLE_PASSWORD (never from the command line); --new-token generates an admin token and prints it this once (send it as the password of the user 'token', or as 'Authorization: Bearer <token>'). The credential is asked for by Synchronize Software Updates, and for every page when the console listens on an address other than loopback.",
    changesState: true,
    outputTypes: ['SupSync.ConsoleCredential'],
    params: [
      { flag: 'user', type: 'string', description: 'Add or change this user; the password comes from SUPSYNC_CONSOLE_PASSWORD.', ps: false },
      { flag: 'remove-user', type: 'string', description: 'Remove this user.', ps: false },
      { flag: 'new-token', type: 'switch', description: 'Generate a new admin token (replacing the old one) and print it once.', ps: false },
      { flag: 'remove-token', type: 'switch', description: 'Remove the admin token.', ps: false },
    ],
    ps: false,
  },
];
