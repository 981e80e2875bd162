/**
 * The answers a starting server gives before it has loaded the SDK and its tools (made at build
 * time, src/transports/start-answers.ts) are the answers the server itself gives: the built server,
 * spawned over stdio, answers `initialize` and `tools/list` exactly as a session of the server
 * made at run time with the same output directory, for any protocol version a client offers. Also
 * the front door on its own: what it answers, what it hands over, and in which order.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/core/log.js';
import { askSession } from '../src/transports/compute-start-answers.js';
import { ANSWERED_ID, FrontDoor } from '../src/transports/front-door.js';
import type { StartAnswers } from '../src/transports/start-answers.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let parent: string;
/** A directory whose name needs escaping in JSON. */
let outputDir: string;
beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build` (npm test does it first)');
  parent = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-start-'));
  outputDir = path.join(parent, 'my "images" \\ 画像');
});
afterAll(() => rm(parent, { recursive: true, force: true }));

/** The built server's results for initialize (offering `protocolVersion`) and tools/list, and its stderr. */
async function askBuiltServer(protocolVersion: string) {
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH ?? '', HOME: parent, FLUX_MCP_OUTPUT_DIR: outputDir, FLUX_MCP_LOG_LEVEL: 'debug' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const initialize = { protocolVersion, capabilities: {}, clientInfo: { name: 'start-test', version: '1' } };
  child.stdin.write(
    [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: initialize },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ]
      .map((message) => `${JSON.stringify(message)}\n`)
      .join(''),
  );
  child.stdin.end();
  await new Promise((resolve) => child.on('close', resolve));
  const answers = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: number; result: Record<string, unknown> });
  return {
    initialize: answers.find((answer) => answer.id === 1)!.result,
    toolsList: answers.find((answer) => answer.id === 2)!.result,
    stderr,
  };
}

describe('the answers made at build time', () => {
  for (const version of ['2025-06-18', '2025-03-26', '1999-01-01']) {
    it(`equal a runtime session's answers (client offers ${version})`, async () => {
      const built = await askBuiltServer(version);
      const runtime = await askSession(loadConfig({ FLUX_MCP_OUTPUT_DIR: outputDir }, parent), version);
      expect(built.initialize).toEqual(runtime.initialize);
      expect(built.toolsList).toEqual(runtime.toolsList);
      // No path of the machine reaches tools/list (descriptions name none).
      expect(JSON.stringify(built.toolsList)).not.toContain(JSON.stringify(outputDir).slice(1, -1));
      // They came from the front door, not from the server it loads afterwards.
      expect(built.stderr).toContain('answered initialize with the answer made at build time');
      expect(built.stderr).toContain('answered tools/list with the answer made at build time');
    });
  }
});

describe('the front door', () => {
  const answers: StartAnswers = {
    protocolVersions: ['2025-11-25', '2025-06-18'],
    initialize: { capabilities: { tools: {} }, serverInfo: { name: 'x', version: '1' } },
    toolsList: '{"tools":[{"name":"t","description":"saves to /__flux-mcp-output-directory__"}]}',
  };
  function door() {
    const written: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        done();
      },
    });
    let loads = 0;
    const front = new FrontDoor(out, answers, '/out', createLogger('silent', []), () => void loads++);
    return { front, written, loads: () => loads };
  }
  const line = (message: object): string => `${JSON.stringify(message)}\n`;
  const initialize = {
    jsonrpc: '2.0',
    id: 7,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
  };

  it('answers initialize and tools/list, even split across chunks, and waits with the rest', () => {
    const { front, written, loads } = door();
    const text = line(initialize) + line({ jsonrpc: '2.0', method: 'notifications/initialized' });
    front.receive(text.slice(0, 25));
    front.receive(text.slice(25) + line({ jsonrpc: '2.0', id: 'l', method: 'tools/list' }));
    expect(written.map((w) => JSON.parse(w))).toEqual([
      { jsonrpc: '2.0', id: 7, result: { protocolVersion: '2025-06-18', ...answers.initialize } },
      { jsonrpc: '2.0', id: 'l', result: { tools: [{ name: 't', description: 'saves to /out' }] } },
    ]);
    expect(loads()).toBe(0); // a notification does not need the server at once

    front.receive(line({ jsonrpc: '2.0', id: 9, method: 'resources/list' }) + '{"jsonrpc":"2.0","id":10,');
    expect(loads()).toBe(1);
    front.receive('"method":"prompts/list"}\n');
    const handed: string[] = [];
    front.handOver((text) => handed.push(text));
    front.receive(line({ jsonrpc: '2.0', id: 11, method: 'ping' }));
    expect(
      handed
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { ...initialize, id: ANSWERED_ID },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 9, method: 'resources/list' },
      { jsonrpc: '2.0', id: 10, method: 'prompts/list' },
      { jsonrpc: '2.0', id: 11, method: 'ping' },
    ]);
    expect(written).toHaveLength(2);
  });

  it('offers the newest protocol version to a client offering an unknown one, and leaves bad requests to the server', () => {
    const { front, written, loads } = door();
    front.receive(line({ ...initialize, params: { ...initialize.params, protocolVersion: '1999-01-01' } }));
    expect(JSON.parse(written[0]!).result.protocolVersion).toBe('2025-11-25');
    front.receive(line({ jsonrpc: '2.0', id: 8, method: 'initialize', params: { protocolVersion: 5 } }));
    expect(written).toHaveLength(1);
    expect(loads()).toBe(1);
  });
});
