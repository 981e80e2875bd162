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

function numberField(rule: NumberRule, description: string) {
  const base = rule.integer ? z.number().int() : z.number();
  return base.min(rule.min).max(rule.max).optional().describe(description);
}

/** " (<model> only)" when not every model of the tool takes the parameter. */
const only = (param: ParamName, modelIds: readonly string[]): string => {
  const who = acceptedBy(param, modelIds);
  return who ? ` (${who})` : '';
};

/** The zod fields of the output parameters, described for the given tool's models. */
export function outputParamFields(modelIds: readonly string[], mode: 'generate' | 'edit' = 'generate') {
  const formats = OUTPUT_FORMATS.filter((f) => modelIds.some((id) => findModel(id)?.outputFormats.includes(f)));
  const sizeDefault = mode === 'edit' ? ` Default: ${editDefaultSizeText(modelIds)}.` : '';
  const refusedBackgrounds = refusedValuesText('background');
  return {
    size: z
      .string()
      .optional()
      .describe(
        `Output size "WIDTHxHEIGHT". ${sizeRulesText(modelIds, mode === 'generate')}. Alternatively give width + height, or aspect_ratio.${sizeDefault}`,
      ),
    width: z.number().int().optional().describe('Output width in px; give together with height, instead of size.'),
    height: z.number().int().optional().describe('Output height in px; give together with width, instead of size.'),
    aspect_ratio: z.string().optional().describe(aspectRatioText(modelIds, mode)),
    seed: numberField(
      SEED,
      `Integer seed for reproducible results${only('seed', modelIds)}; a random one is chosen and reported when omitted.`,
    ),
    safety_tolerance: numberField(
      SAFETY_TOLERANCE,
      `Moderation level, ${SAFETY_TOLERANCE.min} strictest to ${SAFETY_TOLERANCE.max} most permissive, default ${SAFETY_TOLERANCE.default}${only('safety_tolerance', modelIds)}.`,
    ),
    output_format: z
      .enum(formats as [string, ...string[]])
      .optional()
      .describe(`File format: ${outputFormatsText(modelIds)}.`),
    prompt_upsampling: z
      .boolean()
      .optional()
      .describe(
        `Let the model expand a short prompt, default false${only('prompt_upsampling', modelIds)}; changes the intent, keep it off for brand work.`,
      ),
    steps: numberField(
      STEPS,
      `Inference steps ${STEPS.min}–${STEPS.max}, default ${STEPS.default}${only('steps', modelIds)}.`,
    ),
    guidance: numberField(
      GUIDANCE,
      `Guidance scale ${GUIDANCE.min}–${GUIDANCE.max}, default ${GUIDANCE.default}; higher follows the prompt more closely${only('guidance', modelIds)}.`,
    ),
    quality: z
      .enum(QUALITY_VALUES)
      .optional()
      .describe(`Rendering quality, default auto${only('quality', modelIds)}; high is slower.`),
    background: z
      .enum(BACKGROUND_VALUES)
      .optional()
      .describe(
        `Background, default auto${only('background', modelIds)}${refusedBackgrounds ? `; ${refusedBackgrounds} is not supported` : ''}.`,
      ),
    output_compression: numberField(
      OUTPUT_COMPRESSION,
      `Compression ${OUTPUT_COMPRESSION.min}–${OUTPUT_COMPRESSION.max} for ${COMPRESSIBLE_FORMATS.join(' or ')} output${only('output_compression', modelIds)}.`,
    ),
  };
}
