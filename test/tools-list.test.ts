/** What an agent learns from tools/list: names, schemas, annotations and a description it can act on. */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDIT_MODEL_IDS, GENERATION_MODEL_IDS, modelSpec } from '../src/catalog/models.js';
import { type Harness, startHarness } from './helpers/harness.js';

let h: Harness;
let tools: Tool[];
let tool: Tool;
beforeAll(async () => {
  h = await startHarness();
  tools = (await h.client.listTools()).tools;
  tool = tools.find((t) => t.name === 'generate_image')!;
});
afterAll(() => h.close());

describe('tools/list', () => {
  it('offers generate_image with a title and honest annotations', () => {
    expect(tools.map((t) => t.name)).toEqual(['generate_image', 'edit_images', 'list_images']);
    expect(tool.title).toBe('Generate image (FLUX / gpt-image-2)');
    expect(tool.annotations).toEqual({
      title: 'Generate image (FLUX / gpt-image-2)',
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    });
  });

  it('describes every model with speed and price, the size rule, and where images go', () => {
    const description = tool.description!;
    for (const id of GENERATION_MODEL_IDS) {
      const model = modelSpec(id);
      expect(description).toContain(
        `- ${id} — ${model.speed}, ${model.priceUsd === null ? 'billed by tokens' : `$${model.priceUsd}`}: `,
      );
    }
    expect(description).toContain('FLUX sizes are multiples of 16, 64–2048 px per side, at most 4 MP (2048x2048)');
    expect(description).toContain(`saved to disk (${h.outputDir})`);
    expect(description).toContain('Refer to the image later by that path');
  });

  it("has an input schema with the gateway's names, prompt required, model defaulting to flux-2-pro", () => {
    const schema = tool.inputSchema as unknown as {
      properties: Record<string, { description?: string; enum?: string[]; default?: unknown }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual([
      'prompt',
      'model',
      'size',
      'width',
      'height',
      'aspect_ratio',
      'seed',
      'safety_tolerance',
      'output_format',
      'prompt_upsampling',
      'steps',
      'guidance',
      'quality',
      'background',
      'output_compression',
      'filename',
    ]);
    expect(schema.required).toEqual(['prompt']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.model!.enum).toEqual(GENERATION_MODEL_IDS);
    expect(schema.properties.model!.default).toBe('flux-2-pro');
    for (const [name, property] of Object.entries(schema.properties)) expect(property.description, name).toBeTruthy();
    expect(schema.properties.steps!.description).toContain('flux-2-flex only');
    expect(schema.properties.quality!.description).toContain('gpt-image-2 only');
    expect(JSON.stringify(schema)).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it('declares the output schema of structuredContent', () => {
    const schema = tool.outputSchema as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['images', 'model', 'elapsedMs', 'attempts']);
    expect(Object.keys(schema.properties)).toEqual([
      'images',
      'model',
      'seed',
      'requestId',
      'elapsedMs',
      'attempts',
      'priceUsd',
      'usage',
      'notes',
    ]);
  });

  it('offers edit_images: images in order, the editing models, a mask, and the same output parameters', () => {
    const edit = tools.find((t) => t.name === 'edit_images')!;
    expect(edit.annotations).toEqual({
      ...tool.annotations,
      title: 'Edit or combine images (FLUX.2 / Kontext / gpt-image-2)',
    });
    const schema = edit.inputSchema as unknown as {
      properties: Record<string, { description?: string; enum?: string[]; default?: unknown; maxItems?: number }>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual([
      'prompt',
      'images',
      'model',
      'mask',
      'size',
      'width',
      'height',
      'aspect_ratio',
      'seed',
      'safety_tolerance',
      'output_format',
      'prompt_upsampling',
      'steps',
      'guidance',
      'quality',
      'background',
      'output_compression',
      'filename',
    ]);
    expect(schema.required).toEqual(['prompt', 'images']);
    expect(schema.properties.model!.enum).toEqual(EDIT_MODEL_IDS);
    expect(schema.properties.model!.default).toBe('flux-2-pro');
    expect(schema.properties.images!.maxItems).toBe(16);
    expect(schema.properties.mask!.description).toMatch(
      /^gpt-image-2 only: a PNG with alpha, exactly the size of image 1/,
    );
    for (const [name, property] of Object.entries(schema.properties)) expect(property.description, name).toBeTruthy();
    const description = edit.description!;
    expect(description).toContain('never base64');
    expect(description).toContain('Relative paths are refused');
    for (const id of EDIT_MODEL_IDS) expect(description).toContain(`- ${id} — `);
    expect(description).toContain('flux-kontext-pro — 5–6 s, $0.035, 1 reference:');
    expect(description).toContain(
      'gpt-image-2 — slow (up to minutes at high quality), billed by tokens, 16 references + mask:',
    );
    expect(Object.keys((edit.outputSchema as { properties: object }).properties)).toContain('inputs');
  });

  it('stays small: each tool costs little context in every session', () => {
    for (const listed of tools) expect(JSON.stringify(listed).length, listed.name).toBeLessThan(8000);
  });

  it('gives the server instructions that say to pass paths, not base64', () => {
    expect(h.client.getInstructions()).toContain('pass paths between calls, never base64');
  });
});
