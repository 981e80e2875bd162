/**
 * The gallery's server-side rules on their own: which clients count as MCP Apps clients (the same
 * names as the ext-apps package), and the tool calls behind "more like this" and "variants", for
 * the image tools of today and for ones that take `like` and `count`.
 */
import {
  EXTENSION_ID as PACKAGE_EXTENSION_ID,
  RESOURCE_MIME_TYPE as PACKAGE_MIME,
} from '@modelcontextprotocol/ext-apps/server';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { GALLERY_TOOLS } from '../../src/apps/contract.js';
import { declaresApps, EXTENSION_ID, RESOURCE_MIME_TYPE } from '../../src/apps/negotiation.js';
import { plansFor, remakePlan } from '../../src/apps/plans.js';
import { makeThumbnail, THUMBNAIL_BASE64_BUDGET } from '../../src/imaging/thumbnail.js';
import type { ImageSidecar } from '../../src/library/sidecar.js';
import type { ToolContext } from '../../src/pipeline/context.js';
import type { ToolDefinition } from '../../src/tools/definition.js';
import { editImagesTool } from '../../src/tools/edit-images.js';
import { generateImageInput, generateImageTool } from '../../src/tools/generate-image.js';

const ctx = {} as ToolContext; // the definitions only use it when called
const generate = generateImageTool(ctx) as unknown as ToolDefinition;
const edit = editImagesTool(ctx) as unknown as ToolDefinition;
const withLikeAndCount = generate;

/** The image tools of a server without `like` and `count` (the gallery must work with one too). */
const older = [
  { ...generate, inputSchema: generateImageInput.omit({ like: true, count: true }).required({ prompt: true }) },
  { ...edit, inputSchema: (edit.inputSchema as z.ZodObject).omit({ count: true }) },
] as unknown as ToolDefinition[];
const today = older;

function sidecar(overrides: Partial<ImageSidecar>): ImageSidecar {
  return {
    schema: 'flux-mcp.image/1',
    file: 'a.jpg',
    createdAt: '2026-11-22T10:00:00.000Z',
    tool: 'generate_image',
    model: 'flux-2-pro',
    prompt: 'a red fox',
    endpoint: '/images/generations',
    parameters: { width: 1024, height: 768, seed: 42, safety_tolerance: 2, output_format: 'jpeg' },
    seed: 42,
    elapsedMs: 1000,
    attempts: 1,
    priceUsd: 0.03,
    image: { width: 1024, height: 768, mimeType: 'image/jpeg', bytes: 1000, sha256: 'a'.repeat(64) },
    notes: [],
    server: { name: 'flux-mcp', version: '0.1.0' },
    ...overrides,
  };
}

describe('MCP Apps negotiation', () => {
  it('uses the names of the ext-apps package', () => {
    expect(EXTENSION_ID).toBe(PACKAGE_EXTENSION_ID);
    expect(RESOURCE_MIME_TYPE).toBe(PACKAGE_MIME);
  });

  it('counts only a client that lists the app MIME type under the extension', () => {
    const apps = (value: unknown) => declaresApps({ extensions: { [EXTENSION_ID]: value } } as never);
    expect(apps({ mimeTypes: ['text/html;profile=mcp-app'] })).toBe(true);
    expect(apps({ mimeTypes: ['text/html'] })).toBe(false);
    expect(apps({})).toBe(false);
    expect(declaresApps({})).toBe(false);
    expect(declaresApps(undefined)).toBe(false);
  });

  it('shows the result of wait_for_image like generate_image, by name, before that tool exists', () => {
    expect(GALLERY_TOOLS).toEqual(['generate_image', 'edit_images', 'wait_for_image', 'list_images']);
  });
});

describe('the calls behind the buttons', () => {
  it("repeats a generation's prompt, model and parameters without its seed", () => {
    expect(remakePlan(sidecar({}), today)).toEqual({
      tool: 'generate_image',
      arguments: {
        prompt: 'a red fox',
        model: 'flux-2-pro',
        width: 1024,
        height: 768,
        safety_tolerance: 2,
        output_format: 'jpeg',
      },
    });
  });

  it('repeats an edit with its references in order and its mask, unless one was a data URL', () => {
    const input = (role: 'image' | 'mask', source: string, index?: number) => ({
      role,
      source,
      kind: source.startsWith('data:') ? ('data' as const) : ('file' as const),
      sent: 'original' as const,
      ...(index !== undefined ? { index } : {}),
    });
    const edited = sidecar({
      tool: 'edit_images',
      model: 'gpt-image-2',
      parameters: { size: '1024x1024', quality: 'low' },
      inputs: [input('image', '/b.png', 2), input('image', '/a.png', 1), input('mask', '/m.png')],
    });
    expect(remakePlan(edited, today)?.arguments).toEqual({
      prompt: 'a red fox',
      model: 'gpt-image-2',
      size: '1024x1024',
      quality: 'low',
      images: ['/a.png', '/b.png'],
      mask: '/m.png',
    });
    const withData = sidecar({ tool: 'edit_images', inputs: [input('image', 'data:image/png;base64 (120 chars)', 1)] });
    expect(remakePlan(withData, today)).toBeUndefined();
    expect(plansFor('/x.jpg', withData, today)).toEqual({});
  });

  it('offers nothing a tool would refuse, or for a tool this server does not have', () => {
    expect(remakePlan(sidecar({ model: 'no-such-model' }), today)).toBeUndefined();
    expect(remakePlan(sidecar({ tool: 'paint' }), today)).toBeUndefined();
  });

  it('without `like` and `count`: "more like this" is the same call with a new seed, "variants" four of them', () => {
    const remake = remakePlan(sidecar({}), today)!;
    expect(plansFor('/x.jpg', sidecar({}), today)).toEqual({
      moreLikeThis: remake,
      variants: { call: remake, times: 4 },
    });
  });

  it('with `like` and `count`: "more like this" passes the path, "variants" asks for four in one call', () => {
    const tools = [withLikeAndCount, edit];
    const remake = remakePlan(sidecar({}), tools)!;
    expect(plansFor('/x.jpg', sidecar({}), tools)).toEqual({
      moreLikeThis: { tool: 'generate_image', arguments: { like: '/x.jpg' } },
      variants: { call: { tool: 'generate_image', arguments: { ...remake.arguments, count: 4 } }, times: 1 },
    });
  });
});

describe('gallery thumbnails', () => {
  it('stay within 256 px and their byte budget even for an image that does not compress', async () => {
    // Pure noise: the worst case for JPEG, far worse than any photo.
    const noise = Buffer.alloc(1024 * 1024 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2_654_435_761) >>> 24;
    const image = await sharp(noise, { raw: { width: 1024, height: 1024, channels: 3 } })
      .png()
      .toBuffer();
    const thumbnail = await makeThumbnail(image, 256);
    expect(thumbnail.data.length).toBeLessThanOrEqual(THUMBNAIL_BASE64_BUDGET);
    expect(Math.max(thumbnail.width, thumbnail.height)).toBeLessThanOrEqual(256);
    expect((await sharp(Buffer.from(thumbnail.data, 'base64')).metadata()).format).toBe('jpeg');
  });

  it('are never enlarged', async () => {
    const small = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    expect(await makeThumbnail(small, 256)).toMatchObject({ width: 80, height: 40 });
  });
});
