/**
 * The in-memory library on its own (src/library/image-set.ts): newest first, pages that continue
 * where the cursor says, queries, replacing and removing by sidecar name, sidecars not named after
 * their image, and the columns it loads from and writes to the index file.
 */
import { describe, expect, it } from 'vitest';
import { ImageSet, type IndexedImage, sidecarColumnValue, sidecarName } from '../src/library/image-set.js';

function image(n: number, extra: Partial<IndexedImage> = {}): IndexedImage {
  const stem = `2026-${String(n).padStart(4, '0')}`;
  return {
    sidecar: `${stem}.json`,
    file: `${stem}.jpg`,
    createdAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
    tool: 'generate_image',
    model: n % 2 === 0 ? 'flux-2-pro' : 'flux-2-max',
    prompt: `Image number ${n}${n % 3 === 0 ? ', a Red Fox' : ''}`,
    width: 64,
    height: 64,
    mimeType: 'image/jpeg',
    bytes: 100 + n,
    ...extra,
  };
}

const filesOf = (images: readonly IndexedImage[]): string[] => images.map((i) => i.file);

describe('ImageSet', () => {
  it('keeps images newest first, by time then file name, however they arrive', () => {
    const set = new ImageSet();
    set.upsert([image(2), image(0)]);
    set.upsert([image(1), image(3)]);
    set.upsert([image(1, { file: '2026-0001-b.jpg', sidecar: '2026-0001-b.json' })]); // same time: by name, as code units
    expect(filesOf(set.page(undefined, 10).images)).toEqual([
      '2026-0003.jpg',
      '2026-0002.jpg',
      '2026-0001.jpg',
      '2026-0001-b.jpg',
      '2026-0000.jpg',
    ]);
  });

  it('pages from a cursor, which stays put when newer images arrive', () => {
    const set = new ImageSet();
    set.upsert(Array.from({ length: 10 }, (_, n) => image(n)));
    const first = set.page(undefined, 4);
    expect(first.more).toBe(true);
    set.upsert([image(50)]);
    const last = first.images.at(-1)!;
    const second = set.page({ createdAt: last.createdAt, file: last.file }, 4);
    expect(filesOf(second.images)).toEqual(['2026-0005.jpg', '2026-0004.jpg', '2026-0003.jpg', '2026-0002.jpg']);
    const end = set.page({ createdAt: second.images[3]!.createdAt, file: second.images[3]!.file }, 4);
    expect(filesOf(end.images)).toEqual(['2026-0001.jpg', '2026-0000.jpg']);
    expect(end.more).toBe(false);
  });

  it('finds images by words of the prompt, model and time, counting every match', () => {
    const set = new ImageSet();
    set.upsert(Array.from({ length: 30 }, (_, n) => image(n)));
    const foxes = set.query({ query: 'red FOX' }, 3);
    expect(foxes.matched).toBe(10);
    expect(filesOf(foxes.images)).toEqual(['2026-0027.jpg', '2026-0024.jpg', '2026-0021.jpg']);
    expect(set.query({ model: 'flux-2-max', query: 'fox' }, 100).matched).toBe(5);
    const since = new Date(Date.UTC(2026, 0, 1) + 10 * 60_000);
    const until = new Date(Date.UTC(2026, 0, 1) + 19 * 60_000);
    expect(set.query({ since, until }, 100).matched).toBe(10);
    expect(set.query({}, 5)).toMatchObject({ matched: 30 });
  });

  it('replaces an image by its sidecar name, and removes by sidecar name', () => {
    const set = new ImageSet();
    set.upsert([image(1), image(2)]);
    set.upsert([image(1, { prompt: 'changed' })]);
    expect(set.size).toBe(2);
    expect(set.byFileName('2026-0001.jpg')?.prompt).toBe('changed');
    set.remove(new Set(['2026-0001.json', 'not-there.json']));
    expect(filesOf(set.page(undefined, 10).images)).toEqual(['2026-0002.jpg']);
    expect(set.byFileName('2026-0001.jpg')).toBeUndefined();
    expect(set.hasSidecar('2026-0001.json')).toBe(false);
  });

  it('keeps a sidecar that is not named after its image under its own name', () => {
    const set = new ImageSet();
    const odd = image(1, { sidecar: 'hand-made.json' });
    set.upsert([odd, image(2)]);
    expect(set.hasSidecar('hand-made.json')).toBe(true);
    expect(set.hasSidecar('2026-0001.json')).toBe(false);
    expect(set.byFileName('2026-0001.jpg')?.sidecar).toBe('hand-made.json');
    expect([...set.names()]).toEqual([
      { sidecar: '2026-0002.json', file: '2026-0002.jpg' },
      { sidecar: 'hand-made.json', file: '2026-0001.jpg' },
    ]);
    expect(set.toColumns().sidecar).toEqual(['', 'hand-made.json']);
    expect(sidecarColumnValue('a.b.json', 'a.b.png')).toBe('');
    expect(sidecarName('', 'a.b.png')).toBe('a.b.json');
  });

  it('loads from columns, in order or not, and gives back the same columns; survives many removals', () => {
    const set = new ImageSet();
    set.upsert(Array.from({ length: 3000 }, (_, n) => image(n)));
    const columns = set.toColumns();
    const loaded = ImageSet.of(columns);
    expect(loaded.toColumns()).toEqual(columns);
    const reversed = ImageSet.of(
      Object.fromEntries(Object.entries(set.toColumns()).map(([k, v]) => [k, [...v].reverse()])) as typeof columns,
    );
    expect(filesOf(reversed.page(undefined, 2).images)).toEqual(['2026-2999.jpg', '2026-2998.jpg']);

    loaded.remove(new Set(Array.from({ length: 2500 }, (_, n) => image(n).sidecar))); // compacts
    expect(loaded.size).toBe(500);
    expect(filesOf(loaded.page(undefined, 1).images)).toEqual(['2026-2999.jpg']);
    expect(loaded.byFileName('2026-2500.jpg')?.bytes).toBe(2600);
    loaded.upsert([image(1)]);
    const withOne = [1, ...Array.from({ length: 500 }, (_, n) => 2500 + n)].filter((n) => String(n).includes('1'));
    expect(loaded.query({ query: 'number 1' }, 1000).matched).toBe(withOne.length);
  });
});
