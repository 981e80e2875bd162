/**
 * The gateway's rules applied to what arrives over the wire: raw JSON bodies of
 * POST /images/generations and the text parts of multipart POST /images/edits, checked against
 * the documented tables (documented-rules.ts) and nothing of the server's. A request the gateway
 * documents as refused gets the gateway's error envelope here too.
 */
import {
  BOOLEAN_FIELDS,
  type DocumentedModel,
  documentedModel,
  ENUM_FIELDS,
  NUMBER_FIELDS,
  type NumberRange,
  ONLY_N,
  type WireFormat,
  type WireSize,
} from './documented-rules.js';
import { parseAspectRatio, parseWireSize, sizeAtRatio, sizeViolation, widestRatio } from './output-size.js';

interface GatewayErrorEnvelope {
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
  readonly model: DocumentedModel;
  readonly prompt: string;
  /** null: an edit that asked for no size, so the output matches image 1. */
  readonly size: WireSize | null;
  readonly format: WireFormat;
  readonly seed: number | undefined;
  /** JSON edits: the reference images in order (image 1, image 2, …), data URLs or http(s) URLs. */
  readonly inputImages: readonly string[];
}

/** A file part of a multipart request, as the simulator received it. */
export interface SimulatedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

const INPUT_IMAGE_KEY = /^input_image(?:_(\d+))?$/;

/** Reference index of an input_image key: input_image → 1, input_image_2 → 2 … (0 if malformed). */
function inputImageIndex(key: string): number {
  const match = INPUT_IMAGE_KEY.exec(key);
  if (!match) return 0;
  if (match[1] === undefined) return 1;
  const n = Number(match[1]);
  return n >= 2 ? n : 0;
}

/** [S0] "input_image_2 … input_image_8 accept a public URL (recommended) or data:image/...;base64,xxx". */
const REFERENCE_VALUE = /^(https?:\/\/|data:image\/(png|jpeg|webp);base64,)/;

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
    if (model.jsonReferences === 0) {
      throw new WireError(400, `${model.id} does not take input images on this endpoint`, inputKeys[0]!);
    }
    const count = Math.max(...inputKeys.map(inputImageIndex));
    if (count > model.jsonReferences) {
      throw new WireError(
        400,
        `${model.id} takes at most ${model.jsonReferences} reference image(s); got ${count}`,
        inputKeys[0]!,
      );
    }
    for (let i = 1; i <= count; i++) {
      const key = i === 1 ? 'input_image' : `input_image_${i}`;
      const value = fields[key];
      if (typeof value !== 'string' || !REFERENCE_VALUE.test(value)) {
        throw new WireError(400, `${key} must be an http(s) URL or a data:image/png|jpeg|webp;base64 URL`, key);
      }
      inputImages.push(value);
    }
  } else if (!model.textToImage) {
    throw new WireError(400, `${model.id} edits images: send input_image`, 'input_image', 'missing_parameter');
  }

  const isEdit = inputImages.length > 0;
  const allowed = allowedFields(model, isEdit);
  for (const key of Object.keys(fields)) {
    if (!allowed.has(key) && inputImageIndex(key) === 0) throw unknownParameter(key, model);
  }
  return checkOutputFields(model, prompt, fields, inputImages, isEdit);
}

/**
 * The text parts and files of a multipart POST /images/edits: model and prompt, image[] files
 * in order, a mask where the model takes one. The file contents are checked in references.ts.
 * Text values arrive as strings; numbers and booleans are read from them as a form parser would.
 */
export function checkEditForm(
  textFields: Readonly<Record<string, readonly string[]>>,
  files: readonly SimulatedFile[],
): AcceptedRequest {
  const single = (name: string): string | undefined => textFields[name]?.[0];
  const model = checkModel(single('model'));
  const prompt = checkPrompt(single('prompt'));
  if (model.multipartReferences === 0) throw new WireError(400, `${model.id} does not edit images`, 'model');

  const images = files.filter((f) => f.field === 'image[]' || f.field === 'image');
  if (images.length === 0) throw new WireError(400, 'send at least one image[] file', 'image[]', 'missing_parameter');
  if (images.length > model.multipartReferences) {
    throw new WireError(
      400,
      `${model.id} takes at most ${model.multipartReferences} image(s); got ${images.length}`,
      'image[]',
    );
  }
  const unknownFile = files.find((f) => !['image[]', 'image', 'mask'].includes(f.field));
  if (unknownFile)
    throw new WireError(400, `Unknown file part '${unknownFile.field}'`, unknownFile.field, 'unknown_parameter');
  const masks = files.filter((f) => f.field === 'mask');
  if (masks.length > 1) throw new WireError(400, 'send at most one mask', 'mask');
  if (masks.length > 0 && !model.mask) throw new WireError(400, `${model.id} does not take a mask`, 'mask');

  const allowed = allowedFields(model, true);
  const typed: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(textFields)) {
    if (!allowed.has(name)) throw unknownParameter(name, model);
    typed[name] = fromFormText(values[0]!);
  }
  if (typeof typed.size === 'number') typed.size = String(typed.size);
  return checkOutputFields(model, prompt, typed, [], true);
}

function fromFormText(value: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

function allowedFields(model: DocumentedModel, isEdit: boolean): Set<string> {
  return new Set(['model', 'prompt', 'n', ...model.fields, ...(isEdit ? model.editFields : [])]);
}

function unknownParameter(key: string, model: DocumentedModel): WireError {
  return new WireError(400, `Unknown parameter: '${key}' is not supported by ${model.id}`, key, 'unknown_parameter');
}

function checkModel(value: unknown): DocumentedModel {
  const model = typeof value === 'string' ? documentedModel(value) : undefined;
  if (!model) throw new WireError(400, `model ${JSON.stringify(value)} is not available`, 'model', 'model_not_found');
  return model;
}

/** [S2] "prompt string Required". */
function checkPrompt(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WireError(400, 'prompt is required', 'prompt', 'missing_parameter');
  }
  return value;
}

function checkNumber(param: string, value: unknown, range: NumberRange): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || (range.integer && !Number.isInteger(value))) {
    throw new WireError(400, `${param} must be ${range.integer ? 'an integer' : 'a number'}`, param);
  }
  if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    throw new WireError(400, `${param} must be between ${range.min} and ${range.max}`, param);
  }
}

/** Count, numbers, enums, booleans, format and size: the same on both endpoints. */
function checkOutputFields(
  model: DocumentedModel,
  prompt: string,
  fields: Record<string, unknown>,
  inputImages: readonly string[],
  isEdit: boolean,
): AcceptedRequest {
  if (fields.n !== undefined && fields.n !== ONLY_N)
    throw new WireError(400, 'n must be 1: one image per request', 'n');

  for (const [param, range] of Object.entries(NUMBER_FIELDS)) {
    if (fields[param] !== undefined) checkNumber(param, fields[param], range);
  }
  for (const [param, values] of Object.entries(ENUM_FIELDS)) {
    const value = fields[param];
    if (value !== undefined && !values.includes(String(value))) {
      const extra =
        param === 'background' && value === 'transparent' ? ': transparent background is not supported' : '';
      throw new WireError(400, `${param} must be one of ${values.join(', ')}${extra}`, param);
    }
  }
  for (const param of BOOLEAN_FIELDS) {
    if (fields[param] !== undefined && typeof fields[param] !== 'boolean') {
      throw new WireError(400, `${param} must be a boolean`, param);
    }
  }
  const format = fields.output_format ?? model.defaultOutputFormat;
  if (!model.outputFormats.includes(format as WireFormat)) {
    throw new WireError(400, `output_format must be one of ${model.outputFormats.join(', ')}`, 'output_format');
  }
  // output_compression with png is not refused: [S4] says it is "only effective for jpeg/webp".

  const size = checkSize(model, fields, isEdit);
  const seed = typeof fields.seed === 'number' ? fields.seed : undefined;
  return { model, prompt, size, format: format as WireFormat, seed, inputImages };
}

/**
 * The size to render: `size` or `width` + `height` ([S2] "Pick either size or width+height"),
 * else `aspect_ratio` (about 1 MP at that ratio), else the default; for an edit, null (image 1's
 * size, [S0] "If aspect_ratio is omitted, output dimensions match the first input image").
 */
function checkSize(model: DocumentedModel, fields: Record<string, unknown>, isEdit: boolean): WireSize | null {
  const rules = model.size;
  const unsized = isEdit ? null : rules.defaultSize;
  const { size, width, height, aspect_ratio: aspect } = fields;
  if (size !== undefined && (width !== undefined || height !== undefined)) {
    throw new WireError(400, 'send either size or width/height, not both', 'size');
  }
  if ((width === undefined) !== (height === undefined)) {
    throw new WireError(400, 'width and height must be sent together', width === undefined ? 'width' : 'height');
  }
  let requested: WireSize | null = null;
  if (typeof size === 'string') {
    if (size === 'auto' && rules.auto) return unsized;
    requested = parseWireSize(size);
    if (!requested) throw new WireError(400, 'size must look like 1024x1024', 'size');
  } else if (size !== undefined) {
    throw new WireError(400, 'size must be a string like 1024x1024', 'size');
  } else if (width !== undefined) {
    if (!Number.isInteger(width) || !Number.isInteger(height))
      throw new WireError(400, 'width and height must be integers', 'width');
    requested = { width: width as number, height: height as number };
  }
  if (requested) {
    const violation = sizeViolation(requested, rules);
    if (violation) {
      const param = size !== undefined ? 'size' : 'width';
      throw new WireError(400, `invalid size ${requested.width}x${requested.height}: ${violation}`, param);
    }
    return requested;
  }
  if (aspect !== undefined) {
    const ratio = typeof aspect === 'string' ? parseAspectRatio(aspect) : null;
    const widest = widestRatio(rules);
    if (ratio === null || ratio > widest || ratio < 1 / widest) {
      throw new WireError(400, 'aspect_ratio must look like 16:9 and be within the model limits', 'aspect_ratio');
    }
    return sizeAtRatio(ratio, rules);
  }
  return unsized;
}
