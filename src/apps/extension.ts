/**
 * The gallery for MCP Apps sessions, and nothing for any other. A session whose client declared
 * the extension in `initialize` (negotiation.ts) gets:
 * - tools/list with the gallery declared on the gallery tools and the app-only page tool;
 * - the gallery page at `ui://flux-mcp/gallery.html` from resources/read;
 * - results of the gallery tools with `_meta["flux-mcp/gallery"]`: each listed image's facts, a
 *   thumbnail and the calls behind its buttons (never a full-size image).
 * Every other session (no capability, FLUX_MCP_APPS=0, a stateless HTTP request, which has no
 * initialize of its own) gets exactly what it would without this module.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult, ReadResourceResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../core/log.js';
import type { LibraryIndex } from '../library/library-index.js';
import type { ToolsExtension } from '../mcp/registry.js';
import type { ToolDefinition } from '../tools/definition.js';
import { GALLERY_META_KEY, GALLERY_TOOLS, GALLERY_URI, type GalleryData, PAGE_MAX } from './contract.js';
import { galleryPageLoader, galleryResource } from './gallery-resource.js';
import { GalleryItems } from './items.js';
import { appsListing } from './listing.js';
import { declaresApps } from './negotiation.js';
import { cursorAfter, galleryPageTool } from './page-tool.js';

/** What the sessions of one process share: the page's HTML, the thumbnail cache, the page tool. */
export interface Apps {
  readonly page: () => Promise<string | undefined>;
  readonly library: LibraryIndex;
  readonly items: GalleryItems;
  readonly appOnly: readonly ToolDefinition[];
  readonly log: Logger;
}

export function createApps(library: LibraryIndex, tools: readonly ToolDefinition[], log: Logger): Apps {
  const items = new GalleryItems(tools, log);
  return {
    page: galleryPageLoader(log.warn),
    library,
    items,
    appOnly: [galleryPageTool(library, items)],
    log,
  };
}

/** What one session adds to its tools and resources. */
interface SessionApps {
  readonly tools: ToolsExtension;
  readonly readResource: (uri: string) => Promise<ReadResourceResult | undefined>;
}

/** The plain listing is one array per set of tools; so is its decorated copy. */
const listings = new WeakMap<readonly Tool[], Tool[]>();

export function sessionApps(apps: Apps, server: Server): SessionApps {
  // Asked on every request, not once: the capability arrives with initialize, after set-up.
  const active = async (): Promise<boolean> =>
    declaresApps(server.getClientCapabilities()) && (await apps.page()) !== undefined;

  return {
    tools: {
      listing: async (plain) => {
        if (!(await active())) return plain;
        let listing = listings.get(plain);
        if (!listing) {
          listing = appsListing(plain, apps.appOnly);
          listings.set(plain, listing);
        }
        return listing;
      },
      // Synchronous: the capability is known by the time a tool is called; the page's presence
      // was settled by the tools/list that told the client about the tool.
      tool: (name) =>
        declaresApps(server.getClientCapabilities()) ? apps.appOnly.find((tool) => tool.name === name) : undefined,
      result: async (name, result) => {
        if (!GALLERY_TOOLS.includes(name) || !(await active())) return result;
        try {
          const data = await galleryData(apps, result.structuredContent);
          return data ? { ...result, _meta: { ...result._meta, [GALLERY_META_KEY]: data } } : result;
        } catch (error) {
          // The gallery is a view of a result, never a reason to lose it.
          apps.log.warn(`gallery data for a ${name} result failed: ${(error as Error).message}`);
          return result;
        }
      },
    },
    readResource: async (uri) => {
      if (uri !== GALLERY_URI || !declaresApps(server.getClientCapabilities())) return undefined;
      const html = await apps.page();
      return html === undefined ? undefined : galleryResource(html);
    },
  };
}

/** The gallery's view of a result that lists images (`images[].path`), for the first PAGE_MAX of them. */
async function galleryData(
  apps: Apps,
  structured: CallToolResult['structuredContent'],
): Promise<GalleryData | undefined> {
  const listed = Array.isArray(structured?.images) ? (structured.images as { path?: unknown }[]) : [];
  const paths = listed.map((image) => image.path).filter((path): path is string => typeof path === 'string');
  if (paths.length === 0) return undefined;
  const found = await Promise.all(paths.slice(0, PAGE_MAX).map((path) => apps.library.get(path)));
  const images = found.flatMap((image) => image ?? []);
  const items = await apps.items.describe(images);
  // list_images says how many matched; the page tool carries on after the last one shown.
  const matched = typeof structured?.matched === 'number' ? structured.matched : undefined;
  const last = images[images.length - 1];
  return {
    items,
    ...(matched !== undefined ? { matched } : {}),
    ...(matched !== undefined && matched > images.length && last ? { nextCursor: cursorAfter(last) } : {}),
  };
}
