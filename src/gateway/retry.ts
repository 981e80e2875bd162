/**
 * When to send a gateway request again, and after how long: the official OpenAI SDK's policy as
 * gateway.md documents it. Retry a 429, a 5xx, or a connection that failed before any answer;
 * honour the server's retry-after-ms / retry-after (seconds or an HTTP date) when it is 0–60 s,
 * else back off exponentially (0.5 s × 2^n, at most 8 s) with up to 25 % jitter; an
 * `x-should-retry` header overrides. Never a request that timed out: the gateway bills it anyway.
 */

/** Statuses that mean the request was refused and will be refused again (and was not billed). */
const NEVER_RETRY = new Set([400, 401, 402, 403, 404, 422]);

/** Whether an HTTP answer is worth another attempt. */
export function isRetryableStatus(status: number, headers: Readonly<Record<string, string | undefined>>): boolean {
  if (NEVER_RETRY.has(status)) return false;
  const override = headers['x-should-retry']?.trim().toLowerCase();
  if (override === 'true') return true;
  if (override === 'false') return false;
  return status === 429 || status >= 500;
}

const MAX_SERVER_DELAY_MS = 60_000;
const MAX_BACKOFF_MS = 8_000;

/** The delay the server asks for, in ms, from retry-after-ms, else retry-after (seconds or an HTTP date). */
export function askedRetryDelayMs(
  headers: Readonly<Record<string, string | undefined>>,
  now = Date.now(),
): number | undefined {
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
export function retryDelayMs(
  retry: number,
  headers: Readonly<Record<string, string | undefined>>,
  baseMs: number,
  random = Math.random,
): number {
  const asked = askedRetryDelayMs(headers);
  if (asked !== undefined && asked <= MAX_SERVER_DELAY_MS) return asked;
  const backoff = Math.min(baseMs * 2 ** (retry - 1), MAX_BACKOFF_MS);
  return Math.round(backoff * (1 - 0.25 * random()));
}
