/**
 * `apiyi-flux-mcp generate | edit | images | wait | spend | models`: the tools (and the spending report)
 * from a terminal or a script, through the same server code and validation. stdout gets only
 * results (saved paths, one per line, or JSON with --json); progress and errors go to stderr. Exit
 * codes say what to do next: 0 done, 2 fix the input, 3 refused (by the gateway: key, moderation,
 * credit; or by the spending cap), 4 try again later, 1 a local failure.
 */
import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { priceText } from '../catalog/describe.js';
import { MODELS, type ModelSpec } from '../catalog/models.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { ERROR_CATEGORIES, EXIT_CODES, failureCategoryOf } from '../core/failure.js';
import { SPEND_URI } from '../mcp/resources.js';
import type { ImageResult } from '../pipeline/image-result.js';
import type { SpendReport } from '../pipeline/spend-report.js';
import type { ListImagesResult } from '../tools/list-images.js';
import { startLocalServer } from './local-server.js';
import { progressDisplay } from './progress-display.js';
import { spendText } from './spend-text.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options shared by generate and edit, named like the tool arguments in kebab case. */
const OUTPUT_OPTIONS = {
  model: { type: 'string', short: 'm' },
  size: { type: 'string', short: 's' },
  width: { type: 'string' },
  height: { type: 'string' },
  'aspect-ratio': { type: 'string' },
  seed: { type: 'string' },
  'safety-tolerance': { type: 'string' },
  format: { type: 'string' },
  'prompt-upsampling': { type: 'boolean' },
  steps: { type: 'string' },
  guidance: { type: 'string' },
  quality: { type: 'string' },
  background: { type: 'string' },
  compression: { type: 'string' },
  count: { type: 'string', short: 'n' },
  filename: { type: 'string' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

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

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

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

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

/** Run one tool call with progress on stderr; print its result; return the exit code. */
async function runTool(
  io: Io,
  config: Config,
  tool: string,
  args: Record<string, unknown>,
  json: boolean,
  print: (result: CallToolResult) => string[],
): Promise<number> {
  const server = await startLocalServer(config);
  const display = progressDisplay(io.stderr);
  let result: CallToolResult;
  try {
    result = await server.call(tool, args, (p) => display.update(p));
  } finally {
    display.stop();
    await server.close();
  }
  if (result.isError) {
    io.stderr.write(`apiyi-flux-mcp: ${textOf(result)}\n`);
    // The category comes as data (core/failure.ts), never from the wording of the text.
    const category = failureCategoryOf(result);
    return category ? ERROR_CATEGORIES[category].exitCode : EXIT_CODES.local;
  }
  if (json) io.stdout.write(`${JSON.stringify(result.structuredContent, null, 2)}\n`);
  else for (const line of print(result)) io.stdout.write(`${line}\n`);
  return EXIT_CODES.ok;
}

/** The paths of the images a result gives, one per line: what scripts read from stdout. */
const imagePaths = (result: CallToolResult): string[] =>
  (result.structuredContent as ImageResult | ListImagesResult).images.map((image) => image.path);

export async function generateCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...OUTPUT_OPTIONS, like: { type: 'string' } });
  // With --like the prompt is the earlier image's unless one is given.
  if (positionals.length > 1 || (positionals.length === 0 && values.like === undefined))
    throw new UsageError(
      'generate takes one prompt, in quotes: apiyi-flux-mcp generate "a red fox in the snow" (or --like an earlier image)',
    );
  const config = configFor(values.out, io.env);
  const args = {
    ...(positionals[0] !== undefined ? { prompt: positionals[0] } : {}),
    ...toolArguments(values, ['out', 'json', 'like']),
    ...(values.like !== undefined ? { like: resolveLike(values.like) } : {}),
  };
  return runTool(io, config, 'generate_image', args, values.json === true, imagePaths);
}

export async function editCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...OUTPUT_OPTIONS,
    image: { type: 'string', short: 'i', multiple: true },
    mask: { type: 'string' },
  });
  if (positionals.length !== 1)
    throw new UsageError(
      'edit takes one prompt, in quotes: apiyi-flux-mcp edit "make the sky stormy" --image photo.jpg',
    );
  if (!values.image?.length)
    throw new UsageError(
      'edit needs at least one --image (image 1 first): apiyi-flux-mcp edit "…" --image a.png --image b.jpg',
    );
  const config = configFor(values.out, io.env);
  const args = {
    prompt: positionals[0],
    ...toolArguments(values, ['out', 'json', 'image', 'mask']),
    images: values.image.map(resolveLocal),
    ...(values.mask !== undefined ? { mask: resolveLocal(values.mask) } : {}),
  };
  return runTool(io, config, 'edit_images', args, values.json === true, imagePaths);
}

export async function imagesCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    search: { type: 'string' },
    model: { type: 'string', short: 'm' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    out: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
  });
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
  return runTool(io, config, 'list_images', args, values.json === true, imagePaths);
}

/** `apiyi-flux-mcp wait JOB`: the image of a call that was handed off (by an agent's session or another process). */
export async function waitCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string', short: 'o' }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('wait takes one job id: apiyi-flux-mcp wait job_mh2k3x9qa1b2c3');
  const config = configFor(values.out, io.env);
  return runTool(io, config, 'wait_for_image', { job: positionals[0] }, values.json === true, imagePaths);
}

/** `apiyi-flux-mcp spend`: what the images of the output directory cost, from the `flux-mcp://spend` resource. */
export async function spendCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string', short: 'o' }, json: { type: 'boolean' } });
  if (positionals.length > 0)
    throw new UsageError('spend takes no words of its own: apiyi-flux-mcp spend [--json] [--out DIR]');
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
  const { values } = parse(argv, { json: { type: 'boolean' } });
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

/** Run a command, turning usage and configuration mistakes into exit code 2 with a message. */
export async function runCommand<T extends number | 'running'>(
  command: (argv: readonly string[], io: Io) => Promise<T> | T,
  argv: readonly string[],
  io: Io,
): Promise<T | number> {
  try {
    return await command(argv, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(
        `apiyi-flux-mcp: ${error.message}\nFix these environment variables (see docs/configuration.md).\n`,
      );
      return error.exitCode;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`apiyi-flux-mcp: ${error.message}\nRun apiyi-flux-mcp --help for usage.\n`);
      return EXIT_CODES.badInput;
    }
    throw error;
  }
}
