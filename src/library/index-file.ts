/**
 * The library index on disk: `<output dir>/.flux-mcp/library-index.jsonl`, a log of one JSON line
 * per fact, shared by every server process that uses the directory.
 *
 *   {"format":"flux-mcp.library-index/1"}              first line
 *   ["+",sidecar,file,createdAt,tool,model,prompt,width,height,mimeType,bytes]
 *                                                      an image and what listings show of it
 *   ["-",sidecar]                                      that sidecar is gone, or no longer an image
 *   ["!",sidecar]                                      a *.json that is not a usable sidecar
 *   ["@",mtimeMs]                                      the lines above match the directory as of
 *                                                      this modification time
 *
 * The last line about a sidecar wins. Lines are only ever appended whole, each in one write to a
 * file opened for appending, so processes never interleave them and a reader never takes a line
 * still being written (it reads complete lines only). A full rewrite (after a rebuild, or to drop
 * lines that no longer count) goes to a temp file that is renamed over the old one, so a crash
 * leaves either index whole. A cut-short or garbled file is detected and rebuilt by the caller.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { IndexedImage } from './image-set.js';
import { isPlainFileName } from './sidecar.js';

export const INDEX_DIR = '.flux-mcp';
export const INDEX_FILE_NAME = 'library-index.jsonl';
const FORMAT = 'flux-mcp.library-index/1';
const HEADER = `${JSON.stringify({ format: FORMAT })}\n`;
const NEWLINE = 0x0a;

export type IndexLine =
  | { readonly kind: 'image'; readonly image: IndexedImage }
  | { readonly kind: 'gone'; readonly sidecar: string }
  | { readonly kind: 'skipped'; readonly sidecar: string }
  | { readonly kind: 'synced'; readonly mtimeMs: number };

export function indexFileOf(directory: string): string {
  return path.join(directory, INDEX_DIR, INDEX_FILE_NAME);
}

export function encodeLine(line: IndexLine): string {
  switch (line.kind) {
    case 'image': {
      const i = line.image;
      return `${JSON.stringify(['+', i.sidecar, i.file, i.createdAt, i.tool, i.model, i.prompt, i.width, i.height, i.mimeType, i.bytes])}\n`;
    }
    case 'gone':
      return `${JSON.stringify(['-', line.sidecar])}\n`;
    case 'skipped':
      return `${JSON.stringify(['!', line.sidecar])}\n`;
    case 'synced':
      return `${JSON.stringify(['@', line.mtimeMs])}\n`;
  }
}

/** A line of the log, or undefined when it is not one this format writes. */
function decodeLine(text: string): IndexLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const [tag, a] = value as unknown[];
  if (tag === '@') return typeof a === 'number' && value.length === 2 ? { kind: 'synced', mtimeMs: a } : undefined;
  if (typeof a !== 'string' || !isPlainFileName(a)) return undefined;
  if (tag === '-' && value.length === 2) return { kind: 'gone', sidecar: a };
  if (tag === '!' && value.length === 2) return { kind: 'skipped', sidecar: a };
  if (tag !== '+' || value.length !== 11) return undefined;
  const [, , file, createdAt, tool, model, prompt, width, height, mimeType, bytes] = value as unknown[];
  // A file name with a directory in it would let the index serve a file outside the library.
  if (typeof file !== 'string' || !isPlainFileName(file)) return undefined;
  if (typeof createdAt !== 'string' || typeof tool !== 'string' || typeof model !== 'string') return undefined;
  if (typeof prompt !== 'string' || typeof mimeType !== 'string') return undefined;
  if (!Number.isInteger(width) || !Number.isInteger(height) || !Number.isInteger(bytes)) return undefined;
  return {
    kind: 'image',
    image: {
      sidecar: a,
      file,
      createdAt,
      tool,
      model,
      prompt,
      width: width as number,
      height: height as number,
      mimeType,
      bytes: bytes as number,
    },
  };
}

export type Parsed =
  | { readonly ok: true; readonly lines: IndexLine[]; readonly bytes: number }
  | { readonly ok: false; readonly reason: string };

/**
 * The complete lines of `data`; `bytes` is how much of it they take. A partial last line is left
 * for later (another process may be writing it) unless `whole`, when it means the file was cut short.
 */
export function parseLines(data: Buffer, options: { header: boolean; whole: boolean }): Parsed {
  const end = data.lastIndexOf(NEWLINE) + 1;
  if (options.whole && end !== data.length) return { ok: false, reason: 'its last line is cut short' };
  const texts = data.toString('utf8', 0, end).split('\n');
  texts.pop(); // after the last newline
  let first = 0;
  if (options.header) {
    if (`${texts[0]}\n` !== HEADER) return { ok: false, reason: `it does not start with the ${FORMAT} header` };
    first = 1;
  }
  const lines: IndexLine[] = [];
  for (let i = first; i < texts.length; i++) {
    const line = decodeLine(texts[i]!);
    if (!line) return { ok: false, reason: `line ${i + 1} is not an index line` };
    lines.push(line);
  }
  return { ok: true, lines, bytes: end };
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

/** The whole index file, or undefined when there is none. */
export async function readIndexFile(file: string): Promise<{ data: Buffer; identity: FileIdentity } | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { dev, ino } = await handle.stat();
    const data = await handle.readFile();
    return { data, identity: { dev, ino, size: data.length } };
  } finally {
    await handle.close();
  }
}

/** The bytes of `file` from `offset` to its end, and which file they came from. */
export async function readFrom(file: string, offset: number): Promise<{ data: Buffer; identity: FileIdentity }> {
  const handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const { dev, ino, size } = await handle.stat();
    const data = Buffer.alloc(Math.max(0, size - offset));
    let read = 0;
    while (read < data.length) {
      const { bytesRead } = await handle.read(data, read, data.length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { data: data.subarray(0, read), identity: { dev, ino, size } };
  } finally {
    await handle.close();
  }
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

/** Replaces the index with these lines (after the header): a temp file renamed into place. */
export async function writeIndexFile(file: string, lines: Iterable<IndexLine>): Promise<FileIdentity> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${INDEX_FILE_NAME}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    try {
      // In chunks: 100,000 lines joined at once would be one 20 MB string.
      let chunk = HEADER;
      for (const line of lines) {
        chunk += encodeLine(line);
        if (chunk.length > 1 << 20) {
          await handle.write(chunk);
          chunk = '';
        }
      }
      await handle.write(chunk);
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
