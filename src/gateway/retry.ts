/**
 * When to make a request again, and after how long: the official OpenAI SDK's policy as
 * gateway.md documents it. Retry a 429, a 5xx, or a connection that failed before any answer;
 * honour the server's retry-after-ms / retry-after (seconds or an HTTP date) when it is 0–60 s,
 * else back off exponentially (0.5 s × 2^n, at most 8 s) with up to 25 % jitter; an
 * `x-should-retry` header overrides. Never a request that timed out: the gateway bills it anyway.
 *
 * `Attempt` is the one way to say whether another try is worth it, for API requests and result
 * downloads alike: every attempt ends with its value or with a failure flagged `retryable`, and
 * only the loops (client.ts, download.ts) decide whether to go again.
 */
import type { ToolFailure } from '../core/failure.js';

/** Response headers by lower-case name. */
export type ResponseHeaders = Readonly<Record<string, string | undefined>>;

/** How one attempt ended. */
export type Attempt<T> = { readonly ok: true; readonly value: T } | FailedAttempt;

export interface FailedAttempt {
  readonly ok: false;
  readonly failure: ToolFailure;
  /** Another attempt may succeed, and cannot cost a second image. */
  readonly retryable: boolean;
  /** The answer's headers (retry-after…); empty when there was no answer. */
  readonly headers: ResponseHeaders;
}

export function succeeded<T>(value: T): Attempt<T> {
  return { ok: true, value };
}

/** A failure worth another attempt, with the answer's headers when there was an answer. */
export function retryable(failure: ToolFailure, headers: ResponseHeaders = {}): FailedAttempt {
  return { ok: false, failure, retryable: true, headers };
}

/** A failure to report as it is: another attempt would fail the same way, or might be billed twice. */
export function final(failure: ToolFailure): FailedAttempt {
  return { ok: false, failure, retryable: false, headers: {} };
}

/** Statuses that mean the request was refused and will be refused again (and was not billed). */
const NEVER_RETRY = new Set([400, 401, 402, 403, 404, 422]);

/** Whether an answer of the gateway's API is worth another attempt. */
export function isRetryableStatus(status: number, headers: ResponseHeaders): boolean {
  if (NEVER_RETRY.has(status)) return false;
  const override = headers['x-should-retry']?.trim().toLowerCase();
  if (override === 'true') return true;
  if (override === 'false') return false;
  return status === 429 || status >= 500;
}

/**
 * Whether a result URL's answer is worth another attempt: the CDN was busy (429) or failed (5xx).
 * Downloads are free, so no header can forbid it; 403, 404 and 410 mean the URL expired.
 */
export function isRetryableDownloadStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

const MAX_SERVER_DELAY_MS = 60_000;
const MAX_BACKOFF_MS = 8_000;

/** The delay the server asks for, in ms, from retry-after-ms, else retry-after (seconds or an HTTP date). */
export function askedRetryDelayMs(headers: ResponseHeaders, now = Date.now()): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers['retry-after']?.trim();
  if (after === undefined || after === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retry number `retry` (1 for the first retry): the server's delay when
 * it gave a usable one, else `base × 2^(retry-1)` capped at 8 s, minus up to 25 % jitter.
 */
export function retryDelayMs(retry: number, headers: ResponseHeaders, baseMs: number, random = Math.random): number {
  const asked = askedRetryDelayMs(headers);
  if (asked !== undefined && asked <= MAX_SERVER_DELAY_MS) return asked;
  const backoff = Math.min(baseMs * 2 ** (retry - 1), MAX_BACKOFF_MS);
  return Math.round(backoff * (1 - 0.25 * random()));
}
