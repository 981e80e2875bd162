/**
 * The gateway client. `post` is the one way a request reaches the gateway's API, whatever the
 * endpoint (the catalog says which: see `routeOf`): sent with the retry and cancellation policy,
 * its image taken from the answer at once (image-answer.ts; a delivery URL is fetched by
 * download.ts). Every failure becomes a ToolFailure.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from '../catalog/gateway.js';
import { fastestGeneratingModels } from '../catalog/models.js';
import { cancelledFailure, ToolFailure, throwIfCancelled } from '../core/failure.js';
import {
  BodyTooLargeError,
  type HttpResponse,
  headerValue,
  httpRequest,
  type OutboundPolicy,
  readBody,
  readPrefix,
} from '../core/http.js';
import type { Logger } from '../core/log.js';
import { credentialsInUrl, Redactor } from '../core/redact.js';
import { type RequestBody, RequestBodyError } from './bodies.js';
import { downloadResult } from './download.js';
import { ERROR_BODY_PREFIX_BYTES, failureFromNetworkError, failureFromResponse } from './errors.js';
import { type ApiAnswer, type GatewayImage, imageFromAnswer } from './image-answer.js';
import {
  type Attempt,
  final,
  isRetryableStatus,
  type ResponseHeaders,
  retryable,
  retryDelayMs,
  succeeded,
} from './retry.js';

/** Largest API answer accepted: a 4K PNG in base64 is ~40 MB. */
const MAX_API_BODY_BYTES = 100 * 1024 * 1024;
const DEFAULT_RETRY_BASE_MS = 500;

interface GatewayClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly userAgent: string;
  readonly log: Logger;
  /** Retries after a 429, a 5xx or a connection failure before any answer. */
  readonly maxRetries: number;
  /** First backoff step when the server gives no delay (tests make it short). */
  readonly retryBaseMs?: number;
  /** Where result URLs may point; by default public addresses and the gateway's own origin. */
  readonly outbound?: OutboundPolicy;
}

/** Hears what a call is doing, for progress notifications. */
export interface CallObserver {
  sending?(attempt: number, attempts: number): void;
  retrying?(reason: string, attempt: number, attempts: number, delayMs: number): void;
  downloading?(attempt: number): void;
}

interface CallOptions {
  /** The model's timeout: the gateway holds the connection until the image is done. */
  readonly timeoutMs: number;
  /**
   * The tool call's signal: fires when the client cancels. Honoured until a request goes out
   * (and between retries); after that the call continues so the paid image is saved.
   */
  readonly signal?: AbortSignal;
  readonly observer?: CallObserver;
}

function flatHeaders(headers: HttpResponse['headers']): ResponseHeaders {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.keys(headers)) out[name] = headerValue(headers, name);
  return out;
}

/** What to offer when a call timed out: the fastest models, from the catalog. */
const FASTER_MODELS = fastestGeneratingModels()
  .map((m) => m.id)
  .join(', ');

export class GatewayClient {
  /**
   * What the gateway says is redacted as soon as it is read, before any of it is cut to a quote:
   * an echoed key cut in two would slip past the redaction boundary further on.
   */
  private readonly redactor: Redactor;

  constructor(private readonly options: GatewayClientOptions) {
    this.redactor = new Redactor([options.apiKey, ...credentialsInUrl(options.baseUrl)]);
  }

  private get retryBaseMs(): number {
    return this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  }

  /** POST a request to one of the gateway's endpoints and return the image it made. */
  async post(endpoint: Endpoint, body: RequestBody, call: CallOptions): Promise<GatewayImage> {
    const answer = await this.send(endpoint, body, call);
    return imageFromAnswer(answer, this.redactor, (url, requestId) =>
      downloadResult(url, requestId, {
        userAgent: this.options.userAgent,
        log: this.options.log,
        retryBaseMs: this.retryBaseMs,
        onAttempt: (attempt) => call.observer?.downloading?.(attempt),
        outbound: this.options.outbound ?? {
          trustedOrigins: [new URL(this.options.baseUrl).origin],
          allowPrivate: false,
        },
      }),
    );
  }

  /**
   * Send until an attempt succeeds, fails for good, or the retries run out (retry.ts). The
   * client's cancellation is honoured only until a request goes out: after that the gateway may
   * bill the image, so the call sees it through.
   */
  private async send(endpoint: Endpoint, body: RequestBody, call: CallOptions): Promise<ApiAnswer> {
    const attempts = 1 + this.options.maxRetries;
    for (let attempt = 1; ; attempt++) {
      // Before each attempt: every earlier one failed without an image, so nothing is pending.
      throwIfCancelled(call.signal);
      call.observer?.sending?.(attempt, attempts);
      const outcome = await this.attempt(endpoint, body, call.timeoutMs);
      if (outcome.ok) return { ...outcome.value, attempts: attempt };
      if (!outcome.retryable) throw outcome.failure;
      if (attempt >= attempts) throw withAttempts(outcome.failure, attempt);
      const delayMs = retryDelayMs(attempt, outcome.headers, this.retryBaseMs);
      // Info, not warn: a retry is routine, and the call's progress tells the client (the CLI's
      // terminal, at warn) the same; a call that fails for good is reported as it ends.
      this.options.log.info(
        `${endpoint}: ${outcome.failure.category}: ${outcome.failure.message}; ` +
          `attempt ${attempt + 1} of ${attempts} in ${(delayMs / 1000).toFixed(1)} s`,
      );
      call.observer?.retrying?.(outcome.failure.message, attempt + 1, attempts, delayMs);
      try {
        await sleep(delayMs, undefined, call.signal ? { signal: call.signal } : {});
      } catch {
        throw cancelledFailure();
      }
    }
  }

  /** One request, and how it ended. */
  private async attempt(
    endpoint: Endpoint,
    body: RequestBody,
    timeoutMs: number,
  ): Promise<Attempt<Omit<ApiAnswer, 'attempts'>>> {
    const deadline = AbortSignal.timeout(timeoutMs);
    // Never retried: the gateway may still make and bill the image.
    const timedOut = () =>
      final(
        new ToolFailure(
          'timeout',
          `no answer from the gateway within ` +
            `${timeoutMs >= 10_000 ? Math.round(timeoutMs / 1000) : timeoutMs / 1000} s`,
          {
            hint:
              `The gateway may still have made and billed the image, so the request was not sent again. ` +
              `Check the APIYI console before calling again, or use a faster model (${FASTER_MODELS}).`,
          },
        ),
      );

    let response: HttpResponse;
    try {
      response = await httpRequest(`${this.options.baseUrl}${endpoint}`, {
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
      if (deadline.aborted) return timedOut();
      if (error instanceof RequestBodyError) {
        // The request was cut before its body was complete, so the gateway cannot have run it.
        return final(
          new ToolFailure('invalid_argument', `the request could not be sent whole: ${error.message}`, {
            hint: 'Nothing was billed. Make sure the input files stay unchanged during the call, then call again.',
          }),
        );
      }
      // The connection failed before any answer: worth another attempt (gateway.md).
      this.options.log.debug(
        `${endpoint}: request failed before any answer: ` +
          `${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return retryable(failureFromNetworkError(error, this.options.baseUrl));
    }

    const headers = flatHeaders(response.headers);
    const requestId = headers['x-request-id'];
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    const worthRetrying = !ok && isRetryableStatus(response.statusCode, headers);
    let raw: Buffer;
    try {
      // An error answer is read only as far as its parsing goes; an image answer whole.
      raw = ok ? await readBody(response, MAX_API_BODY_BYTES) : await readPrefix(response, ERROR_BODY_PREFIX_BYTES);
    } catch (error) {
      if (deadline.aborted) return timedOut();
      const what = error instanceof BodyTooLargeError ? `was over ${error.limit} bytes` : 'broke off';
      const failure = new ToolFailure('gateway_error', `the gateway's answer (HTTP ${response.statusCode}) ${what}`, {
        ...(requestId ? { requestId } : {}),
        hint:
          'The image may have been made and billed. Call again; ' +
          'if this repeats, contact APIYI support with the request id.',
      });
      return worthRetrying ? retryable(failure, headers) : final(failure);
    }

    if (!ok) {
      const failure = failureFromResponse({
        status: response.statusCode,
        headers,
        body: this.redactor.text(raw.toString('utf8')),
        requestId,
        baseUrl: this.options.baseUrl,
      });
      return worthRetrying ? retryable(failure, headers) : final(failure);
    }
    try {
      return succeeded({ json: JSON.parse(raw.toString('utf8')), requestId });
    } catch {
      // A 200 may have been billed: never sent again.
      return final(
        new ToolFailure(
          'gateway_error',
          `the gateway answered HTTP ${response.statusCode} with a body that is not JSON`,
          {
            ...(requestId ? { requestId } : {}),
            hint: 'Call again in a moment; if this repeats, contact APIYI support with the request id.',
          },
        ),
      );
    }
  }
}

/** The last failure, saying how many requests were made. */
function withAttempts(failure: ToolFailure, attempts: number): ToolFailure {
  if (attempts === 1) return failure;
  return new ToolFailure(failure.category, `${failure.message}, after ${attempts} attempts`, failure.details);
}
