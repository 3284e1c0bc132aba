/* PIM for Groups eligibilities and managed groups from the tenant seed's `pim` section (graph-pim.ts
 * serves them): permanent eligibilities, shaped like the docs' privilegedAccessGroupEligibilitySchedule
 * (the assignment schedule's shape without assignmentType) and ...EligibilityScheduleInstance
 * (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/privilegedaccessgroup-list-eligibilityschedules.md,
 * privilegedaccessgroup-list-eligibilityscheduleinstances.md; contract A.4). */
import { createHash } from "node:crypto";
import type { EmulatorContext } from "./context";

/** A GUID derived from a name, so that the seed's eligibility ids survive restarts. */
function stableGuid(name: string) {
  const hex = createHash("sha1").update(name).digest("hex");
  const variant = ((parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Eligibility {
  id: string;
  instanceId: string;
  groupId: string;
  principalId: string;
  accessId: "member" | "owner";
}

export function seededEligibilities(ctx: EmulatorContext, seededAt: Date) {
  const eligibilities: Eligibility[] = ctx.tenant.pim.eligibilities.map(({ group, principal, accessId }) => {
    const groupId = ctx.tenant.groupByRef(group)!.id;
    const principalId = ctx.tenant.objectIdOf(principal)!;
    const guid = stableGuid(`eligibility:${groupId}:${principalId}:${accessId}`);
    return { id: `${groupId}_${accessId}_${guid}`, instanceId: guid, groupId, principalId, accessId };
  });
  const start = seededAt.toISOString();
  return {
    schedules: () =>
      eligibilities.map((e) => ({
        id: e.id,
        scheduleInfo: {
          startDateTime: start,
          recurrence: null,
          expiration: { type: "noExpiration", endDateTime: null, duration: null },
        },
        createdDateTime: start,
        modifiedDateTime: null,
        createdUsing: null,
        status: "Provisioned",
        accessId: e.accessId,
        principalId: e.principalId,
        groupId: e.groupId,
        memberType: "direct",
      })),
    instances: () =>
      eligibilities.map((e) => ({
        id: e.instanceId,
        startDateTime: start,
        endDateTime: null,
        accessId: e.accessId,
        principalId: e.principalId,
        groupId: e.groupId,
        memberType: "direct",
        eligibilityScheduleId: e.id,
      })),
  };
}

/**
 * Whether a group is managed by PIM: "To manage a Microsoft Entra group in PIM, you must bring it
 * under management in PIM" (MicrosoftDocs/entra-docs docs/id-governance/privileged-identity-management/
 * groups-discover-groups.md). An unmanaged group has no role management policy to list.
 * UNCERTAIN: whether Graph answers an empty list or an error for an unmanaged group's policies.
 */
export function isPimManaged(ctx: EmulatorContext, groupId: string): boolean {
  const managed = ctx.tenant.pim.managedGroups;
  return managed === undefined || managed.some((ref) => ctx.tenant.groupByRef(ref)?.id === groupId);
}
