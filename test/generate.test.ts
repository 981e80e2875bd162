/**
 * generate_image end to end through a real MCP client, against the simulator over loopback:
 * what the gateway received, what landed on disk, and what the agent got back.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PREVIEW_BASE64_BUDGET } from '../src/imaging/preview.js';
import { RESCUE_DIR } from '../src/pipeline/deliver.js';
import type { SimulatedRequest } from '../src/simulator/gateway-simulator.js';
import { type Harness, onlyJsonBody, outputValidator, startHarness, TEST_KEY, textOf } from './helpers/harness.js';

interface Structured {
  images: { path: string; uri: string; width: number; height: number; mimeType: string; bytes: number }[];
  model: string;
  seed?: number;
  requestId?: string;
  elapsedMs: number;
  priceUsd?: number;
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
  notes?: string[];
}

const NAME_PATTERN = /^\d{8}-\d{6}-[a-z0-9-]+-[a-z0-9]{6}\.(jpg|png|webp)$/;

let h: Harness;
let validateOutput: (data: unknown) => { valid: boolean; errorMessage?: string | undefined };

beforeAll(async () => {
  // The preview and the resource_link on, so what they hold is checked here; which clients get
  // them by default is test/result-shape.test.ts's subject.
  h = await startHarness({ config: { preview: 'on', resourceLinks: true } });
  const { tools } = await h.client.listTools();
  validateOutput = outputValidator(tools, 'generate_image');
});
afterAll(() => h.close());
beforeEach(() => h.simulator.reset());

function structured(result: CallToolResult): Structured {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as Structured;
}

async function sidecarOf(imagePath: string): Promise<Record<string, unknown>> {
  const parsed = path.parse(imagePath);
  return JSON.parse(await readFile(path.join(parsed.dir, `${parsed.name}.json`), 'utf8'));
}

describe('flux-2-pro (URL delivery)', () => {
  let result: CallToolResult;
  let out: Structured;
  let requests: SimulatedRequest[];
  let downloads: SimulatedRequest[];

  beforeAll(async () => {
    h.simulator.reset();
    result = await h.call({
      prompt: 'A red fox in fresh snow, golden hour',
      size: '1280x720',
      seed: 42,
      filename: 'Fox Draft!',
    });
    out = structured(result);
    requests = h.simulator.apiRequests();
    downloads = h.simulator.deliveryRequests();
  });

  it('sends exactly the fields flux-2-pro takes, with the key in the Authorization header', () => {
    const [request] = requests;
    expect(requests).toHaveLength(1);
    expect(request!.route).toBe('generations');
    expect(request!.path).toBe('/v1/images/generations');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(request!.json).toEqual({
      model: 'flux-2-pro',
      prompt: 'A red fox in fresh snow, golden hour',
      size: '1280x720',
      seed: 42,
    });
  });

  it('downloads the delivery URL once, without credentials', () => {
    expect(downloads).toHaveLength(1);
    expect(downloads[0]!.status).toBe(200);
    expect(downloads[0]!.headers.authorization).toBeUndefined();
  });

  it('saves the image with the requested size and format under a timestamped, slugged name', async () => {
    const image = out.images[0]!;
    expect(path.isAbsolute(image.path)).toBe(true);
    expect(path.dirname(image.path)).toBe(h.outputDir);
    expect(path.basename(image.path)).toMatch(NAME_PATTERN);
    expect(path.basename(image.path)).toContain('-fox-draft-');
    const meta = await sharp(image.path).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 720]);
    expect((await stat(image.path)).size).toBe(image.bytes);
    expect(image).toMatchObject({ width: 1280, height: 720, mimeType: 'image/jpeg' });
    expect(fileURLToPath(image.uri)).toBe(image.path);
  });

  it('writes a sidecar with everything sent, and never the key', async () => {
    const image = out.images[0]!;
    const sidecar = await sidecarOf(image.path);
    expect(sidecar).toMatchObject({
      schema: 'flux-mcp.image/1',
      file: path.basename(image.path),
      tool: 'generate_image',
      model: 'flux-2-pro',
      prompt: 'A red fox in fresh snow, golden hour',
      endpoint: '/images/generations',
      parameters: { size: '1280x720', seed: 42 },
      seed: 42,
      requestId: out.requestId,
      priceUsd: 0.03,
      image: { width: 1280, height: 720, mimeType: 'image/jpeg', bytes: image.bytes },
    });
    expect(typeof sidecar.elapsedMs).toBe('number');
    expect(Date.parse(sidecar.createdAt as string)).not.toBeNaN();
    const bytes = await readFile(image.path);
    const { createHash } = await import('node:crypto');
    expect((sidecar.image as { sha256: string }).sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(JSON.stringify(sidecar)).not.toContain(TEST_KEY);
  });

  it('answers with a text line, a preview under budget, a resource_link and schema-valid structuredContent', async () => {
    const [text, preview, link] = result.content;
    expect(text?.type).toBe('text');
    const firstLine = textOf(result).split('\n')[0]!;
    expect(firstLine).toBe(`${out.images[0]!.path} — 1280×720 jpeg, flux-2-pro, seed 42`);
    expect(textOf(result)).toContain(`request ${out.requestId}`);

    expect(preview?.type).toBe('image');
    if (preview?.type !== 'image') return;
    expect(preview.mimeType).toBe('image/jpeg');
    expect(preview.data.length).toBeLessThan(PREVIEW_BASE64_BUDGET);
    const previewMeta = await sharp(Buffer.from(preview.data, 'base64')).metadata();
    expect([previewMeta.format, previewMeta.width, previewMeta.height]).toEqual(['jpeg', 768, 432]);

    expect(link).toEqual({
      type: 'resource_link',
      uri: out.images[0]!.uri,
      name: path.basename(out.images[0]!.path),
      mimeType: 'image/jpeg',
      description: '1280×720 image from flux-2-pro',
    });

    expect(validateOutput(result.structuredContent)).toEqual({ valid: true, data: result.structuredContent });
    expect(out).toMatchObject({ model: 'flux-2-pro', seed: 42, priceUsd: 0.03 });
    expect(out.requestId).toMatch(/^req_sim_/);
    expect(JSON.stringify(result.structuredContent)).not.toMatch(/base64|[A-Za-z0-9+/]{200}/);
    expect(JSON.stringify(result)).not.toContain(TEST_KEY);
  });

  it('leaves no temp file behind and logs no key', async () => {
    const files = await h.outputFiles();
    expect(files.filter((f) => f.startsWith('.') || f.endsWith('.tmp'))).toEqual([]);
    expect(h.logLines.join('')).not.toContain(TEST_KEY);
  });
});

describe('a legacy model (flux-dev, width + height)', () => {
  it('sends width and height as given, saves a png when png is asked, and notes the upstream size hint', async () => {
    const result = await h.call({
      prompt: 'Vintage travel poster of Lisbon',
      model: 'flux-dev',
      width: 1024,
      height: 1536,
      output_format: 'png',
      seed: 3,
    });
    const out = structured(result);
    expect(onlyJsonBody(h.simulator)).toEqual({
      model: 'flux-dev',
      prompt: 'Vintage travel poster of Lisbon',
      width: 1024,
      height: 1536,
      seed: 3,
      output_format: 'png',
    });
    const image = out.images[0]!;
    expect(image.path.endsWith('.png')).toBe(true);
    const meta = await sharp(image.path).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1024, 1536]);
    expect(out.notes).toEqual([
      'flux-dev natively renders 256–1440 px per side in multiples of 32; the gateway may adjust 1024x1536.',
    ]);
    expect(textOf(result)).toContain('Note: flux-dev natively renders');
    expect(validateOutput(result.structuredContent).valid).toBe(true);
  });
});

describe('gpt-image-2 (b64_json delivery)', () => {
  it('decodes b64_json, records usage, and turns width + height into size', async () => {
    const result = await h.call({
      prompt: 'Isometric illustration of a tiny bakery',
      model: 'gpt-image-2',
      width: 1536,
      height: 1024,
      quality: 'low',
      output_format: 'webp',
      output_compression: 80,
    });
    const out = structured(result);
    expect(onlyJsonBody(h.simulator)).toEqual({
      model: 'gpt-image-2',
      prompt: 'Isometric illustration of a tiny bakery',
      size: '1536x1024',
      output_format: 'webp',
      quality: 'low',
      output_compression: 80,
    });
    expect(h.simulator.deliveryRequests()).toHaveLength(0);
    const image = out.images[0]!;
    expect(image.path.endsWith('.webp')).toBe(true);
    const meta = await sharp(image.path).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 1536, 1024]);
    expect(out.seed).toBeUndefined();
    expect(out.priceUsd).toBeUndefined();
    expect(out.usage).toEqual({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    const sidecar = await sidecarOf(image.path);
    expect(sidecar).toMatchObject({ model: 'gpt-image-2', priceUsd: null, usage: out.usage });
    expect(sidecar.seed).toBeUndefined();
    expect(textOf(result).split('\n')[0]).toBe(`${image.path} — 1536×1024 webp, gpt-image-2`);
    expect(validateOutput(result.structuredContent).valid).toBe(true);
  });

  it('sends nothing about size when none is given (the model picks)', async () => {
    const result = await h.call({ prompt: 'A paper crane', model: 'gpt-image-2' });
    structured(result);
    expect(onlyJsonBody(h.simulator)).toEqual({ model: 'gpt-image-2', prompt: 'A paper crane' });
  });
});

describe('what each model is sent', () => {
  it('flux-2-flex gets steps and guidance', async () => {
    structured(
      await h.call({
        prompt: 'Poster with the words GRAND OPENING',
        model: 'flux-2-flex',
        steps: 28,
        guidance: 5.5,
        seed: 1,
      }),
    );
    expect(onlyJsonBody(h.simulator)).toEqual({
      model: 'flux-2-flex',
      prompt: 'Poster with the words GRAND OPENING',
      seed: 1,
      steps: 28,
      guidance: 5.5,
    });
  });

  it('klein does not get prompt_upsampling, and the result says why', async () => {
    const result = await h.call({ prompt: 'A cat', model: 'flux-2-klein-4b', prompt_upsampling: true, seed: 9 });
    const out = structured(result);
    expect(onlyJsonBody(h.simulator)).toEqual({ model: 'flux-2-klein-4b', prompt: 'A cat', seed: 9 });
    expect(out.notes).toEqual(['prompt_upsampling was not sent: flux-2-klein-4b ignores it upstream.']);
    expect(textOf(result)).toContain('Note: prompt_upsampling was not sent');
  });

  it('flux-2-max gets prompt_upsampling and safety_tolerance as given', async () => {
    structured(
      await h.call({ prompt: 'A dog', model: 'flux-2-max', prompt_upsampling: true, safety_tolerance: 5, seed: 2 }),
    );
    expect(onlyJsonBody(h.simulator)).toEqual({
      model: 'flux-2-max',
      prompt: 'A dog',
      seed: 2,
      safety_tolerance: 5,
      prompt_upsampling: true,
    });
  });

  it('an aspect_ratio becomes a concrete size of about 1 MP on flux-2 models', async () => {
    const out = structured(await h.call({ prompt: 'A wide beach', aspect_ratio: '16:9', seed: 5 }));
    expect(onlyJsonBody(h.simulator)).toEqual({
      model: 'flux-2-pro',
      prompt: 'A wide beach',
      size: '1360x768',
      seed: 5,
    });
    expect(out.images[0]).toMatchObject({ width: 1360, height: 768 });
    expect(out.notes).toEqual([
      'aspect_ratio 16:9 was sent as size 1360x768 (about 1 MP); give size for another resolution.',
    ]);
  });

  it('flux-pro-1.1-ultra takes aspect_ratio natively', async () => {
    const out = structured(
      await h.call({ prompt: 'A mountain', model: 'flux-pro-1.1-ultra', aspect_ratio: '21:9', seed: 5 }),
    );
    expect(onlyJsonBody(h.simulator)).toEqual({
      model: 'flux-pro-1.1-ultra',
      prompt: 'A mountain',
      aspect_ratio: '21:9',
      seed: 5,
    });
    expect(out.notes?.[0]).toContain('about 4 MP');
  });

  it('takes 1920x1080, which the gateway documents as valid although 1080 is not a multiple of 16', async () => {
    const out = structured(await h.call({ prompt: 'A stadium', size: '1920x1080', seed: 4 }));
    expect(onlyJsonBody(h.simulator)).toEqual({ model: 'flux-2-pro', prompt: 'A stadium', size: '1920x1080', seed: 4 });
    expect(out.images[0]).toMatchObject({ width: 1920, height: 1080 });
  });

  it('picks and reports a seed when none is given, so the image can be reproduced', async () => {
    const out = structured(await h.call({ prompt: 'A lantern' }));
    const body = onlyJsonBody(h.simulator);
    expect(Number.isInteger(body.seed)).toBe(true);
    expect(out.seed).toBe(body.seed);
    expect(Object.keys(body)).toEqual(['model', 'prompt', 'seed']);
  });

  it('never sends size together with width/height, on any model that takes sizes', async () => {
    for (const model of ['flux-2-pro', 'flux-pro-1.1', 'gpt-image-2']) {
      h.simulator.reset();
      structured(await h.call({ prompt: 'A kite', model, width: 1024, height: 1024 }));
      const body = onlyJsonBody(h.simulator);
      expect('size' in body && ('width' in body || 'height' in body), model).toBe(false);
    }
  });
});

describe('previews and names', () => {
  it('never upscales a small image, and keeps a 4 MP image under the preview budget', async () => {
    const small = structured(await h.call({ prompt: 'A tiny icon', size: '256x256', seed: 1 }));
    expect(small.images[0]).toMatchObject({ width: 256, height: 256 });
    const smallResult = await h.call({ prompt: 'A tiny icon', size: '256x256', seed: 1 });
    const smallPreview = smallResult.content.find((b) => b.type === 'image');
    const smallMeta = await sharp(
      Buffer.from(smallPreview!.type === 'image' ? smallPreview!.data : '', 'base64'),
    ).metadata();
    expect([smallMeta.width, smallMeta.height]).toEqual([256, 256]);

    const big = await h.call({ prompt: 'A detailed city map', size: '2048x2048', output_format: 'png', seed: 8 });
    structured(big);
    const preview = big.content.find((b) => b.type === 'image');
    expect(preview?.type).toBe('image');
    if (preview?.type !== 'image') return;
    expect(preview.data.length).toBeLessThan(PREVIEW_BASE64_BUDGET);
    const meta = await sharp(Buffer.from(preview.data, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 768, 768]);
    expect(JSON.stringify(big).length).toBeLessThan(400_000);
  });

  it('gives every image its own file, even for the same prompt in the same second', async () => {
    const results = await Promise.all([1, 2, 3].map(() => h.call({ prompt: 'Same prompt', seed: 1 })));
    const paths = results.map((r) => structured(r).images[0]!.path);
    expect(new Set(paths).size).toBe(3);
    for (const p of paths) expect(path.basename(p)).toContain('-same-prompt-');
  });
});

describe('configuration', () => {
  it('FLUX_MCP_PREVIEW_SIZE=0 sends no inline image', async () => {
    const quiet = await startHarness({ config: { previewSize: 0, preview: 'on', resourceLinks: true } });
    try {
      const result = await quiet.call({ prompt: 'A pear', seed: 1 });
      expect(result.isError).toBeFalsy();
      expect(result.content.map((b) => b.type)).toEqual(['text', 'resource_link']);
    } finally {
      await quiet.close();
    }
  });

  it('saves a paid image in the rescue directory when the output directory cannot be written', async () => {
    const blocked = await startHarness();
    const notADirectory = path.join(blocked.outputDir, 'a-file');
    await writeFile(notADirectory, 'x');
    const stuck = await startHarness({ config: { outputDir: path.join(notADirectory, 'images') } });
    try {
      const result = await stuck.call({ prompt: 'A rescued kitten', seed: 1 });
      const out = structured(result);
      const saved = out.images[0]!.path;
      expect(path.dirname(saved)).toBe(RESCUE_DIR);
      expect((await stat(saved)).size).toBe(out.images[0]!.bytes);
      expect(out.notes?.[0]).toMatch(
        /could not be written \(ENOTDIR\), so the image was saved in .*flux-mcp-rescued; fix FLUX_MCP_OUTPUT_DIR/,
      );
      await rm(saved);
      await rm(saved.replace(/\.jpg$/, '.json'));
    } finally {
      await stuck.close();
      await blocked.close();
    }
  });

  it('creates the output directory on demand', async () => {
    const nested = await startHarness();
    const dir = path.join(nested.outputDir, 'deeper', 'still');
    const other = await startHarness({ config: { outputDir: dir } });
    try {
      const out = structured(await other.call({ prompt: 'A plum', seed: 1 }));
      expect(path.dirname(out.images[0]!.path)).toBe(dir);
    } finally {
      await other.close();
      await nested.close();
    }
  });
});
