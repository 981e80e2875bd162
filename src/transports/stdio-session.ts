/**
 * The server proper behind the stdio front door (front-door.ts): an MCP session over the
 * line-delimited stdio transport (stdio-transport.ts), reading what the front door hands over and then
 * stdin, writing to stdout. Loaded when the front door needs it.
 *
 * When stdin ends or a signal arrives, the requests already read are answered and calls under way
 * are allowed to finish and save their images (up to the grace period) before the process exits.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config.js';
import { closeHttp } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { InFlightCalls } from '../mcp/in-flight.js';
import { createServer } from '../server.js';
import { ANSWERED_ID } from './front-door.js';
import { LineDelimitedStdioTransport } from './stdio-transport.js';

export interface StdioSession {
  /** Where stdin goes. */
  readonly input: (text: string) => void;
  /** Answers what was read, lets calls under way finish (up to the grace period), then exits 0. */
  stop(reason: string): Promise<never>;
}

const isRequest = (message: JSONRPCMessage): message is JSONRPCMessage & { id: string | number } =>
  'id' in message && 'method' in message;

export async function startStdioSession(config: Config, log: Logger): Promise<StdioSession> {
  const inFlight = new InFlightCalls();
  const server = createServer(config, { log, inFlight });
  const input = new PassThrough();
  // Oversized and malformed lines are answered with errors and the session lives on (stdio-transport.ts).
  const transport = new LineDelimitedStdioTransport(input, process.stdout, log);

  // Requests read and not yet answered: shutdown answers them first.
  const unanswered = new Set<string | number>();
  let allAnswered: (() => void) | undefined;
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage) => {
    if ('id' in message && !('method' in message) && message.id !== undefined) {
      // The client already has the answer to the initialize the front door answered.
      if (message.id === ANSWERED_ID) return Promise.resolve();
      unanswered.delete(message.id);
      if (unanswered.size === 0) allAnswered?.();
    }
    return send(message);
  };
  await server.connect(transport);
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if (isRequest(message) && message.id !== ANSWERED_ID) unanswered.add(message.id);
    receive?.(message);
  };

  let stopping: Promise<never> | undefined;
  const stop = (reason: string): Promise<never> => {
    stopping ??= (async () => {
      input.end();
      await once(input, 'end'); // every line read has reached the server
      if (inFlight.size > 0) log.info(`${reason}: waiting for ${inFlight.size} call(s) under way to finish`);
      const answered =
        unanswered.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (allAnswered = resolve));
      const finished = await Promise.race([
        Promise.all([inFlight.drain(config.shutdownGraceMs), answered]).then(([drained]) => drained),
        new Promise<false>((resolve) => setTimeout(resolve, config.shutdownGraceMs, false).unref()),
      ]);
      if (!finished)
        log.warn(
          `${reason}: calls still under way after ${config.shutdownGraceMs / 1000} s; ` +
            `exiting (their images may be lost)`,
        );
      await server.close().catch(() => undefined);
      await closeHttp().catch(() => undefined);
      process.exit(0);
    })();
    return stopping;
  };
  return { input: (text) => input.write(text), stop };
}
