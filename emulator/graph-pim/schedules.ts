/* Assignment schedules and their instances: what PIM for Groups holds for each (group, principal,
 * relationship). Whether an assignment is active is computed from ctx.now() on each read, so
 * assignments end on time without timers, and tests can move the clock. PIM ends a time-bound
 * assignment by itself at its expiration's endDateTime (learn.microsoft.com/graph/api/resources/expirationpattern),
 * and the instances list only assignments in force now (learn.microsoft.com/graph/api/resources/
 * privilegedaccessgroupassignmentscheduleinstance): the expiry job reads instead of removing them. */
import type { EmulatorContext } from "../context";
import { type AccessId, iso, stableGuid } from "./model";

export interface Assignment {
  /** `{groupId}_{accessId}_{guid}` (contract E.5) */
  id: string;
  instanceId: string;
  groupId: string;
  principalId: string;
  accessId: AccessId;
  start: Date;
  /** null: no expiration */
  end: Date | null;
  createdDateTime: Date;
  modifiedDateTime: Date | null;
  /** the request that created it; null for members assigned outside PIM */
  createdUsing: string | null;
  /** set when removed (adminRemove, cancel, or removing the member through the groups API) */
  endedAt: Date | null;
  /** when the assignment reaches the instances and the member list (pimReplicationDelaySeconds) */
  visibleAt: Date;
}

const isActive = (a: Assignment, now: Date) => a.endedAt === null && a.start <= now && (a.end === null || now < a.end);
/**
 * Active and replicated: a new assignment shows in assignmentScheduleInstances and the group's
 * members only after a while (pimReplicationDelaySeconds, 0 by default). PIM "creates an active
 * assignment (adds user as member or owner of the group) within seconds" (MicrosoftDocs/azure-docs
 * articles/active-directory/privileged-identity-management/groups-activate-roles.md); the schedule
 * itself is there at once, since it blocks a second adminAssign.
 */
const isVisible = (a: Assignment, now: Date) => isActive(a, now) && a.visibleAt <= now;
const isCurrentOrFuture = (a: Assignment, now: Date) => a.endedAt === null && (a.end === null || now < a.end);

/** The assignments made through PIM, and the permanent ones the tenant's direct members stand for. */
export class GroupAssignments {
  readonly made: Assignment[] = [];
  /** stands in for when the seed's members were assigned, for their permanent schedules */
  readonly seededAt: Date;

  constructor(private readonly ctx: EmulatorContext) {
    this.seededAt = ctx.now();
  }

  /** Direct members assigned outside PIM show in PIM as permanent active member assignments. */
  permanent(): Assignment[] {
    return this.ctx.tenant.groups.flatMap((group) =>
      this.ctx.tenant.assignedMembersOf(group.id).map((principalId) => {
        const guid = stableGuid(`member:${group.id}:${principalId}`);
        return {
          id: `${group.id}_member_${guid}`,
          instanceId: guid,
          groupId: group.id,
          principalId,
          accessId: "member" as const,
          start: this.seededAt,
          end: null,
          createdDateTime: this.seededAt,
          modifiedDateTime: null,
          createdUsing: null,
          endedAt: null,
          visibleAt: this.seededAt,
        };
      }),
    );
  }

  /** The PIM assignment that holds or will hold this access, if any. */
  find(groupId: string, principalId: string, accessId: AccessId, now: Date) {
    return this.made.find(
      (a) =>
        a.groupId === groupId && a.principalId === principalId && a.accessId === accessId && isCurrentOrFuture(a, now),
    );
  }

  isPermanentMember(groupId: string, principalId: string, accessId: AccessId) {
    return accessId === "member" && this.ctx.tenant.assignedMembersOf(groupId).includes(principalId);
  }

  byId(id: string | null) {
    return this.made.find((a) => a.id === id);
  }

  schedules(now: Date) {
    return [...this.permanent(), ...this.made.filter((a) => isCurrentOrFuture(a, now))].map(scheduleResource);
  }

  instances(now: Date) {
    return [...this.permanent(), ...this.made.filter((a) => isVisible(a, now))].map(instanceResource);
  }

  /** Makes active member assignments members of their groups, and lists them in GET /_emulator/state. */
  register() {
    const { ctx, made } = this;
    ctx.tenant.addMembershipSource({
      membersOf: (groupId) => {
        const now = ctx.now();
        return made
          .filter((a) => a.groupId === groupId && a.accessId === "member" && isVisible(a, now))
          .map((a) => a.principalId);
      },
      removeMember: (groupId, objectId) => {
        const now = ctx.now();
        const active = made.filter(
          (a) => a.groupId === groupId && a.principalId === objectId && a.accessId === "member" && isActive(a, now),
        );
        for (const a of active) a.endedAt = now;
        return active.length > 0;
      },
    });
    ctx.inspectors.push(() => {
      const now = ctx.now();
      return {
        pimGroupAssignments: made
          .filter((a) => isActive(a, now))
          .map((a) => ({
            groupId: a.groupId,
            principalId: a.principalId,
            accessId: a.accessId,
            startDateTime: a.start.toISOString(),
            endDateTime: iso(a.end),
          })),
      };
    });
  }
}

function scheduleResource(a: Assignment) {
  return {
    id: a.id,
    scheduleInfo: {
      startDateTime: iso(a.start),
      recurrence: null,
      expiration: a.end
        ? { type: "afterDateTime", endDateTime: iso(a.end), duration: null }
        : { type: "noExpiration", endDateTime: null, duration: null },
    },
    createdDateTime: iso(a.createdDateTime),
    modifiedDateTime: iso(a.modifiedDateTime),
    createdUsing: a.createdUsing,
    status: "Provisioned",
    accessId: a.accessId,
    principalId: a.principalId,
    groupId: a.groupId,
    memberType: "direct",
    assignmentType: "assigned",
  };
}

function instanceResource(a: Assignment) {
  return {
    id: a.instanceId,
    principalId: a.principalId,
    // The docs show null dates for a permanent assignment (contract A.4).
    startDateTime: a.createdUsing === null ? null : iso(a.start),
    endDateTime: iso(a.end),
    assignmentType: "assigned",
    accessId: a.accessId,
    groupId: a.groupId,
    memberType: "direct",
    assignmentScheduleId: a.id,
  };
}
