/**
 * The gateway's rules as the simulator enforces them on what arrives over the wire: the same
 * facts as the catalog (so they cannot drift apart), applied to raw request bodies independently
 * of the server's own validation. A request the real gateway would refuse gets the gateway's
 * error envelope here too.
 */
import { getModel, type ModelSpec, type OutputFormat, type ParamName, wireParams } from '../catalog/models.js';
import {
  BACKGROUND_VALUES,
  GUIDANCE,
  type NumberRule,
  OUTPUT_COMPRESSION,
  QUALITY_VALUES,
  SAFETY_TOLERANCE,
  SEED,
  STEPS,
} from '../catalog/parameters.js';
import {
  formatSize,
  parseAspectRatio,
  parseSize,
  type Size,
  sizeForAspectRatio,
  sizeProblems,
} from '../catalog/sizes.js';

export interface GatewayErrorEnvelope {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: string | null;
  };
}

export class WireError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = 'invalid_parameter',
  ) {
    super(message);
  }

  envelope(): GatewayErrorEnvelope {
    return { error: { message: this.message, type: 'invalid_request_error', param: this.param, code: this.code } };
  }
}

/** What the simulator will produce for an accepted request. */
export interface AcceptedRequest {
  readonly model: ModelSpec;
  readonly prompt: string;
  /** null: no size was asked for on an edit, so the output matches image 1. */
  readonly size: Size | null;
  readonly format: OutputFormat;
  readonly seed: number | undefined;
  /** JSON edits: the reference images in order (image 1, image 2, …), data URLs or http(s) URLs. */
  readonly inputImages: readonly string[];
}

const NUMBER_RULES: Partial<Record<ParamName, NumberRule>> = {
  seed: SEED,
  safety_tolerance: SAFETY_TOLERANCE,
  steps: STEPS,
  guidance: GUIDANCE,
  output_compression: OUTPUT_COMPRESSION,
};
const ENUMS: Partial<Record<ParamName, readonly string[]>> = { quality: QUALITY_VALUES, background: BACKGROUND_VALUES };

const INPUT_IMAGE_KEY = /^input_image(?:_(\d+))?$/;

/** Reference index of an input_image key: input_image → 1, input_image_2 → 2 … (0 if malformed). */
function inputImageIndex(key: string): number {
  const match = INPUT_IMAGE_KEY.exec(key);
  if (!match) return 0;
  if (match[1] === undefined) return 1;
  const n = Number(match[1]);
  return n >= 2 ? n : 0;
}

function checkNumber(param: ParamName, value: unknown, rule: NumberRule): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new WireError(400, `${param} must be ${rule.integer ? 'an integer' : 'a number'}`, param);
  }
  if (value < rule.min || value > rule.max) {
    throw new WireError(400, `${param} must be between ${rule.min} and ${rule.max}`, param);
  }
  return value;
}

/** Check a JSON body for POST /images/generations; throws WireError as the gateway would answer. */
export function checkGenerationBody(body: unknown): AcceptedRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WireError(400, 'request body must be a JSON object', null, 'invalid_json');
  }
  const fields = body as Record<string, unknown>;
  const model = checkModel(fields.model);
  const prompt = checkPrompt(fields.prompt);

  const inputKeys = Object.keys(fields).filter((k) => inputImageIndex(k) > 0);
  const inputImages: string[] = [];
  if (inputKeys.length > 0) {
    if (model.edits?.transport !== 'json') {
      throw new WireError(400, `${model.id} does not take input images on this endpoint`, inputKeys[0]!);
    }
    const count = Math.max(...inputKeys.map(inputImageIndex));
    if (count > model.edits.maxReferences) {
      throw new WireError(
        400,
        `${model.id} takes at most ${model.edits.maxReferences} reference image(s); got ${count}`,
        inputKeys[0]!,
      );
    }
    for (let i = 1; i <= count; i++) {
      const key = i === 1 ? 'input_image' : `input_image_${i}`;
      const value = fields[key];
      if (typeof value !== 'string' || !/^(https?:\/\/|data:image\/(png|jpeg|webp);base64,)/.test(value)) {
        throw new WireError(400, `${key} must be an http(s) URL or a data:image/png|jpeg|webp;base64 URL`, key);
      }
      inputImages.push(value);
    }
  } else if (!model.generates) {
    throw new WireError(400, `${model.id} edits images: send input_image`, 'input_image', 'missing_parameter');
  }

  const allowed = new Set<string>(['model', 'prompt', 'n', ...wireParams(model)]);
  for (const key of Object.keys(fields)) {
    if (!allowed.has(key) && inputImageIndex(key) === 0) {
      throw new WireError(400, `Unknown parameter: '${key}' is not supported by ${model.id}`, key, 'unknown_parameter');
    }
  }
  return checkOutputFields(model, prompt, fields, inputImages, inputImages.length > 0);
}

export function checkModel(value: unknown): ModelSpec {
  const model = typeof value === 'string' ? getModel(value) : undefined;
  if (!model) throw new WireError(400, `model ${JSON.stringify(value)} is not available`, 'model', 'model_not_found');
  return model;
}

export function checkPrompt(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WireError(400, 'prompt is required', 'prompt', 'missing_parameter');
  }
  return value;
}

/** Size, format and tuning fields, shared by both endpoints (multipart values arrive as text). */
export function checkOutputFields(
  model: ModelSpec,
  prompt: string,
  fields: Record<string, unknown>,
  inputImages: readonly string[],
  isEdit: boolean,
): AcceptedRequest {
  if (fields.n !== undefined && fields.n !== 1) throw new WireError(400, 'n must be 1: one image per request', 'n');

  for (const [param, rule] of Object.entries(NUMBER_RULES) as [ParamName, NumberRule][]) {
    if (fields[param] !== undefined) checkNumber(param, fields[param], rule);
  }
  for (const [param, values] of Object.entries(ENUMS) as [ParamName, readonly string[]][]) {
    const value = fields[param];
    if (value !== undefined && !values.includes(String(value))) {
      const extra =
        param === 'background' && value === 'transparent' ? ': transparent background is not supported' : '';
      throw new WireError(400, `${param} must be one of ${values.join(', ')}${extra}`, param);
    }
  }
  if (fields.prompt_upsampling !== undefined && typeof fields.prompt_upsampling !== 'boolean') {
    throw new WireError(400, 'prompt_upsampling must be a boolean', 'prompt_upsampling');
  }
  const format = (fields.output_format ?? model.defaultOutputFormat) as OutputFormat;
  if (!model.outputFormats.includes(format)) {
    throw new WireError(400, `output_format must be one of ${model.outputFormats.join(', ')}`, 'output_format');
  }

  const size = checkSize(model, fields, isEdit);
  const seed = typeof fields.seed === 'number' ? fields.seed : undefined;
  return { model, prompt, size, format, seed, inputImages };
}

function checkSize(model: ModelSpec, fields: Record<string, unknown>, isEdit: boolean): Size | null {
  const imageOneOrDefault = isEdit ? null : { width: 1024, height: 1024 };
  const { size, width, height, aspect_ratio: aspect } = fields;
  if (size !== undefined && (width !== undefined || height !== undefined)) {
    throw new WireError(400, 'send either size or width/height, not both', 'size');
  }
  if ((width === undefined) !== (height === undefined)) {
    throw new WireError(400, 'width and height must be sent together', width === undefined ? 'width' : 'height');
  }
  let requested: Size | undefined;
  if (typeof size === 'string') {
    if (size === 'auto' && model.sizeRule.allowsAuto) return imageOneOrDefault;
    requested = parseSize(size) ?? undefined;
    if (!requested) throw new WireError(400, `size must look like 1024x1024`, 'size');
  } else if (size !== undefined) {
    throw new WireError(400, 'size must be a string like 1024x1024', 'size');
  } else if (width !== undefined) {
    if (!Number.isInteger(width) || !Number.isInteger(height))
      throw new WireError(400, 'width and height must be integers', 'width');
    requested = { width: width as number, height: height as number };
  }
  if (requested) {
    const problems = sizeProblems(requested, model.sizeRule);
    if (problems.length > 0)
      throw new WireError(
        400,
        `invalid size ${formatSize(requested)}: ${problems[0]}`,
        size !== undefined ? 'size' : 'width',
      );
    return requested;
  }
  if (aspect !== undefined) {
    const ratio = typeof aspect === 'string' ? parseAspectRatio(aspect) : null;
    const fromRatio = ratio ? sizeForAspectRatio(ratio, model.sizeRule) : null;
    if (!fromRatio)
      throw new WireError(400, 'aspect_ratio must look like 16:9 and be within the model limits', 'aspect_ratio');
    return fromRatio;
  }
  return imageOneOrDefault;
}
