/**
 * `apiyi-flux-mcp simulate`: the gateway simulator on its own, so a user can point an MCP client or the
 * CLI at it (APIYI_BASE_URL) and try a workflow without a key or cost.
 */
import { EXIT_CODES } from '../core/failure.js';
import { SERVER_NAME } from '../core/version.js';
import { GatewaySimulator } from '../simulator/gateway-simulator.js';
import { listenProblem } from './listen.js';
import { parseCommand, UsageError } from './parse.js';
import { SIMULATE } from './specs.js';

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const wholeNumber = (name: string, raw: string): number => {
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, not "${raw}"`);
  return Number(raw);
};

export async function simulateCommand(argv: readonly string[], io: Io): Promise<number | 'running'> {
  const { values } = parseCommand(SIMULATE, argv);
  const port = wholeNumber('port', values.port);
  if (port > 65535) throw new UsageError(`--port "${values.port}" must be a port number (0–65535)`);
  let simulator: GatewaySimulator;
  try {
    simulator = await GatewaySimulator.start({
      port,
      host: values.host,
      resultTtlMs: wholeNumber('ttl-seconds', values['ttl-seconds']) * 1000,
      latencyMs: wholeNumber('latency-ms', values['latency-ms']),
      ...(values.key ? { apiKey: values.key } : {}),
      onRequestLog: (line) => io.stderr.write(`${line}\n`),
    });
  } catch (error) {
    const problem = listenProblem(error, values.host, port);
    if (problem === undefined) throw error;
    io.stderr.write(`${SERVER_NAME}: ${problem}\n`);
    return EXIT_CODES.badInput;
  }
  // A key given with --key is not echoed: it could be a real one.
  const key = values.key ? '<the --key value>' : 'sk-simulator';
  io.stdout.write(
    `Gateway simulator listening on ${simulator.baseUrl}\n` +
      `Point the server at it with APIYI_BASE_URL=${simulator.baseUrl} and ` +
      `${values.key ? 'the APIYI_API_KEY given with --key' : 'any APIYI_API_KEY'}; ` +
      'from another terminal, for instance:\n' +
      `  APIYI_BASE_URL=${simulator.baseUrl} APIYI_API_KEY=${key} ${SERVER_NAME} generate "a red fox in the snow"\n` +
      'Press Ctrl+C to stop.\n',
  );
  const stop = (): void => {
    void simulator.close().then(() => process.exit(EXIT_CODES.ok));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return 'running';
}
