import { describe, expect, it } from "vitest";
import { currentStep, requestProgress, type ProgressEvent } from "./request-progress";
import type { RequestStatus } from "./request-status";

const at = (minute: number) => `2026-12-05T10:${String(minute).padStart(2, "0")}:00.000Z`;
const event = (type: string, minute: number, data: Record<string, unknown> = {}): ProgressEvent => ({
  type,
  occurredAt: at(minute),
  data,
});
const call = (minute: number, grantKind: string, status: number) =>
  event("provider.call", minute, { operation: "apply", grantKind, status });

const created = [event("request.created", 0)];
const approved = [...created, event("request.approved", 1)];
const activating = [...approved, event("request.activating", 2), call(2, "entraPimGroup", 201)];
const activated = [...activating, call(2, "armRoleAssignment", 201), event("request.activated", 3)];

/** One row per status the stepper tells apart: the states of its four steps and the step announced. */
const ROWS: Array<[RequestStatus, ProgressEvent[], string, string]> = [
  ["pending", created, "current upcoming upcoming upcoming", "Waiting for approval"],
  ["denied", [...created, event("request.denied", 1)], "stopped upcoming upcoming upcoming", "Denied"],
  ["timed_out", created, "stopped upcoming upcoming upcoming", "Timed out"],
  ["approved", approved, "done current upcoming upcoming", "Applying"],
  ["scheduled", [...approved, event("request.scheduled", 1)], "done current upcoming upcoming", "Scheduled"],
  ["activating", activating, "done current upcoming upcoming", "Applying"],
  ["active", activated, "done done current upcoming", "Active"],
  ["expired", [...activated, event("request.expired", 9)], "done done done done", "Ended"],
  ["deactivated", [...activated, event("request.deactivated", 9)], "done done done done", "Ended early"],
  ["revoked", [...activated, event("request.revoked", 9)], "done done done done", "Revoked"],
  [
    "failed",
    [...activating, event("request.activation_failed", 4)],
    "done stopped upcoming upcoming",
    "Applying failed",
  ],
];

describe("the request's progress", () => {
  it.each(ROWS)("%s: steps are %s, announcing %s", (status, events, states, announced) => {
    const steps = requestProgress(status, events);
    expect(steps.map((s) => s.state).join(" ")).toBe(states);
    expect(currentStep(steps).label).toBe(announced);
  });

  it("dates each step from the event that reached it", () => {
    const steps = requestProgress("revoked", [...activated, event("request.revoked", 9)]);
    expect(steps.map((s) => s.at)).toEqual([at(1), at(2), at(3), at(9)]);
  });

  it("lists each grant of the latest attempt, applied once its service confirmed it", () => {
    const retried = [
      ...activating,
      event("request.activation_failed", 4),
      event("request.activation_retried", 5),
      event("request.activating", 6),
      call(6, "entraPimGroup", 429),
      call(6, "entraPimGroup", 201),
      call(6, "armRoleAssignment", 500),
    ];
    expect(requestProgress("activating", retried)[1]!.grants).toEqual([
      { kind: "entraPimGroup", isApplied: true },
      { kind: "armRoleAssignment", isApplied: false },
    ]);
  });

  it("does not date an end that has not happened, nor activity that never was", () => {
    const steps = requestProgress("active", activated);
    expect(steps[3]).toMatchObject({ label: "Ends", at: null });
    expect(requestProgress("denied", created)[2]!.at).toBeNull();
  });
});
