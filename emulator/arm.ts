/* The Azure Resource Manager endpoints AKS JIT calls (azure-contracts.md B, C), for the demo
 * subscription: RBAC role assignments and definitions, PIM schedule requests, schedules and
 * instances, and the AKS clusters. Every call needs an emulator-issued token for ARM, as ARM does. */
import type { EmulatorContext } from "./context";
import type { Router } from "./http";
import { registerAks } from "./arm-aks";
import { registerPim } from "./arm-pim";
import { registerRbac } from "./arm-rbac";
import { ArmStore } from "./arm-store";

export function registerArm(router: Router, ctx: EmulatorContext) {
  const store = new ArmStore(ctx);
  registerRbac(router, ctx, store);
  registerPim(router, ctx, store);
  registerAks(router, ctx);
  ctx.inspectors.push(() => ({ roleAssignments: store.snapshot() }));
  return store;
}
