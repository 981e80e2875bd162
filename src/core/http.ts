/**
 * HTTP for the whole process, loaded on first use so start-up does not pay for it: one pooled
 * undici Agent for the configured gateway's API (keep-alive connections reused across calls and
 * across server instances), and one per outbound policy for URLs the server was given, whose
 * connections go only where the policy allows (guarded-connect.ts). undici sends no credentials
 * written in a URL (user:password@), so a URL cannot make the server authenticate anywhere.
 */
import type { Readable } from 'node:stream';
import type { Agent, Dispatcher, FormData } from 'undici';
import type { guardedConnector as GuardedConnector } from './guarded-connect.js';
import type { OutboundPolicy } from './outbound-policy.js';

type Undici = typeof import('undici');

interface HttpStack {
  readonly undici: Undici;
  readonly guardedConnector: typeof GuardedConnector;
  /** API calls to the configured gateway: no redirects (a redirected POST would be re-sent somewhere else). */
  readonly api: Agent;
  /** URLs the server was given, by policy: addresses checked at connect time, a few redirects followed. */
  readonly outbound: Map<string, { readonly agent: Agent; readonly dispatcher: Dispatcher }>;
}

let stack: Promise<HttpStack> | undefined;

/**
 * Deadlines come from each call's AbortSignal (per-model timeouts up to minutes); undici's own
 * 300 s defaults would cut the slowest models' calls short.
 */
const AGENT_OPTIONS = { keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 } as const;
const CONNECT_TIMEOUT_MS = 15_000;
const MAX_REDIRECTIONS = 3;

function loadStack(): Promise<HttpStack> {
  stack ??= Promise.all([import('undici'), import('./guarded-connect.js')]).then(([undici, { guardedConnector }]) => ({
    undici,
    guardedConnector,
    api: new undici.Agent({ ...AGENT_OPTIONS, connect: { timeout: CONNECT_TIMEOUT_MS } }),
    outbound: new Map(),
  }));
  return stack;
}

/** The dispatcher for fetches under a policy, made once per policy and pooled like the API's. */
function outboundDispatcher(http: HttpStack, policy: OutboundPolicy): Dispatcher {
  const key = JSON.stringify([policy.allowPrivate, [...policy.trustedOrigins].sort()]);
  let entry = http.outbound.get(key);
  if (!entry) {
    const { Agent, buildConnector, interceptors } = http.undici;
    const agent = new Agent({
      ...AGENT_OPTIONS,
      connect: http.guardedConnector(policy, buildConnector, { timeout: CONNECT_TIMEOUT_MS }),
    });
    // Each redirect that leads to another origin opens a connection of its own, checked the same way.
    entry = { agent, dispatcher: agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS })) };
    http.outbound.set(key, entry);
  }
  return entry.dispatcher;
}

interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | Readable | FormData;
  readonly signal: AbortSignal;
  /**
   * A URL the server was given (an input image, a result URL), not the configured gateway API:
   * fetched under this policy, following redirects, never with credentials.
   */
  readonly outbound?: OutboundPolicy;
}

export type HttpResponse = Dispatcher.ResponseData;

export async function httpRequest(url: string, init: HttpRequest): Promise<HttpResponse> {
  const http = await loadStack();
  return http.undici.request(url, {
    dispatcher: init.outbound ? outboundDispatcher(http, init.outbound) : http.api,
    method: init.method,
    headers: init.headers ?? {},
    body: init.body ?? null,
    signal: init.signal,
  });
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`response body over ${limit} bytes`);
  }
}

/** The whole body, refusing (and discarding) anything over `limit` bytes. */
export async function readBody(response: HttpResponse, limit: number): Promise<Buffer> {
  const declared = Number(headerValue(response.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    response.body.destroy();
    throw new BodyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      response.body.destroy();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

/**
 * At most the first `limit` bytes of a body; the rest is never read (the connection is closed
 * instead), so a huge answer costs no more than its prefix.
 */
export async function readPrefix(response: HttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= limit) break;
    }
  } finally {
    response.body.destroy();
  }
  return Buffer.concat(chunks, total).subarray(0, limit);
}

/** Drain and drop a body we do not need, so the connection can be reused. */
export async function discardBody(response: HttpResponse): Promise<void> {
  await response.body.dump().catch(() => undefined);
}

export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Close pooled connections (at shutdown), so keep-alive sockets do not hold the process open. */
export async function closeHttp(): Promise<void> {
  if (!stack) return;
  const { api, outbound } = await stack;
  stack = undefined;
  await Promise.all([api.close(), ...[...outbound.values()].map(({ agent }) => agent.close())]);
}

export type { OutboundPolicy };
