/**
 * Property-based tests (fast-check) over the arguments of both tools, through a real MCP client:
 * whatever an agent sends, the call either validates (and then the simulator, as strict as the
 * gateway, accepts it) or returns an isError result with a category, without any gateway
 * request. The server never crashes and never writes to stdout.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EDIT_MODEL_IDS, GENERATION_MODEL_IDS } from '../src/catalog/models.js';
import { ERROR_CATEGORIES } from '../src/core/failure.js';
import { type Harness, startHarness, textOf } from './helpers/harness.js';
import { dataUrl, makeImage, writeImage } from './helpers/images.js';

let h: Harness;
let dir: string;
let goodImage: string;
let goodDataUrl: string;
let goodMask: string;
const stdoutWrites: unknown[] = [];

beforeAll(async () => {
  h = await startHarness({ server: { retryBaseMs: 1 } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-props-'));
  goodImage = await writeImage(dir, 'good.png', { width: 128, height: 96 });
  goodMask = await writeImage(dir, 'mask.png', { width: 128, height: 96, alpha: true });
  goodDataUrl = dataUrl(await makeImage({ width: 64, height: 64, format: 'jpeg' }), 'image/jpeg');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    stdoutWrites.push(chunk);
    return true;
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

/** Anything JSON can hold, small. */
const junk = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5000, max: 5000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);

/** Values near the rules (and on both sides of them), so that many calls are valid. */
const small = fc.integer({ min: 0, max: 40 }).map((n) => n * 16);
const side = fc.oneof(small, fc.integer({ min: 1, max: 2100 }));
const plausible = {
  prompt: fc.oneof(
    fc.constantFrom('A red fox', 'image 1 in the style of image 2', '   '),
    fc.string({ maxLength: 30 }),
  ),
  size: fc.oneof(
    fc.tuple(side, side).map(([w, h]) => `${w}x${h}`),
    fc.constantFrom('auto', '1920x1080', '1024x1024', 'big'),
  ),
  width: side,
  height: side,
  aspect_ratio: fc.constantFrom('1:1', '16:9', '9:16', '21:9', '100:1', '4:3', 'wide', '0:1'),
  seed: fc.oneof(fc.integer({ min: -2, max: 2 ** 32 }), fc.constant(1.5)),
  safety_tolerance: fc.integer({ min: -1, max: 7 }),
  output_format: fc.constantFrom('jpeg', 'png', 'webp', 'gif'),
  prompt_upsampling: fc.boolean(),
  steps: fc.integer({ min: 0, max: 51 }),
  guidance: fc.double({ min: 1, max: 11, noNaN: true }),
  quality: fc.constantFrom('auto', 'low', 'medium', 'high', 'ultra'),
  background: fc.constantFrom('auto', 'opaque', 'transparent'),
  output_compression: fc.integer({ min: -1, max: 101 }),
  filename: fc.string({ maxLength: 20 }),
};

function argsFor(models: readonly string[], extra: Record<string, fc.Arbitrary<unknown>> = {}) {
  const fields = { ...plausible, model: fc.constantFrom(...models, 'flux-9'), ...extra };
  // Required arguments are usually there, the model often, each other parameter now and then.
  const presence: Record<string, number> = { prompt: 0.9, images: 0.9, model: 0.5, mask: 0.1 };
  const entries = Object.entries(fields).map(([key, arbitrary]) => {
    const present = presence[key] ?? 0.08;
    const value: fc.Arbitrary<[string, unknown]> = fc.tuple(
      fc.constant(key),
      fc.oneof({ weight: 8, arbitrary }, { weight: 1, arbitrary: junk as fc.Arbitrary<unknown> }),
    );
    return fc.oneof(
      { weight: Math.round(100 * (1 - present)), arbitrary: fc.constant(null) },
      { weight: Math.round(100 * present), arbitrary: value },
    );
  });
  // Mostly few parameters (so many calls are valid), sometimes an invented one.
  return fc
    .tuple(
      fc.tuple(...entries),
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('n', 'negative_prompt', 'sede', 'image'), junk) },
      ),
    )
    .map(([chosen, invented]) => {
      const args: Record<string, unknown> = Object.fromEntries(chosen.filter((entry) => entry !== null));
      if (invented) args[invented[0]] = invented[1];
      return args;
    });
}

const CATEGORY_LINE = new RegExp(`^(${Object.keys(ERROR_CATEGORIES).join('|')}): \\S`);

async function checkOneCall(tool: string, args: Record<string, unknown>): Promise<void> {
  const before = h.simulator.apiRequests().length;
  let result: CallToolResult;
  try {
    result = (await h.client.callTool({ name: tool, arguments: args })) as CallToolResult;
  } catch (error) {
    throw new Error(`the call threw instead of answering: ${(error as Error).message}`);
  }
  const requests = h.simulator.apiRequests().slice(before);
  if (result.isError) {
    expect(textOf(result)).toMatch(CATEGORY_LINE);
    // Refused by our own checks: nothing may have reached the gateway.
    expect(requests, textOf(result)).toEqual([]);
  } else {
    // Accepted by our checks: the simulator, as strict as the gateway, must have accepted it too.
    expect(requests.map((r) => r.status)).toEqual([200]);
  }
}

describe('any arguments', () => {
  it('generate_image: validated, or refused with a category and no request', async () => {
    await fc.assert(
      fc.asyncProperty(argsFor(GENERATION_MODEL_IDS), (args) => checkOneCall('generate_image', args)),
      { numRuns: 120 },
    );
  });

  it('edit_images: validated, or refused with a category and no request', async () => {
    const sources = fc.oneof(
      { weight: 12, arbitrary: fc.constant(goodImage) },
      { weight: 3, arbitrary: fc.constant(goodDataUrl) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'photo.png',
          '~/nope.png',
          'ftp://x/y.png',
          'data:image/png;base64,@@',
          '/dev/null',
          dir,
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    );
    const images = fc.oneof(
      { weight: 6, arbitrary: fc.array(sources, { minLength: 1, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.array(sources, { minLength: 0, maxLength: 18 }) },
      { weight: 1, arbitrary: junk },
    );
    await fc.assert(
      fc.asyncProperty(
        argsFor(EDIT_MODEL_IDS, {
          images,
          mask: fc.oneof(fc.constant(goodMask), fc.constant(goodImage), fc.string({ maxLength: 5 })),
        }),
        (args) => checkOneCall('edit_images', args),
      ),
      { numRuns: 120 },
    );
  });

  it('left the server alive and stdout untouched', async () => {
    expect((await h.client.ping()) !== undefined).toBe(true);
    expect(stdoutWrites).toEqual([]);
  });
});
