/**
 * The request page's stepper: where a request stands on its way to access and back, derived from its
 * status and its audit trail (pure: the page passes both in). approved → applying (each grant) →
 * active → ended, each step with the time it was reached.
 */
import { describeStatus, type RequestStatus } from "./request-status";

export type StepState = "done" | "current" | "upcoming" | "stopped";

export interface ProgressStep {
  key: "approval" | "applying" | "active" | "ended";
  label: string;
  state: StepState;
  /** When the step was reached (ISO), if it was. */
  at: string | null;
  /** For "applying": each kind of grant and whether the service confirmed it. */
  grants: Array<{ kind: string; isApplied: boolean }>;
}

export interface ProgressEvent {
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

const ENDED_WORDS: Partial<Record<RequestStatus, string>> = {
  expired: "Ended",
  deactivated: "Ended early",
  revoked: "Revoked",
};

const STOPPED_BEFORE_APPROVAL: RequestStatus[] = ["denied", "cancelled", "timed_out"];

const lastAt = (events: ProgressEvent[], ...types: string[]) =>
  events.findLast((e) => types.includes(e.type))?.occurredAt ?? null;

/** The grants the latest activation attempt applied, from its provider calls. */
function appliedGrants(events: ProgressEvent[]) {
  const start = events.findLastIndex((e) => e.type === "request.activating");
  const byKind = new Map<string, boolean>();
  for (const event of start < 0 ? [] : events.slice(start)) {
    const { grantKind, operation, status } = event.data;
    if (event.type !== "provider.call" || operation !== "apply" || typeof grantKind !== "string") continue;
    byKind.set(grantKind, typeof status === "number" && status < 400);
  }
  return [...byKind].map(([kind, isApplied]) => ({ kind, isApplied }));
}

export function requestProgress(status: RequestStatus, events: ProgressEvent[]): ProgressStep[] {
  const step = (key: ProgressStep["key"], label: string, state: StepState, at: string | null): ProgressStep => ({
    key,
    label,
    state,
    at,
    grants: [],
  });
  // A self-activated or break-glass request has no approval event: its activation starting is its approval.
  const approvedAt =
    lastAt(events, "request.approved") ??
    events.find((e) => e.type === "request.scheduled" || e.type === "request.activating")?.occurredAt ??
    null;
  const activatedAt = lastAt(events, "request.activated");
  const endedAt = lastAt(events, "request.expired", "request.deactivated", "request.revoked");

  const approval =
    status === "pending"
      ? step("approval", "Waiting for approval", "current", null)
      : STOPPED_BEFORE_APPROVAL.includes(status)
        ? step("approval", capitalize(describeStatus(status)), "stopped", lastAt(events, `request.${status}`))
        : step("approval", "Approved", "done", approvedAt);

  const isApplied = activatedAt !== null && status !== "failed" && status !== "activating";
  const applying = step(
    "applying",
    status === "failed" ? "Applying failed" : status === "scheduled" ? "Scheduled" : isApplied ? "Applied" : "Applying",
    status === "failed"
      ? "stopped"
      : isApplied
        ? "done"
        : ["approved", "scheduled", "activating"].includes(status)
          ? "current"
          : "upcoming",
    lastAt(events, "request.activating"),
  );
  applying.grants = appliedGrants(events);

  const endedWords = ENDED_WORDS[status];
  const active = step(
    "active",
    "Active",
    status === "active" ? "current" : endedWords && activatedAt ? "done" : "upcoming",
    status === "active" || (endedWords && activatedAt) ? activatedAt : null,
  );
  const ended = step("ended", endedWords ?? "Ends", endedWords ? "done" : "upcoming", endedWords ? endedAt : null);
  return [approval, applying, active, ended];
}

/** The step to announce: the last one reached. */
export function currentStep(steps: ProgressStep[]): ProgressStep {
  return steps.findLast((s) => s.state !== "upcoming") ?? steps[0]!;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
