/**
 * The images in the output directory, from this session and earlier ones, found through their
 * sidecars: the one source for MCP resources, `list_images` and the CLI's `images`. A sidecar is
 * written once and never changed, so each is parsed once and remembered by its name.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ImageSidecar, SIDECAR_SCHEMA } from './save.js';

export interface LibraryImage {
  readonly path: string;
  readonly uri: string;
  readonly file: string;
  readonly sidecarPath: string;
  readonly createdAt: string;
  readonly tool: string;
  readonly model: string;
  readonly prompt: string;
  readonly width: number;
  readonly height: number;
  readonly mimeType: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ImageQuery {
  /** Words that must all appear in the prompt (case-insensitive). */
  readonly query?: string;
  readonly model?: string;
  /** ISO dates or times, inclusive. */
  readonly since?: Date;
  readonly until?: Date;
}

export class ImageLibrary {
  private readonly known = new Map<string, LibraryImage | null>();

  constructor(readonly directory: string) {}

  /** Every image with a valid sidecar, newest first. A missing directory is an empty library. */
  async list(): Promise<LibraryImage[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const images: LibraryImage[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      if (!this.known.has(name)) this.known.set(name, await this.read(name));
      const image = this.known.get(name);
      if (image) images.push(image);
    }
    return images.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
  }

  async find(query: ImageQuery): Promise<LibraryImage[]> {
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
  async get(uriOrPath: string): Promise<LibraryImage | undefined> {
    const images = await this.list();
    return images.find((image) => image.uri === uriOrPath || image.path === uriOrPath);
  }

  private async read(sidecarName: string): Promise<LibraryImage | null> {
    const sidecarPath = path.join(this.directory, sidecarName);
    let sidecar: ImageSidecar;
    try {
      sidecar = JSON.parse(await readFile(sidecarPath, 'utf8')) as ImageSidecar;
    } catch {
      return null;
    }
    if (
      sidecar.schema !== SIDECAR_SCHEMA ||
      typeof sidecar.file !== 'string' ||
      path.basename(sidecar.file) !== sidecar.file
    )
      return null;
    const imagePath = path.join(this.directory, sidecar.file);
    const exists = await stat(imagePath).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) return null;
    return {
      path: imagePath,
      uri: pathToFileURL(imagePath).href,
      file: sidecar.file,
      sidecarPath,
      createdAt: sidecar.createdAt,
      tool: sidecar.tool,
      model: sidecar.model,
      prompt: sidecar.prompt,
      width: sidecar.image.width,
      height: sidecar.image.height,
      mimeType: sidecar.image.mimeType,
      bytes: sidecar.image.bytes,
      sha256: sidecar.image.sha256,
    };
  }
}
