/**
 * HTTP for the whole process: one pooled undici Agent (keep-alive connections reused across
 * calls and across server instances), loaded on first use so start-up does not pay for it.
 */
import type { Readable } from 'node:stream';
import type { Agent, Dispatcher, FormData } from 'undici';

interface HttpStack {
  readonly agent: Agent;
  /** API calls: no redirects (a redirected POST would be re-sent somewhere else). */
  readonly api: Dispatcher;
  /** Result downloads: a few redirects allowed, never with credentials. */
  readonly downloads: Dispatcher;
  readonly request: typeof import('undici').request;
}

let stack: Promise<HttpStack> | undefined;

function loadStack(): Promise<HttpStack> {
  stack ??= import('undici').then(({ Agent, interceptors, request }) => {
    const agent = new Agent({
      keepAliveTimeout: 30_000,
      // Deadlines come from each call's AbortSignal (per-model timeouts up to minutes);
      // undici's own 300 s defaults would cut the slowest models' calls short.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: { timeout: 15_000 },
    });
    return {
      agent,
      api: agent,
      downloads: agent.compose(interceptors.redirect({ maxRedirections: 3 })),
      request,
    };
  });
  return stack;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | Readable | FormData;
  readonly signal: AbortSignal;
  /** Follow redirects (downloads only). */
  readonly followRedirects?: boolean;
}

export type HttpResponse = Dispatcher.ResponseData;

export async function httpRequest(url: string, init: HttpRequest): Promise<HttpResponse> {
  const http = await loadStack();
  return http.request(url, {
    dispatcher: init.followRedirects ? http.downloads : http.api,
    method: init.method,
    headers: init.headers,
    body: init.body,
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
  const { agent } = await stack;
  stack = undefined;
  await agent.close();
}
