/**
 * The MCP server with its tools, resources and prompts, independent of any transport: tests
 * connect it to an in-memory transport, the entry point to stdio or to Streamable HTTP.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { MODELS, type ModelSpec } from './catalog/models.js';
import type { Config } from './config.js';
import { createLogger, type Logger } from './core/log.js';
import { redact } from './core/redact.js';
import { SERVER_NAME, SERVER_VERSION, USER_AGENT } from './core/version.js';
import { GatewayClient } from './gateway/client.js';
import { CallLimiter } from './gateway/limiter.js';
import { FileLibraryIndex } from './library/file-library-index.js';
import { InFlightCalls } from './mcp/in-flight.js';
import { DEFAULT_PROGRESS_INTERVAL_MS } from './mcp/progress.js';
import { installPrompts } from './mcp/prompts.js';
import { installTools } from './mcp/registry.js';
import { installResources } from './mcp/resources.js';
import type { ToolContext } from './pipeline/context.js';
import type { ToolDefinition } from './tools/definition.js';
import { editImagesTool } from './tools/edit-images.js';
import { generateImageTool } from './tools/generate-image.js';
import { listImagesTool } from './tools/list-images.js';

/**
 * Largest image a resources/read returns whole: its base64 stays under the 1 MB that Claude
 * Desktop accepts in one message.
 */
const MAX_RESOURCE_READ_BYTES = 750_000;

export interface ServerOptions {
  readonly log?: Logger;
  /** Shared with the process wiring so shutdown can wait for calls under way. */
  readonly inFlight?: InFlightCalls;
  /** First retry backoff step (default 500 ms); tests shorten it. */
  readonly retryBaseMs?: number;
  /** How often waiting calls report progress (default 5 s); tests shorten it. */
  readonly progressIntervalMs?: number;
}

const INSTRUCTIONS =
  'flux-mcp makes images with FLUX and gpt-image-2 and saves them to disk. Every result gives the ' +
  "image's absolute path: pass paths between calls, never base64. Arguments are validated before " +
  'any paid request; an invalid_argument error names the field and the nearest valid value.';

/**
 * The SDK builds an Ajv validator for every Server unless given one; it is only used to check
 * elicitation answers, which this server never asks for, and building it is the single largest
 * cost of start-up. A validator that is never called stands in.
 */
const NO_ELICITATION: jsonSchemaValidator = {
  getValidator: () => {
    throw new Error('flux-mcp does not use elicitation');
  },
};

/**
 * What every MCP session of one process shares: configuration, the gateway client with its
 * connection pool, the call limiter, the image library and the calls in flight. stdio has one
 * session; stateless HTTP makes a Server per request on the same runtime.
 */
export interface ServerRuntime {
  readonly config: Config;
  readonly log: Logger;
  readonly ctx: ToolContext;
  readonly tools: readonly ToolDefinition[];
  readonly inFlight: InFlightCalls;
  /** Connected sessions, told when an image is saved (resources/list_changed). */
  readonly sessions: Set<Server>;
  /** How often a waiting call reports progress. */
  readonly progressIntervalMs: number;
}

export function createRuntime(config: Config, options: ServerOptions = {}): ServerRuntime {
  const sessions = new Set<Server>();
  const log = forwardToClients(options.log ?? createLogger(config.logLevel, [config.apiKey]), sessions, [
    config.apiKey,
  ]);
  const library = new FileLibraryIndex(config.outputDir, log);
  const modelCaps: Record<string, number> = {};
  for (const model of MODELS as readonly ModelSpec[])
    if (model.maxConcurrent !== undefined) modelCaps[model.id] = model.maxConcurrent;
  const ctx: ToolContext = {
    config,
    log,
    gateway: config.apiKey
      ? new GatewayClient({
          baseUrl: config.baseUrl,
          apiKey: config.apiKey,
          userAgent: USER_AGENT,
          log,
          maxRetries: config.maxRetries,
          ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
        })
      : undefined,
    limiter: new CallLimiter({
      maxConcurrent: config.maxConcurrent,
      modelCaps: { ...modelCaps, ...config.modelConcurrency },
    }),
    library,
    imageSaved: () => {
      // Tell every connected client that browses resources; one that has gone away is no reason to fail.
      for (const server of sessions) server.sendResourceListChanged().catch(() => undefined);
    },
  };
  return {
    config,
    log,
    ctx,
    tools: [generateImageTool(ctx), editImagesTool(ctx), listImagesTool(ctx)],
    inFlight: options.inFlight ?? new InFlightCalls(),
    sessions,
    progressIntervalMs: options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
  };
}

/**
 * The log also goes to connected clients as `notifications/message` (info and above; a client
 * narrows it with logging/setLevel), so a client's own log shows what the server did.
 */
function forwardToClients(
  base: Logger,
  sessions: ReadonlySet<Server>,
  secrets: readonly (string | undefined)[],
): Logger {
  const forward = (level: 'info' | 'warning' | 'error', message: string): void => {
    const data = redact(message, secrets);
    for (const server of sessions)
      server.sendLoggingMessage({ level, logger: SERVER_NAME, data }).catch(() => undefined);
  };
  return {
    debug: (message) => base.debug(message),
    info: (message) => {
      base.info(message);
      forward('info', message);
    },
    warn: (message) => {
      base.warn(message);
      forward('warning', message);
    },
    error: (message) => {
      base.error(message);
      forward('error', message);
    },
  };
}

/** A new MCP server (one session) on a runtime, not yet connected to a transport. */
export function createSession(runtime: ServerRuntime): Server {
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'FLUX image generation (APIYI)' },
    { instructions: INSTRUCTIONS, jsonSchemaValidator: NO_ELICITATION, capabilities: { logging: {} } },
  );
  installResources(server, runtime.ctx.library, { maxReadBytes: MAX_RESOURCE_READ_BYTES });
  installPrompts(server);
  installTools(server, runtime.tools, {
    log: runtime.log,
    secrets: [runtime.config.apiKey],
    inFlight: runtime.inFlight,
    progressIntervalMs: runtime.progressIntervalMs,
  });
  runtime.sessions.add(server);
  server.onclose = () => runtime.sessions.delete(server);
  return server;
}

/** The MCP server for one session with its own runtime: what stdio and in-process tests use. */
export function createServer(config: Config, options: ServerOptions = {}): Server {
  return createSession(createRuntime(config, options));
}
