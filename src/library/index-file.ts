/**
 * The library index on disk: `<output dir>/.flux-mcp/library-index.jsonl`, shared by every server
 * process that uses the directory. One JSON value per line:
 *
 *   {"format":"flux-mcp.library-index/2"}       first line
 *   ["=",column,[values…]]                       the images as of the last rewrite, newest first,
 *                                                one column (sidecar, file, createdAt, tool, model,
 *                                                prompt, mimeType, width, height, bytes) at a time,
 *                                                in blocks of about 64 KB; a sidecar named after
 *                                                its image is written as ''
 *   ["+",sidecar,file,createdAt,tool,model,prompt,width,height,mimeType,bytes]
 *                                                an image, and what listings show of it
 *   ["-",sidecar]                                that sidecar is gone, or no longer an image
 *   ["!",sidecar]                                a *.json that is not a usable sidecar
 *   ["@",mtimeMs]                                the lines above match the directory as of this
 *                                                modification time
 *
 * Column blocks come only before any other line; after them, the last line about a sidecar wins.
 * Columns because 100,000 images then load in a few dozen JSON.parse calls instead of 100,000.
 *
 * Lines are only ever appended whole, each batch in one write to a file opened for appending, so
 * processes never interleave them and a reader never takes a line still being written (it reads
 * complete lines only). A rewrite (after a rebuild, or to fold the appended lines in) goes to a
 * temp file that is renamed over the old one, so a crash leaves either index whole. A cut-short or
 * garbled file is detected and rebuilt by the caller.
 */

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { emptyColumns, type ImageColumns, type IndexedImage, NUMBER_COLUMNS, STRING_COLUMNS } from './image-set.js';
import { foldLineFile } from './line-file.js';
import { isPlainFileName } from './sidecar.js';
import { STATE_DIR } from './state-dir.js';

export const INDEX_DIR = STATE_DIR;
const INDEX_FILE_NAME = 'library-index.jsonl';
const FORMAT = 'flux-mcp.library-index/2';
const HEADER = `${JSON.stringify({ format: FORMAT })}\n`;
/**
 * Column blocks are cut at about this many characters: lines stay small enough for V8's young
 * generation, where they are collected at once, instead of lingering as large objects.
 */
const BLOCK_CHARS = 64 * 1024;

/** A line that records one change: what saves and directory listings append. */
export type IndexLine =
  | { readonly kind: 'image'; readonly image: IndexedImage }
  | { readonly kind: 'gone'; readonly sidecar: string }
  | { readonly kind: 'skipped'; readonly sidecar: string }
  | { readonly kind: 'synced'; readonly mtimeMs: number };

export function indexFileOf(directory: string): string {
  return path.join(directory, INDEX_DIR, INDEX_FILE_NAME);
}

function encodeLine(line: IndexLine): string {
  switch (line.kind) {
    case 'image': {
      const i = line.image;
      const row = [
        '+',
        i.sidecar,
        i.file,
        i.createdAt,
        i.tool,
        i.model,
        i.prompt,
        i.width,
        i.height,
        i.mimeType,
        i.bytes,
      ];
      return `${JSON.stringify(row)}\n`;
    }
    case 'gone':
      return `${JSON.stringify(['-', line.sidecar])}\n`;
    case 'skipped':
      return `${JSON.stringify(['!', line.sidecar])}\n`;
    case 'synced':
      return `${JSON.stringify(['@', line.mtimeMs])}\n`;
  }
}

/**
 * A few values (models, tools, MIME types) repeat for every image: one string each instead of one
 * per image keeps 100,000 images a few MB smaller.
 */
const shared = new Map<string, string>();
function share(value: string): string {
  const known = shared.get(value);
  if (known !== undefined) return known;
  if (shared.size < 1_000) shared.set(value, value);
  return value;
}

/** A name directly in the directory: a name with a directory in it would let the index serve any file. */
const plainName = (name: unknown): name is string => typeof name === 'string' && isPlainFileName(name);
const sidecarName = (name: unknown): name is string => plainName(name) && name.endsWith('.json');

/**
 * What the lines of an index leave: the images of its column blocks, then the changes of the lines
 * after them, the last line about each sidecar winning.
 */
export class IndexFold {
  /** The column blocks of each column, in order (joined once, by `columns()`: pushing value by value costs more). */
  private readonly blocks = new Map<string, unknown[][]>();
  /** Images of change lines. */
  readonly images = new Map<string, IndexedImage>();
  readonly skippedNames = new Set<string>();
  /** Sidecars whose last line says they are gone. */
  readonly goneNames = new Set<string>();
  /** The last recorded directory modification time. */
  lastSynced: number | undefined;
  /** Lines after the column blocks: once there are many, a rewrite folds them in. */
  changeLines = 0;
  private changesBegun: boolean;

  /** `columnsAllowed`: false for lines appended after a file's start, where no column block may come. */
  constructor(columnsAllowed = true) {
    this.changesBegun = !columnsAllowed;
  }

  /** Applies one line; false when it is not a line this format writes where it stands. */
  apply(text: string): boolean {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    if (!Array.isArray(value) || value.length < 2) return false;
    const [tag, first] = value as [unknown, unknown];
    if (tag === '=') return !this.changesBegun && value.length === 3 && this.column(first, value[2]);
    this.changesBegun = true;
    this.changeLines += 1;
    if (tag === '@') {
      if (value.length !== 2 || typeof first !== 'number') return false;
      this.lastSynced = first;
      return true;
    }
    if (!sidecarName(first)) return false;
    if (tag === '-' && value.length === 2) this.change(first, 'gone');
    else if (tag === '!' && value.length === 2) this.change(first, 'skipped');
    else if (tag === '+' && value.length === 11) {
      const image = imageOf(value);
      if (!image) return false;
      this.change(first, image);
    } else return false;
    return true;
  }

  /** The images of the column blocks, or undefined when the columns are not all the same length. */
  columns(): ImageColumns | undefined {
    const columns = emptyColumns();
    for (const name of [...STRING_COLUMNS, ...NUMBER_COLUMNS]) {
      const blocks = this.blocks.get(name) ?? [];
      (columns as Record<string, unknown[]>)[name] =
        blocks.length === 1 ? blocks[0]! : ([] as unknown[]).concat(...blocks);
    }
    const rows = columns.sidecar.length;
    return [...STRING_COLUMNS, ...NUMBER_COLUMNS].every((name) => columns[name].length === rows) ? columns : undefined;
  }

  private column(name: unknown, values: unknown): boolean {
    if (!Array.isArray(values) || typeof name !== 'string') return false;
    if (!validColumn(name, values)) return false;
    if (name === 'tool' || name === 'model' || name === 'mimeType') {
      for (let i = 0; i < values.length; i++) values[i] = share(values[i] as string);
    }
    const blocks = this.blocks.get(name);
    if (blocks) blocks.push(values);
    else this.blocks.set(name, [values]);
    return true;
  }

  private change(sidecar: string, to: IndexedImage | 'gone' | 'skipped'): void {
    this.images.delete(sidecar);
    this.skippedNames.delete(sidecar);
    this.goneNames.delete(sidecar);
    if (to === 'gone') this.goneNames.add(sidecar);
    else if (to === 'skipped') this.skippedNames.add(sidecar);
    else this.images.set(sidecar, to);
  }
}

/** Whether a block of a column holds values of the column's type (and names where it names files). */
function validColumn(name: string, values: readonly unknown[]): boolean {
  if ((NUMBER_COLUMNS as readonly string[]).includes(name)) return values.every(Number.isInteger);
  if (!(STRING_COLUMNS as readonly string[]).includes(name)) return false;
  if (name === 'file') return values.every(plainName);
  if (name === 'sidecar') return values.every((value) => value === '' || sidecarName(value));
  for (const value of values) if (typeof value !== 'string') return false;
  return true;
}

/** The image of a `+` line, or undefined when a value has the wrong type. */
function imageOf(value: unknown[]): IndexedImage | undefined {
  const [, sidecar, file, createdAt, tool, model, prompt, width, height, mimeType, bytes] = value;
  if (!sidecarName(sidecar) || !plainName(file) || typeof createdAt !== 'string' || typeof prompt !== 'string')
    return undefined;
  if (typeof tool !== 'string' || typeof model !== 'string' || typeof mimeType !== 'string') return undefined;
  if (!Number.isInteger(width) || !Number.isInteger(height) || !Number.isInteger(bytes)) return undefined;
  return {
    sidecar,
    file,
    createdAt,
    tool: share(tool),
    model: share(model),
    prompt,
    width: width as number,
    height: height as number,
    mimeType: share(mimeType),
    bytes: bytes as number,
  };
}

/** Which file a path names now: a rewrite by another process gives it a new inode. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
}

export async function identityOf(file: string): Promise<FileIdentity | undefined> {
  try {
    const { dev, ino, size } = await stat(file);
    return { dev, ino, size };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export const sameFile = (a: FileIdentity | undefined, b: FileIdentity | undefined): boolean =>
  a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;

/** The bytes of `file` from `offset` to its end, and which file they came from; undefined when there is none. */
export async function readFrom(
  file: string,
  offset: number,
): Promise<{ data: Buffer; identity: FileIdentity } | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { dev, ino, size } = await handle.stat();
    const data = Buffer.alloc(Math.max(0, size - offset));
    let read = 0;
    while (read < data.length) {
      const { bytesRead } = await handle.read(data, read, data.length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { data: data.subarray(0, read), identity: { dev, ino, size: offset + read } };
  } finally {
    await handle.close();
  }
}

/**
 * Applies the complete lines of `data` to `fold`; `bytes` is how much of `data` they take. With
 * `whole`, `data` is a whole file: it must start with the header and end with a complete line.
 * Otherwise it is what another process appended, and a partial last line is left for later: its
 * writer may be writing it now.
 */
export function foldLines(
  data: Buffer,
  fold: IndexFold,
  whole: boolean,
): { readonly bytes: number; readonly damage: string | undefined } {
  return foldLineFile(data, { header: HEADER, format: FORMAT }, whole, (line, number) => {
    if (fold.apply(line)) return undefined;
    return whole ? `line ${number} is not an index line` : 'an appended line is not an index line';
  });
}

/**
 * Appends whole lines in one write. Never creates the file: an index without its header would be
 * garbage, so until the index exists (the first listing builds it) there is nothing to append to.
 * Returns false when there is no index file.
 */
export async function appendLines(file: string, lines: readonly IndexLine[]): Promise<boolean> {
  if (lines.length === 0) return true;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_WRONLY | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    await handle.write(lines.map(encodeLine).join(''));
    return true;
  } finally {
    await handle.close();
  }
}

/** What a rewrite holds: every image, the skipped names, and the directory time they match. */
interface IndexSnapshot {
  readonly columns: ImageColumns;
  readonly skipped: Iterable<string>;
  readonly synced: number | undefined;
}

/** Replaces the index with a snapshot: written to a temp file, flushed, renamed into place. */
export async function writeIndexFile(file: string, snapshot: IndexSnapshot): Promise<FileIdentity> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${INDEX_FILE_NAME}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    try {
      await handle.write(HEADER);
      for (const name of [...STRING_COLUMNS, ...NUMBER_COLUMNS]) {
        const values: readonly (string | number)[] = snapshot.columns[name];
        let from = 0;
        let chars = 0;
        for (let to = 0; to < values.length; to++) {
          const value = values[to]!;
          chars += typeof value === 'string' ? value.length + 3 : 12;
          if (chars < BLOCK_CHARS && to < values.length - 1) continue;
          await handle.write(`${JSON.stringify(['=', name, values.slice(from, to + 1)])}\n`);
          from = to + 1;
          chars = 0;
        }
      }
      const tail = [...snapshot.skipped].map((sidecar): IndexLine => ({ kind: 'skipped', sidecar }));
      if (snapshot.synced !== undefined) tail.push({ kind: 'synced', mtimeMs: snapshot.synced });
      await handle.write(tail.map(encodeLine).join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    const { dev, ino, size } = await stat(temp);
    await rename(temp, file);
    return { dev, ino, size };
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
