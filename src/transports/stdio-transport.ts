/**
 * The stdio transport: newline-delimited JSON-RPC on stdin and stdout. It replaces the SDK's
 * StdioServerTransport, which closes the whole session on a message over its 10 MB buffer (the
 * process then exits 0 and calls under way are never answered) and answers a malformed line with
 * silence. Here:
 *
 * - a line over MAX_STDIO_MESSAGE_BYTES is skipped to its end without being held, and answered
 *   with a JSON-RPC error (to its id when the id can be read from the line's first or last bytes);
 * - a line that is not JSON gets a parse error, one that is not JSON-RPC an invalid-request error;
 * - the session goes on either way, and so do the calls under way.
 *
 * Lines are assembled from the chunks they arrive in, each byte looked at once.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

/** The largest message read (the SDK's own limit): reference images go by path, not inline. */
export const MAX_STDIO_MESSAGE_BYTES = 10 * 1024 * 1024;

/** How much of an oversized line is kept to find its id: the id is near the start or the end. */
const ID_WINDOW_BYTES = 256;

type RequestId = string | number;

/** `{"jsonrpc":"2.0","id":7,…` or `{"id":7,…` at the start of a line: the id of the top-level object. */
const ID_AT_START = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d{1,15}|"[^"\\]{0,200}")/;
/** `…,"id":7}` at the end: one closing brace, so it closes the top-level object (SDK clients write this). */
const ID_AT_END = /"id"\s*:\s*(-?\d{1,15}|"[^"\\]{0,200}")\s*\}\s*$/;

interface StdioLog {
  warn(message: string): void;
}

export class LineDelimitedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  /** Resolves when stdout, full, has drained; undefined while it takes writes. */
  private drained: Promise<void> | undefined;
  private size = 0;
  /** Set while skipping an oversized line: its first bytes, and the last ones seen so far. */
  private oversized: { head: Buffer; tail: Buffer; bytes: number } | undefined;
  private started = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly log: StdioLog | undefined = undefined,
    private readonly maxMessageBytes = MAX_STDIO_MESSAGE_BYTES,
  ) {}

  async start(): Promise<void> {
    if (this.started) throw new Error('the stdio transport is already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onError);
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.chunks = [];
    this.size = 0;
    this.oversized = undefined;
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.stdout.write(`${JSON.stringify(message)}\n`) && this.drained === undefined) return Promise.resolve();
    // The pipe is full: every message sent until it drains waits for that one 'drain' (a
    // listener each would pass Node's limit of ten when hundreds of calls report progress).
    this.drained ??= new Promise((resolve) =>
      this.stdout.once('drain', () => {
        this.drained = undefined;
        resolve();
      }),
    );
    return this.drained;
  }

  private readonly onError = (error: Error): void => {
    this.onerror?.(error);
  };

  private readonly onData = (data: Buffer | string): void => {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      this.append(newline < 0 ? chunk.subarray(start) : chunk.subarray(start, newline));
      if (newline < 0) return;
      this.endLine();
      start = newline + 1;
    }
  };

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.oversized) {
      this.oversized.bytes += piece.length;
      this.oversized.tail = lastBytes(Buffer.concat([this.oversized.tail, lastBytes(piece)]));
      return;
    }
    if (this.size + piece.length <= this.maxMessageBytes) {
      this.chunks.push(piece);
      this.size += piece.length;
      return;
    }
    // Too long: keep only what is needed to answer, and drop the rest as it arrives.
    const sofar = Buffer.concat([...this.chunks, piece]);
    this.oversized = {
      head: Buffer.from(sofar.subarray(0, ID_WINDOW_BYTES)),
      tail: lastBytes(sofar),
      bytes: sofar.length,
    };
    this.chunks = [];
    this.size = 0;
  }

  private endLine(): void {
    const oversized = this.oversized;
    this.oversized = undefined;
    if (oversized) {
      this.refuseOversized(oversized);
      return;
    }
    const line = Buffer.concat(this.chunks, this.size).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (line.trim() === '') return;
    this.receive(line);
  }

  private receive(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      this.answerError(
        null,
        ErrorCode.ParseError,
        `Parse error: the message is not JSON (${(error as Error).message})`,
      );
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.answerError(
        idOf(json),
        ErrorCode.InvalidRequest,
        'Invalid Request: the message is not a JSON-RPC 2.0 message',
      );
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private refuseOversized({ head, tail, bytes }: { head: Buffer; tail: Buffer; bytes: number }): void {
    const id = matchId(ID_AT_START, head) ?? matchId(ID_AT_END, tail) ?? null;
    const message =
      `Invalid Request: the message is ${bytes.toLocaleString('en-US')} bytes, over the ` +
      `${this.maxMessageBytes.toLocaleString('en-US')}-byte limit for one stdio message; ` +
      `pass images by path or URL, not as data URLs`;
    this.log?.warn(`stdio: refused a message of ${bytes} bytes${id === null ? '' : ` (id ${JSON.stringify(id)})`}`);
    this.answerError(id, ErrorCode.InvalidRequest, message);
  }

  private answerError(id: RequestId | null, code: number, message: string): void {
    // JSON-RPC answers an unreadable request with id null; the SDK's types want an id, hence the cast.
    const answer = { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
    this.send(answer).catch((error: unknown) => this.onerror?.(error as Error));
  }
}

/** A copy of the last bytes, so that the big buffer they come from can be freed. */
function lastBytes(buffer: Buffer): Buffer {
  return Buffer.from(buffer.length <= ID_WINDOW_BYTES ? buffer : buffer.subarray(buffer.length - ID_WINDOW_BYTES));
}

function matchId(pattern: RegExp, window: Buffer): RequestId | undefined {
  const raw = pattern.exec(window.toString('utf8'))?.[1];
  if (raw === undefined) return undefined;
  return raw.startsWith('"') ? raw.slice(1, -1) : Number(raw);
}

/** The id of a parsed message that is not valid JSON-RPC, when it has a usable one. */
function idOf(json: unknown): RequestId | null {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}
