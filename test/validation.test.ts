/**
 * Every enforced rule refuses the call with a clear invalid_argument result (field, value, rule,
 * nearest valid value) and the gateway simulator receives no request at all.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_META_KEY } from '../src/core/failure.js';
import { type Harness, startHarness, TEST_KEY, textOf } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(async () => {
  expect(h.simulator.requests, 'the gateway must receive nothing for invalid input').toEqual([]);
  expect(await h.outputFiles()).toEqual([]);
  h.simulator.reset();
});

async function refused(args: Record<string, unknown>): Promise<string> {
  const result = await h.call(args);
  expect(result.isError).toBe(true);
  expect(result.content).toHaveLength(1);
  const text = textOf(result);
  expect(text.split('\n')[0]).toMatch(/^invalid_argument: /);
  expect(result._meta?.[FAILURE_META_KEY]).toEqual({ category: 'invalid_argument' });
  expect(text).toContain('Nothing was sent to the gateway');
  expect(text).not.toContain('MCP error');
  return text;
}

const P = 'A lighthouse at dawn';

describe('FLUX sizes (enforced: ×16, 64–2048 per side, ≤ 4 MP)', () => {
  it('a side that is not a multiple of 16 gets both neighbours', async () => {
    const text = await refused({ prompt: P, width: 1000, height: 1024 });
    expect(text).toContain('width 1000 is not a multiple of 16: use 992 or 1008');
    expect(text).toContain('Nearest valid: width 1008, height 1024');
  });

  it("the gateway's own invalid examples are refused, with the nearest valid size", async () => {
    expect(await refused({ prompt: P, size: '1000x1000' })).toMatch(
      /^invalid_argument: size "1000x1000": width 1000 is not a multiple of 16: use 992 or 1008; height 1000 is not a multiple of 16: use 992 or 1008 .*Nearest valid: size "1008x1008"/,
    );
    const big = await refused({ prompt: P, size: '3840x2160' });
    expect(big).toContain('width 3840 is above the maximum of 2048: use 2048');
    expect(big).toContain('3840x2160 is 8,294,400 px, over the 4 MP (2048x2048) limit of 4,194,304 px');
    expect(big).toContain('Nearest valid: size "2048x1152"');
    const tiny = await refused({ prompt: P, size: '32x32' });
    expect(tiny).toContain('width 32 is below the minimum of 64: use 64');
    expect(tiny).toContain('Nearest valid: size "64x64"');
  });

  it('over 4 MP with every side in range keeps the aspect ratio in the suggestion', async () => {
    const text = await refused({ prompt: P, size: '2048x2064' });
    expect(text).toContain('2048x2064 is 4,227,072 px, over the 4 MP (2048x2048) limit of 4,194,304 px');
    expect(text).toContain('Nearest valid: size "2032x2048"');
  });

  it('size and width/height together, or width alone, are refused', async () => {
    expect(await refused({ prompt: P, size: '1024x1024', width: 1024, height: 1024 })).toContain(
      'give either size or width + height, not both',
    );
    expect(await refused({ prompt: P, width: 1024 })).toContain('width and height go together: add height');
  });

  it('a size that is not WIDTHxHEIGHT, and "auto" on FLUX, are refused', async () => {
    expect(await refused({ prompt: P, size: 'large' })).toContain(
      'size "large" is not of the form "WIDTHxHEIGHT" (e.g. "1024x1024")',
    );
    expect(await refused({ prompt: P, size: 'auto' })).toContain(
      'size "auto" is not accepted by flux-2-pro: omit size for the default 1024x1024',
    );
  });

  it('an aspect_ratio together with a size, or malformed, is refused', async () => {
    expect(await refused({ prompt: P, aspect_ratio: '16:9', size: '1024x1024' })).toContain(
      'give either a size (size, or width + height) or an aspect_ratio, not both',
    );
    expect(await refused({ prompt: P, aspect_ratio: 'wide' })).toContain(
      'aspect_ratio "wide" is not of the form "W:H"',
    );
    expect(await refused({ prompt: P, aspect_ratio: '100:1' })).toContain(
      'aspect_ratio 100:1 cannot be met by flux-2-pro',
    );
    // Also where the ratio is sent as is (ultra, and edits), not only where it becomes a size:
    // the property tests found edits passing it to a gateway that refuses it.
    expect(await refused({ prompt: P, model: 'flux-pro-1.1-ultra', aspect_ratio: '100:1' })).toContain(
      'aspect_ratio 100:1 cannot be met by flux-pro-1.1-ultra',
    );
    const edit = await h.call(
      { prompt: P, images: ['https://example.com/a.png'], aspect_ratio: '1:40' },
      'edit_images',
    );
    expect(textOf(edit)).toMatch(/^invalid_argument: aspect_ratio 1:40 cannot be met by flux-2-pro/);
  });
});

describe('gpt-image-2 sizes (presets or ×16, ≤ 3840, ratio ≤ 3:1, 655,360–8,294,400 px)', () => {
  it('refuses a side over 3840, a ratio over 3:1 and too few pixels, each with the nearest valid size', async () => {
    const over = await refused({ prompt: P, model: 'gpt-image-2', size: '4096x2304' });
    expect(over).toContain('width 4096 is above the maximum of 3840: use 3840');
    expect(over).toMatch(/Nearest valid: size "3840x2160"/);
    const ratio = await refused({ prompt: P, model: 'gpt-image-2', size: '3840x1024' });
    expect(ratio).toContain('has an aspect ratio of 3.75:1, over the limit of 3:1');
    expect(ratio).toContain('Nearest valid: size "3072x1024"');
    const small = await refused({ prompt: P, model: 'gpt-image-2', size: '512x512' });
    expect(small).toContain('512x512 is 262,144 px, under the minimum of 655,360 px');
    expect(small).toContain('Nearest valid: size "816x816"');
  });
});

describe('per-model parameters', () => {
  it('steps and guidance are refused on every model but flux-2-flex', async () => {
    expect(await refused({ prompt: P, steps: 30 })).toContain(
      'steps is only accepted by flux-2-flex (model is flux-2-pro): remove steps or use model "flux-2-flex"',
    );
    expect(await refused({ prompt: P, model: 'flux-2-klein-9b', guidance: 3 })).toContain(
      'guidance is only accepted by flux-2-flex (model is flux-2-klein-9b)',
    );
  });

  it('FLUX-only parameters are refused on gpt-image-2, and gpt-image-2 ones on FLUX', async () => {
    const text = await refused({
      prompt: P,
      model: 'gpt-image-2',
      seed: 1,
      safety_tolerance: 2,
      prompt_upsampling: true,
    });
    expect(text).toContain('seed is not accepted by gpt-image-2: remove seed');
    expect(text).toContain('- safety_tolerance is not accepted by gpt-image-2');
    expect(text).toContain('- prompt_upsampling is not accepted by gpt-image-2');
    expect(await refused({ prompt: P, quality: 'high' })).toContain(
      'quality is only accepted by gpt-image-2 (model is flux-2-pro)',
    );
    expect(await refused({ prompt: P, background: 'opaque' })).toContain('background is only accepted by gpt-image-2');
    expect(await refused({ prompt: P, output_compression: 50 })).toContain(
      'output_compression is only accepted by gpt-image-2',
    );
  });

  it('output formats are checked per model, and compression needs jpeg or webp', async () => {
    expect(await refused({ prompt: P, output_format: 'webp' })).toContain(
      'output_format "webp" is not available on flux-2-pro: use jpeg or png',
    );
    expect(await refused({ prompt: P, model: 'gpt-image-2', output_compression: 50 })).toContain(
      'output_compression applies only to jpeg or webp output, and the output format is png (the default): add output_format "jpeg" or "webp", or remove output_compression',
    );
    expect(await refused({ prompt: P, output_format: 'gif' })).toContain(
      'output_format "gif" is not one of jpeg, png, webp',
    );
  });

  it("a transparent background gets the gateway's reason and what to do instead", async () => {
    expect(await refused({ prompt: P, model: 'gpt-image-2', background: 'transparent' })).toContain(
      'background "transparent" is not accepted: gpt-image-2 cannot make transparent backgrounds (the gateway answers 400): use "opaque" or "auto"',
    );
  });
});

describe('ranges and types', () => {
  it.each([
    [{ safety_tolerance: 7 }, 'safety_tolerance 7 is above the maximum of 6: use 6'],
    [{ safety_tolerance: -1 }, 'safety_tolerance -1 is below the minimum of 0: use 0'],
    [{ model: 'flux-2-flex', steps: 51 }, 'steps 51 is above the maximum of 50: use 50'],
    [{ model: 'flux-2-flex', steps: 0 }, 'steps 0 is below the minimum of 1: use 1'],
    [{ model: 'flux-2-flex', guidance: 1 }, 'guidance 1 is below the minimum of 1.5: use 1.5'],
    [{ model: 'flux-2-flex', guidance: 12 }, 'guidance 12 is above the maximum of 10: use 10'],
    [{ model: 'flux-2-flex', steps: 20.5 }, 'steps must be a whole number, not 20.5'],
    [{ seed: -1 }, 'seed -1 is below the minimum of 0: use 0'],
    [{ seed: 1.5 }, 'seed must be a whole number, not 1.5'],
    [{ width: '1024', height: 1024 }, 'width must be a number, not the string "1024"'],
    [{ prompt_upsampling: 'yes' }, 'prompt_upsampling must be true or false, not the string "yes"'],
    [
      { model: 'gpt-image-2', output_format: 'jpeg', output_compression: 101 },
      'output_compression 101 is above the maximum of 100: use 100',
    ],
    [{ model: 'gpt-image-2', quality: 'ultra' }, 'quality "ultra" is not one of auto, low, medium, high'],
  ])('%j is refused', async (extra, message) => {
    expect(await refused({ prompt: P, ...extra })).toContain(message);
  });

  it('collects every problem, not just the first', async () => {
    const text = await refused({ prompt: P, seed: -1, safety_tolerance: 9 });
    expect(text.split('\n')[0]).toBe('invalid_argument: seed -1 is below the minimum of 0: use 0');
    expect(text).toContain('- safety_tolerance 9 is above the maximum of 6: use 6');
  });
});

describe('prompt, model and unknown arguments', () => {
  it('a missing, empty or blank prompt is refused', async () => {
    expect(await refused({})).toContain('prompt is required');
    expect(await refused({ prompt: '' })).toContain('prompt must not be empty');
    expect(await refused({ prompt: '   ' })).toContain('prompt must not be empty');
  });

  it('a prompt far over 32K tokens is refused', async () => {
    expect(await refused({ prompt: 'x'.repeat(130_000) })).toContain(
      'prompt is 130000 characters, over the limit of 128000',
    );
  });

  it('an unknown model gets the list, and a likely typo gets a suggestion', async () => {
    const text = await refused({ prompt: P, model: 'flux-2-pr' });
    expect(text).toContain('model "flux-2-pr" is not one of flux-2-pro, flux-2-max');
    expect(text).toContain('did you mean "flux-2-pro"?');
  });

  it('an editing-only model is not a generation model', async () => {
    const text = await refused({ prompt: P, model: 'flux-kontext-pro' });
    expect(text).toContain('model "flux-kontext-pro" is not one of');
    expect(text).toContain('gpt-image-2');
  });

  it('unknown arguments are refused, with advice for the usual ones', async () => {
    expect(await refused({ prompt: P, n: 2 })).toContain(
      'n is not an argument of this tool: one image per call (the gateway takes n = 1 only)',
    );
    expect(await refused({ prompt: P, negative_prompt: 'blur' })).toContain(
      'negative_prompt is not an argument of this tool: FLUX has no negative prompt',
    );
    expect(await refused({ prompt: P, sede: 3 })).toContain('sede is not an argument of this tool: did you mean seed?');
  });
});

describe('the API key', () => {
  it('a call without a key says how to set it, and sends nothing', async () => {
    const keyless = await startHarness({ config: { apiKey: undefined } });
    try {
      const result = await keyless.call({ prompt: P });
      expect(result.isError).toBe(true);
      const text = textOf(result);
      expect(text.split('\n')[0]).toBe('missing_api_key: APIYI_API_KEY is not set, so no image can be made');
      expect(text).toContain('"env": {"APIYI_API_KEY": "sk-..."}');
      expect(keyless.simulator.requests).toEqual([]);
    } finally {
      await keyless.close();
    }
  });

  it('invalid arguments never echo the key, even when it is passed as an argument value', async () => {
    const text = await refused({ prompt: P, model: TEST_KEY });
    expect(text).not.toContain(TEST_KEY);
    expect(h.logLines.join('')).not.toContain(TEST_KEY);
  });
});
