/**
 * `planOutput`: the output parameters both image tools share (size, seed, format, …) checked
 * against one model's rules, and exactly the fields that model takes on the wire. (Their zod
 * fields, for the tool schemas, are in tools/output-fields.ts.)
 */
import { sizeRuleText } from '../catalog/describe.js';
import { type ModelSpec, modelsAccepting, PARAM_NAMES, type ParamName, sendsAspectRatio } from '../catalog/models.js';
import { COMPRESSIBLE_FORMATS, RANDOM_SEED_MAX } from '../catalog/parameters.js';
import {
  DEFAULT_PIXELS,
  EXAMPLE_SIZE,
  formatSize,
  nearestValidSize,
  parseAspectRatio,
  parseSize,
  roundMegapixels,
  type Size,
  sizeForAspectRatio,
  sizeProblems,
  upstreamSizeHintMiss,
} from '../catalog/sizes.js';
import { invalidArgument } from '../core/failure.js';
import { show } from '../core/text.js';

/** Each may be absent or undefined: the tools pass their parsed arguments straight through. */
export interface OutputArgs {
  readonly size?: string | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly aspect_ratio?: string | undefined;
  readonly seed?: number | undefined;
  readonly safety_tolerance?: number | undefined;
  readonly output_format?: string | undefined;
  readonly prompt_upsampling?: boolean | undefined;
  readonly steps?: number | undefined;
  readonly guidance?: number | undefined;
  readonly quality?: string | undefined;
  readonly background?: string | undefined;
  readonly output_compression?: number | undefined;
}

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

/** "steps is only accepted by <model> (model is <another>): remove steps or use model "<model>"" */
export function notAccepted(
  param: string,
  model: ModelSpec,
  takers: readonly string[] = modelsAccepting(param as ParamName),
): string {
  const others = takers.filter((id) => id !== model.id);
  if (others.length > 0 && others.length <= 2) {
    return (
      `${param} is only accepted by ${others.join(' and ')} (model is ${model.id}): ` +
      `remove ${param} or use model ${others.map((id) => `"${id}"`).join(' or ')}`
    );
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
        `output_format ${show(args.output_format)} is not available on ${model.id}: ` +
          `use ${model.outputFormats.join(' or ')}`,
      );
    } else {
      wire.output_format = args.output_format;
    }
  }

  if (args.output_compression !== undefined && model.params.includes('output_compression')) {
    const format = args.output_format ?? model.defaultOutputFormat;
    if (!(COMPRESSIBLE_FORMATS as readonly string[]).includes(format)) {
      problems.push(
        `output_compression applies only to ${COMPRESSIBLE_FORMATS.join(' or ')} output, ` +
          `and the output format is ${format}${args.output_format ? '' : ' (the default)'}: ` +
          `add output_format "jpeg" or "webp", or remove output_compression`,
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
      'give either a size (size, or width + height) or an aspect_ratio, not both: ' +
        'a size already fixes the aspect ratio',
    );
    return;
  }
  if (hasWidthOrHeight && (args.width === undefined || args.height === undefined)) {
    const missing = args.width === undefined ? 'width' : 'height';
    problems.push(
      `width and height go together: ` +
        `add ${missing} (e.g. ${missing} ${EXAMPLE_SIZE[missing]}), or use size "WIDTHxHEIGHT"`,
    );
    return;
  }

  let size: Size | undefined;
  let label = '';
  if (args.size !== undefined) {
    if (args.size.trim().toLowerCase() === 'auto') {
      if (rule.allowsAuto) wire.size = 'auto';
      else
        problems.push(
          `size "auto" is not accepted by ${model.id}: ` +
            `omit size for the default ${rule.defaultSize}, or give one such as "${formatSize(EXAMPLE_SIZE)}"`,
        );
      return;
    }
    const parsed = parseSize(args.size);
    if (!parsed) {
      problems.push(`size ${show(args.size)} is not of the form "WIDTHxHEIGHT" (e.g. "${formatSize(EXAMPLE_SIZE)}")`);
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
      `aspect_ratio ${canonical} cannot be met by ${model.id} ` +
        `(${sizeRuleText(model.sizeRule)}): use a ratio closer to square`,
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
    `aspect_ratio ${canonical} was sent as size ${formatSize(size)} ` +
      `(about ${roundMegapixels(DEFAULT_PIXELS)}); give size for another resolution.`,
  );
}
