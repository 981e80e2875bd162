/**
 * The server's catalog (src/catalog/) against the simulator's independent transcription of the
 * gateway documentation (src/simulator/documented-rules.ts). The property tests only find a
 * server that is more lenient than the gateway, and only where random arguments happen to land;
 * this compares the two tables head on, in both directions. Where they differ on purpose, the
 * difference is listed below with its reason: change the list only when one side is shown wrong
 * against the seeds, never to make the two agree.
 */
import { describe, expect, it } from 'vitest';
import { MODELS, type ModelSpec, wireParams } from '../../src/catalog/models.js';
import {
  BACKGROUND_VALUES,
  GUIDANCE,
  OUTPUT_COMPRESSION,
  QUALITY_VALUES,
  SAFETY_TOLERANCE,
  SEED,
  STEPS,
} from '../../src/catalog/parameters.js';
import { sizeProblems } from '../../src/catalog/sizes.js';
import { DOCUMENTED_MODELS, ENUM_FIELDS, NUMBER_FIELDS } from '../../src/simulator/documented-rules.js';
import { sizeViolation } from '../../src/simulator/output-size.js';

const pairs = DOCUMENTED_MODELS.map((documented) => {
  const catalog: ModelSpec | undefined = MODELS.find((m) => m.id === documented.id);
  return { id: documented.id, documented, catalog: catalog! };
});

/** Side lengths on and around every documented limit. */
const SIDES = [
  1, 15, 16, 17, 48, 63, 64, 65, 80, 100, 256, 464, 467, 480, 512, 640, 720, 1000, 1008, 1024, 1080, 1088, 1152, 1280,
  1440, 1456, 1536, 1920, 2032, 2048, 2049, 2064, 2160, 2400, 3072, 3824, 3840, 3856, 4096,
];

describe('the catalog and the documentation agree', () => {
  it('on the list of models', () => {
    expect(MODELS.map((m) => m.id).sort()).toEqual(DOCUMENTED_MODELS.map((m) => m.id).sort());
  });

  it.each(pairs)('$id: endpoints, reference caps, mask, delivery and formats', ({ catalog, documented }) => {
    expect({
      textToImage: catalog.generates,
      jsonReferences: catalog.edits?.transport === 'json' ? catalog.edits.maxReferences : 0,
      // The server sends FLUX edits as JSON only, but its cap is the model's cap on either endpoint.
      multipartReferences: catalog.edits?.maxReferences ?? 0,
      mask: catalog.edits?.mask ?? false,
      delivery: catalog.delivery,
      outputFormats: [...catalog.outputFormats].sort(),
      defaultOutputFormat: catalog.defaultOutputFormat,
    }).toEqual({
      textToImage: documented.textToImage,
      jsonReferences: documented.jsonReferences,
      multipartReferences: documented.multipartReferences,
      mask: documented.mask,
      delivery: documented.delivery,
      outputFormats: [...documented.outputFormats].sort(),
      defaultOutputFormat: documented.defaultOutputFormat,
    });
  });

  it.each(pairs)('$id: the fields it sends are fields the gateway takes', ({ catalog, documented }) => {
    expect(wireParams(catalog).sort()).toEqual([...new Set([...documented.fields, ...documented.editFields])].sort());
  });

  it.each(pairs)('$id: the same output sizes are valid', ({ catalog, documented }) => {
    const disagreements: string[] = [];
    for (const width of SIDES) {
      for (const height of SIDES) {
        const server = sizeProblems({ width, height }, catalog.sizeRule).length === 0;
        const gateway = sizeViolation({ width, height }, documented.size) === null;
        if (server !== gateway) disagreements.push(`${width}x${height}: server ${server}, documentation ${gateway}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it.each(pairs.filter((p) => p.documented.inputs))(
    '$id: limits on reference images',
    ({ id, catalog, documented }) => {
      const rule = catalog.edits!.inputRule;
      const inputs = documented.inputs!;
      // Known difference: the seeds give gpt-image-2 inputs no pixel limit; the server caps them
      // (an 8K frame) so no input can make it decode gigabytes (SECURITY.md, decompression bombs).
      const documentedPixels = id === 'gpt-image-2' && inputs.maxPixels === null ? rule.maxPixels : inputs.maxPixels;
      expect({ maxBytes: rule.maxBytes, maxPixels: rule.maxPixels }).toEqual({
        maxBytes: inputs.maxBytes,
        maxPixels: documentedPixels,
      });
      // Known difference: the server refuses gpt-image-2 references under 64 px a side, a limit the
      // seeds document only for FLUX ([S0], [S1]); [S4] gives none for gpt-image-2.
      expect(rule.minSide).toBe(id === 'gpt-image-2' ? 64 : inputs.minSide);
    },
  );

  it('on numeric ranges and allowed values', () => {
    const catalog = {
      safety_tolerance: SAFETY_TOLERANCE,
      steps: STEPS,
      guidance: GUIDANCE,
      output_compression: OUTPUT_COMPRESSION,
    };
    for (const [name, rule] of Object.entries(catalog)) {
      expect({ integer: rule.integer, min: rule.min, max: rule.max }, name).toEqual(NUMBER_FIELDS[name]);
    }
    // Known difference: the server refuses negative seeds; the seeds say only "seed integer".
    expect([SEED.integer, SEED.min]).toEqual([NUMBER_FIELDS.seed!.integer, 0]);
    expect([...QUALITY_VALUES].sort()).toEqual([...ENUM_FIELDS.quality!].sort());
    expect([...BACKGROUND_VALUES].sort()).toEqual([...ENUM_FIELDS.background!].sort());
  });
});
