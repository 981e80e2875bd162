/**
 * Normalization of reference images, seen from the gateway's side: a phone photo arrives upright,
 * within 4 MP and with sides in multiples of 16; an image already within the limits arrives
 * byte for byte; the agent is told what changed; FLUX_MCP_NORMALIZE_INPUTS=0 sends everything
 * as given.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fitToRule } from '../src/pipeline/inputs/normalize.js';
import { type Harness, startHarness, textOf } from './helpers/harness.js';
import { averageColour, jsonReferences, sha256, uploadedFiles, writeImage } from './helpers/images.js';

const RED = { r: 230, g: 20, b: 20 };
const BLUE = { r: 30, g: 60, b: 200 };

let dir: string;
let phonePhoto: string;
let inLimitPng: string;
let screenshot: string;

/**
 * A 4032 × 3024 JPEG as a phone stores a portrait shot: pixels sideways, EXIF orientation 6
 * (rotate 90° clockwise to view). A red block sits at the stored top-left corner, which is the
 * top-right corner once the photo is upright.
 */
async function makePhonePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 4032, height: 3024, channels: 3, background: BLUE } })
    .composite([{ input: { create: { width: 600, height: 600, channels: 3, background: RED } }, left: 0, top: 0 }])
    .jpeg({ quality: 85 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-normalize-'));
  phonePhoto = await writeImage(dir, 'IMG_0001.jpg', await makePhonePhoto());
  inLimitPng = await writeImage(dir, 'logo.png', { width: 512, height: 512, alpha: true });
  screenshot = await writeImage(dir, 'screenshot.png', { width: 1000, height: 750 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function notesOf(result: CallToolResult): string[] {
  expect(result.isError, textOf(result)).toBeFalsy();
  return (result.structuredContent as { notes?: string[] }).notes ?? [];
}

describe('normalization on (the default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.simulator.reset());

  it('sends a 12 MP phone photo upright, within 4 MP, sides ×16; an in-limit PNG untouched', async () => {
    const result = await h.call(
      { prompt: 'put the logo of image 2 on the shirt in image 1', images: [phonePhoto, inLimitPng] },
      'edit_images',
    );
    const notes = notesOf(result);
    const [photo, logo] = jsonReferences(h.simulator.apiRequests()[0]!) as Buffer[];

    const meta = await sharp(photo).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([1760, 2352]);
    expect(meta.width! * meta.height!).toBeLessThanOrEqual(2048 * 2048);
    expect(meta.width! % 16).toBe(0);
    expect(meta.height! % 16).toBe(0);
    expect(meta.orientation ?? 1).toBe(1);
    // Upright: the red block is now at the top-right, and the top-left is blue.
    const corner = { width: 150, height: 150, top: 20 };
    expect((await averageColour(photo!, { ...corner, left: meta.width! - 170 })).r).toBeGreaterThan(200);
    expect((await averageColour(photo!, { ...corner, left: 20 })).b).toBeGreaterThan(180);

    expect(sha256(logo!)).toBe(sha256(await readFile(inLimitPng)));

    expect(notes).toHaveLength(1);
    expect(notes[0]).toBe(
      `image 1 "${phonePhoto}" was turned upright (EXIF orientation 6), resized 3024x4032 → 1760x2352 (over 4 MP (2048x2048)) before sending; your file is unchanged.`,
    );
    expect(textOf(result)).toContain(`Note: image 1 "${phonePhoto}" was turned upright`);
    const [photoRecord, logoRecord] = (result.structuredContent as { inputs: Record<string, unknown>[] }).inputs;
    expect(photoRecord).toMatchObject({
      width: 3024,
      height: 4032,
      orientation: 6,
      sent: 'normalized',
      normalized: { width: 1760, height: 2352, sha256: sha256(photo!) },
    });
    expect(logoRecord).toMatchObject({ width: 512, height: 512, sent: 'original' });
  });

  it('brings sides that are not multiples of 16 to the nearest ones with the least change of shape', async () => {
    const result = await h.call({ prompt: 'tidy up', images: [screenshot] }, 'edit_images');
    const [sent] = jsonReferences(h.simulator.apiRequests()[0]!) as Buffer[];
    const meta = await sharp(sent).metadata();
    expect([meta.width, meta.height]).toEqual([1008, 752]);
    expect(notesOf(result)[0]).toContain('resized 1000x750 → 1008x752 (sides not multiples of 16)');
  });

  it('turns the photo upright for gpt-image-2 too, without resizing (no 4 MP rule there)', async () => {
    const result = await h.call(
      { prompt: 'brighter', images: [phonePhoto], model: 'gpt-image-2', quality: 'low' },
      'edit_images',
    );
    const [, sent] = uploadedFiles(h.simulator.apiRequests()[0]!)[0]!;
    const meta = await sharp(sent).metadata();
    expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([3024, 4032, 1]);
    expect(notesOf(result)[0]).toContain('was turned upright (EXIF orientation 6) before sending');
  });

  it('checks a mask against image 1 as sent (upright), not as stored', async () => {
    const sideways = await writeImage(dir, 'mask-sideways.png', { width: 4032, height: 3024, alpha: true });
    const upright = await writeImage(dir, 'mask-upright.png', { width: 3024, height: 4032, alpha: true });
    const refused = await h.call(
      { prompt: 'x', images: [phonePhoto], mask: sideways, model: 'gpt-image-2' },
      'edit_images',
    );
    expect(textOf(refused)).toContain('is 4032x3024, but image 1 is 3024x4032 as sent');
    const accepted = await h.call(
      { prompt: 'x', images: [phonePhoto], mask: upright, model: 'gpt-image-2', quality: 'low' },
      'edit_images',
    );
    expect(accepted.isError, textOf(accepted)).toBeFalsy();
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });
});

describe('FLUX_MCP_NORMALIZE_INPUTS=0', () => {
  let h: Harness;
  beforeAll(async () => {
    // Metadata kept too: this is about normalization, and removing EXIF would change the bytes (test/hostile).
    h = await startHarness({ config: { normalizeInputs: false, keepInputMetadata: true } });
  });
  afterAll(() => h.close());

  it('sends every input byte for byte, and says which ones it would have changed', async () => {
    const result = await h.call({ prompt: 'as is', images: [phonePhoto, inLimitPng] }, 'edit_images');
    const notes = notesOf(result);
    const arrived = (jsonReferences(h.simulator.apiRequests()[0]!) as Buffer[]).map(sha256);
    expect(arrived).toEqual([sha256(await readFile(phonePhoto)), sha256(await readFile(inLimitPng))]);
    expect(notes).toEqual([
      `image 1 "${phonePhoto}" was sent as given although it could be normalized (turned upright (EXIF orientation 6), resized 3024x4032 → 1760x2352 (over 4 MP (2048x2048))), because FLUX_MCP_NORMALIZE_INPUTS=0.`,
    ]);
  });
});

describe('fitToRule', () => {
  it('keeps the aspect ratio as close as multiples of 16 allow, within the pixel budget', () => {
    const budget = 2048 * 2048;
    expect(fitToRule({ width: 3024, height: 4032 }, budget, 16)).toEqual({ width: 1760, height: 2352 });
    expect(fitToRule({ width: 1000, height: 750 }, budget, 16)).toEqual({ width: 1008, height: 752 });
    expect(fitToRule({ width: 8000, height: 2000 }, budget, 16)).toEqual({ width: 4096, height: 1024 });
    expect(fitToRule({ width: 1024, height: 1024 }, budget, 16)).toEqual({ width: 1024, height: 1024 });
    for (const size of [
      { width: 4000, height: 3000 },
      { width: 6000, height: 3375 },
      { width: 65, height: 4000 },
    ]) {
      const fitted = fitToRule(size, budget, 16);
      expect(fitted.width * fitted.height, JSON.stringify(size)).toBeLessThanOrEqual(budget);
      expect((fitted.width % 16) + (fitted.height % 16)).toBe(0);
    }
  });
});
