import { describe, expect, it } from "vitest";
import { canonicalJson, chainHash, GENESIS_HASH, verifyRun, type ChainedContent } from "./chain";

const content = (n: number, data: unknown = { n }): ChainedContent => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  occurredAt: new Date(Date.UTC(2026, 10, 23, 10, 0, n)),
  type: "request.created",
  actorId: null,
  actorUpn: "n01@contoso.com",
  subjectId: null,
  requestId: null,
  correlationId: "c",
  data,
});

function chain(contents: ChainedContent[]) {
  let previous = GENESIS_HASH;
  return contents.map((c, i) => {
    const hash = chainHash(previous, c);
    const event = { ...c, seq: String(i + 1), prevHash: previous, hash };
    previous = hash;
    return event;
  });
}

describe("canonicalJson", () => {
  it("gives the same text whatever the key order, and drops undefined like JSON", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, "x", null], c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":[1,"x",null]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson([undefined, new Date("2026-11-23T10:00:00Z")])).toBe('[null,"2026-11-23T10:00:00.000Z"]');
  });
});

describe("chainHash", () => {
  it("depends on every field and on the hash before", () => {
    const base = chainHash(GENESIS_HASH, content(1));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...content(1), occurredAt: new Date(Date.UTC(2026, 10, 23, 10, 0, 9)) })).not.toBe(
      base,
    );
    expect(chainHash(GENESIS_HASH, { ...content(1), actorUpn: "p01@contoso.com" })).not.toBe(base);
    expect(chainHash(GENESIS_HASH, content(1, { n: 2 }))).not.toBe(base);
    expect(chainHash("f".repeat(64), content(1))).not.toBe(base);
    // A date and its ISO text are the same instant: the hash does not change with the representation.
    expect(chainHash(GENESIS_HASH, { ...content(1), occurredAt: "2026-11-23T10:00:01.000Z" })).toBe(base);
  });
});

describe("verifyRun", () => {
  it("accepts an intact chain and hands on its last hash", () => {
    const events = chain([content(1), content(2), content(3)]);
    expect(verifyRun(GENESIS_HASH, events)).toEqual({ isIntact: true, lastHash: events[2]!.hash });
  });

  it.each([
    ["a changed field", (e: ReturnType<typeof chain>) => (e[1]!.data = { n: 99 }), "2", /was changed/],
    ["a removed event", (e: ReturnType<typeof chain>) => e.splice(1, 1), "3", /does not link/],
    ["an event without a hash", (e: ReturnType<typeof chain>) => (e[2]!.hash = null as never), "3", /no hash/],
  ])("finds %s at the right event", (_case, tamper, seq, reason) => {
    const events = chain([content(1), content(2), content(3)]);
    tamper(events);
    const result = verifyRun(GENESIS_HASH, events);
    expect(result).toMatchObject({ isIntact: false, broken: { seq, reason: expect.stringMatching(reason) } });
  });
});
