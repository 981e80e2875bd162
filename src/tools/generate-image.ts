/**
 * `generate_image`: a prompt in, a saved image out. Arguments are checked against the chosen
 * model's rules before anything is paid for; then one gateway call, the result saved at once.
 */
import * as z from 'zod';
import { modelMenu, modelsByProvider, modelsWithMakers } from '../catalog/describe.js';
import { DEFAULT_MODEL, GENERATION_MODEL_IDS, modelSpec, routeOf } from '../catalog/models.js';
import { jsonBody } from '../gateway/bodies.js';
import { requireGateway, type ToolContext } from '../pipeline/context.js';
import { runImageCall } from '../pipeline/image-call.js';
import { IMAGE_TOOL_HINTS, imageResultSchema } from '../pipeline/image-result.js';
import { planOutput } from '../pipeline/output-plan.js';
import { presentationFor } from '../pipeline/presentation.js';
import { defineTool } from './definition.js';
import { filenameField, previewField, promptField } from './fields.js';
import { outputParamFields } from './output-fields.js';

export const generateImageInput = z.strictObject({
  prompt: promptField,
  model: z.enum(GENERATION_MODEL_IDS).default(DEFAULT_MODEL).describe(`Default ${DEFAULT_MODEL}; see the description.`),
  ...outputParamFields(GENERATION_MODEL_IDS),
  filename: filenameField,
  preview: previewField,
});

/** The models named by provider. */
const TITLE = `Generate image (${modelsByProvider(GENERATION_MODEL_IDS, ' / ')})`;

/**
 * The one description that carries the model menu and the size rules: tools/list is paid for in
 * every conversation, so edit_images refers to it instead of repeating it.
 */
const DESCRIPTION = [
  `Generate one image from a prompt with ${modelsWithMakers(GENERATION_MODEL_IDS)} via APIYI. It is saved to disk: refer to it later by the absolute path in the result. Bad arguments are refused before any paid request, with the nearest valid value.`,
  `Models (default ${DEFAULT_MODEL}):`,
  modelMenu(),
].join('\n');

export function generateImageTool(ctx: ToolContext) {
  return defineTool({
    name: 'generate_image',
    title: TITLE,
    description: DESCRIPTION,
    inputSchema: generateImageInput,
    outputSchema: imageResultSchema,
    annotations: IMAGE_TOOL_HINTS,
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
        seedGiven: args.seed !== undefined,
        nameHint: args.filename?.trim() || args.prompt,
        startedAt,
        presentation: presentationFor(ctx, args.preview, call.client),
      });
    },
  });
}
