import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RETURN_TO_LENGTH, safeReturnTo } from "./return-to";

describe("safeReturnTo", () => {
  it.each([
    ["/audit", "/audit"],
    ["/requests/42?tab=timeline", "/requests/42?tab=timeline"],
    [null, "/"],
    ["", "/"],
    ["https://evil.example/phish", "/"],
    ["//evil.example/phish", "/"],
    ["/\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["audit", "/"],
    // Guards against a path that becomes protocol-relative once normalized (safe before only because it ran twice).
    ["/.//evil.example", "/"],
    ["/a/..//evil.example", "/"],
    ["/%2e//evil.example", "/"],
    // Guards against a return path that overflows the sign-in cookie, so that sign-in fails as "expired".
    [`/audit?q=${"x".repeat(2800)}`, "/"],
    [`/${"a".repeat(MAX_RETURN_TO_LENGTH - 1)}`, `/${"a".repeat(MAX_RETURN_TO_LENGTH - 1)}`],
    [`/${"a".repeat(MAX_RETURN_TO_LENGTH)}`, "/"],
  ])("%s -> %s", (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  const pathLike = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc
      .array(fc.constantFrom("/", ".", "..", "%2e", "%2f", "\\", "evil.example", "a", "?", "#", "%", " ", "\t"), {
        maxLength: 12,
      })
      .map((parts) => parts.join("")),
  );

  it("is idempotent, and what it gives is a local path within the bound", () => {
    fc.assert(
      fc.property(pathLike, (candidate) => {
        const once = safeReturnTo(candidate);
        expect(safeReturnTo(once)).toBe(once);
        expect(once.startsWith("/") && !once.startsWith("//") && !once.includes("\\")).toBe(true);
        expect(once.length).toBeLessThanOrEqual(MAX_RETURN_TO_LENGTH);
      }),
      { numRuns: 5_000 },
    );
  });
});
