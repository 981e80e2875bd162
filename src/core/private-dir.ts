/**
 * A directory in the shared temp directory that belongs to this user alone: created 0700, never
 * reached through a symbolic link, refused when another user made it first. The system temp
 * directory is writable by everyone, so a fixed name there could have been planted (a link to
 * somewhere the server would then write, or a directory another user can read).
 *
 * Layout: `$TMPDIR/flux-mcp-<uid>/` holds `flux-mcp-rescued/` (images the output directory could
 * not take) and `work/` (one directory per call for its input images, removed when it ends, and
 * swept after a day if a process died before).
 */
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A private directory could not be made safely; the message says why. */
export class PrivateDirError extends Error {
  override readonly name = 'PrivateDirError';
  readonly code = 'ERR_FLUX_PRIVATE_DIR';
}

/** Who the directory is for: the uid, or the user name where there are no uids (Windows). */
function userTag(): string {
  const uid = process.getuid?.();
  if (uid !== undefined && uid >= 0) return String(uid);
  return os.userInfo().username.replace(/[^\w.-]/g, '_') || 'user';
}

/** This user's own directory in the system temp directory (not created here). */
export function privateTempRoot(): string {
  return path.join(os.tmpdir(), `flux-mcp-${userTag()}`);
}

/**
 * Make `dir` (and any missing parent up to and including the private root) as a directory only
 * this user can enter, or check that it already is one. Throws PrivateDirError otherwise.
 */
export async function ensurePrivateDir(dir: string, root = privateTempRoot()): Promise<void> {
  const relative = path.relative(root, dir);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new PrivateDirError(`${dir} is not inside ${root}`);
  }
  let current = root;
  for (const part of ['', ...relative.split(path.sep).filter(Boolean)]) {
    current = part ? path.join(current, part) : current;
    await mkdir(current, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await checkPrivate(current);
  }
}

async function checkPrivate(dir: string): Promise<void> {
  const stats = await lstat(dir);
  if (stats.isSymbolicLink()) throw new PrivateDirError(`${dir} is a symbolic link, not a directory of this user`);
  if (!stats.isDirectory()) throw new PrivateDirError(`${dir} is not a directory`);
  const uid = process.getuid?.();
  // Windows has no uids or mode bits; its temp directory is per user already.
  if (uid === undefined || process.platform === 'win32') return;
  if (stats.uid !== uid) throw new PrivateDirError(`${dir} belongs to another user (uid ${stats.uid})`);
  if ((stats.mode & 0o077) !== 0) {
    throw new PrivateDirError(
      `${dir} can be entered by other users (mode ${(stats.mode & 0o777).toString(8)}); remove it or chmod 700 it`,
    );
  }
}

/** Call directories older than this were left by a process that died mid-call (calls take minutes). */
const STALE_WORK_MS = 24 * 3600 * 1000;
let swept = false;

/** A new directory of its own for one call's temporary files, inside the private root. */
export async function privateWorkDir(root = privateTempRoot()): Promise<string> {
  const work = path.join(root, 'work');
  await ensurePrivateDir(work, root);
  if (!swept) {
    swept = true;
    void sweepStale(work);
  }
  return mkdtemp(path.join(work, 'call-'));
}

/** Remove what crashed processes left behind, once per process, in the background. */
async function sweepStale(work: string): Promise<void> {
  const names = await readdir(work).catch(() => []);
  for (const name of names) {
    const entry = path.join(work, name);
    const stats = await lstat(entry).catch(() => undefined);
    if (stats && Date.now() - stats.mtimeMs > STALE_WORK_MS)
      await rm(entry, { recursive: true, force: true }).catch(() => undefined);
  }
}
