#!/usr/bin/env node
/**
 * The official MCP conformance suite against `flux-mcp serve --http`, with the gateway simulator
 * behind it. The suite needs Node ≥ 22: it runs on the Node 22 that `npm ci --prefix
 * .ci/conformance` installs (the npm package node@22), without touching the system's Node.
 * Exits with the suite's code: scenarios outside baseline.yml must pass, and those in it must fail.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewaySimulator } from '../../dist/simulator/gateway-simulator.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const node22 = path.join(here, 'node_modules', 'node', 'bin', 'node');
const suite = path.join(here, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

const simulator = await GatewaySimulator.start({});
const outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-conformance-'));
const server = spawn(process.execPath, [path.join(root, 'dist', 'index.js'), 'serve', '--http', '--port', '0'], {
  env: {
    ...process.env,
    APIYI_API_KEY: 'sk-conformance',
    APIYI_BASE_URL: simulator.baseUrl,
    FLUX_MCP_OUTPUT_DIR: outputDir,
    FLUX_MCP_LOG_LEVEL: 'info',
  },
  stdio: ['ignore', 'inherit', 'pipe'],
});

let code = 1;
try {
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    server.stderr.on('data', (chunk) => {
      seen += chunk;
      const match = /Streamable HTTP at (http:\/\/\S+\/mcp)/.exec(seen);
      if (match) resolve(match[1]);
    });
    server.once('exit', (exitCode) =>
      reject(new Error(`flux-mcp serve exited (${exitCode}) before listening:\n${seen}`)),
    );
  });
  process.stderr.write(`conformance: flux-mcp at ${url}\n`);
  const run = spawn(
    node22,
    [
      suite,
      'server',
      '--url',
      url,
      '--expected-failures',
      path.join(here, 'baseline.yml'),
      '--output-dir',
      path.join(outputDir, 'results'),
    ],
    {
      stdio: 'inherit',
    },
  );
  code = await new Promise((resolve) => run.once('exit', (exitCode) => resolve(exitCode ?? 1)));
} finally {
  server.kill('SIGTERM');
  await simulator.close();
  await rm(outputDir, { recursive: true, force: true });
}
process.exit(code);
