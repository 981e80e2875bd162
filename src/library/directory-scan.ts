/**
 * Looking at the output directory itself, for the library index: its modification time, its
 * entries, and the sidecars among them read (a few at a time, so that rebuilding from 100,000 keeps
 * the disk busy without running out of file handles).
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { IndexedImage } from './image-set.js';
import type { SavedImage } from './sidecar.js';
import { readSidecar } from './sidecar-reader.js';

/**
 * How old a directory modification time must be to be trusted. File systems keep it in ticks (a
 * few ms on ext4, 2 s on FAT), so a change in the same tick as a listing could hide behind an
 * unchanged time.
 */
const RACY_MS = 3_000;
const READ_CONCURRENCY = 16;

/** Sidecars are `*.json`; dot-files are temp files being written, and the index's own folder. */
export const isSidecarName = (name: string): boolean => name.endsWith('.json') && !name.startsWith('.');

/** What a listing of the directory found, and when it could be trusted. */
export interface Listing {
  /** The directory's modification time, taken before the listing: a change during it shows next time. */
  readonly mtimeMs: number;
  /** Listed while the modification time was too fresh to trust (RACY_MS). */
  readonly racy: boolean;
  readonly entries: ReadonlyMap<string, Dirent>;
}

/** The directory's modification time, or undefined when there is no directory. */
export async function directoryTime(directory: string): Promise<number | undefined> {
  try {
    return (await stat(directory)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The directory's entries, or undefined when there is no directory. */
export async function listDirectory(directory: string): Promise<Listing | undefined> {
  const mtimeMs = await directoryTime(directory);
  if (mtimeMs === undefined) return undefined;
  const racy = Date.now() - mtimeMs < RACY_MS;
  const entries = new Map<string, Dirent>();
  for (const entry of await readdir(directory, { withFileTypes: true })) entries.set(entry.name, entry);
  return { mtimeMs, racy, entries };
}

/** What the index keeps of a saved image. */
export function indexedImageOf(image: SavedImage): IndexedImage {
  return {
    sidecar: path.basename(image.sidecarPath),
    file: image.file,
    createdAt: image.createdAt,
    tool: image.tool,
    model: image.model,
    prompt: image.prompt,
    width: image.width,
    height: image.height,
    mimeType: image.mimeType,
    bytes: image.bytes,
  };
}

/** What reading a batch of sidecars found. */
export interface SidecarsRead {
  readonly images: IndexedImage[];
  /** Not usable sidecars, and why. */
  readonly skipped: { readonly name: string; readonly reason: string }[];
  /** Gone since they were listed. */
  readonly missing: string[];
}

/** Reads these sidecars of `directory`, each image checked (and sized) with an lstat of its own. */
export async function readSidecars(directory: string, names: readonly string[]): Promise<SidecarsRead> {
  const read: SidecarsRead = { images: [], skipped: [], missing: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++]!;
      const outcome = await readSidecar(directory, name);
      if (outcome.ok) read.images.push(indexedImageOf(outcome.image));
      else if (outcome.missing) read.missing.push(name);
      else read.skipped.push({ name, reason: outcome.reason });
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, names.length) }, worker));
  return read;
}
