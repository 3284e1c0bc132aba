/* Permissions - List For Resource Group / List For Resource (Microsoft.Authorization, api-version
 * 2022-04-01; Azure/azure-rest-api-specs specification/authorization/resource-manager/
 * Microsoft.Authorization/stable/2022-04-01/authorization-ProviderOperationsCalls.json): the caller's
 * effective permissions at a scope, one entry per role assignment that applies there, computed by the
 * same code that enforces them (arm-authz.ts). `npm run doctor` reads it for the app's own identity. */
import type { EmulatorContext } from "./context";
import type { Router } from "./http";
import { armHandler, page, scopeOf, sendArm } from "./arm-common";
import type { ArmRbac } from "./arm-authz";

const TAIL = "/providers/Microsoft.Authorization/permissions";
const RESOURCE_GROUP = "/subscriptions/:subscription/resourceGroups/:resourceGroup";

export function registerPermissions(router: Router, ctx: EmulatorContext, rbac: ArmRbac) {
  const handler = armHandler(ctx, (req, res) => {
    const items = rbac.permissionsAt(req.callerId, scopeOf(req.url)).map((p) => ({
      actions: p.actions,
      notActions: p.notActions,
      dataActions: p.dataActions ?? [],
      notDataActions: p.notDataActions ?? [],
      condition: null,
      conditionVersion: null,
    }));
    sendArm(res, 200, page(ctx, req.url, items));
  });
  // The SDK's paths: a resource group, or a resource in it (`{parentResourcePath}` may be empty).
  for (const scope of [
    RESOURCE_GROUP,
    `${RESOURCE_GROUP}/providers/:namespace/:type/:resource`,
    `${RESOURCE_GROUP}/providers/:namespace/:parentType/:parent/:type/:resource`,
  ]) {
    router.on("GET", `${scope}${TAIL}`, handler);
  }
}
