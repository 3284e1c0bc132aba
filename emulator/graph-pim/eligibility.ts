/* PIM for Groups eligibilities and managed groups from the tenant seed's `pim` section (collections.ts
 * and policy-routes.ts serve them): permanent eligibilities, shaped like the docs' privilegedAccessGroupEligibilitySchedule
 * (the assignment schedule's shape without assignmentType) and ...EligibilityScheduleInstance
 * (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/privilegedaccessgroup-list-eligibilityschedules.md,
 * privilegedaccessgroup-list-eligibilityscheduleinstances.md; contract A.4). */
import type { EmulatorContext } from "../context";
import { stableGuid } from "./model";

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
