/**
 * The image library, the model catalog and the spending report as MCP resources. `resources/list`
 * gives the catalog and the spending report first, then every saved image newest first, in pages;
 * `resources/read` gives an image's bytes with its sidecar JSON, or the catalog or the report as JSON.
 * Only images of this library can be read: a resource URI never opens any other file. Clients hear
 * `notifications/resources/list_changed` whenever an image is saved.
 */
import { pathToFileURL } from 'node:url';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ListResourcesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type ReadResourceResult,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import { MODELS } from '../catalog/models.js';
import { formatBytes } from '../core/units.js';
import { NotTheImageError, readLibraryImage } from '../library/image-file.js';
import type { LibraryImage, LibraryIndex } from '../library/library-index.js';
import { NotARegularFileError, readRegularBytes } from '../library/regular-file.js';
import type { SpendReport } from '../pipeline/spend-report.js';

export const CATALOG_URI = 'flux-mcp://models';
export const SPEND_URI = 'flux-mcp://spend';
export const RESOURCE_PAGE_SIZE = 50;
/** JSON-RPC error the spec gives for an unknown resource. */
const RESOURCE_NOT_FOUND = -32002;
const INVALID_PARAMS = -32602;
/** A sidecar is a few KB; what the library reads as one (library/sidecar-reader.ts). */
const MAX_SIDECAR_READ_BYTES = 1_000_000;

interface ResourceOptions {
  /** Largest image returned whole by resources/read (Claude Desktop refuses messages over 1 MB). */
  readonly maxReadBytes: number;
  /** The spending report, made afresh for every read of SPEND_URI. */
  readonly spendReport: () => Promise<SpendReport>;
  /** Called on every resources/list: the session then hears when new images arrive. */
  readonly onListed?: () => void;
  /**
   * Resources this session can read beyond the catalog and the library (src/apps/: the gallery's
   * `ui://` page for MCP Apps clients), or undefined. They are not listed: hosts find them in tools/list.
   */
  readonly readExtra?: (uri: string) => Promise<ReadResourceResult | undefined>;
}

const catalogResource: Resource = {
  uri: CATALOG_URI,
  name: 'models',
  title: 'Model catalog',
  description: 'Every model with its limits, parameters, formats, price and timeout (JSON)',
  mimeType: 'application/json',
};

const spendResource: Resource = {
  uri: SPEND_URI,
  name: 'spend',
  title: 'Spending',
  description:
    'What the saved images cost: today, this month and all time (local time), by model, with the spending cap (JSON)',
  mimeType: 'application/json',
};

/** What the first page lists before the images. */
const SERVER_RESOURCES: readonly Resource[] = [catalogResource, spendResource];

function imageResource(image: LibraryImage): Resource {
  const title = image.prompt.length > 80 ? `${image.prompt.slice(0, 79)}…` : image.prompt;
  return {
    uri: image.uri,
    name: image.file,
    title,
    description:
      `${image.width}×${image.height} ${image.mimeType.replace('image/', '')} ` +
      `from ${image.model} (${image.tool}), ${image.createdAt}`,
    mimeType: image.mimeType,
    size: image.bytes,
    annotations: { lastModified: image.createdAt },
  };
}

/** Cursors name the last item of a page, so pages stay put when new images arrive on top. */
function encodeCursor(image: LibraryImage): string {
  return Buffer.from(JSON.stringify([image.createdAt, image.file])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string'))
      return value as [string, string];
  } catch {
    // fall through
  }
  throw new McpError(
    INVALID_PARAMS,
    `invalid cursor "${cursor}": pass the nextCursor of the previous page, or none for the first`,
  );
}

export function installResources(server: Server, library: LibraryIndex, options: ResourceOptions): void {
  server.registerCapabilities({ resources: { listChanged: true } });

  server.setRequestHandler(ListResourcesRequestSchema, async (request) => {
    options.onListed?.();
    const cursor = request.params?.cursor;
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    // The first page starts with the catalog and the spending report.
    const room = after ? RESOURCE_PAGE_SIZE : RESOURCE_PAGE_SIZE - SERVER_RESOURCES.length;
    const page = await library.page(after && { createdAt: after[0], file: after[1] }, room);
    return {
      resources: [...(after ? [] : SERVER_RESOURCES), ...page.images.map(imageResource)],
      ...(page.more ? { nextCursor: encodeCursor(page.images[page.images.length - 1]!) } : {}),
    };
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    if (uri === CATALOG_URI) {
      return {
        contents: [{ uri, mimeType: 'application/json', text: `${JSON.stringify({ models: MODELS }, null, 2)}\n` }],
      };
    }
    if (uri === SPEND_URI) {
      const report = await options.spendReport();
      return { contents: [{ uri, mimeType: 'application/json', text: `${JSON.stringify(report, null, 2)}\n` }] };
    }
    const extra = await options.readExtra?.(uri);
    if (extra) return extra;
    const image = await library.get(uri);
    if (!image) {
      throw new McpError(
        RESOURCE_NOT_FOUND,
        `no image of this server's library at ${uri}: list them with resources/list or the list_images tool`,
        { uri },
      );
    }
    if (image.bytes > options.maxReadBytes) {
      throw new McpError(
        INVALID_PARAMS,
        `${image.file} is ${formatBytes(image.bytes)}, more than the ${formatBytes(options.maxReadBytes)} ` +
          `a resource read returns (clients refuse larger messages): open the file at ${image.path}`,
        { uri, path: image.path, bytes: image.bytes },
      );
    }
    // Opened again as regular files of the right kind: either may have been swapped since it was
    // indexed, and a planted sidecar must not make the read return some other file.
    let bytes: Buffer;
    let sidecar: Buffer;
    try {
      [bytes, sidecar] = await Promise.all([
        readLibraryImage(image, options.maxReadBytes),
        readRegularBytes(image.sidecarPath, MAX_SIDECAR_READ_BYTES),
      ]);
    } catch (error) {
      const changed =
        error instanceof NotARegularFileError ||
        error instanceof NotTheImageError ||
        (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!changed) throw error;
      throw new McpError(RESOURCE_NOT_FOUND, `${image.file} cannot be read: ${(error as Error).message}`, { uri });
    }
    return {
      contents: [
        { uri: image.uri, mimeType: image.mimeType, blob: bytes.toString('base64') },
        { uri: pathToFileURL(image.sidecarPath).href, mimeType: 'application/json', text: sidecar.toString('utf8') },
      ],
    };
  });
}
