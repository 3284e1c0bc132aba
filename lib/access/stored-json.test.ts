import { describe, expect, it } from "vitest";
import { checkExtension } from "@/lib/domain/policy";
import { readGrantTarget, readPolicySnapshot, readRequestState, type StoredRequestRow } from "./stored-json";

const ROW = "0b6f3c1e-8a44-4c1b-9d1e-3f5a6b7c8d9e";
const GROUP = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";

/** A snapshot as the first release stored it: no extension, no session rule, no step-up. */
const V1_SNAPSHOT = {
  eligibleGroupIds: [GROUP],
  approverGroupIds: [GROUP],
  approvalsRequired: 1,
  maxDurationMinutes: 480,
  defaultDurationMinutes: 60,
  justification: { isRequired: true },
  ticket: { isRequired: false },
  pendingTimeoutMinutes: 1440,
  isScheduledStartAllowed: false,
  maxStartAheadMinutes: 0,
  isBreakGlassAllowed: false,
};
const CURRENT_SNAPSHOT = {
  ...V1_SNAPSHOT,
  extension: { isAllowed: true, maxTotalMinutes: 720, isApprovalRequired: false },
  isSessionRevokedOnEnd: true,
  stepUp: { maxAgeMinutes: 10, authenticationContext: "c1" },
};

describe("readPolicySnapshot", () => {
  it("reads a current snapshot as it was stored", () => {
    expect(readPolicySnapshot(CURRENT_SNAPSHOT, ROW)).toEqual(CURRENT_SNAPSHOT);
  });

  it("gives a snapshot filed before extensions existed the safe readings: no extension, sessions kept, no step-up", () => {
    const policy = readPolicySnapshot(V1_SNAPSHOT, ROW);
    expect(policy).toMatchObject({
      extension: { isAllowed: false, maxTotalMinutes: 0, isApprovalRequired: true },
      isSessionRevokedOnEnd: false,
    });
    expect(policy.stepUp).toBeUndefined();
    const extending = { activeFrom: new Date(0), activeUntil: new Date(3_600_000), extraMinutes: 60, now: new Date(0) };
    expect(checkExtension({ policy, ...extending }).isAllowed).toBe(false);
  });

  it("drops keys a newer version added instead of refusing the row (rolling upgrades)", () => {
    expect(readPolicySnapshot({ ...CURRENT_SNAPSHOT, someFutureRule: true }, ROW)).toEqual(CURRENT_SNAPSHOT);
  });

  it.each([
    ["a field of the wrong type", { ...V1_SNAPSHOT, approvalsRequired: "one" }, /approvalsRequired/],
    ["a missing field every version has", { ...V1_SNAPSHOT, approverGroupIds: undefined }, /approverGroupIds/],
    ["a malformed nested rule", { ...CURRENT_SNAPSHOT, extension: { isAllowed: "yes" } }, /extension/],
    ["something that is not an object", "policy", /expected object/],
  ])("refuses %s, naming the table, the row and the field", (_what, json, field) => {
    expect(() => readPolicySnapshot(json, ROW)).toThrow(new RegExp(`^access_requests ${ROW}: the stored policy`));
    expect(() => readPolicySnapshot(json, ROW)).toThrow(field);
  });
});

describe("readGrantTarget", () => {
  const target = {
    principalId: "a1b2c3d4-0000-4000-8000-000000000001",
    grant: { kind: "armRoleAssignment", roleDefinitionId: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b", scope: "cluster" },
    clusterResourceId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
    nodeResourceGroupId: "/subscriptions/x/resourceGroups/MC_rg_aks",
  };

  it("reads each kind of grant", () => {
    expect(readGrantTarget(target, ROW)).toEqual(target);
    const group = { ...target, grant: { kind: "entraPimGroup", groupId: GROUP } };
    expect(readGrantTarget(group, ROW)).toEqual(group);
  });

  it.each([
    ["an unknown grant kind", { ...target, grant: { kind: "magic", groupId: GROUP } }, "grants", /grant/],
    ["a group grant without its group", { ...target, grant: { kind: "entraGroup" } }, "grants", /groupId/],
    ["a target without its person", { ...target, principalId: undefined }, "drift_findings", /principalId/],
  ] as const)("refuses %s, naming the table and the row", (_what, json, table, field) => {
    expect(() => readGrantTarget(json, ROW, table)).toThrow(new RegExp(`^${table} ${ROW}: the stored target`));
    expect(() => readGrantTarget(json, ROW, table)).toThrow(field);
  });
});

describe("readRequestState", () => {
  const row: StoredRequestRow = {
    id: ROW,
    status: "active",
    requesterId: "n01",
    approvalsRequired: 1,
    startAt: null,
    pendingExpiresAt: new Date("2026-11-24T10:00:00Z"),
    isBreakGlass: false,
    policy: V1_SNAPSHOT,
    activeFrom: new Date("2026-11-23T09:00:00Z"),
    activeUntil: new Date("2026-11-23T11:00:00Z"),
  };

  it("carries the parsed policy and the access period", () => {
    expect(readRequestState(row, ["p01"])).toMatchObject({
      status: "active",
      approverIds: ["p01"],
      policy: { extension: { isAllowed: false } },
      activeUntil: row.activeUntil,
    });
  });

  it("refuses a status the code does not know, naming the row", () => {
    expect(() => readRequestState({ ...row, status: "paused" }, [])).toThrow(
      `access_requests ${ROW}: unknown status "paused"`,
    );
  });
});
