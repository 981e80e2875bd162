/**
 * Hostile: the key must not leave the process, whatever the gateway echoes and however it is
 * written. Findings: the key in "retrying" progress (also to an HTTP client that holds only the
 * HTTP token), a key cut in two by the 300-character quote, keys containing `"` or `\`, the key
 * URL-encoded, and credentials in APIYI_BASE_URL (results, logs, progress and CLI output).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.js';
import { createLogger } from '../../src/core/log.js';
import { credentialsInUrl, Redactor } from '../../src/core/redact.js';
import { GatewaySimulator } from '../../src/simulator/gateway-simulator.js';
import { startHttpServer } from '../../src/transports/http.js';
import { type Harness, startHarness, TEST_KEY, textOf } from '../helpers/harness.js';

const ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** Everything a client and the log saw, as one text. */
function everything(h: Harness, results: unknown[], progress: Progress[] = []): string {
  return [JSON.stringify(results), JSON.stringify(progress), h.logLines.join('\n')].join('\n');
}

async function callWithProgress(h: Harness, args: Record<string, unknown>) {
  const progress: Progress[] = [];
  const result = (await h.client.callTool({ name: 'generate_image', arguments: args }, undefined, {
    onprogress: (p) => progress.push(p),
  })) as CallToolResult;
  return { result, progress };
}

/** Every file under `dir`, the server's own records (.flux-mcp: index, jobs) included. */
async function filesText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true });
  const files = [];
  for (const name of names) if ((await stat(path.join(dir, name))).isFile()) files.push(path.join(dir, name));
  return (await Promise.all(files.map((file) => readFile(file, 'latin1')))).join('\n');
}

describe('the API key in what the gateway says', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ server: { retryBaseMs: 5 } });
  });
  afterAll(() => h.close());

  it('is not in the "retrying" progress a 429 or 5xx that echoes it causes', async () => {
    h.simulator.enqueue(
      { status: 503, body: { error: { message: `upstream rejected key ${TEST_KEY}` } } },
      { status: 429, body: `rate limited: Authorization: Bearer ${TEST_KEY}` },
    );
    const { result, progress } = await callWithProgress(h, { prompt: 'A fox', seed: 1 });
    expect(result.isError, textOf(result)).toBeFalsy();
    const retries = progress.filter((p) => p.message?.startsWith('retrying'));
    expect(retries).toHaveLength(2);
    expect(retries[0]!.message).toContain('[redacted]');
    expect(everything(h, [result], progress)).not.toContain(TEST_KEY);
  });

  it('is not cut in two by the 300-character quote (redacted before it is cut)', async () => {
    // The key straddles character 300 of the quoted message: a cut first would leave its start.
    const message = `${'x'.repeat(290)} ${TEST_KEY} and more`;
    h.simulator.enqueue({ status: 400, body: { error: { message } } });
    const { result, progress } = await callWithProgress(h, { prompt: 'A fox', seed: 2 });
    expect(result.isError).toBe(true);
    const seen = everything(h, [result], progress);
    expect(seen).not.toContain(TEST_KEY.slice(0, 8));
  });

  it('is not in a result, log line or file when it comes URL-encoded or JSON-escaped twice', async () => {
    h.simulator.enqueue(
      { status: 400, body: { error: { message: `see https://example.test/?key=${encodeURIComponent(TEST_KEY)}` } } },
      { status: 400, body: { detail: JSON.stringify({ key: TEST_KEY }) } },
    );
    const results = [await h.call({ prompt: 'x' }), await h.call({ prompt: 'y' })];
    const seen = everything(h, results) + (await filesText(h.outputDir));
    expect(seen).not.toContain(TEST_KEY);
    expect(seen).not.toContain(encodeURIComponent(TEST_KEY).slice(0, 12));
  });
});

describe('a key with quotes and backslashes', () => {
  const KEY = 'sk-"quoted"\\back\\slash-LEAK-42';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { apiKey: KEY }, simulator: { apiKey: KEY }, server: { retryBaseMs: 5 } });
  });
  afterAll(() => h.close());

  it('appears in no result, progress or log line in any form', async () => {
    const escaped = JSON.stringify(KEY).slice(1, -1);
    h.simulator.enqueue(
      { status: 503, body: { error: { message: `bad key ${KEY}` } } },
      { status: 401, body: `{"error":{"message":"bad key ${escaped}"}}` },
    );
    const { result, progress } = await callWithProgress(h, { prompt: 'A fox', seed: 3 });
    expect(result.isError).toBe(true);
    const seen = everything(h, [result], progress);
    for (const form of [KEY, escaped, JSON.stringify(escaped).slice(1, -1), encodeURIComponent(KEY)]) {
      expect(seen).not.toContain(form);
    }
    expect(textOf(result)).toContain('[redacted]');
  });
});

describe('credentials in APIYI_BASE_URL', () => {
  const BASE = 'http://user-leak:pa55-leak-word@127.0.0.1:1/v1?api_key=qk-leak-9999';

  it('are found: user, password and key-like query values', () => {
    expect(credentialsInUrl(BASE)).toEqual(expect.arrayContaining(['user-leak', 'pa55-leak-word', 'qk-leak-9999']));
    const redactor = new Redactor(secretsOf(loadConfig({ APIYI_BASE_URL: BASE, APIYI_API_KEY: 'sk-1234' })));
    expect(redactor.text(`at ${BASE}`)).toBe('at http://[redacted]:[redacted]@127.0.0.1:1/v1?api_key=[redacted]');
  });

  it('are in no result, log line or progress of a call that cannot reach the gateway', async () => {
    const h = await startHarness({ config: { baseUrl: BASE, maxRetries: 0 } });
    try {
      const { result, progress } = await callWithProgress(h, { prompt: 'A fox', seed: 4 });
      expect(result.isError).toBe(true);
      const seen = everything(h, [result], progress);
      for (const secret of ['user-leak', 'pa55-leak-word', 'qk-leak-9999']) expect(seen).not.toContain(secret);
    } finally {
      await h.close();
    }
  });

  it('are in none of the CLI output, a configuration error included', () => {
    const out = runCli(['generate', 'A fox', '--seed', '5'], { APIYI_BASE_URL: BASE });
    const bad = runCli(['generate', 'A fox'], { APIYI_BASE_URL: 'ftp://user-leak:pa55-leak-word@host/v1' });
    for (const run of [out, bad]) {
      expect(run.status).not.toBe(0);
      for (const secret of ['user-leak', 'pa55-leak-word', 'qk-leak-9999']) {
        expect(run.stdout + run.stderr).not.toContain(secret);
      }
    }
  });
});

function runCli(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('APIYI_') && !name.startsWith('FLUX_MCP_')),
  );
  return spawnSync(process.execPath, [ENTRY, ...args], {
    env: {
      ...clean,
      APIYI_API_KEY: TEST_KEY,
      FLUX_MCP_MAX_RETRIES: '0',
      FLUX_MCP_OUTPUT_DIR: path.join(os.tmpdir(), 'flux-mcp-hostile-cli-never-written'),
      ...env,
    },
    encoding: 'utf8',
  });
}

describe('over HTTP, a client that holds only the HTTP token', () => {
  let simulator: GatewaySimulator;
  let outputDir: string;
  beforeAll(async () => {
    simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
    outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-hostile-http-'));
  });
  afterAll(async () => {
    await simulator.close();
    await rm(outputDir, { recursive: true, force: true });
  });

  it('never receives the operator key, in progress or in the result', async () => {
    const config = loadConfig({
      APIYI_API_KEY: TEST_KEY,
      APIYI_BASE_URL: simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: outputDir,
      FLUX_MCP_LOG_LEVEL: 'silent',
      FLUX_MCP_PREVIEW_SIZE: '0',
    });
    const server = await startHttpServer(
      config,
      { port: 0, host: '127.0.0.1', token: undefined },
      { log: createLogger('silent', []), retryBaseMs: 5 },
    );
    const client = new Client({ name: 'hostile-http', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      simulator.enqueue({ status: 502, body: { error: { message: `proxy saw ${TEST_KEY}` } } });
      const progress: Progress[] = [];
      const result = await client.callTool(
        { name: 'generate_image', arguments: { prompt: 'A fox', seed: 6 } },
        undefined,
        {
          onprogress: (p) => progress.push(p),
        },
      );
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      expect(progress.some((p) => p.message?.startsWith('retrying'))).toBe(true);
      expect(JSON.stringify([result, progress])).not.toContain(TEST_KEY);
    } finally {
      await client.close();
      await server.close(0);
    }
  });
});
