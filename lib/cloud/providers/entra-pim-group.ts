import "server-only";
import {
  ProviderError,
  type AccessProvider,
  type Binding,
  type CurrentAssignment,
  type GrantState,
  type GrantTarget,
  type GrantWindow,
  type ProviderResult,
} from "@/lib/cloud/access-provider";
import { appGraphClient } from "@/lib/cloud/credentials";
import { earliestRemovalOf } from "../pim-rules";
import { toProviderError } from "./graph-errors";

/**
 * `entraPimGroup` grants: time-bound membership of an Entra group through PIM for Groups (Graph
 * `assignmentScheduleRequests`, accessId `member`), made by the app as an admin assignment. Entra
 * itself ends the membership at the window's end, so a missed removal job cannot leave access behind.
 * Errors become ProviderError; nothing here retries (the Graph client and the job layer do).
 */

const BASE = "/identityGovernance/privilegedAccess/group";
/** Every call here (requests, schedules, instances) is allowed by this one (required-permissions.ts). */
const PIM_PERMISSION = "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup";
const TICKET_SYSTEM = "AKS JIT";

interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

interface AssignmentSchedule {
  id: string;
  /** the schedule request that created it */
  createdUsing?: string | null;
  scheduleInfo?: {
    startDateTime?: string | null;
    expiration?: { endDateTime?: string | null } | null;
  } | null;
}

interface AssignmentScheduleInstance {
  id: string;
  principalId: string;
  accessId?: string | null;
  /** `direct`, or `group` when the principal holds it through a group that is assigned */
  memberType?: string | null;
  assignmentScheduleId?: string | null;
  endDateTime?: string | null;
}

/** An assignment as far as this provider cares: when it starts and ends (null: never). */
interface Assignment {
  createdUsing?: string;
  start: Date | null;
  end: Date | null;
}

function groupIdOf(target: Binding) {
  if (target.grant.kind !== "entraPimGroup") {
    throw new Error(`the entraPimGroup provider was given a ${target.grant.kind} grant`);
  }
  return target.grant.groupId;
}

const dateOrNull = (value: string | null | undefined) => (value ? new Date(value) : null);
/** null (no end) is later than any date */
const endsAtOrAfter = (end: Date | null, date: Date) => end === null || end.getTime() >= date.getTime();

/** The item that ends last, a permanent one (end null) before any other. */
function lastToEnd<T extends { end: Date | null }>(items: T[]): T | undefined {
  return items.reduce<T | undefined>(
    (last, item) =>
      last === undefined || (last.end !== null && (item.end === null || item.end > last.end)) ? item : last,
    undefined,
  );
}

function memberFilter(target: GrantTarget) {
  return `groupId eq '${groupIdOf(target)}' and principalId eq '${target.principalId}' and accessId eq 'member'`;
}

async function listAll<T>(path: string, filter: string): Promise<T[]> {
  const client = appGraphClient();
  let page = (await client.api(path).filter(filter).get()) as Page<T>;
  const items = [...page.value];
  while (page["@odata.nextLink"]) {
    page = (await client.api(page["@odata.nextLink"]).get()) as Page<T>;
    items.push(...page.value);
  }
  return items;
}

async function createRequest(body: Record<string, unknown>, action: string): Promise<string> {
  try {
    const created = (await appGraphClient()
      .api(`${BASE}/assignmentScheduleRequests`)
      .post({ accessId: "member", ...body })) as { id: string };
    return created.id;
  } catch (error) {
    throw toProviderError(error, action, PIM_PERMISSION);
  }
}

const justificationFor = (requestId: string, justification: string) => `AKS JIT request ${requestId}: ${justification}`;

/**
 * Always sent: a group whose PIM policy requires a ticket (Enablement rule "Ticketing") refuses a
 * request without one (TicketingRule), so the AKS JIT request stands in when the person gave none,
 * as the ARM provider does.
 */
const ticketInfoFor = (window: Pick<GrantWindow, "ticket" | "requestId">) => ({
  ticketInfo: { ticketNumber: window.ticket ?? window.requestId, ticketSystem: TICKET_SYSTEM },
});

/**
 * The member assignment that is current or still to start, from the schedules rather than the
 * instances: PIM refuses a second adminAssign while a scheduled (not yet active) one exists too.
 * With several, the one ending last counts.
 */
async function currentAssignment(target: GrantTarget): Promise<Assignment | undefined> {
  let schedules: AssignmentSchedule[];
  try {
    schedules = await listAll<AssignmentSchedule>(`${BASE}/assignmentSchedules`, memberFilter(target));
  } catch (error) {
    throw toProviderError(
      error,
      `read ${target.principalId}'s membership of group ${groupIdOf(target)}`,
      PIM_PERMISSION,
    );
  }
  return lastToEnd(
    schedules.map((schedule) => ({
      createdUsing: schedule.createdUsing ?? undefined,
      start: dateOrNull(schedule.scheduleInfo?.startDateTime),
      end: dateOrNull(schedule.scheduleInfo?.expiration?.endDateTime),
    })),
  );
}

/**
 * Makes an existing assignment last at least until window.endAt. Never shortens one: a later end
 * belongs to another request for the same person and group (the grant ledger tracks which).
 */
async function ensureUntil(target: GrantTarget, window: GrantWindow, existing: Assignment): Promise<ProviderResult> {
  const groupId = groupIdOf(target);
  if (existing.end === null) {
    // A standing member assigned outside AKS JIT: treating it as ours would make our removal end it.
    throw new ProviderError(
      "conflict",
      `${target.principalId} is already a permanent member of group ${groupId}, assigned outside AKS JIT; ` +
        "AKS JIT does not take over standing access.",
    );
  }
  if (endsAtOrAfter(existing.end, window.endAt)) {
    return { providerRequestId: existing.createdUsing, enforcedEndAt: existing.end };
  }
  // Only a schedule that has not started yet keeps its start; otherwise PIM measures the extension
  // from now, which is what its maximum duration is about.
  const startsLater = existing.start !== null && existing.start.getTime() > Date.now();
  const providerRequestId = await createRequest(
    {
      action: "adminExtend",
      principalId: target.principalId,
      groupId,
      justification: justificationFor(window.requestId, window.justification),
      scheduleInfo: {
        ...(startsLater && { startDateTime: existing.start?.toISOString() }),
        expiration: { type: "afterDateTime", endDateTime: window.endAt.toISOString() },
      },
      ...ticketInfoFor(window),
    },
    `extend ${target.principalId}'s membership of group ${groupId} to ${window.endAt.toISOString()}`,
  );
  return { providerRequestId, enforcedEndAt: window.endAt };
}

async function apply(target: GrantTarget, window: GrantWindow): Promise<ProviderResult> {
  const groupId = groupIdOf(target);
  try {
    const providerRequestId = await createRequest(
      {
        action: "adminAssign",
        principalId: target.principalId,
        groupId,
        justification: justificationFor(window.requestId, window.justification),
        scheduleInfo: {
          startDateTime: window.startAt.toISOString(),
          expiration: { type: "afterDateTime", endDateTime: window.endAt.toISOString() },
        },
        ...ticketInfoFor(window),
      },
      `make ${target.principalId} a member of group ${groupId}`,
    );
    return { providerRequestId, enforcedEndAt: window.endAt };
  } catch (error) {
    if (!(error instanceof ProviderError && error.code === "RoleAssignmentExists")) throw error;
  }
  // Already assigned: by an earlier attempt whose answer was lost, or for an overlapping request.
  const existing = await currentAssignment(target);
  if (!existing) {
    throw new ProviderError(
      "transient",
      `The membership of ${target.principalId} in group ${groupId} changed while AKS JIT was assigning it; ` +
        "it will be tried again.",
    );
  }
  return ensureUntil(target, window, existing);
}

async function extend(target: GrantTarget, window: GrantWindow): Promise<ProviderResult> {
  const existing = await currentAssignment(target);
  // Nothing to extend (it ended, or was removed in Entra meanwhile): assign the new window instead.
  if (!existing) return apply(target, window);
  return ensureUntil(target, window, existing);
}

async function remove(
  target: GrantTarget,
  context: { requestId: string; justification: string },
): Promise<ProviderResult> {
  const groupId = groupIdOf(target);
  try {
    const providerRequestId = await createRequest(
      {
        action: "adminRemove",
        principalId: target.principalId,
        groupId,
        justification: justificationFor(context.requestId, context.justification),
        ...ticketInfoFor(context),
      },
      `remove ${target.principalId} from group ${groupId}`,
    );
    return { providerRequestId, enforcedEndAt: null };
  } catch (error) {
    // Already gone: it expired, or someone removed it in Entra.
    if (error instanceof ProviderError && error.code === "RoleAssignmentDoesNotExist") return { enforcedEndAt: null };
    if (error instanceof ProviderError && error.kind === "too_soon") throw await withEarliestRemoval(target, error);
    throw error;
  }
}

/** PIM refused the removal as too soon: when it will allow it, from the assignment's start. */
async function withEarliestRemoval(target: GrantTarget, error: ProviderError): Promise<ProviderError> {
  const start = (await currentAssignment(target))?.start;
  return new ProviderError(error.kind, error.message, {
    status: error.status,
    code: error.code,
    requestId: error.requestId,
    notBefore: earliestRemovalOf(start ?? new Date()),
    cause: error,
  });
}

async function read(target: GrantTarget): Promise<GrantState> {
  let instances: AssignmentScheduleInstance[];
  try {
    instances = await listAll<AssignmentScheduleInstance>(`${BASE}/assignmentScheduleInstances`, memberFilter(target));
  } catch (error) {
    throw toProviderError(
      error,
      `read ${target.principalId}'s membership of group ${groupIdOf(target)}`,
      PIM_PERMISSION,
    );
  }
  const latest = lastToEnd(
    instances.map((instance) => ({
      end: dateOrNull(instance.endDateTime),
      providerId: instance.assignmentScheduleId ?? instance.id,
    })),
  );
  return latest ? { isActive: true, endAt: latest.end, providerId: latest.providerId } : { isActive: false };
}

/**
 * Everyone with an active member assignment of the group, permanent or time-bound, one entry per
 * person (the instance ending last, as read does). Instances held through a group (memberType
 * `group`) are left out: that group holds the assignment directly and is listed under its own id.
 */
async function list(binding: Binding): Promise<CurrentAssignment[]> {
  const groupId = groupIdOf(binding);
  let instances: AssignmentScheduleInstance[];
  try {
    // Filtered by group only: accessId and memberType are checked here, so the list depends on
    // no more of Graph's $filter support than the contract documents (A.4).
    instances = await listAll<AssignmentScheduleInstance>(
      `${BASE}/assignmentScheduleInstances`,
      `groupId eq '${groupId}'`,
    );
  } catch (error) {
    throw toProviderError(error, `list the members of group ${groupId}`, PIM_PERMISSION);
  }
  const byPrincipal = new Map<string, Array<{ end: Date | null; providerId: string }>>();
  for (const instance of instances) {
    if (instance.accessId?.toLowerCase() !== "member") continue;
    if (instance.memberType && instance.memberType.toLowerCase() !== "direct") continue;
    const held = byPrincipal.get(instance.principalId) ?? [];
    held.push({ end: dateOrNull(instance.endDateTime), providerId: instance.assignmentScheduleId ?? instance.id });
    byPrincipal.set(instance.principalId, held);
  }
  return [...byPrincipal].flatMap(([principalId, held]) => {
    const latest = lastToEnd(held);
    return latest ? [{ principalId, endAt: latest.end, providerId: latest.providerId }] : [];
  });
}

export const entraPimGroupProvider: AccessProvider = { kind: "entraPimGroup", apply, extend, remove, read, list };
