/**
 * The library's images in memory, newest first, with the lookups the server needs: by sidecar name
 * (to apply changes), by image file name (resources/read), by position (paging) and by query
 * (list_images). No I/O: file-library-index.ts keeps it in step with the disk.
 *
 * Order: creation time, then file name, both descending and compared as plain strings (code
 * units), the same comparison the paging cursors use, so a cursor always lands where the page
 * before ended. Creation times are ISO strings, which compare like the times they name.
 *
 * 100,000 images are kept as compact records (no paths or URIs, which are derived when an image is
 * returned); the lower-case prompt for word search and the parsed time for time filters are
 * computed the first time a query needs them.
 */
import type { ImageQuery, PagePosition } from './library-index.js';

/** What the index keeps of each image: its sidecar's name and the facts listings show. */
export interface IndexedImage {
  readonly sidecar: string;
  readonly file: string;
  readonly createdAt: string;
  readonly tool: string;
  readonly model: string;
  readonly prompt: string;
  readonly width: number;
  readonly height: number;
  readonly mimeType: string;
  readonly bytes: number;
}

/** An indexed image with what queries compute about it once. */
interface Entry extends IndexedImage {
  searchText: string | undefined;
  createdMs: number;
}

const entryOf = (image: IndexedImage): Entry => ({
  sidecar: image.sidecar,
  file: image.file,
  createdAt: image.createdAt,
  tool: image.tool,
  model: image.model,
  prompt: image.prompt,
  width: image.width,
  height: image.height,
  mimeType: image.mimeType,
  bytes: image.bytes,
  searchText: undefined,
  createdMs: Number.NaN,
});

/** Negative when `a` comes first (is newer). */
function newestFirst(a: PagePosition, b: PagePosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1;
  if (a.file !== b.file) return a.file > b.file ? -1 : 1;
  return 0;
}

function sameImage(a: IndexedImage, b: IndexedImage): boolean {
  return (
    a.file === b.file &&
    a.createdAt === b.createdAt &&
    a.tool === b.tool &&
    a.model === b.model &&
    a.prompt === b.prompt &&
    a.width === b.width &&
    a.height === b.height &&
    a.mimeType === b.mimeType &&
    a.bytes === b.bytes
  );
}

export class ImageSet {
  /** Newest first. */
  private ordered: Entry[] = [];
  private readonly bySidecar = new Map<string, Entry>();
  private readonly byFile = new Map<string, Entry>();

  get size(): number {
    return this.ordered.length;
  }

  hasSidecar(sidecar: string): boolean {
    return this.bySidecar.has(sidecar);
  }

  bySidecarName(sidecar: string): IndexedImage | undefined {
    return this.bySidecar.get(sidecar);
  }

  byFileName(file: string): IndexedImage | undefined {
    return this.byFile.get(file);
  }

  /** Newest first. */
  all(): readonly IndexedImage[] {
    return this.ordered;
  }

  /**
   * Adds images, replacing any with the same sidecar name. The batch is sorted and merged in one
   * pass, so loading 100,000 images or adding one costs no more than a sort of the batch.
   */
  upsert(images: readonly IndexedImage[]): void {
    const replaced = new Set<string>();
    const added: Entry[] = [];
    const batch = new Map<string, IndexedImage>();
    for (const image of images) batch.set(image.sidecar, image); // the last word on a name wins
    for (const image of batch.values()) {
      const known = this.bySidecar.get(image.sidecar);
      if (known && sameImage(known, image)) continue;
      if (known) replaced.add(image.sidecar);
      added.push(entryOf(image));
    }
    if (replaced.size > 0) this.remove(replaced);
    if (added.length === 0) return;
    added.sort(newestFirst);
    this.ordered = this.ordered.length === 0 ? added : merge(this.ordered, added);
    for (const entry of added) {
      this.bySidecar.set(entry.sidecar, entry);
      this.byFile.set(entry.file, entry);
    }
  }

  /** Removes the images with these sidecar names; names not in the set are ignored. */
  remove(sidecars: ReadonlySet<string>): void {
    let removed = 0;
    for (const sidecar of sidecars) {
      const entry = this.bySidecar.get(sidecar);
      if (!entry) continue;
      this.bySidecar.delete(sidecar);
      if (this.byFile.get(entry.file) === entry) this.byFile.delete(entry.file);
      removed += 1;
    }
    if (removed > 0) this.ordered = this.ordered.filter((entry) => this.bySidecar.get(entry.sidecar) === entry);
  }

  /** The newest `limit` images matching the query, and how many match in all. */
  query(query: ImageQuery, limit: number): { images: IndexedImage[]; matched: number } {
    const words = query.query?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
    const since = query.since?.getTime();
    const until = query.until?.getTime();
    const images: IndexedImage[] = [];
    let matched = 0;
    for (const entry of this.ordered) {
      if (query.model !== undefined && entry.model !== query.model) continue;
      if (since !== undefined || until !== undefined) {
        if (Number.isNaN(entry.createdMs)) entry.createdMs = Date.parse(entry.createdAt);
        if (since !== undefined && entry.createdMs < since) continue;
        if (until !== undefined && entry.createdMs > until) continue;
      }
      if (words.length > 0) {
        entry.searchText ??= entry.prompt.toLowerCase();
        const text = entry.searchText;
        if (!words.every((word) => text.includes(word))) continue;
      }
      matched += 1;
      if (images.length < limit) images.push(entry);
    }
    return { images, matched };
  }

  /** Up to `size` images after `after` (from the newest when absent), and whether more follow. */
  page(after: PagePosition | undefined, size: number): { images: IndexedImage[]; more: boolean } {
    const start = after === undefined ? 0 : this.firstAfter(after);
    const images = this.ordered.slice(start, start + size);
    return { images, more: start + size < this.ordered.length };
  }

  /** Index of the first image that comes after `position` in the order (binary search). */
  private firstAfter(position: PagePosition): number {
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (newestFirst(this.ordered[middle]!, position) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Two newest-first arrays as one. */
function merge(a: readonly Entry[], b: readonly Entry[]): Entry[] {
  const out = new Array<Entry>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = newestFirst(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
