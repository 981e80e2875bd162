/**
 * The simulator's rules as a spec: the gateway documentation's own examples, read through the
 * simulator's literal tables (documented-rules.ts) and its size arithmetic, with no HTTP. Each
 * expectation here is a sentence of the seeds; see the citations in documented-rules.ts.
 */
import { describe, expect, it } from 'vitest';
import { DOCUMENTED_MODELS, documentedModel } from '../../src/simulator/documented-rules.js';
import { sizeAtRatio, sizeMatching, sizeViolation, wireSizeText } from '../../src/simulator/output-size.js';
import { checkEditForm, checkGenerationBody, type SimulatedFile, WireError } from '../../src/simulator/wire-rules.js';

const flux = documentedModel('flux-2-pro')!.size;
const gpt = documentedModel('gpt-image-2')!.size;
const size = (text: string) => {
  const [width, height] = text.split('x').map(Number) as [number, number];
  return { width, height };
};

/** The envelope the gateway would answer with, or 'ok'. */
function answer(check: () => unknown): string | { param: string | null; message: string } {
  try {
    check();
    return 'ok';
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    return { param: error.param, message: error.message };
  }
}

describe('FLUX output sizes ([S2], [S3])', () => {
  it.each(['1280x720', '1920x1080', '2048x1024', '1456x1920', '1024x1024', '2048x2048', '64x64', '1080x1920'])(
    '%s is valid',
    (text) => expect(sizeViolation(size(text), flux)).toBeNull(),
  );

  it.each([
    ['1000x1000', 'width 1000 is not a multiple of 16'],
    ['3840x2160', 'width 3840 is above the maximum of 2048'],
    ['32x32', 'width 32 is below the minimum of 64'],
    ['2048x2064', 'height 2064 is above the maximum of 2048'],
    ['1920x1090', 'height 1090 is not a multiple of 16'],
  ])('%s is refused: %s', (text, message) => {
    expect(sizeViolation(size(text), flux)).toBe(message);
  });

  it('caps the area at 4 MP = 4,194,304 px: with sides of at most 2048, 2048 × 2048 is the largest', () => {
    expect(flux.maxPixels).toBe(2048 * 2048);
    expect(sizeViolation(size('2048x2048'), flux)).toBeNull();
  });
});

describe('gpt-image-2 output sizes ([GW] Parameters (gpt-image-2))', () => {
  it.each(['1024x1024', '1536x1024', '1024x1536', '2048x2048', '2048x1152', '3840x2160', '2160x3840'])(
    'preset %s is valid',
    (text) => expect(sizeViolation(size(text), gpt)).toBeNull(),
  );

  it.each([
    ['1024x1000', 'height 1000 is not a multiple of 16'],
    ['4096x1024', 'width 4096 is above the maximum of 3840'],
    ['800x800', '800x800 is 640000 px, under the minimum of 655360 px'],
    ['3840x2176', '3840x2176 is 8355840 px, over the maximum of 8294400 px'],
    ['2400x784', '2400x784 is longer than 3:1'],
  ])('%s is refused: %s', (text, message) => {
    expect(sizeViolation(size(text), gpt)).toBe(message);
  });

  it('takes the limits themselves: 3:1, 655,360 px and 8,294,400 px', () => {
    expect(sizeViolation(size('2400x800'), gpt)).toBeNull();
    expect(sizeViolation(size('1024x640'), gpt)).toBeNull();
    expect(sizeViolation(size('3840x2160'), gpt)).toBeNull();
  });
});

describe('sizes the simulator chooses', () => {
  it('renders about 1 MP for an aspect ratio, in multiples of 16', () => {
    expect(wireSizeText(sizeAtRatio(16 / 9, flux))).toBe('1360x768');
    expect(wireSizeText(sizeAtRatio(1, flux))).toBe('1024x1024');
    expect(wireSizeText(sizeAtRatio(21 / 9, flux))).toBe('1568x672');
  });

  it('always chooses a size the rules take, from 1:32 to 32:1 (FLUX) and 1:3 to 3:1 (gpt-image-2)', () => {
    for (let w = 1; w <= 32; w++) {
      for (const ratio of [w, 1 / w]) {
        expect(sizeViolation(sizeAtRatio(ratio, flux), flux), String(ratio)).toBeNull();
        if (w <= 3) expect(sizeViolation(sizeAtRatio(ratio, gpt), gpt), String(ratio)).toBeNull();
      }
    }
  });

  it("matches image 1 when the rules take its size, else the nearest valid size at image 1's ratio", () => {
    expect(sizeMatching(size('640x480'), flux)).toEqual(size('640x480'));
    expect(sizeMatching(size('1920x1080'), flux)).toEqual(size('1920x1080'));
    const phone = sizeMatching(size('4032x3024'), flux);
    expect(sizeViolation(phone, flux)).toBeNull();
    expect(phone.width / phone.height).toBeCloseTo(4 / 3, 1);
    const tiny = sizeMatching(size('128x96'), gpt);
    expect(sizeViolation(tiny, gpt)).toBeNull();
    expect(sizeViolation(sizeMatching(size('4000x500'), gpt), gpt)).toBeNull();
  });
});

describe('which model takes what, where', () => {
  it('lists every model of the seeds once', () => {
    expect(DOCUMENTED_MODELS.map((m) => m.id).sort()).toEqual(
      [
        'flux-2-max',
        'flux-2-pro',
        'flux-2-flex',
        'flux-2-klein-9b',
        'flux-2-klein-4b',
        'flux-kontext-max',
        'flux-kontext-pro',
        'flux-pro-1.1-ultra',
        'flux-pro-1.1',
        'flux-pro',
        'flux-dev',
        'gpt-image-2',
      ].sort(),
    );
  });

  it.each([
    [{ model: 'flux-2-pro', prompt: 'x', size: '1920x1080', seed: 42, output_format: 'png' }, 'ok'],
    [{ model: 'flux-2-klein-9b', prompt: 'x', prompt_upsampling: true }, 'ok'],
    [{ model: 'flux-2-flex', prompt: 'x', steps: 1, guidance: 1.5 }, 'ok'],
    [{ model: 'flux-2-max', prompt: 'x', width: 1920, height: 1080, safety_tolerance: 6 }, 'ok'],
    [{ model: 'flux-pro-1.1-ultra', prompt: 'x', aspect_ratio: '21:9' }, 'ok'],
    [{ model: 'gpt-image-2', prompt: 'x', size: 'auto', quality: 'high', background: 'opaque' }, 'ok'],
    [{ model: 'gpt-image-2', prompt: 'x', output_format: 'webp', output_compression: 80 }, 'ok'],
    [
      { model: 'flux-2-pro', prompt: 'x', aspect_ratio: '16:9' },
      { param: 'aspect_ratio', message: /Unknown/ },
    ],
    [
      { model: 'flux-2-pro', prompt: 'x', size: 'auto' },
      { param: 'size', message: /look like 1024x1024/ },
    ],
    [
      { model: 'flux-dev', prompt: 'x', steps: 20 },
      { param: 'steps', message: /Unknown/ },
    ],
    [
      { model: 'gpt-image-2', prompt: 'x', width: 1024, height: 1024 },
      { param: 'width', message: /Unknown/ },
    ],
    [
      { model: 'gpt-image-2', prompt: 'x', output_compression: 101 },
      { param: 'output_compression', message: /100/ },
    ],
    [
      { model: 'flux-2-flex', prompt: 'x', steps: 51 },
      { param: 'steps', message: /between 1 and 50/ },
    ],
    [
      { model: 'flux-2-flex', prompt: 'x', guidance: 1.4 },
      { param: 'guidance', message: /between 1.5 and 10/ },
    ],
    [
      { model: 'flux-2-pro', prompt: 'x', safety_tolerance: -1 },
      { param: 'safety_tolerance', message: /0 and 6/ },
    ],
    [
      { model: 'flux-2-pro', prompt: 'x', seed: 1.5 },
      { param: 'seed', message: /integer/ },
    ],
    [
      { model: 'gpt-image-2', prompt: 'x', quality: 'ultra' },
      { param: 'quality', message: /auto, low, medium/ },
    ],
    [{ model: 'flux-2-pro', prompt: 'x', aspect_ratio: '16:9', input_image: 'https://a/1.png' }, 'ok'],
    [
      { model: 'flux-kontext-max', prompt: 'x', input_image: 'https://a/1.png', input_image_2: 'https://a/2.png' },
      {
        param: 'input_image',
        message: 'flux-kontext-max takes at most 1 reference image(s); got 2',
      },
    ],
    [
      { model: 'gpt-image-2', prompt: 'x', input_image: 'https://a/1.png' },
      { param: 'input_image', message: /not take input images/ },
    ],
    [
      { model: 'flux-pro', prompt: 'x', input_image: 'https://a/1.png' },
      { param: 'input_image', message: /not take input images/ },
    ],
    [
      { model: 'flux-2-pro', prompt: 'x', input_image: 'ftp://a/1.png' },
      { param: 'input_image', message: /http\(s\) URL/ },
    ],
    [
      { model: 'flux-2-pro', prompt: 'x', aspect_ratio: '33:1', input_image: 'https://a/1.png' },
      {
        param: 'aspect_ratio',
        message: /aspect_ratio/,
      },
    ],
  ])('POST /images/generations %j → %j', (body, expected) => {
    const got = answer(() => checkGenerationBody(body));
    if (expected === 'ok') expect(got).toBe('ok');
    else expect(got).toMatchObject(expected as object);
  });

  const file = (field: string): SimulatedFile => ({
    field,
    filename: 'a.png',
    contentType: 'image/png',
    bytes: Buffer.alloc(0),
  });

  it.each([
    ['flux-2-pro', { size: ['1536x1024'] }, ['image[]', 'image[]', 'image[]'], 'ok'],
    ['flux-kontext-max', { size: ['1024x1024'] }, ['image[]'], 'ok'],
    ['gpt-image-2', { quality: ['high'], size: ['1536x1024'] }, ['image[]', 'mask'], 'ok'],
    ['gpt-image-2', {}, Array(16).fill('image[]'), 'ok'],
    [
      'gpt-image-2',
      {},
      Array(17).fill('image[]'),
      { param: 'image[]', message: 'gpt-image-2 takes at most 16 image(s); got 17' },
    ],
    ['flux-2-klein-4b', {}, Array(5).fill('image[]'), { param: 'image[]', message: /at most 4/ }],
    ['flux-2-pro', {}, ['image[]', 'mask'], { param: 'mask', message: 'flux-2-pro does not take a mask' }],
    ['flux-pro-1.1', {}, ['image[]'], { param: 'model', message: 'flux-pro-1.1 does not edit images' }],
    ['gpt-image-2', { input_fidelity: ['high'] }, ['image[]'], { param: 'input_fidelity', message: /Unknown/ }],
    ['gpt-image-2', { background: ['transparent'] }, ['image[]'], { param: 'background', message: /transparent/ }],
    [
      'flux-2-pro',
      { seed: ['7'], safety_tolerance: ['2'], steps: ['50'] },
      ['image[]'],
      { param: 'steps', message: /Unknown/ },
    ],
    ['flux-2-flex', { steps: ['50'], guidance: ['4.5'] }, ['image[]'], 'ok'],
  ])('POST /images/edits %s %j with %j → %j', (model, extra, parts, expected) => {
    const fields = { model: [model], prompt: ['x'], ...extra } as Record<string, string[]>;
    const got = answer(() => checkEditForm(fields, (parts as string[]).map(file)));
    if (expected === 'ok') expect(got).toBe('ok');
    else expect(got).toMatchObject(expected as object);
  });

  it('renders the default 1024x1024 for text-to-image, and leaves an edit without a size to image 1', () => {
    expect(checkGenerationBody({ model: 'flux-dev', prompt: 'x' }).size).toEqual(size('1024x1024'));
    expect(checkGenerationBody({ model: 'gpt-image-2', prompt: 'x', size: 'auto' }).size).toEqual(size('1024x1024'));
    expect(checkGenerationBody({ model: 'flux-2-pro', prompt: 'x', input_image: 'https://a/1.png' }).size).toBeNull();
    expect(checkEditForm({ model: ['gpt-image-2'], prompt: ['x'], size: ['auto'] }, [file('image[]')]).size).toBeNull();
  });

  it('answers FLUX with a URL in jpeg by default and gpt-image-2 with b64_json in png', () => {
    const facts = new Set(
      DOCUMENTED_MODELS.map((m) => `${m.id.startsWith('flux') ? 'FLUX' : m.id} ${m.delivery} ${m.defaultOutputFormat}`),
    );
    expect([...facts]).toEqual(['FLUX url jpeg', 'gpt-image-2 b64_json png']);
  });
});
