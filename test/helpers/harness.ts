/**
 * A real MCP session for tests: the server from createServer(config) connected to the SDK's
 * Client over the in-memory transport, talking to a gateway simulator over loopback HTTP, with
 * a fresh output directory and the server's log captured.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation/types.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/log.js';
import { STATE_DIR } from '../../src/library/state-dir.js';
import { createServer, type ServerOptions } from '../../src/server.js';
import { GatewaySimulator, type SimulatorOptions } from '../../src/simulator/gateway-simulator.js';

/** A recognizable key: any appearance of it outside the Authorization header is a leak. */
export const TEST_KEY = 'sk-test-LEAKCHECK-7f3a9c1e5b2d';

export interface Harness {
  readonly simulator: GatewaySimulator;
  readonly client: Client;
  readonly config: Config;
  readonly outputDir: string;
  /** Every line the server logged (what would go to stderr). */
  readonly logLines: string[];
  /** Resolves with the first matching line logged at or after index `from` of logLines (past or future). */
  waitForLog(pattern: RegExp, from?: number): Promise<string>;
  call(args: Record<string, unknown>, tool?: string): Promise<CallToolResult>;
  /** Names in the output directory, hidden temp files included. */
  outputFiles(): Promise<string[]>;
  close(): Promise<void>;
}

interface HarnessOptions {
  readonly config?: Partial<Config>;
  readonly simulator?: SimulatorOptions;
  readonly server?: Omit<ServerOptions, 'log'>;
  /** The clientInfo.name the test client sends (what the server knows clients by). */
  readonly clientName?: string;
  /** What the test client declares in initialize, e.g. the MCP Apps extension. */
  readonly clientCapabilities?: ClientCapabilities;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const simulator = await GatewaySimulator.start({ apiKey: TEST_KEY, ...options.simulator });
  const outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-test-'));
  // The defaults of a real start-up, pointed at the simulator and a fresh directory.
  const config: Config = {
    ...loadConfig({
      APIYI_API_KEY: TEST_KEY,
      APIYI_BASE_URL: simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: outputDir,
      FLUX_MCP_LOG_LEVEL: 'debug',
    }),
    ...options.config,
  };
  const logLines: string[] = [];
  const logged = new EventEmitter<{ line: [string] }>();
  const server = createServer(config, {
    ...options.server,
    log: createLogger('debug', [config.apiKey], (line) => {
      logLines.push(line);
      logged.emit('line', line);
    }),
  });
  const client = new Client(
    { name: options.clientName ?? 'flux-mcp-tests', version: '1.0.0' },
    options.clientCapabilities ? { capabilities: options.clientCapabilities } : {},
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  // Lets the client validate structuredContent against each tool's declared outputSchema.
  await client.listTools();

  return {
    simulator,
    client,
    config,
    outputDir,
    logLines,
    waitForLog: (pattern, from = 0) =>
      new Promise((resolve) => {
        const seen = logLines.slice(from).find((line) => pattern.test(line));
        if (seen !== undefined) return resolve(seen);
        const listener = (line: string): void => {
          if (!pattern.test(line)) return;
          logged.off('line', listener);
          resolve(line);
        };
        logged.on('line', listener);
      }),
    call: async (args, tool = 'generate_image') =>
      (await client.callTool({ name: tool, arguments: args })) as CallToolResult,
    // The server's own state folder (library index, job records) is neither an image nor a temp file.
    outputFiles: async () => (await readdir(outputDir)).filter((name) => name !== STATE_DIR).sort(),
    close: async () => {
      await client.close();
      await server.close();
      await simulator.close();
      await rm(outputDir, { recursive: true, force: true });
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
}

/** The JSON body of the only request the gateway received. */
export function onlyJsonBody(simulator: GatewaySimulator): Record<string, unknown> {
  const requests = simulator.apiRequests();
  if (requests.length !== 1) throw new Error(`expected exactly one gateway request, got ${requests.length}`);
  return requests[0]!.json as Record<string, unknown>;
}

/** A validator for a tool's advertised output schema, as a client that checks results uses it. */
export function outputValidator(
  tools: readonly { name: string; outputSchema?: object | undefined }[],
  name: string,
): (data: unknown) => { valid: boolean; errorMessage?: string | undefined } {
  const schema = tools.find((t) => t.name === name)?.outputSchema;
  if (schema === undefined) throw new Error(`${name} advertises no output schema`);
  return new AjvJsonSchemaValidator().getValidator(schema as JsonSchemaType);
}
