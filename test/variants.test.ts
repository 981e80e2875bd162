/**
 * Beyond one image per call: `count` makes several images in parallel (one gateway request each,
 * its own seed, every paid image saved whatever happens to the others, one contact sheet as the
 * preview), and `like` makes more like an earlier result from its sidecar.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PREVIEW_BASE64_BUDGET } from '../src/imaging/preview.js';
import { type Harness, startHarness, textOf } from './helpers/harness.js';

interface Result {
  status: string;
  job: string;
  images: { path: string; seed?: number; width: number; height: number }[];
  seed?: number;
  priceUsd?: number;
  notes?: string[];
  failed?: { index: number; seed?: number; category: string; message: string }[];
}

const ok = (result: CallToolResult): Result => {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as Result;
};

const sidecarOf = async (image: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(image.replace(/\.\w+$/, '.json'), 'utf8'));

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { preview: 'on' } });
});
afterAll(() => h.close());
beforeEach(() => h.simulator.reset());

const sentSeeds = (): number[] => h.simulator.apiRequests().map((request) => (request.json as { seed: number }).seed);

describe('count', () => {
  it('makes that many images with one request each, seeds consecutive from the one given, each saved with its sidecar', async () => {
    const result = await h.call({ prompt: 'A paper boat', size: '512x512', seed: 100, count: 4 });
    const out = ok(result);
    expect(h.simulator.apiRequests()).toHaveLength(4);
    expect(sentSeeds().sort((a, b) => a - b)).toEqual([100, 101, 102, 103]);
    expect(out.images.map((image) => image.seed)).toEqual([100, 101, 102, 103]);
    expect(new Set(out.images.map((image) => image.path)).size).toBe(4);
    expect(out.priceUsd).toBeCloseTo(4 * 0.03, 6);
    for (const [index, image] of out.images.entries()) {
      const sidecar = await sidecarOf(image.path);
      expect(sidecar).toMatchObject({ seed: 100 + index, job: out.job, variant: { index: index + 1, of: 4 } });
    }
    // One line per image in the text, each with its own seed.
    const lines = textOf(result).split('\n');
    for (const image of out.images)
      expect(lines).toContain(`${image.path} — 512×512 jpeg, flux-2-pro, seed ${image.seed}`);
  });

  it('picks a different random seed for each image when none is given', async () => {
    const out = ok(await h.call({ prompt: 'A kite', size: '256x256', count: 3 }));
    expect(h.simulator.apiRequests()).toHaveLength(3);
    expect(new Set(sentSeeds()).size).toBe(3);
    expect(out.images.map((image) => image.seed).sort()).toEqual(sentSeeds().sort());
  });

  it('shows one contact sheet, not one preview per image, within the budget of a single preview', async () => {
    const result = await h.call({ prompt: 'A city at night', size: '2048x2048', output_format: 'png', count: 4 });
    ok(result);
    const previews = result.content.filter((block) => block.type === 'image');
    expect(previews).toHaveLength(1);
    const [sheet] = previews;
    if (sheet?.type !== 'image') throw new Error('no preview');
    expect(sheet.data.length).toBeLessThan(PREVIEW_BASE64_BUDGET);
    const meta = await sharp(Buffer.from(sheet.data, 'base64')).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(h.config.previewSize);
    // Four 4 MP PNGs, and the whole result still far under the 1 MB clients accept.
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(400_000);
  });

  it('keeps every image made when one of four is refused, and says which and why', async () => {
    h.simulator.enqueue({}, { status: 403, body: { error: { message: 'Request moderated', code: null } } }, {}, {});
    const result = await h.call({ prompt: 'A market square', size: '512x512', seed: 7, count: 4 });
    const out = ok(result);
    expect(h.simulator.apiRequests()).toHaveLength(4);
    expect(out.images).toHaveLength(3);
    expect(out.failed).toHaveLength(1);
    expect(out.failed![0]).toMatchObject({ category: 'moderation' });
    expect(textOf(result)).toContain(
      `Not made: image ${out.failed![0]!.index} (seed ${out.failed![0]!.seed}): moderation:`,
    );
    const saved = (await h.outputFiles()).filter((name) => name.endsWith('.jpg'));
    for (const image of out.images) expect(saved).toContain(path.basename(image.path));
  });

  it('is refused above the model’s own cap before anything is sent', async () => {
    const result = await h.call({ prompt: 'An owl', model: 'gpt-image-2', count: 5 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^invalid_argument: count 5 is more than gpt-image-2 makes in one call \(at most 4\)/,
    );
    expect(h.simulator.apiRequests()).toEqual([]);
  });
});

describe('like', () => {
  it('takes the prompt, model and parameters of an earlier result by its path, with a new seed', async () => {
    const first = ok(
      await h.call({ prompt: 'A red fox in snow', model: 'flux-2-max', size: '768x512', safety_tolerance: 4, seed: 9 }),
    );
    h.simulator.reset();
    const more = ok(await h.call({ like: first.images[0]!.path }));
    const [request] = h.simulator.apiRequests();
    expect(request!.json).toMatchObject({
      model: 'flux-2-max',
      prompt: 'A red fox in snow',
      size: '768x512',
      safety_tolerance: 4,
    });
    expect((request!.json as { seed: number }).seed).not.toBe(9);
    expect(more.notes?.some((note) => note.startsWith(`Like ${first.images[0]!.path}`))).toBe(true);
  });

  it('takes an earlier job too, lets arguments given override, and makes several', async () => {
    const first = ok(await h.call({ prompt: 'A blue heron', size: '768x512', safety_tolerance: 3 }));
    h.simulator.reset();
    const more = ok(await h.call({ like: first.job, prompt: 'A grey heron', size: '512x512', count: 2 }));
    expect(more.images).toHaveLength(2);
    for (const request of h.simulator.apiRequests()) {
      expect(request.json).toMatchObject({ prompt: 'A grey heron', size: '512x512', safety_tolerance: 3 });
    }
  });

  it('refuses an image this server did not save, and a call with neither prompt nor like', async () => {
    const stranger = await h.call({ like: '/etc/hosts' });
    expect(textOf(stranger)).toMatch(/^invalid_argument: like "\/etc\/hosts" is not an image this server saved/);
    const nothing = await h.call({ size: '512x512' });
    expect(textOf(nothing)).toMatch(/^invalid_argument: prompt is required: say what to draw, or give like/);
    expect(h.simulator.apiRequests()).toEqual([]);
  });
});
