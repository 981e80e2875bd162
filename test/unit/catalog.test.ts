/**
 * The catalog against the gateway's documentation: every documented model is there with its
 * documented facts, and the size rules accept and refuse the documented examples.
 */
import { describe, expect, it } from 'vitest';
import {
  EDIT_MODEL_IDS,
  editingModel,
  FLUX_SIZE_RULE,
  GENERATION_MODEL_IDS,
  GPT_IMAGE_SIZE_RULE,
  MODELS,
  type ModelSpec,
  modelSpec,
  wireParams,
} from '../../src/catalog/models.js';
import { nearestValidSize, parseSize, sizeForAspectRatio, sizeProblems } from '../../src/catalog/sizes.js';

describe('models (gateway.md)', () => {
  it('lists every generation model, gpt-image-2 included, and every editing model', () => {
    expect(GENERATION_MODEL_IDS).toEqual([
      'flux-2-pro',
      'flux-2-max',
      'flux-2-flex',
      'flux-2-klein-9b',
      'flux-2-klein-4b',
      'flux-pro-1.1-ultra',
      'flux-pro-1.1',
      'flux-pro',
      'flux-dev',
      'gpt-image-2',
    ]);
    expect(EDIT_MODEL_IDS.sort()).toEqual(
      [
        'flux-2-flex',
        'flux-2-klein-4b',
        'flux-2-klein-9b',
        'flux-2-max',
        'flux-2-pro',
        'flux-kontext-max',
        'flux-kontext-pro',
        'gpt-image-2',
      ].sort(),
    );
  });

  it('has the documented reference caps, prices and formats', () => {
    const facts = Object.fromEntries(
      MODELS.map((m) => [m.id, [m.edits?.maxReferences ?? 0, m.priceUsd, m.outputFormats.join('/')]]),
    );
    expect(facts).toEqual({
      'flux-2-max': [8, 0.07, 'jpeg/png'],
      'flux-2-pro': [8, 0.03, 'jpeg/png'],
      'flux-2-flex': [8, 0.06, 'jpeg/png'],
      'flux-2-klein-9b': [4, 0.01, 'jpeg/png'],
      'flux-2-klein-4b': [4, 0.01, 'jpeg/png'],
      'flux-kontext-max': [1, 0.07, 'jpeg/png'],
      'flux-kontext-pro': [1, 0.035, 'jpeg/png'],
      'flux-pro-1.1-ultra': [0, 0.05, 'jpeg/png'],
      'flux-pro-1.1': [0, 0.035, 'jpeg/png'],
      'flux-pro': [0, 0.04, 'jpeg/png'],
      'flux-dev': [0, 0.02, 'jpeg/png'],
      'gpt-image-2': [16, null, 'png/jpeg/webp'],
    });
  });

  it('takes steps and guidance only on flux-2-flex, gpt-image-2 options only on gpt-image-2', () => {
    for (const model of MODELS as readonly ModelSpec[]) {
      expect(model.params.includes('steps'), model.id).toBe(model.id === 'flux-2-flex');
      expect(model.params.includes('guidance'), model.id).toBe(model.id === 'flux-2-flex');
      for (const p of ['quality', 'background', 'output_compression'] as const)
        expect(model.params.includes(p), `${model.id} ${p}`).toBe(model.id === 'gpt-image-2');
      expect(model.params.includes('seed'), model.id).toBe(model.id !== 'gpt-image-2');
    }
    expect(modelSpec('flux-2-klein-9b').ignoredUpstream).toEqual(['prompt_upsampling']);
  });

  it('puts width/height on the wire only where the model takes them, and never aspect_ratio for gpt-image-2', () => {
    expect(wireParams(modelSpec('gpt-image-2'))).not.toContain('width');
    expect(wireParams(modelSpec('gpt-image-2'))).not.toContain('aspect_ratio');
    expect(wireParams(modelSpec('flux-dev'))).not.toContain('aspect_ratio');
    expect(wireParams(modelSpec('flux-2-pro'))).toEqual(
      expect.arrayContaining(['size', 'width', 'height', 'aspect_ratio']),
    );
  });

  it('has the documented input limits: FLUX ≤ 20 MB, ≤ 20 MP, sent at ≤ 4 MP ×16; gpt-image-2 ≤ 50 MB and ≤ an 8K frame, with a mask', () => {
    for (const id of EDIT_MODEL_IDS) {
      const { edits } = editingModel(id);
      const gpt = id === 'gpt-image-2';
      expect(edits.transport, id).toBe(gpt ? 'multipart' : 'json');
      expect(edits.mask, id).toBe(gpt);
      expect(edits.inputRule, id).toEqual(
        gpt
          ? { maxBytes: 50_000_000, maxPixels: 7680 * 4320, minSide: 64, sendAs: null }
          : {
              maxBytes: 20_000_000,
              maxPixels: 20_000_000,
              minSide: 64,
              sendAs: { maxPixels: 2048 * 2048, multipleOf: 16 },
            },
      );
    }
  });

  it('gives the slow models longer timeouts than the fast ones', () => {
    expect(modelSpec('flux-2-klein-4b').timeoutMs).toBeLessThan(modelSpec('flux-2-pro').timeoutMs);
    expect(modelSpec('flux-2-flex').timeoutMs).toBe(180_000);
    expect(modelSpec('gpt-image-2').timeoutMs).toBe(360_000);
  });
});

describe('size rules', () => {
  const size = (text: string) => parseSize(text)!;

  it("accepts the gateway's valid examples and refuses its invalid ones", () => {
    for (const ok of ['1280x720', '1920x1080', '2048x1024', '1456x1920', '2048x2048', '64x64']) {
      expect(sizeProblems(size(ok), FLUX_SIZE_RULE), ok).toEqual([]);
    }
    for (const bad of ['1000x1000', '3840x2160', '32x32', '2064x2048', '1080x1080', '1920x1072x']) {
      const parsed = parseSize(bad);
      if (parsed) expect(sizeProblems(parsed, FLUX_SIZE_RULE).length, bad).toBeGreaterThan(0);
    }
  });

  it('accepts 1920x1080 (documented valid, though 1080 is not ×16) but no other side of 1080', () => {
    expect(sizeProblems(size('1920x1080'), FLUX_SIZE_RULE)).toEqual([]);
    expect(sizeProblems(size('1080x1920'), FLUX_SIZE_RULE)).toEqual([]);
    expect(sizeProblems(size('1440x1080'), FLUX_SIZE_RULE)).toEqual([
      'height 1080 is not a multiple of 16: use 1072 or 1088',
    ]);
  });

  it('accepts every gpt-image-2 preset', () => {
    for (const preset of GPT_IMAGE_SIZE_RULE.presets!)
      expect(sizeProblems(size(preset), GPT_IMAGE_SIZE_RULE), preset).toEqual([]);
  });

  it('finds a nearest valid size that is valid, for awkward inputs', () => {
    for (const text of ['1000x1000', '3840x2160', '32x32', '5000x100', '100x5000', '2049x2049', '17x4000', '999x1']) {
      for (const rule of [FLUX_SIZE_RULE, GPT_IMAGE_SIZE_RULE]) {
        const nearest = nearestValidSize(size(text), rule);
        expect(sizeProblems(nearest, rule), `${text} → ${nearest.width}x${nearest.height}`).toEqual([]);
      }
    }
    expect(nearestValidSize(size('3840x2160'), FLUX_SIZE_RULE)).toEqual({ width: 2048, height: 1152 });
  });

  it('turns common aspect ratios into valid sizes of about 1 MP', () => {
    for (const [w, h] of [
      [1, 1],
      [16, 9],
      [9, 16],
      [4, 3],
      [3, 2],
      [2, 3],
      [21, 9],
    ] as const) {
      const result = sizeForAspectRatio({ w, h }, FLUX_SIZE_RULE)!;
      expect(sizeProblems(result, FLUX_SIZE_RULE)).toEqual([]);
      expect(result.width * result.height).toBeGreaterThan(850_000);
      expect(result.width * result.height).toBeLessThan(1_250_000);
    }
    expect(sizeForAspectRatio({ w: 1, h: 1 }, FLUX_SIZE_RULE)).toEqual({ width: 1024, height: 1024 });
    expect(sizeForAspectRatio({ w: 100, h: 1 }, FLUX_SIZE_RULE)).toBeNull();
  });

  it('parses sizes leniently (x, X, ×) and refuses anything else', () => {
    expect(parseSize('1024X768')).toEqual({ width: 1024, height: 768 });
    expect(parseSize(' 1024 × 768 ')).toEqual({ width: 1024, height: 768 });
    expect(parseSize('1024')).toBeNull();
    expect(parseSize('1024x768px')).toBeNull();
  });
});
