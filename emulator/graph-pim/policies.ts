/* Role management policies for PIM for Groups (contract A.6): one per group and relationship, with
 * the rule ids and defaults of the docs, and the rule engine every schedule request is checked against. */
import { durationMs } from "../../lib/domain/duration";
import type { EmulatorContext } from "../context";
import { ACCESS_IDS, type AccessId, type Action, iso, stableGuid } from "./model";

export type Rule = Record<string, unknown> & { id: string; "@odata.type": string };

export interface Policy {
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

const ruleType = (name: string) => `#microsoft.graph.unifiedRoleManagementPolicy${name}Rule`;

const LEVELS = [
  ["EndUser_Assignment", "EndUser", "Assignment"],
  ["Admin_Assignment", "Admin", "Assignment"],
  ["Admin_Eligibility", "Admin", "Eligibility"],
] as const;

function expirationRules(): Rule[] {
  const maximums = { EndUser_Assignment: "PT8H", Admin_Assignment: "P180D", Admin_Eligibility: "P365D" };
  return LEVELS.map(([suffix, caller, level]) => ({
    "@odata.type": ruleType("Expiration"),
    id: `Expiration_${suffix}`,
    isExpirationRequired: true,
    maximumDuration: maximums[suffix],
    target: ruleTarget(caller, level),
  }));
}

function defaultRules(): Rule[] {
  return [
    ...expirationRules(),
    // The docs' group example requires a justification on activation; the demo starts with none
    // required, and tests switch rules on with PATCH (G14).
    ...LEVELS.map(([suffix, caller, level]) => ({
      "@odata.type": ruleType("Enablement"),
      id: `Enablement_${suffix}`,
      enabledRules: [],
      target: ruleTarget(caller, level),
    })),
    {
      "@odata.type": ruleType("Approval"),
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
      "@odata.type": ruleType("AuthenticationContext"),
      id: "AuthenticationContext_EndUser_Assignment",
      isEnabled: false,
      claimValue: null,
      target: ruleTarget("EndUser", "Assignment"),
    },
    ...(["Approver", "Requestor", "Admin"] as const).flatMap((party) =>
      LEVELS.map(([suffix, caller, level]) => ({
        "@odata.type": ruleType("Notification"),
        id: `Notification_${party}_${suffix}`,
        notificationType: "Email",
        recipientType: party,
        notificationLevel: "All",
        isDefaultRecipientsEnabled: true,
        notificationRecipients: [],
        target: ruleTarget(caller, level),
      })),
    ),
  ];
}

function rule(policy: Policy, id: string): Rule | undefined {
  return policy.rules.find((r) => r.id === id);
}

function expirationOf(policy: Policy, id: string) {
  const r = rule(policy, id);
  return {
    isRequired: r?.isExpirationRequired === true,
    maximumMs: typeof r?.maximumDuration === "string" ? durationMs(r.maximumDuration) : undefined,
  };
}

function enabledRulesOf(policy: Policy, id: string): string[] {
  const enabled = rule(policy, id)?.enabledRules;
  return Array.isArray(enabled) ? enabled.filter((e): e is string => typeof e === "string") : [];
}

/** What the rules look at in a schedule request. */
export interface RuleSubject {
  action: Action;
  justification: string | null;
  ticketInfo: { ticketNumber: string | null };
}

/**
 * The policy rules a request fails, in the order PIM lists them (contract A.8). Each caller has its
 * own rules: an admin's assignment (adminAssign, adminExtend) follows Expiration_Admin_Assignment
 * (default P180D) and Enablement_Admin_Assignment; a member's activation follows the EndUser rules
 * (default PT8H). Rule ids and targets: microsoftgraph/microsoft-graph-docs-contrib
 * concepts/identity-governance-pim-rules-overview.md and concepts/how-to-pim-update-rules.md
 * ("Expiration_Admin_Assignment"); api-reference/v1.0/resources/privilegedidentitymanagement-for-groups-api-overview.md.
 */
export function failedRules(policy: Policy, input: RuleSubject, window: { start: Date; end: Date | null }) {
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

export function policyResource(policy: Policy, withRules: boolean) {
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

/** Every group's policies, made with the default rules when first asked for. */
export class GroupPolicies {
  private readonly policies = new Map<string, Policy>();

  constructor(private readonly ctx: EmulatorContext) {}

  for(groupId: string, accessId: AccessId): Policy {
    const key = `${groupId}_${accessId}`;
    let policy = this.policies.get(key);
    if (!policy) {
      const guid = stableGuid(`policy:${key}`);
      policy = { id: `Group_${groupId}_${guid}`, groupId, accessId, rules: defaultRules(), lastModifiedDateTime: null };
      this.policies.set(key, policy);
    }
    return policy;
  }

  byId(id: string): Policy | undefined {
    const m = /^Group_([0-9a-f-]{36})_[0-9a-f-]{36}$/i.exec(id);
    if (!m || !this.ctx.tenant.group(m[1]!)) return undefined;
    return ACCESS_IDS.map((a) => this.for(m[1]!.toLowerCase(), a)).find((p) => p.id.toLowerCase() === id.toLowerCase());
  }
}
