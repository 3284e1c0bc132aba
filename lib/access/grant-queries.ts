import "server-only";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import type { GrantTarget } from "@/lib/cloud/access-provider";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { addMinutes } from "@/lib/domain/duration";
import { parseRequestStatus } from "@/lib/domain/request-state";
import type { GrantView } from "@/lib/schemas/grant-view";
import { readGrantTarget } from "./stored-json";

/** One current grant in the ledger: who holds which binding until when, and for which requests. */
export type { GrantView } from "@/lib/schemas/grant-view";

/**
 * Active grants: the viewer's own (`mine`), or everyone's (`all`, for auditors and admins).
 * Soonest end first.
 */
export async function listActiveGrants(viewer: SessionUser, scope: "mine" | "all"): Promise<GrantView[]> {
  authorize(viewer, scope === "all" ? "audit.read" : "access.request");
  const grants = await db.grant.findMany({
    where: { status: "active", ...(scope === "mine" ? { userId: viewer.id } : {}) },
    orderBy: { endAt: "asc" },
    take: 500,
    include: {
      user: { select: { id: true, userPrincipalName: true, displayName: true } },
      coverage: {
        include: { request: { select: { id: true, clusterName: true, roleName: true, status: true } } },
        orderBy: { endAt: "asc" },
      },
    },
  });
  return grants.map((grant) => ({
    id: grant.id,
    kind: readGrantTarget(grant.target, grant.id).grant.kind,
    bindingKey: grant.bindingKey,
    holder: grant.user,
    endAt: grant.endAt.toISOString(),
    effectiveEndAt: addMinutes(grant.endAt, env.TOKEN_LIFETIME_MINUTES).toISOString(),
    appliedAt: grant.appliedAt?.toISOString() ?? null,
    requests: grant.coverage.map(({ request, endAt }) => ({
      ...request,
      status: parseRequestStatus(request.status, request.id),
      endAt: endAt.toISOString(),
    })),
  }));
}

export interface DriftView {
  id: string;
  kind: "unexplained" | "missing";
  grantKind: GrantTarget["grant"]["kind"];
  bindingKey: string;
  principalId: string;
  /** the person, when they have ever signed in to AKS JIT */
  userPrincipalName: string | null;
  providerId: string | null;
  endAt: string | null;
  detectedAt: string;
  lastSeenAt: string;
}

/** Open drift findings, oldest first: what the last reconcile runs saw. */
export async function listOpenDrift(viewer: SessionUser): Promise<DriftView[]> {
  authorize(viewer, "access.administer");
  const findings = await db.driftFinding.findMany({ where: { resolvedAt: null }, orderBy: { detectedAt: "asc" } });
  const principals = [...new Set(findings.map((f) => f.principalId.toLowerCase()))];
  const users = await db.user.findMany({
    where: { entraObjectId: { in: principals } },
    select: { entraObjectId: true, userPrincipalName: true },
  });
  const upnOf = new Map(users.map((u) => [u.entraObjectId.toLowerCase(), u.userPrincipalName]));
  return findings.map((f) => ({
    id: f.id,
    kind: f.kind as DriftView["kind"],
    grantKind: readGrantTarget(f.target, f.id, "drift_findings").grant.kind,
    bindingKey: f.bindingKey,
    principalId: f.principalId,
    userPrincipalName: upnOf.get(f.principalId.toLowerCase()) ?? null,
    providerId: f.providerId,
    endAt: f.endAt?.toISOString() ?? null,
    detectedAt: f.detectedAt.toISOString(),
    lastSeenAt: f.lastSeenAt.toISOString(),
  }));
}
