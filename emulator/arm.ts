/* The Azure Resource Manager endpoints AKS JIT calls (azure-contracts.md B, C), for the demo
 * subscription: RBAC role assignments and definitions, PIM schedule requests, schedules and
 * instances, the caller's permissions, and the AKS clusters. Every call needs an emulator-issued token
 * for ARM and, as in Azure, a role assignment that allows it (arm-authz.ts). */
import type { EmulatorContext } from "./context";
import { type Router, sendJson } from "./http";
import { registerAks } from "./arm-aks";
import { ArmRbac } from "./arm-authz";
import { ArmError, setArmAuthorizer } from "./arm-common";
import { registerPermissions } from "./arm-permissions";
import { registerPim } from "./arm-pim";
import { registerRbac } from "./arm-rbac";
import { ArmStore } from "./arm-store";
import { readSeedOverlay } from "./seed-overlays";
import { registerArmMonitor } from "./arm-monitor";
import type { LogStore } from "./log-analytics/store";

export function registerArm(router: Router, ctx: EmulatorContext, seeds: readonly string[] = [], logs?: LogStore) {
  const store = new ArmStore(ctx);
  const rbac = new ArmRbac(ctx, store);
  rbac.seed();
  rbac.seedScale();
  const applied = new Set<string>();
  for (const name of seeds) {
    applySeedOverlay(ctx, rbac, name);
    applied.add(name);
  }
  registerSeedOverlayKnob(router, ctx, rbac, applied);
  setArmAuthorizer(ctx, (callerId, action, scope) => rbac.isAllowed(callerId, action, scope));
  registerRbac(router, ctx, store);
  registerPim(router, ctx, store);
  registerPermissions(router, ctx, rbac);
  registerAks(router, ctx);
  if (logs) registerArmMonitor(router, ctx, logs);
  registerRoleAssignmentKnobs(router, rbac);
  ctx.inspectors.push(() => ({
    // What callers assigned through ARM; the tenant seed's and the knob's are listed apart.
    roleAssignments: store.snapshot().filter((a) => !rbac.seeded.has(a.id.split("/").pop()!.toLowerCase())),
    seededRoleAssignments: rbac.seededSnapshot(),
  }));
  return store;
}

/**
 * Test knobs: a permanent Azure role assignment made (or removed) outside the app, e.g. to take the
 * app's own role away and see ARM refuse it. `principalId` may be an object id or an application's appId.
 */
function registerRoleAssignmentKnobs(router: Router, rbac: ArmRbac) {
  router.on("POST", "/_emulator/azure/roleAssignments", (req, res) => {
    const { principalId, roleDefinitionId, scope } = req.body as Record<string, unknown>;
    if (typeof principalId !== "string" || typeof roleDefinitionId !== "string" || typeof scope !== "string") {
      return sendJson(res, 400, {
        error: { code: "BadRequest", message: "principalId, roleDefinitionId and scope are required strings" },
      });
    }
    try {
      const { name } = rbac.assign(principalId, roleDefinitionId, scope);
      // Tenant set-up, like the seed's: GET /_emulator/state lists it with them, not with what ARM callers made.
      rbac.seeded.add(name);
      sendJson(res, 201, { name });
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      sendJson(res, error.status, { error: { code: error.code, message: error.message } });
    }
  });
  router.on("DELETE", "/_emulator/azure/roleAssignments/:name", (req, res) => {
    if (!rbac.remove(req.params.name ?? "")) {
      return sendJson(res, 404, { error: { code: "NotFound", message: "no role assignment has this name" } });
    }
    res.writeHead(204).end();
  });
}

/** Lays a seed overlay (emulator/seeds/{name}.json) over the running tenant: its directory objects, then its assignments. */
function applySeedOverlay(ctx: EmulatorContext, rbac: ArmRbac, name: string) {
  const overlay = readSeedOverlay(name);
  ctx.tenant.extend(overlay);
  rbac.seed(overlay.azure.roleAssignments, `seed overlay ${name}`);
}

/** Test knob: POST /_emulator/seeds/{name} applies a seed overlay once (409 the second time). */
function registerSeedOverlayKnob(router: Router, ctx: EmulatorContext, rbac: ArmRbac, applied: Set<string>) {
  router.on("POST", "/_emulator/seeds/:name", (req, res) => {
    const name = req.params.name ?? "";
    if (applied.has(name)) {
      return sendJson(res, 409, { error: { code: "Conflict", message: `seed overlay ${name} is applied already` } });
    }
    try {
      applySeedOverlay(ctx, rbac, name);
    } catch (error) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: (error as Error).message } });
    }
    applied.add(name);
    sendJson(res, 201, { name });
  });
}
