/**
 * Configuration from environment variables, declared once in SETTINGS: each setting's variable,
 * default, meaning and parser. The table drives parsing (every problem collected and reported
 * together, so a user fixes their client config in one go), the start-up messages and the README's
 * configuration table.
 */
import os from 'node:os';
import path from 'node:path';
import { normalizationTargets } from './catalog/describe.js';
import { UPSTREAM_ACTIVE_TASKS } from './catalog/gateway.js';
import { catalogConcurrencyCaps, EDIT_MODEL_IDS, findModel, MODELS, type ModelSpec } from './catalog/models.js';
import { EXIT_CODES } from './core/failure.js';
import { LOG_LEVELS, type LogLevel } from './core/log.js';
import type { OutboundPolicy } from './core/outbound-policy.js';
import { expandHome } from './core/paths.js';
import { credentialsInUrl, displayUrl } from './core/redact.js';

export interface Config {
  /** Undefined when not set: the server still starts and lists its tools. */
  readonly apiKey: string | undefined;
  /** Without a trailing slash, e.g. https://api.apiyi.com/v1. */
  readonly baseUrl: string;
  /** Absolute; created on first save. */
  readonly outputDir: string;
  /** Long edge in px of the inline preview; 0 = no inline image. */
  readonly previewSize: number;
  /** Bring reference images to what the gateway documents (upright, the model's pixel budget and grid). */
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
  /** How long an image call waits before it hands off to wait_for_image; 0 = never. */
  readonly handoffAfterMs: number;
  readonly logLevel: LogLevel;
  /** `serve --http`: the bearer token every request must carry. */
  readonly httpToken: string | undefined;
  /** Whether results carry the inline preview: by what the client does with images, always, never. */
  readonly preview: PreviewMode;
  /** Whether results carry a resource_link to the saved file. */
  readonly resourceLinks: boolean;
  /** Whether clients that declare the MCP Apps extension get the gallery (src/apps/). */
  readonly apps: boolean;
  /**
   * `serve --http`: the directories whose files edit_images may read (absolute, resolved);
   * empty means the output directory only.
   */
  readonly httpInputDirs: readonly string[];
  /** Fetch URLs that resolve to private, loopback or link-local addresses (self-hosted set-ups). */
  readonly allowPrivateUrls: boolean;
  /** Send input images with their location and camera metadata instead of removing it. */
  readonly keepInputMetadata: boolean;
  /** The spending cap in USD per budget period; undefined for none. */
  readonly budgetUsd: number | undefined;
  /** What the cap is counted over, in local time. */
  readonly budgetPeriod: BudgetPeriod;
  /** What token-billed models cost, in USD per million tokens; undefined until set (they are then unpriced). */
  readonly tokenPrice: TokenPrice | undefined;
}

/** The spending cap counts from local midnight (`day`) or from the first of the month (`month`). */
const BUDGET_PERIODS = ['day', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** USD per million tokens, input and output apart (the same number for both when given as one). */
export interface TokenPrice {
  readonly input: number;
  readonly output: number;
}

/** `auto`: a preview only for clients known to hand an image to their model as an image. */
export const PREVIEW_MODES = ['auto', 'on', 'off'] as const;
export type PreviewMode = (typeof PREVIEW_MODES)[number];

export const DEFAULT_BASE_URL = 'https://api.apiyi.com/v1';
/** Claude's vision downsizes anything larger, so a bigger preview only costs tokens. */
const MAX_PREVIEW_SIZE = 1568;

/** A value a setting cannot take, in a sentence that says what it must be. */
class SettingProblem extends Error {}

interface Setting<K extends keyof Config> {
  readonly env: string;
  readonly key: K;
  /** The default as the README shows it. */
  readonly shownDefault: string;
  readonly description: string;
  /** The value when the variable is unset or empty. */
  readonly fallback: (home: string) => Config[K];
  /** The value from the (trimmed, non-empty) variable; throws SettingProblem. */
  readonly parse: (raw: string, home: string) => Config[K];
  /** Never shown, only said to be set. */
  readonly secret?: boolean;
}

const setting = <K extends keyof Config>(spec: Setting<K>): Setting<K> => spec;

type Range = readonly [min: number, max: number];
const RETRIES: Range = [0, 10];
const TIMEOUT_MS: Range = [1000, 3_600_000];
const CONCURRENCY: Range = [1, 256];
const GRACE_MS: Range = [0, 3_600_000];
const HANDOFF_MS: Range = [0, 3_600_000];

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** A switch: 1/true/yes/on or 0/false/no/off; the message says what each means. */
function flag(env: string, on: string, off: string) {
  return (raw: string): boolean => {
    const word = raw.toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    throw new SettingProblem(`${env} "${word}" must be 1 (${on}) or 0 (${off})`);
  };
}

/** Tokens guessable by trying are no protection on a network; 32 characters is 192 bits of base64. */
export const MIN_HTTP_TOKEN_LENGTH = 32;

/** A URL as a message may quote it: credentials in it (user:password@, ?key=…) replaced. */
function shownUrl(raw: string): string {
  return displayUrl(raw).replace(/\/\/[^/?#@]*@/, '//[redacted]@');
}

/** A whole number in [min, max]. */
function wholeNumber(env: string, [min, max]: Range, what: string) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new SettingProblem(`${env} "${raw}" must be a whole number from ${min} to ${max} (${what})`);
    }
    return Number(raw);
  };
}

/** The catalog's own per-model caps, as FLUX_MCP_MODEL_CONCURRENCY writes them ("<model>=6"). */
const CATALOG_CAPS = Object.entries(catalogConcurrencyCaps()).map(([id, cap]) => `${id}=${cap}`);
/** The slowest model, for the example of a cap. */
const SLOWEST = (MODELS as readonly ModelSpec[]).reduce((a, b) => (b.timeoutMs > a.timeoutMs ? b : a));
const CAPS_EXAMPLE = [...CATALOG_CAPS, `${SLOWEST.id}=4`].join(',');
const CAP_EXAMPLE = CAPS_EXAMPLE.split(',')[0];
const TIMEOUTS_S = MODELS.map((m) => m.timeoutMs / 1000);
/** What normalization does beyond turning inputs upright, by model. */
const SCALING = normalizationTargets(EDIT_MODEL_IDS)
  .map((t) => `, for ${t.models}, scale them to at most ${t.maxPixels} with sides in multiples of ${t.multipleOf}`)
  .join(' and');

const defaultOutputDir = (home: string): string => path.join(home, 'Pictures', 'flux-mcp');

/** An amount of US dollars as a person writes it: "5", "12.50", "0.5". */
const AMOUNT = /^\d+(\.\d+)?$/;

/** FLUX_MCP_TOKEN_PRICE_USD: one number for every token, or `input=N,output=M`. */
function parseTokenPrice(raw: string): TokenPrice {
  if (AMOUNT.test(raw)) return { input: Number(raw), output: Number(raw) };
  const sides: Partial<Record<'input' | 'output', number>> = {};
  let wellFormed = true;
  for (const entry of raw.split(',')) {
    const [, side, amount] = /^\s*(input|output)\s*=\s*(\d+(?:\.\d+)?)\s*$/i.exec(entry) ?? [];
    if (side === undefined || amount === undefined) wellFormed = false;
    else sides[side.toLowerCase() as 'input' | 'output'] = Number(amount);
  }
  const { input, output } = sides;
  if (!wellFormed || input === undefined || output === undefined) {
    throw new SettingProblem(
      `FLUX_MCP_TOKEN_PRICE_USD "${raw}" must be USD per million tokens: one number for every token (e.g. 30) ` +
        'or input and output apart (e.g. input=10,output=40)',
    );
  }
  return { input, output };
}

/**
 * `${HOME}` at the start of a path, as a Claude Desktop bundle's manifest writes the default output
 * folder (mcpb/manifest.json): Claude Desktop hands such a default over without substituting it.
 */
const HOME_TOKEN = /^\$\{HOME\}(?=$|[/\\])/;

/**
 * A value that is only a bundle manifest's `${user_config.…}` placeholder: the host had no value
 * for an optional setting and left the placeholder in (mcpb's substitution does), so it is unset.
 */
const UNFILLED_PLACEHOLDER = /^\$\{user_config\.[^}]*\}$/;

/** Every setting, in the order the README lists them. */
export const SETTINGS = [
  setting({
    env: 'APIYI_API_KEY',
    key: 'apiKey',
    shownDefault: '(none)',
    description:
      'Your APIYI key. Without it the server starts and lists its tools, and tool calls explain how to set it.',
    fallback: () => undefined,
    parse: (raw) => raw,
    secret: true,
  }),
  setting({
    env: 'APIYI_BASE_URL',
    key: 'baseUrl',
    shownDefault: DEFAULT_BASE_URL,
    description: 'Gateway base URL (a relay, or `apiyi-flux-mcp simulate` for a free local gateway).',
    fallback: () => DEFAULT_BASE_URL,
    parse: (raw) => {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        throw new SettingProblem(
          `APIYI_BASE_URL "${shownUrl(raw)}" is not a URL: use something like ${DEFAULT_BASE_URL}`,
        );
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        throw new SettingProblem(`APIYI_BASE_URL "${shownUrl(raw)}" must be an http(s) URL, e.g. ${DEFAULT_BASE_URL}`);
      }
      return parsed.toString().replace(/\/+$/, '');
    },
  }),
  setting({
    env: 'FLUX_MCP_OUTPUT_DIR',
    key: 'outputDir',
    shownDefault: '~/Pictures/flux-mcp',
    description:
      'Absolute path where images and their JSON sidecars are saved; created on demand. `~/` is expanded; ' +
      'relative paths are refused.',
    fallback: defaultOutputDir,
    parse: (raw, home) => {
      const expanded = expandHome(raw.replace(HOME_TOKEN, '~'), home);
      if (!path.isAbsolute(expanded)) {
        throw new SettingProblem(
          `FLUX_MCP_OUTPUT_DIR "${raw}" is a relative path: MCP clients often start servers with "/" as the ` +
            `working directory, so give an absolute path such as ${defaultOutputDir(home)}`,
        );
      }
      return path.resolve(expanded);
    },
  }),
  setting({
    env: 'FLUX_MCP_PREVIEW_SIZE',
    key: 'previewSize',
    shownDefault: '768',
    description:
      `Long edge in px of the inline JPEG preview (64–${MAX_PREVIEW_SIZE}); ` + '0 turns the inline preview off.',
    fallback: () => 768,
    parse: (raw) => {
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || (value !== 0 && (value < 64 || value > MAX_PREVIEW_SIZE))) {
        throw new SettingProblem(
          `FLUX_MCP_PREVIEW_SIZE "${raw}" must be 0 (no inline preview) or a whole number of pixels from 64 to ` +
            `${MAX_PREVIEW_SIZE}; the default is 768`,
        );
      }
      return value;
    },
  }),
  setting({
    env: 'FLUX_MCP_PREVIEW',
    key: 'preview',
    shownDefault: 'auto',
    description:
      'Inline preview in image results: `auto` sends it only to clients known to show it to their model as an ' +
      'image (Claude Code, Claude Desktop, Cursor, VS Code, Gemini CLI, opencode; see "Using it from agent ' +
      'frameworks"), `on` always, `off` never. Elsewhere an image can reach the model as tens of thousands of ' +
      'tokens of base64 text. A call can override it with its `preview` argument.',
    fallback: () => 'auto',
    parse: (raw) => {
      const word = raw.toLowerCase();
      // A switch's words too (1/true/yes, 0/false/no), as a setting typed into a form may be.
      const mode = TRUE_WORDS.includes(word) ? 'on' : FALSE_WORDS.includes(word) ? 'off' : word;
      if (!(PREVIEW_MODES as readonly string[]).includes(mode)) {
        throw new SettingProblem(`FLUX_MCP_PREVIEW "${raw}" must be one of ${PREVIEW_MODES.join(', ')}`);
      }
      return mode as PreviewMode;
    },
  }),
  setting({
    env: 'FLUX_MCP_RESOURCE_LINKS',
    key: 'resourceLinks',
    shownDefault: '0',
    description:
      '1 adds a `resource_link` to the saved file in image results. Off by default: LangChain, the OpenAI Agents ' +
      'SDK and the AI SDK with Gemini fail or bloat on it.',
    fallback: () => false,
    parse: (raw) => {
      const word = raw.toLowerCase();
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
      throw new SettingProblem(`FLUX_MCP_RESOURCE_LINKS "${raw}" must be 1 (add resource links) or 0 (the default)`);
    },
  }),
  setting({
    env: 'FLUX_MCP_APPS',
    key: 'apps',
    shownDefault: '1',
    description:
      'The gallery (an MCP App: thumbnails, "more like this", variants, edit) for clients that declare the MCP Apps ' +
      'extension (Claude, ChatGPT, VS Code, Goose …); 0 turns it off. Other clients never see it.',
    fallback: () => true,
    parse: (raw) => {
      const word = raw.toLowerCase();
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
      throw new SettingProblem(`FLUX_MCP_APPS "${raw}" must be 1 (the gallery for MCP Apps clients, the default) or 0`);
    },
  }),
  setting({
    env: 'FLUX_MCP_NORMALIZE_INPUTS',
    key: 'normalizeInputs',
    shownDefault: '1',
    description:
      `edit_images: turn reference images upright (EXIF orientation)${SCALING ? ` and${SCALING}` : ''} before ` +
      'sending; inputs already within these limits are sent as given (less their metadata, see ' +
      'FLUX_MCP_KEEP_INPUT_METADATA). 0 sends every input without normalizing it.',
    fallback: () => true,
    parse: flag('FLUX_MCP_NORMALIZE_INPUTS', 'normalize reference images, the default', 'send them as given'),
  }),
  setting({
    env: 'FLUX_MCP_KEEP_INPUT_METADATA',
    key: 'keepInputMetadata',
    shownDefault: '0',
    description:
      'edit_images: 1 sends reference images with their metadata (EXIF with GPS position, camera make and ' +
      'model, XMP, text chunks); by default it is removed before upload, without re-encoding the pixels. ' +
      'Bytes after the end of an image are never sent.',
    fallback: () => false,
    parse: flag('FLUX_MCP_KEEP_INPUT_METADATA', 'send metadata as given', 'remove it, the default'),
  }),
  setting({
    env: 'FLUX_MCP_ALLOW_PRIVATE_URLS',
    key: 'allowPrivateUrls',
    shownDefault: '0',
    description:
      '1 lets image URLs (inputs the server fetches, inputs passed to the gateway, result downloads) point ' +
      'to loopback, private, link-local and other non-public addresses, for self-hosted set-ups. By default ' +
      "they are refused; the gateway's own origin is always allowed.",
    fallback: () => false,
    parse: flag('FLUX_MCP_ALLOW_PRIVATE_URLS', 'allow non-public addresses', 'public addresses only, the default'),
  }),
  setting({
    env: 'FLUX_MCP_MAX_RETRIES',
    key: 'maxRetries',
    shownDefault: '2',
    description:
      `Retries (${RETRIES.join('–')}) of a gateway request after a 429, a 5xx, or a connection failure before any ` +
      'answer. A request that timed out is never sent again (the gateway may have billed it).',
    fallback: () => 2,
    parse: wholeNumber('FLUX_MCP_MAX_RETRIES', RETRIES, 'retries of a failed gateway request'),
  }),
  setting({
    env: 'FLUX_MCP_TIMEOUT_MS',
    key: 'timeoutMs',
    shownDefault: '(per model)',
    description:
      `Timeout of one gateway request in ms (${TIMEOUT_MS.join('–')}), for every model; by default each ` +
      `model's own (${Math.min(...TIMEOUTS_S)}–${Math.max(...TIMEOUTS_S)} s, see the model table).`,
    fallback: () => undefined,
    parse: wholeNumber('FLUX_MCP_TIMEOUT_MS', TIMEOUT_MS, 'milliseconds per gateway request'),
  }),
  setting({
    env: 'FLUX_MCP_MAX_CONCURRENT',
    key: 'maxConcurrent',
    shownDefault: String(UPSTREAM_ACTIVE_TASKS),
    description:
      `Gateway calls in flight at once (${CONCURRENCY.join('–')}); more wait in line, first come first served, ` +
      'and report their place as progress.',
    fallback: () => UPSTREAM_ACTIVE_TASKS,
    parse: wholeNumber('FLUX_MCP_MAX_CONCURRENT', CONCURRENCY, 'gateway calls in flight'),
  }),
  setting({
    env: 'FLUX_MCP_MODEL_CONCURRENCY',
    key: 'modelConcurrency',
    shownDefault: CATALOG_CAPS.join(',') || '(none)',
    description:
      `Per-model caps on calls in flight, e.g. \`${CAPS_EXAMPLE}\`; ` + 'each replaces the default for its model.',
    fallback: () => ({}),
    parse: (raw) => {
      const caps: Record<string, number> = {};
      const problems: string[] = [];
      for (const entry of raw
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const match = /^([\w.-]+)\s*=\s*(\d+)$/.exec(entry);
        const [, id, count] = match ?? [];
        if (id === undefined || count === undefined || Number(count) < 1) {
          problems.push(
            `FLUX_MCP_MODEL_CONCURRENCY entry "${entry}" must look like model=N with N ≥ 1, e.g. ${CAP_EXAMPLE}`,
          );
        } else if (!findModel(id)) {
          problems.push(
            `FLUX_MCP_MODEL_CONCURRENCY names "${id}", which is not a model: ` +
              `use one of ${MODELS.map((m) => m.id).join(', ')}`,
          );
        } else {
          caps[id] = Number(count);
        }
      }
      if (problems.length > 0) throw new SettingProblem(problems.join('\n'));
      return caps;
    },
  }),
  setting({
    env: 'FLUX_MCP_HANDOFF_AFTER_MS',
    key: 'handoffAfterMs',
    shownDefault: '45000',
    description:
      'How long (ms) an image call waits for its image before it returns the job to collect with ' +
      '`wait_for_image` (clients cut calls at about 60 s and the agent would pay again); 0 never hands off. ' +
      'Clients known to keep waiting while progress arrives wait to the end.',
    fallback: () => 45_000,
    parse: wholeNumber('FLUX_MCP_HANDOFF_AFTER_MS', HANDOFF_MS, 'milliseconds; 0 = never hand off'),
  }),
  setting({
    env: 'FLUX_MCP_SHUTDOWN_GRACE_MS',
    key: 'shutdownGraceMs',
    shownDefault: '120000',
    description:
      'On SIGINT, SIGTERM or stdin end, how long (ms) calls under way ' +
      'may take to finish and save before the server exits.',
    fallback: () => 120_000,
    parse: wholeNumber('FLUX_MCP_SHUTDOWN_GRACE_MS', GRACE_MS, 'milliseconds'),
  }),
  setting({
    env: 'FLUX_MCP_LOG_LEVEL',
    key: 'logLevel',
    shownDefault: 'info',
    description: `stderr log level: ${LOG_LEVELS.join(', ')}.`,
    fallback: () => 'info',
    parse: (raw) => {
      const level = raw.toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(level)) {
        throw new SettingProblem(`FLUX_MCP_LOG_LEVEL "${level}" must be one of ${LOG_LEVELS.join(', ')}`);
      }
      return level as LogLevel;
    },
  }),
  setting({
    env: 'FLUX_MCP_HTTP_TOKEN',
    key: 'httpToken',
    shownDefault: '(none)',
    description:
      '`serve --http` only: a bearer token every request must carry (`Authorization: Bearer …`); required to ' +
      `listen beyond 127.0.0.1, and then at least ${MIN_HTTP_TOKEN_LENGTH} characters.`,
    fallback: () => undefined,
    parse: (raw) => raw,
    secret: true,
  }),
  setting({
    env: 'FLUX_MCP_HTTP_INPUT_DIRS',
    key: 'httpInputDirs',
    shownDefault: '(the output directory)',
    description:
      '`serve --http` only: the directories whose files edit_images may read, as absolute paths separated by ' +
      '`:` (`;` on Windows); any other path is refused without being looked at. Over stdio and from the CLI, ' +
      'any path the user can read is allowed.',
    fallback: () => [],
    parse: (raw, home) => {
      const dirs = raw
        .split(path.delimiter)
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => expandHome(entry, home));
      const relative = dirs.filter((dir) => !path.isAbsolute(dir));
      if (relative.length > 0) {
        throw new SettingProblem(
          `FLUX_MCP_HTTP_INPUT_DIRS names relative paths (${relative.join(', ')}): ` +
            `give absolute directories separated by "${path.delimiter}"`,
        );
      }
      return dirs.map((dir) => path.resolve(dir));
    },
  }),
  setting({
    env: 'FLUX_MCP_BUDGET_USD',
    key: 'budgetUsd',
    shownDefault: '(none)',
    description:
      'A spending cap in USD per FLUX_MCP_BUDGET_PERIOD, counted from the ledger of this output directory: a ' +
      'call whose cost would pass it is refused (`budget_exceeded`) before anything is sent. 0 refuses every ' +
      'paid call. Token-billed models need FLUX_MCP_TOKEN_PRICE_USD to be counted; without it they are refused ' +
      'while a cap is set. See "Spending".',
    fallback: () => undefined,
    parse: (raw) => {
      if (!AMOUNT.test(raw)) {
        throw new SettingProblem(
          `FLUX_MCP_BUDGET_USD "${raw}" must be an amount of US dollars such as 5 or 12.50 (0 refuses every paid call)`,
        );
      }
      return Number(raw);
    },
  }),
  setting({
    env: 'FLUX_MCP_BUDGET_PERIOD',
    key: 'budgetPeriod',
    shownDefault: 'day',
    description:
      'What FLUX_MCP_BUDGET_USD is counted over, in local time: `day` (from midnight) or `month` (from the first).',
    fallback: () => 'day',
    parse: (raw) => {
      const period = raw.toLowerCase();
      if (!(BUDGET_PERIODS as readonly string[]).includes(period)) {
        throw new SettingProblem(`FLUX_MCP_BUDGET_PERIOD "${raw}" must be one of ${BUDGET_PERIODS.join(', ')}`);
      }
      return period as BudgetPeriod;
    },
  }),
  setting({
    env: 'FLUX_MCP_TOKEN_PRICE_USD',
    key: 'tokenPrice',
    shownDefault: '(none)',
    description:
      'What token-billed models cost, in USD per million tokens, to count them in the spending figures and the ' +
      'cap: one number for every token (`30`) or input and output apart (`input=10,output=40`). Until set, ' +
      'their images are shown as unpriced, with their token counts.',
    fallback: () => undefined,
    parse: parseTokenPrice,
  }),
] as const;

/**
 * Where the server may fetch URLs it is given (inputs, result URLs): public addresses, and the
 * configured gateway's own origin; every address with FLUX_MCP_ALLOW_PRIVATE_URLS=1.
 */
export function outboundPolicyOf(config: Pick<Config, 'baseUrl' | 'allowPrivateUrls'>): OutboundPolicy {
  return { trustedOrigins: [new URL(config.baseUrl).origin], allowPrivate: config.allowPrivateUrls };
}

/**
 * Everything the redaction boundary removes from what the server writes (core/redact.ts): the
 * API key, the HTTP token, and credentials in the gateway's base URL.
 */
export function secretsOf(config: Pick<Config, 'apiKey' | 'httpToken' | 'baseUrl'>): string[] {
  return [config.apiKey, config.httpToken, ...credentialsInUrl(config.baseUrl)].filter(
    (secret): secret is string => secret !== undefined,
  );
}

/** The same secrets from raw environment variables, for messages written before a Config exists. */
export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return secretsOf({
    apiKey: env.APIYI_API_KEY?.trim() || undefined,
    httpToken: env.FLUX_MCP_HTTP_TOKEN?.trim() || undefined,
    baseUrl: env.APIYI_BASE_URL?.trim() ?? '',
  });
}

/**
 * A configuration that cannot start the server. Every entry point (stdio, `serve`, the CLI's
 * commands) reports it the same way and exits with the same code.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** A local failure, like a disk that cannot be written: the set-up, not the call, must change. */
  readonly exitCode = EXIT_CODES.local;
  constructor(readonly problems: readonly string[]) {
    super(`apiyi-flux-mcp cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const entry of SETTINGS as readonly Setting<keyof Config>[]) {
    const raw = env[entry.env]?.trim();
    if (raw === undefined || raw === '' || UNFILLED_PLACEHOLDER.test(raw)) {
      values[entry.key] = entry.fallback(home);
      continue;
    }
    try {
      values[entry.key] = entry.parse(raw, home);
    } catch (error) {
      if (!(error instanceof SettingProblem)) throw error;
      problems.push(...error.message.split('\n'));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as unknown as Config;
}

/**
 * The start-up line's account of the settings that differ from their defaults, e.g.
 * "APIYI_API_KEY (set), FLUX_MCP_PREVIEW_SIZE=0"; secrets are only said to be set.
 */
export function describeSettings(config: Config, home: string = os.homedir()): string {
  const changed: string[] = [];
  for (const entry of SETTINGS as readonly Setting<keyof Config>[]) {
    const value = config[entry.key];
    if (JSON.stringify(value) === JSON.stringify(entry.fallback(home))) continue;
    if (entry.secret) changed.push(`${entry.env} (set)`);
    else if (entry.key === 'baseUrl') changed.push(`${entry.env}=${displayUrl(String(value))}`);
    else changed.push(`${entry.env}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return changed.length > 0 ? changed.join(', ') : 'all defaults';
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
  const tokenBilled = (MODELS as readonly ModelSpec[]).filter((m) => m.priceUsd === null).map((m) => m.id);
  if (config.budgetUsd !== undefined && config.tokenPrice === undefined && tokenBilled.length > 0) {
    warnings.push(
      `FLUX_MCP_BUDGET_USD is set without FLUX_MCP_TOKEN_PRICE_USD: calls to ${tokenBilled.join(', ')} (billed by ` +
        'tokens) will be refused, since the cap cannot count them.',
    );
  }
  return warnings;
}
