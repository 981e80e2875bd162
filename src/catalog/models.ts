/**
 * The model catalog: the one place that says what each model can do.
 *
 * Tool schemas, argument validation, defaults, timeouts, request routes, tool descriptions, the
 * README's tool reference and the gateway simulator's strictness are all derived from this table.
 * Sources: the gateway's own documentation (shared/seeds) and shared/docs/gateway.md. Where the
 * upstream provider documents a tighter rule than the gateway, the gateway wins and the difference
 * is kept as a note (see `upstreamSizeHint`), not enforced.
 */
import { ENDPOINTS, GENERATION_ROUTE, type Route } from './gateway.js';

export const OUTPUT_FORMATS = ['jpeg', 'png', 'webp'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Every tunable parameter a tool accepts, named as the gateway names it. */
export const PARAM_NAMES = [
  'size',
  'width',
  'height',
  'aspect_ratio',
  'seed',
  'safety_tolerance',
  'output_format',
  'prompt_upsampling',
  'steps',
  'guidance',
  'quality',
  'background',
  'output_compression',
] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** Output size rules. Every model family's sizes are multiples of 16; the rest varies. */
export interface SizeRule {
  readonly multipleOf: number;
  readonly minSide: number;
  readonly maxSide: number;
  readonly maxPixels: number;
  readonly minPixels?: number;
  /** Longest side over shortest side. */
  readonly maxRatio?: number;
  /** `size: "auto"` lets the model choose. */
  readonly allowsAuto?: boolean;
  readonly presets?: readonly string[];
  /** What the gateway uses when no size is sent (documentation only). */
  readonly defaultSize: string;
  /**
   * Sizes the gateway documents as valid although they break a rule above. The seeds list
   * 1920x1080 as a valid example and use it in their own code samples, yet 1080 is not a
   * multiple of 16; refusing the gateway's own example would fail users who copy it.
   */
  readonly documentedExceptions?: readonly string[];
  /** A tighter upstream limit the gateway does not document: noted in results, never enforced. */
  readonly upstreamSizeHint?: { readonly multipleOf: number; readonly minSide: number; readonly maxSide: number };
}

/** FLUX output: ×16, 64–2048 per side, at most 4 MP (2048 × 2048). Enforced (gateway.md). */
export const FLUX_SIZE_RULE: SizeRule = {
  multipleOf: 16,
  minSide: 64,
  maxSide: 2048,
  maxPixels: 2048 * 2048,
  documentedExceptions: ['1920x1080', '1080x1920'],
  defaultSize: '1024x1024',
};

/** Legacy FLUX.1 models: the gateway rule, plus BFL's own 256–1440 ×32 as a hint. */
const LEGACY_FLUX_SIZE_RULE: SizeRule = {
  ...FLUX_SIZE_RULE,
  upstreamSizeHint: { multipleOf: 32, minSide: 256, maxSide: 1440 },
};

/** gpt-image-2 output: "auto", a preset, or a custom size within OpenAI's documented rules. */
export const GPT_IMAGE_SIZE_RULE: SizeRule = {
  multipleOf: 16,
  minSide: 16,
  maxSide: 3840,
  minPixels: 655_360,
  maxPixels: 8_294_400,
  maxRatio: 3,
  allowsAuto: true,
  presets: ['1024x1024', '1536x1024', '1024x1536', '2048x2048', '2048x1152', '3840x2160', '2160x3840'],
  defaultSize: 'auto',
};

/** Who makes a model, and what its models are called together ("FLUX" for Black Forest Labs'). */
export const PROVIDERS = {
  bfl: { name: 'Black Forest Labs', modelsName: 'FLUX' },
  openai: { name: 'OpenAI', modelsName: 'gpt-image' },
} as const satisfies Readonly<Record<string, { readonly name: string; readonly modelsName: string }>>;
export type ProviderId = keyof typeof PROVIDERS;

/** Model families, each with the short name titles use ("Kontext"). */
export const FAMILIES = {
  'FLUX.2': { shortName: 'FLUX.2' },
  'FLUX.1 Kontext': { shortName: 'Kontext' },
  'FLUX.1 legacy': { shortName: 'FLUX.1' },
  OpenAI: { shortName: 'OpenAI' },
} as const satisfies Readonly<Record<string, { readonly shortName: string }>>;
type ModelFamily = keyof typeof FAMILIES;

/**
 * What a reference image (or mask) may be. `maxBytes`, `maxPixels` and `minSide` are hard limits,
 * checked on the file as given before anything is paid for. `sendAs` is what the gateway
 * documents for inputs it renders best: normalization brings an input to it (see inputs/).
 */
export interface InputRule {
  readonly maxBytes: number;
  /**
   * Largest input in pixels, read from the header and checked before anything is decoded; every
   * decode of an input is bounded by it too (a decompression bomb is refused, never expanded).
   */
  readonly maxPixels: number;
  readonly minSide: number;
  /** Normalization target; null when only EXIF orientation is applied. */
  readonly sendAs: { readonly maxPixels: number; readonly multipleOf: number } | null;
}

/**
 * FLUX references (gateway.md, "Input images"): ≤ 20 MB and ≤ 20 MP, at least 64 × 64; rendered
 * best at ≤ 4 MP with sides in multiples of 16. Decimal megabytes: the stricter reading.
 */
const FLUX_INPUT_RULE: InputRule = {
  maxBytes: 20_000_000,
  maxPixels: 20_000_000,
  minSide: 64,
  sendAs: { maxPixels: 2048 * 2048, multipleOf: 16 },
};

/**
 * gpt-image-2 references and masks: ≤ 50 MB hard (10 MB recommended). OpenAI documents no pixel
 * limit; this server's is an 8K frame (7680 × 4320, four times the largest output), which any
 * camera or phone photo short of the 48 MP+ modes fits, and which keeps the one decode an input may
 * need (turning it upright) to a bounded size.
 */
const GPT_IMAGE_INPUT_RULE: InputRule = {
  maxBytes: 50_000_000,
  maxPixels: 7680 * 4320,
  minSide: 64,
  sendAs: null,
};

/**
 * How a model edits. Its route (`endpoint`, `transport`) is JSON `input_image…` on
 * /images/generations, or multipart `image[]` parts on /images/edits.
 */
interface EditSupport extends Route {
  /** Most reference images one call takes (image 1 … image N in the prompt). */
  readonly maxReferences: number;
  /** Limits on each reference image. */
  readonly inputRule: InputRule;
  /** Takes a `mask` (PNG with alpha, the size of image 1) that applies to image 1. */
  readonly mask: boolean;
  /**
   * Without size or aspect_ratio, the output takes image 1's size (FLUX); otherwise it is the
   * model's default size (`sizeRule.defaultSize`).
   */
  readonly matchesImageOne: boolean;
}

/** FLUX edits: references as `input_image…` in JSON to /images/generations (gateway.md). */
const FLUX_EDITS = {
  transport: 'json',
  endpoint: ENDPOINTS.generations,
  inputRule: FLUX_INPUT_RULE,
  mask: false,
  matchesImageOne: true,
} as const;

export interface ModelSpec {
  readonly id: string;
  readonly provider: ProviderId;
  readonly family: ModelFamily;
  readonly speed: string;
  readonly bestFor: string;
  /** Flat price per image in USD (seed 003); null when billed by tokens. */
  readonly priceUsd: number | null;
  /** Text-to-image through /images/generations. */
  readonly generates: boolean;
  /** Editing / multi-reference fusion, when the model does it. */
  readonly edits: EditSupport | null;
  /** FLUX answers with a signed URL that expires; gpt-image-2 with base64 in the body. */
  readonly delivery: 'url' | 'b64_json';
  readonly outputFormats: readonly OutputFormat[];
  readonly defaultOutputFormat: OutputFormat;
  /** Parameters the tools accept for this model; anything else is refused before a call. */
  readonly params: readonly ParamName[];
  /** Taken by the gateway but silently ignored upstream: we drop them and say so. */
  readonly ignoredUpstream: readonly ParamName[];
  /**
   * How `aspect_ratio` is honoured in text-to-image: sent as is (models that take it natively
   * for generation), or turned into a concrete size of about 1 MP by the server, because the
   * gateway documents `aspect_ratio` for this model only in edit mode.
   */
  readonly aspectRatioInGeneration: 'send' | 'as-size';
  /**
   * FLUX takes `size` or `width` + `height` as the caller wrote them; gpt-image-2 takes only
   * `size`, so the server turns `width` + `height` into `size: "WxH"` for it.
   */
  readonly sizeOnWire: 'as-given' | 'size-only';
  readonly sizeRule: SizeRule;
  /** A fact about sizes worth telling the agent in the result (not a rule). */
  readonly sizeNote?: string;
  /** Default request timeout: the gateway holds the connection until the image is done. */
  readonly timeoutMs: number;
  /** Upstream cap on this model's active tasks per account, when lower than the global one. */
  readonly maxConcurrent?: number;
  /**
   * Most images one call may make (`count`), when fewer than COUNT.max: the upstream cap on this
   * model's active tasks, or a cost that makes eight at once a mistake more often than a wish.
   */
  readonly maxCount?: number;
}

const FLUX_PARAMS = [
  'size',
  'width',
  'height',
  'aspect_ratio',
  'seed',
  'safety_tolerance',
  'output_format',
  'prompt_upsampling',
] as const satisfies readonly ParamName[];

const FLUX_BASE = {
  provider: 'bfl',
  delivery: 'url',
  outputFormats: ['jpeg', 'png'],
  defaultOutputFormat: 'jpeg',
  ignoredUpstream: [],
  sizeOnWire: 'as-given',
  sizeRule: FLUX_SIZE_RULE,
} as const;

const SECOND = 1000;

export const MODELS = [
  {
    ...FLUX_BASE,
    id: 'flux-2-pro',
    family: 'FLUX.2',
    speed: '< 10 s',
    bestFor: 'production, best value (default)',
    priceUsd: 0.03,
    generates: true,
    edits: { ...FLUX_EDITS, maxReferences: 8 },
    params: FLUX_PARAMS,
    aspectRatioInGeneration: 'as-size',
    timeoutMs: 120 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-2-max',
    family: 'FLUX.2',
    speed: '< 15 s',
    bestFor: 'flagship; searches the web for news, scores, weather',
    priceUsd: 0.07,
    generates: true,
    edits: { ...FLUX_EDITS, maxReferences: 8 },
    params: FLUX_PARAMS,
    aspectRatioInGeneration: 'as-size',
    timeoutMs: 120 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-2-flex',
    family: 'FLUX.2',
    speed: 'slower',
    bestFor: 'typography, small text; steps and guidance',
    priceUsd: 0.06,
    generates: true,
    edits: { ...FLUX_EDITS, maxReferences: 8 },
    params: [...FLUX_PARAMS, 'steps', 'guidance'],
    aspectRatioInGeneration: 'as-size',
    timeoutMs: 180 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-2-klein-9b',
    family: 'FLUX.2',
    speed: 'sub-second',
    bestFor: 'fast drafts',
    priceUsd: 0.01,
    generates: true,
    edits: { ...FLUX_EDITS, maxReferences: 4 },
    params: FLUX_PARAMS,
    ignoredUpstream: ['prompt_upsampling'],
    aspectRatioInGeneration: 'as-size',
    timeoutMs: 60 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-2-klein-4b',
    family: 'FLUX.2',
    speed: 'sub-second',
    bestFor: 'fastest, cheapest drafts',
    priceUsd: 0.01,
    generates: true,
    edits: { ...FLUX_EDITS, maxReferences: 4 },
    params: FLUX_PARAMS,
    ignoredUpstream: ['prompt_upsampling'],
    aspectRatioInGeneration: 'as-size',
    timeoutMs: 60 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-kontext-max',
    family: 'FLUX.1 Kontext',
    speed: '< 15 s',
    bestFor: 'best single-image edits, fine typography',
    priceUsd: 0.07,
    generates: false,
    edits: { ...FLUX_EDITS, maxReferences: 1 },
    params: FLUX_PARAMS,
    aspectRatioInGeneration: 'send',
    timeoutMs: 120 * SECOND,
    // BFL: 24 active tasks per account, 6 for flux-kontext-max (gateway.md).
    maxConcurrent: 6,
    // More variants than it may run at once would only wait for each other.
    maxCount: 6,
  },
  {
    ...FLUX_BASE,
    id: 'flux-kontext-pro',
    family: 'FLUX.1 Kontext',
    speed: '5–6 s',
    bestFor: 'single-image edits, best value',
    priceUsd: 0.035,
    generates: false,
    edits: { ...FLUX_EDITS, maxReferences: 1 },
    params: FLUX_PARAMS,
    aspectRatioInGeneration: 'send',
    timeoutMs: 120 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-pro-1.1-ultra',
    family: 'FLUX.1 legacy',
    speed: '~10 s',
    bestFor: 'legacy, 4 MP at a chosen aspect ratio',
    priceUsd: 0.05,
    generates: true,
    edits: null,
    params: FLUX_PARAMS,
    aspectRatioInGeneration: 'send',
    sizeNote:
      'flux-pro-1.1-ultra renders about 4 MP at the requested aspect ratio; ' +
      'the saved size may differ from the size asked for.',
    timeoutMs: 120 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-pro-1.1',
    family: 'FLUX.1 legacy',
    speed: '~5 s',
    bestFor: 'legacy, up to about 1.6 MP',
    priceUsd: 0.035,
    generates: true,
    edits: null,
    params: FLUX_PARAMS,
    aspectRatioInGeneration: 'as-size',
    sizeRule: LEGACY_FLUX_SIZE_RULE,
    timeoutMs: 120 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-pro',
    family: 'FLUX.1 legacy',
    speed: '~6 s',
    bestFor: 'legacy',
    priceUsd: 0.04,
    generates: true,
    edits: null,
    params: FLUX_PARAMS,
    aspectRatioInGeneration: 'as-size',
    sizeRule: LEGACY_FLUX_SIZE_RULE,
    timeoutMs: 120 * SECOND,
  },
  {
    ...FLUX_BASE,
    id: 'flux-dev',
    family: 'FLUX.1 legacy',
    speed: '~5 s',
    bestFor: 'legacy, cheap tests',
    priceUsd: 0.02,
    generates: true,
    edits: null,
    params: FLUX_PARAMS,
    aspectRatioInGeneration: 'as-size',
    sizeRule: LEGACY_FLUX_SIZE_RULE,
    timeoutMs: 120 * SECOND,
  },
  {
    id: 'gpt-image-2',
    provider: 'openai',
    family: 'OpenAI',
    speed: 'slow (minutes at high quality)',
    bestFor: 'up to 4K, long instructions, masks for inpainting',
    priceUsd: null,
    generates: true,
    edits: {
      maxReferences: 16,
      transport: 'multipart',
      endpoint: ENDPOINTS.edits,
      inputRule: GPT_IMAGE_INPUT_RULE,
      mask: true,
      matchesImageOne: false,
    },
    delivery: 'b64_json',
    outputFormats: ['png', 'jpeg', 'webp'],
    defaultOutputFormat: 'png',
    params: ['size', 'width', 'height', 'aspect_ratio', 'output_format', 'quality', 'background', 'output_compression'],
    ignoredUpstream: [],
    aspectRatioInGeneration: 'as-size',
    sizeOnWire: 'size-only',
    sizeRule: GPT_IMAGE_SIZE_RULE,
    timeoutMs: 360 * SECOND,
    // Token-billed and slow (minutes at high quality): four variants cost as much as many FLUX images.
    maxCount: 4,
  },
] as const satisfies readonly ModelSpec[];

export type ModelId = (typeof MODELS)[number]['id'];

type GeneratingEntry = Extract<(typeof MODELS)[number], { generates: true }>;
export type GenerationModelId = GeneratingEntry['id'];

type EditingEntry = Extract<(typeof MODELS)[number], { edits: EditSupport }>;
type EditModelId = EditingEntry['id'];

/** A model that edits: its `edits` is there. */
export interface EditingModel extends ModelSpec {
  readonly edits: EditSupport;
}

export const DEFAULT_MODEL = 'flux-2-pro' satisfies GenerationModelId;
export const DEFAULT_EDIT_MODEL = 'flux-2-pro' satisfies EditModelId;

const BY_ID: ReadonlyMap<string, ModelSpec> = new Map(MODELS.map((m) => [m.id, m]));

/** The model a text names, if it names one: for text from outside (configuration, prompts). */
export function findModel(text: string): ModelSpec | undefined {
  return BY_ID.get(text);
}

/** The model of a known id (a tool argument already checked against the ids). */
export function modelSpec(id: ModelId): ModelSpec {
  const model = BY_ID.get(id);
  // Unreachable: BY_ID holds every ModelId.
  if (!model) throw new Error(`no model ${id} in the catalog`);
  return model;
}

export function canEdit(model: ModelSpec): model is EditingModel {
  return model.edits !== null;
}

/** The editing model of a known editing id. */
export function editingModel(id: EditModelId): EditingModel {
  const model = modelSpec(id);
  // Unreachable: EditModelId names only models with edits.
  if (!canEdit(model)) throw new Error(`${id} does not edit images`);
  return model;
}

export const GENERATION_MODEL_IDS = MODELS.filter((m): m is GeneratingEntry => m.generates).map((m) => m.id) as [
  GenerationModelId,
  ...GenerationModelId[],
];

export const EDIT_MODEL_IDS = MODELS.filter((m): m is EditingEntry => m.edits !== null).map((m) => m.id) as [
  EditModelId,
  ...EditModelId[],
];

export const EDITING_MODELS: readonly EditingModel[] = EDIT_MODEL_IDS.map(editingModel);

/** Models that take a mask. */
export const MASK_MODEL_IDS: readonly EditModelId[] = EDIT_MODEL_IDS.filter((id) => editingModel(id).edits.mask);

export function isEditModelId(text: string): text is EditModelId {
  return (EDIT_MODEL_IDS as readonly string[]).includes(text);
}

/** The most reference images any model takes (the schema's bound; each model's cap is checked). */
export const MAX_REFERENCES = Math.max(...EDITING_MODELS.map((m) => m.edits.maxReferences));

/** Where a request for a model goes: the generation route, or the model's edit route. */
export function routeOf(model: ModelSpec, mode: 'generate' | 'edit'): Route {
  if (mode === 'generate') {
    if (!model.generates) throw new Error(`${model.id} does not generate images`);
    return GENERATION_ROUTE;
  }
  if (!canEdit(model)) throw new Error(`${model.id} does not edit images`);
  return { endpoint: model.edits.endpoint, transport: model.edits.transport };
}

/**
 * The fastest models that generate: those with the shortest timeout, offered when a call timed
 * out.
 */
export function fastestGeneratingModels(): readonly ModelSpec[] {
  const generating = GENERATION_MODEL_IDS.map(modelSpec);
  const shortest = Math.min(...generating.map((m) => m.timeoutMs));
  return generating.filter((m) => m.timeoutMs === shortest);
}

/** Per-model caps on calls in flight that the catalog sets ("flux-kontext-max" → 6). */
export function catalogConcurrencyCaps(): Readonly<Record<string, number>> {
  return Object.fromEntries(
    (MODELS as readonly ModelSpec[]).flatMap((m) => (m.maxConcurrent ? [[m.id, m.maxConcurrent]] : [])),
  );
}

/** Models the tools accept a parameter for (for "steps is only accepted by flux-2-flex"). */
export function modelsAccepting(param: ParamName): string[] {
  return MODELS.filter((m) => (m.params as readonly ParamName[]).includes(param)).map((m) => m.id);
}

/**
 * Whether `aspect_ratio` goes to the gateway as is: for models that take it natively in
 * text-to-image, and for edits on the JSON path (the gateway documents it there). Otherwise
 * the server turns it into a size.
 */
export function sendsAspectRatio(model: ModelSpec, mode: 'generate' | 'edit'): boolean {
  return model.aspectRatioInGeneration === 'send' || (mode === 'edit' && model.edits?.transport === 'json');
}

/** The parameters a model takes on the wire, which the simulator holds requests to. */
export function wireParams(model: ModelSpec): ParamName[] {
  return model.params.filter((param) => {
    if (param === 'aspect_ratio') return sendsAspectRatio(model, 'generate') || sendsAspectRatio(model, 'edit');
    if (param === 'width' || param === 'height') return model.sizeOnWire === 'as-given';
    return true;
  });
}
