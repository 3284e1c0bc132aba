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
export type AudienceSource = "requester" | "approvers" | "escalation" | "auditors" | "admins";

const SOURCES: Record<NotificationKind, AudienceSource[]> = {
  request_filed: ["approvers"],
  break_glass: ["approvers", "auditors"],
  request_decided: ["requester", "approvers"],
  activation_failed: ["requester", "admins"],
  access_ending_soon: ["requester"],
  pending_reminder: ["approvers"],
  pending_escalation: ["escalation"],
  // The escalation groups, and the auditors, who review any break-glass access.
  break_glass_review_overdue: ["escalation", "auditors"],
};

const AUDIENCE_OF: Record<AudienceSource, Audience> = {
  requester: "requester",
  approvers: "approver",
  escalation: "approver",
  auditors: "auditor",
  admins: "admin",
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
      if (isFollowUp && decided.has(id)) continue;
      chosen.set(id, { person, audience: AUDIENCE_OF[source] });
    }
  }
  return [...chosen.values()];
}

/** Events for the team's channel (Teams, Slack) as well as for people; the others are personal. */
export function isChannelEvent(kind: NotificationKind): boolean {
  return kind !== "access_ending_soon" && kind !== "activation_failed";
}

export type Delivery = { channel: "email"; recipient: Recipient } | { channel: "teams" | "slack"; webhook: string };

/** The deliveries of one event: email per recipient with an address, one post per webhook channel. */
export function planDeliveries(input: {
  kind: NotificationKind;
  route: NotifyRoute;
  recipients: readonly Recipient[];
  isEmailConfigured: boolean;
}): Delivery[] {
  const deliveries: Delivery[] = [];
  for (const channel of input.route.channels) {
    if (channel.kind === "email") {
      if (!input.isEmailConfigured) continue;
      for (const recipient of input.recipients)
        if (recipient.person.address) deliveries.push({ channel: "email", recipient });
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
