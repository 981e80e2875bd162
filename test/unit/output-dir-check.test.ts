/**
 * The start-up check of the output folder: a folder images can be saved in (or that the first save
 * can create) passes silently; otherwise the warning names the folder, why, and the fix given.
 * Nothing is written to find out.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputDirWarning } from '../../src/library/output-dir-check.js';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-dir-check-'));
  await writeFile(path.join(base, 'file'), 'not a folder');
  await mkdir(path.join(base, 'folder'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

const FIX = 'do this';

describe('outputDirWarning', () => {
  it('says nothing of a folder that can be written, or that can be created where it would be', async () => {
    const before = (await stat(path.join(base, 'folder'))).mtimeMs;
    expect(await outputDirWarning(path.join(base, 'folder'), FIX)).toBeUndefined();
    expect(await outputDirWarning(path.join(base, 'folder', 'not', 'yet'), FIX)).toBeUndefined();
    // Asked without writing: no probe file, and the folder's time (which the library index reads) unchanged.
    expect(await readdir(path.join(base, 'folder'))).toEqual([]);
    expect((await stat(path.join(base, 'folder'))).mtimeMs).toBe(before);
  });

  it('names a file where the folder should be, or on the way to it', async () => {
    const file = path.join(base, 'file');
    expect(await outputDirWarning(file, FIX)).toBe(
      `${file} is a file, not a folder (ENOTDIR). Images made now would be kept in a temporary rescue folder instead; do this.`,
    );
    expect(await outputDirWarning(path.join(file, 'images', 'more'), FIX)).toMatch(
      new RegExp(
        `^${path.join(file, 'images', 'more')} cannot be created: ${file} is a file, not a folder \\(ENOTDIR\\)\\. `,
      ),
    );
  });

  it.skipIf(process.getuid?.() === 0 || process.platform === 'win32')(
    'names a folder without write permission, or one that cannot be created in one',
    async () => {
      const locked = path.join(base, 'locked');
      await mkdir(locked, { mode: 0o555 });
      try {
        expect(await outputDirWarning(locked, FIX)).toMatch(
          new RegExp(
            `^images cannot be saved in ${locked}: no permission to write there \\(EACCES\\)\\. .*; do this\\.$`,
          ),
        );
        expect(await outputDirWarning(path.join(locked, 'new'), FIX)).toMatch(
          new RegExp(
            `^${path.join(locked, 'new')} cannot be created in ${locked}: no permission to write there \\(EACCES\\)`,
          ),
        );
      } finally {
        await chmod(locked, 0o755);
      }
    },
  );
});
