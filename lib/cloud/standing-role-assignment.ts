import "server-only";
import { ProviderError } from "./access-provider";
import { armAuthorizationClient } from "./credentials";
import { toProviderError } from "./providers/arm-errors";

/**
 * Deletes a role assignment by its full ARM id, whoever made it: for an admin removing drift that
 * the armRoleAssignment provider, which only ever deletes the assignments AKS JIT named, leaves alone.
 */
export async function deleteRoleAssignmentById(assignmentId: string): Promise<void> {
  const subscriptionId = /^\/subscriptions\/([^/]+)\//i.exec(assignmentId)?.[1];
  if (!subscriptionId) throw new ProviderError("invalid", `not a role assignment id: ${assignmentId}`);
  try {
    await armAuthorizationClient(subscriptionId).roleAssignments.deleteById(assignmentId);
  } catch (error) {
    const failure = toProviderError(error, `delete role assignment ${assignmentId}`);
    if (failure.kind !== "not_found") throw failure;
  }
}
