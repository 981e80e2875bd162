/**
 * The output parameters both image tools share (size, seed, format, …): their zod fields, with
 * descriptions and ranges taken from the catalog, and `planOutput`, which checks them against
 * one model's rules and produces exactly the fields that model takes on the wire.
 */
import * as z from 'zod';
import { acceptedBy, sizeRulesText, sizeRuleText } from '../catalog/describe.js';
import {
  getModel,
  type ModelSpec,
  modelsAccepting,
  OUTPUT_FORMATS,
  PARAM_NAMES,
  type ParamName,
  sendsAspectRatio,
} from '../catalog/models.js';
import {
  BACKGROUND_VALUES,
  COMPRESSIBLE_FORMATS,
  GUIDANCE,
  type NumberRule,
  OUTPUT_COMPRESSION,
  QUALITY_VALUES,
  RANDOM_SEED_MAX,
  SAFETY_TOLERANCE,
  SEED,
  STEPS,
} from '../catalog/parameters.js';
import {
  formatSize,
  nearestValidSize,
  parseAspectRatio,
  parseSize,
  type Size,
  sizeForAspectRatio,
  sizeProblems,
  upstreamSizeHintMiss,
} from '../catalog/sizes.js';
import { invalidArgument } from '../core/failure.js';
import { show } from '../core/text.js';

function numberField(rule: NumberRule, description: string) {
  const base = rule.integer ? z.number().int() : z.number();
  return base.min(rule.min).max(rule.max).optional().describe(description);
}

const only = (param: ParamName, modelIds: readonly string[]): string => {
  const who = acceptedBy(param, modelIds);
  return who ? ` (${who})` : '';
};

/** The zod fields of the output parameters, described for the given tool's models. */
export function outputParamFields(modelIds: readonly string[], mode: 'generate' | 'edit' = 'generate') {
  const formats = OUTPUT_FORMATS.filter((f) => modelIds.some((id) => getModel(id)?.outputFormats.includes(f)));
  const sizeDefault = mode === 'edit' ? ' Default: FLUX matches image 1; gpt-image-2 "auto".' : '';
  const ratioText =
    mode === 'edit'
      ? 'Aspect ratio "W:H" such as 1:1, 16:9, 9:16, 4:3, 3:2, 21:9, instead of a size: FLUX models take it as is (default: the ratio of image 1); for gpt-image-2 the server picks a size of about 1 MP.'
      : 'Aspect ratio "W:H" such as 1:1, 16:9, 9:16, 4:3, 3:2, 21:9, instead of a size; the server picks a size of about 1 MP.';
  return {
    size: z
      .string()
      .optional()
      .describe(
        `Output size "WIDTHxHEIGHT". ${sizeRulesText(modelIds, mode === 'generate')}. Alternatively give width + height, or aspect_ratio.${sizeDefault}`,
      ),
    width: z.number().int().optional().describe('Output width in px; give together with height, instead of size.'),
    height: z.number().int().optional().describe('Output height in px; give together with width, instead of size.'),
    aspect_ratio: z.string().optional().describe(ratioText),
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
      .describe('File format: FLUX jpeg (default) or png; gpt-image-2 png (default), jpeg or webp.'),
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
      .describe(`Background, default auto${only('background', modelIds)}; transparent is not supported.`),
    output_compression: numberField(
      OUTPUT_COMPRESSION,
      `Compression ${OUTPUT_COMPRESSION.min}–${OUTPUT_COMPRESSION.max} for jpeg or webp output${only('output_compression', modelIds)}.`,
    ),
  };
}

export type OutputArgs = Partial<{
  size: string;
  width: number;
  height: number;
  aspect_ratio: string;
  seed: number;
  safety_tolerance: number;
  output_format: string;
  prompt_upsampling: boolean;
  steps: number;
  guidance: number;
  quality: string;
  background: string;
  output_compression: number;
}>;

export interface OutputPlan {
  /** Exactly the fields to send besides model and prompt (and input images). */
  readonly wire: Readonly<Record<string, unknown>>;
  /** The seed sent, when the model takes one. */
  readonly seed: number | undefined;
  /** What the server changed or dropped, for the result text. */
  readonly notes: readonly string[];
}

/** Parameters that pass through unchanged once the model is known to take them. */
const PASS_THROUGH = ['safety_tolerance', 'prompt_upsampling', 'steps', 'guidance', 'quality', 'background'] as const;

/** "steps is only accepted by flux-2-flex (model is flux-2-pro): remove steps or use model "flux-2-flex"" */
export function notAccepted(
  param: string,
  model: ModelSpec,
  takers: readonly string[] = modelsAccepting(param as ParamName),
): string {
  const others = takers.filter((id) => id !== model.id);
  if (others.length > 0 && others.length <= 2) {
    return `${param} is only accepted by ${others.join(' and ')} (model is ${model.id}): remove ${param} or use model ${others.map((id) => `"${id}"`).join(' or ')}`;
  }
  return `${param} is not accepted by ${model.id}: remove ${param}`;
}

/**
 * Check the output arguments against one model and build its wire fields. Every problem is
 * collected (not just the first), with any the caller already found, and thrown as one
 * invalid_argument failure; nothing is sent.
 */
export function planOutput(
  model: ModelSpec,
  args: OutputArgs,
  mode: 'generate' | 'edit',
  callerProblems: readonly string[] = [],
): OutputPlan {
  const problems: string[] = [...callerProblems];
  const notes: string[] = [];
  const wire: Record<string, unknown> = {};
  const given = (param: ParamName): boolean => args[param] !== undefined;

  for (const param of PARAM_NAMES) {
    if (!given(param) || model.params.includes(param)) continue;
    problems.push(notAccepted(param, model));
  }

  planSize(model, args, mode, wire, problems, notes);

  let seed: number | undefined;
  if (model.params.includes('seed')) {
    seed = args.seed ?? Math.floor(Math.random() * (RANDOM_SEED_MAX + 1));
    wire.seed = seed;
  }

  for (const param of PASS_THROUGH) {
    if (!given(param) || !model.params.includes(param)) continue;
    if (model.ignoredUpstream.includes(param)) {
      notes.push(`${param} was not sent: ${model.id} ignores it upstream.`);
      continue;
    }
    wire[param] = args[param];
  }

  if (args.output_format !== undefined) {
    if (!model.outputFormats.includes(args.output_format as never)) {
      problems.push(
        `output_format ${show(args.output_format)} is not available on ${model.id}: use ${model.outputFormats.join(' or ')}`,
      );
    } else {
      wire.output_format = args.output_format;
    }
  }

  if (args.output_compression !== undefined && model.params.includes('output_compression')) {
    const format = args.output_format ?? model.defaultOutputFormat;
    if (!(COMPRESSIBLE_FORMATS as readonly string[]).includes(format)) {
      problems.push(
        `output_compression applies only to ${COMPRESSIBLE_FORMATS.join(' or ')} output, and the output format is ${format}${args.output_format ? '' : ' (the default)'}: add output_format "jpeg" or "webp", or remove output_compression`,
      );
    } else {
      wire.output_compression = args.output_compression;
    }
  }

  if (problems.length > 0) throw planFailure(problems);
  return { wire: orderLike(wire), seed, notes };
}

function planFailure(problems: readonly string[]) {
  const [first, ...rest] = problems;
  return invalidArgument(
    [first, ...rest.map((p) => `- ${p}`)].join('\n'),
    'Nothing was sent to the gateway. Fix the arguments and call again.',
  );
}

/** Wire fields in a stable order (the order of PARAM_NAMES), for readable logs and sidecars. */
function orderLike(wire: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const param of PARAM_NAMES) if (wire[param] !== undefined) ordered[param] = wire[param];
  return ordered;
}

function planSize(
  model: ModelSpec,
  args: OutputArgs,
  mode: 'generate' | 'edit',
  wire: Record<string, unknown>,
  problems: string[],
  notes: string[],
): void {
  const rule = model.sizeRule;
  const hasWidthOrHeight = args.width !== undefined || args.height !== undefined;

  if (args.size !== undefined && hasWidthOrHeight) {
    problems.push('give either size or width + height, not both');
    return;
  }
  if (args.aspect_ratio !== undefined && (args.size !== undefined || hasWidthOrHeight)) {
    problems.push(
      'give either a size (size, or width + height) or an aspect_ratio, not both: a size already fixes the aspect ratio',
    );
    return;
  }
  if (hasWidthOrHeight && (args.width === undefined || args.height === undefined)) {
    const missing = args.width === undefined ? 'width' : 'height';
    problems.push(`width and height go together: add ${missing} (e.g. ${missing} 1024), or use size "WIDTHxHEIGHT"`);
    return;
  }

  let size: Size | undefined;
  let label = '';
  if (args.size !== undefined) {
    if (args.size.trim().toLowerCase() === 'auto') {
      if (rule.allowsAuto) wire.size = 'auto';
      else
        problems.push(
          `size "auto" is not accepted by ${model.id}: omit size for the default ${rule.defaultSize}, or give one such as "1024x1024"`,
        );
      return;
    }
    const parsed = parseSize(args.size);
    if (!parsed) {
      problems.push(`size ${show(args.size)} is not of the form "WIDTHxHEIGHT" (e.g. "1024x1024")`);
      return;
    }
    size = parsed;
    label = `size "${formatSize(parsed)}": `;
  } else if (args.width !== undefined && args.height !== undefined) {
    size = { width: args.width, height: args.height };
  } else if (args.aspect_ratio !== undefined) {
    planAspectRatio(model, args.aspect_ratio, mode, wire, problems, notes);
    return;
  } else {
    return; // No size: the gateway's default (or, for edits, image 1's size).
  }

  const found = sizeProblems(size, rule);
  if (found.length > 0) {
    const nearest = nearestValidSize(size, rule);
    const suggestion =
      args.size !== undefined ? `size "${formatSize(nearest)}"` : `width ${nearest.width}, height ${nearest.height}`;
    problems.push(
      `${label}${found.join('; ')} (${model.id} takes ${sizeRuleText(model.sizeRule)}). Nearest valid: ${suggestion}`,
    );
    return;
  }

  const hintMiss = upstreamSizeHintMiss(size, rule);
  if (hintMiss) notes.push(`${model.id} natively renders ${hintMiss}; the gateway may adjust ${formatSize(size)}.`);
  if (model.sizeNote) notes.push(model.sizeNote);

  if (args.size !== undefined || model.sizeOnWire === 'size-only') wire.size = formatSize(size);
  else Object.assign(wire, { width: size.width, height: size.height });
}

function planAspectRatio(
  model: ModelSpec,
  text: string,
  mode: 'generate' | 'edit',
  wire: Record<string, unknown>,
  problems: string[],
  notes: string[],
): void {
  const ratio = parseAspectRatio(text);
  if (!ratio) {
    problems.push(`aspect_ratio ${show(text)} is not of the form "W:H" with whole numbers (e.g. "16:9")`);
    return;
  }
  const canonical = `${ratio.w}:${ratio.h}`;
  // Sent as is or turned into a size, the ratio must be one the model's sizes can take.
  const size = sizeForAspectRatio(ratio, model.sizeRule);
  if (!size) {
    problems.push(
      `aspect_ratio ${canonical} cannot be met by ${model.id} (${sizeRuleText(model.sizeRule)}): use a ratio closer to square`,
    );
    return;
  }
  if (sendsAspectRatio(model, mode)) {
    wire.aspect_ratio = canonical;
    if (model.sizeNote) notes.push(model.sizeNote);
    return;
  }
  wire.size = formatSize(size);
  notes.push(
    `aspect_ratio ${canonical} was sent as size ${formatSize(size)} (about 1 MP); give size for another resolution.`,
  );
}
