import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * A file that holds a bearer token (the hub's, the lab's shared secret). Such a file is the only
 * secret between a server and its clients, so one that someone else could read (or swap) is
 * refused rather than silently used or repaired: fixing it would hide the exposure.
 */

/** 32 characters is the floor: anything shorter was not written by us and is too weak to trust. */
export const MIN_TOKEN_LENGTH = 32;
/** Our tokens are 65 bytes; a big file is not ours, and reading it whole would be pointless. */
const MAX_TOKEN_FILE_BYTES = 4096;
// Windows has no O_NOFOLLOW (and no POSIX mode bits, see below); 0 leaves open() unchanged there.
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
// A FIFO planted at the path would block a plain open() forever; non-blocking open returns at once.
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/**
 * The token in `file`, created (0600, in a 0700 directory made here) when the file does not exist.
 * `what` names the token in refusals: "refusing to use it as <what>".
 */
export function ensureTokenFile(file: string, what: string): Promise<string> {
  return loadTokenFile(file, what, true);
}

/** The token in `file`, which must exist (a client's copy of a server's token). */
export function readTokenFile(file: string, what: string): Promise<string> {
  return loadTokenFile(file, what, false);
}

async function loadTokenFile(file: string, what: string, create: boolean): Promise<string> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!create) throw new Error(`${file}: does not exist; cannot read ${what} from it`);
    return createToken(file);
  }
  checkTokenStat(file, stat, what);
  // lstat then open is a race: open without following links and re-check what we actually opened.
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw refusal(file, 'is a symbolic link', what);
    throw err;
  }
  try {
    const opened = await handle.stat();
    if (opened.dev !== stat.dev || opened.ino !== stat.ino) throw refusal(file, 'was replaced while being checked', what);
    checkTokenStat(file, opened, what);
    const token = (await handle.readFile('utf8')).trim();
    if (token.length < MIN_TOKEN_LENGTH) {
      throw refusal(file, token ? `holds a token shorter than ${MIN_TOKEN_LENGTH} characters` : 'is empty', what);
    }
    if (/\s/.test(token)) throw refusal(file, 'holds a token with whitespace in it', what);
    return token;
  } finally {
    await handle.close();
  }
}

/** Constant-time: comparing digests keeps both the content and the length of the token secret. */
export function tokensEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

function checkTokenStat(file: string, stat: fs.Stats, what: string): void {
  if (stat.isSymbolicLink()) throw refusal(file, 'is a symbolic link', what);
  if (!stat.isFile()) throw refusal(file, 'is not a regular file', what);
  if (stat.size > MAX_TOKEN_FILE_BYTES) throw refusal(file, `is larger than ${MAX_TOKEN_FILE_BYTES} bytes`, what);
  // Windows reports synthetic mode bits and uid 0 for everything; its ACLs are not checked here.
  if (process.platform === 'win32') return;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw refusal(file, `is owned by uid ${stat.uid}, not by this user (uid ${uid})`, what);
  const perms = stat.mode & 0o777;
  if (perms & 0o077) {
    throw new Error(
      `${file}: permissions ${perms.toString(8).padStart(4, '0')} are too wide; ` +
        'the token file must be readable by its owner only (chmod 600)',
    );
  }
}

function refusal(file: string, why: string, what: string): Error {
  return new Error(`${file}: ${why}; refusing to use it as ${what}`);
}

async function createToken(file: string): Promise<string> {
  const stateDir = path.dirname(file);
  const name = path.basename(file);
  // Only directories created here get 0700; an existing state dir is the caller's business.
  await fs.promises.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  // Atomic (temp created with O_EXCL, so never written through a planted file or link), and 0600
  // explicitly, so the result never depends on the umask.
  await writeFileAtomic(file, `${token}\n`, {
    mode: 0o600,
    alwaysMode: true,
    temp: path.join(stateDir, `.${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`),
  });
  return token;
}
