/**
 * Load: 50 calls at once in one stdio session against a simulator that takes 200 ms per image
 * (beyond the 24-call cap, so calls queue). No timing assertions: every call succeeds, every file
 * is distinct and complete, every sidecar matches its image, and nothing is left half-written.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_DIR } from '../src/library/state-dir.js';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';
import { TEST_KEY } from './helpers/harness.js';
import { makeImage } from './helpers/images.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const CALLS = 50;

let simulator: GatewaySimulator;
let outputDir: string;
let asset: string;
beforeAll(async () => {
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY, latencyMs: 200 });
  outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-load-'));
  asset = simulator.hostAsset(await makeImage({ width: 256, height: 256 }), 'red.png', 'image/png');
});
afterAll(async () => {
  await simulator.close();
  await rm(outputDir, { recursive: true, force: true });
});

it(`${CALLS} concurrent calls in one stdio session all succeed, each with its own complete file and matching sidecar`, async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: {
      ...(process.env as Record<string, string>),
      APIYI_API_KEY: TEST_KEY,
      APIYI_BASE_URL: simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: outputDir,
      FLUX_MCP_LOG_LEVEL: 'warn',
    },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'load', version: '1.0.0' });
  await client.connect(transport);
  try {
    const results = (await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        client.callTool({ name: i % 5 === 4 ? 'edit_images' : 'generate_image', arguments: callArgs(i) }),
      ),
    )) as CallToolResult[];

    const paths = results.map((result, i) => {
      expect(result.isError, `call ${i}: ${JSON.stringify(result.content)}`).toBeFalsy();
      return (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
    });
    expect(new Set(paths).size).toBe(CALLS);
    expect(simulator.apiRequests()).toHaveLength(CALLS);

    const files = (await readdir(outputDir)).filter((name) => name !== STATE_DIR);
    expect(files.filter((f) => f.startsWith('.'))).toEqual([]);
    expect(files).toHaveLength(2 * CALLS);
    for (const [i, imagePath] of paths.entries()) {
      const sidecar = JSON.parse(await readFile(imagePath.replace(/\.\w+$/, '.json'), 'utf8')) as {
        file: string;
        prompt: string;
        image: { sha256: string; bytes: number };
      };
      const bytes = await readFile(imagePath);
      expect(sidecar.file).toBe(path.basename(imagePath));
      expect(sidecar.prompt).toBe(callArgs(i).prompt);
      expect(bytes.length).toBe(sidecar.image.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sidecar.image.sha256);
    }
  } finally {
    await client.close();
  }
});

/** Every fifth call is an edit of an image hosted by URL (so no call waits on another's result). */
function callArgs(i: number): { prompt: string; [key: string]: unknown } {
  if (i % 5 === 4) return { prompt: `Edit number ${i}: warmer light`, images: [asset], seed: i };
  return { prompt: `Load test image number ${i}`, size: '256x256', seed: i };
}
