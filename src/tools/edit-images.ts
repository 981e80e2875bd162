/**
 * `edit_images`: one or more reference images and a prompt in, a saved image out. Single edits
 * ("replace the sky"), multi-reference fusion ("the person from image 1 in the scene from image
 * 2") and, on the models that take one, masked inpainting. Inputs are checked and normalized
 * before anything is paid for (inputs/prepare.ts); the call and the saving are those of
 * generate_image.
 */
import * as z from 'zod';
import { inputLimitsText, modelsByFamily, normalizationTargets, referenceCapsText } from '../catalog/describe.js';
import {
  DEFAULT_EDIT_MODEL,
  EDIT_MODEL_IDS,
  EDITING_MODELS,
  type EditingModel,
  editingModel,
  MASK_MODEL_IDS,
  MAX_REFERENCES,
} from '../catalog/models.js';
import { outboundPolicyOf } from '../config.js';
import { type InputRecord, inputRecordSchema } from '../library/input-record.js';
import type { ToolOutput } from '../pipeline/call.js';
import { requireGateway, type ToolContext } from '../pipeline/context.js';
import { editRequest } from '../pipeline/edit-request.js';
import { runImageCall } from '../pipeline/image-call.js';
import { IMAGE_TOOL_HINTS, imageResultSchema } from '../pipeline/image-result.js';
import { prepareEditInputs } from '../pipeline/inputs/prepare.js';
import { Workspace } from '../pipeline/inputs/workspace.js';
import { notAccepted, planOutput } from '../pipeline/output-plan.js';
import { presentationFor } from '../pipeline/presentation.js';
import { countProblem, variantsOf } from '../pipeline/variants.js';
import { defineTool } from './definition.js';
import { bareCountField, bareFilenameField, barePreviewField, promptField } from './fields.js';
import { outputParamFields } from './output-fields.js';

const sourceText = 'an absolute path ("~/photo.jpg" works), a file:// URI or an http(s) URL.';

export const editImagesInput = z.strictObject({
  prompt: promptField.describe(
    'The edit, naming references by position ("image 1", "image 2"); say what to keep and what to change.',
  ),
  images: z
    .array(z.string().trim().min(1))
    .min(1)
    .max(MAX_REFERENCES)
    .describe(
      `Reference images in order: "image 1" in the prompt (the one an edit changes), ` +
        `"image 2" … Each is ${sourceText}`,
    ),
  model: z
    .enum(EDIT_MODEL_IDS)
    .default(DEFAULT_EDIT_MODEL)
    .describe(`Default ${DEFAULT_EDIT_MODEL}; see generate_image.`),
  mask: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      `${MASK_MODEL_IDS.join(', ')} only: a PNG with alpha, exactly the size of image 1; ` +
        `transparent pixels mark where to repaint. Given like an image.`,
    ),
  ...outputParamFields(EDIT_MODEL_IDS, 'edit'),
  count: bareCountField,
  filename: bareFilenameField,
  preview: barePreviewField,
});

/** The models named by family. */
const TITLE = `Edit or combine images (${modelsByFamily(EDIT_MODEL_IDS)})`;

/** "images has 5 entries, but <model> takes at most 4: …" with the models that take more. */
function tooManyReferences(model: EditingModel, count: number): string {
  const cap = model.edits.maxReferences;
  const larger = EDITING_MODELS.filter((m) => m.edits.maxReferences >= count);
  const options = larger.map((m) => `${m.id} (${m.edits.maxReferences})`).join(', ');
  return (
    `images has ${count} entries, but ${model.id} takes at most ${cap}: remove ` +
    `${count - cap}${options ? `, or use a model that takes ${count}: ${options}` : ''}`
  );
}

/** What normalization does to inputs, by model. */
function normalizationText(): string {
  const scaled = normalizationTargets(EDIT_MODEL_IDS).map(
    (t) => `, for ${t.models}, scaled to ≤ ${t.maxPixels} with sides ×${t.multipleOf}`,
  );
  return `phone photos are turned upright${scaled.length > 0 ? ` and${scaled.join(' and')}` : ''}.`;
}

/** Says what only editing needs; the model menu and size rules are generate_image's, said once. */
const DESCRIPTION = [
  'Edit one image or combine several ("the person from image 1 in the scene of image 2"); ' +
    "to iterate, pass the last result's path.",
  'Pass images as absolute paths or URLs, never base64. Relative paths are refused.',
  `Models, sizes and the other arguments as in generate_image. ` +
    `At most ${referenceCapsText(EDIT_MODEL_IDS)} images; a mask only with ${MASK_MODEL_IDS.join(', ')}.`,
  `Inputs are checked before any paid request (PNG, JPEG or WebP, ` +
    `${inputLimitsText(EDIT_MODEL_IDS)}); ${normalizationText()}`,
].join('\n');

/**
 * Each input as given and as sent. The sidecar keeps the whole record (hashes, sizes, what
 * normalization did); the advertised schema names the fields an agent branches on and lets the
 * rest through, since output schemas are paid for in every session's tools/list.
 */
const resultInputSchema = z.looseObject(inputRecordSchema.pick({ role: true, source: true, sent: true }).shape);

const editResultSchema = imageResultSchema.extend({
  inputs: z.array(resultInputSchema).optional().describe('Each input as given and as sent (once done)'),
});

type EditResult = z.output<typeof editResultSchema>;

export function editImagesTool(ctx: ToolContext) {
  return defineTool({
    name: 'edit_images',
    title: TITLE,
    description: DESCRIPTION,
    inputSchema: editImagesInput,
    outputSchema: editResultSchema,
    annotations: IMAGE_TOOL_HINTS,
    handler: async (args, call) => {
      const startedAt = performance.now();
      const model = editingModel(args.model);
      const { edits } = model;

      // Everything that can be known without reading a file is checked first, all at once.
      const problems: string[] = [];
      if (args.images.length > edits.maxReferences) problems.push(tooManyReferences(model, args.images.length));
      if (args.mask !== undefined && !edits.mask) problems.push(notAccepted('mask', model, MASK_MODEL_IDS));
      const count = args.count ?? 1;
      const countIssue = countProblem(model, count, args.seed);
      if (countIssue) problems.push(countIssue);
      const plan = planOutput(model, args, 'edit', problems);
      const gateway = requireGateway(ctx);

      let records: InputRecord[] = [];
      const output = await runImageCall(ctx, call, {
        tool: 'edit_images',
        model,
        prompt: args.prompt,
        gateway,
        endpoint: edits.endpoint,
        // Inputs are read and checked once the call has its slot (pipeline/image-call.ts).
        prepare: async () => {
          const workspace = await Workspace.open();
          try {
            const inputs = await prepareEditInputs({
              images: args.images,
              mask: args.mask,
              model,
              normalize: ctx.config.normalizeInputs,
              keepMetadata: ctx.config.keepInputMetadata,
              outputDir: ctx.config.outputDir,
              signal: call.signal,
              workspace,
              outbound: outboundPolicyOf(ctx.config),
              ...(ctx.fileInputDirs ? { fileInputDirs: ctx.fileInputDirs } : {}),
            });
            call.progress.validated(
              `arguments and ${inputs.images.length} reference image(s)${inputs.mask ? ' and the mask' : ''} checked`,
              model.id,
            );
            const request = editRequest(model, args.prompt, plan.wire, inputs);
            ctx.log.info(
              `edit_images ${model.id}: sending ${JSON.stringify(plan.wire)}${count > 1 ? ` × ${count}` : ''} with ` +
                `${inputs.images.length} reference(s)${inputs.mask ? ' and a mask' : ''} (${request.body.summary})`,
            );
            records = [...inputs.images, ...(inputs.mask ? [inputs.mask] : [])].map((input) => input.record);
            return {
              // Each image its own body (its own seed), from the same checked inputs.
              bodyFor: (parameters) => editRequest(model, args.prompt, parameters, inputs).body,
              inputKeys: records.map((record) => record.sha256 ?? record.source),
              notes: [...inputs.notes, ...plan.notes],
              inputs: records,
              dispose: () => workspace.dispose(),
            };
          } catch (error) {
            await workspace.dispose();
            throw error;
          }
        },
        parameters: plan.wire,
        seed: plan.seed,
        seedGiven: args.seed !== undefined,
        variants: variantsOf(plan, count, args.seed),
        nameHint: args.filename?.trim() || args.prompt,
        startedAt,
        presentation: presentationFor(ctx, args.preview, call.client),
        // What cleaning left out of an input is in the sidecar; the result (read in every session) stays small.
        finish: (result): EditResult => ({
          ...result,
          inputs: records.map(({ cleaned: _cleaned, ...record }) => record),
        }),
      });
      return output as ToolOutput<EditResult>;
    },
  });
}
