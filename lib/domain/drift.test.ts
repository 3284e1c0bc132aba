import { describe, expect, it } from "vitest";
import { compareBinding } from "./drift";

const now = new Date("2026-11-23T10:00:00Z");
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const binding = { grant: { kind: "entraPimGroup", groupId: "g-admin" } };
interface LedgerGrant {
  id: string;
  principalId: string;
  appliedAt: Date | null;
  endAt: Date;
}
const grant = (principalId: string, appliedMinutesAgo: number, endsInMinutes: number): LedgerGrant => ({
  id: `grant-${principalId}`,
  principalId,
  appliedAt: at(-appliedMinutesAgo),
  endAt: at(endsInMinutes),
});
const compare = (assignments: Array<{ principalId: string; endAt: Date | null }>, grants: LedgerGrant[]) =>
  compareBinding({ key: "k", binding, assignments, grants, now }).map((d) => `${d.kind}:${d.principalId}`);

describe("compareBinding", () => {
  it.each([
    ["access and grant agree", [{ principalId: "u1", endAt: at(60) }], [grant("u1", 10, 60)], []],
    ["standing access nobody requested", [{ principalId: "u2", endAt: null }], [], ["unexplained:u2"]],
    ["time-bound access nobody requested", [{ principalId: "u2", endAt: at(30) }], [], ["unexplained:u2"]],
    // PIM ends it on its own in a moment: no alarm.
    ["unrequested access about to end", [{ principalId: "u2", endAt: at(1) }], [], []],
    ["a settled grant whose access is gone", [], [grant("u1", 10, 60)], ["missing:u1"]],
    // Just applied, or about to end: the service may lag behind the ledger for a moment.
    ["a grant applied a moment ago", [], [grant("u1", 1, 60)], []],
    ["a grant ending in a moment", [], [grant("u1", 10, 1)], []],
    ["a grant not applied yet", [], [{ ...grant("u1", 0, 60), appliedAt: null }], []],
    ["principal ids in another case", [{ principalId: "U1", endAt: null }], [grant("u1", 10, 60)], []],
  ])("%s", (_case, assignments, grants, expected) => {
    expect(compare(assignments, grants)).toEqual(expected);
  });

  it("names the person and the binding, so that Remove and Re-apply know what to act on", () => {
    const [finding] = compareBinding({
      key: "k",
      binding,
      assignments: [{ principalId: "u2", endAt: null, providerId: "assignment-7" }],
      grants: [],
      now,
    });
    expect(finding).toEqual({
      kind: "unexplained",
      bindingKey: "k",
      target: { ...binding, principalId: "u2" },
      principalId: "u2",
      grantId: null,
      providerId: "assignment-7",
      endAt: null,
    });
  });
});
