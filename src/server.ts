/**
 * createServer(config): the MCP server with its tools, independent of any transport, so tests
 * can connect it to an in-memory transport and the entry point to stdio.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Config } from './config.js';
import type { ToolContext } from './context.js';
import { GatewayClient } from './gateway/client.js';
import { createLogger, type Logger } from './log.js';
import { editImagesTool } from './tools/edit-images.js';
import { generateImageTool } from './tools/generate-image.js';
import { InFlightCalls } from './tools/in-flight.js';
import { installTools } from './tools/registry.js';
import { SERVER_NAME, SERVER_VERSION, USER_AGENT } from './version.js';

export interface ServerOptions {
  readonly log?: Logger;
  /** Shared with the process wiring so shutdown can wait for calls under way. */
  readonly inFlight?: InFlightCalls;
}

const INSTRUCTIONS =
  'flux-mcp makes images with FLUX and gpt-image-2 and saves them to disk. Every result gives the ' +
  "image's absolute path: pass paths between calls, never base64. Arguments are validated before " +
  'any paid request; an invalid_argument error names the field and the nearest valid value.';

export function createServer(config: Config, options: ServerOptions = {}): McpServer {
  const log = options.log ?? createLogger(config.logLevel, [config.apiKey]);
  const ctx: ToolContext = {
    config,
    log,
    gateway: config.apiKey ? new GatewayClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, userAgent: USER_AGENT, log }) : undefined,
  };
  const mcp = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'FLUX image generation (APIYI)' },
    { instructions: INSTRUCTIONS },
  );
  installTools(mcp.server, [generateImageTool(ctx), editImagesTool(ctx)], {
    log,
    secrets: [config.apiKey],
    inFlight: options.inFlight ?? new InFlightCalls(),
  });
  return mcp;
}
