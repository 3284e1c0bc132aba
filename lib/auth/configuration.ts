import "server-only";
import { env } from "@/lib/config/env";
import { authorize } from "./authorize";
import { AUTHORITY } from "./msal";
import { REDIRECT_URI } from "./sign-in";
import type { SessionUser } from "@/lib/context";

/** What the admin page shows about sign-in: enough to check an app registration, no secrets. */
export function describeSignInConfiguration(viewer: SessionUser) {
  authorize(viewer, "catalog.admin");
  return {
    authority: AUTHORITY,
    clientId: env.ENTRA_CLIENT_ID,
    redirectUri: REDIRECT_URI,
    graphBaseUrl: env.GRAPH_BASE_URL,
    roleGroups: [
      { role: "approver", groupIds: env.APPROVER_GROUP_IDS },
      { role: "auditor", groupIds: env.AUDITOR_GROUP_IDS },
      { role: "admin", groupIds: env.ADMIN_GROUP_IDS },
    ],
    session: { idleMinutes: env.SESSION_IDLE_MINUTES, absoluteHours: env.SESSION_ABSOLUTE_HOURS },
  };
}
