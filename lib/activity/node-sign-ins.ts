import "server-only";
import type { Client } from "@microsoft/microsoft-graph-client";
import { appGraphClient } from "@/lib/cloud/credentials";
import type { CatalogRole } from "@/lib/config/catalog-schema";
import { env } from "@/lib/config/env";
import type { GraphSignIn } from "./rows";
import type { ActivityProblem } from "./types";

/*
 * The holder's Entra sign-ins to the node VMs over the window: Graph `GET /auditLogs/signIns`
 * (https://learn.microsoft.com/graph/api/signin-list, application permission AuditLog.Read.All),
 * filtered on userId, resourceId and createdDateTime, which the API supports in $filter
 * (https://learn.microsoft.com/graph/api/resources/signin#properties). `az ssh vm` signs the user in
 * from the Azure CLI (the sign-in's app) to the "Azure Linux VM Sign-In" application (its resource,
 * https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux).
 */

/** The Azure Linux VM Sign-In application (first-party, the same id in every tenant). */
export const LINUX_VM_SIGN_IN_APP_ID = "ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0";

/** At most this many pages of sign-ins (of up to 100 each) for one request. */
const MAX_PAGES = 10;
const PAGE_SIZE = 100;

/** Whether the role reaches the nodes: a grant on the node resource group (Virtual Machine User Login). */
export function hasNodeAccess(role: Pick<CatalogRole, "grants">): boolean {
  return role.grants.some((grant) => "scope" in grant && grant.scope === "nodeResourceGroup");
}

export type SignInsAnswer = { query: string; items: GraphSignIn[]; isCut: boolean } | { problem: ActivityProblem };

interface SignInPage {
  value?: GraphSignIn[];
  "@odata.nextLink"?: string;
}

export function signInsFilter(objectId: string, from: Date, to: Date): string {
  return [
    `userId eq '${objectId}'`,
    `resourceId eq '${LINUX_VM_SIGN_IN_APP_ID}'`,
    `createdDateTime ge ${from.toISOString()}`,
    `createdDateTime lt ${to.toISOString()}`,
  ].join(" and ");
}

export async function readNodeSignIns(
  objectId: string,
  window: { from: Date; to: Date },
  client: Client = appGraphClient(),
): Promise<SignInsAnswer> {
  // Graph records sign-ins to the second: one in the second the access began counts.
  const from = new Date(Math.floor(window.from.getTime() / 1000) * 1000);
  const filter = signInsFilter(objectId, from, window.to);
  const query = `GET /v1.0/auditLogs/signIns?$filter=${filter}&$top=${PAGE_SIZE}`;
  const items: GraphSignIn[] = [];
  try {
    let answer = (await client.api("/auditLogs/signIns").filter(filter).top(PAGE_SIZE).get()) as SignInPage;
    items.push(...(answer.value ?? []));
    let next = answer["@odata.nextLink"];
    for (let page = 1; next && page < MAX_PAGES; page += 1) {
      answer = (await client.api(next).get()) as SignInPage;
      items.push(...(answer.value ?? []));
      next = answer["@odata.nextLink"];
    }
    // Filtered again here: a service that ignored part of the filter must not widen the summary.
    const inWindow = items.filter((item) => {
      const at = new Date(item.createdDateTime).getTime();
      return (
        at >= from.getTime() &&
        at < window.to.getTime() &&
        (item.resourceId === undefined || item.resourceId.toLowerCase() === LINUX_VM_SIGN_IN_APP_ID)
      );
    });
    return { query, items: inWindow, isCut: next !== undefined };
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 403 || status === 401) {
      return {
        problem: {
          code: "sign-ins-forbidden",
          message: `Microsoft Graph refused to show the holder's sign-ins to AKS JIT (${status}: ${message}).`,
          fix: `Grant the app registration ${env.ENTRA_CLIENT_ID} the Microsoft Graph application permission AuditLog.Read.All and give admin consent (Entra admin center > App registrations > API permissions); reading sign-in logs also needs a Microsoft Entra ID P1 or P2 licence.`,
        },
      };
    }
    if (status === 429 || status === undefined || status >= 500) throw error;
    return {
      problem: {
        code: "query-failed",
        message: `Microsoft Graph could not list the holder's sign-ins (${status}: ${message}).`,
        fix: "Check activity again later.",
      },
    };
  }
}
