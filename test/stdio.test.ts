/**
 * The built server as a client really runs it: `node dist/index.js` spawned over stdio. stdout
 * carries JSON-RPC and nothing else; the key appears nowhere; configuration mistakes stop the
 * server with a clear message; closing stdin ends it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';
import { TEST_KEY } from './helpers/harness.js';
import { RecordingStdioTransport } from './helpers/recording-stdio-transport.js';
import { unwritableFolder } from './helpers/unwritable.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let simulator: GatewaySimulator;
let outputDir: string;

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build` (npm test does it first)');
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
  outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-stdio-'));
});
afterAll(async () => {
  await simulator.close();
  await rm(outputDir, { recursive: true, force: true });
});

function serverEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...extra })) {
    if (value !== undefined && !name.startsWith('APIYI_') && !name.startsWith('FLUX_MCP_')) env[name] = value;
  }
  return {
    ...env,
    APIYI_API_KEY: TEST_KEY,
    APIYI_BASE_URL: simulator.baseUrl,
    FLUX_MCP_OUTPUT_DIR: outputDir,
    FLUX_MCP_LOG_LEVEL: 'debug',
    ...Object.fromEntries(Object.entries(extra).filter((e): e is [string, string] => e[1] !== undefined)),
  };
}

const textOf = (result: CallToolResult): string =>
  result.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');

describe("spawned with the SDK's StdioClientTransport", () => {
  it('lists the tools, generates an image, and never logs the key', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [ENTRY],
      env: serverEnv(),
      stderr: 'pipe',
    });
    const stderr: string[] = [];
    transport.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toMatchObject({ name: 'apiyi-flux-mcp' });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['generate_image', 'edit_images', 'wait_for_image', 'list_images']);

      const result = (await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'A blue teapot', size: '512x512', seed: 4 },
      })) as CallToolResult;
      expect(result.isError, textOf(result)).toBeFalsy();
      const saved = (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
      expect(path.dirname(saved)).toBe(outputDir);
      expect((await readFile(saved)).length).toBeGreaterThan(0);
      expect(JSON.stringify(result)).not.toContain(TEST_KEY);
    } finally {
      await client.close();
    }
    const log = stderr.join('');
    expect(log).toContain('ready on stdio');
    expect(log).toContain('generate_image flux-2-pro: saved');
    expect(log).not.toContain(TEST_KEY);
  });
});

describe('stdout carries only JSON-RPC', () => {
  it('under success, refusal, gateway failure and protocol errors', async () => {
    const transport = new RecordingStdioTransport(process.execPath, [ENTRY], serverEnv());
    const client = new Client({ name: 'stdout-guard', version: '1.0.0' });
    await client.connect(transport);

    await client.listTools();
    const ok = (await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'A green kite', seed: 1 },
    })) as CallToolResult;
    expect(ok.isError).toBeFalsy();
    const refused = (await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'x', width: 1000, height: 1000 },
    })) as CallToolResult;
    expect(textOf(refused)).toMatch(/^invalid_argument: /);
    simulator.enqueue({ status: 400, body: { error: { message: `boom ${TEST_KEY}` } } });
    const failed = (await client.callTool({ name: 'generate_image', arguments: { prompt: 'x' } })) as CallToolResult;
    expect(textOf(failed)).toMatch(/^invalid_argument: the gateway rejected the request/);
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/Unknown tool/);

    const exitCode = await transport.endAndWait();
    expect(exitCode).toBe(0);
    expect(transport.stdoutLines.length).toBeGreaterThanOrEqual(6);
    for (const line of transport.stdoutLines) {
      const message = JSON.parse(line) as { jsonrpc?: string };
      expect(message.jsonrpc).toBe('2.0');
    }
    expect(transport.trailing).toBe('');
    const everything = transport.stdoutLines.join('\n') + transport.stderrChunks.join('');
    expect(everything).not.toContain(TEST_KEY);
  });
});

describe('an iterative chain over stdio: generate, then edit the result twice by its path', () => {
  it('sends each previous result byte for byte, and stdout stays JSON-RPC', async () => {
    const transport = new RecordingStdioTransport(process.execPath, [ENTRY], serverEnv());
    const client = new Client({ name: 'chain', version: '1.0.0' });
    await client.connect(transport);
    const pathOf = (result: CallToolResult): string => {
      expect(result.isError, textOf(result)).toBeFalsy();
      return (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
    };
    const sha = async (file: string): Promise<string> =>
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    const sentReference = (): string => {
      const requests = simulator.apiRequests();
      const body = requests[requests.length - 1]!.json as { input_image: string };
      return createHash('sha256')
        .update(Buffer.from(body.input_image.replace(/^data:image\/\w+;base64,/, ''), 'base64'))
        .digest('hex');
    };

    simulator.reset();
    const first = pathOf(
      (await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'A product shot of a mug', size: '768x768' },
      })) as CallToolResult,
    );
    const second = pathOf(
      (await client.callTool({
        name: 'edit_images',
        arguments: { prompt: 'Make the mug in image 1 red', images: [first] },
      })) as CallToolResult,
    );
    expect(sentReference()).toBe(await sha(first));
    const secondUri = pathToFileURL(second).href;
    const thirdResult = (await client.callTool({
      name: 'edit_images',
      arguments: { prompt: 'Add steam above the mug', images: [secondUri] },
    })) as CallToolResult;
    const third = pathOf(thirdResult);
    expect(sentReference()).toBe(await sha(second));
    expect(new Set([first, second, third]).size).toBe(3);
    expect(simulator.apiRequests().map((r) => r.json && Object.keys(r.json as object).includes('input_image'))).toEqual(
      [false, true, true],
    );
    const sidecar = JSON.parse(await readFile(third.replace(/\.\w+$/, '.json'), 'utf8')) as {
      inputs: { source: string; path: string }[];
    };
    expect(sidecar.inputs[0]).toMatchObject({ source: secondUri, path: second });

    expect(await transport.endAndWait()).toBe(0);
    for (const line of transport.stdoutLines) expect((JSON.parse(line) as { jsonrpc?: string }).jsonrpc).toBe('2.0');
    expect(transport.trailing).toBe('');
    expect(transport.stderrChunks.join('')).toContain('edit_images flux-2-pro: saved');
  });
});

describe('start-up and shutdown', () => {
  async function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [ENTRY], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stdout, stderr };
  }

  it('a relative output directory stops the server with a clear message, and nothing on stdout', async () => {
    const { code, stdout, stderr } = await run(
      serverEnv({ FLUX_MCP_OUTPUT_DIR: 'images', FLUX_MCP_PREVIEW_SIZE: 'big' }),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('FLUX_MCP_OUTPUT_DIR "images" is a relative path');
    expect(stderr).toContain('FLUX_MCP_PREVIEW_SIZE "big" must be 0');
  });

  it('starts without a key: tools are listed, and a call explains how to set the key', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [ENTRY],
      env: serverEnv({ APIYI_API_KEY: '' }),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'no-key', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools).toHaveLength(4);
      const result = (await client.callTool({ name: 'generate_image', arguments: { prompt: 'x' } })) as CallToolResult;
      expect(textOf(result)).toMatch(/^missing_api_key: /);
    } finally {
      await client.close();
    }
  });

  it.skipIf(process.platform === 'win32')(
    'warns at start when the output folder cannot be written, and serves all the same',
    async () => {
      const base = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-unwritable-'));
      const folder = await unwritableFolder(base);
      const transport = new RecordingStdioTransport(
        process.execPath,
        [ENTRY],
        serverEnv({ FLUX_MCP_OUTPUT_DIR: folder.dir }),
      );
      const client = new Client({ name: 'unwritable', version: '1.0.0' });
      try {
        await client.connect(transport);
        // The check runs beside the start: its line is awaited, whenever it comes.
        const warned = new Promise<string>((resolve) => {
          const look = (): void => {
            const line = transport.stderrChunks
              .join('')
              .split('\n')
              .find((l) => l.includes(' warn: ') && l.includes(folder.dir));
            if (line) resolve(line);
          };
          transport.child!.stderr!.on('data', look);
          look();
        });
        expect((await client.listTools()).tools).toHaveLength(4);
        const warning = await warned;
        expect(warning).toContain('FLUX_MCP_OUTPUT_DIR');
        expect(warning).toContain(`(${folder.code})`);
        expect(warning).toContain('"env" block');
        expect(await transport.endAndWait()).toBe(0);
        for (const line of transport.stdoutLines)
          expect((JSON.parse(line) as { jsonrpc?: string }).jsonrpc).toBe('2.0');
        // Asked without a trace: nothing written, not even a probe file.
        expect(await readdir(base)).toHaveLength(1);
        if (folder.code === 'EACCES') expect(await readdir(folder.dir)).toEqual([]);
      } finally {
        await client.close();
        await folder.restore();
        await rm(base, { recursive: true, force: true });
      }
    },
  );

  it('when stdin closes mid-call, finishes the call and saves the image before exiting 0', async () => {
    const transport = new RecordingStdioTransport(process.execPath, [ENTRY], serverEnv());
    const client = new Client({ name: 'leaver', version: '1.0.0' });
    await client.connect(transport);
    // The gateway "works" until the server has said it noticed stdin closing mid-call.
    let finish!: () => void;
    simulator.enqueue({ holdUntil: new Promise<void>((resolve) => (finish = resolve)) });
    const arrived = once(simulator, 'request');
    const call = client.callTool({ name: 'generate_image', arguments: { prompt: 'A slow sunset', seed: 11 } });
    await arrived;
    const noticed = new Promise<void>((resolve) => {
      transport.child!.stderr!.on('data', () => {
        if (transport.stderrChunks.join('').includes('stdin closed: waiting for 1 call(s) under way to finish'))
          resolve();
      });
    });
    const exited = transport.endAndWait();
    await noticed;
    finish();
    const exitCode = await exited;
    expect(exitCode).toBe(0);
    const result = (await call) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    const saved = (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
    expect((await readFile(saved)).length).toBeGreaterThan(0);
    expect(transport.stderrChunks.join('')).toContain('stdin closed: waiting for 1 call(s) under way to finish');
  });

  it('exits 0 when stdin closes', async () => {
    const transport = new RecordingStdioTransport(process.execPath, [ENTRY], serverEnv());
    const client = new Client({ name: 'closer', version: '1.0.0' });
    await client.connect(transport);
    expect(await transport.endAndWait()).toBe(0);
  });

  it('--version prints the package version', async () => {
    const version = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [ENTRY, '--version']);
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', () => resolve(out));
    });
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version.trim()).toBe(pkg.version);
  });
});
