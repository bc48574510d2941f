/** `console` (the read-only web console) and `console credential` (its admin credential). */
import fs from 'node:fs';
import { InvalidArgumentError } from '../../errors.js';
import { hashSecret, newToken } from '../../console/credentials.js';
import { defaultConsolePort, parseListenAddress } from '../../console/address.js';
import type { RunningConsole, TlsFiles } from '../../console/server.js';
import { type ConsoleSettings, consoleSettingsFile, updateConsoleSettings } from '../../store/console-settings.js';
import { type CommandHandler, stringArg } from '../context.js';

const consoleCommand: CommandHandler<'console'> = async ({ home, args, emit, note, output, signal }) => {
  const { host, port } = parseListenAddress(stringArg(args, 'listen') ?? `127.0.0.1:${defaultConsolePort}`, '--listen');
  const tls = tlsFiles(stringArg(args, 'cert'), stringArg(args, 'key'), '--cert', '--key');
  // Loaded here: the web server and the metrics library would slow every other command's start.
  const [{ startConsole }, { createMetrics }] = await Promise.all([import('../../console/server.js'), import('../../monitor/metrics.js')]);
  const metrics = createMetrics(home);
  const running = await startConsole({ home, host, port, ...(tls ? { tls } : {}), metrics: () => metrics.render() });
  emit(consoleRecord(running));
  output.flush();
  note(`The supsync console (read-only) is at ${running.url}; stop with Ctrl+C`);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await running.close();
};

export function consoleRecord(running: RunningConsole) {
  return { type: 'SupSync.Console', Url: running.url, ReadOnly: running.readOnly };
}

/** Certificate and key read from their files; both or neither. */
export function tlsFiles(cert: string | undefined, key: string | undefined, certFlag: string, keyFlag: string): TlsFiles | undefined {
  if ((cert === undefined) !== (key === undefined)) throw new InvalidArgumentError('ConflictingOptions', `${certFlag} and ${keyFlag} go together`, { target: cert ? keyFlag : certFlag });
  if (cert === undefined || key === undefined) return undefined;
  return { cert: readPem(cert, certFlag), key: readPem(key, keyFlag) };
}

function readPem(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new InvalidArgumentError('FileUnreadable', `${flag} ${file} cannot be read: ${(error as Error).message}`, { target: flag });
  }
}

const consoleCredential: CommandHandler<'console.credential'> = ({ home, args, emit }) => {
  const user = stringArg(args, 'user');
  const removeUser = stringArg(args, 'removeUser');
  const wantToken = Boolean(args.newToken);
  const removeToken = Boolean(args.removeToken);
  if (user === undefined && removeUser === undefined && !wantToken && !removeToken) {
    throw new InvalidArgumentError('NothingToDo', 'Give --user NAME (password in SUPSYNC_CONSOLE_PASSWORD), --remove-user NAME, --new-token or --remove-token', { target: 'argv' });
  }
  if (wantToken && removeToken) throw new InvalidArgumentError('ConflictingOptions', '--new-token and --remove-token contradict each other', { target: '--remove-token' });
  if (user !== undefined && !/^[^\s:]{1,64}$/.test(user)) throw new InvalidArgumentError('InvalidUserName', `--user '${user}' must be 1-64 characters without spaces or ':'`, { target: '--user' });
  if (user === 'token') throw new InvalidArgumentError('InvalidUserName', "--user 'token' is reserved for the admin token", { target: '--user' });
  const password = process.env.SUPSYNC_CONSOLE_PASSWORD;
  if (user !== undefined && (password === undefined || password.length < 8)) {
    throw new InvalidArgumentError('PasswordRequired', '--user takes the password from the environment variable SUPSYNC_CONSOLE_PASSWORD (at least 8 characters)', { target: 'SUPSYNC_CONSOLE_PASSWORD' });
  }
  home.ensureWritable();
  const token = wantToken ? newToken() : undefined;
  const settings = updateConsoleSettings(home.root, (current): ConsoleSettings => {
    let users = current.users;
    if (removeUser !== undefined) users = users.filter((u) => u.name !== removeUser);
    if (user !== undefined) users = [...users.filter((u) => u.name !== user), { name: user, passwordHash: hashSecret(password!) }];
    const next: ConsoleSettings = { schemaVersion: 1, users };
    const tokenHash = token !== undefined ? hashSecret(token) : removeToken ? undefined : current.adminTokenHash;
    return tokenHash === undefined ? next : { ...next, adminTokenHash: tokenHash };
  });
  emit({
    type: 'SupSync.ConsoleCredential',
    SettingsFile: consoleSettingsFile(home.root),
    Users: settings.users.map((u) => u.name),
    HasToken: settings.adminTokenHash !== undefined,
    // Shown this once; only its hash is stored.
    Token: token ?? null,
  });
};

export const consoleHandlers = { console: consoleCommand, 'console.credential': consoleCredential };
