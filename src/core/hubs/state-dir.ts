import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A workspace's `.hubkeeper/` holds the hub lock and the hub's bearer token. It is created 0700
 * (an existing one of ours is narrowed to that), and with a `.gitignore` of `*` — as pytest and
 * ruff do for their caches — so the token is never committed with the repository.
 */

const GITIGNORE = '# Created by Hubkeeper: this folder holds a hub lock and a secret token. Never commit it.\n*\n';

export async function ensureStateDir(stateDir: string): Promise<void> {
  await fs.promises.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const st = await fs.promises.lstat(stateDir);
  if (!st.isDirectory()) throw new Error(`${stateDir}: is not a directory (a symlink?); refusing to keep a hub lock and token there`);
  const uid = process.getuid?.();
  if (process.platform !== 'win32' && (uid === undefined || st.uid === uid) && (st.mode & 0o077) !== 0) {
    await fs.promises.chmod(stateDir, 0o700);
  }
  try {
    // 'wx' = O_CREAT|O_EXCL: never overwrites a .gitignore someone wrote, never follows a planted link.
    await fs.promises.writeFile(path.join(stateDir, '.gitignore'), GITIGNORE, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
