/**
 * The gallery page as an MCP Apps resource: one self-contained HTML file (scripts and styles
 * inlined, no network: hosts load it in a sandbox whose default CSP allows only inline code and
 * data: images), built from app/gallery/ by scripts/build-app.mjs into dist/app/gallery.html.
 *
 * The file is found by walking up from this module to the package root, so the same code finds it
 * from src/ (tests), dist/ (tsc output), dist/chunks/ (the bundle) and an installed package.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { GALLERY_URI } from './contract.js';
import { RESOURCE_MIME_TYPE } from './negotiation.js';

const BUILT_PAGE = path.join('dist', 'app', 'gallery.html');

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** dist/app/gallery.html of the package this module belongs to, if it was built. */
async function findGalleryPage(from = path.dirname(fileURLToPath(import.meta.url))): Promise<string | undefined> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, BUILT_PAGE);
    if (await exists(candidate)) return candidate;
    // The package root ends the search: never pick up another package's file above it.
    if ((await exists(path.join(dir, 'package.json'))) || path.dirname(dir) === dir) return undefined;
  }
}

/**
 * `_meta.ui` of the resource (spec: "UI Resource Format"). No `csp`: the page needs no origin at
 * all, and an absent csp gives the host's most restrictive default. Clipboard writing is asked for
 * so "copy path" works where the host grants it (the page falls back to selecting the text).
 */
const GALLERY_RESOURCE_UI = {
  prefersBorder: true,
  permissions: { clipboardWrite: {} },
} as const;

export function galleryResource(html: string): ReadResourceResult {
  return {
    contents: [{ uri: GALLERY_URI, mimeType: RESOURCE_MIME_TYPE, text: html, _meta: { ui: GALLERY_RESOURCE_UI } }],
  };
}

/** The page's HTML, read once per process; undefined (and said once) when it was not built. */
export function galleryPageLoader(warn: (message: string) => void): () => Promise<string | undefined> {
  let loading: Promise<string | undefined> | undefined;
  return () => {
    loading ??= findGalleryPage().then(async (file) => {
      if (file) return readFile(file, 'utf8');
      warn(`the gallery page (${BUILT_PAGE}) is not built, so MCP Apps clients get no gallery: run npm run build`);
      return undefined;
    });
    return loading;
  };
}
