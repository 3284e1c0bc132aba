import type { CheckResult } from "./check-result";
import { fail, pass } from "./check-result";

const CHECK = "Credential";

export type CredentialMode = "client secret" | "Workload ID";

export interface CredentialProbe {
  mode: CredentialMode;
  clientId: string;
  graphScope: string;
  armScope: string;
  /** the app's credential: resolves to a token, or throws what @azure/identity throws */
  getToken(scope: string): Promise<{ token: string } | null>;
}

/** The `roles` claim of an app-only token: the application permissions the token carries. */
export function rolesOf(token: string): string[] {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      roles?: unknown;
    };
    return Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return [];
  }
}

function fixFor(mode: CredentialMode, clientId: string): string {
  return mode === "client secret"
    ? `Check ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET. A new secret: Entra admin center → App registrations → the app (${clientId}) → Certificates & secrets → New client secret, or \`az ad app credential reset --id ${clientId} --append\`.`
    : `Check AZURE_CLIENT_ID, AZURE_TENANT_ID and the projected token in AZURE_FEDERATED_TOKEN_FILE, and the app's federated credential: App registrations → the app (${clientId}) → Certificates & secrets → Federated credentials (issuer: the cluster's OIDC issuer, \`az aks show -g <rg> -n <cluster> --query oidcIssuerProfile.issuerUrl -o tsv\`; subject system:serviceaccount:<namespace>:<service account>; audience api://AzureADTokenExchange), or \`terraform apply\` in deploy/terraform. See docs/doctor.md.`;
}

/**
 * Check 1: the app's credential gets a Graph and an ARM token. Everything after it needs both, so
 * the doctor stops after this check when it fails. Returns the Graph token's roles for the detail
 * of the permissions check.
 */
export async function checkCredential(
  probe: CredentialProbe,
): Promise<{ results: CheckResult[]; graphRoles?: string[] }> {
  const results: CheckResult[] = [];
  let graphRoles: string[] | undefined;
  for (const [service, scope] of [
    ["Microsoft Graph", probe.graphScope],
    ["Azure Resource Manager", probe.armScope],
  ] as const) {
    const name = `${service} token (${probe.mode})`;
    try {
      const token = await probe.getToken(scope);
      if (!token) throw new Error("the credential returned no token");
      if (service === "Microsoft Graph") graphRoles = rolesOf(token.token);
      results.push(pass(CHECK, name, `the app's ${probe.mode} credential gets a token for ${scope}`));
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      results.push(fail(CHECK, name, `no token for ${scope}: ${reason}`, fixFor(probe.mode, probe.clientId)));
    }
  }
  return { results, graphRoles };
}
