/**
 * Writing a file so that it appears whole or not at all, and never replaces another file:
 * the bytes go to a hidden temp file in the same directory, which is then hard-linked to the
 * final name (fails if the name is taken) and removed. File systems without hard links fall back
 * to a checked rename.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The final name already exists; pick another. */
export class NameTakenError extends Error {
  override readonly name = 'NameTakenError';
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/** Temp files are dot-files ending in .tmp, so listings and later cleanups can skip them. */
function tempNameFor(finalName: string): string {
  return `.${finalName}.${randomBytes(4).toString('hex')}.tmp`;
}

export async function writeFileExclusive(dir: string, finalName: string, data: Buffer | string): Promise<string> {
  const finalPath = path.join(dir, finalName);
  const tempPath = path.join(dir, tempNameFor(finalName));
  const handle = await open(tempPath, 'wx', 0o644);
  try {
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await publish(tempPath, finalPath);
    return finalPath;
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

async function publish(tempPath: string, finalPath: string): Promise<void> {
  try {
    await link(tempPath, finalPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') throw new NameTakenError(`${finalPath} already exists`);
    if (!LINK_UNSUPPORTED.has(code)) throw error;
    // No hard links here (FAT, some network shares): rename, after checking the name is free.
    const taken = await access(finalPath, constants.F_OK).then(
      () => true,
      () => false,
    );
    if (taken) throw new NameTakenError(`${finalPath} already exists`);
    await rename(tempPath, finalPath);
    return;
  }
  await unlink(tempPath);
}
