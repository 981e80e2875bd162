#!/usr/bin/env node
/**
 * Entry point and package bin. With no command it is the MCP server on stdio (what MCP clients
 * start); `simulate` starts the local gateway simulator. Commands load their modules lazily so
 * the server's start-up pays only for what it uses.
 */
import module from 'node:module';
import { SERVER_VERSION } from './core/version.js';

// Node ≥ 22.1 can keep compiled code between runs (clients start servers often); Node 20 cannot.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** The help text; the catalog is loaded only when it is asked for. */
async function usage(): Promise<string> {
  const [{ modelsByProvider }, { OUTPUT_FORMATS }] = await Promise.all([
    import('./catalog/describe.js'),
    import('./catalog/models.js'),
  ]);
  return `apiyi-flux-mcp ${SERVER_VERSION}: MCP server for ${modelsByProvider()} images through the APIYI gateway

Usage:
  apiyi-flux-mcp                                 the MCP server on stdio (what MCP clients start)
  apiyi-flux-mcp serve --http [--port N] [--host H]
                                                 the MCP server on Streamable HTTP (default 127.0.0.1:8808)
  apiyi-flux-mcp generate "prompt" [options]     make an image; prints its path
  apiyi-flux-mcp generate --like IMAGE|JOB [options]
                                                 more like an earlier image (its prompt, model, parameters)
  apiyi-flux-mcp edit "prompt" --image a.png [--image b.jpg …] [--mask m.png] [options]
                                                 edit or combine images; prints the new path
  apiyi-flux-mcp images [--search words] [--model M] [--since D] [--until D] [--limit N]
                                                 list saved images, newest first (paths)
  apiyi-flux-mcp wait JOB                        the image of a call handed off as JOB; prints its path
  apiyi-flux-mcp spend [--json]                  what the saved images cost: today, this month, all time, by model
  apiyi-flux-mcp models [--json]                 the model catalog
  apiyi-flux-mcp simulate [--port N]             a local gateway simulator (no key, no cost)
  apiyi-flux-mcp --help | --version

Options of generate and edit: --model, --count N (1-8 images at once), --size WxH, --width, --height,
  --aspect-ratio W:H, --seed,
  --safety-tolerance, --format ${OUTPUT_FORMATS.join('|')}, --prompt-upsampling, --steps, --guidance, --quality,
  --background, --compression, --filename, --out DIR (output directory), --json (print the result as JSON)

Exit codes: 0 done, 2 bad input (fix the arguments), 3 refused (by the gateway: key, moderation,
  credit; or by the spending cap), 4 transient (try again later), 1 local failure (the configuration,
  the disk).

Environment: APIYI_API_KEY, APIYI_BASE_URL, FLUX_MCP_OUTPUT_DIR and the rest in docs/configuration.md;
  FLUX_MCP_HTTP_TOKEN for serve --http; FLUX_MCP_BUDGET_USD, FLUX_MCP_BUDGET_PERIOD and
  FLUX_MCP_TOKEN_PRICE_USD for the spending cap.
`;
}

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** `apiyi-flux-mcp images | head`: a reader that stops early is not an error. */
function quietOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

async function main(argv: readonly string[]): Promise<number | 'running'> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      // A person typing `apiyi-flux-mcp` in a terminal wants help; a client piping JSON-RPC wants the server.
      if (process.stdin.isTTY) {
        process.stdout.write(await usage());
        return 0;
      }
      await (await import('./transports/stdio.js')).runStdioServer();
      return 'running';
    case 'serve': {
      const [{ serveCommand }, { runCommand }] = await Promise.all([
        import('./cli/serve.js'),
        import('./cli/commands.js'),
      ]);
      return runCommand(serveCommand, rest, io);
    }
    case 'generate':
    case 'edit':
    case 'images':
    case 'wait':
    case 'spend':
    case 'models': {
      quietOnClosedPipe();
      const commands = await import('./cli/commands.js');
      const run = {
        generate: commands.generateCommand,
        edit: commands.editCommand,
        images: commands.imagesCommand,
        wait: commands.waitCommand,
        spend: commands.spendCommand,
        models: commands.modelsCommand,
      }[command];
      return commands.runCommand(run, rest, io);
    }
    case 'simulate':
      await (await import('./simulator/cli.js')).runSimulatorCli(rest);
      return 'running';
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(await usage());
      return 0;
    case '--version':
    case '-v':
      process.stdout.write(`${SERVER_VERSION}\n`);
      return 0;
    default:
      process.stderr.write(`apiyi-flux-mcp: unknown command "${command}"\n\n${await usage()}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (outcome) => {
    if (outcome !== 'running') process.exitCode = outcome;
  },
  async (error: unknown) => {
    // Even a crash report passes the redaction boundary (loaded only now: start-up does not pay for it).
    const [{ secretsFromEnv }, { redact }] = await Promise.all([import('./config.js'), import('./core/redact.js')]);
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`apiyi-flux-mcp: ${redact(text, secretsFromEnv(process.env))}\n`);
    process.exit(1);
  },
);
