/**
 * Sync request files: ConfigMgr's `<sitecode>.SYN` inbox. A parent asks a child on the same machine
 * to sync by writing `<PARENT>.SYN` into the child's inbox; the child (its service, or a sync run
 * for it) consumes the file and syncs from the parent.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SyncRequestFile {
  from: string;
  catalogVersion: number;
  full: boolean;
  time: string;
}

/** Writes the request atomically (temp file + rename) so a reader never sees half of it. */
export function writeSyncRequest(inbox: string, request: SyncRequestFile): string {
  fs.mkdirSync(inbox, { recursive: true });
  const file = path.join(inbox, `${request.from}.SYN`);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(request)}\n`);
  fs.renameSync(temp, file);
  return file;
}

/** The pending request file from `from`, if any and readable (left in place). */
export function readSyncRequest(inbox: string, from: string): SyncRequestFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(inbox, `${from}.SYN`), 'utf8')) as SyncRequestFile;
  } catch {
    return undefined;
  }
}

/** Reads and removes the pending request files; a damaged one is removed and reported as such. */
export function takeSyncRequests(inbox: string): { file: string; request?: SyncRequestFile }[] {
  if (!fs.existsSync(inbox)) return [];
  const out: { file: string; request?: SyncRequestFile }[] = [];
  for (const name of fs.readdirSync(inbox).filter((n) => n.endsWith('.SYN')).sort()) {
    const file = path.join(inbox, name);
    let request: SyncRequestFile | undefined;
    try {
      request = JSON.parse(fs.readFileSync(file, 'utf8')) as SyncRequestFile;
    } catch {
      request = undefined;
    }
    fs.rmSync(file, { force: true });
    out.push({ file: name, ...(request ? { request } : {}) });
  }
  return out;
}

export function pendingSyncRequests(inbox: string): string[] {
  return fs.existsSync(inbox) ? fs.readdirSync(inbox).filter((n) => n.endsWith('.SYN')) : [];
}
