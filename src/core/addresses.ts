/**
 * Which network addresses the server may fetch from on behalf of a caller. Only public unicast
 * addresses: never loopback, private (RFC 1918, unique-local), link-local (cloud metadata at
 * 169.254.169.254), shared CGNAT space, multicast, broadcast, unspecified (0.0.0.0 reaches the
 * local host on Linux) or reserved ranges. IPv6 forms that carry an IPv4 address (mapped, NAT64,
 * 6to4) are judged by that address. Classification is ipaddr.js's (the library Express uses).
 *
 * Addresses are judged as resolved, at connect time (core/guarded-connect.ts); every spelling of
 * a host in a URL (127.1, 0x7f000001, 2130706433, 0177.0.0.1, [::ffff:127.0.0.1]) has become a
 * canonical address by then, through the URL parser or the system resolver.
 */
import ipaddr from 'ipaddr.js';

/** Why an address is refused, in words for a message; undefined when it is public. */
export function nonPublicRange(address: string): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 one.
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'not an IP address';
  }
  const embedded = parsed.kind() === 'ipv6' ? embeddedIpv4(parsed as ipaddr.IPv6) : undefined;
  const range = (embedded ?? parsed).range();
  return range === 'unicast' ? undefined : (RANGE_NAMES[range] ?? range);
}

export function isPublicAddress(address: string): boolean {
  return nonPublicRange(address) === undefined;
}

const RANGE_NAMES: Readonly<Record<string, string>> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'shared CGNAT',
  private: 'private',
  uniqueLocal: 'unique-local (private)',
  reserved: 'reserved',
  benchmarking: 'benchmarking',
  teredo: 'Teredo tunnel',
};

/** The IPv4 address inside a NAT64 (64:ff9b::/96), IPv4-translated or 6to4 (2002::/16) address. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === 'rfc6052' || range === 'rfc6145') return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  return undefined;
}

/** Names that can only mean a machine on the local network (RFC 6761, 6762, 8375 and common use). */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|corp|private)$/i;

/**
 * Why a URL's host is plainly not on the public internet, judged without a DNS lookup (for URLs
 * passed to the gateway, which fetches them from elsewhere): a literal non-public address, a
 * local name (localhost, *.local, *.internal …) or a single-label name; undefined otherwise.
 */
export function plainlyLocalHost(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (ipaddr.isValid(host)) {
    const range = nonPublicRange(host);
    return range === undefined ? undefined : `${range} address`;
  }
  if (LOCAL_NAME.test(host)) return 'local network name';
  if (!host.includes('.')) return 'single-label name (not a public domain)';
  return undefined;
}
