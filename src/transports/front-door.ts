/**
 * The first moments of a stdio session. A client starts the server and sends `initialize`, then
 * `tools/list`, and waits; loading the MCP SDK, zod and the tools takes longer than Node itself
 * takes to start. So the front door reads stdin first and answers those two from the answers made
 * at build time (start-answers.ts), while anything else waits: the first other request has the
 * server loaded (as does a quiet moment after `tools/list`), and then everything read so far is
 * handed to it, in order, and stdin after it.
 *
 * The server still sees the session from its start: the front door's `initialize` is handed over
 * too, under an id of its own (`ANSWERED_ID`), and the server's answer to it is dropped, since the
 * client has had its answer. Lines are split as the SDK's stdio transport splits them.
 */
import type { Writable } from 'node:stream';
import type { Logger } from '../core/log.js';
import { initializeResult, type StartAnswers, toolsListJson } from './start-answers.js';

/** The id the front door's initialize is handed over with: the server's answer to it is not sent. */
export const ANSWERED_ID = 'flux-mcp:initialize-answered-at-start';
/** With no request for the server before this, it is loaded anyway, so the first call does not wait for it. */
const LOAD_WHEN_QUIET_MS = 150;

type Message = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An initialize request the SDK would accept, from a client that declares no protocol extension:
 * the front door answers only those. A client with extensions (MCP Apps) gets another tools/list
 * than the one made at build time, so it waits for the server proper.
 */
function isInitialize(message: Message): boolean {
  if (message.method !== 'initialize' || !isObject(message.params)) return false;
  const { protocolVersion, capabilities, clientInfo } = message.params;
  return (
    typeof protocolVersion === 'string' &&
    isObject(capabilities) &&
    capabilities.extensions === undefined &&
    isObject(clientInfo) &&
    typeof clientInfo.name === 'string' &&
    typeof clientInfo.version === 'string'
  );
}

export class FrontDoor {
  /** Complete lines read and not answered here (or answered and to be replayed), in order. */
  private readonly held: string[] = [];
  /** After the last newline: a line still being read. */
  private partial = '';
  /** Where stdin goes once the server is there. */
  private server: ((text: string) => void) | undefined;
  private loadRequested = false;
  /** tools/list is answered here only after an initialize answered here (same client, no extensions). */
  private answeredInitialize = false;
  private quietTimer: NodeJS.Timeout | undefined;

  /**
   * `answers` undefined (the server run without its build step) answers nothing: the server is
   * loaded at once. `load` is called once, when the server is needed; it then calls `handOver`.
   */
  constructor(
    private readonly out: Writable,
    private readonly answers: StartAnswers | undefined,
    private readonly outputDir: string,
    private readonly log: Logger,
    private readonly load: () => void,
  ) {
    if (!answers) this.requestLoad();
  }

  /** A chunk of stdin. */
  receive(chunk: Buffer | string): void {
    const text = chunk.toString();
    if (this.server) {
      this.server(text);
      return;
    }
    if (this.loadRequested) {
      this.partial += text; // the server reads it soon; nothing more is answered here
      return;
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.take(line.replace(/\r$/, ''));
  }

  /** The server is up: it gets everything read so far, and stdin from now on, through `write`. */
  handOver(write: (text: string) => void): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.server = write;
    const text = this.held.map((line) => `${line}\n`).join('') + this.partial;
    this.held.length = 0;
    this.partial = '';
    if (text) write(text);
  }

  private take(line: string): void {
    if (this.loadRequested) {
      this.held.push(line);
      return;
    }
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      message = {};
    }
    const request = isObject(message) && message.jsonrpc === '2.0' && 'id' in message && 'method' in message;
    if (request && this.answers && isInitialize(message)) {
      const requested = (message.params as { protocolVersion: string }).protocolVersion;
      this.reply(message.id, JSON.stringify(initializeResult(this.answers, requested)));
      this.log.debug('answered initialize with the answer made at build time');
      this.held.push(JSON.stringify({ ...message, id: ANSWERED_ID }));
      this.answeredInitialize = true;
      this.loadWhenQuiet(LOAD_WHEN_QUIET_MS);
    } else if (request && this.answers && this.answeredInitialize && message.method === 'tools/list') {
      this.reply(message.id, toolsListJson(this.answers, this.outputDir));
      this.log.debug('answered tools/list with the answer made at build time');
      this.loadWhenQuiet(0); // the next thing a client does is call a tool: be ready
    } else {
      this.held.push(line);
      // A notification waits for the server without needing it now; anything else needs it.
      if (!isObject(message) || 'id' in message || !line.trim()) this.requestLoad();
    }
  }

  private reply(id: unknown, resultJson: string): void {
    this.out.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultJson}}\n`);
  }

  private loadWhenQuiet(delayMs: number): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.requestLoad(), delayMs);
  }

  private requestLoad(): void {
    if (this.loadRequested) return;
    this.log.debug('loading the server');
    this.loadRequested = true;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.load();
  }
}
