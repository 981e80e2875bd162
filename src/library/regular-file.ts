/**
 * Reading a file only when it is a plain file of the expected size. A directory cannot be read, a
 * symbolic link could lead anywhere on disk, and opening a FIFO blocks until someone writes to it:
 * a name in the output directory is never trusted to be what its extension says.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { formatBytes } from '../core/units.js';

/** The file is there but is not a plain file that can be read; the message says why. */
export class NotARegularFileError extends Error {
  override readonly name = 'NotARegularFileError';
}

/** What a directory entry is, in words for a message; from an lstat or a directory listing's entry. */
export function kindOf(
  stats: Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket'>,
): string {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symbolic link';
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isSocket()) return 'socket';
  return 'device';
}

/**
 * Should the name be swapped for a link or a FIFO between the lstat and the open, O_NOFOLLOW makes
 * the open fail and O_NONBLOCK makes it return at once; the handle is checked again after. Both
 * are 0 where the platform lacks them (Windows has no FIFOs to fear).
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The text of `file`; throws NotARegularFileError unless it is a regular file of at most maxBytes. */
export async function readRegularFile(file: string, maxBytes: number): Promise<string> {
  return (await readRegularBytes(file, maxBytes)).toString('utf8');
}

/** The bytes of `file`; throws NotARegularFileError unless it is a regular file of at most maxBytes. */
export async function readRegularBytes(file: string, maxBytes: number): Promise<Buffer> {
  checkRegular(await lstat(file), maxBytes);
  const handle = await open(file, OPEN_FLAGS);
  try {
    checkRegular(await handle.stat(), maxBytes);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function checkRegular(stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new NotARegularFileError(`not a regular file but a ${kindOf(stats)}`);
  if (stats.size > maxBytes)
    throw new NotARegularFileError(
      `${formatBytes(stats.size)}, more than the ${formatBytes(maxBytes)} expected at most`,
    );
}
