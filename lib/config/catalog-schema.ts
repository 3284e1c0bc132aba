/**
 * The access catalog (jit.catalog.yaml): which clusters exist, which roles one can request on them,
 * what each role grants and under which policy. Pure: text in, typed catalog or CatalogError out, so
 * the app (lib/config/catalog.ts), `npm run catalog:check` and the tests share one set of rules.
 * Every problem names file, line, column and field, because the person fixing it is reading YAML.
 */
import { z } from "zod";
import type { RolePolicy, TextRule } from "@/lib/domain/policy-types";
import { describeGrants, ticketTemplateProblem } from "../domain/approver-context";
import { describeDuration, parseIsoDuration } from "../domain/duration";
import { duplicateIssues, webhookIssues } from "./catalog-checks";
import { formatProblem, readYaml, yamlWords, zodIssues, type YamlIssue, type YamlProblem } from "./yaml-problems";

/** A problem in the catalog file, with its line, column and field. */
export type CatalogProblem = YamlProblem;

export class CatalogError extends Error {
  readonly problems: CatalogProblem[];

  constructor(problems: CatalogProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "CatalogError";
    this.problems = problems;
  }
}

export function findRole(
  catalog: Catalog,
  clusterName: string,
  roleName: string,
): { cluster: CatalogCluster; role: CatalogRole } | undefined {
  const cluster = catalog.clusters.find((candidate) => candidate.name === clusterName);
  const role = cluster?.roles.find((candidate) => candidate.name === roleName);
  return cluster && role ? { cluster, role } : undefined;
}

/** The webhook names the catalog's notify channels use that `names` (NOTIFY_WEBHOOKS) lacks, each once. */
export function unknownWebhooks(catalog: Catalog, names: readonly string[]): string[] {
  const used = catalog.clusters.flatMap((cluster) =>
    cluster.roles.flatMap((role) => role.notify.channels.flatMap((c) => (c.kind === "email" ? [] : [c.webhook]))),
  );
  return [...new Set(used)].filter((name) => !names.includes(name));
}

// ---------------------------------------------------------------------------------------------
// The schema. Objects are strict: a misspelt optional field (`tiket:`) would otherwise be dropped
// silently and its default, usually the laxer one, would apply.

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESOURCE_GROUP = String.raw`[-\p{L}\p{N}_.()]{0,89}[-\p{L}\p{N}_()]`;
const RESOURCE_ID = new RegExp(
  String.raw`^/subscriptions/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})` +
    String.raw`/resourceGroups/(${RESOURCE_GROUP})/providers/Microsoft\.ContainerService/managedClusters/([a-z0-9](?:[-\w]{0,61}[a-z0-9])?)$`,
  "iu",
);
const DURATION_MESSAGE = "must be an ISO 8601 duration such as PT8H (days, hours and minutes: P1D, PT1H30M; not zero)";
const APPROVALS_MESSAGE = "must be a whole number from 0 (self-activation, no approver) to 5";

const slug = (what: string) =>
  z.string().regex(SLUG, { error: `must be a ${what}: lowercase letters, digits and hyphens, at most 63` });

const label = z.string().trim().min(1, { error: "must not be empty" });

const groupId = z.guid({ error: "must be an Entra group object id (a GUID)" }).transform((id) => id.toLowerCase());

const groupIds = z.array(groupId, { error: "must be a list of Entra group object ids" });

const duration = z.string({ error: DURATION_MESSAGE }).transform((text, ctx) => {
  const minutes = parseIsoDuration(text);
  if (minutes !== undefined) return minutes;
  ctx.addIssue({ code: "custom", message: DURATION_MESSAGE });
  return z.NEVER;
});

const resourceId = z.string().transform((text, ctx) => {
  const match = RESOURCE_ID.exec(text);
  if (!match) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be the cluster's ARM resource id: /subscriptions/<subscription id>/resourceGroups/<resource group>/providers/Microsoft.ContainerService/managedClusters/<cluster name>",
    });
    return z.NEVER;
  }
  const [, subscriptionId = "", resourceGroup = "", clusterName = ""] = match;
  return { resourceId: text, subscriptionId: subscriptionId.toLowerCase(), resourceGroup, clusterName };
});

const grant = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.enum(["entraPimGroup", "entraGroup"]), groupId }),
    z.strictObject({
      kind: z.enum(["armPim", "armRoleAssignment"]),
      roleDefinitionId: z
        .guid({ error: "must be a role definition id (the GUID of a built-in or custom Azure role)" })
        .transform((id) => id.toLowerCase()),
      scope: z.enum(["cluster", "nodeResourceGroup"], { error: "must be cluster or nodeResourceGroup" }),
    }),
  ],
  { error: "must be one of entraPimGroup, entraGroup, armPim, armRoleAssignment" },
);

function textRule(isRequiredByDefault: boolean) {
  return z
    .strictObject({
      required: z.boolean().default(isRequiredByDefault),
      pattern: z
        .string()
        .min(1)
        .superRefine((pattern, ctx) => {
          try {
            new RegExp(pattern);
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            ctx.addIssue({ code: "custom", message: `is not a valid regular expression (${reason})` });
          }
        })
        .optional(),
      message: label.optional(),
    })
    .prefault({})
    .transform((rule): TextRule => ({
      isRequired: rule.required,
      ...(rule.pattern !== undefined && { pattern: rule.pattern }),
      ...(rule.message !== undefined && { message: rule.message }),
    }));
}

const policy = z
  .strictObject({
    eligibleGroups: groupIds.min(1, { error: "must name at least one group whose members may request the role" }),
    approverGroups: groupIds.default([]),
    approvalsRequired: z
      .number({ error: APPROVALS_MESSAGE })
      .int({ error: APPROVALS_MESSAGE })
      .min(0, { error: APPROVALS_MESSAGE })
      .max(5, { error: APPROVALS_MESSAGE }),
    maxDuration: duration,
    defaultDuration: duration,
    justification: textRule(true),
    ticket: textRule(false),
    pendingTimeout: duration.default(24 * 60),
    scheduledStart: z
      .strictObject({ allowed: z.boolean(), maxAhead: duration.optional() })
      .prefault({ allowed: false })
      .superRefine((start, ctx) => {
        if (start.allowed && start.maxAhead === undefined) {
          ctx.addIssue({ code: "custom", path: ["maxAhead"], message: "is required when allowed is true, e.g. P7D" });
        }
      }),
    breakGlass: z
      .strictObject({
        allowed: z.boolean(),
        /** the access is reviewed afterwards within this long of filing, or the review is escalated */
        reviewWithin: duration.default(24 * 60),
      })
      .prefault({ allowed: false }),
    extension: z
      .strictObject({
        allowed: z.boolean(),
        maxTotal: duration.optional(),
        requiresApproval: z.boolean().default(false),
      })
      .prefault({ allowed: false })
      .superRefine((extension, ctx) => {
        if (extension.allowed && extension.maxTotal === undefined) {
          ctx.addIssue({ code: "custom", path: ["maxTotal"], message: "is required when allowed is true, e.g. PT12H" });
        }
      }),
    endSessions: z.boolean().default(false),
    /** fresh authentication before approving, and before break-glass (issue 6) */
    stepUp: z
      .strictObject({
        /** the sign-in may be at most this old (`auth_time`), e.g. PT10M */
        maxAge: duration,
        /** a Conditional Access authentication context the token must carry in `acrs`, e.g. c1 */
        authenticationContext: z
          .string()
          .regex(/^c([1-9]|[1-9][0-9])$/, { error: "must be an authentication context id, c1 to c99" })
          .optional(),
      })
      .optional(),
  })
  .superRefine((policy, ctx) => {
    if (policy.defaultDuration > policy.maxDuration) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultDuration"],
        message: `must not be longer than maxDuration (${describeDuration(policy.maxDuration)})`,
      });
    }
    if (policy.extension.allowed && (policy.extension.maxTotal ?? 0) < policy.maxDuration) {
      ctx.addIssue({
        code: "custom",
        path: ["extension", "maxTotal"],
        message: `must be at least maxDuration (${describeDuration(policy.maxDuration)}): it counts the first period too`,
      });
    }
    if (policy.approvalsRequired >= 1 && policy.approverGroups.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["approverGroups"],
        message: `must name at least one group when approvalsRequired is ${policy.approvalsRequired} (use 0 for self-activation)`,
      });
    }
  })
  .transform((policy): RolePolicy => ({
    eligibleGroupIds: policy.eligibleGroups,
    approverGroupIds: policy.approverGroups,
    approvalsRequired: policy.approvalsRequired,
    maxDurationMinutes: policy.maxDuration,
    defaultDurationMinutes: policy.defaultDuration,
    justification: policy.justification,
    ticket: policy.ticket,
    pendingTimeoutMinutes: policy.pendingTimeout,
    isScheduledStartAllowed: policy.scheduledStart.allowed,
    maxStartAheadMinutes: policy.scheduledStart.allowed ? (policy.scheduledStart.maxAhead ?? 0) : 0,
    isBreakGlassAllowed: policy.breakGlass.allowed,
    ...(policy.breakGlass.allowed && { breakGlassReviewWithinMinutes: policy.breakGlass.reviewWithin }),
    extension: {
      isAllowed: policy.extension.allowed,
      maxTotalMinutes: policy.extension.allowed ? (policy.extension.maxTotal ?? 0) : 0,
      isApprovalRequired: policy.extension.requiresApproval,
    },
    isSessionRevokedOnEnd: policy.endSessions,
    ...(policy.stepUp && {
      stepUp: {
        maxAgeMinutes: policy.stepUp.maxAge,
        ...(policy.stepUp.authenticationContext && { authenticationContext: policy.stepUp.authenticationContext }),
      },
    }),
  }));

const CHANNEL_MESSAGE = "must be email, teams:<webhook name> or slack:<webhook name> (names from NOTIFY_WEBHOOKS)";

/** Where a role's notifications go besides the in-app list: email, or a named Teams or Slack webhook. */
const channel = z.string({ error: CHANNEL_MESSAGE }).transform((text, ctx) => {
  if (text === "email") return { kind: "email" as const };
  const match = /^(teams|slack):([a-z0-9][a-z0-9-]{0,62})$/.exec(text);
  if (match) return { kind: match[1] as "teams" | "slack", webhook: match[2]! };
  ctx.addIssue({ code: "custom", message: CHANNEL_MESSAGE });
  return z.NEVER;
});

/**
 * Who hears about a role's requests, and how (`notify:` on a role, or on its cluster for all its
 * roles; a role's own replaces its cluster's). Without one: email only, no reminder, no escalation.
 */
const notify = z
  .strictObject({
    channels: z.array(channel).min(1, { error: "must list at least one channel, e.g. email" }).prefault(["email"]),
    remindAfter: duration.optional(),
    escalation: z
      .strictObject({
        after: duration,
        approverGroups: groupIds.min(1, { error: "must name at least one group to escalate to" }),
      })
      .optional(),
  })
  .superRefine((route, ctx) => {
    if (route.escalation && route.remindAfter !== undefined && route.escalation.after <= route.remindAfter) {
      ctx.addIssue({
        code: "custom",
        path: ["escalation", "after"],
        message: `must be later than remindAfter (${describeDuration(route.remindAfter)}): escalation follows the reminder`,
      });
    }
  })
  .transform((route) => ({
    channels: route.channels,
    // remind the approvers of a request still pending after this long
    ...(route.remindAfter !== undefined && { remindAfterMinutes: route.remindAfter }),
    // then tell these groups' members too, after this long
    ...(route.escalation && {
      escalation: { afterMinutes: route.escalation.after, approverGroupIds: route.escalation.approverGroups },
    }),
  }));

export type NotifyChannel = z.output<typeof channel>;
export type NotifyRoute = z.output<typeof notify>;

export const DEFAULT_NOTIFY_ROUTE: NotifyRoute = { channels: [{ kind: "email" }] };

const role = z
  .strictObject({
    name: slug("role name"),
    /** what the role lets its holder do, for approvers; without one, words from its Azure roles */
    description: label.optional(),
    grants: z.array(grant).min(1, { error: "must list at least one grant" }),
    policy,
    notify: notify.optional(),
  })
  .transform(({ description, ...role }) => ({ ...role, description: description ?? describeGrants(role.grants) }));

const RISK_MESSAGE = "must be low, medium, high or critical";

const WORKSPACE_ID =
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/iu;

/**
 * The Log Analytics workspace that receives the cluster's `kube-audit-admin` (or `kube-audit`) logs in
 * resource-specific mode, and which table to read. Without `workspaceResourceId`, the workspace is
 * found from the cluster's diagnostic settings. AKSAuditAdmin (no get/list) is the cheaper default;
 * AKSAudit also shows reads, secret reads among them.
 */
const auditLogs = z.strictObject({
  workspaceResourceId: z
    .string()
    .regex(WORKSPACE_ID, {
      error:
        "must be a Log Analytics workspace's ARM resource id: /subscriptions/<subscription id>/resourceGroups/<resource group>/providers/Microsoft.OperationalInsights/workspaces/<name>",
    })
    .optional(),
  table: z.enum(["AKSAuditAdmin", "AKSAudit"], { error: "must be AKSAuditAdmin or AKSAudit" }).default("AKSAuditAdmin"),
});

const cluster = z
  .strictObject({
    name: slug("cluster name"),
    /** the name to show people; the catalog name when the file gives none */
    displayName: label.optional(),
    environment: label,
    /** how much harm misuse of access here could do, shown to approvers beside the environment */
    risk: z.enum(["low", "medium", "high", "critical"], { error: RISK_MESSAGE }).optional(),
    resourceId,
    nodeResourceGroup: z.string().regex(new RegExp(`^${RESOURCE_GROUP}$`, "u"), {
      error: "must be a resource group name, e.g. MC_rg_cluster_region",
    }),
    /** the default for the cluster's roles that have no `notify` of their own */
    notify: notify.optional(),
    /** where the cluster's Kubernetes audit logs are read from (issue 19); discovered when absent */
    auditLogs: auditLogs.optional(),
    roles: z.array(role).min(1, { error: "must list at least one role" }),
  })
  .transform(({ resourceId, displayName, notify: clusterNotify, roles, ...rest }) => ({
    ...rest,
    displayName: displayName ?? rest.name,
    ...resourceId,
    roles: roles.map(({ notify: roleNotify, ...role }) => ({
      ...role,
      notify: roleNotify ?? clusterNotify ?? DEFAULT_NOTIFY_ROUTE,
    })),
  }));

const ticketSettings = z.strictObject({
  /** where a ticket is read, e.g. https://tickets.contoso.com/browse/{ticket}: approvers get a link */
  urlTemplate: z.string().superRefine((template, ctx) => {
    const problem = ticketTemplateProblem(template);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
});

const catalog = z.strictObject({
  ticket: ticketSettings.optional(),
  clusters: z.array(cluster).min(1, { error: "must list at least one cluster" }),
});

export type Grant = z.output<typeof grant>;
export type CatalogCluster = z.output<typeof cluster>;
export type CatalogRole = CatalogCluster["roles"][number];

export interface Catalog extends z.output<typeof catalog> {
  file: string;
}

export interface ParseOptions {
  /** the webhook names configured (NOTIFY_WEBHOOKS): a channel naming another is a problem */
  webhookNames?: readonly string[];
}

export function parseCatalog(text: string, file: string, options: ParseOptions = {}): Catalog {
  const source = readYaml(text, file);
  if ("problems" in source) throw new CatalogError(source.problems);
  const result = catalog.safeParse(source.value, { error: yamlWords });
  const issues: YamlIssue[] = [
    ...duplicateIssues(source.value),
    ...(options.webhookNames ? webhookIssues(source.value, options.webhookNames) : []),
    ...zodIssues(result.error),
  ];
  if (issues.length > 0 || !result.data) throw new CatalogError(source.locate(issues));
  return { file, ...result.data };
}
