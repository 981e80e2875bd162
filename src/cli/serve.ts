/**
 * `apiyi-flux-mcp serve --http [--port N] [--host H]`: the server over Streamable HTTP until SIGINT or
 * SIGTERM, which let calls under way finish and save first. `apiyi-flux-mcp serve` alone is stdio.
 */
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig, secretsOf } from '../config.js';
import { EXIT_CODES } from '../core/failure.js';
import { createLogger } from '../core/log.js';
import { HttpSetupError, startHttpServer } from '../transports/http.js';
import { UsageError } from './commands.js';

const DEFAULT_HTTP_PORT = 8808;

export async function serveCommand(argv: readonly string[]): Promise<number | 'running'> {
  let values: { http?: boolean; port?: string; host?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { http: { type: 'boolean' }, port: { type: 'string', short: 'p' }, host: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.http) {
    if (values.port !== undefined || values.host !== undefined)
      throw new UsageError('--port and --host go with --http: apiyi-flux-mcp serve --http --port 8808');
    await (await import('../transports/stdio.js')).runStdioServer();
    return 'running';
  }
  const port = values.port === undefined ? DEFAULT_HTTP_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port "${values.port}" must be a port number (0–65535)`);

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
    const running = await startHttpServer(
      config,
      { port, host: values.host ?? '127.0.0.1', token: config.httpToken },
      { log },
    );
    const stop = (signal: string): void => {
      log.info(`${signal}: finishing calls under way, then exiting`);
      void running.close().then(() => process.exit(EXIT_CODES.ok));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return 'running';
  } catch (error) {
    if (error instanceof HttpSetupError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`apiyi-flux-mcp: ${(error as Error).message}\n`);
      return EXIT_CODES.badInput;
    }
    throw error;
  }
}
