#!/usr/bin/env node
/**
 * Peak memory of the server process for big edits: `node bench/edit-memory.mjs` (after
 * `npm run build`). Spawns `node dist/index.js` over stdio for each scenario, calls edit_images
 * against the in-process gateway simulator, and reads the server's peak resident set (VmHWM,
 * Linux /proc) right after the call.
 *
 * Scenarios:
 * - 8 × 19.6 MB PNG references, already within FLUX's input limits, on flux-2-pro (JSON path):
 *   streamed from disk into the request body as base64, byte for byte;
 * - 8 × 19.5 MB PNG references over 4 MP on flux-2-pro: each normalized (scaled to 4 MP) first;
 * - 16 × 19.6 MB PNG references on gpt-image-2 (multipart path).
 */
import { randomFillSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import sharp from 'sharp';
import { GatewaySimulator } from '../dist/simulator/gateway-simulator.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const MB = 1_000_000;

/** Incompressible noise as PNG: 16-bit RGB keeps 19.6 MB within 4 MP (sides ×16), so it is sent as is. */
async function noisePng(file, width, height, depth) {
  const bytesPerSample = depth === 'ushort' ? 2 : 1;
  const raw = randomFillSync(Buffer.alloc(width * height * 3 * bytesPerSample));
  let image = sharp(raw, { raw: { width, height, channels: 3, depth } });
  if (depth === 'ushort') image = image.toColourspace('rgb16');
  await writeFile(file, await image.png({ compressionLevel: 0 }).toBuffer());
  return file;
}

async function peakKb(pid, field) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
}

async function scenario(simulator, outputDir, name, args) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: { ...process.env, APIYI_API_KEY: 'sk-bench', APIYI_BASE_URL: simulator.baseUrl, FLUX_MCP_OUTPUT_DIR: outputDir, FLUX_MCP_LOG_LEVEL: 'warn' },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'edit-memory', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  const pid = transport.pid;
  const idle = await peakKb(pid, 'VmHWM');
  const started = performance.now();
  const result = await client.callTool({ name: 'edit_images', arguments: args }, undefined, { timeout: 600_000 });
  const wallMs = performance.now() - started;
  const peak = await peakKb(pid, 'VmHWM');
  await client.close();
  if (result.isError) throw new Error(`${name}: ${result.content[0].text}`);
  const request = simulator.apiRequests().at(-1);
  return { name, references: args.images.length, sentMB: request.bodyBytes / MB, wallMs, idleMB: idle / 1024, peakMB: peak / 1024 };
}

const work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-edit-memory-'));
const simulator = await GatewaySimulator.start({});
try {
  process.stderr.write('making reference images (noise PNGs, ~20 MB each)…\n');
  const inLimit = [];
  for (let i = 0; i < 8; i++) inLimit.push(await noisePng(path.join(work, `in-limit-${i}.png`), 1808, 1808, 'ushort'));
  const overLimit = [];
  for (let i = 0; i < 8; i++) overLimit.push(await noisePng(path.join(work, `over-4mp-${i}.png`), 2600, 2500, 'uchar'));
  const sizes = await Promise.all([...inLimit, ...overLimit].map(async (f) => (await readFile(f)).length));
  process.stderr.write(`reference sizes: ${Math.min(...sizes) / MB}–${Math.max(...sizes) / MB} MB\n`);

  const outputDir = path.join(work, 'out');
  const rows = [
    await scenario(simulator, outputDir, 'flux-2-pro, 8 refs within limits (streamed as is)', { prompt: 'combine image 1 … image 8', images: inLimit }),
    await scenario(simulator, outputDir, 'flux-2-pro, 8 refs over 4 MP (normalized)', { prompt: 'combine image 1 … image 8', images: overLimit }),
    await scenario(simulator, outputDir, 'gpt-image-2, 16 refs (multipart)', { prompt: 'combine them', model: 'gpt-image-2', quality: 'low', images: [...inLimit, ...inLimit] }),
  ];
  console.log('| scenario | references | request body | wall time | server RSS idle | server peak RSS |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.references} | ${r.sentMB.toFixed(1)} MB | ${(r.wallMs / 1000).toFixed(2)} s | ${r.idleMB.toFixed(0)} MB | ${r.peakMB.toFixed(0)} MB |`);
  }
} finally {
  await simulator.close();
  await rm(work, { recursive: true, force: true });
}
