import type { ServerResponse } from "node:http";
import type { EmulatorContext } from "../context";
import { type EmulatorRequest, sendEntraError } from "../http";

/** Whether the path's `{tenant}` names the demo tenant; answers Entra's error when it does not. */
export function tenantGuard(ctx: EmulatorContext, req: EmulatorRequest, res: ServerResponse) {
  const segment = req.params.tenant ?? "";
  if (ctx.tenant.matchesAuthorityTenant(segment)) return true;
  sendEntraError(
    res,
    400,
    "invalid_tenant",
    90002,
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
  return false;
}
