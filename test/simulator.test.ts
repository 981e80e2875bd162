/**
 * The gateway simulator on its own, over plain HTTP: it must be as strict as the gateway, answer
 * like it, and do what tests script.
 */
import { once } from 'node:events';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';

const KEY = 'sk-sim-test';
let sim: GatewaySimulator;

beforeAll(async () => {
  sim = await GatewaySimulator.start({ apiKey: KEY });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function generate(
  body: unknown,
  key = KEY,
): Promise<{ status: number; json: Record<string, any>; requestId: string | null }> {
  const response = await fetch(`${sim.baseUrl}/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as Record<string, any>,
    requestId: response.headers.get('x-request-id'),
  };
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe('answers like the gateway', () => {
  it('FLUX: a signed delivery URL to a real image of the requested size and format', async () => {
    const { status, json, requestId } = await generate({
      model: 'flux-2-pro',
      prompt: 'a cat',
      width: 640,
      height: 480,
      output_format: 'png',
    });
    expect(status).toBe(200);
    expect(requestId).toMatch(/^req_sim_/);
    expect(Object.keys(json).sort()).toEqual(['created', 'data']);
    const url = json.data[0].url as string;
    expect(url).toMatch(/\/results\/[0-9a-f]+\/sample\.png\?exp=\d+&sig=[0-9a-f]{64}$/);
    const meta = await sharp(await download(url)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 640, 480]);
  });

  it('gpt-image-2: b64_json and usage', async () => {
    const { json } = await generate({
      model: 'gpt-image-2',
      prompt: 'a cat',
      size: '1024x1536',
      output_format: 'jpeg',
    });
    expect(json.usage).toEqual({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    const meta = await sharp(Buffer.from(json.data[0].b64_json, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1024, 1536]);
  });

  it('draws different images for different prompts and seeds, the same for the same', async () => {
    const image = async (prompt: string, seed: number) =>
      download((await generate({ model: 'flux-2-klein-4b', prompt, seed, size: '256x256' })).json.data[0].url);
    const a = await image('a cat', 1);
    expect((await image('a cat', 1)).equals(a)).toBe(true);
    expect((await image('a dog', 1)).equals(a)).toBe(false);
    expect((await image('a cat', 2)).equals(a)).toBe(false);
  });

  it('logs each request with its parsed body and headers', async () => {
    await generate({ model: 'flux-2-pro', prompt: 'logged' });
    const [entry] = sim.apiRequests();
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/v1/images/generations',
      route: 'generations',
      status: 200,
      json: { model: 'flux-2-pro', prompt: 'logged' },
    });
    expect(entry!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(entry!.handledMs).toBeGreaterThan(0);
  });
});

describe('is as strict as the gateway', () => {
  it.each([
    [{ model: 'flux-2-pro', prompt: 'x', n: 2 }, 'n', /n must be 1/],
    [{ model: 'flux-2-pro', prompt: 'x', steps: 20 }, 'steps', /Unknown parameter: 'steps'/],
    [{ model: 'gpt-image-2', prompt: 'x', seed: 1 }, 'seed', /Unknown parameter: 'seed'/],
    [{ model: 'gpt-image-2', prompt: 'x', input_fidelity: 'high' }, 'input_fidelity', /Unknown parameter/],
    [
      { model: 'gpt-image-2', prompt: 'x', background: 'transparent' },
      'background',
      /transparent background is not supported/,
    ],
    [{ model: 'flux-2-pro', prompt: 'x', size: '1000x1000' }, 'size', /not a multiple of 16/],
    [{ model: 'flux-2-pro', prompt: 'x', size: '3840x2160' }, 'size', /above the maximum/],
    [{ model: 'flux-2-pro', prompt: 'x', width: 32, height: 32 }, 'width', /below the minimum/],
    [
      { model: 'flux-2-pro', prompt: 'x', size: '1024x1024', width: 1024, height: 1024 },
      'size',
      /either size or width\/height/,
    ],
    [{ model: 'flux-2-pro', prompt: 'x', width: 1024 }, 'height', /together/],
    [{ model: 'flux-2-pro', prompt: 'x', safety_tolerance: 7 }, 'safety_tolerance', /between 0 and 6/],
    [{ model: 'flux-2-flex', prompt: 'x', guidance: 11 }, 'guidance', /between 1.5 and 10/],
    [{ model: 'flux-2-pro', prompt: 'x', output_format: 'webp' }, 'output_format', /jpeg, png/],
    [{ model: 'flux-2-pro', prompt: '' }, 'prompt', /prompt is required/],
    [{ model: 'flux-9', prompt: 'x' }, 'model', /not available/],
    [{ model: 'flux-kontext-pro', prompt: 'x' }, 'input_image', /send input_image/],
    [
      {
        model: 'flux-2-klein-4b',
        prompt: 'x',
        input_image: 'https://a/1.png',
        input_image_2: 'https://a/2.png',
        input_image_3: 'https://a/3.png',
        input_image_4: 'https://a/4.png',
        input_image_5: 'https://a/5.png',
      },
      'input_image',
      /at most 4/,
    ],
  ])('%j → 400 on %s', async (body, param, message) => {
    const { status, json, requestId } = await generate(body);
    expect(status).toBe(400);
    expect(requestId).toBeTruthy();
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(json.error.message).toMatch(message);
  });

  it('accepts prompt_upsampling on klein (it is ignored upstream, not refused)', async () => {
    expect((await generate({ model: 'flux-2-klein-9b', prompt: 'x', prompt_upsampling: true })).status).toBe(200);
  });

  it('refuses a missing or wrong key with 401', async () => {
    const wrong = await generate({ model: 'flux-2-pro', prompt: 'x' }, 'sk-nope');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.type).toBe('authentication_error');
    const none = await fetch(`${sim.baseUrl}/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await fetch(`${sim.baseUrl}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(response.status).toBe(400);
  });
});

describe('delivery URLs', () => {
  it("expire after their TTL and answer 404, like the gateway's", async () => {
    const shortLived = await GatewaySimulator.start({ resultTtlMs: 0 });
    try {
      const response = await fetch(`${shortLived.baseUrl}/images/generations`, {
        method: 'POST',
        headers: { authorization: 'Bearer any', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'flux-2-pro', prompt: 'x' }),
      });
      const url = ((await response.json()) as { data: { url: string }[] }).data[0]!.url;
      expect((await fetch(url)).status).toBe(404);
    } finally {
      await shortLived.close();
    }
  });

  it('refuse a tampered signature', async () => {
    const url = (await generate({ model: 'flux-2-pro', prompt: 'x' })).json.data[0].url as string;
    // Change the signature's first digit to a different one (replacing it with a fixed digit
    // would leave it unchanged one time in sixteen).
    const tampered = url.replace(/sig=(.)/, (_match, digit: string) => `sig=${digit === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(404);
  });
});

describe('scripting', () => {
  it('answers scripted status, headers and body in order, then behaves normally again', async () => {
    sim.enqueue(
      { status: 503, headers: { 'retry-after': '2' }, body: { error: { message: 'busy' } } },
      { status: 502, body: '<html>bad gateway</html>' },
    );
    const first = await fetch(`${sim.baseUrl}/images/generations`, { method: 'POST', body: '{}' });
    expect([first.status, first.headers.get('retry-after'), await first.text()]).toEqual([
      503,
      '2',
      '{"error":{"message":"busy"}}',
    ]);
    expect(first.headers.get('x-request-id')).toBeTruthy();
    const second = await fetch(`${sim.baseUrl}/images/generations`, { method: 'POST', body: '{}' });
    expect([second.status, second.headers.get('content-type'), await second.text()]).toEqual([
      502,
      'text/html',
      '<html>bad gateway</html>',
    ]);
    expect((await generate({ model: 'flux-2-pro', prompt: 'x' })).status).toBe(200);
  });

  it('drops a connection, truncates a body, and hangs until the client gives up', async () => {
    sim.enqueue({ drop: true });
    await expect(fetch(`${sim.baseUrl}/images/generations`, { method: 'POST', body: '{}' })).rejects.toThrow();

    sim.enqueue({ status: 200, body: 'x'.repeat(5000), truncateAfterBytes: 100 });
    const truncated = await fetch(`${sim.baseUrl}/images/generations`, { method: 'POST', body: '{}' });
    await expect(truncated.text()).rejects.toThrow();

    sim.enqueue({ hang: true });
    const controller = new AbortController();
    const arrived = once(sim, 'request');
    const pending = fetch(`${sim.baseUrl}/images/generations`, {
      method: 'POST',
      body: '{}',
      signal: controller.signal,
    });
    await arrived;
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(sim.apiRequests()[2]!.status).toBeUndefined();
  });

  it('holds an answer until the test lets it go', async () => {
    let finish!: () => void;
    sim.enqueue({ holdUntil: new Promise<void>((resolve) => (finish = resolve)) });
    let answered = false;
    const arrived = once(sim, 'request');
    const pending = generate({ model: 'flux-2-pro', prompt: 'held' }).then((answer) => {
      answered = true;
      return answer;
    });
    await arrived;
    // A round trip through the simulator after the held request: the held one is still open.
    expect((await generate({ model: 'flux-2-pro', prompt: 'other' })).status).toBe(200);
    expect(answered).toBe(false);
    finish();
    expect((await pending).status).toBe(200);
  });

  it('scripts delivery answers separately from the API', async () => {
    sim.enqueueDelivery({ status: 404, body: 'gone' });
    const url = (await generate({ model: 'flux-2-pro', prompt: 'x' })).json.data[0].url as string;
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('the multipart edits endpoint', () => {
  const png = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 1 } } })
      .png()
      .toBuffer();

  it("takes image[] files in order and answers gpt-image-2 with b64_json of image 1's size", async () => {
    const form = new FormData();
    form.append('model', 'gpt-image-2');
    form.append('prompt', 'blend image 1 and image 2');
    form.append('image[]', new Blob([await png(1024, 768)], { type: 'image/png' }), 'one.png');
    form.append('image[]', new Blob([await png(512, 512)], { type: 'image/png' }), 'two.png');
    const response = await fetch(`${sim.baseUrl}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: form,
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { data: { b64_json: string }[] };
    const meta = await sharp(Buffer.from(json.data[0]!.b64_json, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 768]);
    const [entry] = sim.apiRequests();
    expect(entry!.form!.files.map((f) => [f.field, f.filename, f.contentType])).toEqual([
      ['image[]', 'one.png', 'image/png'],
      ['image[]', 'two.png', 'image/png'],
    ]);
    expect(entry!.form!.fields).toEqual({ model: ['gpt-image-2'], prompt: ['blend image 1 and image 2'] });
  });

  it('refuses a mask on FLUX, too many images, and a file that is not an image', async () => {
    const post = async (build: (form: FormData) => Promise<void>) => {
      const form = new FormData();
      await build(form);
      const response = await fetch(`${sim.baseUrl}/images/edits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
        body: form,
      });
      return { status: response.status, json: (await response.json()) as { error: { message: string } } };
    };
    const image = new Blob([await png(256, 256)], { type: 'image/png' });
    const mask = await post(async (f) => {
      f.append('model', 'flux-2-pro');
      f.append('prompt', 'x');
      f.append('image[]', image, 'a.png');
      f.append('mask', image, 'm.png');
    });
    expect([mask.status, mask.json.error.message]).toEqual([400, 'flux-2-pro does not take a mask']);
    const many = await post(async (f) => {
      f.append('model', 'flux-kontext-pro');
      f.append('prompt', 'x');
      f.append('image[]', image, 'a.png');
      f.append('image[]', image, 'b.png');
    });
    expect([many.status, many.json.error.message]).toEqual([400, 'flux-kontext-pro takes at most 1 image(s); got 2']);
    const text = await post(async (f) => {
      f.append('model', 'gpt-image-2');
      f.append('prompt', 'x');
      f.append('image[]', new Blob(['not an image'], { type: 'image/png' }), 'a.png');
    });
    expect([text.status, text.json.error.message]).toEqual([400, 'image 1 (a.png) is not a png, jpeg or webp image']);
  });
});

describe('JSON edits (input_image…)', () => {
  const image = (width: number, height: number, background: string, format: 'png' | 'jpeg' = 'png') =>
    sharp({ create: { width, height, channels: 3, background } })
      [format]()
      .toBuffer();
  const asDataUrl = (bytes: Buffer, type: string) => `data:${type};base64,${bytes.toString('base64')}`;

  it('matches image 1 when no size is sent, and renders the references side by side, in order', async () => {
    const red = await image(640, 480, '#ff0000');
    const blue = await image(320, 320, '#0000ff');
    const colourAt = async (bytes: Buffer, left: number) => {
      const part = await sharp(bytes).extract({ left, top: 100, width: 50, height: 50 }).png().toBuffer();
      const { channels } = await sharp(part).stats();
      return channels.map((c) => Math.round(c.mean));
    };
    const first = await generate({
      model: 'flux-2-pro',
      prompt: 'x',
      seed: 1,
      input_image: asDataUrl(red, 'image/png'),
      input_image_2: asDataUrl(blue, 'image/png'),
    });
    expect(first.status).toBe(200);
    const firstImage = await download(first.json.data[0].url);
    expect([(await sharp(firstImage).metadata()).width, (await sharp(firstImage).metadata()).height]).toEqual([
      640, 480,
    ]);
    expect((await colourAt(firstImage, 50))[0]).toBeGreaterThan(180);
    expect((await colourAt(firstImage, 500))[2]).toBeGreaterThan(180);

    const swapped = await generate({
      model: 'flux-2-pro',
      prompt: 'x',
      seed: 1,
      input_image: asDataUrl(blue, 'image/png'),
      input_image_2: asDataUrl(red, 'image/png'),
    });
    const swappedImage = await download(swapped.json.data[0].url);
    expect((await colourAt(swappedImage, 50))[2]).toBeGreaterThan(180);
  });

  it('fetches URL references itself, and refuses one it cannot fetch', async () => {
    const url = sim.hostAsset(await image(128, 128, '#00ff00'), 'g.png', 'image/png');
    expect((await generate({ model: 'flux-kontext-pro', prompt: 'x', input_image: url })).status).toBe(200);
    expect(sim.assetRequests()).toHaveLength(1);
    const missing = await generate({
      model: 'flux-kontext-pro',
      prompt: 'x',
      input_image: `${sim.origin}/assets/none/x.png`,
    });
    expect([missing.status, missing.json.error.message]).toEqual([
      400,
      'input_image could not be downloaded (HTTP 404)',
    ]);
  });

  it('refuses a data URL whose type is not its bytes, broken base64, a tiny image', async () => {
    const jpeg = await image(128, 128, '#123456', 'jpeg');
    const cases: [string, string][] = [
      [asDataUrl(jpeg, 'image/png'), 'input_image declares image/png but holds jpeg data'],
      ['data:image/png;base64,@@@@', 'input_image is not valid base64'],
      [asDataUrl(await image(32, 32, '#fff'), 'image/png'), 'input_image is 32x32, under the minimum of 64x64'],
    ];
    for (const [value, message] of cases) {
      const answer = await generate({ model: 'flux-2-pro', prompt: 'x', input_image: value });
      expect([answer.status, answer.json.error.message]).toEqual([400, message]);
    }
  });
});

describe('multipart masks', () => {
  const rgba = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
  const rgb = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 3, background: '#000' } })
      .png()
      .toBuffer();

  async function editWithMask(mask: Buffer): Promise<{ status: number; message?: string }> {
    const form = new FormData();
    form.append('model', 'gpt-image-2');
    form.append('prompt', 'fill the hole');
    form.append('image[]', new Blob([await rgb(256, 256)], { type: 'image/png' }), 'image-1.png');
    form.append('mask', new Blob([mask], { type: 'image/png' }), 'mask.png');
    const response = await fetch(`${sim.baseUrl}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: form,
    });
    const json = (await response.json()) as { error?: { message: string } };
    return { status: response.status, ...(json.error ? { message: json.error.message } : {}) };
  }

  it("takes a PNG mask with alpha of image 1's size, and refuses one without alpha or of another size", async () => {
    expect(await editWithMask(await rgba(256, 256))).toEqual({ status: 200 });
    expect(await editWithMask(await rgb(256, 256))).toEqual({
      status: 400,
      message: 'mask must be a PNG with an alpha channel',
    });
    expect(await editWithMask(await rgba(128, 256))).toEqual({
      status: 400,
      message: 'mask is 128x256 but image 1 is 256x256: they must match',
    });
  });
});
