/**
 * Long calls: a call that outlives the hand-off bound returns its job, `wait_for_image` collects
 * the image, and a result no client received is never bought twice. The gateway "works" until the
 * test releases it (the simulator's holdUntil), so every scenario is driven by events, not time;
 * each one counts the requests the gateway received.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { REUSED_NOTE } from '../src/pipeline/image-call.js';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';
import { startHttpServer } from '../src/transports/http.js';
import { type Harness, startHarness, TEST_KEY, textOf } from './helpers/harness.js';

interface Result {
  status: 'done' | 'running';
  job: string;
  images: { path: string }[];
  notes?: string[];
  next: string;
}

const structured = (result: CallToolResult): Result => {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as Result;
};

/** A gateway answer held until `release()`. */
function held() {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  return { until, release };
}

const HANDOFF_MS = 150;

/**
 * wait_for_image until it answers something other than "running", as an agent does: each call
 * waits up to the bound, so on a slow machine the image may take more than one.
 */
async function collect(client: Client, job: string): Promise<CallToolResult> {
  for (let tries = 0; tries < 100; tries++) {
    const result = (await client.callTool({ name: 'wait_for_image', arguments: { job } })) as CallToolResult;
    if (result.isError || (result.structuredContent as { status?: string }).status !== 'running') return result;
  }
  throw new Error(`job ${job} still running after 100 waits`);
}
const ARGS = { prompt: 'A slow cathedral in fog', size: '512x512' };

describe('the hand-off (in-process client)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { handoffAfterMs: HANDOFF_MS } });
  });
  afterAll(() => h.close());
  afterEach(() => h.simulator.reset());

  it('a call that outlives the bound returns its job; wait_for_image then returns the image; one request', async () => {
    const gate = held();
    h.simulator.enqueue({ holdUntil: gate.until });
    const first = structured(await h.call(ARGS));
    expect(first.status).toBe('running');
    expect(first.images).toEqual([]);
    expect(first.next).toContain(`wait_for_image with {"job": "${first.job}"}`);
    expect(first.next).toContain('Do not call generate_image again: that would pay twice');

    gate.release();
    const collected = await collect(h.client, first.job);
    const done = structured(collected);
    expect(done.status).toBe('done');
    expect(done.job).toBe(first.job);
    expect(textOf(collected).split('\n')[0]).toMatch(
      new RegExp(`^${h.outputDir}/.+ — 512×512 jpeg, flux-2-pro, seed \\d+$`),
    );
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('wait_for_image says "running" again while the job runs, then gives the original failure', async () => {
    const gate = held();
    h.simulator.enqueue({ holdUntil: gate.until, status: 403, body: { error: { message: 'blocked', code: null } } });
    const first = structured(await h.call({ ...ARGS, prompt: 'A blocked cathedral' }));
    expect(first.status).toBe('running');
    const again = structured(await h.call({ job: first.job }, 'wait_for_image'));
    expect(again).toMatchObject({ status: 'running', job: first.job });
    gate.release();
    const failed = await collect(h.client, first.job);
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toMatch(/^moderation: /);
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('refuses a job id it does not know, and one that is not a job id, before anything else', async () => {
    const unknown = await h.call({ job: 'job_mh2k3x9qa1b2c3' }, 'wait_for_image');
    expect(textOf(unknown)).toMatch(/^invalid_argument: no job job_mh2k3x9qa1b2c3 on this server/);
    const malformed = await h.call({ job: '../../etc/passwd' }, 'wait_for_image');
    expect(textOf(malformed)).toMatch(/^invalid_argument: job "..\/..\/etc\/passwd" is not a job id/);
    expect(h.simulator.apiRequests()).toEqual([]);
  });
});

describe('never bought twice', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { handoffAfterMs: 0 } });
  });
  afterAll(() => h.close());
  afterEach(() => h.simulator.reset());

  it('a client that stops waiting at its own timeout, then repeats the call, gets the paid image: one request', async () => {
    const gate = held();
    h.simulator.enqueue({ holdUntil: gate.until });
    const arrived = once(h.simulator, 'request');
    const cut = h.client.callTool({ name: 'generate_image', arguments: ARGS }, undefined, { timeout: 100 });
    await arrived;
    await expect(cut).rejects.toThrow(/timed out/i);

    const repeat = h.call(ARGS);
    gate.release();
    const again = structured(await repeat);
    expect(again.status).toBe('done');
    expect(again.notes).toContain(REUSED_NOTE);
    expect(textOf(await repeat)).toContain('not billed again');
    expect(h.simulator.apiRequests()).toHaveLength(1);
    expect((await h.outputFiles()).filter((name) => name.endsWith('.jpg'))).toHaveLength(1);

    // Handed out once: a third identical call is a new image.
    const third = structured(await h.call(ARGS));
    expect(third.notes ?? []).not.toContain(REUSED_NOTE);
    expect(h.simulator.apiRequests()).toHaveLength(2);
  });

  it('the same call with different arguments is a new request', async () => {
    const gate = held();
    h.simulator.enqueue({ holdUntil: gate.until });
    const arrived = once(h.simulator, 'request');
    const cut = h.client.callTool({ name: 'generate_image', arguments: ARGS }, undefined, { timeout: 100 });
    await arrived;
    await expect(cut).rejects.toThrow(/timed out/i);
    gate.release();
    const other = structured(await h.call({ ...ARGS, size: '768x512' }));
    expect(other.notes ?? []).not.toContain(REUSED_NOTE);
    expect(h.simulator.apiRequests()).toHaveLength(2);
  });

  it('a result the client received is never handed out again', async () => {
    structured(await h.call({ ...ARGS, prompt: 'A delivered cathedral' }));
    const second = structured(await h.call({ ...ARGS, prompt: 'A delivered cathedral' }));
    expect(second.notes ?? []).not.toContain(REUSED_NOTE);
    expect(h.simulator.apiRequests()).toHaveLength(2);
  });
});

describe('across a restart', () => {
  it('a job handed off before the restart is collected after it, from the records beside the images', async () => {
    const shared = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-restart-'));
    try {
      const before = await startHarness({ config: { handoffAfterMs: HANDOFF_MS, outputDir: shared } });
      const gate = held();
      before.simulator.enqueue({ holdUntil: gate.until });
      const handed = structured(await before.call(ARGS));
      expect(handed.status).toBe('running');
      const from = before.logLines.length;
      gate.release();
      await before.waitForLog(new RegExp(`${handed.job}, handed off, is done`), from);
      const requests = before.simulator.apiRequests().length;
      await before.close();

      const after = await startHarness({ config: { handoffAfterMs: HANDOFF_MS, outputDir: shared } });
      try {
        const collected = structured(await collect(after.client, handed.job));
        expect(collected).toMatchObject({ status: 'done', job: handed.job });
        expect(collected.images[0]!.path.startsWith(shared)).toBe(true);
        expect(requests + after.simulator.apiRequests().length).toBe(1);
      } finally {
        await after.close();
      }
    } finally {
      await rm(shared, { recursive: true, force: true });
    }
  });
});

describe('from the command line', () => {
  it('`flux-mcp wait JOB` in another process waits for a job this server runs, then prints its path', async () => {
    const shared = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-wait-cli-'));
    const h = await startHarness({ config: { handoffAfterMs: HANDOFF_MS, outputDir: shared } });
    try {
      const gate = held();
      h.simulator.enqueue({ holdUntil: gate.until });
      const handed = structured(await h.call(ARGS));
      expect(handed.status).toBe('running');
      const cli = spawn(
        process.execPath,
        [fileURLToPath(new URL('../dist/index.js', import.meta.url)), 'wait', handed.job],
        {
          env: {
            PATH: process.env.PATH ?? '',
            APIYI_API_KEY: TEST_KEY,
            APIYI_BASE_URL: h.simulator.baseUrl,
            FLUX_MCP_OUTPUT_DIR: shared,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      // The job is still running in this process when the CLI starts looking at its record.
      gate.release();
      const [code] = (await once(cli, 'exit')) as [number];
      expect(code).toBe(0);
      const printed = stdout.trim();
      expect(printed.startsWith(`${shared}/`)).toBe(true);
      expect(printed.endsWith('.jpg')).toBe(true);
      expect(h.simulator.apiRequests()).toHaveLength(1);
    } finally {
      await h.close();
      await rm(shared, { recursive: true, force: true });
    }
  });
});

describe('over real transports', () => {
  let simulator: GatewaySimulator;
  let outputDir: string;
  beforeAll(async () => {
    simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
    outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-long-'));
  });
  afterAll(async () => {
    await simulator.close();
    await rm(outputDir, { recursive: true, force: true });
  });
  afterEach(() => simulator.reset());

  async function handOffAndCollect(client: Client): Promise<void> {
    const gate = held();
    simulator.enqueue({ holdUntil: gate.until });
    const first = (await client.callTool({ name: 'generate_image', arguments: ARGS })) as CallToolResult;
    expect(structured(first).status).toBe('running');
    gate.release();
    const done = structured(await collect(client, structured(first).job));
    expect(done.status).toBe('done');
    expect(simulator.apiRequests()).toHaveLength(1);
  }

  const env = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    APIYI_API_KEY: TEST_KEY,
    APIYI_BASE_URL: simulator.baseUrl,
    FLUX_MCP_OUTPUT_DIR: outputDir,
    FLUX_MCP_HANDOFF_AFTER_MS: String(HANDOFF_MS),
  });

  it('stdio: hand-off, then wait_for_image; one request', async () => {
    const client = new Client({ name: 'long-stdio', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [fileURLToPath(new URL('../dist/index.js', import.meta.url))],
        env: env(),
        stderr: 'ignore',
      }),
    );
    try {
      await handOffAndCollect(client);
    } finally {
      await client.close();
    }
  });

  it('Streamable HTTP (stateless): hand-off in one request, wait_for_image in another; one request', async () => {
    const server = await startHttpServer(loadConfig({ ...env(), FLUX_MCP_LOG_LEVEL: 'silent' }), {
      port: 0,
      host: '127.0.0.1',
      token: undefined,
    });
    const client = new Client({ name: 'long-http', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    try {
      await handOffAndCollect(client);
    } finally {
      await client.close();
      await server.close(1000);
    }
  });
});

describe('clients that keep waiting while progress arrives', () => {
  it('Claude Code with a progress token is not handed off: it gets the image', async () => {
    const h = await startHarness({
      clientName: 'claude-code',
      config: { handoffAfterMs: HANDOFF_MS },
      server: { progressIntervalMs: 20 },
    });
    try {
      const gate = held();
      h.simulator.enqueue({ holdUntil: gate.until });
      // Released once the server has said "waiting" for well past the bound (a tick every 20 ms):
      // a call that were handed off would have answered "running" by then.
      let waiting = 0;
      const call = h.client.callTool({ name: 'generate_image', arguments: ARGS }, undefined, {
        onprogress: (progress) => {
          if (progress.message?.startsWith('waiting for') && ++waiting === Math.ceil((3 * HANDOFF_MS) / 20)) {
            gate.release();
          }
        },
        timeout: 60_000,
      });
      const result = structured((await call) as CallToolResult);
      expect(result.status).toBe('done');
      expect(h.simulator.apiRequests()).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
