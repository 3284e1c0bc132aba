/* PIM for Groups on Microsoft Graph v1.0 for the demo tenant (contract A.2–A.4, A.6, A.8, E.5, E.7):
 * assignment schedule requests for the admin actions, schedules and instances, (empty) eligibilities,
 * and a default role management policy per group and relationship that every request is checked against.
 * Whether an assignment is active is computed from ctx.now() on each read, so assignments end on time
 * without timers, and tests can move the clock. */
import { createHash, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import type { EmulatorContext } from "./context";
import { authenticated, sendPage, sendResourceNotFound } from "./graph";
import { isPimManaged, seededEligibilities } from "./graph-pim-eligibility";
import { type EmulatorRequest, type Router, sendGraphError, sendJson } from "./http";

const BASE = "/v1.0/identityGovernance/privilegedAccess/group";
const CONTEXT_BASE = "identityGovernance/privilegedAccess/group";

// CSDL enum members (contract A.1: accept either case on input, emit these).
const ACCESS_IDS = ["member", "owner"] as const;
const ACTIONS = [
  "adminAssign",
  "adminUpdate",
  "adminRemove",
  "selfActivate",
  "selfDeactivate",
  "adminExtend",
  "adminRenew",
  "selfExtend",
  "selfRenew",
] as const;
const EXPIRATION_TYPES = ["notSpecified", "noExpiration", "afterDateTime", "afterDuration"] as const;

type AccessId = (typeof ACCESS_IDS)[number];
type Action = (typeof ACTIONS)[number];
type ExpirationType = (typeof EXPIRATION_TYPES)[number];

function parseEnum<T extends string>(value: unknown, members: readonly T[]): T | undefined {
  if (typeof value !== "string") return undefined;
  return members.find((m) => m.toLowerCase() === value.toLowerCase());
}

/** ISO 8601 durations as PIM uses them (PT8H, P180D); years and months have no fixed length and are refused. */
function parseDuration(value: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(value);
  if (!m || value.length < 3 || /T$/i.test(value)) return undefined;
  const [weeks, days, hours, minutes, seconds] = m.slice(1).map((part) => Number(part ?? 0)) as number[];
  return (
    ((((weeks ?? 0) * 7 + (days ?? 0)) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60_000 + (seconds ?? 0) * 1000
  );
}

/** A GUID derived from a name, so the demo's policy and permanent-assignment ids survive restarts. */
function stableGuid(name: string) {
  const hex = createHash("sha1").update(name).digest("hex");
  const variant = ((parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

// ---------------------------------------------------------------------------------------------
// $filter: the subset PIM lists need, `prop eq 'value'` clauses joined by `and` (contract A.3, A.4).

type Filter = Array<[property: string, value: string]>;

function parseFilter(raw: string | null, properties: readonly string[]): Filter | string {
  if (!raw) return [];
  const clauses: Filter = [];
  for (const clause of raw.trim().split(/\s+and\s+/i)) {
    const m = /^(\w+)\s+eq\s+'([^']*)'$/i.exec(clause.trim());
    if (!m) return `Invalid $filter clause '${clause}': the emulator supports "property eq 'value'" joined by "and".`;
    const property = properties.find((p) => p.toLowerCase() === m[1]!.toLowerCase());
    if (!property) return `Could not find a property named '${m[1]}' on this collection.`;
    clauses.push([property, m[2]!]);
  }
  return clauses;
}

function matches(item: Record<string, unknown>, filter: Filter) {
  return filter.every(([property, value]) => String(item[property]).toLowerCase() === value.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Policies (contract A.6): one per group and relationship, with the rule ids and defaults of the docs.

type Rule = Record<string, unknown> & { id: string; "@odata.type": string };

interface Policy {
  id: string;
  groupId: string;
  accessId: AccessId;
  rules: Rule[];
  lastModifiedDateTime: Date | null;
}

function ruleTarget(caller: "Admin" | "EndUser", level: "Assignment" | "Eligibility") {
  return {
    "@odata.type": "microsoft.graph.unifiedRoleManagementPolicyRuleTarget",
    caller,
    operations: ["all"],
    level,
    inheritableSettings: [],
    enforcedSettings: [],
  };
}

function defaultRules(): Rule[] {
  const type = (name: string) => `#microsoft.graph.unifiedRoleManagementPolicy${name}Rule`;
  const rules: Rule[] = [
    {
      "@odata.type": type("Expiration"),
      id: "Expiration_EndUser_Assignment",
      isExpirationRequired: true,
      maximumDuration: "PT8H",
      target: ruleTarget("EndUser", "Assignment"),
    },
    {
      "@odata.type": type("Expiration"),
      id: "Expiration_Admin_Assignment",
      isExpirationRequired: true,
      maximumDuration: "P180D",
      target: ruleTarget("Admin", "Assignment"),
    },
    {
      "@odata.type": type("Expiration"),
      id: "Expiration_Admin_Eligibility",
      isExpirationRequired: true,
      maximumDuration: "P365D",
      target: ruleTarget("Admin", "Eligibility"),
    },
    // The docs' group example requires a justification on activation; the demo starts with none
    // required, and tests switch rules on with PATCH (G14).
    ...(
      [
        ["Enablement_EndUser_Assignment", "EndUser", "Assignment"],
        ["Enablement_Admin_Assignment", "Admin", "Assignment"],
        ["Enablement_Admin_Eligibility", "Admin", "Eligibility"],
      ] as const
    ).map(([id, caller, level]) => ({
      "@odata.type": type("Enablement"),
      id,
      enabledRules: [],
      target: ruleTarget(caller, level),
    })),
    {
      "@odata.type": type("Approval"),
      id: "Approval_EndUser_Assignment",
      setting: {
        isApprovalRequired: false,
        isApprovalRequiredForExtension: false,
        isRequestorJustificationRequired: true,
        approvalMode: "SingleStage",
        approvalStages: [
          {
            approvalStageTimeOutInDays: 1,
            isApproverJustificationRequired: true,
            escalationTimeInMinutes: 0,
            isEscalationEnabled: false,
            primaryApprovers: [],
            escalationApprovers: [],
          },
        ],
      },
      target: ruleTarget("EndUser", "Assignment"),
    },
    {
      "@odata.type": type("AuthenticationContext"),
      id: "AuthenticationContext_EndUser_Assignment",
      isEnabled: false,
      claimValue: null,
      target: ruleTarget("EndUser", "Assignment"),
    },
  ];
  for (const party of ["Approver", "Requestor", "Admin"] as const) {
    for (const [suffix, caller, level] of [
      ["EndUser_Assignment", "EndUser", "Assignment"],
      ["Admin_Assignment", "Admin", "Assignment"],
      ["Admin_Eligibility", "Admin", "Eligibility"],
    ] as const) {
      rules.push({
        "@odata.type": type("Notification"),
        id: `Notification_${party}_${suffix}`,
        notificationType: "Email",
        recipientType: party,
        notificationLevel: "All",
        isDefaultRecipientsEnabled: true,
        notificationRecipients: [],
        target: ruleTarget(caller, level),
      });
    }
  }
  return rules;
}

function rule(policy: Policy, id: string): Rule | undefined {
  return policy.rules.find((r) => r.id === id);
}

function expirationOf(policy: Policy, id: string) {
  const r = rule(policy, id);
  return {
    isRequired: r?.isExpirationRequired === true,
    maximumMs: typeof r?.maximumDuration === "string" ? parseDuration(r.maximumDuration) : undefined,
  };
}

function enabledRulesOf(policy: Policy, id: string): string[] {
  const enabled = rule(policy, id)?.enabledRules;
  return Array.isArray(enabled) ? enabled.filter((e): e is string => typeof e === "string") : [];
}

function policyResource(policy: Policy, withRules: boolean) {
  return {
    id: policy.id,
    displayName: "Group",
    description: "Group",
    isOrganizationDefault: false,
    scopeId: policy.groupId,
    scopeType: "Group",
    lastModifiedDateTime: iso(policy.lastModifiedDateTime),
    lastModifiedBy: { displayName: null, id: null },
    ...(withRules ? { rules: policy.rules } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Assignments and requests.

interface Assignment {
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

interface ScheduleInfo {
  startDateTime: string | null;
  recurrence: null;
  expiration: { type: ExpirationType; endDateTime: string | null; duration: string | null };
}

interface ScheduleRequest {
  id: string;
  status: string;
  action: Action;
  accessId: AccessId;
  principalId: string;
  groupId: string;
  justification: string | null;
  customData: string | null;
  isValidationOnly: boolean;
  scheduleInfo: ScheduleInfo | null;
  ticketInfo: { ticketNumber: string | null; ticketSystem: string | null };
  createdDateTime: Date;
  completedDateTime: Date | null;
  createdBy: Record<string, unknown>;
  targetScheduleId: string | null;
}

interface RequestInput {
  action: Action;
  accessId: AccessId;
  principalId: string;
  groupId: string;
  justification: string | null;
  customData: string | null;
  isValidationOnly: boolean;
  ticketInfo: { ticketNumber: string | null; ticketSystem: string | null };
  /** as sent, normalized; the start is filled in later */
  scheduleInfo: ScheduleInfo | null;
}

const optionalString = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);

function parseRequestInput(body: Record<string, unknown>): RequestInput | string {
  const action = parseEnum(body.action, ACTIONS);
  if (!action) return `Invalid value '${String(body.action)}' for property 'action'.`;
  const accessId = parseEnum(body.accessId, ACCESS_IDS);
  if (!accessId) return `Invalid value '${String(body.accessId)}' for property 'accessId'.`;
  const principalId = optionalString(body.principalId);
  const groupId = optionalString(body.groupId);
  if (!principalId) return "The property 'principalId' is required.";
  if (!groupId) return "The property 'groupId' is required.";
  let scheduleInfo: ScheduleInfo | null = null;
  const schedule = body.scheduleInfo as { startDateTime?: unknown; expiration?: Record<string, unknown> } | undefined;
  if (schedule && typeof schedule === "object") {
    const expiration = schedule.expiration ?? {};
    const duration = optionalString(expiration.duration);
    const endDateTime = optionalString(expiration.endDateTime);
    const type =
      expiration.type === undefined || expiration.type === null
        ? duration
          ? "afterDuration"
          : endDateTime
            ? "afterDateTime"
            : "notSpecified"
        : parseEnum(expiration.type, EXPIRATION_TYPES);
    if (!type) return `Invalid value '${String(expiration.type)}' for property 'type' of 'expiration'.`;
    scheduleInfo = {
      startDateTime: optionalString(schedule.startDateTime),
      recurrence: null,
      expiration: { type, endDateTime, duration },
    };
  }
  const ticket = (body.ticketInfo ?? {}) as { ticketNumber?: unknown; ticketSystem?: unknown };
  return {
    action,
    accessId,
    principalId: principalId.toLowerCase(),
    groupId: groupId.toLowerCase(),
    justification: optionalString(body.justification),
    customData: optionalString(body.customData),
    isValidationOnly: body.isValidationOnly === true,
    ticketInfo: {
      ticketNumber: optionalString(ticket.ticketNumber),
      ticketSystem: optionalString(ticket.ticketSystem),
    },
    scheduleInfo,
  };
}

/** The requested window: start defaults to now; end from the expiration (null when it has none). */
function scheduleWindow(info: ScheduleInfo | null, now: Date): { start: Date; end: Date | null } | string {
  const start = info?.startDateTime ? new Date(info.startDateTime) : now;
  if (Number.isNaN(start.getTime())) return `Invalid startDateTime '${info?.startDateTime}'.`;
  const expiration = info?.expiration;
  if (expiration?.type === "afterDuration") {
    const ms = expiration.duration ? parseDuration(expiration.duration) : undefined;
    if (ms === undefined) return `Invalid duration '${expiration.duration ?? ""}' for expiration type 'afterDuration'.`;
    return { start, end: new Date(start.getTime() + ms) };
  }
  if (expiration?.type === "afterDateTime") {
    const end = expiration.endDateTime ? new Date(expiration.endDateTime) : undefined;
    if (!end || Number.isNaN(end.getTime())) {
      return `Invalid endDateTime '${expiration.endDateTime ?? ""}' for expiration type 'afterDateTime'.`;
    }
    return { start, end };
  }
  return { start, end: null };
}

/**
 * The policy rules a request fails, in the order PIM lists them (contract A.8). Each caller has its
 * own rules: an admin's assignment (adminAssign, adminExtend) follows Expiration_Admin_Assignment
 * (default P180D) and Enablement_Admin_Assignment; a member's activation follows the EndUser rules
 * (default PT8H). Rule ids and targets: microsoftgraph/microsoft-graph-docs-contrib
 * concepts/identity-governance-pim-rules-overview.md and concepts/how-to-pim-update-rules.md
 * ("Expiration_Admin_Assignment"); api-reference/v1.0/resources/privilegedidentitymanagement-for-groups-api-overview.md.
 */
function failedRules(policy: Policy, input: RequestInput, window: { start: Date; end: Date | null }) {
  const caller = input.action.startsWith("admin") ? "Admin" : "EndUser";
  const expirations = [expirationOf(policy, `Expiration_${caller}_Assignment`)];
  const enabled = new Set(enabledRulesOf(policy, `Enablement_${caller}_Assignment`));
  const failed: string[] = [];
  // Self-activation is not modelled (the app assigns as admin): the seed's eligibilities are for reading only.
  if (input.action === "selfActivate") failed.push("EligibilityRule");
  const length = window.end ? window.end.getTime() - window.start.getTime() : undefined;
  const isTooLong = expirations.some((e) => e.maximumMs !== undefined && length !== undefined && length > e.maximumMs);
  const isMissing = expirations.some((e) => e.isRequired) && length === undefined;
  if (isTooLong || isMissing || (length !== undefined && length <= 0)) failed.push("ExpirationRule");
  if (enabled.has("Justification") && !input.justification?.trim()) failed.push("JustificationRule");
  if (enabled.has("Ticketing") && !input.ticketInfo.ticketNumber) failed.push("TicketingRule");
  return failed;
}

function createdByFrom(token: JWTPayload, ctx: EmulatorContext) {
  if (token.idtyp === "app") {
    const app = ctx.tenant.application(String(token.appid ?? token.azp));
    return { application: { id: app?.appId ?? null, displayName: app?.displayName ?? null }, device: null, user: null };
  }
  return { application: null, device: null, user: { id: String(token.oid), displayName: String(token.name ?? "") } };
}

/** What a refused request is answered with. */
interface Refusal {
  kind: "refused";
  status: number;
  code: string;
  message: string;
}

/** What an accepted request stores and does. */
interface Acceptance {
  kind: "accepted";
  status: string;
  target: Assignment | null;
  scheduleInfo: ScheduleInfo | null;
  apply: () => void;
}

const refuse = (status: number, code: string, message: string): Refusal => ({ kind: "refused", status, code, message });
const accept = (status: string, target: Assignment | null, scheduleInfo: ScheduleInfo | null, apply: () => void) =>
  ({ kind: "accepted", status, target, scheduleInfo, apply }) satisfies Acceptance;
const policyRefusal = (rules: string[]) =>
  refuse(
    400,
    "RoleAssignmentRequestPolicyValidationFailed",
    `The following policy rules failed: ${JSON.stringify(rules)}`,
  );
// The ARM PIM texts; the HTTP status is UNCERTAIN for Graph and assumed 400 (contract A.8).
const exists = () => refuse(400, "RoleAssignmentExists", "The Role assignment already exists.");
const doesNotExist = () => refuse(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
const invalidRequest = (detail: string) =>
  refuse(400, "InvalidRoleAssignmentRequest", `The role assignment request is invalid. ${detail}`);

export function registerGraphPim(router: Router, ctx: EmulatorContext) {
  const assignments: Assignment[] = [];
  const requests: ScheduleRequest[] = [];
  const policies = new Map<string, Policy>();
  /** stands in for when the seed's members were assigned, for their permanent schedules */
  const seededAt = ctx.now();

  const policyFor = (groupId: string, accessId: AccessId): Policy => {
    const key = `${groupId}_${accessId}`;
    let policy = policies.get(key);
    if (!policy) {
      const guid = stableGuid(`policy:${key}`);
      policy = { id: `Group_${groupId}_${guid}`, groupId, accessId, rules: defaultRules(), lastModifiedDateTime: null };
      policies.set(key, policy);
    }
    return policy;
  };
  const policyById = (id: string) => {
    const m = /^Group_([0-9a-f-]{36})_[0-9a-f-]{36}$/i.exec(id);
    if (!m || !ctx.tenant.group(m[1]!)) return undefined;
    return ACCESS_IDS.map((a) => policyFor(m[1]!.toLowerCase(), a)).find(
      (p) => p.id.toLowerCase() === id.toLowerCase(),
    );
  };

  /** Direct members assigned outside PIM show in PIM as permanent active member assignments. */
  const permanentAssignments = (): Assignment[] =>
    ctx.tenant.groups.flatMap((group) =>
      ctx.tenant.assignedMembersOf(group.id).map((principalId) => {
        const guid = stableGuid(`member:${group.id}:${principalId}`);
        return {
          id: `${group.id}_member_${guid}`,
          instanceId: guid,
          groupId: group.id,
          principalId,
          accessId: "member" as const,
          start: seededAt,
          end: null,
          createdDateTime: seededAt,
          modifiedDateTime: null,
          createdUsing: null,
          endedAt: null,
          visibleAt: seededAt,
        };
      }),
    );
  const findPim = (groupId: string, principalId: string, accessId: AccessId, now: Date) =>
    assignments.find(
      (a) =>
        a.groupId === groupId && a.principalId === principalId && a.accessId === accessId && isCurrentOrFuture(a, now),
    );
  const isPermanentMember = (groupId: string, principalId: string, accessId: AccessId) =>
    accessId === "member" && ctx.tenant.assignedMembersOf(groupId).includes(principalId);

  ctx.tenant.addMembershipSource({
    membersOf: (groupId) => {
      const now = ctx.now();
      return assignments
        .filter((a) => a.groupId === groupId && a.accessId === "member" && isVisible(a, now))
        .map((a) => a.principalId);
    },
    removeMember: (groupId, objectId) => {
      const now = ctx.now();
      const active = assignments.filter(
        (a) => a.groupId === groupId && a.principalId === objectId && a.accessId === "member" && isActive(a, now),
      );
      for (const a of active) a.endedAt = now;
      return active.length > 0;
    },
  });
  ctx.inspectors.push(() => {
    const now = ctx.now();
    return {
      pimGroupAssignments: assignments
        .filter((a) => isActive(a, now))
        .map((a) => ({
          groupId: a.groupId,
          principalId: a.principalId,
          accessId: a.accessId,
          startDateTime: iso(a.start),
          endDateTime: iso(a.end),
        })),
    };
  });

  /**
   * PIM keeps an assignment for a minimum time: removing or deactivating it sooner is refused with
   * 400 ActiveDurationTooShort, measured from the assignment's start. Third-party evidence only (the
   * ARM PIM text, seen from Graph PIM clients as well; contract A.8); UNCERTAIN for Graph: the status
   * and whether Graph words it the same way.
   */
  const isTooShort = (a: Assignment, now: Date) =>
    a.start <= now && now.getTime() - a.start.getTime() < ctx.settings.minimumActiveDurationSeconds * 1000;
  const tooShort = () =>
    refuse(400, "ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.");

  /** Decides a request against the current assignments and policy; returns what to store, or a refusal. */
  const decide = (input: RequestInput, requestId: string, now: Date): Refusal | Acceptance => {
    const { groupId, principalId, accessId } = input;
    const policy = policyFor(groupId, accessId);
    const existing = findPim(groupId, principalId, accessId, now);
    switch (input.action) {
      case "adminAssign":
      case "selfActivate": {
        const window = scheduleWindow(input.scheduleInfo, now);
        if (typeof window === "string") return refuse(400, "BadRequest", window);
        if (input.action === "adminAssign" && (existing || isPermanentMember(groupId, principalId, accessId))) {
          return exists();
        }
        const failed = failedRules(policy, input, window);
        if (failed.length > 0) return policyRefusal(failed);
        const guid = randomUUID();
        const target: Assignment = {
          id: `${groupId}_${accessId}_${guid}`,
          instanceId: randomUUID(),
          groupId,
          principalId,
          accessId,
          start: window.start,
          end: window.end,
          createdDateTime: now,
          modifiedDateTime: null,
          createdUsing: requestId,
          endedAt: null,
          visibleAt: new Date(now.getTime() + ctx.settings.pimReplicationDelaySeconds * 1000),
        };
        // UNCERTAIN: the status of a request whose schedule starts later; it reads Provisioned from the start.
        const status = window.start > now ? "ScheduleCreated" : "Provisioned";
        return accept(status, target, withStart(input.scheduleInfo, window.start), () => assignments.push(target));
      }
      case "adminExtend":
      case "adminUpdate": {
        if (!existing) {
          return isPermanentMember(groupId, principalId, accessId)
            ? invalidRequest("A permanent assignment has no end to move.")
            : doesNotExist();
        }
        // UNCERTAIN (contract G): the fields PIM wants for adminExtend; the new schedule is checked like
        // an assignment from its start (default: now), and its end replaces the assignment's end.
        const window = scheduleWindow(input.scheduleInfo, now);
        if (typeof window === "string") return refuse(400, "BadRequest", window);
        const failed = failedRules(policy, input, window);
        if (window.end !== null && window.end <= now && !failed.includes("ExpirationRule"))
          failed.push("ExpirationRule");
        if (failed.length > 0) return policyRefusal(failed);
        return accept("Provisioned", existing, withStart(input.scheduleInfo, window.start), () => {
          existing.end = window.end;
          existing.modifiedDateTime = now;
        });
      }
      case "adminRemove": {
        if (existing && isTooShort(existing, now)) return tooShort();
        if (existing) return accept("Revoked", existing, null, () => (existing.endedAt = now));
        if (isPermanentMember(groupId, principalId, accessId)) {
          // Removing a permanent assignment removes the member, as it does in Entra (contract A.7).
          const permanent = permanentAssignments().find((a) => a.groupId === groupId && a.principalId === principalId);
          return accept("Revoked", permanent ?? null, null, () => ctx.tenant.removeMember(groupId, principalId));
        }
        return doesNotExist();
      }
      case "selfDeactivate":
        if (existing && isTooShort(existing, now)) return tooShort();
        if (existing) return accept("Revoked", existing, null, () => (existing.endedAt = now));
        return doesNotExist();
      case "adminRenew":
      case "selfExtend":
      case "selfRenew":
        return invalidRequest(`The emulator does not support the action '${input.action}' for groups.`);
    }
  };

  const requestResource = (r: ScheduleRequest) => {
    const now = ctx.now();
    const target = assignments.find((a) => a.id === r.targetScheduleId);
    // A scheduled assignment's request reads as provisioned once its start has passed.
    const status = r.status === "ScheduleCreated" && target && target.start <= now ? "Provisioned" : r.status;
    return {
      id: r.id,
      status,
      completedDateTime: iso(r.completedDateTime),
      createdDateTime: iso(r.createdDateTime),
      approvalId: null,
      customData: r.customData,
      createdBy: r.createdBy,
      action: r.action,
      isValidationOnly: r.isValidationOnly,
      justification: r.justification,
      scheduleInfo: r.scheduleInfo,
      ticketInfo: r.ticketInfo,
      accessId: r.accessId,
      principalId: r.principalId,
      groupId: r.groupId,
      targetScheduleId: r.targetScheduleId,
    };
  };

  const scheduleResource = (a: Assignment) => ({
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
  });

  const instanceResource = (a: Assignment) => ({
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
  });

  // --- G1: create ------------------------------------------------------------------------------
  router.on(
    "POST",
    `${BASE}/assignmentScheduleRequests`,
    authenticated(ctx, (req, res, token) => {
      const input = parseRequestInput(req.body);
      if (typeof input === "string") return sendGraphError(res, 400, "BadRequest", input);
      if (!ctx.tenant.group(input.groupId)) return sendResourceNotFound(res, input.groupId);
      if (!ctx.tenant.directoryObject(input.principalId)) return sendResourceNotFound(res, input.principalId);
      const now = ctx.now();
      const id = randomUUID();
      const outcome = decide(input, id, now);
      if (outcome.kind === "refused") return sendGraphError(res, outcome.status, outcome.code, outcome.message);
      const request: ScheduleRequest = {
        id,
        // UNCERTAIN: what a validation-only request answers; here it is checked but nothing is stored.
        status: input.isValidationOnly ? "Granted" : outcome.status,
        action: input.action,
        accessId: input.accessId,
        principalId: input.principalId,
        groupId: input.groupId,
        justification: input.justification,
        customData: input.customData,
        isValidationOnly: input.isValidationOnly,
        scheduleInfo: outcome.scheduleInfo,
        ticketInfo: input.ticketInfo,
        createdDateTime: now,
        completedDateTime: now,
        createdBy: createdByFrom(token, ctx),
        targetScheduleId: input.isValidationOnly ? null : (outcome.target?.id ?? null),
      };
      if (!input.isValidationOnly) {
        outcome.apply();
        requests.push(request);
      }
      sendJson(res, 201, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#${CONTEXT_BASE}/assignmentScheduleRequests/$entity`,
        ...requestResource(request),
      });
    }),
  );

  // --- G2–G4, G6–G9: lists, gets and filterByCurrentUser -----------------------------------------
  const requiresScope = (filter: Filter) => filter.some(([p]) => p === "groupId" || p === "principalId");

  /** Serves a collection and `…/{id}` and `…/filterByCurrentUser(on='…')` under it. */
  const collection = (
    name: string,
    properties: readonly string[],
    items: () => Array<Record<string, unknown>>,
    currentUser: Record<string, (item: Record<string, unknown>, userId: string) => boolean>,
  ) => {
    const context = `${CONTEXT_BASE}/${name}`;
    const list = (req: EmulatorRequest, res: ServerResponse, mine?: (item: Record<string, unknown>) => boolean) => {
      const filter = parseFilter(req.url.searchParams.get("$filter"), properties);
      if (typeof filter === "string") return sendGraphError(res, 400, "BadRequest", filter);
      // UNCERTAIN (contract G): the error code when the required $filter is missing.
      if (!mine && !requiresScope(filter)) {
        return sendGraphError(
          res,
          400,
          "BadRequest",
          "This collection requires a $filter (eq) on principalId or groupId, for example $filter=groupId eq '{id}'.",
        );
      }
      sendPage(
        ctx,
        req,
        res,
        context,
        items().filter((item) => (!mine || mine(item)) && matches(item, filter)),
      );
    };
    router.on(
      "GET",
      `${BASE}/${name}`,
      authenticated(ctx, (req, res) => list(req, res)),
    );
    router.on(
      "GET",
      `${BASE}/${name}/:id`,
      authenticated(ctx, (req, res, token) => {
        const id = req.params.id ?? "";
        const fn = /^filterByCurrentUser\(on='(\w+)'\)$/i.exec(id);
        if (fn) {
          if (token.idtyp === "app") {
            return sendGraphError(
              res,
              400,
              "BadRequest",
              "filterByCurrentUser is only valid with delegated authentication flow.",
            );
          }
          const on = Object.keys(currentUser).find((k) => k.toLowerCase() === fn[1]!.toLowerCase());
          if (!on) return sendGraphError(res, 400, "BadRequest", `Invalid value '${fn[1]}' for parameter 'on'.`);
          return list(req, res, (item) => currentUser[on]!(item, String(token.oid)));
        }
        const item = items().find((i) => String(i.id).toLowerCase() === id.toLowerCase());
        if (!item) return sendResourceNotFound(res, id);
        sendJson(res, 200, { "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#${context}/$entity`, ...item });
      }),
    );
  };

  const byPrincipal = { principal: (item: Record<string, unknown>, userId: string) => item.principalId === userId };
  collection(
    "assignmentScheduleRequests",
    ["id", "principalId", "groupId", "accessId", "status", "action", "targetScheduleId"],
    () => requests.map(requestResource),
    {
      ...byPrincipal,
      createdBy: (item, userId) => (item.createdBy as { user?: { id?: string } | null }).user?.id === userId,
      approver: () => false, // no request here ever needs approval
    },
  );
  collection(
    "assignmentSchedules",
    ["id", "principalId", "groupId", "accessId", "status", "memberType", "assignmentType"],
    () => {
      const now = ctx.now();
      return [...permanentAssignments(), ...assignments.filter((a) => isCurrentOrFuture(a, now))].map(scheduleResource);
    },
    byPrincipal,
  );
  collection(
    "assignmentScheduleInstances",
    ["id", "principalId", "groupId", "accessId", "memberType", "assignmentType", "assignmentScheduleId"],
    () => {
      const now = ctx.now();
      return [...permanentAssignments(), ...assignments.filter((a) => isVisible(a, now))].map(instanceResource);
    },
    byPrincipal,
  );
  // The seed's eligibilities (tenant `pim.eligibilities`), read by `npm run doctor`.
  const eligibilities = seededEligibilities(ctx, seededAt);
  collection(
    "eligibilitySchedules",
    ["id", "principalId", "groupId", "accessId", "memberType", "status"],
    eligibilities.schedules,
    byPrincipal,
  );
  collection(
    "eligibilityScheduleInstances",
    ["id", "principalId", "groupId", "accessId", "memberType"],
    eligibilities.instances,
    byPrincipal,
  );

  // --- G5: cancel ------------------------------------------------------------------------------
  router.on(
    "POST",
    `${BASE}/assignmentScheduleRequests/:id/cancel`,
    authenticated(ctx, (req, res) => {
      const id = req.params.id ?? "";
      const request = requests.find((r) => r.id === id.toLowerCase());
      if (!request) return sendResourceNotFound(res, id);
      const now = ctx.now();
      const target = assignments.find((a) => a.id === request.targetScheduleId);
      const isPending = request.status === "ScheduleCreated" && target !== undefined && target.start > now;
      if (!isPending) {
        // The text ARM PIM answers for a provisioned request (third-party: kayasax/EasyPIM issue #79).
        return sendGraphError(res, 400, "RequestCannotBeCancelled", "Request is not in cancellable state.");
      }
      request.status = "Canceled";
      target.endedAt = now;
      res.writeHead(204).end();
    }),
  );

  registerPolicies(router, ctx, policyFor, policyById);
}

/** `$expand` of policy assignments: `policy`, `policy($expand=rules)`; of policies: `rules` (or `*`). */
function expands(raw: string | null, name: string) {
  return (raw ?? "").split(",").some((e) => e.trim() === "*" || e.trim().toLowerCase().startsWith(name.toLowerCase()));
}

/** G12, G13, G14, G15. */
function registerPolicies(
  router: Router,
  ctx: EmulatorContext,
  policyFor: (groupId: string, accessId: AccessId) => Policy,
  policyById: (id: string) => Policy | undefined,
) {
  /** The policies a `scopeId eq '…' and scopeType eq 'Group' [and roleDefinitionId eq '…']` filter selects. */
  const scoped = (req: EmulatorRequest, res: ServerResponse, properties: string[]) => {
    const filter = parseFilter(req.url.searchParams.get("$filter"), properties);
    if (typeof filter === "string") return void sendGraphError(res, 400, "BadRequest", filter);
    const scopeId = filter.find(([p]) => p === "scopeId")?.[1];
    const scopeType = filter.find(([p]) => p === "scopeType")?.[1];
    if (!scopeId || scopeType?.toLowerCase() !== "group") {
      return void sendGraphError(
        res,
        400,
        "BadRequest",
        "This collection requires $filter=scopeId eq '{groupId}' and scopeType eq 'Group'.",
      );
    }
    const role = filter.find(([p]) => p === "roleDefinitionId")?.[1];
    const group = ctx.tenant.group(scopeId);
    // UNCERTAIN: an unknown group gives an empty list here rather than an error.
    if (!group || !isPimManaged(ctx, group.id)) return [];
    return ACCESS_IDS.filter((a) => !role || a === role.toLowerCase()).map((a) => policyFor(group.id, a));
  };

  router.on(
    "GET",
    "/v1.0/policies/roleManagementPolicyAssignments",
    authenticated(ctx, (req, res) => {
      const policies = scoped(req, res, ["scopeId", "scopeType", "roleDefinitionId"]);
      if (!policies) return;
      const expand = req.url.searchParams.get("$expand");
      const withPolicy = expands(expand, "policy");
      const withRules = /policy\(\s*\$expand=(rules|\*)/i.test(expand ?? "");
      sendPage(
        ctx,
        req,
        res,
        "policies/roleManagementPolicyAssignments",
        policies.map((p) => ({
          id: `${p.id}_${p.accessId}`,
          policyId: p.id,
          scopeId: p.groupId,
          scopeType: "Group",
          roleDefinitionId: p.accessId,
          ...(withPolicy ? { policy: policyResource(p, withRules) } : {}),
        })),
      );
    }),
  );
  router.on(
    "GET",
    "/v1.0/policies/roleManagementPolicies",
    authenticated(ctx, (req, res) => {
      const policies = scoped(req, res, ["scopeId", "scopeType"]);
      if (!policies) return;
      const withRules = expands(req.url.searchParams.get("$expand"), "rules");
      sendPage(
        ctx,
        req,
        res,
        "policies/roleManagementPolicies",
        policies.map((p) => policyResource(p, withRules)),
      );
    }),
  );
  router.on(
    "GET",
    "/v1.0/policies/roleManagementPolicies/:id",
    authenticated(ctx, (req, res) => {
      const policy = policyById(req.params.id ?? "");
      if (!policy) return sendResourceNotFound(res, req.params.id ?? "");
      const expand = req.url.searchParams.get("$expand");
      sendJson(res, 200, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#policies/roleManagementPolicies/$entity`,
        ...policyResource(policy, expands(expand, "rules") || expands(expand, "effectiveRules")),
      });
    }),
  );
  router.on(
    "PATCH",
    "/v1.0/policies/roleManagementPolicies/:id/rules/:ruleId",
    authenticated(ctx, (req, res) => {
      const policy = policyById(req.params.id ?? "");
      const target = policy?.rules.find((r) => r.id === req.params.ruleId);
      if (!policy || !target) return sendResourceNotFound(res, req.params.ruleId ?? req.params.id ?? "");
      // "The @odata.type property with a value of the specific rule type must be included in the body" (A.6).
      const type = String(req.body["@odata.type"] ?? "").replace(/^#?/, "#");
      if (type.toLowerCase() !== target["@odata.type"].toLowerCase()) {
        return sendGraphError(res, 400, "BadRequest", `The body must carry "@odata.type": "${target["@odata.type"]}".`);
      }
      const { maximumDuration, enabledRules } = req.body;
      if (maximumDuration !== undefined && (typeof maximumDuration !== "string" || !parseDuration(maximumDuration))) {
        return sendGraphError(res, 400, "BadRequest", `Invalid maximumDuration '${String(maximumDuration)}'.`);
      }
      if (
        enabledRules !== undefined &&
        (!Array.isArray(enabledRules) || enabledRules.some((r) => typeof r !== "string"))
      ) {
        return sendGraphError(res, 400, "BadRequest", "enabledRules must be an array of strings.");
      }
      for (const [key, value] of Object.entries(req.body)) {
        if (key !== "id" && key !== "@odata.type") target[key] = value;
      }
      policy.lastModifiedDateTime = ctx.now();
      res.writeHead(204).end();
    }),
  );
}

function withStart(info: ScheduleInfo | null, start: Date): ScheduleInfo {
  return {
    startDateTime: start.toISOString(),
    recurrence: null,
    expiration: info?.expiration ?? { type: "notSpecified", endDateTime: null, duration: null },
  };
}
