/**
 * Hostile: inputs that cost far more to handle than to send. Findings: decompression bombs (a
 * small WebP or PNG, a JPEG with an EXIF rotation) decoded in full, gpt-image-2 inputs with no
 * pixel limit, a gateway answer that is a bomb, a multi-MB model name or argument key fed to an
 * edit distance, and a big HTML error body fed to a backtracking regular expression. Each must be
 * answered without the work: refused from a header, bounded by a limit, parsed in one pass. (These
 * tests carry no timing assertion; the old code took minutes on them, past the test timeout.)
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closest, MAX_SUGGESTION_INPUT } from '../../src/core/text.js';
import { readErrorBody } from '../../src/gateway/errors.js';
import { readImageHeader } from '../../src/imaging/inspect.js';
import { applyNormalization, planNormalization } from '../../src/pipeline/inputs/normalize.js';
import { type Harness, startHarness, textOf } from '../helpers/harness.js';
import { dataUrl, makeImage } from '../helpers/images.js';
import { BOMB_SIDE, jpegBomb, pngBomb, webpBomb } from './helpers.js';

let h: Harness;
let dir: string;
const bombs: Record<'png' | 'webp' | 'jpeg', string> = { png: '', webp: '', jpeg: '' };
beforeAll(async () => {
  h = await startHarness({ config: { maxRetries: 0 } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-bombs-'));
  const made = { png: pngBomb(), webp: await webpBomb(), jpeg: await jpegBomb() };
  for (const [format, bytes] of Object.entries(made)) {
    expect(bytes.length, format).toBeLessThan(100_000);
    bombs[format as keyof typeof bombs] = path.join(dir, `bomb.${format}`);
    await writeFile(bombs[format as keyof typeof bombs], bytes);
  }
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => h.simulator.reset());

const pixels = (BOMB_SIDE * BOMB_SIDE).toLocaleString('en-US');

describe('decompression bombs as inputs', () => {
  it.each([
    ['png', 'gpt-image-2', '33,177,600'],
    ['webp', 'gpt-image-2', '33,177,600'],
    ['jpeg', 'gpt-image-2', '33,177,600'],
    ['png', 'flux-2-pro', '20,000,000'],
    ['webp', 'flux-2-pro', '20,000,000'],
    ['jpeg', 'flux-kontext-pro', '20,000,000'],
  ] as const)('a %s bomb on %s is refused from its header, before any decode', async (format, model, limit) => {
    const result = await h.call({ prompt: 'x', images: [bombs[format]], model }, 'edit_images');
    expect(textOf(result)).toContain(
      `is ${BOMB_SIDE}×${BOMB_SIDE} (${pixels} px), over the ${limit} px limit for this model's inputs`,
    );
    expect(h.simulator.apiRequests()).toEqual([]);
  });

  it('as a mask, a data URL or a URL too', async () => {
    const { readFile } = await import('node:fs/promises');
    const png = await readFile(bombs.png);
    const asset = h.simulator.hostAsset(png, 'bomb.png', 'image/png');
    const result = await h.call(
      { prompt: 'x', images: [dataUrl(png, 'image/png'), asset], mask: bombs.png, model: 'gpt-image-2' },
      'edit_images',
    );
    const text = textOf(result);
    for (const label of ['image 1', 'image 2', 'mask'])
      expect(text).toMatch(new RegExp(`${label} .*over the 33,177,600 px limit`));
    expect(h.simulator.apiRequests()).toEqual([]);
  });

  it('every decode is bounded too: normalizing a file that lies about its size fails fast', async () => {
    const header = (await readImageHeader(bombs.jpeg))!;
    const plan = planNormalization(header, { maxBytes: 1e9, maxPixels: 1e12, minSide: 1, sendAs: null })!;
    expect(plan.orientation).toBe(6);
    await expect(applyNormalization(bombs.jpeg, header, plan, path.join(dir, 'out.jpg'), 20_000_000)).rejects.toThrow(
      /pixel limit/,
    );
  });
});

describe('a decompression bomb as the gateway’s answer', () => {
  it('is saved (it was paid for) but never decoded for the preview', async () => {
    const { readFile } = await import('node:fs/promises');
    const png = await readFile(bombs.png);
    h.simulator.enqueue({ status: 200, body: { created: 1, data: [{ b64_json: png.toString('base64') }] } });
    // The preview asked for, so its absence is the refusal to decode, not the client's defaults.
    const result = await h.call({ prompt: 'x', model: 'gpt-image-2', preview: 'on' });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.content.map((block) => block.type)).toEqual(['text']);
    expect(h.logLines.some((line) => /preview of .* failed: .*pixel limit/.test(line))).toBe(true);
  });
});

describe('URL inputs and the concurrency limit', () => {
  it('are fetched only once the call has its slot, not while it waits in line', async () => {
    const one = await startHarness({ config: { maxConcurrent: 1 } });
    try {
      const asset = one.simulator.hostAsset(await makeImage({ width: 128, height: 128 }), 'late.png', 'image/png');
      one.simulator.enqueue({ delayMs: 300 });
      const atGateway = once(one.simulator, 'request');
      const first = one.call({ prompt: 'holds the only slot', seed: 1 });
      await atGateway;
      let queued!: () => void;
      const waiting = new Promise<void>((resolve) => {
        queued = resolve;
      });
      const second = one.client.callTool(
        { name: 'edit_images', arguments: { prompt: 'x', images: [asset], model: 'gpt-image-2', quality: 'low' } },
        undefined,
        { onprogress: (p) => p.message?.startsWith('queued') && queued() },
      );
      await waiting;
      expect(one.simulator.assetRequests()).toEqual([]);
      expect((await first).isError).toBeFalsy();
      expect((await second).isError).toBeFalsy();
      expect(one.simulator.assetRequests()).toHaveLength(1);
    } finally {
      await one.close();
    }
  });
});

describe('huge strings where a suggestion is looked for', () => {
  it('a multi-megabyte model name gets its answer without a suggestion, quoted short', async () => {
    const result = await h.call({ prompt: 'x', model: `flux-2-pro${'o'.repeat(3_000_000)}` });
    const text = textOf(result);
    expect(text).toMatch(/^invalid_argument: model "flux-2-proo+…" is not one of /);
    expect(text).not.toContain('did you mean');
    expect(text.length).toBeLessThan(2_000);
  });

  it('a multi-megabyte argument key, and thousands of keys, get short answers', async () => {
    const long = await h.call({ prompt: 'x', [`sede${'d'.repeat(3_000_000)}`]: 1 });
    expect(textOf(long)).toMatch(/^invalid_argument: "seded+…" is not an argument of this tool \(it takes prompt, /);
    expect(textOf(long).length).toBeLessThan(2_000);
    const many = await h.call({
      prompt: 'x',
      ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
    });
    const lines = textOf(many).split('\n');
    expect(lines.filter((line) => line.includes('is not an argument of this tool'))).toHaveLength(10);
    expect(textOf(many)).toContain('and 4990 more arguments this tool does not take');
    expect(h.simulator.apiRequests()).toEqual([]);
  });

  it('closest() looks only at short values', () => {
    expect(closest('sede', ['seed'])).toBe('seed');
    expect(closest('s'.repeat(MAX_SUGGESTION_INPUT + 1), ['seed'])).toBeUndefined();
  });
});

describe('huge gateway error bodies', () => {
  const titleBomb = (bytes: number): string => '<title'.repeat(Math.ceil(bytes / 6));

  it('an HTML page of 1 MB of "<title" is read from a bounded prefix, in one pass', async () => {
    h.simulator.enqueue({ status: 502, body: titleBomb(1_000_000) });
    const result = await h.call({ prompt: 'x', seed: 1 });
    expect(textOf(result)).toMatch(
      /^gateway_error: the gateway or the upstream provider failed \(HTTP 502: "an HTML page/,
    );
  });

  it('readErrorBody handles megabytes of HTML and of broken JSON', () => {
    expect(readErrorBody(Buffer.from(titleBomb(5_000_000)), 'text/html').message).toMatch(/^an HTML page/);
    const page = `<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(2_000_000)}</body></html>`;
    expect(readErrorBody(Buffer.from(page), 'text/html').message).toBe(
      'an HTML page ("502 Bad Gateway") instead of a JSON error',
    );
    expect(
      readErrorBody(Buffer.from(`{"error": {"message": "${'a'.repeat(3_000_000)}`), undefined).message!.length,
    ).toBeLessThan(400);
  });
});
