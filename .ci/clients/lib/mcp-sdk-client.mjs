/**
 * An MCP SDK client (the official @modelcontextprotocol/sdk) connected to the server under test,
 * for the stacks that take one rather than a server config (@google/genai's mcpToTool).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export async function connectSdkClient(mcp, name) {
  const client = new Client({ name, version: '1.0.0' });
  const transport =
    mcp.transport === 'http'
      ? new StreamableHTTPClientTransport(new URL(mcp.url))
      : new StdioClientTransport({ command: mcp.command, args: mcp.args, env: mcp.env, stderr: 'ignore' });
  await client.connect(transport);
  return client;
}
