/**
 * The server on stdio, as MCP clients start it. stdout carries JSON-RPC only; everything else
 * goes to stderr. The front door (front-door.ts) answers `initialize` and `tools/list` from the
 * answers made at build time while the server proper (stdio-session.ts) loads; when stdin ends or
 * a signal arrives, calls under way are allowed to finish and save their images before the
 * process exits.
 *
 * This module is what a start loads: it imports nothing heavy (no SDK, no zod, no tools).
 */
import { type Config, ConfigError, configWarnings, describeSettings, loadConfig, secretsOf } from '../config.js';
import { createLogger } from '../core/log.js';
import { SERVER_NAME, SERVER_VERSION } from '../core/version.js';
import { outputDirWarning } from '../library/output-dir-check.js';
import { FrontDoor } from './front-door.js';
import type { StartAnswers } from './start-answers.js';
import type { StdioSession } from './stdio-session.js';

/** Put in by scripts/bundle.mjs; absent when the server runs from tsc's output without its build step. */
declare const __FLUX_START_ANSWERS__: StartAnswers | undefined;
const START_ANSWERS = typeof __FLUX_START_ANSWERS__ === 'undefined' ? undefined : __FLUX_START_ANSWERS__;

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

  let session: Promise<StdioSession> | undefined;
  const door = new FrontDoor(process.stdout, START_ANSWERS, config.outputDir, log, () => {
    session = import('./stdio-session.js').then(async ({ startStdioSession }) => {
      const started = await startStdioSession(config, log);
      door.handOver(started.input);
      return started;
    });
    session.catch((error: unknown) => {
      log.error(
        `the server could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      process.exit(1);
    });
  });

  // Before the server is loaded there is no call to wait for.
  const stop = (reason: string): void => {
    if (!session) process.exit(0);
    void session.then((started) => started.stop(reason));
  };
  process.stdin.on('data', (chunk: Buffer) => door.receive(chunk));
  process.stdin.on('end', () => stop('stdin closed'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  log.info(
    `${SERVER_NAME} ${SERVER_VERSION} ready on stdio; images go to ${config.outputDir}; ` +
      `settings: ${describeSettings(config)}`,
  );
  // Said now, not at the first paid call; the server answers meanwhile, and starts either way.
  void outputDirWarning(
    config.outputDir,
    'set FLUX_MCP_OUTPUT_DIR in the "env" block of this server in your MCP client config to a folder you can write to',
  ).then((warning) => warning && log.warn(warning));
}
