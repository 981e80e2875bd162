/**
 * The gallery (MCP Apps) as clients meet it over a real session: a client that declares the
 * extension gets the gallery declared in tools/list, the page from resources/read, thumbnails and
 * button plans in results' `_meta`, and the app-only page tool; every other client (no
 * capability, FLUX_MCP_APPS=0, stateless HTTP) gets exactly what it got before the gallery.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GALLERY_META_KEY, GALLERY_URI, type GalleryData, type GalleryItem, PAGE_TOOL } from '../src/apps/contract.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/core/log.js';
import { startHttpServer } from '../src/transports/http.js';
import { type Harness, startHarness, TEST_KEY, textOf } from './helpers/harness.js';

const APPS: ClientCapabilities = {
  extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } },
} as ClientCapabilities;

const galleryOf = (result: CallToolResult): GalleryData => result._meta?.[GALLERY_META_KEY] as GalleryData;
/** A result without what differs between two calls (times, paths, seeds, ids). */
const shapeOf = (result: CallToolResult): string =>
  JSON.stringify(result, (key, value) =>
    typeof value === 'string' || typeof value === 'number' ? (key === 'type' ? value : typeof value) : value,
  );

let plain: Harness;
let apps: Harness;
beforeAll(async () => {
  [plain, apps] = await Promise.all([startHarness(), startHarness({ clientCapabilities: APPS })]);
});
afterAll(() => Promise.all([plain.close(), apps.close()]));

describe('a client without the MCP Apps extension', () => {
  it('gets tools/list byte for byte as with the gallery turned off', async () => {
    const off = await startHarness({ clientCapabilities: APPS, config: { apps: false } });
    try {
      const [withGallery, withoutGallery] = await Promise.all([plain.client.listTools(), off.client.listTools()]);
      expect(JSON.stringify(withGallery)).toBe(JSON.stringify(withoutGallery));
      expect(JSON.stringify(withGallery)).not.toContain('ui://');
    } finally {
      await off.close();
    }
  });

  it('gets results without gallery data, shaped as with the gallery turned off', async () => {
    const off = await startHarness({ clientCapabilities: APPS, config: { apps: false } });
    try {
      const [on, offResult] = await Promise.all([
        plain.call({ prompt: 'a plain fox', size: '512x512' }),
        off.call({ prompt: 'a plain fox', size: '512x512' }),
      ]);
      expect(on._meta).toBeUndefined();
      expect(shapeOf(on)).toBe(shapeOf(offResult));
    } finally {
      await off.close();
    }
  });

  it('can neither call the page tool nor read the page', async () => {
    const call = plain.client.callTool({ name: PAGE_TOOL, arguments: {} });
    await expect(call).rejects.toThrow(/Unknown tool "gallery_page"/);
    await expect(plain.client.readResource({ uri: GALLERY_URI })).rejects.toThrow(/no image of this server's library/);
  });
});

describe('a client that declares the MCP Apps extension', () => {
  it('sees the gallery on the image tools and list_images, and the page tool as app-only', async () => {
    const [listed, plainListed] = await Promise.all([apps.client.listTools(), plain.client.listTools()]);
    const byName = new Map(listed.tools.map((tool) => [tool.name, tool]));
    for (const name of ['generate_image', 'edit_images', 'wait_for_image', 'list_images']) {
      expect(byName.get(name)?._meta).toEqual({ ui: { resourceUri: GALLERY_URI }, 'ui/resourceUri': GALLERY_URI });
    }
    expect(byName.get(PAGE_TOOL)?._meta).toEqual({
      ui: { resourceUri: GALLERY_URI, visibility: ['app'] },
      'ui/resourceUri': GALLERY_URI,
    });
    // Apart from _meta and the added tool, the listing is the plain one.
    const stripped = listed.tools.filter((tool) => tool.name !== PAGE_TOOL).map(({ _meta, ...tool }) => tool);
    expect(JSON.stringify(stripped)).toBe(JSON.stringify(plainListed.tools));
  });

  it('reads the gallery page: one self-contained HTML file with the MCP Apps MIME type', async () => {
    const { contents } = await apps.client.readResource({ uri: GALLERY_URI });
    expect(contents).toHaveLength(1);
    const page = contents[0] as { uri: string; mimeType: string; text: string; _meta: unknown };
    expect(page.uri).toBe(GALLERY_URI);
    expect(page.mimeType).toBe('text/html;profile=mcp-app');
    expect(page._meta).toEqual({ ui: { prefersBorder: true, permissions: { clipboardWrite: {} } } });
    expect(page.text).toMatch(/^<!doctype html>/i);
    // Nothing to fetch: no external script, stylesheet or image.
    expect(page.text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i);
    expect(Buffer.byteLength(page.text)).toBeLessThan(400_000);
    // Not listed: hosts find it through tools/list.
    const { resources } = await apps.client.listResources();
    expect(resources.map((r) => r.uri)).not.toContain(GALLERY_URI);
  });

  it('gets each image of a result with a thumbnail, its facts and the calls behind its buttons', async () => {
    const result = await apps.call({ prompt: 'a red fox in snow', size: '1024x768', seed: 7 });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as { images: { path: string }[] };
    const [item] = galleryOf(result).items as GalleryItem[];
    expect(item).toMatchObject({
      path: structured.images[0]!.path,
      width: 1024,
      height: 768,
      model: 'flux-2-pro',
      prompt: 'a red fox in snow',
      tool: 'generate_image',
      seed: 7,
      priceUsd: 0.03,
    });
    const thumbnail = Buffer.from(item!.thumbnail!.data, 'base64');
    expect(await sharp(thumbnail).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 192 });
    expect(thumbnail.length).toBeLessThan(20_000);
    // Well under the 1 MB clients accept: a thumbnail, never the image.
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(60_000);
    // generate_image takes `like` and `count`: "more like this" names the image, "variants" asks for four at once.
    const remake = { prompt: 'a red fox in snow', model: 'flux-2-pro', size: '1024x768' };
    expect(item!.moreLikeThis).toEqual({ tool: 'generate_image', arguments: { like: structured.images[0]!.path } });
    expect(item!.variants).toEqual({ call: { tool: 'generate_image', arguments: { ...remake, count: 4 } }, times: 1 });
    // The text and structuredContent are those every client gets.
    expect(textOf(result)).toContain(structured.images[0]!.path);
  });

  it('replays a plan: "more like this" makes a new image of the same prompt with a new seed', async () => {
    const first = await apps.call({ prompt: 'a lighthouse at dawn', size: '512x512', seed: 11 });
    const plan = galleryOf(first).items[0]!.moreLikeThis!;
    const before = apps.simulator.apiRequests().length;
    const more = (await apps.client.callTool({ name: plan.tool, arguments: plan.arguments })) as CallToolResult;
    const [item] = galleryOf(more).items;
    expect(item).toMatchObject({ prompt: 'a lighthouse at dawn', width: 512, height: 512 });
    expect(item!.seed).not.toBe(11);
    const sent = apps.simulator.apiRequests().slice(before);
    expect(sent.map((request) => (request.json as { prompt: string }).prompt)).toEqual(['a lighthouse at dawn']);
  });

  it('gets list_images with thumbnails, and pages on with the app-only page tool', async () => {
    const h = await startHarness({ clientCapabilities: APPS });
    try {
      for (const prompt of ['one cat', 'two cats', 'three cats', 'a dog']) await h.call({ prompt, size: '256x256' });
      const listed = await h.call({ query: 'cat', limit: 2 }, 'list_images');
      const first = galleryOf(listed);
      expect(first.items.map((item) => item.prompt)).toEqual(['three cats', 'two cats']);
      expect(first.matched).toBe(3);
      expect(first.items.every((item) => item.thumbnail !== undefined)).toBe(true);

      const next = (await h.client.callTool({
        name: PAGE_TOOL,
        arguments: { query: 'cat', cursor: first.nextCursor, limit: 2 },
      })) as CallToolResult;
      const page = next.structuredContent as unknown as GalleryData;
      expect(page.items.map((item) => item.prompt)).toEqual(['one cat']);
      expect(page).toMatchObject({ matched: 3 });
      expect(page.nextCursor).toBeUndefined();

      const bad = (await h.client.callTool({ name: PAGE_TOOL, arguments: { cursor: 'nope' } })) as CallToolResult;
      expect(bad.isError).toBe(true);
      expect(textOf(bad)).toMatch(/^invalid_argument: cursor is not one this tool gave/);
    } finally {
      await h.close();
    }
  });
});

describe('the built server over stdio', () => {
  it('finds the built page from its bundle and serves it to an MCP Apps client', async () => {
    const outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-apps-stdio-'));
    const client = new Client({ name: 'stdio-apps', version: '1.0.0' }, { capabilities: APPS });
    try {
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [fileURLToPath(new URL('../dist/index.js', import.meta.url))],
          env: { PATH: process.env.PATH ?? '', FLUX_MCP_OUTPUT_DIR: outputDir, FLUX_MCP_LOG_LEVEL: 'warn' },
          stderr: 'pipe',
        }),
      );
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain(PAGE_TOOL);
      const { contents } = await client.readResource({ uri: GALLERY_URI });
      expect((contents[0] as { text: string }).text).toMatch(/^<!doctype html>/i);
    } finally {
      await client.close();
      await rm(outputDir, { recursive: true, force: true });
    }
  });
});

describe('stateless Streamable HTTP', () => {
  it('gives no gallery: a request has no initialize of its own to declare the extension in', async () => {
    const outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-apps-http-'));
    const config = loadConfig({
      APIYI_API_KEY: TEST_KEY,
      APIYI_BASE_URL: apps.simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: outputDir,
      FLUX_MCP_LOG_LEVEL: 'silent',
    });
    const server = await startHttpServer(
      config,
      { port: 0, host: '127.0.0.1', token: undefined },
      { log: createLogger('silent', []) },
    );
    const client = new Client({ name: 'http-apps', version: '1.0.0' }, { capabilities: APPS });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const { tools } = await client.listTools();
      expect(JSON.stringify(tools)).not.toContain('ui://');
      const result = (await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'over http', size: '256x256' },
      })) as CallToolResult;
      expect(result._meta).toBeUndefined();
    } finally {
      await client.close();
      await server.close();
      await rm(outputDir, { recursive: true, force: true });
    }
  });
});
