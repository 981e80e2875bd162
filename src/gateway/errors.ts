/**
 * Turning what went wrong on the wire into a ToolFailure an agent can act on: the category, the
 * gateway's own words (quoted), and what to do next. Any body is handled: the OpenAI envelope,
 * BFL's FastAPI `detail`, an HTML page from a proxy, or garbage.
 */
import { modelsTaking } from '../catalog/describe.js';
import { SAFETY_TOLERANCE } from '../catalog/parameters.js';
import { ToolFailure } from '../core/failure.js';
import { askedRetryDelayMs } from './retry.js';

interface GatewayErrorBody {
  readonly message?: string;
  readonly code?: string;
  readonly type?: string;
  readonly param?: string;
}

const MAX_QUOTE = 300;

/**
 * How much of an error body is read and parsed: enough for any error envelope, and a bound on the
 * work whatever the gateway (or a proxy in front of it) sends. Parsing below is linear in it.
 */
export const ERROR_BODY_PREFIX_BYTES = 64 * 1024;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_QUOTE ? `${flat.slice(0, MAX_QUOTE)}…` : flat;
}

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/**
 * Whatever the gateway said, as well as it can be read from the first ERROR_BODY_PREFIX_BYTES.
 * The caller redacts the text before it gets here: quotes are cut at MAX_QUOTE characters, and a
 * secret cut in two would no longer be recognised.
 */
export function readErrorBody(body: Buffer | string, contentType: string | undefined): GatewayErrorBody {
  const text = typeof body === 'string' ? body.slice(0, ERROR_BODY_PREFIX_BYTES) : prefixText(body);
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('<') || contentType?.includes('html')) {
    const title = htmlTitle(trimmed);
    return { message: `an HTML page${title ? ` ("${clip(title)}")` : ''} instead of a JSON error` };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { message: clip(trimmed) };
  }
  return describeErrorJson(json) ?? { message: clip(trimmed) };
}

function prefixText(body: Buffer): string {
  return body.subarray(0, ERROR_BODY_PREFIX_BYTES).toString('utf8');
}

/**
 * The text of an HTML page's <title>, found with indexOf: a regular expression with a repeated
 * class before a literal backtracks quadratically on pages of "<title<title<title…".
 */
function htmlTitle(html: string): string | undefined {
  const lower = html.toLowerCase();
  const open = lower.indexOf('<title');
  if (open < 0) return undefined;
  const start = lower.indexOf('>', open);
  if (start < 0) return undefined;
  const end = lower.indexOf('<', start + 1);
  const title = html.slice(start + 1, end < 0 ? undefined : end).trim();
  return title === '' ? undefined : title;
}

/** The error a parsed JSON body states (OpenAI envelope, FastAPI detail, or message), if any. */
export function describeErrorJson(json: unknown): GatewayErrorBody | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const record = json as Record<string, unknown>;
  const envelope = record.error;
  if (typeof envelope === 'object' && envelope !== null) {
    const e = envelope as Record<string, unknown>;
    const message = asString(e.message);
    const code = asString(e.code);
    const type = asString(e.type);
    const param = asString(e.param);
    return {
      ...(message !== undefined && { message: clip(message) }),
      ...(code !== undefined && { code }),
      ...(type !== undefined && { type }),
      ...(param !== undefined && { param }),
    };
  }
  if (typeof envelope === 'string') return { message: clip(envelope) };
  const detail = record.detail;
  if (typeof detail === 'string') return { message: clip(detail) };
  if (Array.isArray(detail)) {
    const parts = detail.map((d) => {
      const item = d as { loc?: unknown; msg?: unknown };
      const loc = Array.isArray(item.loc) ? item.loc.filter((l) => l !== 'body').join('.') : '';
      return `${loc ? `${loc}: ` : ''}${asString(item.msg) ?? JSON.stringify(d)}`;
    });
    return { message: clip(parts.join('; ')) };
  }
  if (typeof record.message === 'string') return { message: clip(record.message) };
  return undefined;
}

const OUT_OF_CREDIT = /insufficient|quota|balance|credit|余额|额度/i;

interface ResponseContext {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  /** The body's first bytes (ERROR_BODY_PREFIX_BYTES), redacted. */
  readonly body: Buffer | string;
  readonly requestId: string | undefined;
  readonly baseUrl: string;
}

/** The failure for a non-2xx answer from the gateway's API. */
export function failureFromResponse(ctx: ResponseContext): ToolFailure {
  const { status, requestId } = ctx;
  const said = readErrorBody(ctx.body, ctx.headers['content-type']);
  const quote = said.message ? `: "${said.message}"` : '';
  const base = { status, ...(requestId ? { requestId } : {}) };
  const notBilled = 'Failed requests are not billed.';

  if (said.code === 'moderation_blocked') {
    return new ToolFailure(
      'moderation',
      `the gateway blocked the request on moderation grounds (HTTP ${status}${quote})`,
      {
        ...base,
        hint: `Rephrase the prompt (or change the input images) and call again. ${notBilled}`,
      },
    );
  }
  if (status === 402 || (said.message !== undefined && OUT_OF_CREDIT.test(said.message) && status !== 400)) {
    return new ToolFailure('insufficient_credit', `the APIYI account is out of credit (HTTP ${status}${quote})`, {
      ...base,
      hint: 'Top up the account in the APIYI console, then call again.',
    });
  }
  switch (true) {
    case status === 401:
      return new ToolFailure('auth', `the gateway refused the API key (HTTP 401${quote})`, {
        ...base,
        hint:
          'Check APIYI_API_KEY in the "env" block of this server in your MCP client config ' +
          '(a key from the APIYI console, without "Bearer "), then restart the client.',
      });
    case status === 403:
      return new ToolFailure('moderation', `the gateway blocked the request on moderation grounds (HTTP 403${quote})`, {
        ...base,
        hint:
          `Rephrase the prompt, or raise safety_tolerance (${SAFETY_TOLERANCE.min} strictest – ` +
          `${SAFETY_TOLERANCE.max} most permissive; ` +
          `default ${SAFETY_TOLERANCE.default}) on ${modelsTaking('safety_tolerance')}. ${notBilled}`,
      });
    case status === 429: {
      const wait = askedRetryDelayMs(ctx.headers);
      const when = wait !== undefined ? `in about ${Math.ceil(wait / 1000)} s` : 'in a few seconds';
      return new ToolFailure('rate_limited', `the gateway is rate-limiting this key (HTTP 429${quote})`, {
        ...base,
        hint: `Wait and call again ${when}. ${notBilled}`,
      });
    }
    case status === 404 || status === 405:
      return new ToolFailure('gateway_error', `the gateway has no such endpoint (HTTP ${status}${quote})`, {
        ...base,
        hint: `Check APIYI_BASE_URL (now ${ctx.baseUrl}); it should end in /v1, e.g. https://api.apiyi.com/v1.`,
      });
    case status === 408 || status >= 500:
      return new ToolFailure('gateway_error', `the gateway or the upstream provider failed (HTTP ${status}${quote})`, {
        ...base,
        hint: 'This is usually transient: call again in a moment.',
      });
    case status >= 400: {
      const field = said.param ? ` (parameter ${said.param})` : '';
      return new ToolFailure('invalid_argument', `the gateway rejected the request${field} (HTTP ${status}${quote})`, {
        ...base,
        hint: `Change the argument it names and call again. ${notBilled}`,
      });
    }
    default:
      return new ToolFailure('gateway_error', `the gateway answered with an unexpected HTTP ${status}${quote}`, base);
  }
}

/**
 * Errors thrown before any response that mean the request never reached the gateway, so the
 * message can promise nothing was billed. This is about billing, not retrying: every connection
 * failure before an answer is worth another try (retry.ts), whatever its code.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'unknown error';
}

/** True when the request certainly never reached the gateway (so it cannot have been billed). */
function neverReachedGateway(error: unknown): boolean {
  return NOT_SENT_CODES.has(errorCode(error));
}

export function failureFromNetworkError(error: unknown, baseUrl: string): ToolFailure {
  const code = errorCode(error);
  if (neverReachedGateway(error)) {
    return new ToolFailure('network', `could not reach the gateway at ${baseUrl} (${code})`, {
      hint:
        'Check the network connection and APIYI_BASE_URL, then call again. ' +
        'Nothing was sent, so nothing was billed.',
    });
  }
  return new ToolFailure('network', `the connection to the gateway broke before it answered (${code})`, {
    hint:
      'Call again. If the request had already reached the gateway it may have been billed; ' +
      'check the APIYI console before retrying many times.',
  });
}
