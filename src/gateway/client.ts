/**
 * The gateway client. `send` is the one place a request to the gateway's API is made, with the
 * retry and cancellation policy; `download` is the one place a result URL is fetched, retried
 * while the URL lives. Both turn every failure into a ToolFailure.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { cancelledFailure, ToolFailure, throwIfCancelled } from '../core/failure.js';
import { BodyTooLargeError, discardBody, type HttpResponse, headerValue, httpRequest, readBody } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { decodeBase64Strict } from '../imaging/base64.js';
import { type ImageInfo, inspectImage } from '../imaging/inspect.js';
import { type RequestBody, RequestBodyError } from './bodies.js';
import { describeErrorJson, failureFromNetworkError, failureFromResponse } from './errors.js';
import { isRetryableStatus, retryDelayMs } from './retry.js';

/** Largest API answer accepted: a gpt-image-2 4K PNG in base64 is ~40 MB. */
const MAX_API_BODY_BYTES = 100 * 1024 * 1024;
/** Largest result image downloaded (a 4 MP PNG is ~12 MB). */
const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;
/** Result URLs are on a CDN: a download that takes longer than this is stuck. */
const DOWNLOAD_TIMEOUT_MS = 60_000;
/** Result URLs expire 10 minutes after the image is made (seeds). */
const RESULT_URL_LIFETIME_MS = 10 * 60_000;
const DEFAULT_RETRY_BASE_MS = 500;

export interface GatewayClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly userAgent: string;
  readonly log: Logger;
  /** Retries after a 429, a 5xx or a connection failure before any answer. */
  readonly maxRetries: number;
  /** First backoff step when the server gives no delay (tests make it short). */
  readonly retryBaseMs?: number;
}

/** Hears what a call is doing, for progress notifications. */
export interface CallObserver {
  sending?(attempt: number, attempts: number): void;
  retrying?(reason: string, attempt: number, attempts: number, delayMs: number): void;
  downloading?(attempt: number): void;
}

export interface CallOptions {
  /** The model's timeout: the gateway holds the connection until the image is done. */
  readonly timeoutMs: number;
  /**
   * The tool call's signal: fires when the client cancels. Honoured until a request goes out
   * (and between retries); after that the call continues so the paid image is saved.
   */
  readonly signal?: AbortSignal;
  readonly observer?: CallObserver;
}

export interface TokenUsage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  readonly total_tokens?: number;
}

export interface GatewayImage {
  readonly bytes: Buffer;
  readonly info: ImageInfo;
  readonly requestId: string | undefined;
  readonly usage: TokenUsage | undefined;
  /** Requests to the API it took, retries included. */
  readonly attempts: number;
}

const ImagesResponse = z.looseObject({
  created: z.number().optional(),
  data: z.array(z.looseObject({ url: z.string().nullish(), b64_json: z.string().nullish() })),
  usage: z
    .looseObject({
      input_tokens: z.number().optional(),
      output_tokens: z.number().optional(),
      total_tokens: z.number().optional(),
    })
    .optional(),
});

function flatHeaders(headers: HttpResponse['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.keys(headers)) out[name] = headerValue(headers, name);
  return out;
}

export class GatewayClient {
  constructor(private readonly options: GatewayClientOptions) {}

  /** Text-to-image, and FLUX edits (input_image…): JSON to /images/generations. */
  async generate(body: RequestBody, call: CallOptions): Promise<GatewayImage> {
    const answer = await this.send('/images/generations', body, call);
    return this.imageFrom(answer, call);
  }

  /** gpt-image-2 edits: multipart to /images/edits. */
  async edit(body: RequestBody, call: CallOptions): Promise<GatewayImage> {
    const answer = await this.send('/images/edits', body, call);
    return this.imageFrom(answer, call);
  }

  /**
   * POST to the gateway's API and return the parsed JSON of a 2xx answer, retrying what the
   * policy allows (retry.ts). The client's cancellation is honoured only until a request goes
   * out: after that the gateway may bill the image, so the call sees it through.
   */
  private async send(path: string, body: RequestBody, call: CallOptions): Promise<ApiAnswer> {
    const attempts = 1 + this.options.maxRetries;
    for (let attempt = 1; ; attempt++) {
      // Before each attempt: every earlier one failed without an image, so nothing is pending.
      throwIfCancelled(call.signal);
      call.observer?.sending?.(attempt, attempts);
      const outcome = await this.attempt(path, body, call.timeoutMs);
      if ('answer' in outcome) return { ...outcome.answer, attempts: attempt };
      if (attempt >= attempts) throw withAttempts(outcome.failure, attempt);
      const delayMs = retryDelayMs(attempt, outcome.headers, this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS);
      this.options.log.warn(
        `${path}: ${outcome.failure.category}: ${outcome.failure.message}; attempt ${attempt + 1} of ${attempts} in ${(delayMs / 1000).toFixed(1)} s`,
      );
      call.observer?.retrying?.(outcome.failure.message, attempt + 1, attempts, delayMs);
      try {
        await sleep(delayMs, undefined, call.signal ? { signal: call.signal } : {});
      } catch {
        throw cancelledFailure();
      }
    }
  }

  /** One request. Resolves with the answer or a failure worth retrying; throws any other failure. */
  private async attempt(
    path: string,
    body: RequestBody,
    timeoutMs: number,
  ): Promise<{ answer: Omit<ApiAnswer, 'attempts'> } | Retryable> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const timedOut = (): ToolFailure =>
      new ToolFailure(
        'timeout',
        `no answer from the gateway within ${timeoutMs >= 10_000 ? Math.round(timeoutMs / 1000) : timeoutMs / 1000} s`,
        {
          hint: 'The gateway may still have made and billed the image, so the request was not sent again. Check the APIYI console before calling again, or use a faster model (flux-2-klein-9b, flux-2-pro).',
        },
      );

    let response: HttpResponse;
    try {
      response = await httpRequest(`${this.options.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          ...(body.contentType ? { 'content-type': body.contentType } : {}),
          ...(body.length !== undefined ? { 'content-length': String(body.length) } : {}),
          accept: 'application/json',
          'user-agent': this.options.userAgent,
        },
        body: await body.open(),
        signal: deadline,
      });
    } catch (error) {
      if (deadline.aborted) throw timedOut();
      if (error instanceof RequestBodyError) {
        // The request was cut before its body was complete, so the gateway cannot have run it.
        throw new ToolFailure('invalid_argument', `the request could not be sent whole: ${error.message}`, {
          hint: 'Nothing was billed. Make sure the input files stay unchanged during the call, then call again.',
        });
      }
      // The connection failed before any answer: worth another attempt (gateway.md).
      this.options.log.debug(
        `${path}: request failed before any answer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return { failure: failureFromNetworkError(error, this.options.baseUrl), headers: {} };
    }

    const headers = flatHeaders(response.headers);
    const requestId = headers['x-request-id'];
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    let raw: Buffer;
    try {
      raw = await readBody(response, MAX_API_BODY_BYTES);
    } catch (error) {
      if (deadline.aborted) throw timedOut();
      const what = error instanceof BodyTooLargeError ? `was over ${error.limit} bytes` : 'broke off';
      const failure = new ToolFailure('gateway_error', `the gateway's answer (HTTP ${response.statusCode}) ${what}`, {
        ...(requestId ? { requestId } : {}),
        hint: 'The image may have been made and billed. Call again; if this repeats, contact APIYI support with the request id.',
      });
      if (!ok && isRetryableStatus(response.statusCode, headers)) return { failure, headers };
      throw failure;
    }

    if (!ok) {
      const failure = failureFromResponse({
        status: response.statusCode,
        headers,
        body: raw,
        requestId,
        baseUrl: this.options.baseUrl,
      });
      if (isRetryableStatus(response.statusCode, headers)) return { failure, headers };
      throw failure;
    }
    try {
      return { answer: { json: JSON.parse(raw.toString('utf8')), requestId } };
    } catch {
      // A 200 may have been billed: never sent again.
      throw new ToolFailure(
        'gateway_error',
        `the gateway answered HTTP ${response.statusCode} with a body that is not JSON`,
        {
          ...(requestId ? { requestId } : {}),
          hint: 'Call again in a moment; if this repeats, contact APIYI support with the request id.',
        },
      );
    }
  }

  /** The image in a 2xx answer: downloaded from data[0].url at once, or decoded from b64_json. */
  private async imageFrom(answer: ApiAnswer, call: CallOptions): Promise<GatewayImage> {
    const { requestId, attempts } = answer;
    const withId = requestId ? { requestId } : {};
    const parsed = ImagesResponse.safeParse(answer.json);
    const first = parsed.success ? parsed.data.data[0] : undefined;
    if (!parsed.success || !first || (!first.url && !first.b64_json)) {
      // Some relays answer 200 with an error envelope instead of an image.
      const said = describeErrorJson(answer.json)?.message;
      const quote = said ? `: "${said}"` : '';
      throw new ToolFailure(
        'gateway_error',
        `the gateway answered without an image (no data[0].url or data[0].b64_json)${quote}`,
        {
          ...withId,
          hint: 'Only answers with an image are billed. Call again; if this repeats, contact APIYI support with the request id.',
        },
      );
    }
    const usage = parsed.data.usage
      ? {
          ...(parsed.data.usage.input_tokens !== undefined ? { input_tokens: parsed.data.usage.input_tokens } : {}),
          ...(parsed.data.usage.output_tokens !== undefined ? { output_tokens: parsed.data.usage.output_tokens } : {}),
          ...(parsed.data.usage.total_tokens !== undefined ? { total_tokens: parsed.data.usage.total_tokens } : {}),
        }
      : undefined;

    let bytes: Buffer;
    let source: string;
    if (first.b64_json) {
      bytes = decodeBase64Image(first.b64_json, requestId);
      source = 'the b64_json in the answer';
    } else {
      bytes = await this.download(first.url!, requestId, call.observer);
      source = 'the delivery URL';
    }
    const info = await inspectImage(bytes);
    if (!info) {
      throw new ToolFailure(
        'gateway_error',
        `${source} did not hold a png, jpeg or webp image (${bytes.length} bytes)`,
        {
          ...withId,
          hint: 'The image may have been billed; contact APIYI support with the request id if this repeats.',
        },
      );
    }
    return { bytes, info, requestId, usage, attempts };
  }

  /**
   * Fetch a result URL now: it expires 10 minutes after the image is made. Downloads are free,
   * so a failed one is tried again (with backoff) for as long as the URL lives; an answer of
   * 403, 404 or 410 means it has expired. The client's cancellation does not stop it: the image
   * is paid for. Never sends the API key (the URL is signed, and on another host).
   */
  async download(url: string, requestId: string | undefined, observer?: CallObserver): Promise<Buffer> {
    const expiresAt = resultUrlExpiry(url) ?? Date.now() + RESULT_URL_LIFETIME_MS;
    for (let attempt = 1; ; attempt++) {
      observer?.downloading?.(attempt);
      try {
        return await this.downloadOnce(url, requestId);
      } catch (error) {
        if (!(error instanceof TransientDownloadFailure)) throw error;
        const delayMs = retryDelayMs(attempt, {}, this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS);
        if (Date.now() + delayMs >= expiresAt) throw error.failure;
        this.options.log.warn(
          `download of the result failed (${error.failure.message}); trying again in ${(delayMs / 1000).toFixed(1)} s`,
        );
        await sleep(delayMs);
      }
    }
  }

  private async downloadOnce(url: string, requestId: string | undefined): Promise<Buffer> {
    const withId = requestId ? { requestId } : {};
    const deadline = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
    const lost = 'The image was made and billed but could not be saved.';
    const transient = (what: string): TransientDownloadFailure =>
      new TransientDownloadFailure(
        new ToolFailure('network', what, {
          ...withId,
          hint: `${lost} Its URL stays valid for 10 minutes after it was made: ${url}`,
        }),
      );
    let response: HttpResponse;
    try {
      response = await httpRequest(url, {
        method: 'GET',
        headers: { 'user-agent': this.options.userAgent, accept: 'image/*' },
        signal: deadline,
        followRedirects: true,
      });
    } catch (error) {
      throw transient(`downloading the result failed (${failureCode(error, deadline)})`);
    }
    if (response.statusCode === 404 || response.statusCode === 403 || response.statusCode === 410) {
      await discardBody(response);
      throw new ToolFailure(
        'expired_result',
        `the result URL answered HTTP ${response.statusCode}: it had expired before it could be downloaded`,
        {
          ...withId,
          hint: `${lost} Result URLs live 10 minutes; generate the image again (a fixed seed reproduces it on FLUX models).`,
        },
      );
    }
    if (response.statusCode === 429 || response.statusCode >= 500) {
      await discardBody(response);
      throw transient(`the result URL answered HTTP ${response.statusCode}`);
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await discardBody(response);
      throw new ToolFailure('gateway_error', `the result URL answered HTTP ${response.statusCode}`, {
        ...withId,
        hint: `${lost} Its URL stays valid for 10 minutes after it was made: ${url}`,
      });
    }
    try {
      return await readBody(response, MAX_DOWNLOAD_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        throw new ToolFailure('gateway_error', `the result was over ${error.limit} bytes`, {
          ...withId,
          hint: `${lost} Its URL: ${url}`,
        });
      }
      throw transient(`the result download broke off (${failureCode(error, deadline)})`);
    }
  }
}

/**
 * When a signed result URL expires, if it says: `se=` (an ISO time, Azure SAS as BFL's delivery
 * URLs use) or `exp=` / `expires=` (Unix time in seconds or milliseconds).
 */
export function resultUrlExpiry(url: string): number | undefined {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return undefined;
  }
  const se = params.get('se');
  if (se !== null && !Number.isNaN(Date.parse(se))) return Date.parse(se);
  const unix = Number(params.get('exp') ?? params.get('expires') ?? NaN);
  if (!Number.isFinite(unix) || unix <= 0) return undefined;
  return unix < 1e12 ? unix * 1000 : unix;
}

/** A download failure worth another try while the URL lives. */
class TransientDownloadFailure extends Error {
  constructor(readonly failure: ToolFailure) {
    super(failure.message);
  }
}

interface ApiAnswer {
  readonly json: unknown;
  readonly requestId: string | undefined;
  /** Requests it took, retries included. */
  readonly attempts: number;
}

interface Retryable {
  readonly failure: ToolFailure;
  /** The answer's headers (retry-after…), empty after a connection failure. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** The last failure, saying how many requests were made. */
function withAttempts(failure: ToolFailure, attempts: number): ToolFailure {
  if (attempts === 1) return failure;
  return new ToolFailure(failure.category, `${failure.message}, after ${attempts} attempts`, failure.details);
}

function failureCode(error: unknown, deadline: AbortSignal): string {
  if (deadline.aborted) return `no complete answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
  if (error instanceof BodyTooLargeError) return `over ${error.limit} bytes`;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** gpt-image-2's raw base64 (tolerating a data: prefix and line breaks), strictly checked. */
function decodeBase64Image(text: string, requestId: string | undefined): Buffer {
  const bytes = decodeBase64Strict(text.replace(/^data:[^,]*,/, ''));
  if (!bytes) {
    throw new ToolFailure('gateway_error', 'the gateway answered with b64_json that is not valid base64', {
      ...(requestId ? { requestId } : {}),
      hint: 'The image may have been billed; call again, and contact APIYI support with the request id if this repeats.',
    });
  }
  return bytes;
}
