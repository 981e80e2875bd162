/**
 * Hostile: Streamable HTTP clients are not the user. Findings: over HTTP, edit_images read any
 * server path and told whether a file existed and its size; a one-character token was accepted
 * for a public bind. (The key over HTTP: secrets.test.ts.)
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/log.js';
import { GatewaySimulator } from '../../src/simulator/gateway-simulator.js';
import { HttpSetupError, type RunningHttpServer, startHttpServer } from '../../src/transports/http.js';
import { TEST_KEY, textOf } from '../helpers/harness.js';
import { writeImage } from '../helpers/images.js';

const quiet = { log: createLogger('silent', []) };
let simulator: GatewaySimulator;
let outputDir: string;
let elsewhere: string;
let server: RunningHttpServer;
let client: Client;

beforeAll(async () => {
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
  outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-hostile-http-out-'));
  elsewhere = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-hostile-http-elsewhere-'));
  const config = loadConfig({
    APIYI_API_KEY: TEST_KEY,
    APIYI_BASE_URL: simulator.baseUrl,
    FLUX_MCP_OUTPUT_DIR: outputDir,
    FLUX_MCP_PREVIEW_SIZE: '0',
    FLUX_MCP_LOG_LEVEL: 'silent',
  });
  server = await startHttpServer(config, { port: 0, host: '127.0.0.1', token: undefined }, quiet);
  client = new Client({ name: 'hostile-http', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
});
afterAll(async () => {
  await client.close();
  await server.close(0);
  await simulator.close();
  await rm(outputDir, { recursive: true, force: true });
  await rm(elsewhere, { recursive: true, force: true });
});

const edit = async (images: string[]) =>
  (await client.callTool({ name: 'edit_images', arguments: { prompt: 'x', images } })) as CallToolResult;

describe('edit_images over HTTP', () => {
  it('reads no file outside the output directory, and says the same whether it exists or not', async () => {
    const real = await writeImage(elsewhere, 'real.png', { width: 128, height: 128 });
    const answers = [];
    for (const file of [
      real,
      path.join(elsewhere, 'missing.png'),
      '/etc/hostname',
      '/etc/shadow',
      '/nonexistent/x.png',
    ]) {
      const result = await edit([file]);
      expect(result.isError).toBe(true);
      answers.push(textOf(result).replace(JSON.stringify(file), '<path>'));
    }
    expect(answers[0]).toContain('<path> is outside the directories this server reads files from for HTTP clients');
    expect(new Set(answers).size).toBe(1);
    for (const answer of answers) expect(answer).not.toMatch(/does not exist|bytes|permission|regular file/);
    expect(simulator.apiRequests()).toEqual([]);
  });

  it('refuses a link inside the output directory that leads outside it', async () => {
    const real = await writeImage(elsewhere, 'target.png', { width: 128, height: 128 });
    const link = path.join(outputDir, 'link.png');
    await symlink(real, link);
    expect(textOf(await edit([link]))).toContain('is outside the directories this server reads files from');
    expect(simulator.apiRequests()).toEqual([]);
  });

  it('reads files in the output directory (earlier results)', async () => {
    await mkdir(path.join(outputDir, 'inputs'), { recursive: true });
    const inside = await writeImage(path.join(outputDir, 'inputs'), 'ok.png', { width: 128, height: 128 });
    const result = await edit([inside]);
    expect(result.isError, textOf(result)).toBeFalsy();
  });
});

describe('binding beyond loopback', () => {
  it('refuses a token shorter than 32 characters', async () => {
    const config = loadConfig({ APIYI_API_KEY: TEST_KEY, FLUX_MCP_OUTPUT_DIR: outputDir });
    for (const token of ['x', 'a'.repeat(31)]) {
      await expect(startHttpServer(config, { port: 0, host: '0.0.0.0', token }, quiet)).rejects.toBeInstanceOf(
        HttpSetupError,
      );
    }
  });
});
