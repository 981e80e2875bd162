/**
 * Every command's option table: what parseArgs parses and what `<command> --help` shows, one
 * entry each (parse.ts). Light on purpose: the top-level help reads it without loading the server.
 */
import { acceptedBy } from '../catalog/describe.js';
import {
  DEFAULT_EDIT_MODEL,
  DEFAULT_MODEL,
  EDIT_MODEL_IDS,
  GENERATION_MODEL_IDS,
  MASK_MODEL_IDS,
  MAX_REFERENCES,
  OUTPUT_FORMATS,
  type ParamName,
} from '../catalog/models.js';
import {
  BACKGROUND_VALUES,
  COMPRESSIBLE_FORMATS,
  COUNT,
  GUIDANCE,
  OUTPUT_COMPRESSION,
  QUALITY_VALUES,
  SAFETY_TOLERANCE,
  STEPS,
} from '../catalog/parameters.js';
import { SERVER_NAME } from '../core/version.js';
import { type CliOption, command } from './parse.js';

/** `serve --http` listens here unless --port says otherwise. */
export const DEFAULT_HTTP_PORT = 8808;
/** `simulate` listens here unless --port says otherwise. */
const DEFAULT_SIMULATOR_PORT = 8787;

const IMAGE_MODEL_IDS = [...new Set([...GENERATION_MODEL_IDS, ...EDIT_MODEL_IDS])];
/** The facts given and, when not every model takes the parameter, which do: " (default 2; … only)". */
const facts = (param: ParamName, ...more: string[]): string => {
  const parts = [...more, acceptedBy(param, IMAGE_MODEL_IDS)].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
};

const out = {
  type: 'string',
  short: 'o',
  value: 'DIR',
  help: 'the image folder, instead of FLUX_MCP_OUTPUT_DIR',
} as const;
const json = { type: 'boolean', help: 'print the result as JSON instead of paths' } as const;

/** Options of generate and edit, named like the tool arguments in kebab case. */
const OUTPUT_OPTIONS = {
  size: {
    type: 'string',
    short: 's',
    value: 'WxH',
    help: 'width x height in px, e.g. 1024x768 (or --width and --height, or --aspect-ratio)',
  },
  width: { type: 'string', value: 'PX', help: 'width in px, with --height' },
  height: { type: 'string', value: 'PX', help: 'height in px, with --width' },
  'aspect-ratio': { type: 'string', value: 'W:H', help: 'a shape such as 16:9 instead of a size' },
  count: {
    type: 'string',
    short: 'n',
    value: 'N',
    help: `images at once, ${COUNT.min}-${COUNT.max} (default ${COUNT.default}), each with its own seed and price`,
  },
  seed: { type: 'string', value: 'N', help: `a seed, to make the same image again${facts('seed')}` },
  'safety-tolerance': {
    type: 'string',
    value: 'N',
    help:
      `moderation, ${SAFETY_TOLERANCE.min} strictest to ${SAFETY_TOLERANCE.max} most permissive` +
      `${facts('safety_tolerance', `default ${SAFETY_TOLERANCE.default}`)}`,
  },
  format: { type: 'string', value: OUTPUT_FORMATS.join('|'), help: 'the file format (the model has a default)' },
  'prompt-upsampling': { type: 'boolean', help: `let the model expand a short prompt${facts('prompt_upsampling')}` },
  steps: {
    type: 'string',
    value: 'N',
    help: `inference steps, ${STEPS.min}-${STEPS.max}${facts('steps', `default ${STEPS.default}`)}`,
  },
  guidance: {
    type: 'string',
    value: 'G',
    help:
      `how closely to follow the prompt, ${GUIDANCE.min}-${GUIDANCE.max}` +
      `${facts('guidance', `default ${GUIDANCE.default}`)}`,
  },
  quality: { type: 'string', value: QUALITY_VALUES.join('|'), help: `rendering quality${facts('quality')}` },
  background: { type: 'string', value: BACKGROUND_VALUES.join('|'), help: `the background${facts('background')}` },
  compression: {
    type: 'string',
    value: 'N',
    help:
      `${OUTPUT_COMPRESSION.min}-${OUTPUT_COMPRESSION.max} for ${COMPRESSIBLE_FORMATS.join(' or ')} output` +
      `${facts('output_compression')}`,
  },
  filename: { type: 'string', value: 'NAME', help: 'a short name for the file (date, time and an id are added)' },
  out,
  json,
} as const satisfies Record<string, CliOption>;

export const GENERATE = command({
  name: 'generate',
  usage: ['"prompt" [options]', '--like IMAGE|JOB [options]'],
  summary: 'make an image; prints its path (one line per image)',
  positionals: true,
  options: {
    model: {
      type: 'string',
      short: 'm',
      value: 'MODEL',
      help: `the model (default ${DEFAULT_MODEL}; \`${SERVER_NAME} models\` lists them)`,
    },
    like: {
      type: 'string',
      value: 'IMAGE|JOB',
      help: 'more like an earlier image: its prompt, model and parameters, new seeds (options given here win)',
    },
    ...OUTPUT_OPTIONS,
  },
  notes: [`Example: ${SERVER_NAME} generate "a red fox in the snow, watercolour" --size 1024x768 --count 2`],
});

export const EDIT = command({
  name: 'edit',
  usage: ['"prompt" --image a.png [--image b.jpg …] [--mask m.png] [options]'],
  summary: 'edit or combine images; prints the new path',
  positionals: true,
  options: {
    image: {
      type: 'string',
      short: 'i',
      multiple: true,
      value: 'FILE|URL',
      help: `an input image; repeat for more (up to ${MAX_REFERENCES}), "image 1" first`,
    },
    mask: {
      type: 'string',
      value: 'FILE|URL',
      help: `a PNG the size of image 1, transparent where to repaint (${MASK_MODEL_IDS.join(', ')} only)`,
    },
    model: {
      type: 'string',
      short: 'm',
      value: 'MODEL',
      help: `the model (default ${DEFAULT_EDIT_MODEL}; \`${SERVER_NAME} models\` lists those that edit)`,
    },
    ...OUTPUT_OPTIONS,
  },
  notes: [`Example: ${SERVER_NAME} edit "image 1 in the style of image 2" --image photo.jpg --image painting.png`],
});

export const IMAGES = command({
  name: 'images',
  usage: ['[--search words] [--model M] [--since D] [--until D] [--limit N]'],
  summary: 'list saved images, newest first (paths)',
  // Words are refused with a pointer to --search (commands.ts).
  positionals: true,
  options: {
    search: { type: 'string', value: 'WORDS', help: 'words the prompt must all contain' },
    model: { type: 'string', short: 'm', value: 'MODEL', help: 'only images from this model' },
    since: {
      type: 'string',
      value: 'DATE',
      help: 'made on or after: YYYY-MM-DD (a local day) or an ISO date-time',
    },
    until: {
      type: 'string',
      value: 'DATE',
      help: 'made on or before: YYYY-MM-DD (to the end of that day) or an ISO date-time',
    },
    limit: { type: 'string', value: 'N', help: 'most images to list, 1-100 (default 20)' },
    out,
    json,
  },
});

export const WAIT = command({
  name: 'wait',
  usage: ['JOB [--json]'],
  summary: 'the image of a call handed off as JOB; prints its path',
  positionals: true,
  options: { out, json },
});

export const SPEND = command({
  name: 'spend',
  usage: ['[--json]'],
  summary: 'what the saved images cost: today, this month, all time, by model',
  positionals: false,
  options: {
    out: { ...out, help: 'the image folder whose spending to report, instead of FLUX_MCP_OUTPUT_DIR' },
    json: { type: 'boolean', help: 'print the report as JSON (what the flux-mcp://spend resource holds)' },
  },
  notes: ['The cap: FLUX_MCP_BUDGET_USD, FLUX_MCP_BUDGET_PERIOD; token-billed models: FLUX_MCP_TOKEN_PRICE_USD.'],
});

export const MODELS_COMMAND = command({
  name: 'models',
  usage: ['[--json]'],
  summary: 'the model catalog',
  positionals: false,
  options: { json: { type: 'boolean', help: 'print the catalog as JSON' } },
});

export const SERVE = command({
  name: 'serve',
  usage: ['--http [--port N] [--host H]'],
  summary: `the MCP server on Streamable HTTP (default 127.0.0.1:${DEFAULT_HTTP_PORT})`,
  positionals: false,
  options: {
    http: { type: 'boolean', help: 'serve MCP over Streamable HTTP instead of stdio' },
    port: {
      type: 'string',
      short: 'p',
      value: 'N',
      help: `the port, with --http; 0 picks a free one (default ${DEFAULT_HTTP_PORT})`,
    },
    host: { type: 'string', value: 'H', help: 'the address to bind, with --http (default 127.0.0.1)' },
  },
  notes: [
    `Without --http, \`${SERVER_NAME} serve\` is the MCP server on stdio, as \`${SERVER_NAME}\` alone.`,
    'Beyond 127.0.0.1 every request must carry FLUX_MCP_HTTP_TOKEN as a bearer token (see docs/cli.md).',
  ],
});

export const SIMULATE = command({
  name: 'simulate',
  usage: ['[--port N]'],
  summary: 'a local gateway simulator (no key, no cost)',
  positionals: false,
  options: {
    port: { type: 'string', value: 'N', default: String(DEFAULT_SIMULATOR_PORT), help: 'the port; 0 picks a free one' },
    host: { type: 'string', value: 'H', default: '127.0.0.1', help: 'the address to bind' },
    'ttl-seconds': { type: 'string', value: 'S', default: '600', help: 'lifetime of result URLs, like the gateway' },
    'latency-ms': { type: 'string', value: 'MS', default: '0', help: 'time added to every generation' },
    key: { type: 'string', value: 'KEY', help: 'accept only this API key (default: any)' },
  },
});

/** In the order the top-level help lists them. */
export const COMMANDS = [SERVE, GENERATE, EDIT, IMAGES, WAIT, SPEND, MODELS_COMMAND, SIMULATE] as const;
