import { expect } from "vitest";
import { PROVISIONER_ROLE } from "@/lib/cloud/required-permissions";
import { env } from "@/lib/config/env";
import type { EmulatorState } from "../../emulator/state";

/**
 * Azure role assignments made outside ARM, through the emulator's knob: the emulator enforces Azure
 * RBAC, and the demo tenant gives the app's service principal the provisioner role on the demo
 * clusters and node resource groups only (emulator/tenant.json `azure.roleAssignments`).
 */
export const SUBSCRIPTION_SCOPE = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333";

/** Assigns a role (GUID) at a scope to a principal (object id or appId; the app by default); returns its name. */
export async function grantRole(
  scope: string,
  roleGuid: string = PROVISIONER_ROLE.id,
  principalId = env.ENTRA_CLIENT_ID,
) {
  const response = await fetch(`${env.ARM_BASE_URL}/_emulator/azure/roleAssignments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ principalId, roleDefinitionId: roleGuid, scope }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { name: string }).name;
}

export async function revokeRole(name: string) {
  const response = await fetch(`${env.ARM_BASE_URL}/_emulator/azure/roleAssignments/${name}`, { method: "DELETE" });
  expect(response.status).toBe(204);
}

/** The seeded and knob-made assignments (GET /_emulator/state `seededRoleAssignments`). */
export async function seededRoleAssignments() {
  const state = (await (await fetch(`${env.ARM_BASE_URL}/_emulator/state`)).json()) as EmulatorState;
  return state.seededRoleAssignments;
}
