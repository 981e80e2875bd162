/**
 * From the `images` and `mask` an agent passed to what goes on the wire: each source resolved,
 * its bytes checked against the model's input rule (format by magic number, size, pixels,
 * minimum side; the mask's format, alpha and size), hashed for the sidecar, and normalized when
 * that is on. Every problem with every input is collected and reported at once, before any
 * request is made.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Transport } from '../../catalog/gateway.js';
import type { EditingModel, InputRule } from '../../catalog/models.js';
import { formatSize, roundMegapixels, type Size } from '../../catalog/sizes.js';
import { invalidArgument, throwIfCancelled } from '../../core/failure.js';
import { formatBytes, thousands } from '../../core/units.js';
import { memoryPayload, type Payload, payloadChunks } from '../../gateway/bodies.js';
import { decodeBase64Strict, decodedLength } from '../../imaging/base64.js';
import { type ImageHeader, readImageHeader } from '../../imaging/inspect.js';
import { loadSharp } from '../../imaging/sharp.js';
import type { InputRecord } from '../../library/input-record.js';
import { applyNormalization, describePlan, type NormalizationPlan, planNormalization } from './normalize.js';
import { fetchImageUrl, InputProblem, openLocalFile } from './read.js';
import { describeSource, type ImageSource, parseImageSource, SourceProblem } from './source.js';

/** One input as it goes on the wire. */
export type WireInput =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'bytes'; readonly payload: Payload; readonly mimeType: string; readonly extension: string };

export interface PreparedInput {
  readonly wire: WireInput;
  readonly record: InputRecord;
}

export interface PreparedInputs {
  readonly images: readonly PreparedInput[];
  readonly mask: PreparedInput | undefined;
  /** For the result text: what was normalized, or what was sent as given although off-rule. */
  readonly notes: readonly string[];
}

export interface PrepareRequest {
  readonly images: readonly string[];
  readonly mask: string | undefined;
  readonly model: EditingModel;
  readonly normalize: boolean;
  /** Where this server saves images: a relative name found there is suggested as a path. */
  readonly outputDir: string;
  readonly signal?: AbortSignal;
  readonly home?: string;
  readonly platform?: NodeJS.Platform;
}

/** An input whose bytes we hold (or a URL we pass through), checked. */
interface Loaded {
  readonly role: 'image' | 'mask';
  readonly index: number | undefined;
  readonly label: string;
  readonly source: ImageSource;
  readonly payload?: Payload;
  readonly header?: ImageHeader;
  readonly sha256?: string;
}

export async function prepareEditInputs(request: PrepareRequest): Promise<PreparedInputs> {
  const { edits } = request.model;
  const rule = edits.inputRule;
  const context = { home: request.home ?? os.homedir(), platform: request.platform ?? process.platform };
  const problems: string[] = [];

  const entries = [
    ...request.images.map((text, i) => ({ text, role: 'image' as const, index: (i + 1) as number | undefined })),
    ...(request.mask !== undefined ? [{ text: request.mask, role: 'mask' as const, index: undefined }] : []),
  ];
  const loaded: Loaded[] = [];
  for (const entry of entries) {
    throwIfCancelled(request.signal);
    const label = `${entry.role === 'mask' ? 'mask' : `image ${entry.index}`} ${describeSource(entry.text.trim())}`;
    const source = parseImageSource(entry.text, context);
    if (source instanceof SourceProblem) {
      problems.push(`${label} ${source.message}${await savedImageHint(entry.text.trim(), request.outputDir)}`);
      continue;
    }
    try {
      loaded.push(await load({ ...entry, label, source }, rule, edits.transport, request.signal));
    } catch (error) {
      if (!(error instanceof InputProblem)) throw error;
      problems.push(`${label} ${error.message}`);
    }
  }

  const images = loaded.filter((input) => input.role === 'image');
  const mask = loaded.find((input) => input.role === 'mask');
  if (mask && images[0]?.header && mask.header && problems.length === 0) {
    const imageOne = sentSize(images[0], rule, request.normalize);
    const maskSize = sentSize(mask, rule, request.normalize);
    if (imageOne.width !== maskSize.width || imageOne.height !== maskSize.height) {
      problems.push(
        `${mask.label} is ${formatSize(maskSize)}, but image 1 is ${formatSize(imageOne)} as sent: the mask must be exactly the size of image 1 (resize it to ${formatSize(imageOne)})`,
      );
    }
  }

  if (problems.length > 0) {
    const [first, ...rest] = problems;
    throw invalidArgument(
      [first, ...rest.map((p) => `- ${p}`)].join('\n'),
      'Nothing was sent to the gateway. Fix the inputs and call again.',
    );
  }

  const notes: string[] = [];
  const prepared: PreparedInput[] = [];
  for (const input of loaded) {
    throwIfCancelled(request.signal);
    prepared.push(await toWire(input, rule, request.normalize, notes));
  }
  return {
    images: prepared.filter((p) => p.record.role === 'image'),
    mask: prepared.find((p) => p.record.role === 'mask'),
    notes,
  };
}

/** Get the bytes (or keep the URL) and check them against the rule. Throws InputProblem. */
async function load(
  entry: { role: 'image' | 'mask'; index: number | undefined; label: string; source: ImageSource },
  rule: InputRule,
  transport: Transport,
  signal: AbortSignal | undefined,
): Promise<Loaded> {
  const { source } = entry;
  const limit = `the ${formatBytes(rule.maxBytes)} limit (${thousands(rule.maxBytes)} bytes) for this model's inputs`;
  let payload: Payload;
  switch (source.kind) {
    case 'url':
      // The JSON path takes URLs: the gateway fetches them, so we neither download nor check them.
      if (transport === 'json') return { ...entry };
      payload = memoryPayload(await fetchImageUrl(source.url, rule.maxBytes, signal));
      break;
    case 'file': {
      const file = await openLocalFile(source.path);
      if (file.size > rule.maxBytes) {
        throw new InputProblem(
          `is ${thousands(file.size)} bytes, over ${limit}: save it as a JPEG or downscale it, then pass the new file`,
        );
      }
      payload = file;
      break;
    }
    case 'data': {
      // Checked from the text's length, before decoding anything.
      if (decodedLength(source.base64) > rule.maxBytes) {
        throw new InputProblem(
          `holds ${thousands(decodedLength(source.base64))} bytes, over ${limit}: save the image to a file, shrink it and pass its absolute path`,
        );
      }
      const bytes = decodeBase64Strict(source.base64);
      if (!bytes)
        throw new InputProblem(
          'is not valid base64 (truncated or corrupted?): save the image to a file and pass its absolute path instead',
        );
      payload = memoryPayload(bytes);
      break;
    }
  }

  const header = await readImageHeader(payload.kind === 'file' ? payload.path : payload.bytes);
  if (!header) throw new InputProblem(await notAnImage(payload));
  if (source.kind === 'data' && source.declaredType !== header.mimeType) {
    throw new InputProblem(
      `declares ${source.declaredType} but holds ${header.format} bytes: use data:${header.mimeType};base64,… (or better, pass the file's path)`,
    );
  }
  const { width, height } = header.upright;
  if (width < rule.minSide || height < rule.minSide) {
    throw new InputProblem(
      `is ${width}×${height}, under the minimum of ${rule.minSide}×${rule.minSide}: use a larger image`,
    );
  }
  if (rule.maxPixels !== null && width * height > rule.maxPixels) {
    // What normalization sends anyway is all the model can use.
    const plenty = rule.sendAs
      ? ` (${roundMegapixels(rule.sendAs.maxPixels)} is plenty; larger inputs are scaled down anyway)`
      : '';
    throw new InputProblem(
      `is ${width}×${height} (${thousands(width * height)} px), over the ${thousands(rule.maxPixels)} px limit for this model's inputs: downscale it${plenty}`,
    );
  }
  if (entry.role === 'mask') {
    if (header.format !== 'png')
      throw new InputProblem(`is a ${header.format} image: a mask must be a PNG with an alpha channel`);
    if (!header.hasAlpha) {
      throw new InputProblem(
        'is a PNG without an alpha channel: the mask marks the area to repaint with transparency (alpha 0), so export it as a PNG with transparency',
      );
    }
  }
  return { ...entry, payload, header, sha256: await sha256Of(payload) };
}

async function sha256Of(payload: Payload): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of payloadChunks(payload)) hash.update(chunk);
  } catch (error) {
    throw new InputProblem(`could not be read to the end (${(error as Error).message})`);
  }
  return hash.digest('hex');
}

/** Name what the bytes are when sharp knows the format (a HEIC from a phone, a GIF…). */
async function notAnImage(payload: Payload): Promise<string> {
  const sharp = await loadSharp();
  const format = await sharp(payload.kind === 'file' ? payload.path : payload.bytes)
    .metadata()
    .then((m) => m.format as string | undefined)
    .catch(() => undefined);
  const what = format
    ? `is a ${format.toUpperCase()} image`
    : 'is not an image this server can read (judged by its content, not its name)';
  return `${what}: inputs must be PNG, JPEG or WebP; convert it (e.g. with Preview, Photoshop or \`sips -s format jpeg\`) and pass the new file`;
}

/** "(an image of that name is in the output directory: "/abs/…")" for a bare saved-image name. */
async function savedImageHint(given: string, outputDir: string): Promise<string> {
  if (given === '' || /^[a-z][a-z0-9+.-]*:/i.test(given)) return '';
  const candidate = path.resolve(outputDir, given);
  if (!candidate.startsWith(outputDir + path.sep)) return '';
  const found = await stat(candidate).then(
    (s) => s.isFile(),
    () => false,
  );
  return found ? ` — this server saved an image of that name: "${candidate}"` : '';
}

function plannedNormalization(input: Loaded, rule: InputRule): NormalizationPlan | undefined {
  return input.header ? planNormalization(input.header, rule) : undefined;
}

/** The size the gateway will see for an input: normalized, or as stored. */
function sentSize(input: Loaded, rule: InputRule, normalize: boolean): Size {
  const plan = normalize ? plannedNormalization(input, rule) : undefined;
  return plan ? plan.to : { width: input.header!.width, height: input.header!.height };
}

async function toWire(input: Loaded, rule: InputRule, normalize: boolean, notes: string[]): Promise<PreparedInput> {
  const { source, header, payload } = input;
  const base = {
    role: input.role,
    ...(input.index !== undefined ? { index: input.index } : {}),
    source: source.kind === 'data' ? describeSource(source.given).replace(/^"|"$/g, '') : source.given,
    kind: source.kind,
    ...(source.kind === 'file' && payload?.kind === 'file' && payload.path !== source.given
      ? { path: payload.path }
      : {}),
  };
  if (!header || !payload) {
    return { wire: { kind: 'url', url: source.given }, record: { ...base, sent: 'url' } };
  }
  const facts = {
    sha256: input.sha256!,
    bytes: payload.size,
    width: header.upright.width,
    height: header.upright.height,
    format: header.format,
    ...(header.orientation !== 1 ? { orientation: header.orientation } : {}),
  };
  const original: PreparedInput = {
    wire: { kind: 'bytes', payload, mimeType: header.mimeType, extension: header.extension },
    record: { ...base, ...facts, sent: 'original' },
  };

  const plan = plannedNormalization(input, rule);
  if (!plan) return original;
  if (!normalize) {
    notes.push(
      `${input.label} was sent as given although it could be normalized (${describePlan(plan)}), because FLUX_MCP_NORMALIZE_INPUTS=0.`,
    );
    return original;
  }
  const bytes = await applyNormalization(payload.kind === 'file' ? payload.path : payload.bytes, header, plan);
  const changes = describePlan(plan);
  notes.push(
    `${input.label} was ${changes} before sending${source.kind === 'file' ? '; your file is unchanged' : ''}.`,
  );
  return {
    wire: { kind: 'bytes', payload: memoryPayload(bytes), mimeType: header.mimeType, extension: header.extension },
    record: {
      ...base,
      ...facts,
      sent: 'normalized',
      normalized: {
        ...plan.to,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        changes,
      },
    },
  };
}
