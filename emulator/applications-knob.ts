/* Test knob: PATCH /_emulator/applications/:appId changes an app registration while the emulator
 * runs, as an administrator would in the Entra admin center. Tests restore what they change. */
import { z } from "zod";
import type { EmulatorContext } from "./context";
import { recordGrants } from "./applications";
import { GRAPH_APP_ROLE_IDS } from "./graph-permissions";
import { type Router, sendJson } from "./http";
import { ZFederatedIdentityCredential } from "./tenant";

/** Each field optional; only the fields sent change. */
const ZApplicationPatch = z.object({
  // Helper B (Workload ID): the app's federated identity credentials, replaced as a whole.
  federatedIdentityCredentials: z.array(ZFederatedIdentityCredential).max(20).optional(),
  // Microsoft Graph application permissions granted with admin consent, replaced as a whole; only
  // Graph's app roles can be granted (an unknown value is refused, as Entra refuses it).
  applicationPermissions: z
    .array(
      z.string().refine((p) => p in GRAPH_APP_ROLE_IDS, {
        message: "not a Microsoft Graph application permission the emulator knows",
      }),
    )
    .optional(),
  // The registration's optional claims ("Token configuration"), each list replaced when sent.
  optionalClaims: z
    .object({ idToken: z.array(z.string()).optional(), accessToken: z.array(z.string()).optional() })
    .optional(),
});

export function registerApplicationsKnob(router: Router, ctx: EmulatorContext) {
  router.on("PATCH", "/_emulator/applications/:appId", (req, res) => {
    const app = ctx.tenant.application((req.params.appId ?? "").toLowerCase());
    if (!app) return sendJson(res, 404, { error: { code: "NotFound", message: `no application ${req.params.appId}` } });
    const parsed = ZApplicationPatch.safeParse(req.body);
    if (!parsed.success) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: z.prettifyError(parsed.error) } });
    }
    const patch = parsed.data;
    if (patch.federatedIdentityCredentials) app.federatedIdentityCredentials = patch.federatedIdentityCredentials;
    if (patch.applicationPermissions) {
      app.applicationPermissions = [...new Set(patch.applicationPermissions)];
      recordGrants(app, app.applicationPermissions, ctx.now());
    }
    if (patch.optionalClaims?.idToken) app.optionalClaims.idToken = patch.optionalClaims.idToken;
    if (patch.optionalClaims?.accessToken) app.optionalClaims.accessToken = patch.optionalClaims.accessToken;
    sendJson(res, 200, {
      appId: app.appId,
      federatedIdentityCredentials: app.federatedIdentityCredentials,
      applicationPermissions: app.applicationPermissions,
      optionalClaims: app.optionalClaims,
    });
  });
}
