import { type CheckResult, describeFailure, fail, pass, type TenantReader, warn } from "./check-result";
import type { DoctorNeeds } from "./needs";

const CHECK = "App registration";

interface Application {
  web?: { redirectUris?: string[] | null } | null;
  spa?: { redirectUris?: string[] | null } | null;
  optionalClaims?: { idToken?: Array<{ name: string }> | null } | null;
  groupMembershipClaims?: string | null;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Entra compares redirect URIs exactly, except that a localhost URI matches on any port
 * (learn.microsoft.com/entra/identity-platform/reply-url, "Localhost exceptions").
 */
export function isRedirectRegistered(registered: readonly string[], wanted: string): boolean {
  const want = new URL(wanted);
  return registered.some((uri) => {
    let have: URL;
    try {
      have = new URL(uri);
    } catch {
      return false;
    }
    if (LOOPBACK.has(have.hostname) && LOOPBACK.has(want.hostname)) {
      return have.protocol === want.protocol && have.hostname === want.hostname && have.pathname === want.pathname;
    }
    return have.href === want.href;
  });
}

const portal = (clientId: string) => `Entra admin center → App registrations → the app (${clientId})`;
const TERRAFORM = "Terraform: deploy/terraform sets it on `terraform apply`.";

function claimResults(app: Application, needs: DoctorNeeds, clientId: string): CheckResult[] {
  if (needs.idTokenClaims.length === 0) {
    return [pass(CHECK, "ID token optional claims", "none needed: no role has stepUp")];
  }
  const present = new Set((app.optionalClaims?.idToken ?? []).map((claim) => claim.name));
  return needs.idTokenClaims.map((claim) =>
    present.has(claim)
      ? pass(CHECK, `optional claim ${claim}`, "on the ID token, as step-up needs")
      : fail(
          CHECK,
          `optional claim ${claim}`,
          `not on the ID token: Entra leaves it out unless the app registration asks for it, and step-up (stepUp in the catalog) then refuses every approver`,
          `${portal(clientId)} → Token configuration → Add optional claim → Token type: ID → ${claim} → Add. ${TERRAFORM}`,
        ),
  );
}

function redirectResults(app: Application, needs: DoctorNeeds, clientId: string): CheckResult[] {
  const web = app.web?.redirectUris ?? [];
  const spa = app.spa?.redirectUris ?? [];
  return [
    ...needs.webRedirectUris.map((uri) =>
      isRedirectRegistered(web, uri)
        ? pass(CHECK, `Web redirect URI ${uri}`, "registered")
        : fail(
            CHECK,
            `Web redirect URI ${uri}`,
            `not registered on the Web platform (registered: ${web.join(", ") || "none"})`,
            `${portal(clientId)} → Authentication → Web → Redirect URIs → Add URI → ${uri}. ${TERRAFORM}`,
          ),
    ),
    ...needs.spaRedirectUris.map((uri) =>
      isRedirectRegistered(spa, uri)
        ? pass(CHECK, `SPA redirect URI ${uri}`, "registered: the step-up popup can sign in")
        : fail(
            CHECK,
            `SPA redirect URI ${uri}`,
            `not registered on the Single-page application platform (registered: ${spa.join(", ") || "none"}); the step-up popup cannot sign in`,
            `${portal(clientId)} → Authentication → Add a platform → Single-page application → ${uri}. ${TERRAFORM}`,
          ),
    ),
  ];
}

function groupsClaimResult(app: Application, clientId: string): CheckResult {
  const kinds = (app.groupMembershipClaims ?? "None").split(",").map((kind) => kind.trim());
  const fix = `${portal(clientId)} → Token configuration → Add groups claim → Security groups (ID: Group ID), or \`az ad app update --id ${clientId} --set groupMembershipClaims=SecurityGroup\`. ${TERRAFORM}`;
  if (kinds.includes("SecurityGroup") || kinds.includes("All")) {
    return pass(CHECK, "groups claim", `emitted (${kinds.join(", ")})`);
  }
  if (kinds.includes("ApplicationGroup")) {
    return warn(
      CHECK,
      "groups claim",
      "only groups assigned to the app are emitted: approver, auditor and admin groups must be assigned to it",
      fix,
    );
  }
  return fail(CHECK, "groups claim", "not emitted: nobody would be recognised as approver, auditor or admin", fix);
}

/** Check 3: the app registration's optional claims, redirect URIs and groups claim (graph/api/application-get). */
export async function checkAppRegistration(
  reader: TenantReader,
  clientId: string,
  needs: DoctorNeeds,
): Promise<CheckResult[]> {
  const read = await reader.graph<Application>(`/applications(appId='${clientId}')`, {
    select: ["id", "web", "spa", "optionalClaims", "groupMembershipClaims"],
  });
  if (!read.ok) {
    return [
      fail(
        CHECK,
        "app registration",
        `cannot read it${read.status === 403 ? " (needs Application.Read.All)" : ""}: ${describeFailure(read)}`,
        read.status === 403
          ? `${portal(clientId)} → API permissions → Add a permission → Microsoft Graph → Application permissions → Application.Read.All, then "Grant admin consent".`
          : `Check that ENTRA_CLIENT_ID is the app registration's Application (client) ID.`,
      ),
    ];
  }
  return [
    ...claimResults(read.value, needs, clientId),
    ...redirectResults(read.value, needs, clientId),
    groupsClaimResult(read.value, clientId),
  ];
}
