/**
 * Connections for URLs the server was given rather than configured (input images it fetches,
 * result URLs the gateway names): the address is checked when the socket is opened, on the
 * address actually connected to, for the first request and for every redirect alike. A literal
 * IP is judged as it is; a name through a DNS lookup whose every answer must be public (a name
 * that resolves to a public and a private address is refused whole, so no ordering of answers
 * can slip a private one through). The configured gateway's own origin is exempt: it is trusted
 * configuration, and the simulator serves test assets and result URLs from it.
 */
import dns, { type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { buildConnector as BuildConnector } from 'undici';
import { nonPublicRange } from './addresses.js';
import { AddressRefusedError, type OutboundPolicy } from './outbound-policy.js';

/** A DNS lookup that fails unless every address the name resolves to is public. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    for (const { address } of addresses) {
      const range = nonPublicRange(address);
      if (range !== undefined) return callback(new AddressRefusedError(hostname, address, range), '', 0);
    }
    // net.connect asks for every address (to try each family) or for one.
    if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses;
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    return callback(null, first.address, first.family);
  });
};

type Connector = BuildConnector.connector;
type ConnectOptions = BuildConnector.Options;

/**
 * undici's `connect` for the policy: the trusted origins (or every host, when private addresses
 * are allowed) through a plain connector, any other host through one whose lookup refuses
 * non-public addresses, and a literal IP judged before any socket exists.
 */
export function guardedConnector(
  policy: OutboundPolicy,
  buildConnector: typeof BuildConnector,
  options: BuildConnector.BuildOptions,
): Connector {
  const open = buildConnector(options);
  const checked = buildConnector({ ...options, lookup: publicOnlyLookup } as BuildConnector.BuildOptions);
  const trusted = new Set(policy.trustedOrigins);
  return (connect: ConnectOptions, callback) => {
    if (policy.allowPrivate || trusted.has(originOf(connect))) return open(connect, callback);
    const host = connect.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const range = nonPublicRange(host);
      if (range !== undefined) return callback(new AddressRefusedError(host, host, range), null);
      return open(connect, callback);
    }
    return checked(connect, callback);
  };
}

/** The origin a connection is for, written as URL.origin writes it (default ports left out). */
function originOf(connect: ConnectOptions): string {
  const { hostname, port } = connect;
  const host = connect.host ?? `${hostname.includes(':') ? `[${hostname}]` : hostname}${port ? `:${port}` : ''}`;
  try {
    return new URL(`${connect.protocol}//${host}`).origin;
  } catch {
    return '';
  }
}
