/**
 * Saved images as the gallery shows them: the facts of the image and its sidecar (model, prompt,
 * seed, price), a small thumbnail, and the calls behind its buttons. Only images of the library
 * are ever described: the page can ask for nothing else.
 */
import type { Logger } from '../core/log.js';
import { makeThumbnail } from '../imaging/thumbnail.js';
import type { LibraryImage } from '../library/library-index.js';
import { readRegularFile } from '../library/regular-file.js';
import { parseSidecar } from '../library/sidecar.js';
import type { ToolDefinition } from '../tools/definition.js';
import type { GalleryItem } from './contract.js';
import { plansFor } from './plans.js';

/** Long edge of a thumbnail: sharp enough for a grid cell, a few KB as JPEG. */
const THUMBNAIL_EDGE = 256;
/** Thumbnails kept in memory: a page or two of a big library, a few MB at most. */
const CACHE_SIZE = 200;
/** Sidecars are a few KB; the library refuses bigger ones too. */
const MAX_SIDECAR_BYTES = 1_000_000;
/** Thumbnails made at once: sharp has its own threads, and the machine may have two cores. */
const PARALLEL = 4;

type Thumb = GalleryItem['thumbnail'];

export class GalleryItems {
  /** Path + size + time → thumbnail, oldest use first (a Map keeps insertion order). */
  private readonly thumbnails = new Map<string, Thumb>();

  constructor(
    private readonly tools: readonly ToolDefinition[],
    private readonly log: Logger,
  ) {}

  /** The gallery items of these images, in order, a few at a time. */
  async describe(images: readonly LibraryImage[]): Promise<GalleryItem[]> {
    const items: GalleryItem[] = new Array(images.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < images.length) {
        const index = next++;
        items[index] = await this.item(images[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, images.length) }, worker));
    return items;
  }

  private async item(image: LibraryImage): Promise<GalleryItem> {
    const [sidecar, thumbnail] = await Promise.all([this.sidecar(image), this.thumbnail(image)]);
    return {
      path: image.path,
      uri: image.uri,
      file: image.file,
      width: image.width,
      height: image.height,
      mimeType: image.mimeType,
      bytes: image.bytes,
      model: image.model,
      prompt: image.prompt,
      tool: image.tool,
      createdAt: image.createdAt,
      ...(sidecar?.seed !== undefined ? { seed: sidecar.seed } : {}),
      ...(typeof sidecar?.priceUsd === 'number' ? { priceUsd: sidecar.priceUsd } : {}),
      ...(thumbnail ? { thumbnail } : {}),
      ...(sidecar ? plansFor(image.path, sidecar, this.tools) : {}),
    };
  }

  private async sidecar(image: LibraryImage) {
    try {
      const reading = parseSidecar(await readRegularFile(image.sidecarPath, MAX_SIDECAR_BYTES));
      return reading.ok ? reading.sidecar : undefined;
    } catch {
      return undefined; // deleted since it was listed: the item still shows what the listing knew
    }
  }

  private async thumbnail(image: LibraryImage): Promise<Thumb> {
    const key = `${image.path}\0${image.bytes}\0${image.createdAt}`;
    const cached = this.thumbnails.get(key);
    if (cached) {
      this.thumbnails.delete(key); // most recently used goes to the end
      this.thumbnails.set(key, cached);
      return cached;
    }
    try {
      const { mimeType, data } = await makeThumbnail(image.path, THUMBNAIL_EDGE);
      const thumbnail = { mimeType, data };
      this.thumbnails.set(key, thumbnail);
      if (this.thumbnails.size > CACHE_SIZE) this.thumbnails.delete(this.thumbnails.keys().next().value!);
      return thumbnail;
    } catch (error) {
      this.log.warn(`no gallery thumbnail for ${image.path}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
