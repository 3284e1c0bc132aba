/**
 * Who is told of an event: the rules, pure. People come from Entra ID as they are now (members of
 * groups, read through Graph by directory-people.ts); this file decides which of them.
 */
import type { NotifyRoute } from "@/lib/config/catalog-schema";
import type { Audience, NotificationKind } from "./messages";

/** A person as Graph describes them. */
export interface DirectoryPerson {
  objectId: string;
  userPrincipalName: string;
  displayName: string;
  /** `mail`, else the UPN; null when neither is an address */
  address: string | null;
  /** Graph `accountEnabled`: a disabled account is told nothing */
  isEnabled: boolean;
}

export interface Recipient {
  person: DirectoryPerson;
  audience: Audience;
}

/** Which groups (or the requester) each kind of event goes to, in order of precedence. */
export type AudienceSource = "requester" | "approvers" | "escalation" | "auditors" | "admins" | "asked";

const SOURCES: Record<NotificationKind, AudienceSource[]> = {
  request_filed: ["approvers"],
  break_glass: ["approvers", "auditors"],
  request_decided: ["requester", "approvers"],
  activation_failed: ["requester", "admins"],
  access_ending_soon: ["requester"],
  pending_reminder: ["approvers"],
  pending_escalation: ["escalation"],
  access_active: ["requester"],
  access_ended: ["requester"],
  access_revoked: ["requester"],
  // the people an "approval needed" item went to (see APPROVAL_NEEDED_KINDS), who did not decide
  approval_closed: ["asked"],
  // The escalation groups, and the auditors, who review any break-glass access.
  break_glass_review_overdue: ["escalation", "auditors"],
  // The role's approvers let the access happen: they hear that it was used after its end.
  activity_after_end: ["approvers"],
};

/**
 * The items that ask someone to decide a pending request: they resolve once it no longer waits.
 * Break-glass items ask for a review after the fact, not a decision: the review settles them.
 */
export const APPROVAL_NEEDED_KINDS = [
  "request_filed",
  "pending_reminder",
  "pending_escalation",
] as const satisfies readonly NotificationKind[];

/** The items that ask for a break-glass review: the review resolves them (lib/notify/resolve-approvals.ts). */
export const REVIEW_NEEDED_KINDS = [
  "break_glass",
  "break_glass_review_overdue",
] as const satisfies readonly NotificationKind[];

/**
 * Whether an event adds an item to its recipients' in-app list. A closed approval request does not:
 * the item that asked shows how it was settled instead (lib/notify/resolve-approvals.ts).
 */
export function isInAppEvent(kind: NotificationKind): boolean {
  return kind !== "approval_closed";
}

/**
 * Mail a person turned off still goes out for these: someone took access without approval, or
 * access was taken away; both are what a person must not miss.
 */
export function isAlwaysMailed(kind: NotificationKind): boolean {
  return kind === "break_glass" || kind === "access_revoked";
}

const AUDIENCE_OF: Record<AudienceSource, Audience> = {
  requester: "requester",
  approvers: "approver",
  escalation: "approver",
  auditors: "auditor",
  admins: "admin",
  asked: "approver",
};

export function audienceSources(kind: NotificationKind): AudienceSource[] {
  return SOURCES[kind];
}

/**
 * The recipients of one event. Nobody twice (the first source that names a person wins); never a
 * disabled account; never the requester, except where the event is about their own access; never
 * the person who made the decision being announced, nor approvers who already decided when
 * reminding.
 */
export function pickRecipients(input: {
  kind: NotificationKind;
  requesterObjectId: string;
  /** the decider of a decision */
  actorObjectId?: string | null;
  /** people who already decided the request (left out of reminders and escalations) */
  decidedObjectIds?: readonly string[];
  candidates: Partial<Record<AudienceSource, readonly DirectoryPerson[]>>;
}): Recipient[] {
  const chosen = new Map<string, Recipient>();
  const decided = new Set((input.decidedObjectIds ?? []).map((id) => id.toLowerCase()));
  const isFollowUp = input.kind === "pending_reminder" || input.kind === "pending_escalation";
  for (const source of SOURCES[input.kind]) {
    for (const person of input.candidates[source] ?? []) {
      const id = person.objectId.toLowerCase();
      if (chosen.has(id) || !person.isEnabled) continue;
      if (source !== "requester" && id === input.requesterObjectId.toLowerCase()) continue;
      if (source === "requester" && id !== input.requesterObjectId.toLowerCase()) continue;
      if (input.actorObjectId && id === input.actorObjectId.toLowerCase()) continue;
      if ((isFollowUp || input.kind === "approval_closed") && decided.has(id)) continue;
      chosen.set(id, { person, audience: AUDIENCE_OF[source] });
    }
  }
  return [...chosen.values()];
}

/**
 * Events for the team's channel (Teams, Slack) as well as for people; the others are personal (a
 * holder's access starting or ending is their own business; a revocation is the team's too).
 */
export function isChannelEvent(kind: NotificationKind): boolean {
  return !(["access_ending_soon", "activation_failed", "access_active", "access_ended"] as const).some(
    (personal) => personal === kind,
  );
}

export type Delivery =
  | {
      channel: "email";
      recipient: Recipient;
      /** the person turned mail off, and this one goes out anyway (isAlwaysMailed) */
      isDespiteOptOut: boolean;
    }
  | { channel: "teams" | "slack"; webhook: string };

/**
 * The deliveries of one event: email per recipient with an address who has not turned mail off
 * (urgent kinds go anyway), one post per webhook channel. Chat follows the role's route alone: it
 * posts to a team's channel, not to a person.
 */
export function planDeliveries(input: {
  kind: NotificationKind;
  route: NotifyRoute;
  recipients: readonly Recipient[];
  isEmailConfigured: boolean;
  /** object ids (lower case) of people who turned notification mail off */
  mailOptedOut?: ReadonlySet<string>;
}): Delivery[] {
  const deliveries: Delivery[] = [];
  for (const channel of input.route.channels) {
    if (channel.kind === "email") {
      if (!input.isEmailConfigured) continue;
      for (const recipient of input.recipients) {
        if (!recipient.person.address) continue;
        const isOptedOut = input.mailOptedOut?.has(recipient.person.objectId.toLowerCase()) ?? false;
        if (isOptedOut && !isAlwaysMailed(input.kind)) continue;
        deliveries.push({ channel: "email", recipient, isDespiteOptOut: isOptedOut });
      }
    } else if (isChannelEvent(input.kind)) {
      deliveries.push({ channel: channel.kind, webhook: channel.webhook });
    }
  }
  return deliveries;
}

/** Which follow-ups a request pending since `filedAt` is due for at `now`, under its route. */
export function dueFollowUps(
  filedAt: Date,
  route: NotifyRoute,
  now: Date,
): Array<"pending_reminder" | "pending_escalation"> {
  const pendingMinutes = (now.getTime() - filedAt.getTime()) / 60_000;
  const due: Array<"pending_reminder" | "pending_escalation"> = [];
  if (route.remindAfterMinutes !== undefined && pendingMinutes >= route.remindAfterMinutes)
    due.push("pending_reminder");
  if (route.escalation && pendingMinutes >= route.escalation.afterMinutes) due.push("pending_escalation");
  return due;
}
