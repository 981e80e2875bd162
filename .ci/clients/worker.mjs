#!/usr/bin/env node
/**
 * Runs one cell (one library × provider × transport) in a process of its own, so a library that
 * crashes, hangs or leaves handles open harms only its cell. What the library printed, threw or
 * reported through its error hooks is written to the result file; what it sent to the model is
 * recorded by the stub, in the orchestrator.
 *
 *   node worker.mjs '{"cell":…,"stack":…,"provider":…,"transport":…,"llmBaseUrl":…,"simulatorUrl":…,"outputDir":…,"resultFile":…}'
 */
import { writeFileSync } from 'node:fs';
import { format } from 'node:util';
import { startHttpServer, stdioCommand } from './lib/flux-server.mjs';

const spec = JSON.parse(process.argv[2]);
const TIMEOUT_MS = Number(process.env.FLUX_CLIENTS_CELL_TIMEOUT_MS ?? 60_000);
const verbose = process.env.FLUX_CLIENTS_VERBOSE === '1';

/** Everything the library says outside its return value: console lines, error hooks, stray rejections. */
const report = {
  console: [],
  clientErrors: [],
  /** A stack calls this from a library's own error hook (the AI SDK's onUncaughtError, …). */
  clientError(source, error) {
    report.clientErrors.push({ source, message: describe(error) });
  },
};

function describe(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 600);
  return format(error).slice(0, 600);
}

for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    report.console.push({ level, text: format(...args).slice(0, 600) });
    if (verbose) original(...args);
  };
}
process.on('unhandledRejection', (error) => report.clientError('unhandledRejection', error));
process.on('uncaughtException', (error) => report.clientError('uncaughtException', error));

const started = performance.now();
const result = { cell: spec.cell, ok: false, thrown: undefined, finalText: undefined };
let http;
try {
  const stack = await import(`./stacks/${spec.stack}.mjs`);
  const options = { simulatorUrl: spec.simulatorUrl, outputDir: spec.outputDir, preview: spec.preview };
  let mcp;
  if (spec.transport === 'http') {
    http = await startHttpServer(options);
    mcp = { transport: 'http', url: http.url };
  } else {
    mcp = { transport: 'stdio', ...stdioCommand(options) };
  }
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cell timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  const run = stack.run({ provider: spec.provider, mcp, llmBaseUrl: spec.llmBaseUrl, report });
  result.finalText = await Promise.race([run, timeout]);
  clearTimeout(timer);
  result.ok = true;
} catch (error) {
  result.thrown = describe(error);
  if (verbose) process.stderr.write(`${spec.cell}: ${error?.stack ?? error}\n`);
} finally {
  await http?.stop();
}
result.durationMs = Math.round(performance.now() - started);
result.console = report.console;
result.clientErrors = report.clientErrors;
writeFileSync(spec.resultFile, JSON.stringify(result));
// Libraries keep MCP children, sockets and timers alive; the cell is over.
process.exit(0);
