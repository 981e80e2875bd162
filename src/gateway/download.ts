/**
 * Fetching a result URL (`data[0].url`) the moment the gateway gives it: the URL is signed and
 * expires soon after the image is made. Downloads are free, so a failed one is tried again (with
 * backoff) for as long as the URL lives; an answer of 403, 404 or 410 means it has expired. The
 * client's cancellation does not stop it: the image is paid for. Never sends the API key (the URL
 * is signed, and on another host). The URL comes from the gateway's answer, so it is fetched like
 * any URL the server is given: only public addresses (or the gateway's own origin), and never
 * past its expiry or RESULT_URL_LIFETIME_MS, whichever comes first, whatever `exp=` it claims.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { modelsTaking } from '../catalog/describe.js';
import { RESULT_URL_LIFETIME_MS } from '../catalog/gateway.js';
import { ToolFailure } from '../core/failure.js';
import {
  BodyTooLargeError,
  discardBody,
  type HttpResponse,
  httpRequest,
  type OutboundPolicy,
  readBody,
} from '../core/http.js';
import type { Logger } from '../core/log.js';
import { addressRefusal } from '../core/outbound-policy.js';
import { type Attempt, final, isRetryableDownloadStatus, retryable, retryDelayMs, succeeded } from './retry.js';

/** Largest result image downloaded: several times the largest PNG a model delivers by URL. */
const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;
/** Result URLs are on a CDN: a download that takes longer than this is stuck. */
const DOWNLOAD_TIMEOUT_MS = 60_000;
/** Answers that mean the signed URL has expired. */
const EXPIRED_STATUSES = new Set([403, 404, 410]);

interface DownloadOptions {
  readonly userAgent: string;
  readonly log: Logger;
  /** First backoff step between attempts. */
  readonly retryBaseMs: number;
  /** Hears each attempt (1 for the first), for progress. */
  readonly onAttempt?: (attempt: number) => void;
  /** Where result URLs may point. */
  readonly outbound: OutboundPolicy;
}

/** How long a result URL lives, in words. */
const lifetime = `${RESULT_URL_LIFETIME_MS / 60_000} minutes`;

/** The bytes at a result URL, tried again while the URL lives; throws a ToolFailure when they cannot be had. */
export async function downloadResult(
  url: string,
  requestId: string | undefined,
  options: DownloadOptions,
): Promise<Buffer> {
  const expiresAt = downloadDeadline(url);
  for (let attempt = 1; ; attempt++) {
    options.onAttempt?.(attempt);
    const outcome = await downloadOnce(url, requestId, options, expiresAt);
    if (outcome.ok) return outcome.value;
    if (!outcome.retryable) throw outcome.failure;
    // The CDN's retry-after is not honoured: the URL's lifetime bounds the waiting instead.
    const delayMs = retryDelayMs(attempt, {}, options.retryBaseMs);
    if (Date.now() + delayMs >= expiresAt) throw outcome.failure;
    options.log.warn(
      `download of the result failed (${outcome.failure.message}); trying again in ${(delayMs / 1000).toFixed(1)} s`,
    );
    await sleep(delayMs);
  }
}

/**
 * When to stop trying a result URL: its own expiry when it states one, but never later than
 * RESULT_URL_LIFETIME_MS from now (a URL claiming a far future would be retried for ever).
 */
export function downloadDeadline(url: string, now = Date.now()): number {
  return Math.min(resultUrlExpiry(url) ?? Number.POSITIVE_INFINITY, now + RESULT_URL_LIFETIME_MS);
}

async function downloadOnce(
  url: string,
  requestId: string | undefined,
  options: DownloadOptions,
  expiresAt: number,
): Promise<Attempt<Buffer>> {
  const withId = requestId ? { requestId } : {};
  // No attempt outlives the URL (give the last one at least a second to answer).
  const deadline = AbortSignal.timeout(Math.max(1000, Math.min(DOWNLOAD_TIMEOUT_MS, expiresAt - Date.now())));
  const lost = 'The image was made and billed but could not be saved.';
  const stillValid = `${lost} Its URL stays valid for ${lifetime} after it was made: ${url}`;
  const transient = (what: string) => retryable(new ToolFailure('network', what, { ...withId, hint: stillValid }));

  let response: HttpResponse;
  try {
    response = await httpRequest(url, {
      method: 'GET',
      headers: { 'user-agent': options.userAgent, accept: 'image/*' },
      signal: deadline,
      outbound: options.outbound,
    });
  } catch (error) {
    const refused = addressRefusal(error);
    if (refused) {
      return final(
        new ToolFailure('gateway_error', `the gateway's result URL was not fetched: ${refused.message}`, {
          ...withId,
          hint: `${lost} A gateway on a private network needs FLUX_MCP_ALLOW_PRIVATE_URLS=1. The URL: ${url}`,
        }),
      );
    }
    return transient(`downloading the result failed (${failureCode(error, deadline)})`);
  }
  if (EXPIRED_STATUSES.has(response.statusCode)) {
    await discardBody(response);
    return final(
      new ToolFailure(
        'expired_result',
        `the result URL answered HTTP ${response.statusCode}: it had expired before it could be downloaded`,
        {
          ...withId,
          hint:
            `${lost} Result URLs live ${lifetime}; ` +
            `generate the image again (a fixed seed reproduces it on ${modelsTaking('seed')}).`,
        },
      ),
    );
  }
  if (isRetryableDownloadStatus(response.statusCode)) {
    await discardBody(response);
    return transient(`the result URL answered HTTP ${response.statusCode}`);
  }
  if (response.statusCode < 200 || response.statusCode >= 300) {
    await discardBody(response);
    return final(
      new ToolFailure('gateway_error', `the result URL answered HTTP ${response.statusCode}`, {
        ...withId,
        hint: stillValid,
      }),
    );
  }
  try {
    return succeeded(await readBody(response, MAX_DOWNLOAD_BYTES));
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return final(
        new ToolFailure('gateway_error', `the result was over ${error.limit} bytes`, {
          ...withId,
          hint: `${lost} Its URL: ${url}`,
        }),
      );
    }
    return transient(`the result download broke off (${failureCode(error, deadline)})`);
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

function failureCode(error: unknown, deadline: AbortSignal): string {
  if (deadline.aborted) return `no complete answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
  if (error instanceof BodyTooLargeError) return `over ${error.limit} bytes`;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
