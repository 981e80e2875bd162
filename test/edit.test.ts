/**
 * edit_images end to end through a real MCP client, against the simulator over loopback: every
 * kind of input reaches the gateway byte for byte and in order, on the FLUX JSON path and the
 * gpt-image-2 multipart path; what was sent is recorded; the output follows the references.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { USER_AGENT } from '../src/core/version.js';
import type { SimulatedRequest } from '../src/simulator/gateway-simulator.js';
import { SIMULATOR_USER_AGENT } from '../src/simulator/references.js';
import { type Harness, outputValidator, startHarness, TEST_KEY, textOf } from './helpers/harness.js';
import {
  averageColour,
  dataUrl,
  jsonReferences,
  makeImage,
  sha256,
  uploadedFiles,
  writeImage,
} from './helpers/images.js';

interface InputRecord {
  role: string;
  index?: number;
  source: string;
  kind: string;
  path?: string;
  sha256?: string;
  bytes?: number;
  width?: number;
  height?: number;
  format?: string;
  sent: string;
  normalized?: { width: number; height: number; bytes: number; sha256: string; changes: string };
}
interface EditStructured {
  images: { path: string; width: number; height: number; mimeType: string }[];
  model: string;
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
  notes?: string[];
  inputs: InputRecord[];
}

/** Six colours far apart, one per reference, so each strip of the output names its source. */
const COLOURS = [
  { r: 220, g: 30, b: 30 },
  { r: 30, g: 200, b: 40 },
  { r: 30, g: 40, b: 220 },
  { r: 230, g: 220, b: 30 },
  { r: 210, g: 30, b: 210 },
  { r: 30, g: 210, b: 220 },
];

let h: Harness;
let work: string;
let savedHome: string | undefined;
let validateOutput: (data: unknown) => { valid: boolean; errorMessage?: string | undefined };

beforeAll(async () => {
  h = await startHarness();
  work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-edit-'));
  // "~/" is the server's home: point it at a directory the test owns.
  savedHome = process.env.HOME;
  process.env.HOME = path.join(work, 'home');
  await mkdir(path.join(work, 'home', 'Pictures'), { recursive: true });
  const { tools } = await h.client.listTools();
  validateOutput = outputValidator(tools, 'edit_images');
});
afterAll(async () => {
  process.env.HOME = savedHome;
  await h.close();
  await rm(work, { recursive: true, force: true });
});
beforeEach(() => h.simulator.reset());

const edit = (args: Record<string, unknown>): Promise<CallToolResult> => h.call(args, 'edit_images');

function structured(result: CallToolResult): EditStructured {
  expect(result.isError, textOf(result)).toBeFalsy();
  const check = validateOutput(result.structuredContent);
  expect(check.valid, check.errorMessage).toBe(true);
  return result.structuredContent as unknown as EditStructured;
}

function onlyApiRequest(): SimulatedRequest {
  const requests = h.simulator.apiRequests();
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

async function sidecarOf(imagePath: string): Promise<Record<string, unknown>> {
  const parsed = path.parse(imagePath);
  return JSON.parse(await readFile(path.join(parsed.dir, `${parsed.name}.json`), 'utf8'));
}

const distance = (a: { r: number; g: number; b: number }, b: { r: number; g: number; b: number }): number =>
  Math.abs(a.r - b.r) + Math.abs(a.g - b.g) + Math.abs(a.b - b.b);

/** Which of COLOURS each vertical strip of the output is closest to, left to right. */
async function stripColours(bytes: Buffer, width: number, height: number, strips: number): Promise<number[]> {
  const found: number[] = [];
  for (let i = 0; i < strips; i++) {
    const left = Math.floor((i * width) / strips) + 2;
    const stripWidth = Math.floor(width / strips) - 4;
    const colour = await averageColour(bytes, { left, top: 2, width: stripWidth, height: height - 4 });
    const ranked = COLOURS.map((c, index) => ({ index, d: distance(c, colour) })).sort((a, b) => a.d - b.d);
    found.push(ranked[0]!.index);
  }
  return found;
}

describe('every kind of input, in order and byte for byte', () => {
  /** The six sources and the bytes each stands for (a URL is compared as the URL itself). */
  let sources: string[];
  let bytes: Buffer[];
  let assetUrl: string;

  beforeAll(async () => {
    const inputs = path.join(work, 'inputs');
    await mkdir(inputs, { recursive: true });
    bytes = [
      await makeImage({ width: 512, height: 384, format: 'png', colour: COLOURS[0] }),
      await makeImage({ width: 320, height: 320, format: 'jpeg', colour: COLOURS[1] }),
      await makeImage({ width: 256, height: 256, format: 'webp', colour: COLOURS[2] }),
      await makeImage({ width: 256, height: 192, format: 'png', colour: COLOURS[3] }),
      await makeImage({ width: 128, height: 128, format: 'jpeg', colour: COLOURS[4] }),
    ];
    const absolute = await writeImage(inputs, 'absolute.png', bytes[0]!);
    const viaUri = await writeImage(inputs, 'with space é.jpg', bytes[1]!);
    await writeImage(path.join(work, 'home', 'Pictures'), 'from-home.webp', bytes[2]!);
    assetUrl = h.simulator.hostAsset(bytes[3]!, 'public.png', 'image/png');

    // An image this server made earlier (an edit of a cyan card, so its colour is known), by its path.
    const cyan = await writeImage(inputs, 'cyan.png', { width: 256, height: 256, colour: COLOURS[5] });
    h.simulator.reset();
    const earlier = await edit({ prompt: 'keep it cyan', images: [cyan], output_format: 'png' });
    expect(earlier.isError, textOf(earlier)).toBeFalsy();
    const earlierPath = (earlier.structuredContent as { images: { path: string }[] }).images[0]!.path;
    bytes.push(await readFile(earlierPath));

    sources = [
      absolute,
      pathToFileURL(viaUri).href,
      '~/Pictures/from-home.webp',
      assetUrl,
      dataUrl(bytes[4]!, 'image/jpeg'),
      earlierPath,
    ];
  });

  it('FLUX JSON path: local files and data URLs arrive as data URLs of the same bytes, the URL untouched', async () => {
    const result = await edit({ prompt: 'combine image 1 … image 6', images: sources, seed: 7 });
    const out = structured(result);
    const request = onlyApiRequest();
    expect(request.path).toBe('/v1/images/generations');
    expect(request.headers['content-type']).toBe('application/json');
    const body = request.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'model',
      'prompt',
      'input_image',
      'input_image_2',
      'input_image_3',
      'input_image_4',
      'input_image_5',
      'input_image_6',
      'seed',
    ]);
    expect(body.size).toBeUndefined(); // No size given: the gateway matches image 1.
    expect((body.input_image_2 as string).startsWith('data:image/jpeg;base64,')).toBe(true);
    expect((body.input_image_3 as string).startsWith('data:image/webp;base64,')).toBe(true);

    const arrived = jsonReferences(request);
    expect(arrived[3]).toBe(assetUrl);
    expect(arrived.map((a) => (typeof a === 'string' ? a : sha256(a)))).toEqual(
      bytes.map((b, i) => (i === 3 ? assetUrl : sha256(b))),
    );

    // The URL was fetched by the gateway, never by the server.
    const fetchedBy = h.simulator.assetRequests().map((r) => r.headers['user-agent']);
    expect(fetchedBy).toEqual([SIMULATOR_USER_AGENT]);

    // The output is the references side by side, image 1 on the left, at image 1's size.
    const saved = out.images[0]!;
    expect([saved.width, saved.height]).toEqual([512, 384]);
    expect(await stripColours(await readFile(saved.path), saved.width, saved.height, 6)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('records each input as given, with hash, size and dimensions, in the sidecar and the result', async () => {
    const result = await edit({ prompt: 'combine them', images: sources });
    const out = structured(result);
    const sidecar = await sidecarOf(out.images[0]!.path);
    expect(sidecar.inputs).toEqual(out.inputs);
    expect(sidecar.tool).toBe('edit_images');
    expect(sidecar.endpoint).toBe('/images/generations');
    const [absolute, uri, home, url, data, earlier] = out.inputs;
    expect(absolute).toEqual({
      role: 'image',
      index: 1,
      source: sources[0],
      kind: 'file',
      sha256: sha256(bytes[0]!),
      bytes: bytes[0]!.length,
      width: 512,
      height: 384,
      format: 'png',
      sent: 'original',
    });
    expect(uri).toMatchObject({
      index: 2,
      kind: 'file',
      source: sources[1],
      path: path.join(work, 'inputs', 'with space é.jpg'),
      sha256: sha256(bytes[1]!),
      format: 'jpeg',
    });
    expect(home).toMatchObject({
      index: 3,
      kind: 'file',
      source: '~/Pictures/from-home.webp',
      path: path.join(work, 'home', 'Pictures', 'from-home.webp'),
      width: 256,
      height: 256,
    });
    expect(url).toEqual({ role: 'image', index: 4, source: assetUrl, kind: 'url', sent: 'url' });
    expect(data).toMatchObject({
      index: 5,
      kind: 'data',
      sha256: sha256(bytes[4]!),
      bytes: bytes[4]!.length,
      width: 128,
      height: 128,
    });
    expect(data!.source).toMatch(/^data:image\/jpeg;base64,… \(data URL, [\d,]+ characters\)$/);
    expect(earlier).toMatchObject({ index: 6, kind: 'file', source: sources[5], sha256: sha256(bytes[5]!) });
    // A data URL's bytes are never written to disk.
    const sidecarText = await readFile(out.images[0]!.path.replace(/\.\w+$/, '.json'), 'utf8');
    expect(sidecarText).not.toContain(bytes[4]!.toString('base64').slice(0, 40));
    expect(sidecarText).not.toContain(TEST_KEY);
  });

  it('gpt-image-2 multipart path: image[] parts in order with names and types, the URL fetched by the server', async () => {
    const result = await edit({
      prompt: 'combine image 1 … image 6',
      images: sources,
      model: 'gpt-image-2',
      quality: 'low',
    });
    const out = structured(result);
    const request = onlyApiRequest();
    expect(request.path).toBe('/v1/images/edits');
    expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(request.form!.fields).toEqual({
      model: ['gpt-image-2'],
      prompt: ['combine image 1 … image 6'],
      quality: ['low'],
    });
    expect(request.form!.files.map((f) => [f.field, f.filename, f.contentType])).toEqual([
      ['image[]', 'image-1.png', 'image/png'],
      ['image[]', 'image-2.jpg', 'image/jpeg'],
      ['image[]', 'image-3.webp', 'image/webp'],
      ['image[]', 'image-4.png', 'image/png'],
      ['image[]', 'image-5.jpg', 'image/jpeg'],
      ['image[]', 'image-6.png', 'image/png'],
    ]);
    expect(uploadedFiles(request).map(([, b]) => sha256(b))).toEqual(bytes.map(sha256));

    // This time the server fetched the URL itself: once, with its own user agent, without the key.
    const fetches = h.simulator.assetRequests();
    expect(fetches).toHaveLength(1);
    expect(fetches[0]!.headers['user-agent']).toBe(USER_AGENT);
    expect(fetches[0]!.headers.authorization).toBeUndefined();
    expect(out.inputs[3]).toMatchObject({ kind: 'url', source: assetUrl, sha256: sha256(bytes[3]!), sent: 'original' });

    // Token usage is recorded in the result and the sidecar.
    expect(out.usage?.total_tokens).toBeGreaterThan(0);
    expect((await sidecarOf(out.images[0]!.path)).usage).toEqual(out.usage);
    expect(
      await stripColours(await readFile(out.images[0]!.path), out.images[0]!.width, out.images[0]!.height, 6),
    ).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps the order given: swapping two references swaps them on the wire and in the output', async () => {
    const swapped = [sources[1]!, sources[0]!];
    const out = structured(await edit({ prompt: 'two', images: swapped, model: 'flux-2-klein-4b', size: '512x256' }));
    const arrived = jsonReferences(onlyApiRequest()).map((a) => sha256(a as Buffer));
    expect(arrived).toEqual([sha256(bytes[1]!), sha256(bytes[0]!)]);
    expect(await stripColours(await readFile(out.images[0]!.path), 512, 256, 2)).toEqual([1, 0]);
  });

  it('sends the output parameters the model takes: Kontext with aspect_ratio, flex with steps', async () => {
    structured(
      await edit({
        prompt: 'make it night',
        images: [sources[0]!],
        model: 'flux-kontext-pro',
        aspect_ratio: '16:9',
        output_format: 'png',
      }),
    );
    expect(onlyApiRequest().json).toMatchObject({
      model: 'flux-kontext-pro',
      aspect_ratio: '16:9',
      output_format: 'png',
    });
    h.simulator.reset();
    structured(
      await edit({
        prompt: 'sharper lettering',
        images: [sources[0]!],
        model: 'flux-2-flex',
        steps: 20,
        guidance: 5,
        size: '1024x768',
      }),
    );
    expect(onlyApiRequest().json).toMatchObject({ model: 'flux-2-flex', steps: 20, guidance: 5, size: '1024x768' });
  });
});
