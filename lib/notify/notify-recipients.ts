import "server-only";
import { getCatalog } from "@/lib/config/catalog";
import { DEFAULT_NOTIFY_ROUTE, findRole } from "@/lib/config/catalog-schema";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { connectCommands } from "@/lib/access/access-commands";
import { postureOf } from "@/lib/posture/posture-queries";
import { ticketUrl } from "@/lib/domain/approver-context";
import { addMinutes } from "@/lib/domain/duration";
import { isAwaitingDecision, parseRequestStatus } from "@/lib/domain/request-state";
import { readPolicySnapshot, readStoredJson } from "@/lib/domain/policy-snapshot";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES } from "@/lib/jobs/queues";
import { userById, usersInGroups } from "./directory-people";
import { isEmailConfigured } from "./email";
import { jobIdFor } from "./job-id";
import { describeNotification, withMailOffNote, type EventDetails, type RequestSummary } from "./messages";
import { ZDecisionOutcome, ZNotificationEventData, ZNotificationKind, type DeliveryJob } from "./payloads";
import {
  APPROVAL_NEEDED_KINDS,
  audienceSources,
  isInAppEvent,
  pickRecipients,
  planDeliveries,
  type AudienceSource,
  type DirectoryPerson,
} from "./recipients";
import { resolveApprovalItems } from "./resolve-approvals";

async function loadRequest(requestId: string) {
  return db.accessRequest.findUnique({
    where: { id: requestId },
    include: {
      requester: true,
      decisions: { orderBy: { decidedAt: "asc" }, include: { decider: true } },
    },
  });
}

type LoadedRequest = NonNullable<Awaited<ReturnType<typeof loadRequest>>>;

function summaryOf(row: LoadedRequest): RequestSummary {
  const catalog = getCatalog();
  const found = findRole(catalog, row.clusterName, row.roleName);
  return {
    id: row.id,
    clusterName: row.clusterName,
    clusterDisplayName: found?.cluster.displayName ?? row.clusterName,
    environment: found?.cluster.environment ?? "unknown",
    risk: found?.cluster.risk ?? null,
    roleName: row.roleName,
    roleDescription: found?.role.description ?? null,
    ticketUrl: ticketUrl(catalog.ticket?.urlTemplate, row.ticket),
    requester: row.requester,
    durationMinutes: row.durationMinutes,
    justification: row.justification,
    ticket: row.ticket,
    isBreakGlass: row.isBreakGlass,
    status: parseRequestStatus(row.status, row.id),
    approvalsRequired: row.approvalsRequired,
    approvedBy: row.decisions.filter((d) => d.outcome === "approve").map((d) => d.decider),
    activeUntil: row.activeUntil,
    failureReason: row.failureReason,
  };
}

const isApprovalNeeded = (kind: string) => APPROVAL_NEEDED_KINDS.some((k) => k === kind);

/**
 * The people an "approval needed" item of this request went to, as the directory has them now:
 * only they hear that it closed. Read from the groups that could have been asked.
 */
async function peopleAsked(requestId: string, groupIds: readonly string[]): Promise<DirectoryPerson[]> {
  const asked = await db.notification.findMany({
    where: { requestId, kind: { in: [...APPROVAL_NEEDED_KINDS] } },
    select: { recipientObjectId: true },
  });
  if (asked.length === 0) return [];
  const ids = new Set(asked.map((a) => a.recipientObjectId.toLowerCase()));
  return (await usersInGroups(groupIds)).filter((person) => ids.has(person.objectId.toLowerCase()));
}

/**
 * The `notify` job: one event becomes in-app notifications for each recipient and one delivery job
 * per recipient and channel, all in one transaction. Recipients are read from Graph now (members of
 * the groups, nested ones included; enabled accounts only). Runs again safely: the rows and the
 * delivery jobs are keyed by event and recipient. A Graph failure throws, for the queue to retry.
 */
export async function notifyRecipients(
  eventKey: string,
  now: Date,
): Promise<{ recipients: number; deliveries: number }> {
  const event = await db.notificationEvent.findUnique({ where: { key: eventKey } });
  if (!event) return { recipients: 0, deliveries: 0 };
  const where = (column: string) => ({ table: "notification_events", rowId: eventKey, column });
  const kind = readStoredJson(ZNotificationKind, event.kind, where("kind"));
  const data = readStoredJson(ZNotificationEventData, event.data, where("data"));
  const row = await loadRequest(event.requestId);
  const isFollowUp = kind === "pending_reminder" || kind === "pending_escalation";
  // A reminder that arrives after the decision has nothing left to ask.
  if (!row || (isFollowUp && !isAwaitingDecision(parseRequestStatus(row.status, row.id))))
    return { recipients: 0, deliveries: 0 };
  // An overdue review that happened meanwhile needs nobody's attention.
  if (kind === "break_glass_review_overdue" && row.reviewedAt) return { recipients: 0, deliveries: 0 };

  const policy = readPolicySnapshot(row.policy, row.id);
  const found = findRole(getCatalog(), row.clusterName, row.roleName);
  const route = found?.role.notify ?? DEFAULT_NOTIFY_ROUTE;
  const groupsOf: Record<Exclude<AudienceSource, "requester" | "asked">, readonly string[]> = {
    approvers: policy.approverGroupIds,
    escalation: route.escalation?.approverGroupIds ?? [],
    auditors: env.AUDITOR_GROUP_IDS,
    admins: env.ADMIN_GROUP_IDS,
  };
  const candidates: Partial<Record<AudienceSource, DirectoryPerson[]>> = {};
  for (const source of audienceSources(kind)) {
    if (source === "requester") {
      const requester = await userById(row.requester.entraObjectId);
      candidates.requester = requester ? [requester] : [];
    } else if (source === "asked") {
      candidates.asked = await peopleAsked(row.id, [...groupsOf.approvers, ...groupsOf.escalation]);
    } else {
      candidates[source] = await usersInGroups(groupsOf[source]);
    }
  }
  const actor = row.decisions.find((d) => d.deciderId === data.actorId);
  const decision = actor
    ? {
        outcome: readStoredJson(ZDecisionOutcome, actor.outcome, {
          table: "decisions",
          rowId: actor.id,
          column: "outcome",
        }),
        comment: actor.comment,
      }
    : {};
  const recipients = pickRecipients({
    kind,
    requesterObjectId: row.requester.entraObjectId,
    actorObjectId: actor?.decider.entraObjectId ?? null,
    decidedObjectIds: row.decisions.map((d) => d.decider.entraObjectId),
    candidates,
  });

  const request = summaryOf(row);
  const pendingMinutes = Math.floor((now.getTime() - row.createdAt.getTime()) / 60_000);
  const endingMinutes = row.activeUntil
    ? Math.max(0, Math.round((row.activeUntil.getTime() - now.getTime()) / 60_000))
    : 0;
  const revoker =
    kind === "access_revoked" && data.actorId ? await db.user.findUnique({ where: { id: data.actorId } }) : null;
  const details: EventDetails = {
    ...(data.outcome && { outcome: data.outcome }),
    ...decision,
    ...(actor && { actor: actor.decider }),
    ...(revoker && { actor: revoker }),
    minutes: kind === "access_ending_soon" ? endingMinutes : pendingMinutes,
    // Reaching the cluster as its last posture check saw it (public: the kubeconfig; private: az aks
    // command invoke) and a clean token cache; node access's extra steps are on the request page.
    ...(kind === "access_active" &&
      found && {
        commands: connectCommands(found.cluster, (await postureOf(row.clusterName))?.facts ?? null).map(
          (c) => c.command,
        ),
      }),
    tokensUntil: row.activeUntil ? addMinutes(row.activeUntil, env.TOKEN_LIFETIME_MINUTES) : null,
    endedBy: data.endedBy,
    reason: data.reason,
    isSessionRevoked: data.isSessionRevoked,
    wasActive: data.wasActive,
    closedBy: data.closedBy,
    afterEnd: data.afterEnd,
  };
  const describe = (audience: Parameters<typeof describeNotification>[0]["audience"]) =>
    describeNotification({ kind, audience, request, details, appUrl: env.APP_URL });
  const optedOut = await db.notificationPreference.findMany({
    where: { recipientObjectId: { in: recipients.map((r) => r.person.objectId) }, isEmailEnabled: false },
    select: { recipientObjectId: true },
  });
  const deliveries = planDeliveries({
    kind,
    route,
    recipients,
    isEmailConfigured: isEmailConfigured(),
    mailOptedOut: new Set(optedOut.map((p) => p.recipientObjectId.toLowerCase())),
  });

  await db.$transaction(async (tx) => {
    await tx.notification.createMany({
      skipDuplicates: true,
      data: (isInAppEvent(kind) ? recipients : []).map(({ person, audience }) => {
        const message = describe(audience);
        return {
          eventKey,
          recipientObjectId: person.objectId,
          recipientUpn: person.userPrincipalName,
          kind,
          requestId: row.id,
          title: message.title,
          body: message.text,
          linkPath: message.linkPath,
          createdAt: now,
        };
      }),
    });
    for (const delivery of deliveries) {
      const job: DeliveryJob =
        delivery.channel === "email"
          ? {
              requestId: row.id,
              eventKey,
              channel: "email",
              to: { address: delivery.recipient.person.address!, name: delivery.recipient.person.displayName },
              message: delivery.isDespiteOptOut
                ? withMailOffNote(describe(delivery.recipient.audience))
                : describe(delivery.recipient.audience),
            }
          : {
              requestId: row.id,
              eventKey,
              channel: delivery.channel,
              webhook: delivery.webhook,
              // The team's channel reads what the approvers read.
              message: describe(kind === "activation_failed" ? "admin" : "approver"),
            };
      const target =
        delivery.channel === "email"
          ? `email:${delivery.recipient.person.objectId}`
          : `${delivery.channel}:${delivery.webhook}`;
      await enqueue(tx, QUEUES.notifyDeliver, job, { id: jobIdFor(eventKey, target) });
    }
    // Decided or cancelled while this fan-out waited: the new items show so at once.
    if (isApprovalNeeded(kind)) await resolveApprovalItems(tx, row.id, now);
  });
  return { recipients: recipients.length, deliveries: deliveries.length };
}
