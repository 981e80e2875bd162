/**
 * Reference images as the gateway sees them: data URLs decoded strictly (the declared type must
 * match the bytes), http(s) URLs fetched by the "gateway" itself, uploaded files checked; each
 * against the model's documented input limits (documented-rules.ts). A mask must be a PNG with
 * alpha, the size of image 1 ([S4] "Must have alpha channel", "Same size … as original").
 * Anything else is refused with the gateway's error envelope.
 */
import { decodeBase64Strict } from '../imaging/base64.js';
import { loadSharp } from '../imaging/sharp.js';
import type { DocumentedModel, InputLimits } from './documented-rules.js';
import { type SimulatedFile, WireError } from './wire-rules.js';

export interface Reference {
  readonly bytes: Buffer;
  readonly format: 'png' | 'jpeg' | 'webp';
  readonly width: number;
  readonly height: number;
  readonly hasAlpha: boolean;
}

/** What the simulator sends when it fetches a reference URL, so tests can tell who fetched. */
export const SIMULATOR_USER_AGENT = 'apiyi-gateway-simulator/1';
const FETCH_TIMEOUT_MS = 15_000;

const DATA_URL = /^data:(image\/(?:png|jpeg|webp));base64,/;

/** The limits a model's references are held to (only models that take references get here). */
function inputLimits(model: DocumentedModel): InputLimits {
  if (!model.inputs) throw new Error(`${model.id} takes no reference images`);
  return model.inputs;
}

async function inspect(bytes: Buffer, what: string, param: string, rule: InputLimits): Promise<Reference> {
  if (bytes.length > rule.maxBytes)
    throw new WireError(400, `${what} is ${bytes.length} bytes, over the ${rule.maxBytes}-byte limit`, param);
  const sharp = await loadSharp();
  const meta = await sharp(bytes)
    .metadata()
    .catch(() => undefined);
  if (!meta?.format || !(rule.formats as readonly string[]).includes(meta.format) || !meta.width || !meta.height) {
    throw new WireError(400, `${what} is not a png, jpeg or webp image`, param, 'invalid_image');
  }
  if (rule.minSide !== null && (meta.width < rule.minSide || meta.height < rule.minSide)) {
    throw new WireError(
      400,
      `${what} is ${meta.width}x${meta.height}, under the minimum of ${rule.minSide}x${rule.minSide}`,
      param,
      'invalid_image',
    );
  }
  if (rule.maxPixels !== null && meta.width * meta.height > rule.maxPixels) {
    throw new WireError(400, `${what} is over ${rule.maxPixels} pixels`, param, 'invalid_image');
  }
  return {
    bytes,
    format: meta.format as Reference['format'],
    width: meta.width,
    height: meta.height,
    hasAlpha: meta.hasAlpha === true,
  };
}

/** input_image… values, in order: data URLs decoded and checked, URLs fetched and checked. */
export async function resolveJsonReferences(model: DocumentedModel, values: readonly string[]): Promise<Reference[]> {
  const references: Reference[] = [];
  for (const [i, value] of values.entries()) {
    const key = i === 0 ? 'input_image' : `input_image_${i + 1}`;
    references.push(await inspect(await referenceBytes(key, value), key, key, inputLimits(model)));
  }
  return references;
}

async function referenceBytes(key: string, value: string): Promise<Buffer> {
  const header = DATA_URL.exec(value);
  if (header) {
    const bytes = decodeBase64Strict(value.slice(header[0].length));
    if (!bytes) throw new WireError(400, `${key} is not valid base64`, key, 'invalid_image');
    const sharp = await loadSharp();
    const format = await sharp(bytes)
      .metadata()
      .then(
        (m) => m.format,
        () => undefined,
      );
    if (format && `image/${format}` !== header[1]) {
      throw new WireError(400, `${key} declares ${header[1]} but holds ${format} data`, key, 'invalid_image');
    }
    return bytes;
  }
  let response: Response;
  try {
    response = await fetch(value, {
      headers: { 'user-agent': SIMULATOR_USER_AGENT },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new WireError(400, `${key} could not be downloaded (${(error as Error).message})`, key, 'invalid_image_url');
  }
  if (!response.ok)
    throw new WireError(400, `${key} could not be downloaded (HTTP ${response.status})`, key, 'invalid_image_url');
  return Buffer.from(await response.arrayBuffer());
}

/** Multipart image[] files in order and the mask: formats, limits, and the mask's alpha and size. */
export async function checkUploads(model: DocumentedModel, files: readonly SimulatedFile[]): Promise<Reference[]> {
  const limits = inputLimits(model);
  const images = files.filter((f) => f.field === 'image[]' || f.field === 'image');
  const references: Reference[] = [];
  for (const [i, file] of images.entries())
    references.push(await inspect(file.bytes, `image ${i + 1} (${file.filename})`, 'image[]', limits));

  const mask = files.find((f) => f.field === 'mask');
  if (mask) {
    const checked = await inspect(mask.bytes, 'mask', 'mask', limits);
    if (checked.format !== 'png' || !checked.hasAlpha)
      throw new WireError(400, 'mask must be a PNG with an alpha channel', 'mask', 'invalid_mask');
    const first = references[0]!;
    if (checked.width !== first.width || checked.height !== first.height) {
      throw new WireError(
        400,
        `mask is ${checked.width}x${checked.height} but image 1 is ${first.width}x${first.height}: they must match`,
        'mask',
        'invalid_mask',
      );
    }
  }
  return references;
}
