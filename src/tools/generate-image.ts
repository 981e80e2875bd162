/**
 * `generate_image`: a prompt in, a saved image out. Arguments are checked against the chosen
 * model's rules before anything is paid for; then one gateway call, the result saved at once.
 */
import * as z from 'zod';
import { modelLine, sizeSummary } from '../catalog/describe.js';
import { DEFAULT_MODEL, GENERATION_MODEL_IDS, getModel } from '../catalog/models.js';
import { PROMPT_MAX_CHARS } from '../catalog/parameters.js';
import { ToolFailure } from '../core/failure.js';
import { jsonBody } from '../gateway/bodies.js';
import type { ToolContext } from '../pipeline/context.js';
import { runImageCall } from '../pipeline/image-call.js';
import { IMAGE_TOOL_HINTS, imageResultSchema } from '../pipeline/image-result.js';
import { outputParamFields, planOutput } from '../pipeline/output-plan.js';
import { defineTool } from './definition.js';

export const GENERATE_ENDPOINT = '/images/generations';

export const promptField = z
  .string()
  .trim()
  .min(1)
  .max(PROMPT_MAX_CHARS)
  .describe(
    'What to draw, in natural language (up to ~32K tokens). Be concrete: subject, setting, style, lighting, camera. Hex colours such as #FF5500 are rendered exactly; structured JSON is accepted too.',
  );

export const filenameField = z
  .string()
  .max(1000)
  .optional()
  .describe(
    'Optional short name for the saved file, e.g. "logo-draft". The server adds date, time and a random id, and never overwrites a file.',
  );

export const generateImageInput = z.strictObject({
  prompt: promptField,
  model: z
    .enum(GENERATION_MODEL_IDS)
    .default(DEFAULT_MODEL)
    .describe(`Model; default ${DEFAULT_MODEL}. See the tool description for speed and price.`),
  ...outputParamFields(GENERATION_MODEL_IDS),
  filename: filenameField,
});

export function missingKeyFailure(): ToolFailure {
  return new ToolFailure('missing_api_key', 'APIYI_API_KEY is not set, so no image can be made', {
    hint: 'Add it to this server\'s "env" block in your MCP client config, e.g. "env": {"APIYI_API_KEY": "sk-..."} (a key from the APIYI console), then restart the client.',
  });
}

function description(ctx: ToolContext): string {
  const models = GENERATION_MODEL_IDS.map((id) => `- ${modelLine(getModel(id)!)}`);
  return [
    'Generate one image from a text prompt with FLUX (Black Forest Labs) or OpenAI gpt-image-2, through the APIYI gateway.',
    `The image is saved to disk (${ctx.config.outputDir}); the result gives its absolute path, a small preview, and metadata (size, model, seed, request id). Refer to the image later by that path.`,
    '',
    `Models (argument "model", default ${DEFAULT_MODEL}):`,
    ...models,
    '',
    sizeSummary(GENERATION_MODEL_IDS),
    'Arguments are checked before anything is paid for: a bad one returns invalid_argument with the nearest valid value, and no request is made.',
  ].join('\n');
}

export function generateImageTool(ctx: ToolContext) {
  return defineTool({
    name: 'generate_image',
    title: 'Generate image (FLUX / gpt-image-2)',
    description: description(ctx),
    inputSchema: generateImageInput,
    outputSchema: imageResultSchema,
    annotations: { title: 'Generate image (FLUX / gpt-image-2)', ...IMAGE_TOOL_HINTS },
    handler: async (args, call) => {
      const startedAt = performance.now();
      const model = getModel(args.model)!;
      const plan = planOutput(model, args, 'generate');
      if (!ctx.gateway) throw missingKeyFailure();
      const gateway = ctx.gateway;
      call.progress.validated('arguments checked', model.id);

      const body = { model: model.id, prompt: args.prompt, ...plan.wire };
      ctx.log.info(`generate_image ${model.id}: sending ${JSON.stringify(plan.wire)}`);
      return runImageCall(ctx, call, {
        tool: 'generate_image',
        model,
        prompt: args.prompt,
        endpoint: GENERATE_ENDPOINT,
        parameters: plan.wire,
        seed: plan.seed,
        notes: plan.notes,
        nameHint: args.filename?.trim() || args.prompt,
        startedAt,
        request: (options) => gateway.generate(jsonBody(body), options),
      });
    },
  });
}
