import { describe, expect, it } from "vitest";
import { OPEN_STATUSES, REQUEST_STATUSES, REVOCABLE_STATUSES, isTerminal, parseRequestStatus } from "./request-status";

describe("the status table", () => {
  it("derives each list from the one table", () => {
    expect(OPEN_STATUSES).toEqual(["pending", "approved", "scheduled", "activating", "active"]);
    expect(REVOCABLE_STATUSES).toEqual(["approved", "scheduled", "active"]);
    expect(REQUEST_STATUSES.filter(isTerminal)).toEqual([
      "expired",
      "deactivated",
      "revoked",
      "denied",
      "cancelled",
      "timed_out",
      "failed",
    ]);
  });

  it("reads a stored status, and refuses one the code does not know, naming the row", () => {
    expect(parseRequestStatus("timed_out", "r1")).toBe("timed_out");
    expect(() => parseRequestStatus("toString", "r1")).toThrow('access_requests r1: unknown status "toString"');
  });
});
