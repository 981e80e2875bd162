/**
 * How a tool call fails. Every failure has a category the agent can branch on, a one-line
 * statement of what happened, and what to do next. Rendered as an `isError` result whose first
 * line is `<category>: <what happened>`.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { redact } from './redact.js';

/**
 * The CLI's exit codes, by what the user should do: fix the input (2), accept a refusal (the
 * gateway's, or the spending cap's) or fix the account or the cap (3), try again later (4); 1 is for
 * local failures.
 */
export const EXIT_CODES = { ok: 0, local: 1, badInput: 2, refused: 3, transient: 4 } as const;

/**
 * Every category a failed call can have, what it means (the README's table comes from here), and the CLI's
 * exit code.
 */
export const ERROR_CATEGORIES = {
  invalid_argument: {
    exitCode: EXIT_CODES.badInput,
    meaning:
      'The arguments break a documented rule (or the gateway said so with a 400). ' +
      'Nothing was sent, or nothing was billed.',
  },
  missing_api_key: { exitCode: EXIT_CODES.badInput, meaning: 'APIYI_API_KEY is not set. Nothing was sent.' },
  auth: { exitCode: EXIT_CODES.refused, meaning: 'The gateway refused the key (401).' },
  moderation: {
    exitCode: EXIT_CODES.refused,
    meaning: 'Blocked by moderation: HTTP 403, or 400 with code `moderation_blocked`. Not billed.',
  },
  insufficient_credit: {
    exitCode: EXIT_CODES.refused,
    meaning: '402, or a message saying the account is out of credit.',
  },
  budget_exceeded: {
    exitCode: EXIT_CODES.refused,
    meaning:
      'The call would pass the spending cap (`FLUX_MCP_BUDGET_USD` per `FLUX_MCP_BUDGET_PERIOD`), or the cap cannot ' +
      'count its model. Nothing was sent.',
  },
  rate_limited: {
    exitCode: EXIT_CODES.transient,
    meaning: '429: too many requests or active tasks; wait the time given and call again.',
  },
  gateway_error: {
    exitCode: EXIT_CODES.transient,
    meaning: '5xx, an HTML or malformed answer, a result URL that failed or did not hold an image.',
  },
  timeout: {
    exitCode: EXIT_CODES.transient,
    meaning: "No answer within the model's timeout; the gateway may still have billed the job.",
  },
  network: {
    exitCode: EXIT_CODES.transient,
    meaning: 'The gateway could not be reached, or the connection or download broke.',
  },
  expired_result: {
    exitCode: EXIT_CODES.transient,
    meaning: 'The image was made, but its result URL expired (404) before it was downloaded.',
  },
  unavailable: {
    exitCode: EXIT_CODES.transient,
    meaning: 'The server is shutting down and takes no new calls; calls under way still finish.',
  },
  storage_error: {
    exitCode: EXIT_CODES.local,
    meaning: 'The image could not be written to the output directory (nor to the rescue directory).',
  },
  internal_error: {
    exitCode: EXIT_CODES.local,
    meaning: 'A bug in apiyi-flux-mcp; the log on stderr has the details.',
  },
} as const;
export type ErrorCategory = keyof typeof ERROR_CATEGORIES;

interface ToolFailureDetails {
  /** What to do next, one or more sentences. */
  readonly hint?: string;
  /** The gateway's x-request-id, quoted so support can trace the call. */
  readonly requestId?: string;
  /** HTTP status from the gateway, when there was one. */
  readonly status?: number;
}

export class ToolFailure extends Error {
  override readonly name = 'ToolFailure';
  constructor(
    readonly category: ErrorCategory,
    message: string,
    readonly details: ToolFailureDetails = {},
  ) {
    super(message);
  }
}

export function invalidArgument(message: string, hint?: string): ToolFailure {
  return new ToolFailure('invalid_argument', message, hint === undefined ? {} : { hint });
}

/** The client cancelled the call (notifications/cancelled): the answer goes nowhere, but is logged. */
export function cancelledFailure(): ToolFailure {
  return new ToolFailure('timeout', 'the client cancelled the call before the gateway answered', {
    hint: 'If the request had reached the gateway, the job may still be billed.',
  });
}

/** Stop work for a call the client has cancelled. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledFailure();
}

/**
 * The `_meta` key under which a failed result carries its category as data, for programs (the
 * CLI's exit code) that should not parse the text: `{ "flux-mcp/failure": { "category": … } }`.
 */
export const FAILURE_META_KEY = 'flux-mcp/failure';

interface FailureMeta {
  readonly category: ErrorCategory;
}

/**
 * The `isError` result for a failure: category line, then the hint and the request id; the
 * category again as data in `_meta`.
 */
export function failureResult(failure: ToolFailure, secrets: readonly (string | undefined)[]): CallToolResult {
  const lines = [`${failure.category}: ${failure.message}`];
  if (failure.details.hint) lines.push(failure.details.hint);
  if (failure.details.requestId) lines.push(`Request id: ${failure.details.requestId}`);
  const meta: FailureMeta = { category: failure.category };
  return {
    isError: true,
    content: [{ type: 'text', text: redact(lines.join('\n'), secrets) }],
    _meta: { [FAILURE_META_KEY]: meta },
  };
}

/** The category a failed result carries in `_meta`, if it carries a known one. */
export function failureCategoryOf(result: CallToolResult): ErrorCategory | undefined {
  const meta = result._meta?.[FAILURE_META_KEY] as Partial<FailureMeta> | undefined;
  const category = meta?.category;
  return typeof category === 'string' && Object.hasOwn(ERROR_CATEGORIES, category) ? category : undefined;
}

/** Any thrown value as a ToolFailure: unknown errors become internal_error, never a crash. */
export function asToolFailure(error: unknown): ToolFailure {
  if (error instanceof ToolFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ToolFailure('internal_error', `unexpected error: ${message}`, {
    hint: 'This is a bug in apiyi-flux-mcp; the server log (stderr) has the details. Trying again may work.',
  });
}
