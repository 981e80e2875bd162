/**
 * What the server and the gallery page (app/gallery/) agree on: names, keys and the shape of the
 * data the page receives. The page is built from app/gallery/ into one HTML file and imports this
 * module too, so it holds no imports and no code beyond constants: nothing here may pull server
 * modules into the page.
 */

/** The gallery page, as a `ui://` resource (MCP Apps: tools point at it in `_meta.ui.resourceUri`). */
export const GALLERY_URI = 'ui://flux-mcp/gallery.html';

/**
 * The tools whose results the gallery shows, by name. `wait_for_image` returns what
 * `generate_image` returns and is named here before it exists: a name with no tool is skipped.
 */
export const GALLERY_TOOLS: readonly string[] = ['generate_image', 'edit_images', 'wait_for_image', 'list_images'];

/** The app-only tool the page calls to page through and search the library. */
export const PAGE_TOOL = 'gallery_page';

/** Most images one result or page carries thumbnails for: 24 × a few KB stays far under 1 MB. */
export const PAGE_MAX = 24;

/** The key under a result's `_meta` that holds the gallery's data (for MCP Apps sessions only). */
export const GALLERY_META_KEY = 'flux-mcp/gallery';

/** A tool call the page can make through the host, as the server worked it out. */
export interface ToolCallPlan {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
}

/** One saved image as the gallery shows it. */
export interface GalleryItem {
  readonly path: string;
  /** file:// URI: what resources/read takes for the full-size image. */
  readonly uri: string;
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly mimeType: string;
  readonly bytes: number;
  readonly model: string;
  readonly prompt: string;
  /** The tool that made it. */
  readonly tool: string;
  readonly createdAt: string;
  readonly seed?: number;
  readonly priceUsd?: number;
  /** A small JPEG (base64), absent when the image could not be read. */
  readonly thumbnail?: { readonly mimeType: string; readonly data: string };
  /** "More like this": one new image like this one. */
  readonly moreLikeThis?: ToolCallPlan;
  /** "Variants": four new images from the same prompt, model and parameters, in `times` calls of `call`. */
  readonly variants?: { readonly call: ToolCallPlan; readonly times: number };
}

/** What a result's `_meta[GALLERY_META_KEY]` holds, and what the page tool returns. */
export interface GalleryData {
  readonly items: readonly GalleryItem[];
  /** How many images match (list_images and pages), when more may follow. */
  readonly matched?: number;
  /** Pass to the page tool for the next page; absent on the last one. */
  readonly nextCursor?: string;
}
