/* G12–G15: role management policies and their assignments, read and updated rule by rule. */
import type { ServerResponse } from "node:http";
import { durationMs } from "../../lib/domain/duration";
import type { EmulatorContext } from "../context";
import { authenticated, sendPage, sendResourceNotFound } from "../graph";
import { type EmulatorRequest, type Router, sendGraphError, sendJson } from "../http";
import { isPimManaged } from "./eligibility";
import { expands, parseFilter } from "./filter";
import { ACCESS_IDS } from "./model";
import { type GroupPolicies, policyResource } from "./policies";

export function registerPolicies(router: Router, ctx: EmulatorContext, policies: GroupPolicies) {
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
    return ACCESS_IDS.filter((a) => !role || a === role.toLowerCase()).map((a) => policies.for(group.id, a));
  };

  router.on(
    "GET",
    "/v1.0/policies/roleManagementPolicyAssignments",
    authenticated(ctx, (req, res) => {
      const selected = scoped(req, res, ["scopeId", "scopeType", "roleDefinitionId"]);
      if (!selected) return;
      const expand = req.url.searchParams.get("$expand");
      const withPolicy = expands(expand, "policy");
      const withRules = /policy\(\s*\$expand=(rules|\*)/i.test(expand ?? "");
      sendPage(
        ctx,
        req,
        res,
        "policies/roleManagementPolicyAssignments",
        selected.map((p) => ({
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
      const selected = scoped(req, res, ["scopeId", "scopeType"]);
      if (!selected) return;
      const withRules = expands(req.url.searchParams.get("$expand"), "rules");
      sendPage(
        ctx,
        req,
        res,
        "policies/roleManagementPolicies",
        selected.map((p) => policyResource(p, withRules)),
      );
    }),
  );
  router.on(
    "GET",
    "/v1.0/policies/roleManagementPolicies/:id",
    authenticated(ctx, (req, res) => {
      const policy = policies.byId(req.params.id ?? "");
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
      const policy = policies.byId(req.params.id ?? "");
      const target = policy?.rules.find((r) => r.id === req.params.ruleId);
      if (!policy || !target) return sendResourceNotFound(res, req.params.ruleId ?? req.params.id ?? "");
      // "The @odata.type property with a value of the specific rule type must be included in the body" (A.6).
      const type = String(req.body["@odata.type"] ?? "").replace(/^#?/, "#");
      if (type.toLowerCase() !== target["@odata.type"].toLowerCase()) {
        return sendGraphError(res, 400, "BadRequest", `The body must carry "@odata.type": "${target["@odata.type"]}".`);
      }
      const { maximumDuration, enabledRules } = req.body;
      if (maximumDuration !== undefined && (typeof maximumDuration !== "string" || !durationMs(maximumDuration))) {
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
