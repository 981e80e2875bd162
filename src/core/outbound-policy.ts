/**
 * Where the server may fetch URLs it was given, and the error that says a connection was refused
 * by that rule. Kept apart from the connector (guarded-connect.ts), which is loaded with the HTTP
 * stack on the first fetch, so that start-up does not pay for address classification.
 */

/** Where fetches for a caller may go. */
export interface OutboundPolicy {
  /** Origins always allowed (the gateway's own), as URL.origin writes them. */
  readonly trustedOrigins: readonly string[];
  /** Allow every address (self-hosted set-ups: FLUX_MCP_ALLOW_PRIVATE_URLS). */
  readonly allowPrivate: boolean;
}

/** The connection was not opened: the host is, or resolves to, an address the policy refuses. */
export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
  readonly code = 'ERR_FLUX_ADDRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      `${host} is ${host === address ? 'a' : `${address}, a`} ${range} address, which this server does not fetch from`,
    );
  }
}

/** The refusal somewhere in an error's cause chain (undici wraps connection errors). */
export function addressRefusal(error: unknown): AddressRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof AddressRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
