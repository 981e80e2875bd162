#!/usr/bin/env node
/**
 * The client compatibility suite: the built flux-mcp server, driven by the agent libraries people
 * build on (AI SDK, OpenAI Agents SDK, Google Gen AI SDK, LangChain, Mastra), each with its own
 * tool loop against a stub model on loopback that records what the model would be sent.
 *
 *   .ci/clients/node_modules/node/bin/node .ci/clients/run.mjs [--stack ai-sdk,mastra] [--provider anthropic] [--transport stdio]
 *
 * Exits 1 when a cell misses a target (.ci/clients/README.md), unless FLUX_CLIENTS_REPORT_ONLY=1.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeCell } from './lib/analyze.mjs';
import { nativeImages } from './lib/expectations.mjs';
import { ENTRY, ROOT } from './lib/flux-server.mjs';
import { referenceRun } from './lib/reference.mjs';
import { formatFailures, formatKeywordBreaks, formatTable, keywordBreaks } from './lib/report.mjs';
import { StubLlm } from './lib/stub-llm.mjs';
import { TOKENIZER } from './lib/tokens.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const STACKS = ['ai-sdk', 'openai-agents', 'genai', 'langchain', 'mastra'];
const TRANSPORTS = ['stdio', 'http'];
const CONCURRENCY = Number(process.env.FLUX_CLIENTS_CONCURRENCY ?? 2);
const CELL_TIMEOUT_MS = Number(process.env.FLUX_CLIENTS_CELL_TIMEOUT_MS ?? 60_000);
const REPORT_ONLY = process.env.FLUX_CLIENTS_REPORT_ONLY === '1';
const REPORT_PATH = process.env.FLUX_CLIENTS_REPORT ?? path.join(here, 'results', 'report.json');

const { values: filters } = parseArgs({
  options: { stack: { type: 'string' }, provider: { type: 'string' }, transport: { type: 'string' } },
});
const wanted = (value, list) => !list || list.split(',').includes(value);

if (!existsSync(ENTRY)) {
  process.stderr.write(`clients: ${ENTRY} is missing: run npm run build at the repository root first\n`);
  process.exit(2);
}

/**
 * Every cell: each stack with each provider it supports, over both transports, with the server's
 * default preview setting (auto); and, where the stack can hand an image to its model, once more
 * over stdio with FLUX_MCP_PREVIEW=on, the setting the README gives for those stacks (the server
 * cannot tell a provider from the library's clientInfo, so auto sends them no preview).
 */
async function matrix() {
  const cells = [];
  for (const stack of STACKS) {
    if (!wanted(stack, filters.stack)) continue;
    const { PROVIDERS } = await import(`./stacks/${stack}.mjs`);
    for (const provider of PROVIDERS) {
      if (!wanted(provider, filters.provider)) continue;
      for (const transport of TRANSPORTS)
        if (wanted(transport, filters.transport))
          cells.push({ id: `${stack}.${provider}.${transport}`, stack, provider, transport, preview: 'auto' });
      if (nativeImages(stack, provider).native && wanted('stdio', filters.transport))
        cells.push({ id: `${stack}.${provider}.stdio.preview-on`, stack, provider, transport: 'stdio', preview: 'on' });
    }
  }
  return cells;
}

/** Workers get no credentials nor endpoint overrides from the environment: nothing may leave loopback. */
function workerEnv(cacheDir) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(OPENAI|ANTHROPIC|GOOGLE|GEMINI|LANGCHAIN|LANGSMITH)_/.test(key)),
  );
  return {
    ...env,
    MASTRA_TELEMETRY_DISABLED: '1',
    OPENAI_AGENTS_DISABLE_TRACING: '1',
    LANGCHAIN_TRACING_V2: 'false',
    LANGSMITH_TRACING: 'false',
    DO_NOT_TRACK: '1',
    NODE_COMPILE_CACHE: cacheDir,
  };
}

function runWorker(spec, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, 'worker.mjs'), JSON.stringify(spec)], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    // The worker times its own cell out; this is for a worker that cannot even do that.
    const timer = setTimeout(() => child.kill('SIGKILL'), CELL_TIMEOUT_MS + 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(readFileSync(spec.resultFile, 'utf8')));
      } catch {
        resolve({
          ok: false,
          thrown: 'the worker died without a result',
          console: [],
          clientErrors: [],
          durationMs: 0,
        });
      }
    });
  });
}

async function pool(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}

const started = performance.now();
const { GatewaySimulator } = await import(path.join(ROOT, 'dist', 'simulator', 'gateway-simulator.js'));
const simulator = await GatewaySimulator.start({});
const stub = await StubLlm.start();
const work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-clients-'));
let exitCode = 1;
try {
  const reference = await referenceRun(simulator.baseUrl);
  const cells = await matrix();
  if (cells.length === 0) throw new Error('no cell matches the filters');
  const env = workerEnv(path.join(work, 'compile-cache'));
  const rows = await pool(cells, CONCURRENCY, async (cell) => {
    const spec = {
      cell: cell.id,
      stack: cell.stack,
      provider: cell.provider,
      transport: cell.transport,
      preview: cell.preview,
      llmBaseUrl: stub.baseUrl(cell.id),
      simulatorUrl: simulator.baseUrl,
      outputDir: path.join(work, cell.id, 'images'),
      resultFile: path.join(work, `${cell.id}.json`),
    };
    const worker = await runWorker(spec, env);
    const row = analyzeCell({
      cell,
      records: stub.records(cell.id),
      worker,
      serverErrorLine: reference.errorFirstLine,
    });
    process.stderr.write(
      `clients: ${cell.id} ${row.failed.length === 0 ? 'passed' : `failed (${row.failed.map((f) => f.target).join(', ')})`}\n`,
    );
    return row;
  });

  const breaks = keywordBreaks(rows);
  const passed = rows.filter((row) => row.failed.length === 0).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  process.stdout.write(
    `Server reference (MCP SDK client, no model): generate_image returns ${reference.generate.blocks.map((b) => b.type).join(' + ')}; the bad call's first line is "${reference.errorFirstLine}".\n`,
  );
  process.stdout.write(
    `Tokens: ${TOKENIZER}. Targets: .ci/clients/README.md. Took ${seconds} s with ${CONCURRENCY} cells at a time.\n\n`,
  );
  if (passed < rows.length) process.stdout.write(`Failures:\n${formatFailures(rows)}\n\n`);
  process.stdout.write(`Schema keywords that break a provider's rules:\n${formatKeywordBreaks(breaks)}\n\n`);

  await mkdir(path.dirname(REPORT_PATH), { recursive: true });
  await writeFile(
    REPORT_PATH,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, tokenizer: TOKENIZER, versions: versions(), reference, keywordBreaks: breaks, cells: rows }, null, 2)}\n`,
  );
  process.stdout.write(`Report: ${REPORT_PATH}\n`);
  process.stdout.write(`clients: ${passed} passed, ${rows.length - passed} failed\n`);
  exitCode = passed === rows.length || REPORT_ONLY ? 0 : 1;
  if (REPORT_ONLY && passed < rows.length) process.stdout.write('FLUX_CLIENTS_REPORT_ONLY=1: not failing.\n');
} finally {
  await stub.close();
  await simulator.close();
  await rm(work, { recursive: true, force: true });
}
process.exit(exitCode);

/** The library versions actually installed, for the report. */
function versions() {
  const { dependencies } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
  return Object.fromEntries(
    Object.keys(dependencies).map((name) => {
      try {
        return [name, JSON.parse(readFileSync(path.join(here, 'node_modules', name, 'package.json'), 'utf8')).version];
      } catch {
        return [name, 'missing'];
      }
    }),
  );
}
