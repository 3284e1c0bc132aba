import { describe, expect, it } from "vitest";
import { checkOpenRequests, findResubmission, type Filing, type OpenRequest } from "./open-requests";

const now = new Date("2026-12-05T09:00:00Z");
const at = (hhmm: string) => new Date(`2026-12-05T${hhmm}:00Z`);
const request = (id: string, fields: Partial<OpenRequest>): OpenRequest => ({
  id,
  status: "pending",
  startAt: null,
  durationMinutes: 60,
  activeFrom: null,
  activeUntil: null,
  ...fields,
});

describe("checkOpenRequests", () => {
  const rows: Array<{
    name: string;
    existing: OpenRequest[];
    draft?: { startAt: Date | null; durationMinutes: number };
    maxOpen?: number;
    isOverlapRefused?: boolean;
    expected: ReturnType<typeof checkOpenRequests> | { isAllowed: false; reason: string; id?: string };
  }> = [
    { name: "nothing open", existing: [], expected: { isAllowed: true } },
    {
      name: "a pending request for now duplicates one for now",
      existing: [request("p", {})],
      expected: { isAllowed: false, reason: "duplicate", id: "p" },
    },
    {
      name: "a pending request later that does not overlap is no duplicate",
      existing: [request("p", { startAt: at("12:00") })],
      expected: { isAllowed: true },
    },
    {
      name: "a pending request starting inside the new window duplicates it",
      existing: [request("p", { startAt: at("09:30") })],
      expected: { isAllowed: false, reason: "duplicate", id: "p" },
    },
    {
      name: "active access for the new window: extend it instead",
      existing: [request("a", { status: "active", activeFrom: at("08:30"), activeUntil: at("09:30") })],
      expected: { isAllowed: false, reason: "active", id: "a" },
    },
    {
      name: "active access ending before a scheduled start is no conflict",
      existing: [request("a", { status: "active", activeFrom: at("08:30"), activeUntil: at("09:30") })],
      draft: { startAt: at("10:00"), durationMinutes: 60 },
      expected: { isAllowed: true },
    },
    {
      name: "an approved request for the same time is neither active nor pending: counted only",
      existing: [request("ap", { status: "approved" })],
      expected: { isAllowed: true },
    },
    {
      name: "terminal requests do not count",
      existing: [request("c", { status: "cancelled" }), request("d", { status: "denied" })],
      maxOpen: 1,
      expected: { isAllowed: true },
    },
    {
      name: "with REFUSE_DUPLICATE_REQUESTS=false an overlapping pending request is only counted",
      existing: [request("p", {})],
      isOverlapRefused: false,
      expected: { isAllowed: true },
    },
    {
      name: "the cap counts every open request, whatever its time",
      existing: [
        request("s1", { status: "scheduled", startAt: at("20:00") }),
        request("s2", { status: "approved", startAt: at("22:00") }),
      ],
      maxOpen: 2,
      expected: { isAllowed: false, reason: "cap" },
    },
  ];

  it.each(rows)("$name", ({ existing, draft, maxOpen, isOverlapRefused, expected }) => {
    const verdict = checkOpenRequests({
      draft: draft ?? { startAt: null, durationMinutes: 60 },
      existing,
      maxOpen: maxOpen ?? 3,
      isOverlapRefused,
      now,
    });
    if (expected.isAllowed) return expect(verdict).toEqual({ isAllowed: true });
    expect(verdict.isAllowed).toBe(false);
    if (verdict.isAllowed) return;
    expect(verdict.reason).toBe(expected.reason);
    if ("id" in expected && expected.id) expect("existing" in verdict && verdict.existing.id).toBe(expected.id);
  });
});

describe("findResubmission", () => {
  const filing: Filing = {
    startAt: null,
    durationMinutes: 60,
    justification: "Rotate the certificate",
    ticket: "INC12345",
    isBreakGlass: false,
  };
  const filed = (secondsAgo: number, fields: Partial<Filing> & { status?: OpenRequest["status"] } = {}) => ({
    ...filing,
    status: "pending" as OpenRequest["status"],
    createdAt: new Date(now.getTime() - secondsAgo * 1000),
    ...fields,
  });

  it.each([
    ["the same filing a second ago (a double-click)", filed(1), true],
    ["the same filing already approved by policy", filed(1, { status: "active" }), true],
    ["the same filing more than a minute ago", filed(61), false],
    ["a cancelled one", filed(1, { status: "cancelled" }), false],
    ["another justification", filed(1, { justification: "Something else" }), false],
    ["another ticket", filed(1, { ticket: "INC12346" }), false],
    ["another duration", filed(1, { durationMinutes: 120 }), false],
    ["another start", filed(1, { startAt: at("12:00") }), false],
    ["break-glass against a normal request", filed(1, { isBreakGlass: true }), false],
  ])("treats %s as a resubmission: %s", (_case, existing, isResubmission) => {
    expect(findResubmission(filing, [existing], now) !== undefined).toBe(isResubmission);
  });
});
