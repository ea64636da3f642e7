import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/**
 * Webhook targets must not reach into the network Leadpool runs in (SSRF): a manager's URL
 * could otherwise make the server POST to a database admin page, a router or the cloud
 * metadata service. Refused: loopback, private (RFC 1918, fc00::/7), link-local
 * (169.254/16 with the metadata address, fe80::/10), CGNAT (100.64/10), unspecified,
 * multicast, and the reserved 240/4 with broadcast. IPv4-mapped IPv6 addresses
 * (::ffff:10.0.0.1) are checked as the IPv4 address they carry.
 *
 * LEADPOOL_WEBHOOK_ALLOW_PRIVATE=1 (or `serve --webhook-allow-private`) lifts this for
 * receivers on the same machine or network.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** true when `address` (an IP literal) is one webhooks may not reach without the opt-in. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 4) return BLOCKED.check(ip, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return BLOCKED.check(mapped, 'ipv4');
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hex) {
    const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
    return BLOCKED.check([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), 'ipv4');
  }
  return BLOCKED.check(ip, 'ipv6');
}

/** The opt-in from the environment: LEADPOOL_WEBHOOK_ALLOW_PRIVATE=1 (or true). */
export function allowPrivateFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.LEADPOOL_WEBHOOK_ALLOW_PRIVATE ?? '');
}

export class PrivateAddressError extends Error {
  readonly code = 'ERR_PRIVATE_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      host === address
        ? `refused: ${address} is a private, loopback or link-local address (LEADPOOL_WEBHOOK_ALLOW_PRIVATE=1 allows it)`
        : `refused: ${host} resolves to ${address}, a private, loopback or link-local address (LEADPOOL_WEBHOOK_ALLOW_PRIVATE=1 allows it)`,
    );
  }
}

const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

function resolveAll(host: string, timeoutMs: number): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`looking up ${host} timed out`), { code: 'ETIMEOUT' })), timeoutMs);
    dnsLookup(host, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(addresses);
    });
  });
}

/**
 * The registration check: a problem to report for field `url`, or null. A literal private
 * address, or a name that resolves to one, is refused; a name that does not resolve (yet) is
 * accepted, since every send checks again.
 */
export async function webhookUrlProblem(url: string, allowPrivate: boolean, lookupTimeoutMs = 3000): Promise<string | null> {
  if (allowPrivate) return null;
  const host = hostOf(new URL(url));
  if (isIP(host)) return isPrivateAddress(host) ? new PrivateAddressError(host, host).message.replace(/^refused: /, 'must not point at a private address: ') : null;
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(host, lookupTimeoutMs);
  } catch {
    return null;
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad ? new PrivateAddressError(host, bad.address).message.replace(/^refused: /, 'must not point at a private address: ') : null;
}

/**
 * The send-time check, as the `lookup` of the request's socket: the name is resolved once,
 * every address checked, and the connection made to those checked addresses, so a DNS
 * answer that changes between a check and the connect (DNS rebinding) cannot slip through.
 * A literal IP never reaches a lookup: `literalRefusal` checks those.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(new PrivateAddressError(hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** A URL whose host is a private IP literal, refused unless allowed; else null. */
export function literalRefusal(url: URL, allowPrivate: boolean): PrivateAddressError | null {
  const host = hostOf(url);
  return !allowPrivate && isIP(host) && isPrivateAddress(host) ? new PrivateAddressError(host, host) : null;
}
