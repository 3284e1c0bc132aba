/**
 * Approver coverage: can every role in the catalog actually be approved, escalated and heard? Pure:
 * the catalog and what is known of its groups' members come in, warnings in words an admin acts on
 * come out. One implementation for `npm run catalog:check` (static, or `--live` with members read
 * through Graph), the Admin page and `npm run doctor`.
 *
 * The worst case is the one that matters: a requester who is also an approver cannot approve their
 * own request (self-approval is refused, lib/domain/policy.ts), so their request needs
 * `approvalsRequired` approvers besides them.
 */
import type { CatalogCluster, CatalogRole } from "./catalog-schema";

/** What Graph said of one group: its users (nested groups expanded, disabled accounts left out). */
export type GroupMembership =
  | { state: "found"; displayName?: string; memberIds: readonly string[] }
  | { state: "not-found" }
  | { state: "unreadable"; reason: string };

export type CoverageCode =
  | "approver-group-unknown"
  | "approver-group-empty"
  | "approver-group-unreadable"
  | "too-few-approvers"
  | "approvers-are-requesters"
  | "escalation-group-unknown"
  | "escalation-group-empty"
  | "escalation-group-unreadable"
  | "review-escalates-to-nobody"
  | "break-glass-notifies-nobody";

export interface CoverageWarning {
  code: CoverageCode;
  cluster: string;
  role: string;
  /** the groups the warning is about (lower-case object ids), named in `problem` and `fix` too */
  groupIds: string[];
  problem: string;
  fix: string;
}

export interface CoverageInput {
  clusters: ReadonlyArray<Pick<CatalogCluster, "name"> & { roles: readonly CoverageRole[] }>;
  /** the catalog file, named in fixes */
  file: string;
  /** members by lower-case group id; a group not in the map was not read (the static check) */
  groups?: ReadonlyMap<string, GroupMembership>;
  /** AUDITOR_GROUP_IDS when known: break-glass alerts and overdue reviews reach them too */
  auditorGroupIds?: readonly string[];
  /**
   * APPROVER_GROUP_IDS when known: only their members hold the app's approver role, so a member of a
   * role's approver group outside them cannot approve at all (lib/auth/permissions.ts)
   */
  approverRoleGroupIds?: readonly string[];
}

export type CoverageRole = Pick<CatalogRole, "name" | "policy" | "notify">;

/** Every group whose members the checks use: read these for a live check. */
export function coverageGroupIds(
  input: Pick<CoverageInput, "clusters" | "auditorGroupIds" | "approverRoleGroupIds">,
): string[] {
  const ids = input.clusters.flatMap((cluster) =>
    cluster.roles.flatMap((role) => [
      ...role.policy.approverGroupIds,
      ...role.policy.eligibleGroupIds,
      ...(role.notify.escalation?.approverGroupIds ?? []),
    ]),
  );
  const settings = [...(input.auditorGroupIds ?? []), ...(input.approverRoleGroupIds ?? [])];
  return [...new Set([...ids, ...settings].map((id) => id.toLowerCase()))];
}

export function approverCoverage(input: CoverageInput): CoverageWarning[] {
  const directory = new Directory(input.groups ?? new Map());
  return input.clusters.flatMap((cluster) =>
    cluster.roles.flatMap((role) => {
      const at: RoleAt = { cluster: cluster.name, role: role.name, file: input.file };
      return [
        ...(role.policy.approvalsRequired > 0 ? approvalWarnings(role, at, directory, input.approverRoleGroupIds) : []),
        ...escalationGroupWarnings(role, at, directory),
        ...(role.policy.isBreakGlassAllowed ? breakGlassWarnings(role, at, directory, input.auditorGroupIds) : []),
      ];
    }),
  );
}

/** One line per warning, then its fix, for a terminal. */
export function formatCoverageWarning(warning: CoverageWarning): string {
  return `${warning.cluster}/${warning.role}: ${warning.problem}\n    Fix: ${warning.fix}`;
}

// ---------------------------------------------------------------------------------------------

interface RoleAt {
  cluster: string;
  role: string;
  file: string;
}

const roleName = (at: RoleAt) => `${at.cluster}/${at.role}`;

/** The people in some groups, or undefined while any of them was not read. */
class Directory {
  constructor(private readonly groups: ReadonlyMap<string, GroupMembership>) {}

  get(groupId: string): GroupMembership | undefined {
    return this.groups.get(groupId.toLowerCase());
  }

  /** "approver (09ecf0d7-…)" when Graph gave a name, else the id */
  label(groupId: string): string {
    const group = this.get(groupId);
    const id = groupId.toLowerCase();
    return group?.state === "found" && group.displayName ? `"${group.displayName}" (${id})` : id;
  }

  labels(groupIds: readonly string[]): string {
    return groupIds.map((id) => this.label(id)).join(", ");
  }

  people(groupIds: readonly string[]): Set<string> | undefined {
    const people = new Set<string>();
    for (const id of groupIds) {
      const group = this.get(id);
      if (group === undefined || group.state === "unreadable") return undefined;
      // A group Graph does not know has nobody in it; its own warning says so.
      if (group.state === "found") for (const member of group.memberIds) people.add(member.toLowerCase());
    }
    return people;
  }
}

function groupWarnings(
  groupIds: readonly string[],
  directory: Directory,
  describe: (
    state: "unknown" | "empty" | "unreadable",
    group: string,
    reason?: string,
  ) => Omit<CoverageWarning, "cluster" | "role" | "groupIds">,
  at: RoleAt,
): CoverageWarning[] {
  return groupIds.flatMap((id) => {
    const group = directory.get(id);
    const where = { cluster: at.cluster, role: at.role, groupIds: [id.toLowerCase()] };
    if (group?.state === "not-found") return [{ ...where, ...describe("unknown", directory.label(id)) }];
    if (group?.state === "unreadable")
      return [{ ...where, ...describe("unreadable", directory.label(id), group.reason) }];
    if (group?.state === "found" && group.memberIds.length === 0)
      return [{ ...where, ...describe("empty", directory.label(id)) }];
    return [];
  });
}

function approvalWarnings(
  role: CoverageRole,
  at: RoleAt,
  directory: Directory,
  approverRoleGroupIds: readonly string[] | undefined,
): CoverageWarning[] {
  const { approverGroupIds } = role.policy;
  const groups = groupWarnings(
    approverGroupIds,
    directory,
    (state, group, reason) => {
      const field = `approverGroups of ${roleName(at)} in ${at.file}`;
      switch (state) {
        case "unknown":
          return {
            code: "approver-group-unknown",
            problem: `approver group ${group} does not exist in the tenant (Graph answers 404), so nobody in it can approve.`,
            fix: `Put the approver group's object id in ${field} (Entra admin center → Groups → the group → Object ID), or create the group.`,
          };
        case "empty":
          return {
            code: "approver-group-empty",
            problem: `approver group ${group} has no members (enabled users, nested groups included), so nobody in it can approve.`,
            fix: `Add the people who approve ${roleName(at)} to group ${group}, or name another group in ${field}.`,
          };
        case "unreadable":
          return {
            code: "approver-group-unreadable",
            problem: `the members of approver group ${group} could not be read (${reason}), so its coverage is unknown.`,
            fix: "Grant the app the GroupMember.Read.All application permission (npm run doctor says which are missing), then check again.",
          };
      }
    },
    at,
  );
  return [...groups, ...quorumWarnings(role, at, directory, approverRoleGroupIds)];
}

/** Too few approvers for the worst-case requester, or approvers who are all requesters themselves. */
function quorumWarnings(
  role: CoverageRole,
  at: RoleAt,
  directory: Directory,
  approverRoleGroupIds: readonly string[] | undefined,
): CoverageWarning[] {
  const { approverGroupIds, eligibleGroupIds, approvalsRequired } = role.policy;
  const where = { cluster: at.cluster, role: at.role, groupIds: approverGroupIds.map((id) => id.toLowerCase()) };
  const named = directory.people(approverGroupIds);
  const withRole = approverRoleGroupIds && directory.people(approverRoleGroupIds);
  // Those who may actually approve: named by the role and holding the app's approver role.
  const approvers = approverRoleGroupIds === undefined ? named : named && withRole && intersect(named, withRole);
  const requesters = directory.people(eligibleGroupIds);
  const isOne = approverGroupIds.length === 1;
  const groups = `approver group${isOne ? "" : "s"} ${directory.labels(approverGroupIds)}`;
  const warnings: CoverageWarning[] = [];
  if (named && approvers && named.size > 0) {
    // Unknown requesters: assume the worst, that any approver may be one.
    const both = requesters ? intersect(approvers, requesters).size : approvers.size;
    const available = approvers.size - (both > 0 ? 1 : 0);
    const counts = { named: named.size, both, lacking: named.size - approvers.size, available };
    if (available < approvalsRequired)
      warnings.push({ ...where, ...tooFew(at, { groups, isOne }, counts, approvalsRequired) });
    // One approver who may request is the case above already: their request can never be approved.
    if (requesters && approvers.size > 1 && both === approvers.size)
      warnings.push({ ...where, ...allRequesters(at, groups, approvers.size, approvalsRequired) });
  } else if (!named) {
    // Not read: the catalog alone says so when every approver group is also an eligible group.
    const eligible = new Set(eligibleGroupIds.map((id) => id.toLowerCase()));
    if (approverGroupIds.length > 0 && approverGroupIds.every((id) => eligible.has(id.toLowerCase())))
      warnings.push({ ...where, ...allRequesters(at, groups, undefined, approvalsRequired) });
  }
  return warnings;
}

const intersect = (a: ReadonlySet<string>, b: ReadonlySet<string>) => new Set([...a].filter((id) => b.has(id)));

interface QuorumCounts {
  /** distinct people in the role's approver groups */
  named: number;
  /** of those who may approve, how many may request the role too */
  both: number;
  /** of the named, how many lack the app's approver role (APPROVER_GROUP_IDS) */
  lacking: number;
  /** approvals a request from the worst-case requester can get */
  available: number;
}

function tooFew(
  at: RoleAt,
  { groups, isOne }: { groups: string; isOne: boolean },
  { named, both, lacking, available }: QuorumCounts,
  required: number,
) {
  const people = named === 1 ? "1 person" : `${named} distinct people`;
  const more = required - available;
  const overlap =
    both === 0
      ? ""
      : named === 1
        ? ", who may request it too"
        : `, ${both === named ? "all" : both} of whom may request it too`;
  const outside =
    lacking === 0
      ? ""
      : `; ${named === 1 ? "they are" : lacking === named ? "none of them is" : `${lacking} of them ${lacking === 1 ? "is" : "are"}`} ` +
        `${named === 1 || lacking !== named ? "in no" : "in an"} APPROVER_GROUP_IDS group, and AKS JIT lets only those groups' members approve`;
  const most = available === 0 ? "can never be approved" : `can get at most ${available}`;
  const lower = available > 0 ? `, or lower approvalsRequired to ${available}` : "";
  const promote =
    lacking > 0 ? `Put the approvers who are in no APPROVER_GROUP_IDS group in one that it names, or add` : "Add";
  return {
    code: "too-few-approvers" as const,
    problem:
      `needs ${required} approval${required === 1 ? "" : "s"}, but its ${groups} ${isOne ? "has" : "have"} ${people}${overlap}${outside}: ` +
      `${both > 0 ? `a request from ${named === 1 ? "them" : "one of them"}` : "a request"} ${most} (nobody approves their own), so it would wait until it times out.`,
    fix:
      `${promote} at least ${more} more ${more === 1 ? "person" : "people"}${both > 0 ? ` who ${more === 1 ? "does" : "do"} not request this role` : ""} ` +
      `to the ${groups}, or another group to approverGroups of ${roleName(at)} in ${at.file}${lower}.`,
  };
}

function allRequesters(at: RoleAt, groups: string, approvers: number | undefined, required: number) {
  const who =
    approvers === undefined
      ? `every member of its ${groups} is also in its eligibleGroups`
      : `all ${approvers} members of its ${groups} may also request it`;
  return {
    code: "approvers-are-requesters" as const,
    problem:
      `${who}. Nobody approves their own request, so they can only approve each other's: no one outside the requesters checks this access` +
      `${required > 1 ? `, and each request needs ${required} of the others` : ""}.`,
    fix: `Add a group of people who do not request ${roleName(at)} (a team lead or on-call group) to approverGroups in ${at.file}, or take the approvers out of its eligibleGroups.`,
  };
}

function escalationGroupWarnings(role: CoverageRole, at: RoleAt, directory: Directory): CoverageWarning[] {
  const escalation = role.notify.escalation;
  if (!escalation) return [];
  const field = `notify.escalation.approverGroups of ${roleName(at)} (or of its cluster) in ${at.file}`;
  return groupWarnings(
    escalation.approverGroupIds,
    directory,
    (state, group, reason) => {
      switch (state) {
        case "unknown":
          return {
            code: "escalation-group-unknown",
            problem: `escalation group ${group} does not exist in the tenant (Graph answers 404): requests left pending are escalated to nobody in it.`,
            fix: `Put the escalation group's object id in ${field}, or create the group.`,
          };
        case "empty":
          return {
            code: "escalation-group-empty",
            problem: `escalation group ${group} has no members: requests left pending are escalated to nobody in it.`,
            fix: `Add the people who take escalations to group ${group}, or name another group in ${field}.`,
          };
        case "unreadable":
          return {
            code: "escalation-group-unreadable",
            problem: `the members of escalation group ${group} could not be read (${reason}).`,
            fix: "Grant the app the GroupMember.Read.All application permission (npm run doctor says which are missing), then check again.",
          };
      }
    },
    at,
  );
}

/**
 * Break-glass alerts go to the role's approvers and the auditors, and to its Teams/Slack channels
 * (lib/notify/recipients.ts); an overdue review goes to the escalation groups and the auditors. The
 * person who used break-glass is never told of their own, so one lone listener who may request the
 * role is nobody in the worst case.
 */
function breakGlassWarnings(
  role: CoverageRole,
  at: RoleAt,
  directory: Directory,
  auditorGroupIds: readonly string[] | undefined,
): CoverageWarning[] {
  if (auditorGroupIds === undefined) return []; // without the auditors, nobody can be said to be missing
  const requesters = directory.people(role.policy.eligibleGroupIds);
  const isUnheard = (groupIds: readonly string[]) => {
    const people = directory.people(groupIds);
    if (!people) return false;
    const lone = [...people][0];
    return people.size === 0 || (people.size === 1 && (!requesters || requesters.has(lone!)));
  };
  const warnings: CoverageWarning[] = [];
  const hasChannel = role.notify.channels.some((channel) => channel.kind !== "email");
  const alerted = [...role.policy.approverGroupIds, ...auditorGroupIds];
  if (!hasChannel && isUnheard(alerted)) {
    warnings.push({
      code: "break-glass-notifies-nobody",
      cluster: at.cluster,
      role: at.role,
      groupIds: alerted.map((id) => id.toLowerCase()),
      problem: `break-glass is allowed, but its alert reaches nobody besides the person using it: ${describeListeners(role.policy.approverGroupIds, "approver group", directory)}, ${describeListeners(auditorGroupIds, AUDITORS, directory)}, and no Teams or Slack channel.`,
      fix: `Add people to the approver or auditor groups, add a teams:<name> or slack:<name> channel to notify.channels of ${roleName(at)} in ${at.file}, or set breakGlass.allowed: false.`,
    });
  }
  const reviewers = [...(role.notify.escalation?.approverGroupIds ?? []), ...auditorGroupIds];
  if (isUnheard(reviewers)) {
    warnings.push({
      code: "review-escalates-to-nobody",
      cluster: at.cluster,
      role: at.role,
      groupIds: reviewers.map((id) => id.toLowerCase()),
      problem: `an overdue break-glass review is escalated to nobody: ${describeListeners(role.notify.escalation?.approverGroupIds ?? [], "escalation group", directory)}, and ${describeListeners(auditorGroupIds, AUDITORS, directory)}.`,
      fix: `Add notify.escalation with approverGroups (people who chase reviews) to ${roleName(at)} in ${at.file}, or set AUDITOR_GROUP_IDS to a group with members.`,
    });
  }
  return warnings;
}

const AUDITORS = "auditor group (AUDITOR_GROUP_IDS)";

/** "no escalation group", "approver group "approver" (…) has one member, who may request the role" */
function describeListeners(groupIds: readonly string[], noun: string, directory: Directory): string {
  if (groupIds.length === 0) return `no ${noun}`;
  const isOne = groupIds.length === 1;
  const named = `${isOne ? noun : noun.replace("group", "groups")} ${directory.labels(groupIds)}`;
  const people = directory.people(groupIds)?.size ?? 0;
  const members = people === 0 ? "no members" : "one member, who may request the role";
  return `${named} ${isOne ? "has" : "have"} ${members}`;
}
