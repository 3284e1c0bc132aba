import { BlockList, isIP } from "node:net";
import { env } from "@/lib/config/env";
import type { TrustedProxies } from "@/lib/config/env-schema.js";
import { socketAddressOf } from "./socket-address";

/**
 * The client's IP address, the one place that decides it (audit events, rate limits per IP): the
 * right-most address in X-Forwarded-For that is not a trusted proxy, walking left from the socket's
 * address, as Express's `trust proxy` (proxy-addr) does. Each proxy appends the address it got the
 * request from, so everything left of the first untrusted hop was written by the client and may be
 * anything. Without trusted proxies (TRUSTED_PROXIES unset) the client is the socket's address.
 *
 * Returns a validated IP address (IPv4, or IPv6 in lower case; an IPv4-mapped IPv6 address as
 * IPv4), or null when it cannot be known: no socket address (lib/http/socket-address.ts), or the
 * hop that decides is not an IP address. Never text from the request as it came.
 */
export function clientIp(
  headers: { get(name: string): string | null },
  trust: TrustedProxies = env.TRUSTED_PROXIES,
): string | null {
  const socket = socketAddressOf(headers);
  if (socket === null) return null;
  const hops = [socket, ...forwardedFor(headers)];
  for (const [index, hop] of hops.entries()) {
    const address = normalIp(hop);
    if (address === null) return null;
    if (index === hops.length - 1 || !isTrusted(trust, address, index)) return address;
  }
  return null;
}

/** More hops than any real chain of proxies: past this the client cannot be told and is unknown. */
const MAX_HOPS = 20;
/** The longest form of an address a proxy writes: IPv6 with an IPv4 tail, brackets and a port. */
const MAX_HOP_LENGTH = 64;

/** X-Forwarded-For's entries, nearest proxy first, at most MAX_HOPS of them. */
function forwardedFor(headers: { get(name: string): string | null }): string[] {
  // Several X-Forwarded-For headers arrive joined with ", " (RFC 9110 §5.3), in order.
  const entries = (headers.get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim());
  const present = entries.filter((entry) => entry !== "");
  const nearestFirst = present.slice(-MAX_HOPS).reverse();
  // An entry cut off by the bound cannot be the client if every hop before it is trusted.
  return present.length > MAX_HOPS ? [...nearestFirst, "unknown"] : nearestFirst;
}

/**
 * An IP address as a proxy writes it, or null: `1.2.3.4`, `2001:db8::1`, and the forms with a port
 * that some proxies (Azure Application Gateway) use, `1.2.3.4:5678` and `[2001:db8::1]:5678`.
 */
function normalIp(entry: string): string | null {
  if (entry.length > MAX_HOP_LENGTH) return null;
  const address = (/^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry)?.[1] ?? /^([\d.]+):\d{1,5}$/.exec(entry)?.[1] ?? entry)
    // A zone (fe80::1%eth0) names an interface of the proxy, not part of the client's address.
    .replace(/%.*$/, "")
    .toLowerCase();
  const version = isIP(address);
  if (version === 0) return null;
  const mapped = version === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1] : undefined;
  return mapped && isIP(mapped) === 4 ? mapped : address;
}

function isTrusted(trust: TrustedProxies, address: string, index: number): boolean {
  switch (trust.kind) {
    case "none":
      return false;
    case "hops":
      return index < trust.hops;
    case "subnets":
      return blockListOf(trust).check(address, isIP(address) === 4 ? "ipv4" : "ipv6");
  }
}

const blockLists = new WeakMap<TrustedProxies, BlockList>();

function blockListOf(trust: Extract<TrustedProxies, { kind: "subnets" }>): BlockList {
  let list = blockLists.get(trust);
  if (!list) {
    list = new BlockList();
    for (const subnet of trust.subnets) list.addSubnet(subnet.address, subnet.prefix, subnet.family);
    blockLists.set(trust, list);
  }
  return list;
}
