/**
 * planOutput on its own: for each model, the output arguments an agent gives become exactly the
 * wire fields that model takes, with a note for everything the server changed or dropped, or
 * one invalid_argument failure that lists every problem (and nothing is sent).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findModel } from '../../src/catalog/models.js';
import { ToolFailure } from '../../src/core/failure.js';
import { type OutputArgs, planOutput } from '../../src/pipeline/output-plan.js';

type Mode = 'generate' | 'edit';

/** The seed the server picks when none is given, with Math.random pinned to 0.5 (2^32 / 2). */
const PICKED_SEED = 2 ** 31;

beforeEach(() => {
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});
afterEach(() => {
  vi.restoreAllMocks();
});

function plan(modelId: string, args: OutputArgs, mode: Mode = 'generate', callerProblems: string[] = []) {
  const model = findModel(modelId);
  if (!model) throw new Error(`no model ${modelId}`);
  return planOutput(model, args, mode, callerProblems);
}

/** The failure planOutput throws: its category, its message lines, its hint. */
function refusal(modelId: string, args: OutputArgs, mode: Mode = 'generate', callerProblems: string[] = []) {
  try {
    plan(modelId, args, mode, callerProblems);
  } catch (error) {
    if (!(error instanceof ToolFailure)) throw error;
    return { category: error.category, lines: error.message.split('\n'), hint: error.details.hint };
  }
  throw new Error('planOutput accepted the arguments');
}

describe('sizes become the fields the model takes', () => {
  it.each<[string, OutputArgs, Mode, Record<string, unknown>, string[]]>([
    ['flux-2-pro', {}, 'generate', { seed: PICKED_SEED }, []],
    ['flux-2-pro', { size: '1024x768' }, 'generate', { size: '1024x768', seed: PICKED_SEED }, []],
    ['flux-2-pro', { size: ' 1024 X 768 ' }, 'generate', { size: '1024x768', seed: PICKED_SEED }, []],
    ['flux-2-pro', { width: 1280, height: 720 }, 'generate', { width: 1280, height: 720, seed: PICKED_SEED }, []],
    ['flux-2-pro', { size: '1920x1080' }, 'generate', { size: '1920x1080', seed: PICKED_SEED }, []],
    ['flux-2-max', { size: '2048x2048' }, 'edit', { size: '2048x2048', seed: PICKED_SEED }, []],
    ['gpt-image-2', { width: 1536, height: 1024 }, 'generate', { size: '1536x1024' }, []],
    ['gpt-image-2', { size: '3840x2160' }, 'generate', { size: '3840x2160' }, []],
    ['gpt-image-2', { size: 'auto' }, 'generate', { size: 'auto' }, []],
    ['gpt-image-2', { size: ' AUTO ' }, 'edit', { size: 'auto' }, []],
    ['gpt-image-2', {}, 'edit', {}, []],
    [
      'flux-dev',
      { width: 1024, height: 1536 },
      'generate',
      { width: 1024, height: 1536, seed: PICKED_SEED },
      ['flux-dev natively renders 256–1440 px per side in multiples of 32; the gateway may adjust 1024x1536.'],
    ],
    ['flux-pro-1.1', { size: '1024x1024' }, 'generate', { size: '1024x1024', seed: PICKED_SEED }, []],
    [
      'flux-pro-1.1-ultra',
      { size: '2048x2048' },
      'generate',
      { size: '2048x2048', seed: PICKED_SEED },
      [
        'flux-pro-1.1-ultra renders about 4 MP at the requested aspect ratio; the saved size may differ from the size asked for.',
      ],
    ],
  ])('%s %j (%s) → %j, notes %j', (model, args, mode, wire, notes) => {
    expect(plan(model, args, mode)).toEqual({ wire, seed: wire.seed, notes });
  });
});

describe('aspect_ratio: sent as is where the gateway takes it, else turned into a size', () => {
  it.each<[string, string, Mode, Record<string, unknown>, string[]]>([
    [
      'flux-2-pro',
      '16:9',
      'generate',
      { size: '1360x768', seed: PICKED_SEED },
      ['aspect_ratio 16:9 was sent as size 1360x768 (about 1 MP); give size for another resolution.'],
    ],
    [
      'flux-2-klein-4b',
      '1:1',
      'generate',
      { size: '1024x1024', seed: PICKED_SEED },
      ['aspect_ratio 1:1 was sent as size 1024x1024 (about 1 MP); give size for another resolution.'],
    ],
    ['flux-2-pro', '16:9', 'edit', { aspect_ratio: '16:9', seed: PICKED_SEED }, []],
    ['flux-2-flex', ' 9 : 16 ', 'edit', { aspect_ratio: '9:16', seed: PICKED_SEED }, []],
    ['flux-kontext-pro', '21:9', 'edit', { aspect_ratio: '21:9', seed: PICKED_SEED }, []],
    [
      'flux-pro-1.1-ultra',
      '21:9',
      'generate',
      { aspect_ratio: '21:9', seed: PICKED_SEED },
      [
        'flux-pro-1.1-ultra renders about 4 MP at the requested aspect ratio; the saved size may differ from the size asked for.',
      ],
    ],
    [
      'gpt-image-2',
      '16:9',
      'generate',
      { size: '1360x768' },
      ['aspect_ratio 16:9 was sent as size 1360x768 (about 1 MP); give size for another resolution.'],
    ],
    [
      'gpt-image-2',
      '3:2',
      'edit',
      { size: '1248x832' },
      ['aspect_ratio 3:2 was sent as size 1248x832 (about 1 MP); give size for another resolution.'],
    ],
  ])('%s %s (%s) → %j', (model, aspectRatio, mode, wire, notes) => {
    expect(plan(model, { aspect_ratio: aspectRatio }, mode)).toEqual({ wire, seed: wire.seed, notes });
  });
});

describe('seed', () => {
  it('sends the seed given, or picks one (0 … 2^32 − 1) and reports it, on every FLUX model', () => {
    expect(plan('flux-2-pro', { seed: 42 })).toMatchObject({ wire: { seed: 42 }, seed: 42 });
    expect(plan('flux-2-pro', { seed: 0 })).toMatchObject({ wire: { seed: 0 }, seed: 0 });
    expect(plan('flux-kontext-max', {}, 'edit')).toMatchObject({ wire: { seed: PICKED_SEED }, seed: PICKED_SEED });
    vi.mocked(Math.random).mockReturnValue(0.999_999_999_999);
    expect(plan('flux-dev', {}).seed).toBe(2 ** 32 - 1);
  });

  it('neither sends nor picks one for gpt-image-2', () => {
    expect(plan('gpt-image-2', {})).toEqual({ wire: {}, seed: undefined, notes: [] });
  });
});

describe('formats, compression and the other parameters', () => {
  it.each<[string, OutputArgs, Record<string, unknown>]>([
    ['flux-2-pro', { output_format: 'png' }, { seed: PICKED_SEED, output_format: 'png' }],
    [
      'flux-2-max',
      { safety_tolerance: 6, prompt_upsampling: true },
      { seed: PICKED_SEED, safety_tolerance: 6, prompt_upsampling: true },
    ],
    ['flux-2-flex', { steps: 20, guidance: 5 }, { seed: PICKED_SEED, steps: 20, guidance: 5 }],
    [
      'gpt-image-2',
      { output_format: 'webp', output_compression: 80 },
      { output_format: 'webp', output_compression: 80 },
    ],
    ['gpt-image-2', { output_format: 'jpeg', output_compression: 0 }, { output_format: 'jpeg', output_compression: 0 }],
    ['gpt-image-2', { quality: 'high', background: 'opaque' }, { quality: 'high', background: 'opaque' }],
    ['gpt-image-2', { output_format: 'png' }, { output_format: 'png' }],
  ])('%s %j → %j', (model, args, wire) => {
    expect(plan(model, args)).toEqual({ wire, seed: wire.seed, notes: [] });
  });

  it('drops prompt_upsampling on klein, which ignores it upstream, and says so', () => {
    for (const model of ['flux-2-klein-4b', 'flux-2-klein-9b']) {
      expect(plan(model, { prompt_upsampling: true, seed: 1 })).toEqual({
        wire: { seed: 1 },
        seed: 1,
        notes: [`prompt_upsampling was not sent: ${model} ignores it upstream.`],
      });
    }
  });

  it('orders the wire fields as the parameters are listed, whatever order the agent used', () => {
    const { wire } = plan('flux-2-flex', { guidance: 3, output_format: 'png', steps: 9, size: '512x512', seed: 3 });
    expect(Object.keys(wire)).toEqual(['size', 'seed', 'output_format', 'steps', 'guidance']);
  });
});

describe('problems: one invalid_argument failure listing them all', () => {
  const HINT = 'Nothing was sent to the gateway. Fix the arguments and call again.';

  it.each<[string, OutputArgs, Mode, string]>([
    [
      'flux-2-pro',
      { size: '1024x1024', width: 1024, height: 1024 },
      'generate',
      'give either size or width + height, not both',
    ],
    [
      'flux-2-pro',
      { size: '1024x1024', aspect_ratio: '1:1' },
      'generate',
      'give either a size (size, or width + height) or an aspect_ratio, not both: a size already fixes the aspect ratio',
    ],
    [
      'flux-2-pro',
      { width: 1024 },
      'generate',
      'width and height go together: add height (e.g. height 1024), or use size "WIDTHxHEIGHT"',
    ],
    ['flux-2-pro', { size: 'big' }, 'generate', 'size "big" is not of the form "WIDTHxHEIGHT" (e.g. "1024x1024")'],
    [
      'flux-2-pro',
      { size: 'auto' },
      'generate',
      'size "auto" is not accepted by flux-2-pro: omit size for the default 1024x1024, or give one such as "1024x1024"',
    ],
    [
      'flux-2-pro',
      { size: '1000x1000' },
      'generate',
      'size "1000x1000": width 1000 is not a multiple of 16: use 992 or 1008; height 1000 is not a multiple of 16: use 992 or 1008 (flux-2-pro takes sides multiples of 16, 64–2048 px, at most 4 MP (2048x2048)). Nearest valid: size "1008x1008"',
    ],
    [
      'flux-2-pro',
      { width: 32, height: 32 },
      'generate',
      'width 32 is below the minimum of 64: use 64; height 32 is below the minimum of 64: use 64 (flux-2-pro takes sides multiples of 16, 64–2048 px, at most 4 MP (2048x2048)). Nearest valid: width 64, height 64',
    ],
    [
      'gpt-image-2',
      { size: '4000x1000' },
      'generate',
      'size "4000x1000": width 4000 is above the maximum of 3840: use 3840; height 1000 is not a multiple of 16: use 992 or 1008; 4000x1000 has an aspect ratio of 4.00:1, over the limit of 3:1 (gpt-image-2 takes sides multiples of 16, longest side ≤ 3840, 0.7 MP–8.3 MP, ratio ≤ 3:1). Nearest valid: size "3008x1008"',
    ],
    [
      'flux-2-pro',
      { aspect_ratio: 'wide' },
      'generate',
      'aspect_ratio "wide" is not of the form "W:H" with whole numbers (e.g. "16:9")',
    ],
    [
      'flux-2-pro',
      { aspect_ratio: '100:1' },
      'edit',
      'aspect_ratio 100:1 cannot be met by flux-2-pro (sides multiples of 16, 64–2048 px, at most 4 MP (2048x2048)): use a ratio closer to square',
    ],
    ['gpt-image-2', { seed: 7 }, 'generate', 'seed is not accepted by gpt-image-2: remove seed'],
    [
      'flux-2-pro',
      { steps: 20 },
      'generate',
      'steps is only accepted by flux-2-flex (model is flux-2-pro): remove steps or use model "flux-2-flex"',
    ],
    [
      'flux-2-pro',
      { quality: 'high' },
      'generate',
      'quality is only accepted by gpt-image-2 (model is flux-2-pro): remove quality or use model "gpt-image-2"',
    ],
    [
      'flux-2-pro',
      { output_format: 'webp' },
      'generate',
      'output_format "webp" is not available on flux-2-pro: use jpeg or png',
    ],
    [
      'gpt-image-2',
      { output_compression: 80 },
      'generate',
      'output_compression applies only to jpeg or webp output, and the output format is png (the default): add output_format "jpeg" or "webp", or remove output_compression',
    ],
    [
      'gpt-image-2',
      { output_format: 'png', output_compression: 80 },
      'generate',
      'output_compression applies only to jpeg or webp output, and the output format is png: add output_format "jpeg" or "webp", or remove output_compression',
    ],
    [
      'gpt-image-2',
      { width: 1024, height: 1024, aspect_ratio: '1:1' },
      'edit',
      'give either a size (size, or width + height) or an aspect_ratio, not both: a size already fixes the aspect ratio',
    ],
  ])('%s %j (%s): %s', (model, args, mode, message) => {
    expect(refusal(model, args, mode)).toEqual({ category: 'invalid_argument', lines: [message], hint: HINT });
  });

  it("lists every problem, the caller's first, one per line", () => {
    expect(
      refusal('flux-2-pro', { steps: 20, output_format: 'webp', size: '1000x1024' }, 'generate', ['images: too many'])
        .lines,
    ).toEqual([
      'images: too many',
      '- steps is only accepted by flux-2-flex (model is flux-2-pro): remove steps or use model "flux-2-flex"',
      '- size "1000x1024": width 1000 is not a multiple of 16: use 992 or 1008 (flux-2-pro takes sides multiples of 16, 64–2048 px, at most 4 MP (2048x2048)). Nearest valid: size "1008x1024"',
      '- output_format "webp" is not available on flux-2-pro: use jpeg or png',
    ]);
  });
});
