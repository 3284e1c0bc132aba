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
  /** the cluster's risk from the catalog (low … critical), if it gives one */
  risk: string | null;
  roleName: string;
  /** what the role grants, in words (the catalog's, or worded from its Azure roles) */
  roleDescription: string | null;
  /** the ticket as a link, when the catalog has a ticket.urlTemplate */
  ticketUrl: string | null;
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

/** What the event adds: the decision and who made it, how access ended, how to use it. */
export interface EventDetails {
  outcome?: "approve" | "deny";
  /** the decider, or the admin who revoked */
  actor?: Person;
  comment?: string | null;
  /** minutes until the access ends (ending soon), or since the request was filed (reminders) */
  minutes?: number;
  /** the commands that connect to the cluster (access active) */
  commands?: string[];
  /** when tokens issued before the end stop working (the end plus TOKEN_LIFETIME_MINUTES) */
  tokensUntil?: Date | null;
  endedBy?: "expiry" | "holder";
  reason?: string;
  isSessionRevoked?: boolean;
  wasActive?: boolean;
  closedBy?: "cancelled" | "timed_out";
  /** activity after the access ended: Kubernetes calls, node sign-ins, the first calls in words */
  afterEnd?: { calls: number; signIns: number; first: string[] };
}

const MAX_FACT = 500;
const clip = (text: string, max = MAX_FACT) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const who = (person: Person) => `${person.displayName} (${person.userPrincipalName})`;
const utcTime = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

function factsOf(request: RequestSummary): Fact[] {
  const approvals = request.approvedBy.length;
  return [
    { title: "Requester", value: who(request.requester) },
    {
      title: "Cluster",
      value: `${request.clusterDisplayName} (${[request.environment, request.risk && `${request.risk} risk`].filter(Boolean).join(", ")})`,
    },
    {
      title: "Role",
      value: request.roleDescription ? `${request.roleName}: ${request.roleDescription}` : request.roleName,
    },
    { title: "Duration", value: describeDuration(request.durationMinutes) },
    { title: "Justification", value: clip(request.justification || "—") },
    ...(request.ticket
      ? [{ title: "Ticket", value: request.ticketUrl ? `${request.ticket} (${request.ticketUrl})` : request.ticket }]
      : []),
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

const TOKENS_HINT = "run kubelogin remove-tokens to stop using it on your machine now";

/** What the holder hears when their access starts and ends; a team's channel hears it of the holder. */
function holderWording(
  kind: "access_active" | "access_ended" | "access_revoked",
  audience: Audience,
  request: RequestSummary,
  details: EventDetails,
  what: string,
): Wording {
  const until = request.activeUntil ? utcTime(request.activeUntil) : "the end of its period";
  const tokens = details.tokensUntil
    ? `access tokens issued before then may still work until ${utcTime(details.tokensUntil)}`
    : "access tokens issued before then may still work for a while";
  const isHolder = audience === "requester";
  switch (kind) {
    case "access_active": {
      const connect = details.commands?.length ? ` To connect, run: ${details.commands.join(" then ")}.` : "";
      return {
        title: `Active: your ${what} access, until ${until}`,
        text: `Your access is applied and works until ${until}.${connect} Every command is on the request page.`,
        actionTitle: "Open the commands",
        anchor: "use-access",
      };
    }
    case "access_ended": {
      const how = details.endedBy === "holder" ? `You ended it early, at ${until}.` : `It expired at ${until}.`;
      const after = details.isSessionRevoked ? `You were signed out of Entra ID, but ${tokens}` : capitalize(tokens);
      return {
        title: `Ended: your ${what} access`,
        text: `${how} ${after}; ${TOKENS_HINT}. File a new request if you need it again.`,
        actionTitle: "Open the request",
      };
    }
    case "access_revoked": {
      const actor = details.actor ? who(details.actor) : "A platform admin";
      const reason = details.reason ? ` Reason: “${clip(details.reason, 300)}”.` : "";
      if (!details.wasActive) {
        return {
          title: isHolder
            ? `Revoked: your ${what} access will not start`
            : `Revoked: ${request.requester.displayName}'s ${what}`,
          text: `${actor} revoked ${isHolder ? "your" : `${request.requester.displayName}'s`} access before it started: nothing will be applied.${reason}`,
          actionTitle: "Open the request",
          isUrgent: true,
        };
      }
      const signedOut = details.isSessionRevoked
        ? `${isHolder ? "You were" : "They were"} signed out of Entra ID, but ${tokens}.`
        : `${isHolder ? "You were" : "They were"} not signed out: ${tokens}.`;
      return {
        title: isHolder ? `Revoked: your ${what} access` : `Revoked: ${request.requester.displayName}'s ${what}`,
        text: `${actor} revoked ${isHolder ? "your" : `${request.requester.displayName}'s`} access at ${until}.${reason} ${signedOut}${isHolder ? ` Please ${TOKENS_HINT}.` : ""}`,
        actionTitle: "Open the request",
        isUrgent: true,
      };
    }
  }
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * How an "approval needed" item was settled, in the words the in-app list shows once the request
 * no longer waits for anyone; null while it still waits.
 */
export function describeResolution(input: {
  status: RequestStatus;
  /** the last decision, if any */
  decider?: Person | null;
  decidedAt?: Date | null;
  at: Date;
}): string | null {
  const when = (date: Date) => utcTime(date);
  const by = input.decider ? input.decider.userPrincipalName : "an approver";
  switch (input.status) {
    case "pending":
      return null;
    case "denied":
      return `Denied by ${by} at ${when(input.decidedAt ?? input.at)}`;
    case "cancelled":
      return `Cancelled by the requester at ${when(input.at)}`;
    case "timed_out":
      return `Timed out at ${when(input.at)} with no decision`;
    default:
      return input.decider
        ? `Approved by ${by} at ${when(input.decidedAt ?? input.at)}`
        : `Settled at ${when(input.at)}`;
  }
}

/** How a break-glass item was settled: by its review. */
export const describeReviewResolution = (reviewer: Person, at: Date) =>
  `Reviewed by ${reviewer.userPrincipalName} at ${utcTime(at)}`;

/** The mail a person turned off still goes out for urgent news; the mail says why. */
export function withMailOffNote(message: NotificationMessage): NotificationMessage {
  return {
    ...message,
    text: `${message.text} (You turned notification mail off; this one is sent anyway because ${message.kind === "break_glass" ? "break-glass access" : "a revocation"} is urgent.)`,
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
    case "activation_failed": {
      const why = request.failureReason ? ` What went wrong: ${clip(request.failureReason, 300)}` : "";
      return audience === "requester"
        ? {
            title: `Activation failed: ${what}`,
            text: `Your access could not be applied: no access was granted, and nothing of it is left in place.${why} Next step: the platform admins were told and can retry it from the request once the cause is fixed; if you need access sooner, file a new request.`,
            actionTitle: "Open the request",
            isUrgent: true,
          }
        : {
            title: `Activation failed: ${what}`,
            text: `${requester}'s access could not be applied: no access was granted, and nothing of it is left in place.${why} Next step: fix the cause (see Admin, failed jobs and drift), then press Retry on the request.`,
            actionTitle: "Open the request to retry",
            anchor: "actions",
            isUrgent: true,
          };
    }
    case "access_active":
    case "access_ended":
    case "access_revoked":
      return holderWording(kind, audience, request, details, what);
    case "approval_closed":
      return details.closedBy === "timed_out"
        ? {
            title: `Timed out: ${what} no longer needs approval`,
            text: `Nobody decided ${requester}'s request in time, so it timed out: nothing is left for you to decide.`,
            actionTitle: "Open the request",
          }
        : {
            title: `Cancelled: ${what} no longer needs approval`,
            text: `${requester} cancelled the request: nothing is left for you to decide.`,
            actionTitle: "Open the request",
          };
    case "activity_after_end": {
      const calls = details.afterEnd?.calls ?? 0;
      const signIns = details.afterEnd?.signIns ?? 0;
      const what_ = [
        calls > 0 ? `${calls} Kubernetes call${calls === 1 ? "" : "s"}` : "",
        signIns > 0 ? `${signIns} sign-in${signIns === 1 ? "" : "s"} to its nodes` : "",
      ]
        .filter(Boolean)
        .join(" and ");
      const first = details.afterEnd?.first.length ? ` The first: ${details.afterEnd.first.join("; ")}.` : "";
      const end = request.activeUntil ? utcTime(request.activeUntil) : "its end";
      return {
        title: `Used after its end: ${requester}'s ${what}`,
        text: `${requester} made ${what_ || "calls"} on ${request.clusterName} after their access ended at ${end}, with tokens issued before it.${first} Look at the activity on the request.`,
        actionTitle: "Open the activity",
        anchor: "activity",
        isUrgent: true,
      };
    }
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
