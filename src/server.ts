/**
 * The MCP server with its tools, resources and prompts, independent of any transport: tests
 * connect it to an in-memory transport, the entry point to stdio or to Streamable HTTP.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { type Apps, createApps, sessionApps } from './apps/extension.js';
import { modelsByProvider } from './catalog/describe.js';
import { catalogConcurrencyCaps } from './catalog/models.js';
import { type Config, outboundPolicyOf, secretsOf } from './config.js';
import { createLogger, type Logger } from './core/log.js';
import { Redactor } from './core/redact.js';
import { SERVER_NAME, SERVER_VERSION, USER_AGENT } from './core/version.js';
import { GatewayClient } from './gateway/client.js';
import { CallLimiter } from './gateway/limiter.js';
import { FileLedger } from './library/file-ledger.js';
import { FileLibraryIndex } from './library/file-library-index.js';
import { FileJobStore } from './library/job-store.js';
import { InFlightCalls } from './mcp/in-flight.js';
import { DEFAULT_PROGRESS_INTERVAL_MS } from './mcp/progress.js';
import { installPrompts } from './mcp/prompts.js';
import { installTools } from './mcp/registry.js';
import { installResources } from './mcp/resources.js';
import { EdgeServer } from './mcp/session-edge.js';
import { Sessions } from './mcp/sessions.js';
import { Budget } from './pipeline/budget.js';
import type { ToolContext } from './pipeline/context.js';
import { Jobs } from './pipeline/jobs.js';
import { spendReport } from './pipeline/spend-report.js';
import type { ToolDefinition } from './tools/definition.js';
import { editImagesTool } from './tools/edit-images.js';
import { generateImageTool } from './tools/generate-image.js';
import { listImagesTool } from './tools/list-images.js';
import { waitForImageTool } from './tools/wait-for-image.js';

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
  /**
   * Directories whose files edit_images may read; undefined for any path the user can read (stdio
   * and the CLI run as the user, on the user's machine; HTTP clients do not).
   */
  readonly fileInputDirs?: readonly string[];
}

const INSTRUCTIONS =
  `apiyi-flux-mcp makes images with ${modelsByProvider()} and saves them to disk. Every result gives the ` +
  "image's absolute path: pass paths between calls, never base64. Arguments are validated before " +
  'any paid request; an invalid_argument error names the field and the nearest valid value.';

/**
 * The SDK builds an Ajv validator for every Server unless given one; it is only used to check
 * elicitation answers, which this server never asks for, and building it is the single largest
 * cost of start-up. A validator that is never called stands in.
 */
const NO_ELICITATION: jsonSchemaValidator = {
  getValidator: () => {
    throw new Error('apiyi-flux-mcp does not use elicitation');
  },
};

/**
 * What every MCP session of one process shares: configuration, the gateway client with its
 * connection pool, the call limiter, the image library and the calls in flight. stdio has one
 * session; stateless HTTP makes a Server per request on the same runtime.
 */
interface ServerRuntime {
  readonly config: Config;
  readonly log: Logger;
  readonly ctx: ToolContext;
  readonly tools: readonly ToolDefinition[];
  readonly inFlight: InFlightCalls;
  /** Connected sessions and what each asked to hear (log messages, new images). */
  readonly sessions: Sessions;
  /** How often a waiting call reports progress. */
  readonly progressIntervalMs: number;
  /** The gallery for MCP Apps clients; undefined when FLUX_MCP_APPS=0. */
  readonly apps: Apps | undefined;
  /** The redaction boundary every message of every session passes. */
  readonly redactor: Redactor;
}

export function createRuntime(config: Config, options: ServerOptions = {}): ServerRuntime {
  const sessions = new Sessions();
  const secrets = secretsOf(config);
  const log = sessions.forwardLog(options.log ?? createLogger(config.logLevel, secrets), secrets);
  const library = new FileLibraryIndex(config.outputDir, log);
  // One redaction boundary for every message, record and ledger line this runtime writes.
  const redactor = new Redactor(secrets);
  const ledger = new FileLedger(config.outputDir, log, redactor);
  // Jobs outlive their calls' handlers: shutdown waits for them as for the calls.
  const inFlight = options.inFlight ?? new InFlightCalls();
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
          outbound: outboundPolicyOf(config),
          ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
        })
      : undefined,
    limiter: new CallLimiter({
      maxConcurrent: config.maxConcurrent,
      modelCaps: { ...catalogConcurrencyCaps(), ...config.modelConcurrency },
    }),
    library,
    ledger,
    budget: new Budget({ ledger, config }),
    ...(options.fileInputDirs ? { fileInputDirs: options.fileInputDirs } : {}),
    jobs: new Jobs({
      store: new FileJobStore(config.outputDir),
      log,
      track: (job) => inFlight.trackJob(job),
      redactor,
    }),
    imageSaved: () => sessions.imageSaved(),
  };
  const tools = [generateImageTool(ctx), editImagesTool(ctx), waitForImageTool(ctx), listImagesTool(ctx)];
  return {
    config,
    log,
    ctx,
    tools,
    inFlight,
    sessions,
    progressIntervalMs: options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
    apps: config.apps ? createApps(library, tools, log) : undefined,
    redactor,
  };
}

/**
 * A new MCP server (one session) on a runtime, not yet connected to a transport. Every message it
 * sends passes the redaction boundary; requests before `initialize` are refused unless the
 * transport makes a session per request (stateless HTTP).
 */
export function createSession(runtime: ServerRuntime, options: { requireInitialize?: boolean } = {}): Server {
  const server = new EdgeServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: `${modelsByProvider()} image generation (APIYI)` },
    { instructions: INSTRUCTIONS, jsonSchemaValidator: NO_ELICITATION, capabilities: { logging: {} } },
    { redactor: runtime.redactor, requireInitialize: options.requireInitialize ?? true },
  );
  const session = runtime.sessions.add(server);
  const apps = runtime.apps ? sessionApps(runtime.apps, server) : undefined;
  installResources(server, runtime.ctx.library, {
    maxReadBytes: MAX_RESOURCE_READ_BYTES,
    spendReport: () => spendReport(runtime.ctx),
    onListed: () => {
      session.listsResources = true;
    },
    ...(apps ? { readExtra: apps.readResource } : {}),
  });
  installPrompts(server);
  installTools(server, runtime.tools, {
    log: runtime.log,
    secrets: secretsOf(runtime.config),
    inFlight: runtime.inFlight,
    progressIntervalMs: runtime.progressIntervalMs,
    client: () => session.client(),
    ...(apps ? { extension: apps.tools } : {}),
  });
  return server;
}

/** The MCP server for one session with its own runtime: what stdio and in-process tests use. */
export function createServer(config: Config, options: ServerOptions = {}): Server {
  return createSession(createRuntime(config, options));
}
