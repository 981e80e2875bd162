import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NameTakenError, writeFileExclusive } from '../../src/library/atomic-write.js';
import { imageStem, slugify, timestampForName } from '../../src/library/naming.js';

describe('names', () => {
  it('slugs the first words of a prompt as lowercase ASCII', () => {
    expect(slugify('A Red Fox, in fresh snow — golden hour!!')).toBe('a-red-fox-in-fresh-snow');
    expect(slugify('Café crème brûlée')).toBe('cafe-creme-brulee');
    expect(slugify('一只猫')).toBe('image');
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('CON')).toBe('con');
    expect(slugify('x'.repeat(500)).length).toBeLessThanOrEqual(48);
  });

  it('builds YYYYMMDD-HHMMSS-<slug>-<id> in local time', () => {
    const date = new Date(2026, 10, 22, 9, 5, 7);
    expect(timestampForName(date)).toBe('20261122-090507');
    expect(imageStem(date, 'Logo draft', 'abc123')).toBe('20261122-090507-logo-draft-abc123');
    expect(imageStem(date, 'x')).toMatch(/^20261122-090507-x-[a-z0-9]{6}$/);
  });
});

describe('writeFileExclusive', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-atomic-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the whole file and leaves no temp file', async () => {
    const written = await writeFileExclusive(dir, 'a.png', Buffer.from('hello'));
    expect(written).toBe(path.join(dir, 'a.png'));
    expect(await readFile(written, 'utf8')).toBe('hello');
    expect(await readdir(dir)).toEqual(['a.png']);
  });

  it('never overwrites an existing file', async () => {
    await writeFile(path.join(dir, 'a.png'), 'original');
    await expect(writeFileExclusive(dir, 'a.png', 'new')).rejects.toBeInstanceOf(NameTakenError);
    expect(await readFile(path.join(dir, 'a.png'), 'utf8')).toBe('original');
    expect(await readdir(dir)).toEqual(['a.png']);
  });

  it('cleans up its temp file when writing fails', async () => {
    await expect(writeFileExclusive(path.join(dir, 'missing-subdir'), 'a.png', 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });
});
