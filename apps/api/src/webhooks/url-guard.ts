/**
 * SSRF guard for webhook endpoint URLs. A partner chooses the URL and QuickEats POSTs to it from
 * inside our network, so in production an endpoint may not point at an address that is not on the
 * public internet: loopback, private (RFC 1918, IPv6 ULA), link-local (which includes the cloud
 * metadata service 169.254.169.254), carrier-grade NAT, unspecified, multicast and reserved ranges.
 * A host name is resolved and refused if any of its addresses is such an address.
 *
 * Checked when an endpoint is registered (422 naming `url`) and again before every delivery attempt,
 * because a name can be re-pointed after registration (DNS rebinding); the window left between that
 * check and fetch's own lookup is the resolver's cache. `WEBHOOK_ALLOW_PRIVATE_URLS` turns the guard
 * off — the default outside production, where receivers run on 127.0.0.1.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (embeds an IPv4 address)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address literal is outside the public internet (IPv4-mapped IPv6 by its IPv4). */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isNonPublicAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
  return true; // not an address at all: never "public"
}

export type UrlVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether QuickEats may send to `url`: its host (an IP literal, or every address the name resolves
 * to) must be a public address. `resolve` is injectable for tests.
 */
export async function checkWebhookUrl(
  url: string,
  resolve: (host: string) => Promise<string[]> = async (host) =>
    (await lookup(host, { all: true, verbatim: true })).map((a) => a.address),
): Promise<UrlVerdict> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return { ok: false, reason: `points at a loopback host (${host})` };
  }
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return { ok: false, reason: `host ${host} does not resolve` };
    }
    if (addresses.length === 0) return { ok: false, reason: `host ${host} does not resolve` };
  }
  const refused = addresses.find(isNonPublicAddress);
  if (refused !== undefined) {
    return {
      ok: false,
      reason: `resolves to ${refused}, a private, loopback or link-local address (not allowed in production)`,
    };
  }
  return { ok: true };
}
