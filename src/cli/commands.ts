/**
 * `generate | edit | images | wait | spend | models`: the tools (and the spending report) from a
 * terminal or a script, through the same server code and validation. stdout gets only results
 * (saved paths, one per line, or JSON with --json); progress and errors go to stderr. Exit codes
 * say what to do next: 0 done, 2 fix the input, 3 refused (by the gateway: key, moderation, credit;
 * or by the spending cap), 4 try again later, 1 a local failure.
 */
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { priceText } from '../catalog/describe.js';
import { MODELS, type ModelSpec } from '../catalog/models.js';
import { type Config, loadConfig, secretsOf } from '../config.js';
import { ERROR_CATEGORIES, type ErrorCategory, EXIT_CODES, failureCategoryOf } from '../core/failure.js';
import { createLogger } from '../core/log.js';
import { SERVER_NAME } from '../core/version.js';
import { outputDirWarning } from '../library/output-dir-check.js';
import { SPEND_URI } from '../mcp/resources.js';
import type { ImageResult } from '../pipeline/image-result.js';
import type { SpendReport } from '../pipeline/spend-report.js';
import type { ListImagesResult } from '../tools/list-images.js';
import { startLocalServer } from './local-server.js';
import { parseCommand, UsageError } from './parse.js';
import { progressDisplay } from './progress-display.js';
import type { Io } from './run.js';
import { EDIT, GENERATE, IMAGES, MODELS_COMMAND, SPEND, WAIT } from './specs.js';
import { spendText } from './spend-text.js';

/** CLI option → tool argument, where the names differ. */
const RENAMED: Readonly<Record<string, string>> = { format: 'output_format', compression: 'output_compression' };
const NUMERIC = new Set([
  'width',
  'height',
  'seed',
  'safety_tolerance',
  'steps',
  'guidance',
  'output_compression',
  'count',
]);

/** Tool arguments from parsed options: kebab-case to snake_case; numbers as numbers when they are. */
function toolArguments(values: Record<string, unknown>, skip: readonly string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(values)) {
    if (value === undefined || skip.includes(option)) continue;
    const name = RENAMED[option] ?? option.replace(/-/g, '_');
    // A value that is not a number is passed on as text, so the tool's own message explains it.
    args[name] =
      NUMERIC.has(name) && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
        ? Number(value)
        : value;
  }
  return args;
}

function configFor(out: string | undefined, env: NodeJS.ProcessEnv): Config {
  const config = loadConfig({
    FLUX_MCP_LOG_LEVEL: 'warn',
    // A terminal waits as long as the image takes: no client here cuts the call at 60 s.
    FLUX_MCP_HANDOFF_AFTER_MS: '0',
    ...env,
    ...(out ? { FLUX_MCP_OUTPUT_DIR: path.resolve(out) } : {}),
  });
  return config;
}

/** --like: a job id as it is, a path resolved like --image. */
function resolveLike(like: string): string {
  return /^job_[0-9a-z]+$/.test(like) ? like : resolveLocal(like);
}

/** In a terminal, relative paths are the user's own: resolve them here (the MCP tool refuses them). */
function resolveLocal(source: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) || source.startsWith('~') || path.isAbsolute(source)) return source;
  return path.resolve(source);
}

const textOf = (result: CallToolResult): string =>
  result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');

/** Where a terminal user finds a key, and how to try without one. */
const KEY_SOURCE =
  `Get a key in the APIYI console (https://api.apiyi.com). To try without a key or cost, run ` +
  `\`${SERVER_NAME} simulate\` in another terminal and follow what it prints.`;

/**
 * What to do, for a terminal user, where the tool's own hint speaks to an MCP client's "env" block:
 * the key is set in the shell that runs the command.
 */
const TERMINAL_HINTS: Partial<Record<ErrorCategory, string>> = {
  missing_api_key: [
    'Set it in this shell, then run the command again:',
    '  export APIYI_API_KEY=sk-...        (macOS, Linux: bash, zsh)',
    '  $env:APIYI_API_KEY="sk-..."        (Windows PowerShell)',
    KEY_SOURCE,
  ].join('\n'),
  auth: [
    'Check APIYI_API_KEY in this shell: the key as the APIYI console shows it, without "Bearer ".',
    KEY_SOURCE,
  ].join('\n'),
};

/**
 * A failed result as the terminal shows it: the category line, then the tool's hint, or the
 * terminal's own for a key problem (failureResult's layout: category line, hint, request id).
 */
function failureText(result: CallToolResult, category: ErrorCategory | undefined): string {
  const hint = category && TERMINAL_HINTS[category];
  if (!hint) return textOf(result);
  const [first = '', , ...rest] = textOf(result).split('\n');
  return [first, hint, ...rest].join('\n');
}

interface ToolRun {
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly json: boolean;
  /** The lines stdout gets for a result, without --json. */
  readonly print: (result: CallToolResult) => string[];
  /** Whether the call saves images: then the output folder is checked first. */
  readonly saves?: boolean;
}

/** Run one tool call with progress on stderr; print its result; return the exit code. */
async function runTool(io: Io, config: Config, run: ToolRun): Promise<number> {
  const display = progressDisplay(io.stderr);
  // The server's log shares stderr with the progress: it goes through the display, which keeps them apart.
  const log = createLogger(config.logLevel, secretsOf(config), (line) => display.log(line));
  if (run.saves) {
    const warning = await outputDirWarning(
      config.outputDir,
      'give --out DIR, or set FLUX_MCP_OUTPUT_DIR to a folder you can write to',
    );
    if (warning) log.warn(warning);
  }
  const server = await startLocalServer(config, log);
  let result: CallToolResult;
  try {
    result = await server.call(run.tool, run.args, (p) => display.update(p));
  } finally {
    display.stop();
    await server.close();
  }
  if (result.isError) {
    // The category comes as data (core/failure.ts), never from the wording of the text.
    const category = failureCategoryOf(result);
    io.stderr.write(`${SERVER_NAME}: ${failureText(result, category)}\n`);
    return category ? ERROR_CATEGORIES[category].exitCode : EXIT_CODES.local;
  }
  if (run.json) io.stdout.write(`${JSON.stringify(result.structuredContent, null, 2)}\n`);
  else for (const line of run.print(result)) io.stdout.write(`${line}\n`);
  return EXIT_CODES.ok;
}

/** The paths of the images a result gives, one per line: what scripts read from stdout. */
const imagePaths = (result: CallToolResult): string[] =>
  (result.structuredContent as ImageResult | ListImagesResult).images.map((image) => image.path);

export async function generateCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(GENERATE, argv);
  // With --like the prompt is the earlier image's unless one is given.
  if (positionals.length > 1 || (positionals.length === 0 && values.like === undefined))
    throw new UsageError(
      `generate takes one prompt, in quotes: ${SERVER_NAME} generate "a red fox in the snow" ` +
        '(or --like an earlier image)',
    );
  const config = configFor(values.out, io.env);
  const args = {
    ...(positionals[0] !== undefined ? { prompt: positionals[0] } : {}),
    ...toolArguments(values, ['out', 'json', 'like']),
    ...(values.like !== undefined ? { like: resolveLike(values.like) } : {}),
  };
  return runTool(io, config, {
    tool: 'generate_image',
    args,
    json: values.json === true,
    print: imagePaths,
    saves: true,
  });
}

export async function editCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(EDIT, argv);
  if (positionals.length !== 1)
    throw new UsageError(
      `edit takes one prompt, in quotes: ${SERVER_NAME} edit "make the sky stormy" --image photo.jpg`,
    );
  if (!values.image?.length)
    throw new UsageError(
      `edit needs at least one --image (image 1 first): ${SERVER_NAME} edit "…" --image a.png --image b.jpg`,
    );
  const config = configFor(values.out, io.env);
  const args = {
    prompt: positionals[0],
    ...toolArguments(values, ['out', 'json', 'image', 'mask']),
    images: values.image.map(resolveLocal),
    ...(values.mask !== undefined ? { mask: resolveLocal(values.mask) } : {}),
  };
  return runTool(io, config, { tool: 'edit_images', args, json: values.json === true, print: imagePaths, saves: true });
}

export async function imagesCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(IMAGES, argv);
  if (positionals.length > 0)
    throw new UsageError(`images takes no words of its own; search with --search "${positionals.join(' ')}"`);
  const config = configFor(values.out, io.env);
  const args = {
    ...(values.search !== undefined ? { query: values.search } : {}),
    ...toolArguments({ model: values.model, since: values.since, until: values.until }, []),
    ...(values.limit !== undefined
      ? { limit: Number.isFinite(Number(values.limit)) ? Number(values.limit) : values.limit }
      : {}),
  };
  return runTool(io, config, { tool: 'list_images', args, json: values.json === true, print: imagePaths });
}

/** `apiyi-flux-mcp wait JOB`: the image of a call that was handed off (by an agent's session or another process). */
export async function waitCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(WAIT, argv);
  if (positionals.length !== 1) throw new UsageError(`wait takes one job id: ${SERVER_NAME} wait job_mh2k3x9qa1b2c3`);
  const config = configFor(values.out, io.env);
  return runTool(io, config, {
    tool: 'wait_for_image',
    args: { job: positionals[0] },
    json: values.json === true,
    print: imagePaths,
  });
}

/** `spend`: what the images of the output directory cost, from the `flux-mcp://spend` resource. */
export async function spendCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand(SPEND, argv);
  const server = await startLocalServer(configFor(values.out, io.env));
  let report: SpendReport;
  try {
    const [content] = (await server.read(SPEND_URI)).contents;
    report = JSON.parse((content as { text: string }).text) as SpendReport;
  } finally {
    await server.close();
  }
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : spendText(report));
  return EXIT_CODES.ok;
}

export function modelsCommand(argv: readonly string[], io: Io): number {
  const { values } = parseCommand(MODELS_COMMAND, argv);
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ models: MODELS }, null, 2)}\n`);
    return EXIT_CODES.ok;
  }
  const rows = (MODELS as readonly ModelSpec[]).map((m) => [
    m.id,
    m.generates ? 'yes' : '–',
    m.edits ? String(m.edits.maxReferences) : '–',
    m.speed,
    priceText(m),
    m.bestFor,
  ]);
  const header = ['model', 'text-to-image', 'references', 'speed', 'price', 'best for'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows])
    io.stdout.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`);
  return EXIT_CODES.ok;
}
