/**
 * `generate_image`: a prompt in, a saved image out. Arguments are checked against the chosen
 * model's rules before anything is paid for; then one gateway call, the result saved at once.
 */
import * as z from 'zod';
import { modelMenu, modelsByProvider, modelsWithMakers } from '../catalog/describe.js';
import { DEFAULT_MODEL, GENERATION_MODEL_IDS, type GenerationModelId, modelSpec, routeOf } from '../catalog/models.js';
import { invalidArgument } from '../core/failure.js';
import { jsonBody } from '../gateway/bodies.js';
import { requireGateway, type ToolContext } from '../pipeline/context.js';
import { runImageCall } from '../pipeline/image-call.js';
import { IMAGE_TOOL_HINTS, imageResultSchema } from '../pipeline/image-result.js';
import { type LikeSource, likeParameters, resolveLike } from '../pipeline/like.js';
import { planOutput } from '../pipeline/output-plan.js';
import { presentationFor } from '../pipeline/presentation.js';
import { countProblem, variantsOf } from '../pipeline/variants.js';
import { defineTool } from './definition.js';
import { countField, filenameField, previewField, promptField } from './fields.js';
import { outputParamFields } from './output-fields.js';

export const generateImageInput = z.strictObject({
  prompt: promptField.optional(),
  // No zod default: with `like`, a model not given is the earlier image's.
  model: z.enum(GENERATION_MODEL_IDS).optional().describe(`Default ${DEFAULT_MODEL}; see the description.`),
  ...outputParamFields(GENERATION_MODEL_IDS),
  count: countField,
  like: z
    .string()
    .trim()
    .max(4096)
    .optional()
    .describe("An earlier result's path or job: its prompt, model, parameters, new seeds (arguments here win)."),
  filename: filenameField,
  preview: previewField,
});

const NOTHING_SENT = 'Nothing was sent to the gateway. Fix the arguments and call again.';

/** Arguments that choose the output size: given any, the like's own size is not carried over. */
const SIZE_ARGUMENTS = ['size', 'width', 'height', 'aspect_ratio'] as const;

/** The liked image's model, when it can generate (an edit-only model's image cannot be made again from text). */
function likedModel(like: LikeSource | undefined): GenerationModelId | undefined {
  if (!like) return undefined;
  const model = like.model;
  if (!model?.generates) {
    throw invalidArgument(
      `like ${like.path} was made by ${like.sidecar.model}, which does not make images from text: ` +
        `call edit_images with it as image 1, or give model`,
      NOTHING_SENT,
    );
  }
  return model.id as GenerationModelId;
}

/** The arguments actually given (a zod object keeps absent optional keys out already; undefined too). */
function definedOf<T extends object>(args: T): Partial<T> {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The models named by provider. */
const TITLE = `Generate image (${modelsByProvider(GENERATION_MODEL_IDS, ' / ')})`;

/**
 * The one description that carries the model menu and the size rules: tools/list is paid for in
 * every conversation, so edit_images refers to it instead of repeating it.
 */
const DESCRIPTION = [
  `Generate one image from a prompt with ${modelsWithMakers(GENERATION_MODEL_IDS)} via APIYI. ` +
    `It is saved to disk: refer to it later by the absolute path in the result. ` +
    `Bad arguments are refused before any paid request, with the nearest valid value.`,
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
      const like = args.like !== undefined ? await resolveLike(ctx, args.like) : undefined;
      const prompt = args.prompt ?? like?.sidecar.prompt;
      if (prompt === undefined) {
        throw invalidArgument('prompt is required: say what to draw, or give like with an earlier image', NOTHING_SENT);
      }
      const model = modelSpec(args.model ?? likedModel(like) ?? DEFAULT_MODEL);
      const notes: string[] = [];
      let output = args;
      if (like) {
        const setsSize = SIZE_ARGUMENTS.some((name) => args[name] !== undefined);
        const carried = likeParameters(like, model, setsSize);
        // Checked like any argument: a sidecar is a file on disk, and anyone could have edited it.
        const merged = generateImageInput.safeParse({ ...carried.parameters, ...definedOf(args) });
        if (!merged.success) {
          const fields = [...new Set(merged.error.issues.map((issue) => issue.path.join('.')))].join(', ');
          throw invalidArgument(`like ${like.path}: its recorded ${fields} cannot be used here`, NOTHING_SENT);
        }
        output = merged.data;
        notes.push(
          `Like ${like.path}: its ${args.prompt === undefined ? 'prompt, ' : ''}` +
            `${args.model === undefined ? 'model and ' : ''}parameters, with new seeds.`,
        );
        if (carried.dropped.length > 0)
          notes.push(`Not taken by ${model.id}, so not carried over: ${carried.dropped.join(', ')}.`);
      }
      const count = args.count ?? 1;
      const problem = countProblem(model, count, output.seed);
      const plan = planOutput(model, output, 'generate', problem ? [problem] : []);
      const gateway = requireGateway(ctx);
      call.progress.validated(count > 1 ? `arguments checked; ${count} images` : 'arguments checked', model.id);

      ctx.log.info(
        `generate_image ${model.id}: sending ` + `${JSON.stringify(plan.wire)}${count > 1 ? ` × ${count}` : ''}`,
      );
      const variants = variantsOf(plan, count, output.seed);
      return runImageCall(ctx, call, {
        tool: 'generate_image',
        model,
        prompt,
        gateway,
        endpoint: routeOf(model, 'generate').endpoint,
        prepare: async () => ({
          bodyFor: (parameters) => jsonBody({ model: model.id, prompt, ...parameters }),
          notes: [...notes, ...plan.notes],
        }),
        parameters: plan.wire,
        seed: plan.seed,
        seedGiven: output.seed !== undefined,
        variants,
        nameHint: args.filename?.trim() || prompt,
        startedAt,
        presentation: presentationFor(ctx, args.preview, call.client),
      });
    },
  });
}
