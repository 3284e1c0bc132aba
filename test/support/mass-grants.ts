import { randomUUID } from "node:crypto";
import { bindingKey } from "@/lib/access/grant-ledger";
import { grantTargets, type GrantTarget } from "@/lib/cloud/access-provider";
import { providerFor } from "@/lib/cloud/providers";
import { getCatalog } from "@/lib/config/catalog";
import type { Grant } from "@/lib/config/catalog-schema";
import { env } from "@/lib/config/env";
import { db, type Prisma } from "@/lib/db/client";

/* Many grants at once, for the mass-expiry test and `npm run bench:expiry`: a person per grant,
 * made in the emulator (POST /_emulator/users), the access applied through the real providers, and
 * the ledger rows written as an activation writes them. What ends them is then the app's own code. */

export const GRANT_KINDS = ["armRoleAssignment", "entraGroup", "armPim", "entraPimGroup"] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

export interface MassGrant {
  id: string;
  kind: GrantKind;
  principalId: string;
  endAt: Date;
}

const ADMIN_GROUP = "ffdebc24-7be9-4b76-887f-3a12aae9aada";
const NODE_ACCESS_GROUP_NAME = /node/i;

function grantOf(kind: GrantKind, roleDefinitionId: string, nodeGroupId: string): Grant {
  switch (kind) {
    case "armRoleAssignment":
    case "armPim":
      return { kind, roleDefinitionId, scope: "cluster" };
    case "entraPimGroup":
      return { kind, groupId: ADMIN_GROUP };
    case "entraGroup":
      return { kind, groupId: nodeGroupId };
  }
}

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * `count` grants of the given kinds (round robin) on the dev cluster, each for a new person, applied
 * now and ending at `endAt[i]`.
 */
export async function seedMassGrants(options: {
  count: number;
  kinds: readonly GrantKind[];
  endAt: (i: number) => Date;
}) {
  const emulator = env.ENTRA_AUTHORITY_HOST;
  const state = (await (await fetch(`${emulator}/_emulator/state`)).json()) as {
    tenant: { id: string };
    groups: Array<{ id: string; displayName: string }>;
  };
  const nodeGroupId = state.groups.find((g) => NODE_ACCESS_GROUP_NAME.test(g.displayName))?.id ?? ADMIN_GROUP;
  const cluster = getCatalog().clusters.find((c) => c.name === "aks-dev-weu")!;
  const armGrant = cluster.roles.flatMap((r) => r.grants).find((g) => g.kind === "armRoleAssignment");
  const roleDefinitionId = armGrant && "roleDefinitionId" in armGrant ? armGrant.roleDefinitionId : "";
  const run = randomUUID().slice(0, 8);
  const planned = Array.from({ length: options.count }, (_, i) => {
    const kind = options.kinds[i % options.kinds.length]!;
    const principalId = randomUUID();
    const [target] = grantTargets(cluster, { grants: [grantOf(kind, roleDefinitionId, nodeGroupId)] }, principalId);
    return {
      i,
      kind,
      principalId,
      target: target as GrantTarget,
      upn: `mass-${run}-${i}@contoso.com`,
      endAt: options.endAt(i),
    };
  });
  await inParallel(planned, 16, async (p) => {
    const response = await fetch(`${emulator}/_emulator/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: p.principalId, userPrincipalName: p.upn }),
    });
    if (response.status !== 201) throw new Error(`POST /_emulator/users answered ${response.status}`);
  });
  const startAt = new Date();
  await inParallel(planned, 8, async (p) => {
    await providerFor(p.kind).apply(p.target, {
      startAt,
      endAt: p.endAt,
      justification: "mass expiry",
      requestId: randomUUID(),
    });
  });
  const users = await db.user.createManyAndReturn({
    data: planned.map((p) => ({
      entraObjectId: p.principalId,
      tenantId: state.tenant.id,
      userPrincipalName: p.upn,
      displayName: p.upn,
    })),
    select: { id: true, entraObjectId: true },
  });
  const userOf = new Map(users.map((u) => [u.entraObjectId, u.id]));
  const grants = await db.grant.createManyAndReturn({
    data: planned.map((p) => ({
      userId: userOf.get(p.principalId)!,
      bindingKey: bindingKey(p.target),
      target: p.target as unknown as Prisma.InputJsonValue,
      status: "active",
      endAt: p.endAt,
      appliedAt: startAt,
    })),
    select: { id: true, target: true, endAt: true },
  });
  return grants.map((g): MassGrant => {
    const target = g.target as unknown as GrantTarget;
    return { id: g.id, kind: target.grant.kind, principalId: target.principalId, endAt: g.endAt };
  });
}
