/**
 * edit_images refuses before any paid call: every input check and cap gives an isError result
 * that names the image by number and source, says the rule and what to do, and the simulator's
 * log shows that no request was made.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, textOf } from './helpers/harness.js';
import { dataUrl, makeImage, writeImage } from './helpers/images.js';

let h: Harness;
let dir: string;
const files = {} as Record<
  | 'good'
  | 'tiny'
  | 'text'
  | 'gif'
  | 'empty'
  | 'folder'
  | 'fifo'
  | 'over20MB'
  | 'over50MB'
  | 'over20MP'
  | 'maskOk'
  | 'maskNoAlpha'
  | 'maskWrongSize'
  | 'maskJpeg'
  | 'unreadable',
  string
>;

/** A file of `size` bytes that takes no disk space: size checks come before any read. */
async function sparseFile(name: string, size: number): Promise<string> {
  const file = path.join(dir, name);
  const handle = await open(file, 'w');
  await handle.truncate(size);
  await handle.close();
  return file;
}

beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-checks-'));
  files.good = await writeImage(dir, 'good.png', { width: 256, height: 256 });
  files.tiny = await writeImage(dir, 'tiny.png', { width: 32, height: 32 });
  files.text = path.join(dir, 'notes.png');
  await writeFile(files.text, 'these are notes, not pixels');
  files.gif = path.join(dir, 'anim.gif');
  await writeFile(
    files.gif,
    await sharp({ create: { width: 80, height: 80, channels: 3, background: '#00f' } })
      .gif()
      .toBuffer(),
  );
  files.empty = path.join(dir, 'empty.png');
  await writeFile(files.empty, '');
  files.folder = path.join(dir, 'folder.png');
  await mkdir(files.folder);
  files.fifo = path.join(dir, 'pipe.png');
  execFileSync('mkfifo', [files.fifo]);
  files.over20MB = await sparseFile('big.png', 20_000_001);
  files.over50MB = await sparseFile('bigger.png', 50_000_001);
  files.over20MP = await writeImage(
    dir,
    'huge.png',
    await sharp({ create: { width: 5008, height: 4000, channels: 3, background: '#888' } })
      .png({ compressionLevel: 1 })
      .toBuffer(),
  );
  files.maskOk = await writeImage(dir, 'mask.png', { width: 256, height: 256, alpha: true });
  files.maskNoAlpha = await writeImage(dir, 'mask-opaque.png', { width: 256, height: 256 });
  files.maskWrongSize = await writeImage(dir, 'mask-small.png', { width: 128, height: 128, alpha: true });
  files.maskJpeg = await writeImage(dir, 'mask.jpg', { width: 256, height: 256, format: 'jpeg' });
  files.unreadable = await writeImage(dir, 'secret.png', { width: 256, height: 256 });
  await chmod(files.unreadable, 0o000);
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => h.simulator.reset());

const edit = (args: Record<string, unknown>): Promise<CallToolResult> =>
  h.call({ prompt: 'edit it', ...args }, 'edit_images');

/** Refused as invalid_argument, every fragment in the message, and nothing sent anywhere. */
async function expectRefused(args: Record<string, unknown>, ...fragments: string[]): Promise<string> {
  const result = await edit(args);
  const text = textOf(result);
  expect(result.isError, text).toBe(true);
  expect(text.startsWith('invalid_argument: '), text).toBe(true);
  for (const fragment of fragments) expect(text).toContain(fragment);
  expect(text).toContain('Nothing was sent to the gateway');
  expect(h.simulator.requests, 'no request of any kind').toEqual([]);
  return text;
}

describe('where an input is', () => {
  it('refuses a relative path, saying why and how to fix it', async () => {
    await expectRefused(
      { images: ['photos/cat.png'] },
      'image 1 "photos/cat.png" is a relative path',
      "this server's working directory is not yours",
      'absolute path',
    );
  });

  it('points a bare file name at the image of that name in the output directory', async () => {
    await writeImage(h.outputDir, '20261122-120000-earlier-abc123.png', { width: 64, height: 64 });
    await expectRefused(
      { images: ['20261122-120000-earlier-abc123.png'] },
      `"${path.join(h.outputDir, '20261122-120000-earlier-abc123.png')}"`,
    );
  });

  it('refuses a missing file, a directory, a FIFO and an empty file, each by number', async () => {
    const text = await expectRefused(
      { images: [path.join(dir, 'nope.png'), files.folder, files.fifo, files.empty] },
      `image 1 "${path.join(dir, 'nope.png')}" does not exist`,
      `image 2 "${files.folder}" is a directory`,
      `image 3 "${files.fifo}" is not a regular file`,
      `image 4 "${files.empty}" is an empty file`,
    );
    expect(text.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(3); // all four, in one answer
  });

  it('refuses a device, and follows a symlink to the image it points at', async () => {
    await expectRefused({ images: ['/dev/zero'] }, 'image 1 "/dev/zero" is not a regular file');
    const { symlink } = await import('node:fs/promises');
    const link = path.join(dir, 'link-to-good.png');
    await symlink(files.good, link);
    const result = await edit({ images: [link] });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect((result.structuredContent as { inputs: { source: string; path: string }[] }).inputs[0]).toMatchObject({
      source: link,
      path: files.good,
    });
  });

  it('refuses a data URL over the size limit from its length, before decoding it', async () => {
    await expectRefused(
      { images: [`data:image/png;base64,${'A'.repeat(26_700_000)}`] },
      'holds 20,025,000 bytes, over the 20 MB limit',
    );
  });

  it.skipIf(process.getuid?.() === 0)('refuses a file the server cannot read', async () => {
    await expectRefused({ images: [files.unreadable] }, 'permission denied');
  });

  it('refuses schemes it cannot read', async () => {
    await expectRefused(
      { images: ['ftp://example.com/a.png'] },
      'image 1 "ftp://example.com/a.png" uses a scheme this server cannot read',
    );
  });
});

describe('what an input is (by its bytes)', () => {
  it('refuses a text file named .png, and names a GIF for what it is', async () => {
    await expectRefused(
      { images: [files.good, files.text, files.gif] },
      `image 2 "${files.text}" is not an image`,
      'judged by its content',
      `image 3 "${files.gif}" is a GIF image`,
      'PNG, JPEG or WebP',
    );
  });

  it('refuses a data URL whose declared type is not its bytes, broken base64, and a non-image type', async () => {
    const jpeg = await makeImage({ width: 80, height: 80, format: 'jpeg' });
    await expectRefused(
      {
        images: [
          dataUrl(jpeg, 'image/png'),
          'data:image/png;base64,iVBORw0K#not*base64',
          'data:text/plain;base64,aGVsbG8=',
        ],
      },
      'image 1 data:image/png;base64,… (data URL, ',
      'declares image/png but holds jpeg bytes: use data:image/jpeg;base64',
      'image 2 data:image/png;base64,… (data URL, 41 characters) is not valid base64',
      'image 3 data:text/plain;base64,… (data URL, 31 characters) is not a data:image/png, image/jpeg or image/webp URL',
    );
  });

  it('refuses an image under 64 × 64', async () => {
    await expectRefused({ images: [files.tiny] }, `image 1 "${files.tiny}" is 32×32, under the minimum of 64×64`);
  });
});

describe('limits per model', () => {
  it('refuses a FLUX input over 20 MB before reading it, and over 20 MP', async () => {
    await expectRefused(
      { images: [files.over20MB, files.over20MP] },
      `image 1 "${files.over20MB}" is 20,000,001 bytes, over the 20 MB limit (20,000,000 bytes)`,
      `image 2 "${files.over20MP}" is 5008×4000 (20,032,000 px), over the 20,000,000 px limit`,
    );
  });

  it('takes a 20 MP+ input on gpt-image-2 (its pixel limit is higher) but refuses one over 50 MB', async () => {
    await expectRefused(
      { images: [files.over20MP, files.over50MB], model: 'gpt-image-2' },
      `image 2 "${files.over50MB}" is 50,000,001 bytes, over the 50 MB limit (50,000,000 bytes)`,
    );
  });

  it.each([
    ['flux-2-pro', 9, 8],
    ['flux-2-klein-4b', 5, 4],
    ['flux-kontext-max', 2, 1],
  ])(
    'caps %s at its reference count (%i given, %i allowed), suggesting models that take more',
    async (model, count, cap) => {
      const text = await expectRefused(
        { images: Array(count).fill(files.good), model },
        `images has ${count} entries, but ${model} takes at most ${cap}: remove ${count - cap}`,
      );
      expect(text).toContain('gpt-image-2 (16)');
    },
  );

  it('caps every model at 16 references in the schema', async () => {
    const result = await edit({ images: Array(17).fill(files.good), model: 'gpt-image-2' });
    expect(textOf(result)).toContain('invalid_argument: images takes at most 16 item(s)');
    expect(h.simulator.requests).toEqual([]);
  });

  it('reports output-parameter problems together with input-count problems', async () => {
    await expectRefused(
      { images: Array(2).fill(files.good), model: 'flux-kontext-pro', steps: 10 },
      'takes at most 1',
      'steps is only accepted by flux-2-flex',
    );
  });
});

describe('the mask', () => {
  it('is refused on FLUX models, naming the model that takes one', async () => {
    await expectRefused(
      { images: [files.good], mask: files.maskOk },
      'mask is only accepted by gpt-image-2 (model is flux-2-pro): remove mask or use model "gpt-image-2"',
    );
  });

  it('must have an alpha channel, be a PNG, and be the size of image 1', async () => {
    await expectRefused(
      { images: [files.good], mask: files.maskNoAlpha, model: 'gpt-image-2' },
      `mask "${files.maskNoAlpha}" is a PNG without an alpha channel`,
    );
    await expectRefused(
      { images: [files.good], mask: files.maskJpeg, model: 'gpt-image-2' },
      `mask "${files.maskJpeg}" is a jpeg image: a mask must be a PNG with an alpha channel`,
    );
    await expectRefused(
      { images: [files.good], mask: files.maskWrongSize, model: 'gpt-image-2' },
      `mask "${files.maskWrongSize}" is 128x128, but image 1 is 256x256 as sent: the mask must be exactly the size of image 1`,
    );
  });

  it('arrives, when good, as the mask part after the images', async () => {
    const result = await edit({ images: [files.good, files.good], mask: files.maskOk, model: 'gpt-image-2' });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [request] = h.simulator.apiRequests();
    expect(request!.form!.files.map((f) => [f.field, f.filename, f.contentType])).toEqual([
      ['image[]', 'image-1.png', 'image/png'],
      ['image[]', 'image-2.png', 'image/png'],
      ['mask', 'mask.png', 'image/png'],
    ]);
    expect(request!.form!.files[2]!.bytes.equals(await readFile(files.maskOk!))).toBe(true);
    expect((result.structuredContent as { inputs: { role: string }[] }).inputs.map((i) => i.role)).toEqual([
      'image',
      'image',
      'mask',
    ]);
  });
});

describe('URLs the server fetches (gpt-image-2)', () => {
  it('refuses a URL that answers 404, without calling the API', async () => {
    const missing = `${h.simulator.origin}/assets/000000000000/gone.png`;
    const result = await edit({ images: [missing], model: 'gpt-image-2' });
    const text = textOf(result);
    // The same sentence as for a closed port or a page that is not an image (test/hostile: no port scanning).
    expect(text).toContain(`invalid_argument: image 1 "${missing}" is not an image this server could fetch`);
    expect(h.simulator.apiRequests()).toEqual([]);
  });

  it('stops fetching a URL over the 50 MB input limit, and calls nothing', async () => {
    const url = h.simulator.hostAsset(Buffer.alloc(50_000_001), 'huge.png', 'image/png');
    const result = await edit({ images: [url], model: 'gpt-image-2' });
    expect(textOf(result)).toContain(
      `invalid_argument: image 1 "${url}" is not an image this server could fetch (no answer, an HTTP error, more than 50 MB`,
    );
    expect(h.simulator.apiRequests()).toEqual([]);
  });

  it('refuses a URL whose body is not an image', async () => {
    const url = h.simulator.hostAsset(Buffer.from('<html>login</html>'), 'page.html', 'text/html');
    const result = await edit({ images: [url], model: 'gpt-image-2' });
    expect(textOf(result)).toContain(`image 1 "${url}" is not an image`);
    expect(h.simulator.apiRequests()).toEqual([]);
  });
});
