/**
 * `gallery_page`: the app-only tool behind the gallery's search box and "more" button. It takes
 * list_images' filters plus a cursor and returns one page of the library with thumbnails. Hosts
 * keep it from the model (`_meta.ui.visibility: ["app"]`), and only MCP Apps sessions have it at
 * all; it reads nothing but the library's own images, and returns no full-size image.
 */
import * as z from 'zod';
import { invalidArgument } from '../core/failure.js';
import type { LibraryIndex } from '../library/library-index.js';
import type { SavedImage } from '../library/sidecar.js';
import { defineTool } from '../tools/definition.js';
import { listImagesInput, parseTime } from '../tools/list-images.js';
import { PAGE_MAX, PAGE_TOOL } from './contract.js';
import type { GalleryItems } from './items.js';

const pageInput = listImagesInput.omit({ limit: true }).extend({
  cursor: z.string().max(2000).optional().describe('nextCursor of the previous page; none for the first'),
  limit: z.number().int().min(1).max(PAGE_MAX).default(12).describe(`Images per page, 1–${PAGE_MAX} (default 12)`),
});

const pageOutput = z.object({
  // Items pass through whole (GalleryItem in contract.ts); only the page reads them.
  items: z.array(z.record(z.string(), z.unknown())),
  matched: z.number().int(),
  nextCursor: z.string().optional(),
});

/** A cursor names the last image of a page, so pages stay put when new images arrive on top. */
export function cursorAfter(image: Pick<SavedImage, 'createdAt' | 'file'>): string {
  return Buffer.from(JSON.stringify([image.createdAt, image.file])).toString('base64url');
}

function readCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string'))
      return value as [string, string];
  } catch {
    // fall through
  }
  throw invalidArgument('cursor is not one this tool gave: pass the nextCursor of the previous page, or none');
}

const olderThan = (image: Pick<SavedImage, 'createdAt' | 'file'>, [createdAt, file]: [string, string]): boolean =>
  image.createdAt < createdAt || (image.createdAt === createdAt && image.file < file);

export function galleryPageTool(library: LibraryIndex, items: GalleryItems) {
  return defineTool({
    name: PAGE_TOOL,
    title: 'Gallery page',
    description: 'For the gallery view only: one page of saved images with thumbnails, newest first.',
    inputSchema: pageInput,
    outputSchema: pageOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async (args) => {
      const { images: found } = await library.query(
        {
          ...(args.query ? { query: args.query } : {}),
          ...(args.model ? { model: args.model } : {}),
          ...(args.since !== undefined ? { since: parseTime('since', args.since) } : {}),
          ...(args.until !== undefined ? { until: parseTime('until', args.until) } : {}),
        },
        Number.MAX_SAFE_INTEGER,
      );
      const after = args.cursor === undefined ? undefined : readCursor(args.cursor);
      const rest = after ? found.filter((image) => olderThan(image, after)) : found;
      const page = rest.slice(0, args.limit);
      const last = page[page.length - 1];
      return {
        content: [{ type: 'text', text: `${page.length} of ${found.length} saved images` }],
        structuredContent: {
          items: (await items.describe(page)) as unknown as Record<string, unknown>[],
          matched: found.length,
          ...(rest.length > page.length && last ? { nextCursor: cursorAfter(last) } : {}),
        },
      };
    },
  });
}
