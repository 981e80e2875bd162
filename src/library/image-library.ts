/**
 * The images in the output directory, from this session and earlier ones, found through their
 * sidecars: the one source for MCP resources, `list_images` and the CLI's `images`.
 *
 * The directory is shared with people and other programs, so any `*.json` in it may be something
 * else: a directory, a FIFO, a link, a half-copied or hand-edited file. Such a file is skipped with
 * one warning naming it and saying why, and every good image is still listed. A sidecar is written
 * once and never changed, so each name is read once and its outcome remembered, skips included:
 * the warning is logged once, not on every listing.
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import { kindOf, NotARegularFileError, readRegularFile } from './regular-file.js';
import { parseSidecar, type SavedImage, savedImageOf } from './sidecar.js';

/** Sidecars are a few KB even with 16 inputs recorded; a bigger file is something else. */
const MAX_SIDECAR_BYTES = 1_000_000;

export interface ImageQuery {
  /** Words that must all appear in the prompt (case-insensitive). */
  readonly query?: string;
  readonly model?: string;
  /** ISO dates or times, inclusive. */
  readonly since?: Date;
  readonly until?: Date;
}

/** Why a sidecar was left out; the message goes into the warning. */
class SkippedSidecar extends Error {}

export class ImageLibrary {
  /**
   * Sidecar name → its image, or null when skipped. Promises, so that listings running at the same
   * time (several sessions share a library) read a file, and warn about it, once.
   */
  private known = new Map<string, Promise<SavedImage | null>>();

  constructor(
    readonly directory: string,
    private readonly log: Logger,
  ) {}

  /** Every image with a valid sidecar, newest first. A missing directory is an empty library. */
  async list(): Promise<SavedImage[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const present = new Map<string, Promise<SavedImage | null>>();
    const images: SavedImage[] = [];
    // One file at a time: a first listing of thousands of sidecars must not open them all at once.
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue; // dot-files are temp files being written
      const reading = this.known.get(name) ?? this.read(name);
      this.known.set(name, reading);
      present.set(name, reading);
      const image = await reading;
      if (image) images.push(image);
    }
    // Forget the names that are gone, so a new file under an old name is read afresh.
    this.known = present;
    return images.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
  }

  async find(query: ImageQuery): Promise<SavedImage[]> {
    const words = query.query?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
    return (await this.list()).filter((image) => {
      if (query.model && image.model !== query.model) return false;
      const created = Date.parse(image.createdAt);
      if (query.since && created < query.since.getTime()) return false;
      if (query.until && created > query.until.getTime()) return false;
      const prompt = image.prompt.toLowerCase();
      return words.every((word) => prompt.includes(word));
    });
  }

  /** The image at a file:// URI or absolute path, if it is one of the library's. */
  async get(uriOrPath: string): Promise<SavedImage | undefined> {
    const images = await this.list();
    return images.find((image) => image.uri === uriOrPath || image.path === uriOrPath);
  }

  /** The image a sidecar describes, or null (with a warning) when the file is not a usable sidecar. */
  private async read(sidecarName: string): Promise<SavedImage | null> {
    try {
      return await this.load(sidecarName);
    } catch (error) {
      const reason =
        error instanceof SkippedSidecar || error instanceof NotARegularFileError
          ? error.message
          : `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      this.log.warn(`skipped ${sidecarName}: ${reason}`);
      return null;
    }
  }

  private async load(sidecarName: string): Promise<SavedImage> {
    const sidecarPath = path.join(this.directory, sidecarName);
    const reading = parseSidecar(await readRegularFile(sidecarPath, MAX_SIDECAR_BYTES));
    if (!reading.ok) throw new SkippedSidecar(reading.reason);
    const image = savedImageOf(this.directory, sidecarPath, reading.sidecar);
    // resources/read opens the image, so it must be a plain file too, not a link or a FIFO.
    const stats = await lstat(image.path).catch(() => undefined);
    if (stats === undefined) throw new SkippedSidecar(`its image ${image.file} is missing`);
    const kind = kindOf(stats);
    if (kind !== 'file') throw new SkippedSidecar(`its image ${image.file} is a ${kind}, not a regular file`);
    // The size is the file's own, not what a (possibly planted) sidecar claims.
    return { ...image, bytes: stats.size };
  }
}
