/**
 * What a notification says, per event and audience, as one channel-neutral message; the channel
 * builders (mail.ts, teams-card.ts, slack-blocks.ts) only lay it out. Pure: no clock, no I/O.
 */
import { describeDuration } from "@/lib/domain/duration";
import { isAwaitingDecision, type RequestStatus } from "@/lib/domain/request-state";

import type { Fact, NotificationKind, NotificationMessage } from "./payloads";

export { NOTIFICATION_KINDS } from "./payloads";
export type { Fact, NotificationKind, NotificationMessage } from "./payloads";

/** Why a person is told: it decides the wording, never whether they may see the request. */
export type Audience = "requester" | "approver" | "auditor" | "admin";

export interface Person {
  displayName: string;
  userPrincipalName: string;
}

/** The request as the messages describe it. */
export interface RequestSummary {
  id: string;
  clusterName: string;
  clusterDisplayName: string;
  environment: string;
  roleName: string;
  requester: Person;
  durationMinutes: number;
  justification: string;
  ticket: string | null;
  isBreakGlass: boolean;
  /** the request's status when the message is written */
  status: RequestStatus;
  approvalsRequired: number;
  /** who approved so far, in order */
  approvedBy: Person[];
  activeUntil: Date | null;
  failureReason: string | null;
}

/** What the event adds: the decision and who made it. */
export interface EventDetails {
  outcome?: "approve" | "deny";
  actor?: Person;
  comment?: string | null;
  /** minutes until the access ends (ending soon), or since the request was filed (reminders) */
  minutes?: number;
}

const MAX_FACT = 500;
const clip = (text: string, max = MAX_FACT) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const who = (person: Person) => `${person.displayName} (${person.userPrincipalName})`;
const utcTime = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

function factsOf(request: RequestSummary): Fact[] {
  const approvals = request.approvedBy.length;
  return [
    { title: "Requester", value: who(request.requester) },
    { title: "Cluster", value: `${request.clusterDisplayName} (${request.environment})` },
    { title: "Role", value: request.roleName },
    { title: "Duration", value: describeDuration(request.durationMinutes) },
    { title: "Justification", value: clip(request.justification || "—") },
    ...(request.ticket ? [{ title: "Ticket", value: request.ticket }] : []),
    ...(request.approvalsRequired > 0
      ? [{ title: "Approvals", value: `${approvals} of ${request.approvalsRequired}` }]
      : []),
  ];
}

interface Wording {
  title: string;
  text: string;
  actionTitle: string;
  anchor?: string;
  isUrgent?: boolean;
}

function decidedWording(audience: Audience, request: RequestSummary, details: EventDetails, what: string): Wording {
  const actor = details.actor ? who(details.actor) : "an approver";
  const comment = details.comment ? ` Their comment: “${clip(details.comment, 300)}”` : "";
  const missing = request.approvalsRequired - request.approvedBy.length;
  const stillPending = isAwaitingDecision(request.status) && missing > 0;
  if (details.outcome === "deny") {
    return audience === "requester"
      ? {
          title: `Denied: your request for ${what}`,
          text: `${actor} denied it.${comment}`,
          actionTitle: "Open the request",
        }
      : {
          title: `Already denied by ${details.actor?.userPrincipalName ?? "an approver"}: ${what}`,
          text: `${actor} denied ${request.requester.displayName}'s request. Nothing is left for you to decide.${comment}`,
          actionTitle: "Open the request",
        };
  }
  const progress = stillPending ? ` It needs ${missing} more approval${missing === 1 ? "" : "s"}.` : "";
  if (audience === "requester") {
    return {
      title: stillPending
        ? `Approved by ${actor}, ${missing} more needed: ${what}`
        : `Approved: your request for ${what}`,
      text: `${actor} approved it.${progress}${stillPending ? "" : " The access is being applied."}${comment}`,
      actionTitle: "Open the request",
    };
  }
  return {
    title: `Already approved by ${details.actor?.userPrincipalName ?? "an approver"}: ${what}`,
    text: `${actor} approved ${request.requester.displayName}'s request.${progress || " Nothing is left for you to decide."}${comment}`,
    actionTitle: stillPending ? "Review the request" : "Open the request",
  };
}

function wordingOf(
  kind: NotificationKind,
  audience: Audience,
  request: RequestSummary,
  details: EventDetails,
): Wording {
  const what = `${request.roleName} on ${request.clusterName}`;
  const requester = request.requester.displayName;
  switch (kind) {
    case "request_filed":
      return {
        title: `Approval needed: ${what}`,
        text: `${requester} asks for ${request.roleName} on ${request.clusterDisplayName} for ${describeDuration(request.durationMinutes)}.`,
        actionTitle: "Review the request",
      };
    case "break_glass":
      return {
        title: `Break-glass: ${requester} took ${what}`,
        text: `${requester} used break-glass: the access is applied without approval. It must be reviewed afterwards.`,
        actionTitle: "Review the break-glass access",
        anchor: "review",
        isUrgent: true,
      };
    case "break_glass_review_overdue":
      return {
        title: `Review overdue: ${requester}'s break-glass ${what}`,
        text: `Nobody has reviewed ${requester}'s break-glass access in the time its policy allows: you are told because you are in the role's escalation group or an auditor.`,
        actionTitle: "Review the break-glass access",
        anchor: "review",
        isUrgent: true,
      };
    case "request_decided":
      return decidedWording(audience, request, details, what);
    case "activation_failed":
      return {
        title: `Activation failed: ${what}`,
        text: `${audience === "requester" ? "Your" : `${requester}'s`} access could not be applied, and nothing of it is left in place. ${clip(request.failureReason ?? "", 300)}`.trim(),
        actionTitle: "Open the request",
        isUrgent: true,
      };
    case "access_ending_soon":
      return {
        title: `Your ${what} access ends in ${describeDuration(details.minutes ?? 0)}`,
        text: `It ends at ${request.activeUntil ? utcTime(request.activeUntil) : "the end of its period"}. Extend it from the request if you still need it.`,
        actionTitle: "Extend access",
        anchor: "actions",
      };
    case "pending_reminder":
      return {
        title: `Reminder: ${what} is waiting for approval`,
        text: `${requester}'s request has been pending for ${describeDuration(details.minutes ?? 0)}.`,
        actionTitle: "Review the request",
      };
    case "pending_escalation":
      return {
        title: `Escalated: ${what} is waiting for approval`,
        text: `Nobody has decided ${requester}'s request for ${describeDuration(details.minutes ?? 0)}: you are told because you are in the role's escalation group.`,
        actionTitle: "Review the request",
        isUrgent: true,
      };
    default: {
      const exhaustive: never = kind;
      throw new Error(`unknown notification kind ${String(exhaustive)}`);
    }
  }
}

export function describeNotification(input: {
  kind: NotificationKind;
  audience: Audience;
  request: RequestSummary;
  details?: EventDetails;
  appUrl: string;
}): NotificationMessage {
  const wording = wordingOf(input.kind, input.audience, input.request, input.details ?? {});
  const linkPath = `/requests/${input.request.id}${wording.anchor ? `#${wording.anchor}` : ""}`;
  return {
    kind: input.kind,
    title: wording.title,
    text: wording.text,
    facts: factsOf(input.request),
    linkPath,
    url: `${input.appUrl.replace(/\/+$/, "")}${linkPath}`,
    actionTitle: wording.actionTitle,
    isUrgent: wording.isUrgent ?? false,
  };
}
