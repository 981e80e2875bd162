/**
 * Hostile: the stdio protocol, on the built server as a client runs it. Findings: a message over
 * ~10 MB ended the process silently (exit 0) and a call in flight was never answered; calls
 * before `initialize` were served. Now an oversized or malformed message gets a JSON-RPC error,
 * the session lives on, calls under way are answered, and requests before `initialize` are refused.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewaySimulator } from '../../src/simulator/gateway-simulator.js';
import { MAX_STDIO_MESSAGE_BYTES } from '../../src/transports/stdio-transport.js';
import { TEST_KEY } from '../helpers/harness.js';

const ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

let simulator: GatewaySimulator;
let outputDir: string;
beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build`');
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
  outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-hostile-stdio-'));
});
beforeEach(() => simulator.reset());
afterAll(async () => {
  await simulator.close();
  await rm(outputDir, { recursive: true, force: true });
});

interface Answer {
  id: unknown;
  result?: { isError?: boolean; tools?: unknown[] };
  error?: { code: number; message: string };
}

/** The server as a raw process: lines in, answers out by id. */
class RawServer {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly answers: Answer[] = [];
  private readonly waiting = new Map<string, (answer: Answer) => void>();
  private pending = '';

  constructor() {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('APIYI_') && !name.startsWith('FLUX_MCP_')),
    );
    this.child = spawn(process.execPath, [ENTRY], {
      env: {
        ...env,
        APIYI_API_KEY: TEST_KEY,
        APIYI_BASE_URL: simulator.baseUrl,
        FLUX_MCP_OUTPUT_DIR: outputDir,
        FLUX_MCP_PREVIEW_SIZE: '0',
        FLUX_MCP_LOG_LEVEL: 'warn',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.pending += chunk;
      for (let nl = this.pending.indexOf('\n'); nl >= 0; nl = this.pending.indexOf('\n')) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        const answer = JSON.parse(line) as Answer; // stdout carries JSON-RPC only
        if (!('id' in answer)) continue; // notifications
        this.answers.push(answer);
        this.waiting.get(JSON.stringify(answer.id))?.(answer);
      }
    });
    this.child.stderr.resume();
  }

  send(message: unknown): void {
    this.child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }

  answerTo(id: unknown): Promise<Answer> {
    const seen = this.answers.find((a) => JSON.stringify(a.id) === JSON.stringify(id));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiting.set(JSON.stringify(id), resolve));
  }

  async initialize(id = 1): Promise<void> {
    this.send({
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hostile', version: '1' } },
    });
    expect((await this.answerTo(id)).result).toBeDefined();
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  async stop(): Promise<number | null> {
    this.child.stdin.end();
    const [code] = (await once(this.child, 'exit')) as [number | null];
    return code;
  }
}

describe('stdio messages', () => {
  it('answers an oversized message with an error to its id, answers the call in flight, and lives on', async () => {
    const server = new RawServer();
    try {
      await server.initialize();
      // A call that is at the gateway while the big message arrives.
      simulator.enqueue({ delayMs: 300 });
      const arrived = once(simulator, 'request');
      server.send({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'generate_image', arguments: { prompt: 'A slow one', seed: 1, size: '256x256' } },
      });
      await arrived;
      // As the SDK's client writes it: method, params, then jsonrpc and id at the end.
      const big = JSON.stringify({
        method: 'tools/call',
        params: { name: 'generate_image', arguments: { prompt: 'x'.repeat(MAX_STDIO_MESSAGE_BYTES + 1000) } },
        jsonrpc: '2.0',
        id: 3,
      });
      server.send(big);
      server.send({ jsonrpc: '2.0', id: 4, method: 'tools/list' });

      const refused = await server.answerTo(3);
      expect(refused.error?.code).toBe(-32600);
      expect(refused.error?.message).toMatch(/over the 10,485,760-byte limit for one stdio message/);
      expect((await server.answerTo(2)).result?.isError).toBeFalsy();
      expect((await server.answerTo(4)).result?.tools).toHaveLength(4);
      expect(server.child.exitCode).toBeNull();
    } finally {
      await server.stop();
    }
  });

  it('answers a line that is not JSON, or not JSON-RPC, with an error, and lives on', async () => {
    const server = new RawServer();
    try {
      await server.initialize();
      server.send('{"jsonrpc": "2.0", "id": 5, "method": "tools/list"'); // cut short
      server.send({ id: 6, hello: 'world' });
      server.send({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
      expect((await server.answerTo(null)).error?.code).toBe(-32700);
      expect((await server.answerTo(6)).error?.code).toBe(-32600);
      expect((await server.answerTo(7)).result?.tools).toHaveLength(4);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('the session life cycle', () => {
  it('refuses requests before initialize, answers ping, then serves once initialized', async () => {
    const server = new RawServer();
    try {
      server.send({ jsonrpc: '2.0', id: 'early', method: 'tools/list' });
      server.send({
        jsonrpc: '2.0',
        id: 'early-call',
        method: 'tools/call',
        params: { name: 'generate_image', arguments: { prompt: 'x' } },
      });
      server.send({ jsonrpc: '2.0', id: 'ping', method: 'ping' });
      const early = await server.answerTo('early');
      expect(early.error?.code).toBe(-32600);
      expect(early.error?.message).toContain('before "initialize"');
      expect((await server.answerTo('early-call')).error?.code).toBe(-32600);
      expect((await server.answerTo('ping')).result).toEqual({});
      expect(simulator.apiRequests()).toEqual([]);

      await server.initialize(10);
      server.send({ jsonrpc: '2.0', id: 11, method: 'tools/list' });
      expect((await server.answerTo(11)).result?.tools).toHaveLength(4);
    } finally {
      await server.stop();
    }
  });
});
