/**
 * The CLI runs the tools through the MCP server itself, in process (the SDK's Client over an
 * in-memory transport): the same validation, the same calls, the same results as an agent gets.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, Progress, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { Config } from '../config.js';
import { closeHttp } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { createServer } from '../server.js';

interface LocalServer {
  call(tool: string, args: Record<string, unknown>, onProgress?: (progress: Progress) => void): Promise<CallToolResult>;
  read(uri: string): Promise<ReadResourceResult>;
  close(): Promise<void>;
}

const TRUSTED_SERVER: jsonSchemaValidator = {
  getValidator<T>(): JsonSchemaValidator<T> {
    return (input) => ({ valid: true, data: input as T, errorMessage: undefined });
  },
};

/** No client-side timeout: the server's own per-model timeouts apply, as they would for an agent. */
const NO_CLIENT_TIMEOUT = 24 * 60 * 60 * 1000;

/** The server, logging to `log` (by default stderr at the configured level). */
export async function startLocalServer(config: Config, log?: Logger): Promise<LocalServer> {
  const server = createServer(config, log ? { log } : {});
  // The SDK client checks structuredContent against each tool's output schema with Ajv, which the
  // bundle leaves out; the server has already checked its own results against the same schemas.
  const client = new Client({ name: 'flux-mcp-cli', version: '1.0.0' }, { jsonSchemaValidator: TRUSTED_SERVER });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  return {
    call: async (tool, args, onProgress) =>
      (await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: NO_CLIENT_TIMEOUT,
        ...(onProgress ? { onprogress: onProgress } : {}),
      })) as CallToolResult,
    read: (uri) => client.readResource({ uri }),
    close: async () => {
      await client.close();
      await server.close();
      await closeHttp();
    },
  };
}
