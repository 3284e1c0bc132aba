import { describe, expect, it } from "vitest";
import { operatorId, planFrom, retentionCutOff, ZCutOff, ZOperator } from "./retention";

const now = new Date("2026-11-23T10:00:00Z");
const utc = (text: string) => new Date(`${text}T00:00:00Z`);

describe("retentionCutOff", () => {
  it.each([
    ["3 months in November", { olderThanMonths: 3 }, now, "2026-08-01"],
    ["1 month keeps the previous month whole", { olderThanMonths: 1 }, now, "2026-10-01"],
    ["across a year", { olderThanMonths: 12 }, now, "2025-11-01"],
    ["from January", { olderThanMonths: 2 }, new Date("2027-01-05T00:00:00Z"), "2026-11-01"],
    // 23:30 on 31 January in UTC-2 is already February in UTC: months are UTC months.
    ["by the UTC month", { olderThanMonths: 1 }, new Date("2027-02-01T01:30:00Z"), "2027-01-01"],
    ["a given month's first day", { before: "2026-06-01" }, now, "2026-06-01"],
    ["the start of the current month", { before: "2026-11-01" }, now, "2026-11-01"],
  ])("%s", (_case, cutOff, at, expected) => {
    expect(retentionCutOff(cutOff, at)).toEqual(utc(expected));
  });

  it("refuses a cut-off inside or after the current month", () => {
    expect(() => retentionCutOff({ before: "2026-12-01" }, now)).toThrow(
      /the cut-off 2026-12-01 is later than the start of the current month/,
    );
  });

  it.each([
    [{ olderThanMonths: 0 }, false],
    [{ olderThanMonths: "2" }, true],
    [{ olderThanMonths: 1.5 }, false],
    [{ before: "2026-06-01" }, true],
    [{ before: "2026-06-15" }, false],
    [{ before: "2026-13-01" }, false],
    [{}, false],
  ])("validates %o", (input, isValid) => {
    expect(ZCutOff.safeParse(input).success).toBe(isValid);
  });
});

describe("planFrom", () => {
  const cutOff = utc("2026-08-01");
  const facts = {
    oldest: { seq: "5", occurredAt: new Date("2026-05-02T08:00:00Z") },
    end: { seq: "12", hash: "a".repeat(64), occurredAt: new Date("2026-07-31T23:59:59.900Z") },
    months: [
      { month: "2026-05", events: 3 },
      { month: "2026-07", events: 5 },
    ],
    keptBeforeCutOff: 1,
    previousCheckpoint: null,
  };

  it("removes from the oldest event through the segment's end, and counts by month", () => {
    expect(planFrom(cutOff, facts)).toMatchObject({
      fromSeq: "5",
      throughSeq: "12",
      throughHash: "a".repeat(64),
      removedEvents: 8,
      keptBeforeCutOff: 1,
    });
  });

  it("links to the genesis hash when the segment ends before the chain began", () => {
    expect(planFrom(cutOff, { ...facts, end: { ...facts.end, hash: null } }).throughHash).toBe("0".repeat(64));
  });

  it("refuses when nothing is old enough, naming the oldest event", () => {
    expect(() => planFrom(cutOff, { ...facts, end: null, months: [] })).toThrow(
      "Audit retention refused: nothing is old enough: the oldest event (seq 5, 2026-05-02T08:00:00.000Z) is not before the cut-off 2026-08-01. Nothing was removed.",
    );
    expect(() => planFrom(cutOff, { ...facts, oldest: null, end: null, months: [] })).toThrow(/history is empty/);
  });
});

describe("the operator", () => {
  it("must look like a UPN", () => {
    expect(ZOperator.safeParse(" ops@contoso.com ").data).toBe("ops@contoso.com");
    expect(ZOperator.safeParse("root").success).toBe(false);
    expect(ZOperator.safeParse("a b@c").success).toBe(false);
  });

  it("gets a stable version-8 UUID, whatever the case", () => {
    const id = operatorId("Root@Ops-1");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(operatorId("root@ops-1")).toBe(id);
    expect(operatorId("other@ops-1")).not.toBe(id);
  });
});
