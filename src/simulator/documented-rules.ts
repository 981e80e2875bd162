/**
 * The gateway's rules as its documentation states them, copied by hand into literal tables. The
 * simulator holds requests to these and to nothing else: it imports nothing from the server's
 * catalog (src/catalog/), so a mistake there shows up in the tests as a disagreement between the
 * server and the simulator instead of being shared by both.
 *
 * When you change a number here, change it because the documentation says so, never to make the
 * server's tests pass. Sources, quoted next to each fact:
 *
 *   [S0] shared/seeds/000_*.txt  FLUX edit / fusion, POST /v1/images/generations (JSON, input_image…)
 *   [S1] shared/seeds/001_*.txt  FLUX edit / fusion, POST /v1/images/edits (multipart, image[])
 *   [S2] shared/seeds/002_*.txt  FLUX text-to-image, POST /v1/images/generations
 *   [S3] shared/seeds/003_*.txt  FLUX overview: models, size constraints, inputs
 *   [S4] shared/seeds/004_*.txt  gpt-image-2 edit / fusion, POST /v1/images/edits
 *   [GW] shared/docs/gateway.md  the consolidated contract (gpt-image-2 text-to-image and sizes)
 */

export type WireFormat = 'jpeg' | 'png' | 'webp';

export interface WireSize {
  readonly width: number;
  readonly height: number;
}

/** Limits on the output size a request asks for (`size`, or `width` + `height`). */
export interface OutputSizeRules {
  readonly multipleOf: number;
  /** Smallest side; undefined when only the pixel and ratio limits bound it. */
  readonly minSide?: number;
  readonly maxSide: number;
  readonly minPixels?: number;
  readonly maxPixels: number;
  /** Longest side over shortest side. */
  readonly maxRatio?: number;
  /** `size: "auto"` is taken. */
  readonly auto: boolean;
  /** Named sizes that are always taken. */
  readonly presets: readonly string[];
  /** Sizes the documentation gives as valid although they break a rule above. */
  readonly exceptions: readonly string[];
  /** What is rendered when a text-to-image request names no size (or "auto"). */
  readonly defaultSize: WireSize;
}

/** Limits on each reference image (and mask) the gateway receives. */
export interface InputLimits {
  readonly maxBytes: number;
  /** null: none documented. */
  readonly maxPixels: number | null;
  /** null: none documented. */
  readonly minSide: number | null;
  readonly formats: readonly WireFormat[];
}

export interface DocumentedModel {
  readonly id: string;
  /** POST /images/generations without input_image: text-to-image. */
  readonly textToImage: boolean;
  /** Most `input_image`, `input_image_2` … references on POST /images/generations; 0: not taken. */
  readonly jsonReferences: number;
  /** Most `image[]` files on POST /images/edits; 0: the model is not on that endpoint. */
  readonly multipartReferences: number;
  /** Takes a `mask` file on POST /images/edits. */
  readonly mask: boolean;
  /** Wire fields taken on every endpoint the model is on, besides model, prompt and n. */
  readonly fields: readonly string[];
  /** Wire fields taken only when reference images are sent. */
  readonly editFields: readonly string[];
  readonly outputFormats: readonly WireFormat[];
  readonly defaultOutputFormat: WireFormat;
  /** How the image comes back: a signed URL (FLUX) or base64 in the body (gpt-image-2). */
  readonly delivery: 'url' | 'b64_json';
  readonly size: OutputSizeRules;
  /** Limits on reference images; null when the model takes none. */
  readonly inputs: InputLimits | null;
}

export interface NumberRange {
  readonly integer: boolean;
  /** undefined: no bound documented. */
  readonly min?: number;
  readonly max?: number;
}

/**
 * Ranges of the numeric fields.
 * - seed: [S2] "seed integer … Fix for reproducibility" (no range given).
 * - safety_tolerance: [S2] "Required range: 0 <= x <= 6".
 * - steps: [S2] "Only flux-2-flex. Inference steps, max 50. Required range: 1 <= x <= 50".
 * - guidance: [S2] "Only flux-2-flex. Guidance scale. 1.5–10 … Required range: 1.5 <= x <= 10".
 * - output_compression: [S4] "Output compression (0–100) … Required range: 0 <= x <= 100"
 *   (integer: [S4] "output_compression integer").
 */
export const NUMBER_FIELDS: Readonly<Record<string, NumberRange>> = {
  seed: { integer: true },
  safety_tolerance: { integer: true, min: 0, max: 6 },
  steps: { integer: true, min: 1, max: 50 },
  guidance: { integer: false, min: 1.5, max: 10 },
  output_compression: { integer: true, min: 0, max: 100 },
};

/**
 * Fields with a fixed set of values.
 * - quality: [S4] "Available options: auto, low, medium, high".
 * - background: [S4] "auto / opaque (not supported: transparent)".
 */
export const ENUM_FIELDS: Readonly<Record<string, readonly string[]>> = {
  quality: ['auto', 'low', 'medium', 'high'],
  background: ['auto', 'opaque'],
};

/** [S2] "prompt_upsampling boolean … default false". */
export const BOOLEAN_FIELDS: readonly string[] = ['prompt_upsampling'];

/** [S2] "n enum<integer> … Only 1 supported. Available options: 1". */
export const ONLY_N = 1;

/**
 * FLUX output sizes.
 * - [S2] "width … Must be a multiple of 16, between 64 and 2048"; "Required range: 64 <= x <= 2048".
 * - [S2] "Total pixel cap is 4MP (~2048×2048) — exceeding returns 400"; [GW] "take 4 MP =
 *   2048 × 2048 = 4,194,304 px".
 * - Exceptions: [S3] "1280x720, 1920x1080, 2048x1024, 1456x1920" are given as valid custom sizes
 *   and [S2] uses size="1920x1080" and width 1920 / height 1080 in its own samples, although 1080
 *   is not a multiple of 16. 1080x1920 does not appear in the seeds; it is the portrait form of
 *   the same documented size, and is taken as such.
 * - Default: [S2] "size … default 1024x1024".
 */
const FLUX_SIZES: OutputSizeRules = {
  multipleOf: 16,
  minSide: 64,
  maxSide: 2048,
  maxPixels: 4_194_304,
  auto: false,
  presets: [],
  exceptions: ['1920x1080', '1080x1920'],
  defaultSize: { width: 1024, height: 1024 },
};

/**
 * gpt-image-2 output sizes, [GW] "Parameters (gpt-image-2)": "`size`: `auto` or `WxH`; presets
 * 1024x1024, 1536x1024, 1024x1536, 2048x2048, 2048x1152, 3840x2160, 2160x3840. Upstream rules for
 * custom sizes: both sides multiples of 16, longest side ≤ 3840, ratio ≤ 3:1, 655,360 ≤ w × h ≤
 * 8,294,400". [S4] "size … default: auto … Preset or constraint-satisfying custom size".
 * What "auto" renders is the simulator's choice: 1024x1024, the first preset.
 */
const GPT_IMAGE_SIZES: OutputSizeRules = {
  multipleOf: 16,
  maxSide: 3840,
  minPixels: 655_360,
  maxPixels: 8_294_400,
  maxRatio: 3,
  auto: true,
  presets: ['1024x1024', '1536x1024', '1024x1536', '2048x2048', '2048x1152', '3840x2160', '2160x3840'],
  exceptions: [],
  defaultSize: { width: 1024, height: 1024 },
};

/**
 * FLUX reference images: [S0]/[S1] "Each image ≤ 20MB or 20MP, formats png / jpg / webp" and
 * "Input resolution: min 64×64". Read strictly: both 20 MB (as 20,000,000 bytes) and 20 MP must
 * hold. The seeds also say "max 4MP; dimensions must be multiples of 16" for inputs, but
 * [GW] notes that BFL resizes larger inputs itself, so that is a recommendation, not a refusal.
 */
const FLUX_INPUTS: InputLimits = {
  maxBytes: 20_000_000,
  maxPixels: 20_000_000,
  minSide: 64,
  formats: ['png', 'jpeg', 'webp'],
};

/**
 * gpt-image-2 reference images and mask: [S4] "Recommended ≤ 10MB per image, formats: png / jpg /
 * webp" and, for the mask, "Single file ≤ 50MB"; [GW] "≤ 10 MB per image recommended (50 MB
 * hard)". No pixel or side limit is documented.
 */
const GPT_IMAGE_INPUTS: InputLimits = {
  maxBytes: 50_000_000,
  maxPixels: null,
  minSide: null,
  formats: ['png', 'jpeg', 'webp'],
};

/**
 * Wire fields of every FLUX model: [S2] parameter table (size, width, height, seed,
 * safety_tolerance, output_format, prompt_upsampling; n). [S2] "prompt_upsampling is not
 * supported on FLUX.2 [klein] — silently ignored": taken, not refused.
 */
const FLUX_FIELDS = ['size', 'width', 'height', 'seed', 'safety_tolerance', 'output_format', 'prompt_upsampling'];

/** [S2] "steps … Only flux-2-flex"; "guidance … Only flux-2-flex". */
const FLEX_FIELDS = [...FLUX_FIELDS, 'steps', 'guidance'];

/**
 * [S0] "aspect_ratio … Defaults to first input image" (an edit field); [GW] "`aspect_ratio`:
 * edits (and Kontext) use it". Not in the text-to-image table of [S2].
 */
const FLUX_EDIT_FIELDS = ['aspect_ratio'];

/**
 * FLUX: [S2] "output_format … jpeg / png … default jpeg"; [S2] "FLUX returns URL only — no base64".
 */
const FLUX_OUTPUT = {
  outputFormats: ['jpeg', 'png'],
  defaultOutputFormat: 'jpeg',
  delivery: 'url',
  size: FLUX_SIZES,
} as const;

/**
 * FLUX.2: text-to-image ([S2] model enum), JSON references ([S0] model enum) and multipart
 * ([S1], [S3] "POST /v1/images/edits … (FLUX.2 + Kontext)"). Caps: [S0] "FLUX.2 [pro/max/flex]
 * up to 8, FLUX.2 [klein] up to 4".
 */
function flux2(id: string, maxReferences: number, fields: readonly string[] = FLUX_FIELDS): DocumentedModel {
  return {
    id,
    textToImage: true,
    jsonReferences: maxReferences,
    multipartReferences: maxReferences,
    mask: false,
    fields,
    editFields: FLUX_EDIT_FIELDS,
    ...FLUX_OUTPUT,
    inputs: FLUX_INPUTS,
  };
}

/**
 * FLUX.1 Kontext: editing only. Not in [S2]'s text-to-image model enum; in [S0]'s and on
 * /images/edits ([S3]). [S0] "FLUX.1 Kontext supports 1 natively". [GW] "edits (and Kontext)"
 * use aspect_ratio.
 */
function kontext(id: string): DocumentedModel {
  return {
    id,
    textToImage: false,
    jsonReferences: 1,
    multipartReferences: 1,
    mask: false,
    fields: FLUX_FIELDS,
    editFields: FLUX_EDIT_FIELDS,
    ...FLUX_OUTPUT,
    inputs: FLUX_INPUTS,
  };
}

/**
 * FLUX.1 legacy: text-to-image only ([S2] model enum; [GW] "– (generation only)"). [GW]
 * "flux-pro-1.1-ultra takes `aspect_ratio`". BFL's own 256–1440 ×32 for the others is an
 * upstream note in [GW], not a gateway rule: not enforced.
 */
function legacy(id: string, fields: readonly string[] = FLUX_FIELDS): DocumentedModel {
  return {
    id,
    textToImage: true,
    jsonReferences: 0,
    multipartReferences: 0,
    mask: false,
    fields,
    editFields: [],
    ...FLUX_OUTPUT,
    inputs: null,
  };
}

/**
 * gpt-image-2: text-to-image ([GW] models list, "returns `b64_json`") and multipart edits only
 * ([GW] "`gpt-image-2` (multipart only)"). [S4] "max 16 — repeat the image[] field"; "mask …
 * only applies to first image, alpha channel required"; fields model, prompt, image[], mask,
 * size, quality, output_format ("png / jpeg / webp", default png), output_compression,
 * background. [S4] "Do not pass input_fidelity … passing it returns 400".
 */
const GPT_IMAGE_2: DocumentedModel = {
  id: 'gpt-image-2',
  textToImage: true,
  jsonReferences: 0,
  multipartReferences: 16,
  mask: true,
  fields: ['size', 'quality', 'output_format', 'output_compression', 'background'],
  editFields: [],
  outputFormats: ['png', 'jpeg', 'webp'],
  defaultOutputFormat: 'png',
  delivery: 'b64_json',
  size: GPT_IMAGE_SIZES,
  inputs: GPT_IMAGE_INPUTS,
};

export const DOCUMENTED_MODELS: readonly DocumentedModel[] = [
  flux2('flux-2-max', 8),
  flux2('flux-2-pro', 8),
  flux2('flux-2-flex', 8, FLEX_FIELDS),
  flux2('flux-2-klein-9b', 4),
  flux2('flux-2-klein-4b', 4),
  kontext('flux-kontext-max'),
  kontext('flux-kontext-pro'),
  legacy('flux-pro-1.1-ultra', [...FLUX_FIELDS, 'aspect_ratio']),
  legacy('flux-pro-1.1'),
  legacy('flux-pro'),
  legacy('flux-dev'),
  GPT_IMAGE_2,
];

const BY_ID = new Map(DOCUMENTED_MODELS.map((model) => [model.id, model]));

export function documentedModel(id: string): DocumentedModel | undefined {
  return BY_ID.get(id);
}
