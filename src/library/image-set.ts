/**
 * The library's images in memory, newest first, with the lookups the server needs: by sidecar name
 * (to apply changes), by image file name (resources/read), by position (paging) and by query
 * (list_images). No I/O: file-library-index.ts keeps it in step with the disk.
 *
 * Order: creation time, then file name, both descending and compared as plain strings (code
 * units), the same comparison the paging cursors use, so a cursor always lands where the page
 * before ended. Creation times are ISO strings, which compare like the times they name.
 *
 * Kept as columns (one array per fact, one row per image) rather than one object per image: 100,000
 * images load from the index file as ten arrays in a few JSON.parse calls, and take a third less
 * memory. Paths and URIs are derived when an image is returned. Rows of removed images stay in the
 * columns, unreachable, until there are as many of them as live ones; then the columns are rebuilt.
 *
 * A sidecar is nearly always named after its image (`<stem>.json` beside `<stem>.jpg`): the sidecar
 * column then holds '' and the name is derived, which spares 100,000 strings. Images are keyed by
 * the sidecar's stem, which for those is a slice of the image's name.
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

export const STRING_COLUMNS = ['sidecar', 'file', 'createdAt', 'tool', 'model', 'prompt', 'mimeType'] as const;
export const NUMBER_COLUMNS = ['width', 'height', 'bytes'] as const;
type StringColumn = (typeof STRING_COLUMNS)[number];
type NumberColumn = (typeof NUMBER_COLUMNS)[number];

/**
 * The facts of many images, one array per fact, the same length each. In the sidecar column, ''
 * stands for the image's own stem with `.json` (see `sidecarColumnValue`).
 */
export type ImageColumns = { [K in StringColumn]: string[] } & { [K in NumberColumn]: number[] };

/** A name without its last extension. */
const stemOf = (name: string): string => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
};

/** What the sidecar column holds for an image: '' when the sidecar is named after the image. */
export function sidecarColumnValue(sidecar: string, file: string): string {
  return sidecar.length === file.lastIndexOf('.') + 5 && sidecar === `${stemOf(file)}.json` ? '' : sidecar;
}

/** The sidecar's name from its column value and the image's name. */
export function sidecarName(columnValue: string, file: string): string {
  return columnValue !== '' ? columnValue : `${stemOf(file)}.json`;
}

export function emptyColumns(): ImageColumns {
  return {
    sidecar: [],
    file: [],
    createdAt: [],
    tool: [],
    model: [],
    prompt: [],
    mimeType: [],
    width: [],
    height: [],
    bytes: [],
  };
}

/** Rows removed before the columns are rebuilt without them (and at least as many as live rows). */
const DEAD_ROWS_BEFORE_COMPACTING = 1_000;

export class ImageSet {
  private columns: ImageColumns = emptyColumns();
  /** Rows of live images, newest first. */
  private ordered: number[] = [];
  /** Lower-case prompts by row, made by the first word search ('' until then). */
  private searchText: string[] = [];
  /** createdAt in ms by row, made by the first time filter (NaN until then). */
  private createdMs: number[] = [];
  /** Rows by sidecar stem; built when first needed: a start that only lists need not hash 100,000 names. */
  private byStem: Map<string, number> | undefined;
  private byFile: Map<string, number> | undefined;

  /** A set of these images; the columns become the set's own. Each sidecar name at most once. */
  static of(columns: ImageColumns): ImageSet {
    const set = new ImageSet();
    set.columns = columns;
    const rows = Array.from({ length: columns.sidecar.length }, (_, row) => row);
    // The index file keeps them in order: checking is one pass, sorting would be a hundred thousand comparisons more.
    const sorted = rows.every((row) => row === 0 || set.compareRows(row - 1, row) <= 0);
    set.ordered = sorted ? rows : rows.sort((a, b) => set.compareRows(a, b));
    return set;
  }

  get size(): number {
    return this.ordered.length;
  }

  hasSidecar(sidecar: string): boolean {
    return this.rowOf(sidecar) !== undefined;
  }

  byFileName(file: string): IndexedImage | undefined {
    if (!this.byFile) {
      this.byFile = new Map();
      for (const row of this.ordered) this.byFile.set(this.columns.file[row]!, row);
    }
    const row = this.byFile.get(file);
    return row === undefined ? undefined : this.imageAt(row);
  }

  /** Every image, newest first, as columns: what the index file stores. */
  toColumns(): ImageColumns {
    const out = emptyColumns();
    for (const name of STRING_COLUMNS) out[name] = this.ordered.map((row) => this.columns[name][row]!);
    for (const name of NUMBER_COLUMNS) out[name] = this.ordered.map((row) => this.columns[name][row]!);
    return out;
  }

  /** The sidecar and image file names of every image, for comparing with a directory listing. */
  *names(): Generator<{ readonly sidecar: string; readonly file: string }> {
    const { sidecar, file } = this.columns;
    for (const row of this.ordered) yield { sidecar: sidecarName(sidecar[row]!, file[row]!), file: file[row]! };
  }

  /**
   * Adds images (each sidecar name at most once), replacing any with the same sidecar name. The
   * batch is sorted and merged in one pass: adding a thousand costs a sort of the thousand.
   */
  upsert(images: readonly IndexedImage[]): void {
    const replaced = new Set<string>();
    const fresh: IndexedImage[] = [];
    for (const image of images) {
      const row = this.rowOf(image.sidecar);
      if (row !== undefined && this.sameFacts(row, image)) continue;
      if (row !== undefined) replaced.add(image.sidecar);
      fresh.push(image);
    }
    if (replaced.size > 0) this.remove(replaced);
    if (fresh.length === 0) return;
    const rows = fresh.map((image) => this.appendRow(image));
    rows.sort((a, b) => this.compareRows(a, b));
    this.ordered = this.merge(this.ordered, rows);
    const index = this.stemIndex();
    for (const row of rows) {
      index.set(this.stemKey(row), row);
      this.byFile?.set(this.columns.file[row]!, row);
    }
  }

  /** Removes the images with these sidecar names; names not in the set are ignored. */
  remove(sidecars: ReadonlySet<string>): void {
    const index = this.stemIndex();
    const dead = new Set<number>();
    for (const sidecar of sidecars) {
      const row = this.rowOf(sidecar);
      if (row === undefined) continue;
      index.delete(this.stemKey(row));
      const file = this.columns.file[row]!;
      if (this.byFile?.get(file) === row) this.byFile.delete(file);
      dead.add(row);
    }
    if (dead.size === 0) return;
    this.ordered = this.ordered.filter((row) => !dead.has(row));
    const deadRows = this.columns.sidecar.length - this.ordered.length;
    if (deadRows > DEAD_ROWS_BEFORE_COMPACTING && deadRows > this.ordered.length) this.compact();
  }

  /** The newest `limit` images matching the query, and how many match in all. */
  query(query: ImageQuery, limit: number): { images: IndexedImage[]; matched: number } {
    const words = query.query?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
    const since = query.since?.getTime();
    const until = query.until?.getTime();
    if (words.length === 0 && since === undefined && until === undefined && query.model === undefined) {
      return { images: this.ordered.slice(0, limit).map((row) => this.imageAt(row)), matched: this.ordered.length };
    }
    const { model, prompt, createdAt } = this.columns;
    const times = since !== undefined || until !== undefined ? grown(this.createdMs, createdAt.length, Number.NaN) : [];
    const texts = words.length > 0 ? grown(this.searchText, prompt.length, '') : [];
    const rows: number[] = [];
    let matched = 0;
    for (const row of this.ordered) {
      if (query.model !== undefined && model[row] !== query.model) continue;
      if (since !== undefined || until !== undefined) {
        let time = times[row]!;
        if (Number.isNaN(time)) {
          time = Date.parse(createdAt[row]!);
          times[row] = time;
        }
        if (since !== undefined && time < since) continue;
        if (until !== undefined && time > until) continue;
      }
      if (words.length > 0) {
        let text = texts[row]!;
        if (text === '') {
          text = prompt[row]!.toLowerCase();
          texts[row] = text;
        }
        if (!words.every((word) => text.includes(word))) continue;
      }
      matched += 1;
      if (rows.length < limit) rows.push(row);
    }
    return { images: rows.map((row) => this.imageAt(row)), matched };
  }

  /** Up to `size` images after `after` (from the newest when absent), and whether more follow. */
  page(after: PagePosition | undefined, size: number): { images: IndexedImage[]; more: boolean } {
    const start = after === undefined ? 0 : this.firstAfter(after);
    const rows = this.ordered.slice(start, start + size);
    return { images: rows.map((row) => this.imageAt(row)), more: start + size < this.ordered.length };
  }

  private imageAt(row: number): IndexedImage {
    const c = this.columns;
    return {
      sidecar: sidecarName(c.sidecar[row]!, c.file[row]!),
      file: c.file[row]!,
      createdAt: c.createdAt[row]!,
      tool: c.tool[row]!,
      model: c.model[row]!,
      prompt: c.prompt[row]!,
      width: c.width[row]!,
      height: c.height[row]!,
      mimeType: c.mimeType[row]!,
      bytes: c.bytes[row]!,
    };
  }

  private appendRow(image: IndexedImage): number {
    const row = this.columns.sidecar.length;
    for (const name of STRING_COLUMNS) this.columns[name].push(image[name]);
    for (const name of NUMBER_COLUMNS) this.columns[name].push(image[name]);
    this.columns.sidecar[row] = sidecarColumnValue(image.sidecar, image.file);
    return row;
  }

  private sameFacts(row: number, image: IndexedImage): boolean {
    return (
      STRING_COLUMNS.every((name) => name === 'sidecar' || this.columns[name][row] === image[name]) &&
      NUMBER_COLUMNS.every((name) => this.columns[name][row] === image[name])
    );
  }

  /** The row of the image whose sidecar has this name. */
  private rowOf(sidecar: string): number | undefined {
    const row = this.stemIndex().get(stemOf(sidecar));
    return row !== undefined && sidecarName(this.columns.sidecar[row]!, this.columns.file[row]!) === sidecar
      ? row
      : undefined;
  }

  /** A row's key: its sidecar's stem, a slice of the image's name when the sidecar is named after it. */
  private stemKey(row: number): string {
    const sidecar = this.columns.sidecar[row]!;
    return stemOf(sidecar !== '' ? sidecar : this.columns.file[row]!);
  }

  private stemIndex(): Map<string, number> {
    if (!this.byStem) {
      this.byStem = new Map();
      for (const row of this.ordered) this.byStem.set(this.stemKey(row), row);
    }
    return this.byStem;
  }

  /** The columns again without the rows of removed images. */
  private compact(): void {
    const columns = this.toColumns();
    this.columns = columns;
    this.ordered = Array.from({ length: columns.sidecar.length }, (_, row) => row);
    this.searchText = [];
    this.createdMs = [];
    this.byStem = undefined;
    this.byFile = undefined;
  }

  /** Negative when row `a` comes first (is newer). */
  private compareRows(a: number, b: number): number {
    const { createdAt, file } = this.columns;
    return newestFirst(createdAt[a]!, file[a]!, createdAt[b]!, file[b]!);
  }

  /** Index in `ordered` of the first image that comes after `position` (binary search). */
  private firstAfter(position: PagePosition): number {
    const { createdAt, file } = this.columns;
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const row = this.ordered[middle]!;
      if (newestFirst(createdAt[row]!, file[row]!, position.createdAt, position.file) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Two newest-first lists of rows as one. */
  private merge(a: readonly number[], b: readonly number[]): number[] {
    if (a.length === 0) return [...b];
    const out = new Array<number>(a.length + b.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < a.length && j < b.length) out[k++] = this.compareRows(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
    while (i < a.length) out[k++] = a[i++]!;
    while (j < b.length) out[k++] = b[j++]!;
    return out;
  }
}

/** Negative when the image made at `timeA` as `fileA` comes first (is newer). */
function newestFirst(timeA: string, fileA: string, timeB: string, fileB: string): number {
  if (timeA !== timeB) return timeA > timeB ? -1 : 1;
  if (fileA !== fileB) return fileA > fileB ? -1 : 1;
  return 0;
}

/** `values`, filled up to `length` with `fill` (pushed, so the array stays dense). */
function grown<T>(values: T[], length: number, fill: T): T[] {
  while (values.length < length) values.push(fill);
  return values;
}
