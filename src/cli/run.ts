/**
 * How every command runs: --help prints the command's help to stdout (exit 0); a usage mistake is
 * said on stderr with where to read the usage (exit 2); a configuration that cannot start says
 * what to fix (exit 1). Anything else is left to the entry point's crash report.
 */
import { ConfigError } from '../config.js';
import { EXIT_CODES } from '../core/failure.js';
import { SERVER_NAME } from '../core/version.js';
import { commandHelp, HelpRequest, UsageError } from './parse.js';

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

export async function runCommand<T extends number | 'running'>(
  name: string,
  command: (argv: readonly string[], io: Io) => Promise<T> | T,
  argv: readonly string[],
  io: Io,
): Promise<T | number> {
  try {
    return await command(argv, io);
  } catch (error) {
    if (error instanceof HelpRequest) {
      io.stdout.write(commandHelp(error.spec));
      return EXIT_CODES.ok;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\nFix these environment variables (see docs/configuration.md).\n`);
      return error.exitCode;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`${SERVER_NAME}: ${error.message}\nRun ${SERVER_NAME} ${name} --help for its usage.\n`);
      return EXIT_CODES.badInput;
    }
    throw error;
  }
}
