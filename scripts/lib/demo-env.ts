/* The app's environment for the local emulator's demo tenant: the only place that knows the
 * demo's URLs, app registration and group ids. Production sets the same variables for a real tenant. */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Tenant } from "../../emulator/tenant";
import { DEMO_VERIFY_KEY_FILE, ensureDemoAuditKey } from "./audit-keys";
import { DATA_DIR, ROOT } from "./paths";

export const DEMO_TENANT_FILE = path.join(ROOT, "emulator", "tenant.json");

/** Kept under .data so that demo sessions survive a restart of the launcher. */
export function demoSessionSecret() {
  const file = path.join(DATA_DIR, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function demoAppEnv(options: {
  appUrl: string;
  emulatorUrl: string;
  databaseUrl: string;
  sessionSecret: string;
  caPath: string;
  tenant?: Tenant;
}): Record<string, string> {
  const tenant = options.tenant ?? Tenant.fromFile(DEMO_TENANT_FILE);
  const app = tenant.applications[0]!;
  const groupId = (name: string) => tenant.groups.find((g) => g.displayName === name)?.id ?? "";
  // The public half of the demo's checkpoint key, so that the Audit page verifies the chain after a
  // demo `npm run audit:retain` as the command does.
  ensureDemoAuditKey();
  return {
    APP_URL: options.appUrl,
    DATABASE_URL: options.databaseUrl,
    SESSION_SECRET: options.sessionSecret,
    ENTRA_AUTHORITY_HOST: options.emulatorUrl,
    ENTRA_TENANT_ID: tenant.id,
    ENTRA_CLIENT_ID: app.appId,
    // The demo signs in with the app's secret; Workload ID replaces it on AKS (test/replicas/workload-identity.test.ts).
    ...(app.clientSecret ? { ENTRA_CLIENT_SECRET: app.clientSecret } : {}),
    GRAPH_BASE_URL: options.emulatorUrl,
    ARM_BASE_URL: options.emulatorUrl,
    LOG_ANALYTICS_BASE_URL: options.emulatorUrl,
    APPROVER_GROUP_IDS: groupId("approver"),
    AUDITOR_GROUP_IDS: groupId("auditors"),
    ADMIN_GROUP_IDS: groupId("jit-admins"),
    AUDIT_VERIFY_KEY_FILE: DEMO_VERIFY_KEY_FILE,
    // Absolute: the standalone server runs from .next/standalone.
    CATALOG_PATH: path.resolve(ROOT, process.env.CATALOG_PATH ?? "jit.catalog.yaml"),
    // The demo tenant has no shared mailbox: notifications go out as the platform admin. Production
    // names a mailbox of its own, which Mail.Send is scoped to.
    NOTIFY_MAIL_SENDER: "adm01@contoso.com",
    // MSAL and the Graph client use Node's fetch, which trusts only what Node trusts at start-up.
    NODE_EXTRA_CA_CERTS: options.caPath,
  };
}
