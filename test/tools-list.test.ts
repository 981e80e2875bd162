/**
 * What an agent learns from tools/list: names, schemas, annotations and descriptions it can act
 * on; every fact needed to choose a model and a size said once; small enough to pay for in every
 * conversation; portable to every provider's strict mode; no path of the user's machine.
 */
import os from 'node:os';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDIT_MODEL_IDS, GENERATION_MODEL_IDS, MODELS, modelSpec } from '../src/catalog/models.js';
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

type Schema = {
  properties: Record<string, { description?: string; enum?: string[]; default?: unknown; maxItems?: number }>;
  required: string[];
  additionalProperties: boolean;
};

/** Every keyword used anywhere in a schema. */
function keywordsOf(node: unknown, found = new Set<string>()): Set<string> {
  if (typeof node !== 'object' || node === null) return found;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') {
      for (const child of Object.values(value as object)) keywordsOf(child, found);
      continue;
    }
    found.add(key);
    if (!Array.isArray(value)) keywordsOf(value, found);
  }
  return found;
}

describe('tools/list', () => {
  it('offers generate_image with a title and honest annotations', () => {
    expect(tools.map((t) => t.name)).toEqual(['generate_image', 'edit_images', 'wait_for_image', 'list_images']);
    expect(tool.title).toBe('Generate image (FLUX / gpt-image-2)');
    expect(tool.annotations).toEqual({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    });
  });

  it('describes every model once, with speed and price, and where images go', () => {
    const description = tool.description!;
    for (const model of MODELS) {
      expect(description).toContain(
        `- ${model.id} — ${model.speed}, ${model.priceUsd === null ? 'billed by tokens' : `$${model.priceUsd}`}: `,
      );
    }
    expect(description).toContain('refer to it later by the absolute path in the result');
    // The size rule lives on the size argument, once.
    const schema = tool.inputSchema as unknown as Schema;
    expect(schema.properties.size!.description).toContain(
      'FLUX: sides multiples of 16, 64–2048 px, at most 4 MP (2048x2048)',
    );
    // No other tool repeats the model menu.
    for (const other of tools.filter((t) => t !== tool)) {
      for (const model of MODELS) expect(other.description).not.toContain(`- ${model.id} — `);
    }
  });

  it("has an input schema with the gateway's names, prompt (or like) required, model defaulting to flux-2-pro", () => {
    const schema = tool.inputSchema as unknown as Schema;
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
      'count',
      'like',
      'filename',
      'preview',
    ]);
    // A prompt, or `like` with an earlier image's: the handler requires one of them.
    expect(schema.required ?? []).toEqual([]);
    expect(schema.properties.prompt!.description).toBeTruthy();
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.model!.enum).toEqual(GENERATION_MODEL_IDS);
    // `default` is refused by OpenAI's strict mode: the default is in the words.
    expect(schema.properties.model!.description).toContain('Default flux-2-pro');
    for (const [name, property] of Object.entries(schema.properties)) expect(property.description, name).toBeTruthy();
    expect(schema.properties.steps!.description).toContain('flux-2-flex only');
    expect(schema.properties.quality!.description).toContain('gpt-image-2 only');
    expect(schema.properties.steps!.description).toContain('1–50');
    expect(JSON.stringify(schema)).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it('advertises only keywords every provider takes in strict mode (OpenAI, Anthropic, Gemini)', () => {
    const portable = new Set([
      'type',
      'properties',
      'required',
      'additionalProperties',
      'items',
      'enum',
      'description',
    ]);
    for (const listed of tools) {
      const used = [...keywordsOf(listed.inputSchema)].filter((keyword) => !portable.has(keyword));
      expect(used, listed.name).toEqual([]);
    }
  });

  it('declares the output schema of structuredContent', () => {
    const schema = tool.outputSchema as { required: string[]; properties: Record<string, { enum?: string[] }> };
    // Both shapes: a finished call ("done", with images) and a handed-off one ("running", with a job).
    expect(schema.required).toEqual(['status', 'job', 'images', 'model', 'elapsedMs', 'next']);
    expect(schema.properties.status!.enum).toEqual(['done', 'running']);
    expect(Object.keys(schema.properties)).toEqual([
      'status',
      'job',
      'images',
      'model',
      'seed',
      'requestId',
      'elapsedMs',
      'usually',
      'attempts',
      'priceUsd',
      'usage',
      'notes',
      'failed',
      'next',
    ]);
  });

  it('offers edit_images: images in order, the editing models, a mask, and the same output parameters', () => {
    const edit = tools.find((t) => t.name === 'edit_images')!;
    expect(edit.title).toBe('Edit or combine images (FLUX.2 / Kontext / gpt-image-2)');
    expect(edit.annotations).toEqual(tool.annotations);
    const schema = edit.inputSchema as unknown as Schema;
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
      'count',
      'filename',
      'preview',
    ]);
    expect(schema.required).toEqual(['prompt', 'images']);
    expect(schema.properties.model!.enum).toEqual(EDIT_MODEL_IDS);
    expect(schema.properties.model!.description).toContain('Default flux-2-pro');
    expect(schema.properties.mask!.description).toMatch(
      /^gpt-image-2 only: a PNG with alpha, exactly the size of image 1/,
    );
    // What edit_images adds is described; the shared output parameters are generate_image's.
    for (const name of ['prompt', 'images', 'model', 'mask', 'size', 'aspect_ratio']) {
      expect(schema.properties[name]!.description, name).toBeTruthy();
    }
    const description = edit.description!;
    expect(description).toContain('never base64');
    expect(description).toContain('Relative paths are refused');
    expect(description).toContain('as in generate_image');
    const caps = EDIT_MODEL_IDS.map((id) => modelSpec(id).edits!.maxReferences);
    for (const cap of new Set(caps)) expect(description).toContain(`${cap} (`);
    expect(description).toContain('a mask only with gpt-image-2');
    expect(Object.keys((edit.outputSchema as { properties: object }).properties)).toContain('inputs');
  });

  it('stays within 10 KB of compact JSON, paid for in every conversation', () => {
    expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThanOrEqual(10_000);
  });

  it('names no path of the machine it runs on', () => {
    const listing = JSON.stringify({ tools });
    expect(listing).not.toContain(h.outputDir);
    expect(listing).not.toContain(os.homedir());
  });

  it('gives the server instructions that say to pass paths, not base64', () => {
    expect(h.client.getInstructions()).toContain('pass paths between calls, never base64');
  });
});
