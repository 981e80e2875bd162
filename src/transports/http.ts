/**
 * The server over Streamable HTTP (`apiyi-flux-mcp serve --http`), stateless: every POST to /mcp gets a
 * fresh MCP session on the process's one runtime (gateway pool, call limiter, library, calls in
 * flight), answered as JSON or an SSE stream (progress notifications come through it).
 *
 * Protection, before the SDK sees a request:
 * - bound to 127.0.0.1 unless told otherwise; any other bind requires a bearer token
 *   (FLUX_MCP_HTTP_TOKEN) of at least 32 characters, compared in constant time;
 * - edit_images reads local files only in FLUX_MCP_HTTP_INPUT_DIRS (default: the output directory);
 * - on loopback, the Host header must name the server itself (127.0.0.1, localhost or [::1] and
 *   its port) and an Origin, when sent, must be a loopback one: a web page that rebinds its own
 *   DNS name to 127.0.0.1 cannot reach the server.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as NodeHttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { type Config, MIN_HTTP_TOKEN_LENGTH } from '../config.js';
import { closeHttp } from '../core/http.js';
import { outputDirWarning } from '../library/output-dir-check.js';
import { createRuntime, createSession, type ServerOptions } from '../server.js';

const MCP_PATH = '/mcp';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

interface HttpOptions {
  readonly port: number;
  readonly host: string;
  /** Required of every request when set; required to be set for a non-loopback bind. */
  readonly token: string | undefined;
}

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  close(graceMs?: number): Promise<void>;
}

export class HttpSetupError extends Error {
  override readonly name = 'HttpSetupError';
}

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

function jsonRpcError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The host name of a Host header ("127.0.0.1:8080", "[::1]:8080", "localhost"). */
function hostName(header: string): string {
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(header.trim());
  return (match?.[1] ?? header).toLowerCase();
}

function hostPort(header: string): string | undefined {
  return /:(\d+)$/.exec(header.trim())?.[1];
}

export async function startHttpServer(
  config: Config,
  http: HttpOptions,
  options: ServerOptions = {},
): Promise<RunningHttpServer> {
  const loopback = isLoopback(http.host);
  if (!loopback && !http.token) {
    throw new HttpSetupError(
      `refusing to listen on ${http.host} without a token: ` +
        'set FLUX_MCP_HTTP_TOKEN (clients then send "Authorization: Bearer <token>"), or bind to 127.0.0.1',
    );
  }
  if (!loopback && http.token && http.token.length < MIN_HTTP_TOKEN_LENGTH) {
    throw new HttpSetupError(
      `refusing to listen on ${http.host} with a FLUX_MCP_HTTP_TOKEN of ${http.token.length} characters: ` +
        `beyond loopback it must have at least ${MIN_HTTP_TOKEN_LENGTH} (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  // HTTP clients are not the user: they read only files in the directories the operator lists.
  const fileInputDirs = config.httpInputDirs.length > 0 ? config.httpInputDirs : [config.outputDir];
  const runtime = createRuntime(config, { ...options, fileInputDirs });
  const log = runtime.log;
  let port = http.port;

  /** Why a request is refused, or undefined when it may go on. */
  const refusal = (
    req: IncomingMessage,
  ): { status: number; message: string; headers?: Record<string, string> } | undefined => {
    if (loopback) {
      const host = req.headers.host ?? '';
      if (!isLoopback(hostName(host)) || hostPort(host) !== String(port)) {
        return { status: 403, message: `Forbidden: Host "${host}" is not this server (DNS rebinding protection)` };
      }
      const origin = req.headers.origin;
      if (origin !== undefined) {
        let originHost = '';
        try {
          originHost = new URL(origin).hostname;
        } catch {
          // an unreadable Origin is refused below
        }
        if (!isLoopback(originHost)) return { status: 403, message: `Forbidden: Origin "${origin}" is not allowed` };
      }
    }
    if (http.token) {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (!given || !sameSecret(given, http.token)) {
        return {
          status: 401,
          message: 'Unauthorized: send "Authorization: Bearer <FLUX_MCP_HTTP_TOKEN>"',
          headers: { 'www-authenticate': 'Bearer realm="apiyi-flux-mcp"' },
        };
      }
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== MCP_PATH) return jsonRpcError(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}`);
    const refused = refusal(req);
    if (refused) {
      log.warn(`http: refused ${req.method} ${url.pathname} from ${req.socket.remoteAddress}: ${refused.message}`);
      return jsonRpcError(res, refused.status, refused.message, refused.headers);
    }
    if (req.method !== 'POST') {
      // Stateless: no session to stream to (GET) or end (DELETE).
      return jsonRpcError(res, 405, 'Method not allowed: this server is stateless; POST JSON-RPC messages to /mcp', {
        allow: 'POST',
      });
    }
    // Stateless: every POST is a session of its own, so it cannot be required to start with initialize.
    const server = createSession(runtime, { requireInitialize: false });
    const transport = new StreamableHTTPServerTransport({}); // no sessionIdGenerator: stateless
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };

  const httpServer: NodeHttpServer = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error(`http: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) jsonRpcError(res, 500, 'Internal server error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(http.port, http.host, () => resolve());
  });
  port = (httpServer.address() as AddressInfo).port;
  const shownHost = http.host.includes(':') ? `[${http.host}]` : http.host;
  const url = `http://${shownHost}:${port}${MCP_PATH}`;
  log.info(
    `apiyi-flux-mcp on Streamable HTTP at ${url}${http.token ? ' (bearer token required)' : ''}; ` +
      `images go to ${config.outputDir}`,
  );
  // Said at start, not at the first paid call; the server serves either way.
  const warning = await outputDirWarning(config.outputDir, 'set FLUX_MCP_OUTPUT_DIR to a folder you can write to');
  if (warning) log.warn(warning);

  return {
    url,
    port,
    close: async (graceMs = config.shutdownGraceMs) => {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await runtime.inFlight.drain(graceMs);
      httpServer.closeAllConnections();
      await closed;
      await closeHttp().catch(() => undefined);
    },
  };
}
