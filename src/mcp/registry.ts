/**
 * Serving tools over the SDK's low-level Server. Tools are declared like `McpServer.registerTool`
 * (title, description, zod input and output schemas, annotations), but argument checking is ours:
 * registerTool reports schema failures as "MCP error -32602: Input validation error: …", and this
 * server promises that every failed call starts with `<category>: <what happened>`
 * (`invalid_argument: seed -1 is below the minimum of 0: use 0`).
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { asToolFailure, failureResult, ToolFailure } from '../core/failure.js';
import type { Logger } from '../core/log.js';
import { redact } from '../core/redact.js';
import type { ClientTraits, ToolOutput } from '../pipeline/call.js';
import type { ToolDefinition } from '../tools/definition.js';
import { describeIssues } from './argument-messages.js';
import { clientTraits } from './clients.js';
import type { InFlightCalls } from './in-flight.js';
import { advertisedInputSchema, advertisedOutputSchema, withoutNulls } from './json-schema.js';
import { CallProgress, DEFAULT_PROGRESS_INTERVAL_MS } from './progress.js';

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

interface ToolRuntime {
  readonly log: Logger;
  /** Never shown in any result or log line. */
  readonly secrets: readonly (string | undefined)[];
  readonly inFlight: InFlightCalls;
  /** How often a waiting call reports progress. */
  readonly progressIntervalMs?: number;
  /** What the server knows of the client making the call. */
  readonly client?: () => ClientTraits;
  /** What this session gets beyond the plain tools (src/apps/: the gallery for MCP Apps clients). */
  readonly extension?: ToolsExtension;
}

/**
 * Per-session additions to the tools. A session the extension has nothing for must get exactly the
 * plain listing and results: each hook hands back what it was given.
 */
export interface ToolsExtension {
  /** The tools/list answer for this session, from the plain one. */
  listing(plain: Tool[]): Promise<Tool[]>;
  /** A tool this session may call beyond the plain ones (e.g. one only an app calls). */
  tool(name: string): ToolDefinition | undefined;
  /** A successful result as this session gets it. */
  result(tool: string, result: CallToolResult): Promise<CallToolResult>;
}

/** The tools/list answer, computed once per set of tools (stateless HTTP installs them per request). */
const listings = new WeakMap<readonly ToolDefinition[], Tool[]>();

function listingOf(tools: readonly ToolDefinition[]): Tool[] {
  let listing = listings.get(tools);
  if (!listing) {
    listing = tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: advertisedInputSchema(tool.inputSchema),
      ...(tool.advertiseOutputSchema === false ? {} : { outputSchema: advertisedOutputSchema(tool.outputSchema) }),
      annotations: tool.annotations,
    }));
    listings.set(tools, listing);
  }
  return listing;
}

export function installTools(server: Server, tools: readonly ToolDefinition[], runtime: ToolRuntime): void {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const listing = listingOf(tools);

  server.registerCapabilities({ tools: { listChanged: false } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: runtime.extension ? await runtime.extension.listing(listing) : listing,
  }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = byName.get(request.params.name) ?? runtime.extension?.tool(request.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${request.params.name}": this server has ${[...byName.keys()].join(', ')}`,
      );
    }
    return runtime.inFlight.track(callTool(tool, request.params.arguments ?? {}, extra, runtime));
  });
}

async function callTool(
  tool: ToolDefinition,
  input: unknown,
  extra: ToolExtra,
  runtime: ToolRuntime,
): Promise<CallToolResult> {
  if (!runtime.inFlight.accepting) {
    return failureResult(
      new ToolFailure('unavailable', 'the server is shutting down and takes no new calls', {
        hint: 'Nothing was sent. Call again once the client has restarted the server.',
      }),
      runtime.secrets,
    );
  }
  const args = withoutNulls(input);
  const parsed = tool.inputSchema.safeParse(args);
  if (!parsed.success) {
    const allowedKeys = Object.keys(tool.inputSchema.shape);
    const [first, ...rest] = describeIssues(parsed.error.issues, args, allowedKeys);
    const message = [first, ...rest.map((line) => `- ${line}`)].join('\n');
    runtime.log.info(`${tool.name} refused: ${message.replace(/\n/g, ' ')}`);
    return failureResult(
      new ToolFailure('invalid_argument', message, {
        hint: 'Nothing was sent to the gateway. Fix the arguments and call again.',
      }),
      runtime.secrets,
    );
  }

  let output: ToolOutput<unknown>;
  const progress = new CallProgress(extra, runtime.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  try {
    output = await tool.handler(parsed.data, {
      signal: extra.signal,
      progress,
      progressRequested: extra._meta?.progressToken !== undefined,
      client: runtime.client?.() ?? clientTraits(undefined),
    });
  } catch (error) {
    const failure = asToolFailure(error);
    const log = failure.category === 'internal_error' ? runtime.log.error : runtime.log.info;
    log(
      `${tool.name} failed: ${failure.category}: ${failure.message}` +
        `${failure.category === 'internal_error' && error instanceof Error ? `\n${error.stack}` : ''}`,
    );
    return failureResult(failure, runtime.secrets);
  } finally {
    progress.finish();
  }

  const checked = tool.outputSchema.safeParse(output.structuredContent);
  if (!checked.success) {
    runtime.log.error(
      `${tool.name} produced structuredContent that breaks its output schema: ${checked.error.message}`,
    );
    return failureResult(
      asToolFailure(new Error('the result did not match the declared output schema')),
      runtime.secrets,
    );
  }
  const result: CallToolResult = {
    content: output.content,
    structuredContent: checked.data as Record<string, unknown>,
  };
  return redactResult(runtime.extension ? await runtime.extension.result(tool.name, result) : result, runtime.secrets);
}

/**
 * A successful result with every secret removed. Nothing in one should ever hold the key, but a
 * note may quote the gateway, and the gateway may echo anything: the check is cheap.
 */
function redactResult(result: CallToolResult, secrets: readonly (string | undefined)[]): CallToolResult {
  const json = JSON.stringify(result);
  const clean = redact(json, secrets);
  return clean === json ? result : (JSON.parse(clean) as CallToolResult);
}
