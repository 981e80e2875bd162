/**
 * Hostile: memory. Finding: bombs decoded in full (2.1–2.3 GB a call, 6.7 GB for three), URL
 * inputs held in memory before the concurrency limit. The built server, spawned as a client runs
 * it, gets the worst inputs it accepts (the largest images of every kind that must be turned
 * upright at full size) and the bombs it refuses, and its peak resident memory (VmHWM, Linux) is
 * read from /proc: under 400 MB for one call, under 1 GB for three at once. The bench (scenario 7)
 * measures the same calls.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewaySimulator } from '../../src/simulator/gateway-simulator.js';
import { TEST_KEY } from '../helpers/harness.js';
import { jpegBomb, pngBomb, webpBomb } from './helpers.js';

const ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const HAS_PROC = existsSync('/proc/self/status');

let simulator: GatewaySimulator;
let work: string;
/** The heaviest inputs gpt-image-2 accepts, each with EXIF orientation 6 (turned upright whole). */
let heaviest: string[];
let bombs: string[];

beforeAll(async () => {
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
  work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-hostile-memory-'));
  const make = async (name: string, image: Sharp): Promise<string> => {
    const file = path.join(work, name);
    await image.withMetadata({ orientation: 6 }).toFile(file);
    return file;
  };
  const solid = (width: number, height: number, channels: 3 | 4) =>
    sharp({ create: { width, height, channels, background: { r: 60, g: 90, b: 120, alpha: 0.5 } } });
  heaviest = [
    // An 8K frame, the pixel limit: 33 MP of JPEG and of 8-bit RGBA PNG.
    await make('8k.jpg', solid(7680, 4320, 3).jpeg({ quality: 80 })),
    await make('8k.png', solid(7680, 4320, 4).png({ compressionLevel: 1 })),
    // The largest 16-bit RGBA PNG and WebP within the memory one decode may take.
    await make('16bit.png', solid(4800, 4160, 4).toColourspace('rgb16').png({ compressionLevel: 1 })),
    await make('20mp.webp', solid(5472, 3648, 3).webp({ lossless: true, effort: 0 })),
  ];
  bombs = [];
  for (const [name, bytes] of [
    ['bomb.png', pngBomb()],
    ['bomb.webp', await webpBomb()],
    ['bomb.jpg', await jpegBomb()],
    [
      '33mp.webp',
      await solid(7680, 4320, 3).webp({ lossless: true, effort: 0 }).withMetadata({ orientation: 6 }).toBuffer(),
    ],
  ] as const) {
    const file = path.join(work, name);
    await writeFile(file, bytes);
    bombs.push(file);
  }
}, 120_000);
afterAll(async () => {
  await simulator.close();
  await rm(work, { recursive: true, force: true });
});

async function startServer(): Promise<{ client: Client; pid: number }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('APIYI_') && !name.startsWith('FLUX_MCP_')),
  ) as Record<string, string>;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: {
      ...env,
      APIYI_API_KEY: TEST_KEY,
      APIYI_BASE_URL: simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: path.join(work, 'out'),
      FLUX_MCP_LOG_LEVEL: 'error',
    },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'hostile-memory', version: '1.0.0' });
  await client.connect(transport);
  return { client, pid: transport.pid! };
}

async function peakMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const editCall = (client: Client, images: string[], index = 0) =>
  client.callTool(
    { name: 'edit_images', arguments: { prompt: `hostile ${index}`, images, model: 'gpt-image-2', quality: 'low' } },
    undefined,
    { timeout: 300_000 },
  ) as Promise<CallToolResult>;

describe.skipIf(!HAS_PROC)('peak memory of the server', () => {
  it('stays under 400 MB for one call, whatever its inputs', async () => {
    const { client, pid } = await startServer();
    try {
      const refused = await editCall(client, bombs);
      expect(refused.isError).toBe(true);
      const text = JSON.stringify(refused.content);
      expect(text.match(/over the 33,177,600 px limit/g)).toHaveLength(3);
      expect(text).toContain('that would take about 331.8 MB of memory to turn upright or scale');
      const accepted = await editCall(client, heaviest);
      expect(accepted.isError, JSON.stringify(accepted.content)).toBeFalsy();
      expect(await peakMb(pid)).toBeLessThan(400);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('stays under 1 GB for three hostile calls at once', async () => {
    const { client, pid } = await startServer();
    try {
      const results = await Promise.all([0, 1, 2].map((i) => editCall(client, [...heaviest, ...bombs.slice(0, i)], i)));
      expect(results[0]!.isError, JSON.stringify(results[0]!.content)).toBeFalsy();
      expect(await peakMb(pid)).toBeLessThan(1024);
    } finally {
      await client.close();
    }
  }, 180_000);
});
