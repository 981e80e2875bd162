/**
 * The Streamable HTTP transport through the SDK's own Streamable HTTP client: tools listed and
 * called (the image saved), and requests refused before the MCP layer when the Host is not the
 * server (DNS rebinding), the Origin is foreign, the token is missing or wrong, or the method is
 * not POST. A bind beyond loopback without a token is refused at start.
 */

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../src/config.js';
import { createLogger } from '../src/core/log.js';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';
import { HttpSetupError, type RunningHttpServer, startHttpServer } from '../src/transports/http.js';
import { TEST_KEY } from './helpers/harness.js';
import { unwritableFolder } from './helpers/unwritable.js';

const TOKEN = 'http-token-for-tests-0123456789abcdef';
let simulator: GatewaySimulator;
let outputDir: string;
let config: Config;
const quiet = { log: createLogger('silent', []) };

beforeAll(async () => {
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
  outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-http-'));
  config = loadConfig({
    APIYI_API_KEY: TEST_KEY,
    APIYI_BASE_URL: simulator.baseUrl,
    FLUX_MCP_OUTPUT_DIR: outputDir,
    FLUX_MCP_PREVIEW_SIZE: '256',
    FLUX_MCP_LOG_LEVEL: 'silent',
  });
});
afterAll(async () => {
  await simulator.close();
  await rm(outputDir, { recursive: true, force: true });
});

async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** A raw POST with chosen headers (fetch cannot set Host). */
function rawPost(
  server: RunningHttpServer,
  headers: Record<string, string>,
  method = 'POST',
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/mcp',
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
}

describe('on loopback, without a token', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    server = await startHttpServer(config, { port: 0, host: '127.0.0.1', token: undefined }, quiet);
  });
  afterAll(() => server.close());

  it('serves tools, resources and prompts to the SDK client, and saves the image', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/mcp`);
    const client = await connect(server.url);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
        'generate_image',
        'edit_images',
        'wait_for_image',
        'list_images',
      ]);
      expect((await client.listPrompts()).prompts).toHaveLength(4);
      const result = (await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'A kite over HTTP', size: '256x256' },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      const saved = (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
      expect((await stat(saved)).size).toBeGreaterThan(0);
      expect((await client.listResources()).resources.some((r) => r.name === path.basename(saved))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('refuses a Host that is not the server (DNS rebinding) and a foreign Origin, with 403', async () => {
    const rebound = await rawPost(server, { host: `evil.example.com:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.message).toMatch(/Host "evil.example.com:\d+" is not this server/);
    expect((await rawPost(server, { host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect(
      (await rawPost(server, { host: `localhost:${server.port}`, origin: 'https://evil.example.com' })).status,
    ).toBe(403);
    expect((await rawPost(server, { host: `localhost:${server.port}`, origin: 'http://localhost:6274' })).status).toBe(
      200,
    );
  });

  it('answers 405 to GET and DELETE (stateless: no stream, no session)', async () => {
    const get = await rawPost(server, { host: `127.0.0.1:${server.port}` }, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });
});

describe('with a token', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    server = await startHttpServer(config, { port: 0, host: '127.0.0.1', token: TOKEN }, quiet);
  });
  afterAll(() => server.close());

  it('refuses a request without the token, or with a wrong one, with 401', async () => {
    const missing = await rawPost(server, { host: `127.0.0.1:${server.port}` });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await rawPost(server, { host: `127.0.0.1:${server.port}`, authorization: 'Bearer wrong' })).status).toBe(
      401,
    );
    await expect(connect(server.url)).rejects.toThrow();
  });

  it('serves a client that sends it', async () => {
    const client = await connect(server.url, { authorization: `Bearer ${TOKEN}` });
    try {
      expect((await client.listTools()).tools).toHaveLength(4);
    } finally {
      await client.close();
    }
  });
});

describe('binding beyond loopback', () => {
  it('is refused without a token', async () => {
    await expect(startHttpServer(config, { port: 0, host: '0.0.0.0', token: undefined }, quiet)).rejects.toBeInstanceOf(
      HttpSetupError,
    );
  });

  it('works with a token, and then needs no particular Host', async () => {
    const server = await startHttpServer(config, { port: 0, host: '0.0.0.0', token: TOKEN }, quiet);
    try {
      const answer = await rawPost(server, { host: `my-box.lan:${server.port}`, authorization: `Bearer ${TOKEN}` });
      expect(answer.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('an output folder that cannot be written', () => {
  it.skipIf(process.platform === 'win32')('is said at start, and the server serves all the same', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-http-unwritable-'));
    const folder = await unwritableFolder(base);
    const lines: string[] = [];
    const server = await startHttpServer(
      { ...config, outputDir: folder.dir },
      { port: 0, host: '127.0.0.1', token: undefined },
      { log: createLogger('warn', [], (line) => lines.push(line)) },
    );
    try {
      const warning = lines.find((line) => line.includes(' warn: ')) ?? '';
      for (const part of [folder.dir, `(${folder.code})`, 'FLUX_MCP_OUTPUT_DIR']) expect(warning).toContain(part);
      const client = await connect(server.url);
      try {
        expect((await client.listTools()).tools).toHaveLength(4);
      } finally {
        await client.close();
      }
    } finally {
      await server.close();
      await folder.restore();
      await rm(base, { recursive: true, force: true });
    }
  });
});
