/**
 * Progress traffic of a long line, through the built server over stdio: many calls at once behind
 * a small cap, each asking for progress. Every call completes, and each hears its place in line a
 * few times, not at every move of the line: the notifications grow linearly with the calls (a
 * line of N calls used to make ~N²/2 "queued" notifications). No timing assertions.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';
import { TEST_KEY } from './helpers/harness.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const CALLS = 60;
const CAP = 2;
/** validated, sending, "waiting: 0 s", downloading, saved: the stages every call reports once. */
const STAGES_PER_CALL = 5;
/** Where it joined, ¾, ½ and ¼ of the way, and next in line (gateway/limiter.ts). */
const MOST_QUEUED_PER_CALL = 5;

let simulator: GatewaySimulator;
let outputDir: string;
beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build` (npm test does it first)');
  // A little latency keeps the slots busy while the whole burst arrives, so a long line forms.
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY, latencyMs: 20 });
  outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-queue-'));
});
afterAll(async () => {
  await simulator.close();
  await rm(outputDir, { recursive: true, force: true });
});

it(`${CALLS} calls behind a cap of ${CAP} all complete, with a bounded number of progress notifications each`, async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: {
      ...(process.env as Record<string, string>),
      APIYI_API_KEY: TEST_KEY,
      APIYI_BASE_URL: simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: outputDir,
      FLUX_MCP_MAX_CONCURRENT: String(CAP),
      FLUX_MCP_PREVIEW_SIZE: '0',
      FLUX_MCP_LOG_LEVEL: 'warn',
    },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'queue', version: '1.0.0' });
  await client.connect(transport);
  try {
    const heard: Progress[][] = Array.from({ length: CALLS }, () => []);
    const results = (await Promise.all(
      heard.map((seen, i) =>
        client.callTool(
          { name: 'generate_image', arguments: { prompt: `Queued call ${i}`, size: '256x256', seed: i } },
          undefined,
          { onprogress: (progress) => seen.push(progress) },
        ),
      ),
    )) as CallToolResult[];
    for (const [i, result] of results.entries()) expect(result.isError, `call ${i}`).toBeFalsy();

    const queued = heard.map((seen) => seen.filter((p) => p.message!.startsWith('queued: ')));
    // A line formed: some call joined it far back.
    expect(Math.max(...queued.map((q) => q.length && Number(/position (\d+)/.exec(q[0]!.message!)![1])))).toBe(
      CALLS - CAP,
    );
    for (const [i, q] of queued.entries()) expect(q.length, `call ${i}`).toBeLessThanOrEqual(MOST_QUEUED_PER_CALL);
    const total = heard.reduce((sum, seen) => sum + seen.length, 0);
    expect(total).toBeLessThanOrEqual((STAGES_PER_CALL + MOST_QUEUED_PER_CALL) * CALLS);
  } finally {
    await client.close();
  }
});
