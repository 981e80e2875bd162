/**
 * Computes the start answers (start-answers.ts) from the server itself: a real session, with the
 * output directory set to the placeholder, asked `initialize` and `tools/list` by an in-memory
 * client; its answers are kept as they were sent. Run by scripts/bundle.mjs at every build, so
 * they follow any change to the tools, their descriptions or schemas, or the SDK.
 */
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  type JSONRPCMessage,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import { type Config, loadConfig } from '../config.js';
import { createLogger } from '../core/log.js';
import { createServer } from '../server.js';
import { OUTPUT_DIR_PLACEHOLDER, type StartAnswers } from './start-answers.js';

/** The results a fresh session of the server gives to `initialize` (offering `protocolVersion`) and `tools/list`. */
export async function askSession(
  config: Config,
  protocolVersion: string,
): Promise<{ initialize: Record<string, unknown>; toolsList: Record<string, unknown> }> {
  const server = createServer(config, { log: createLogger('silent', []) });
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  const waiting = new Map<unknown, (message: JSONRPCMessage) => void>();
  client.onmessage = (message: JSONRPCMessage) => {
    if ('id' in message) waiting.get(message.id)?.(message);
  };
  await server.connect(serverSide);
  await client.start();
  const ask = async (id: number, method: string, params?: Record<string, unknown>) => {
    const answered = new Promise<JSONRPCMessage>((resolve) => waiting.set(id, resolve));
    await client.send({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
    const answer = await answered;
    if (!('result' in answer)) throw new Error(`the server answered ${method} with ${JSON.stringify(answer)}`);
    return answer.result as Record<string, unknown>;
  };
  try {
    const initialize = await ask(1, 'initialize', {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: 'flux-mcp-build', version: '1' },
    });
    await client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const toolsList = await ask(2, 'tools/list');
    return { initialize, toolsList };
  } finally {
    await client.close();
    await server.close();
  }
}

/** @public Run by scripts/bundle.mjs on the built server (dist/), which knip cannot follow. */
export async function computeStartAnswers(): Promise<StartAnswers> {
  const config = loadConfig({ FLUX_MCP_OUTPUT_DIR: OUTPUT_DIR_PLACEHOLDER, APIYI_API_KEY: '' }, '/');
  const { initialize, toolsList } = await askSession(config, LATEST_PROTOCOL_VERSION);
  const { protocolVersion: _negotiated, ...rest } = initialize;
  return {
    protocolVersions: [
      LATEST_PROTOCOL_VERSION,
      ...SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v !== LATEST_PROTOCOL_VERSION),
    ],
    initialize: rest,
    toolsList: JSON.stringify(toolsList),
  };
}
