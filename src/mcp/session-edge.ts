/**
 * The edge of one MCP session, between the SDK's Server and whatever transport it is connected
 * to (stdio, Streamable HTTP, in-memory for the CLI and tests):
 *
 * - every message the server sends passes the redaction boundary (core/redact.ts): results,
 *   JSON-RPC errors, progress and log notifications alike, whatever a gateway echoed into them;
 * - where a session has a beginning (stdio, in-memory), a request that comes before `initialize`
 *   is refused with a JSON-RPC error, as the protocol's life cycle requires. Stateless HTTP makes
 *   a session per POST, so there every request is its own beginning and the gate is off.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { Redactor } from '../core/redact.js';

interface EdgeOptions {
  readonly redactor: Redactor;
  /** Refuse requests (other than ping) until the client has sent `initialize`. */
  readonly requireInitialize: boolean;
}

/** Requests a client may send before `initialize` (the spec allows pings at any time). */
const BEFORE_INITIALIZE = new Set(['initialize', 'ping']);

/** A transport seen through the session's edge; everything else is passed to the real one. */
class EdgeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private initialized: boolean;

  constructor(
    private readonly inner: Transport,
    private readonly options: EdgeOptions,
  ) {
    this.initialized = !options.requireInitialize;
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => this.receive(message, extra);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(this.options.redactor.value(message), options);
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (!this.initialized && 'method' in message) {
      if (message.method === 'initialize') {
        this.initialized = true;
      } else if (!BEFORE_INITIALIZE.has(message.method)) {
        // A notification gets no answer; a request gets an error, and neither reaches the server.
        if ('id' in message) {
          void this.send({
            jsonrpc: '2.0',
            id: message.id,
            error: {
              code: ErrorCode.InvalidRequest,
              message: `"${message.method}" before "initialize": a session starts with an initialize request`,
            },
          }).catch(() => undefined);
        }
        return;
      }
    }
    this.onmessage?.(message, extra);
  }
}

/** The SDK's Server, connected through the session's edge whatever transport it is given. */
export class EdgeServer extends Server {
  constructor(
    info: ConstructorParameters<typeof Server>[0],
    options: ConstructorParameters<typeof Server>[1],
    private readonly edge: EdgeOptions,
  ) {
    super(info, options);
  }

  override connect(transport: Transport): Promise<void> {
    return super.connect(new EdgeTransport(transport, this.edge));
  }
}
