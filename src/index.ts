#!/usr/bin/env node
/**
 * Entry point and package bin. With no command it is the MCP server on stdio (what MCP clients
 * start); `simulate` starts the local gateway simulator. Commands load their modules lazily so
 * the server's start-up pays only for what it uses.
 */
import module from 'node:module';
import { SERVER_NAME, SERVER_VERSION } from './core/version.js';

// Node ≥ 22.1 can keep compiled code between runs (clients start servers often); Node 20 cannot.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** The help text, its command lines from the commands' own tables; loaded only when it is asked for. */
async function usage(): Promise<string> {
  const [{ modelsByProvider }, { COMMANDS }] = await Promise.all([
    import('./catalog/describe.js'),
    import('./cli/specs.js'),
  ]);
  const column = 43;
  const entry = (synopsis: string, summary: string): string =>
    synopsis.length + 2 < column
      ? `  ${synopsis.padEnd(column - 2)}${summary}`
      : `  ${synopsis}\n${' '.repeat(column)}${summary}`;
  const lines = [
    entry(SERVER_NAME, 'the MCP server on stdio (what MCP clients start)'),
    ...COMMANDS.flatMap((spec) =>
      spec.usage.map((synopsis, i) => entry(`${SERVER_NAME} ${spec.name} ${synopsis}`, i === 0 ? spec.summary : '')),
    ),
    `  ${SERVER_NAME} --help | --version`,
  ];
  return `${SERVER_NAME} ${SERVER_VERSION}: MCP server for ${modelsByProvider()} images through the APIYI gateway

Usage:
${lines.map((line) => line.trimEnd()).join('\n')}

Each command's options: ${SERVER_NAME} <command> --help (or ${SERVER_NAME} help <command>).

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

/** Every command: its module's function, loaded when it runs. */
const COMMAND_RUNNERS = {
  serve: async () => (await import('./cli/serve.js')).serveCommand,
  generate: async () => (await import('./cli/commands.js')).generateCommand,
  edit: async () => (await import('./cli/commands.js')).editCommand,
  images: async () => (await import('./cli/commands.js')).imagesCommand,
  wait: async () => (await import('./cli/commands.js')).waitCommand,
  spend: async () => (await import('./cli/commands.js')).spendCommand,
  models: async () => (await import('./cli/commands.js')).modelsCommand,
  simulate: async () => (await import('./cli/simulate.js')).simulateCommand,
} as const;
type CommandName = keyof typeof COMMAND_RUNNERS;
const isCommand = (word: string | undefined): word is CommandName =>
  word !== undefined && Object.hasOwn(COMMAND_RUNNERS, word);

async function main(argv: readonly string[]): Promise<number | 'running'> {
  const [command, ...rest] = argv;
  if (isCommand(command)) {
    // `apiyi-flux-mcp images | head`: a reader that stops early is not an error.
    if (command !== 'serve' && command !== 'simulate') quietOnClosedPipe();
    const [run, { runCommand }] = await Promise.all([COMMAND_RUNNERS[command](), import('./cli/run.js')]);
    return runCommand(command, run, rest, io);
  }
  switch (command) {
    case undefined:
      // A person typing `apiyi-flux-mcp` in a terminal wants help; a client piping JSON-RPC wants the server.
      if (process.stdin.isTTY) {
        process.stdout.write(await usage());
        return 0;
      }
      await (await import('./transports/stdio.js')).runStdioServer();
      return 'running';
    case '--help':
    case '-h':
    case 'help':
      // `help generate` is `generate --help`.
      if (command === 'help' && isCommand(rest[0])) return main([rest[0], '--help']);
      process.stdout.write(await usage());
      return 0;
    case '--version':
    case '-V':
    case '-v':
      process.stdout.write(`${SERVER_VERSION}\n`);
      return 0;
    default: {
      const { closest } = await import('./core/text.js');
      const guess = closest(command.replace(/^-+/, ''), Object.keys(COMMAND_RUNNERS));
      process.stderr.write(
        `${SERVER_NAME}: unknown command "${command}"${guess ? `; did you mean ${guess}?` : ''}\n\n${await usage()}`,
      );
      return 2;
    }
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
    process.stderr.write(`${SERVER_NAME}: ${redact(text, secretsFromEnv(process.env))}\n`);
    process.exit(1);
  },
);
