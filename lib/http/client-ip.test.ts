import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { ZEnv } from "@/lib/config/env-schema.js";
import { clientIp } from "./client-ip";
import { recordSocketAddresses } from "./socket-address";

// The default trust comes from the configuration; each case here passes its own.
vi.mock("@/lib/config/env", () => ({ env: { TRUSTED_PROXIES: { kind: "none" } } }));

const trusted = (value: string) => ZEnv.shape.TRUSTED_PROXIES.parse(value);
const socketHeader = recordSocketAddresses();

function headersOf(socket: string | null, forwardedFor?: string, more: Record<string, string> = {}) {
  const headers = new Headers(more);
  if (socket !== null) headers.set(socketHeader, socket);
  if (forwardedFor !== undefined) headers.set("x-forwarded-for", forwardedFor);
  return headers;
}

/**
 * Guards the audit trail and the per-IP rate limits against a client-chosen address: the issue
 * found the first X-Forwarded-For entry stored as it came (a 2,038-character string with markup).
 */
describe("clientIp", () => {
  const markup = "<img src=x onerror=alert(1)>";
  it.each([
    // [case, TRUSTED_PROXIES, socket address, X-Forwarded-For, expected]
    ["no proxy trusted: the socket, whatever the header says", "", "10.0.0.7", "198.51.100.9", "10.0.0.7"],
    ["no proxy trusted: X-Real-IP is not believed either", "", "10.0.0.7", undefined, "10.0.0.7"],
    ["an IPv4-mapped socket address, as IPv4", "", "::ffff:127.0.0.1", undefined, "127.0.0.1"],
    [
      "a trusted proxy: the address it appended",
      "10.0.0.0/8",
      "10.0.0.7",
      "203.0.113.50, 198.51.100.9",
      "198.51.100.9",
    ],
    ["two trusted proxies", "10.0.0.0/8", "10.0.0.7", "198.51.100.9, 10.1.1.1", "198.51.100.9"],
    ["a client next to the app that is no proxy", "10.0.0.0/8", "203.0.113.1", "198.51.100.9", "203.0.113.1"],
    ["only trusted hops: the furthest", "10.0.0.0/8", "10.0.0.7", "10.0.0.8", "10.0.0.8"],
    ["one hop trusted", "1", "10.0.0.7", "6.6.6.6, 198.51.100.9", "198.51.100.9"],
    ["two hops trusted", "2", "10.0.0.7", "6.6.6.6, 198.51.100.9", "6.6.6.6"],
    ["one hop trusted, no header: the socket", "1", "10.0.0.7", undefined, "10.0.0.7"],
    ["IPv6 through a trusted IPv6 proxy", "fd00::/8", "fd00::5", "2001:DB8::7", "2001:db8::7"],
    ["an address with a port (Application Gateway)", "1", "10.0.0.7", "198.51.100.9:4711", "198.51.100.9"],
    ["an IPv6 address in brackets with a port", "1", "10.0.0.7", "[2001:db8::1]:443", "2001:db8::1"],
    ["the loopback range by name", "loopback", "::1", "198.51.100.9", "198.51.100.9"],
    ["junk the client wrote left of the client", "10.0.0.0/8", "10.0.0.7", `${markup}, 198.51.100.9`, "198.51.100.9"],
    ["markup where the client's address should be", "10.0.0.0/8", "10.0.0.7", markup, null],
    ["a 2,038-character entry", "1", "10.0.0.7", "1".repeat(2038), null],
    ["an address with text after it", "1", "10.0.0.7", "198.51.100.9 evil", null],
    ["more trusted hops than any real chain", "10.0.0.0/8", "10.0.0.7", Array(30).fill("10.0.0.9").join(","), null],
    ["no socket address: unknown, not the header", "", null, "198.51.100.9", null],
  ])("%s", (_case, trust, socket, forwardedFor, expected) => {
    const headers = headersOf(socket, forwardedFor, { "x-real-ip": "6.6.6.6" });
    expect(clientIp(headers, trusted(trust))).toBe(expected);
  });

  it("never returns anything but a valid IP address or null", () => {
    const hostile = [
      "",
      " ",
      ",",
      "unknown",
      "::ffff:999.1.1.1",
      "1.2.3.4/8",
      "fe80::1%eth0",
      "\u0000",
      "a".repeat(64),
    ];
    for (const entry of hostile) {
      // Not Headers, which refuses some of these values: whatever a proxy could pass on.
      const raw: Record<string, string> = { [socketHeader]: "10.0.0.7", "x-forwarded-for": entry };
      const ip = clientIp({ get: (name) => raw[name] ?? null }, trusted("1"));
      expect(ip === null || /^[0-9a-f.:]{2,45}$/.test(ip), `${JSON.stringify(entry)} gave ${ip}`).toBe(true);
    }
  });
});

describe("TRUSTED_PROXIES", () => {
  it.each([
    ["", { kind: "none" }],
    ["0", { kind: "none" }],
    ["1", { kind: "hops", hops: 1 }],
    [
      "10.244.0.0/16, fd00::/8",
      {
        kind: "subnets",
        subnets: [
          { address: "10.244.0.0", prefix: 16, family: "ipv4" },
          { address: "fd00::", prefix: 8, family: "ipv6" },
        ],
      },
    ],
    ["192.0.2.10", { kind: "subnets", subnets: [{ address: "192.0.2.10", prefix: 32, family: "ipv4" }] }],
  ])("reads %j", (value, expected) => {
    expect(trusted(value)).toEqual(expected);
  });

  it.each(["11", "10.0.0.0/33", "10.0.0.0/8/1", "ingress", "true", "10.0.0.0/8, 1"])("refuses %j", (value) => {
    expect(ZEnv.shape.TRUSTED_PROXIES.safeParse(value).success).toBe(false);
  });
});

describe("the socket address hook", () => {
  /**
   * Guards against the hole Next leaves: it fills X-Forwarded-For with the socket's address only when
   * the request has none, so the hook must record the socket for every request, and a client must
   * not be able to send the hook's header itself.
   */
  it("records the socket's address of a real connection, whatever the client sends", async () => {
    const seen: Array<string | null> = [];
    const server = http.createServer((request, response) => {
      const headers = new Headers(request.headers as Record<string, string>);
      seen.push(clientIp(headers, trusted("")));
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const spoofed = { "x-forwarded-for": "198.51.100.9", "x-real-ip": "198.51.100.9" };
      await fetch(`http://127.0.0.1:${port}/`, { headers: spoofed });
      await fetch(`http://127.0.0.1:${port}/`, { headers: { ...spoofed, "x-aks-jit-socket": "198.51.100.9" } });
      expect(seen).toEqual(["127.0.0.1", "127.0.0.1"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("names its header once per process, with an id no client can guess", () => {
    expect(recordSocketAddresses()).toBe(socketHeader);
    expect(socketHeader).toMatch(/^x-aks-jit-socket-[0-9a-f-]{36}$/);
  });
});
