/**
 * The server on stdio, as MCP clients start it. stdout carries JSON-RPC only; everything else
 * goes to stderr. When stdin ends or a signal arrives, calls under way are allowed to finish and
 * save their images before the process exits.
 */
import { type Config, ConfigError, configWarnings, describeSettings, loadConfig, secretsOf } from '../config.js';
import { closeHttp } from '../core/http.js';
import { createLogger } from '../core/log.js';
import { SERVER_VERSION } from '../core/version.js';
import { InFlightCalls } from '../mcp/in-flight.js';
import { createServer } from '../server.js';
import { LineDelimitedStdioTransport } from './stdio-transport.js';

export async function runStdioServer(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nFix the "env" block of this server in your MCP client config.\n`);
      process.exit(error.exitCode);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, secretsOf(config));
  for (const warning of configWarnings(config)) log.warn(warning);

  const inFlight = new InFlightCalls();
  const server = createServer(config, { log, inFlight });
  const transport = new LineDelimitedStdioTransport(process.stdin, process.stdout, log);

  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (inFlight.size > 0) log.info(`${reason}: waiting for ${inFlight.size} call(s) under way to finish`);
    const finished = await inFlight.drain(config.shutdownGraceMs);
    if (!finished)
      log.warn(
        `${reason}: calls still under way after ${config.shutdownGraceMs / 1000} s; exiting (their images may be lost)`,
      );
    await server.close().catch(() => undefined);
    await closeHttp().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.on('end', () => void stop('stdin closed'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await server.connect(transport);
  log.info(
    `flux-mcp ${SERVER_VERSION} ready on stdio; images go to ${config.outputDir}; settings: ${describeSettings(config)}`,
  );
}
