/**
 * Whether images can be saved in the output folder, asked at start-up so the answer does not wait
 * for the first paid call. Nothing is written: a probe file would change the folder's modification
 * time, which the library index reads as "the folder changed, scan it again". A folder that does not
 * exist yet (it is made at the first save) is judged by the nearest folder above it that does.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

const WHY: Readonly<Record<string, string>> = {
  EACCES: 'no permission to write there',
  EPERM: 'not permitted to write there',
  EROFS: 'it is on a read-only file system',
};

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);
const reason = (code: string): string => `${WHY[code] ?? 'it cannot be written'} (${code})`;

/** Why images cannot be saved in `dir`, in a sentence that names the folder; undefined when they can. */
async function outputDirProblem(dir: string): Promise<string | undefined> {
  // The folder itself, else the nearest existing one above it, which the first save would create it in.
  let existing = dir;
  for (;;) {
    try {
      const stats = await stat(existing);
      if (!stats.isDirectory()) {
        return existing === dir
          ? `${dir} is a file, not a folder (ENOTDIR)`
          : `${dir} cannot be created: ${existing} is a file, not a folder (ENOTDIR)`;
      }
      break;
    } catch (error) {
      const code = codeOf(error);
      const parent = path.dirname(existing);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === existing) {
        const why = code === 'EACCES' ? 'no permission to enter a folder on the way to it' : 'it cannot be looked at';
        return `${dir} cannot be reached: ${why} (${code})`;
      }
      existing = parent;
    }
  }
  try {
    await access(existing, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const why = reason(codeOf(error));
    return existing === dir
      ? `images cannot be saved in ${dir}: ${why}`
      : `${dir} cannot be created in ${existing}: ${why}`;
  }
}

/**
 * The start-up warning for an output folder images cannot be saved in, ending with `fix` (what to
 * change, in the words of where the setting comes from); undefined when they can be saved.
 */
export async function outputDirWarning(dir: string, fix: string): Promise<string | undefined> {
  const problem = await outputDirProblem(dir);
  return problem && `${problem}. Images made now would be kept in a temporary rescue folder instead; ${fix}.`;
}
