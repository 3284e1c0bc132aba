import { ZActivitySummary } from "@/lib/activity/types";
import type { AuditEventType } from "@/lib/audit/events";

/** The event type of a stored summary (lib/audit/events.ts). */
export const ACTIVITY_EVENT_TYPE = "activity.summarised" satisfies AuditEventType;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/**
 * An `activity.summarised` event in one line, for the request's timeline and the auditor's trail:
 * the calls, what stands out among them (after the end, denied, secret reads), or why it could not be read.
 */
export function describeActivityEvent(data: unknown): string {
  const parsed = ZActivitySummary.safeParse(data);
  if (!parsed.success) return "Activity summarised (in a form this version does not read).";
  const { status, problems, kubernetes: k8s, nodeSignIns, window } = parsed.data;
  if (status === "unavailable") {
    return `Activity could not be read: ${problems.map((p) => p.message).join(" ") || "no reason given."}`;
  }
  const parts = [k8s ? plural(k8s.totalCalls, "Kubernetes call") : "Kubernetes calls not read"];
  if (k8s && k8s.afterEndCalls > 0) parts.push(`${plural(k8s.afterEndCalls, "call")} after access ended`);
  if (k8s && k8s.deniedCalls > 0) parts.push(`${k8s.deniedCalls} denied`);
  if (k8s && k8s.secretReads > 0) parts.push(plural(k8s.secretReads, "secret read"));
  if (k8s && k8s.sensitiveCalls > 0) parts.push(`${k8s.sensitiveCalls} sensitive`);
  if (nodeSignIns) parts.push(plural(nodeSignIns.total, "node sign-in"));
  return `${parts.join(", ")}${window.isComplete ? "." : " (provisional: tokens were still valid)."}`;
}
