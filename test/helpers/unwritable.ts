/**
 * An output folder images cannot be saved in, inside `base`: a read-only folder; for root, who
 * writes through mode bits, a folder under a regular file, which nobody can create.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

interface Unwritable {
  readonly dir: string;
  /** The code the start-up warning names. */
  readonly code: 'EACCES' | 'ENOTDIR';
  /** Makes `base` removable again. */
  restore(): Promise<void>;
}

export async function unwritableFolder(base: string): Promise<Unwritable> {
  if (process.getuid?.() === 0) {
    const file = path.join(base, 'a-file');
    await writeFile(file, 'not a folder');
    return { dir: path.join(file, 'images'), code: 'ENOTDIR', restore: async () => undefined };
  }
  const dir = path.join(base, 'read-only');
  await mkdir(dir);
  await chmod(dir, 0o555);
  return { dir, code: 'EACCES', restore: () => chmod(dir, 0o755) };
}
