import { describe, expect, it } from "vitest";
import { instant, text } from "./fields";

/** Guards against text and dates that PostgreSQL refuses reaching it, where they became 500s. */
describe("text()", () => {
  const justification = text("the justification").trim().max(40, "too long");

  it.each([
    ["plain", "Rotate the certificate", true],
    ["an emoji (a surrogate pair)", "deploy 🚀", true],
    ["accents and CJK", "Überprüfung 調査", true],
    ["NUL", "fix\u0000it", false],
    ["a lone high surrogate", "fix\uD83D", false],
    ["a lone low surrogate", "\uDE80fix", false],
    ["pairs in the wrong order", "\uDE80\uD83D", false],
  ])("%s: accepted=%s", (_name, value, isAccepted) => {
    const parsed = justification.safeParse(value);
    expect(parsed.success).toBe(isAccepted);
    if (!isAccepted) expect(parsed.error!.issues[0]!.message).toMatch(/the justification/);
  });

  it("keeps the string methods after the check", () => {
    expect(justification.parse("  padded  ")).toBe("padded");
    expect(justification.safeParse("x".repeat(41)).error!.issues[0]!.message).toBe("too long");
  });
});

describe("instant()", () => {
  const from = instant("from");

  it.each([
    ["2026-11-23T08:00:00Z", []],
    ["2026-11-23T09:00:00+01:00", []],
    ["0001-01-01T00:00:00Z", []],
    ["9999-12-31T23:59:59-14:00", []],
    ["0000-01-01T00:00:00Z", ["Give from as a date from the year 1 on, e.g. 2026-11-23T08:00:00Z."]],
    // Year 1 in the offset's time, year 0 in UTC: what is stored.
    ["0001-01-01T00:00:00+01:00", ["Give from as a date from the year 1 on, e.g. 2026-11-23T08:00:00Z."]],
    ["yesterday", ["Give from as a date and time with its offset, e.g. 2026-11-23T08:00:00Z."]],
    ["2026-11-23T08:00:00", ["Give from as a date and time with its offset, e.g. 2026-11-23T08:00:00Z."]],
  ])("%s", (value, messages) => {
    const parsed = from.safeParse(value);
    expect(parsed.success ? [] : parsed.error.issues.map((issue) => issue.message)).toEqual(messages);
  });
});
