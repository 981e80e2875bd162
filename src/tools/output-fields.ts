/**
 * The zod fields of the output parameters both image tools take (size, seed, format, …), with
 * descriptions and ranges rendered from the catalog for the tool's models. Checking them against
 * one model is pipeline/output-plan.ts's job.
 */
import * as z from 'zod';
import {
  acceptedBy,
  aspectRatioText,
  editDefaultSizeText,
  outputFormatsText,
  sizeRulesText,
} from '../catalog/describe.js';
import { findModel, OUTPUT_FORMATS, type ParamName } from '../catalog/models.js';
import {
  BACKGROUND_VALUES,
  COMPRESSIBLE_FORMATS,
  GUIDANCE,
  type NumberRule,
  OUTPUT_COMPRESSION,
  QUALITY_VALUES,
  SAFETY_TOLERANCE,
  SEED,
  STEPS,
} from '../catalog/parameters.js';
import { refusedValuesText } from '../catalog/refused-arguments.js';

function numberField(rule: NumberRule) {
  const base = rule.integer ? z.number().int() : z.number();
  return base.min(rule.min).max(rule.max).optional();
}

/** " (<model> only)" when not every model of the tool takes the parameter. */
const only = (param: ParamName, modelIds: readonly string[]): string => {
  const who = acceptedBy(param, modelIds);
  return who ? ` (${who})` : '';
};

/**
 * The zod fields of the output parameters, described for the given tool's models. generate_image
 * says everything once; edit_images, listed beside it in every session, says only what differs
 * and points to generate_image for the rest (tools/list is paid for in every conversation).
 */
export function outputParamFields(modelIds: readonly string[], mode: 'generate' | 'edit' = 'generate') {
  const formats = OUTPUT_FORMATS.filter((f) => modelIds.some((id) => findModel(id)?.outputFormats.includes(f)));
  const refused = refusedValuesText('background');
  // In edit_images these say nothing of their own: its description points to generate_image.
  const said = <T extends z.ZodType>(field: T, text: string): T => (mode === 'edit' ? field : field.describe(text));
  return {
    size: z
      .string()
      .optional()
      .describe(
        mode === 'edit'
          ? `As in generate_image; default: ${editDefaultSizeText(modelIds)}.`
          : `"WIDTHxHEIGHT". ${sizeRulesText(modelIds, true)}. Or width + height, or aspect_ratio.`,
      ),
    width: z.number().int().optional().describe('Px, with height, instead of size.'),
    height: z.number().int().optional().describe('Px, with width, instead of size.'),
    aspect_ratio: z.string().optional().describe(aspectRatioText(modelIds, mode)),
    seed: said(
      numberField(SEED),
      `Integer seed to reproduce an image${only('seed', modelIds)}; random (and reported) when omitted.`,
    ),
    safety_tolerance: said(
      numberField(SAFETY_TOLERANCE),
      `Moderation, ${SAFETY_TOLERANCE.min} strictest to ${SAFETY_TOLERANCE.max} most permissive, ` +
        `default ${SAFETY_TOLERANCE.default}${only('safety_tolerance', modelIds)}.`,
    ),
    output_format: said(
      z.enum(formats as [string, ...string[]]).optional(),
      `File format: ${outputFormatsText(modelIds)}.`,
    ),
    prompt_upsampling: said(
      z.boolean().optional(),
      `Expand a short prompt, default false${only('prompt_upsampling', modelIds)}.`,
    ),
    steps: said(
      numberField(STEPS),
      `Inference steps ${STEPS.min}–${STEPS.max}, default ${STEPS.default}${only('steps', modelIds)}.`,
    ),
    guidance: said(
      numberField(GUIDANCE),
      `Guidance ${GUIDANCE.min}–${GUIDANCE.max}, default ${GUIDANCE.default}; ` +
        `higher follows the prompt more closely${only('guidance', modelIds)}.`,
    ),
    quality: said(
      z.enum(QUALITY_VALUES).optional(),
      `Rendering quality, default auto${only('quality', modelIds)}; high is slower.`,
    ),
    background: said(
      z.enum(BACKGROUND_VALUES).optional(),
      `Background, default auto${only('background', modelIds)}${refused ? `; ${refused} is not supported` : ''}.`,
    ),
    output_compression: said(
      numberField(OUTPUT_COMPRESSION),
      `Compression ${OUTPUT_COMPRESSION.min}–${OUTPUT_COMPRESSION.max} for ` +
        `${COMPRESSIBLE_FORMATS.join(' or ')} output${only('output_compression', modelIds)}.`,
    ),
  };
}
