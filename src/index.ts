#!/usr/bin/env node
/**
 * Entry point and package bin. With no command it is the MCP server on stdio (what MCP clients
 * start); `simulate` starts the local gateway simulator. Commands load their modules lazily so
 * the server's start-up pays only for what it uses.
 */
import module from 'node:module';
import { SERVER_VERSION } from './version.js';

// Node ≥ 22.1 can keep compiled code between runs (clients start servers often); Node 20 cannot.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const USAGE = `flux-mcp ${SERVER_VERSION}: MCP server for FLUX image generation through the APIYI gateway

Usage:
  flux-mcp                      run the MCP server on stdio (what MCP clients start)
  flux-mcp simulate [--port N]  run the local gateway simulator (no key, no cost)
  flux-mcp --help | --version

Environment: APIYI_API_KEY, APIYI_BASE_URL, FLUX_MCP_OUTPUT_DIR, FLUX_MCP_PREVIEW_SIZE, FLUX_MCP_LOG_LEVEL
`;

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      return (await import('./stdio.js')).runStdioServer();
    case 'simulate':
      return (await import('./simulator/cli.js')).runSimulatorCli(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return;
    case '--version':
    case '-v':
      process.stdout.write(`${SERVER_VERSION}\n`);
      return;
    default:
      process.stderr.write(`flux-mcp: unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`flux-mcp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
