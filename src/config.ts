/**
 * Configuration from environment variables, checked once at start-up. Every problem is
 * collected and reported together so a user fixes their client config in one go.
 */
import os from 'node:os';
import path from 'node:path';
import { normalizationTargets } from './catalog/describe.js';
import { UPSTREAM_ACTIVE_TASKS } from './catalog/gateway.js';
import { catalogConcurrencyCaps, EDIT_MODEL_IDS, findModel, MODELS, type ModelSpec } from './catalog/models.js';
import { LOG_LEVELS, type LogLevel } from './core/log.js';
import { expandHome } from './core/paths.js';

export interface Config {
  /** Undefined when not set: the server still starts and lists its tools. */
  readonly apiKey: string | undefined;
  /** Without a trailing slash, e.g. https://api.apiyi.com/v1. */
  readonly baseUrl: string;
  /** Absolute; created on first save. */
  readonly outputDir: string;
  /** Long edge in px of the inline preview; 0 = no inline image. */
  readonly previewSize: number;
  /** Bring reference images to what the gateway documents (upright, in the model's pixel budget and grid) before sending. */
  readonly normalizeInputs: boolean;
  /** Retries of a gateway request after a 429, a 5xx or a connection failure before any answer. */
  readonly maxRetries: number;
  /** Overrides every model's timeout when set. */
  readonly timeoutMs: number | undefined;
  /** Gateway calls in flight at once, across models (the upstream account's active tasks). */
  readonly maxConcurrent: number;
  /** Per-model caps on calls in flight, over the catalog's. */
  readonly modelConcurrency: Readonly<Record<string, number>>;
  /** On shutdown, how long calls under way may take to finish and save. */
  readonly shutdownGraceMs: number;
  readonly logLevel: LogLevel;
}

export const DEFAULT_BASE_URL = 'https://api.apiyi.com/v1';
export const DEFAULT_PREVIEW_SIZE = 768;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_CONCURRENT = UPSTREAM_ACTIVE_TASKS;
export const DEFAULT_SHUTDOWN_GRACE_MS = 120_000;
/** Claude's vision downsizes anything larger, so a bigger preview only costs tokens. */
export const MAX_PREVIEW_SIZE = 1568;

/** The catalog's own per-model caps, as FLUX_MCP_MODEL_CONCURRENCY writes them ("<model>=6"). */
const CATALOG_CAPS = Object.entries(catalogConcurrencyCaps()).map(([id, cap]) => `${id}=${cap}`);
/** The slowest model, for the example of a cap. */
const SLOWEST = (MODELS as readonly ModelSpec[]).reduce((a, b) => (b.timeoutMs > a.timeoutMs ? b : a));
const CAPS_EXAMPLE = [...CATALOG_CAPS, `${SLOWEST.id}=4`].join(',');
const TIMEOUTS_S = MODELS.map((m) => m.timeoutMs / 1000);

/** What normalization does beyond turning inputs upright, by model. */
const SCALING = normalizationTargets(EDIT_MODEL_IDS)
  .map((t) => `, for ${t.models}, scale them to at most ${t.maxPixels} with sides in multiples of ${t.multipleOf}`)
  .join(' and');

/** The variables, for the README's configuration table and the error messages. */
export const CONFIG_VARIABLES = [
  {
    name: 'APIYI_API_KEY',
    default: '(none)',
    description:
      'Your APIYI key. Without it the server starts and lists its tools, and tool calls explain how to set it.',
  },
  {
    name: 'APIYI_BASE_URL',
    default: DEFAULT_BASE_URL,
    description: 'Gateway base URL (a relay, or `flux-mcp simulate` for a free local gateway).',
  },
  {
    name: 'FLUX_MCP_OUTPUT_DIR',
    default: '~/Pictures/flux-mcp',
    description:
      'Absolute path where images and their JSON sidecars are saved; created on demand. `~/` is expanded; relative paths are refused.',
  },
  {
    name: 'FLUX_MCP_PREVIEW_SIZE',
    default: String(DEFAULT_PREVIEW_SIZE),
    description: `Long edge in px of the inline JPEG preview (64–${MAX_PREVIEW_SIZE}); 0 turns the inline preview off.`,
  },
  {
    name: 'FLUX_MCP_NORMALIZE_INPUTS',
    default: '1',
    description: `edit_images: turn reference images upright (EXIF orientation)${SCALING ? ` and${SCALING}` : ''} before sending; inputs already within these limits are sent byte for byte. 0 sends every input as given.`,
  },
  {
    name: 'FLUX_MCP_MAX_RETRIES',
    default: String(DEFAULT_MAX_RETRIES),
    description:
      'Retries (0–10) of a gateway request after a 429, a 5xx, or a connection failure before any answer. A request that timed out is never sent again (the gateway may have billed it).',
  },
  {
    name: 'FLUX_MCP_TIMEOUT_MS',
    default: '(per model)',
    description: `Timeout of one gateway request in ms (1000–3600000), for every model; by default each model's own (${Math.min(...TIMEOUTS_S)}–${Math.max(...TIMEOUTS_S)} s, see the model table).`,
  },
  {
    name: 'FLUX_MCP_MAX_CONCURRENT',
    default: String(DEFAULT_MAX_CONCURRENT),
    description:
      'Gateway calls in flight at once (1–256); more wait in line, first come first served, and report their place as progress.',
  },
  {
    name: 'FLUX_MCP_MODEL_CONCURRENCY',
    default: CATALOG_CAPS.join(',') || '(none)',
    description: `Per-model caps on calls in flight, e.g. \`${CAPS_EXAMPLE}\`; each replaces the default for its model.`,
  },
  {
    name: 'FLUX_MCP_SHUTDOWN_GRACE_MS',
    default: String(DEFAULT_SHUTDOWN_GRACE_MS),
    description:
      'On SIGINT, SIGTERM or stdin end, how long (ms) calls under way may take to finish and save before the server exits.',
  },
  { name: 'FLUX_MCP_LOG_LEVEL', default: 'info', description: `stderr log level: ${LOG_LEVELS.join(', ')}.` },
  {
    name: 'FLUX_MCP_HTTP_TOKEN',
    default: '(none)',
    description:
      '`serve --http` only: a bearer token every request must carry (`Authorization: Bearer …`); required to listen beyond 127.0.0.1.',
  },
] as const;

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`flux-mcp cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const apiKey = read('APIYI_API_KEY');

  let baseUrl = DEFAULT_BASE_URL;
  const rawBase = read('APIYI_BASE_URL');
  if (rawBase !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(rawBase);
    } catch {
      problems.push(`APIYI_BASE_URL "${rawBase}" is not a URL: use something like ${DEFAULT_BASE_URL}`);
    }
    if (parsed && parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      problems.push(`APIYI_BASE_URL "${rawBase}" must be an http(s) URL, e.g. ${DEFAULT_BASE_URL}`);
    } else if (parsed) {
      baseUrl = parsed.toString().replace(/\/+$/, '');
    }
  }

  let outputDir = path.join(home, 'Pictures', 'flux-mcp');
  const rawDir = read('FLUX_MCP_OUTPUT_DIR');
  if (rawDir !== undefined) {
    const expanded = expandHome(rawDir, home);
    if (!path.isAbsolute(expanded)) {
      problems.push(
        `FLUX_MCP_OUTPUT_DIR "${rawDir}" is a relative path: MCP clients often start servers with "/" as the working directory, so give an absolute path such as ${path.join(home, 'Pictures', 'flux-mcp')}`,
      );
    } else {
      outputDir = path.resolve(expanded);
    }
  }

  let previewSize = DEFAULT_PREVIEW_SIZE;
  const rawPreview = read('FLUX_MCP_PREVIEW_SIZE');
  if (rawPreview !== undefined) {
    const value = Number(rawPreview);
    if (!/^\d+$/.test(rawPreview) || (value !== 0 && (value < 64 || value > MAX_PREVIEW_SIZE))) {
      problems.push(
        `FLUX_MCP_PREVIEW_SIZE "${rawPreview}" must be 0 (no inline preview) or a whole number of pixels from 64 to ${MAX_PREVIEW_SIZE}; the default is ${DEFAULT_PREVIEW_SIZE}`,
      );
    } else {
      previewSize = value;
    }
  }

  let normalizeInputs = true;
  const rawNormalize = read('FLUX_MCP_NORMALIZE_INPUTS')?.toLowerCase();
  if (rawNormalize !== undefined) {
    if (TRUE_WORDS.includes(rawNormalize)) normalizeInputs = true;
    else if (FALSE_WORDS.includes(rawNormalize)) normalizeInputs = false;
    else
      problems.push(
        `FLUX_MCP_NORMALIZE_INPUTS "${rawNormalize}" must be 1 (normalize reference images, the default) or 0 (send them as given)`,
      );
  }

  /** A whole number in [min, max], or the default; a problem otherwise. */
  const integer = (name: string, min: number, max: number, what: string): number | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} "${raw}" must be a whole number from ${min} to ${max} (${what})`);
      return undefined;
    }
    return Number(raw);
  };
  const maxRetries =
    integer('FLUX_MCP_MAX_RETRIES', 0, 10, 'retries of a failed gateway request') ?? DEFAULT_MAX_RETRIES;
  const timeoutMs = integer('FLUX_MCP_TIMEOUT_MS', 1000, 3_600_000, 'milliseconds per gateway request');
  const maxConcurrent = integer('FLUX_MCP_MAX_CONCURRENT', 1, 256, 'gateway calls in flight') ?? DEFAULT_MAX_CONCURRENT;
  const shutdownGraceMs =
    integer('FLUX_MCP_SHUTDOWN_GRACE_MS', 0, 3_600_000, 'milliseconds') ?? DEFAULT_SHUTDOWN_GRACE_MS;

  const modelConcurrency: Record<string, number> = {};
  const rawCaps = read('FLUX_MCP_MODEL_CONCURRENCY');
  for (const entry of rawCaps
    ?.split(',')
    .map((e) => e.trim())
    .filter(Boolean) ?? []) {
    const match = /^([\w.-]+)\s*=\s*(\d+)$/.exec(entry);
    if (!match || Number(match[2]) < 1) {
      problems.push(
        `FLUX_MCP_MODEL_CONCURRENCY entry "${entry}" must look like model=N with N ≥ 1, e.g. ${CAPS_EXAMPLE.split(',')[0]}`,
      );
    } else if (!findModel(match[1]!)) {
      problems.push(
        `FLUX_MCP_MODEL_CONCURRENCY names "${match[1]}", which is not a model: use one of ${MODELS.map((m) => m.id).join(', ')}`,
      );
    } else {
      modelConcurrency[match[1]!] = Number(match[2]);
    }
  }

  let logLevel: LogLevel = 'info';
  const rawLevel = read('FLUX_MCP_LOG_LEVEL')?.toLowerCase();
  if (rawLevel !== undefined) {
    if ((LOG_LEVELS as readonly string[]).includes(rawLevel)) logLevel = rawLevel as LogLevel;
    else problems.push(`FLUX_MCP_LOG_LEVEL "${rawLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    apiKey,
    baseUrl,
    outputDir,
    previewSize,
    normalizeInputs,
    maxRetries,
    timeoutMs,
    maxConcurrent,
    modelConcurrency,
    shutdownGraceMs,
    logLevel,
  };
}

/** Start-up warnings that are not fatal. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (!config.apiKey) warnings.push('APIYI_API_KEY is not set: tools are listed, but calls will ask for a key.');
  const url = new URL(config.baseUrl);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) {
    warnings.push(`APIYI_BASE_URL uses plain http to ${url.host}: the API key travels unencrypted.`);
  }
  return warnings;
}
