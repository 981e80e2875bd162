/**
 * Lookups over the catalog (total over the known ids, routes derived from each model's data) and
 * the words rendered from it for titles, descriptions and messages.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptedBy,
  aspectRatioText,
  compactIds,
  editDefaultSizeText,
  inputLimitsText,
  modelsByFamily,
  modelsByProvider,
  modelsTaking,
  modelsWithMakers,
  outputFormatsText,
  referenceCapsText,
} from '../src/catalog/describe.js';
import { ENDPOINTS, GENERATION_ROUTE } from '../src/catalog/gateway.js';
import {
  catalogConcurrencyCaps,
  EDIT_MODEL_IDS,
  editingModel,
  fastestGeneratingModels,
  findModel,
  GENERATION_MODEL_IDS,
  MASK_MODEL_IDS,
  MODELS,
  modelSpec,
  routeOf,
} from '../src/catalog/models.js';
import { REFUSED_ARGUMENTS } from '../src/catalog/refused-arguments.js';

describe('lookups', () => {
  it('finds every model by its id, and nothing for other text', () => {
    for (const model of MODELS) {
      expect(modelSpec(model.id)).toBe(model);
      expect(findModel(model.id)).toBe(model);
    }
    expect(findModel('flux-3')).toBeUndefined();
    expect(findModel('FLUX-2-PRO')).toBeUndefined();
  });

  it('gives every editing model with its edits', () => {
    for (const id of EDIT_MODEL_IDS) expect(editingModel(id).edits.maxReferences).toBeGreaterThan(0);
    expect(MASK_MODEL_IDS).toEqual(['gpt-image-2']);
  });

  it('derives each request route from the catalog: generation by JSON, edits by the model transport', () => {
    for (const id of GENERATION_MODEL_IDS) expect(routeOf(modelSpec(id), 'generate')).toEqual(GENERATION_ROUTE);
    for (const id of EDIT_MODEL_IDS) {
      const { endpoint, transport } = routeOf(modelSpec(id), 'edit');
      expect(endpoint, id).toBe(transport === 'json' ? ENDPOINTS.generations : ENDPOINTS.edits);
    }
    expect(routeOf(modelSpec('flux-2-pro'), 'edit')).toEqual({ endpoint: '/images/generations', transport: 'json' });
    expect(routeOf(modelSpec('gpt-image-2'), 'edit')).toEqual({ endpoint: '/images/edits', transport: 'multipart' });
    expect(() => routeOf(modelSpec('flux-dev'), 'edit')).toThrow(/does not edit/);
    expect(() => routeOf(modelSpec('flux-kontext-pro'), 'generate')).toThrow(/does not generate/);
  });

  it('offers the generating models with the shortest timeout as the fast ones', () => {
    const fast = fastestGeneratingModels();
    expect(fast.map((m) => m.id)).toEqual(['flux-2-klein-9b', 'flux-2-klein-4b']);
    for (const id of GENERATION_MODEL_IDS) expect(modelSpec(id).timeoutMs).toBeGreaterThanOrEqual(fast[0]!.timeoutMs);
  });

  it('takes per-model caps from the catalog (BFL: 6 active tasks for flux-kontext-max)', () => {
    expect(catalogConcurrencyCaps()).toEqual({ 'flux-kontext-max': 6 });
  });

  it('names the models of every refused argument by known ids', () => {
    for (const refusal of REFUSED_ARGUMENTS)
      for (const id of refusal.models ?? []) expect(findModel(id), id).toBeDefined();
  });
});

describe('words from the catalog', () => {
  it('compacts ids that share a prefix', () => {
    expect(compactIds(['flux-2-pro', 'flux-2-max', 'flux-2-flex'])).toBe('flux-2-pro/max/flex');
    expect(compactIds(['flux-2-klein-9b', 'flux-2-klein-4b'])).toBe('flux-2-klein-9b/4b');
    expect(compactIds(['flux-dev', 'gpt-image-2'])).toBe('flux-dev, gpt-image-2');
    expect(compactIds(['flux-pro', 'flux-pro-1.1'])).toBe('flux-pro, flux-pro-1.1');
  });

  it('names models by provider, by family, or one by one', () => {
    expect(modelsByProvider(GENERATION_MODEL_IDS, ' / ')).toBe('FLUX / gpt-image-2');
    expect(modelsByProvider()).toBe('FLUX and gpt-image-2');
    expect(modelsWithMakers(GENERATION_MODEL_IDS)).toBe('FLUX (Black Forest Labs) or gpt-image-2 (OpenAI)');
    expect(modelsByFamily(EDIT_MODEL_IDS)).toBe('FLUX.2 / Kontext / gpt-image-2');
    expect(modelsByFamily(['flux-2-pro', 'flux-kontext-pro'])).toBe('flux-2-pro / flux-kontext-pro');
  });

  it('says which models take a parameter', () => {
    expect(acceptedBy('steps', GENERATION_MODEL_IDS)).toBe('flux-2-flex only');
    expect(acceptedBy('seed', EDIT_MODEL_IDS)).toBe('FLUX models only');
    expect(acceptedBy('size', GENERATION_MODEL_IDS)).toBe('');
    expect(acceptedBy('steps', ['flux-2-flex', 'flux-2-pro', 'gpt-image-2'])).toBe('flux-2-flex only');
    expect(acceptedBy('seed', ['flux-2-pro', 'flux-2-max', 'gpt-image-2'])).toBe('FLUX models only');
    expect(modelsTaking('safety_tolerance')).toBe('FLUX models');
  });

  it('renders formats, aspect ratios, edit defaults, reference caps and input limits', () => {
    expect(outputFormatsText(GENERATION_MODEL_IDS)).toBe(
      'FLUX jpeg (default) or png; gpt-image-2 png (default), jpeg or webp',
    );
    expect(aspectRatioText(EDIT_MODEL_IDS, 'edit')).toMatch(
      /: FLUX models take it as is \(default: image 1's\); gpt-image-2 gets a size of about 1 MP\.$/,
    );
    expect(aspectRatioText(GENERATION_MODEL_IDS, 'generate')).toMatch(
      /: flux-pro-1\.1-ultra takes it as is; the others get a size of about 1 MP\.$/,
    );
    expect(aspectRatioText(['flux-2-pro', 'gpt-image-2'], 'generate')).toMatch(
      /instead of a size; the server picks a size of about 1 MP\.$/,
    );
    expect(editDefaultSizeText(EDIT_MODEL_IDS)).toBe('FLUX matches image 1; gpt-image-2 "auto"');
    expect(referenceCapsText(EDIT_MODEL_IDS)).toBe(
      '8 (flux-2-pro/max/flex), 4 (flux-2-klein-9b/4b), 1 (Kontext), 16 (gpt-image-2)',
    );
    expect(inputLimitsText(EDIT_MODEL_IDS)).toBe(
      'at least 64×64; FLUX ≤ 20 MB and ≤ 20 MP, gpt-image-2 ≤ 50 MB and ≤ 33.2 MP',
    );
  });
});
