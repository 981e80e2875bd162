/**
 * `apiyi-flux-mcp serve --http [--port N] [--host H]`: the server over Streamable HTTP until SIGINT or
 * SIGTERM, which let calls under way finish and save first. `apiyi-flux-mcp serve` alone is stdio.
 */
import { type Config, ConfigError, loadConfig, secretsOf } from '../config.js';
import { EXIT_CODES } from '../core/failure.js';
import { createLogger } from '../core/log.js';
import { SERVER_NAME } from '../core/version.js';
import { HttpSetupError, startHttpServer } from '../transports/http.js';
import { listenProblem } from './listen.js';
import { parseCommand, UsageError } from './parse.js';
import { DEFAULT_HTTP_PORT, SERVE } from './specs.js';

export async function serveCommand(argv: readonly string[]): Promise<number | 'running'> {
  const { values } = parseCommand(SERVE, argv);
  if (!values.http) {
    if (values.port !== undefined || values.host !== undefined)
      throw new UsageError(`--port and --host go with --http: ${SERVER_NAME} serve --http --port ${DEFAULT_HTTP_PORT}`);
    await (await import('../transports/stdio.js')).runStdioServer();
    return 'running';
  }
  const port = values.port === undefined ? DEFAULT_HTTP_PORT : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || port > 65535)
    throw new UsageError(`--port "${values.port}" must be a port number (0–65535)`);
  const host = values.host ?? '127.0.0.1';

  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  const log = createLogger(config.logLevel, secretsOf(config));
  try {
    const running = await startHttpServer(config, { port, host, token: config.httpToken }, { log });
    const stop = (signal: string): void => {
      log.info(`${signal}: finishing calls under way, then exiting`);
      void running.close().then(() => process.exit(EXIT_CODES.ok));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return 'running';
  } catch (error) {
    const problem = error instanceof HttpSetupError ? error.message : listenProblem(error, host, port);
    if (problem === undefined) throw error;
    process.stderr.write(`${SERVER_NAME}: ${problem}\n`);
    return EXIT_CODES.badInput;
  }
}
