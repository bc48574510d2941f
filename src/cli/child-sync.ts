/**
 * How the CLI and the service start a local child's sync after its parent synced without --wait:
 * a detached `supsync sync --trigger parent` that consumes the child's request file — unless a
 * running supsync service hosts the child, which picks the file up itself.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LogFormat } from '../log/index.js';
import { isServedByService } from '../service/site-records.js';
import type { Home } from '../store/home.js';
import { hostNodeOptions } from './node-options.js';

export function childSyncStarter(home: Home, logFormat: LogFormat | undefined): (code: string) => void {
  return (code) => {
    if (isServedByService(home, code)) return;
    const cli = fileURLToPath(new URL('./main.js', import.meta.url));
    const child = spawn(process.execPath, [...hostNodeOptions, cli, '--home', home.root, '--output', 'json', ...(logFormat ? ['--log-format', logFormat] : []), 'sync', '--site', code, '--trigger', 'parent'], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
  };
}
