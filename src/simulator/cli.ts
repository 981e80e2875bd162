/**
 * `apiyi-flux-mcp simulate`: the gateway simulator on its own, so a user can point an MCP client at it
 * (APIYI_BASE_URL) and try a workflow without a key or cost.
 */
import { parseArgs } from 'node:util';
import { GatewaySimulator } from './gateway-simulator.js';

const HELP = `apiyi-flux-mcp simulate: a local stand-in for the APIYI image gateway

Options:
  --port N          port to listen on (default 8787; 0 picks a free one)
  --host H          address to bind (default 127.0.0.1)
  --ttl-seconds S   lifetime of result URLs (default 600, like the gateway)
  --latency-ms MS   added to every generation (default 0)
  --key KEY         accept only this API key (default: any)
`;

export async function runSimulatorCli(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'ttl-seconds': { type: 'string', default: '600' },
      'latency-ms': { type: 'string', default: '0' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const numberOption = (name: string, raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not "${raw}"`);
    return value;
  };
  const simulator = await GatewaySimulator.start({
    port: numberOption('port', values.port),
    host: values.host,
    resultTtlMs: numberOption('ttl-seconds', values['ttl-seconds']) * 1000,
    latencyMs: numberOption('latency-ms', values['latency-ms']),
    ...(values.key ? { apiKey: values.key } : {}),
    onRequestLog: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(
    `Gateway simulator listening on ${simulator.baseUrl}\n` +
      `Point the server at it with APIYI_BASE_URL=${simulator.baseUrl} and any APIYI_API_KEY${values.key ? ' (the one given with --key)' : ''}.\n` +
      'Press Ctrl+C to stop.\n',
  );
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
