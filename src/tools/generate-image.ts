/**
 * `generate_image`: a prompt in, a saved image out. Arguments are checked against the chosen
 * model's rules before anything is paid for; then one gateway call, the result saved at once.
 */
import * as z from 'zod';
import { modelLine, modelsByProvider, modelsWithMakers, sizeSummary } from '../catalog/describe.js';
import { DEFAULT_MODEL, GENERATION_MODEL_IDS, modelSpec, routeOf } from '../catalog/models.js';
import { jsonBody } from '../gateway/bodies.js';
import { requireGateway, type ToolContext } from '../pipeline/context.js';
import { runImageCall } from '../pipeline/image-call.js';
import { IMAGE_TOOL_HINTS, imageResultSchema } from '../pipeline/image-result.js';
import { planOutput } from '../pipeline/output-plan.js';
import { defineTool } from './definition.js';
import { filenameField, promptField } from './fields.js';
import { outputParamFields } from './output-fields.js';

export const generateImageInput = z.strictObject({
  prompt: promptField,
  model: z
    .enum(GENERATION_MODEL_IDS)
    .default(DEFAULT_MODEL)
    .describe(`Model; default ${DEFAULT_MODEL}. See the tool description for speed and price.`),
  ...outputParamFields(GENERATION_MODEL_IDS),
  filename: filenameField,
});

/** The models named by provider. */
const TITLE = `Generate image (${modelsByProvider(GENERATION_MODEL_IDS, ' / ')})`;

function description(ctx: ToolContext): string {
  const models = GENERATION_MODEL_IDS.map((id) => `- ${modelLine(modelSpec(id))}`);
  return [
    `Generate one image from a text prompt with ${modelsWithMakers(GENERATION_MODEL_IDS)}, through the APIYI gateway.`,
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
    title: TITLE,
    description: description(ctx),
    inputSchema: generateImageInput,
    outputSchema: imageResultSchema,
    annotations: { title: TITLE, ...IMAGE_TOOL_HINTS },
    handler: async (args, call) => {
      const startedAt = performance.now();
      const model = modelSpec(args.model);
      const plan = planOutput(model, args, 'generate');
      const gateway = requireGateway(ctx);
      call.progress.validated('arguments checked', model.id);

      ctx.log.info(`generate_image ${model.id}: sending ${JSON.stringify(plan.wire)}`);
      return runImageCall(ctx, call, {
        tool: 'generate_image',
        model,
        prompt: args.prompt,
        gateway,
        endpoint: routeOf(model, 'generate').endpoint,
        prepare: async () => ({
          body: jsonBody({ model: model.id, prompt: args.prompt, ...plan.wire }),
          notes: plan.notes,
        }),
        parameters: plan.wire,
        seed: plan.seed,
        nameHint: args.filename?.trim() || args.prompt,
        startedAt,
      });
    },
  });
}
