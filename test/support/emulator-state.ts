import { getCatalog } from "@/lib/config/catalog";
import { env } from "@/lib/config/env";
import { demoUser } from "./emulator-browser";

/** What the emulator holds now (GET /_emulator/state), and its fault injection. */
export interface EmulatorState {
  pimGroupAssignments: Array<{ groupId: string; principalId: string; endDateTime: string | null }>;
  roleAssignments: Array<{
    id: string;
    scope: string;
    roleDefinitionId: string;
    principalId: string;
    endDateTime: string | null;
  }>;
  signInRevocations: Array<{ userId: string; at: string }>;
}

const EMU = () => env.ENTRA_AUTHORITY_HOST;

export const emulatorState = async () => (await (await fetch(`${EMU()}/_emulator/state`)).json()) as EmulatorState;

/** POST a fault (see emulator/faults.ts), or clear them all without a body. */
export const injectFault = (body?: object) =>
  fetch(`${EMU()}/_emulator/faults`, {
    method: body ? "POST" : "DELETE",
    headers: { "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });

export const ADMIN_GROUP = "ffdebc24-7be9-4b76-887f-3a12aae9aada";
export const RBAC_ADMIN = "3498e952-d568-435e-9b2c-8d77e338d7f7";

/** One person's admin access on a cluster in the emulator: the PIM group and the AKS RBAC Admin role. */
export async function adminAccessOf(upn: string, cluster: string) {
  const state = await emulatorState();
  const principalId = demoUser(upn).id;
  // The catalog cluster's own scope: other tests make copies of the demo clusters under other resource groups.
  const scope = getCatalog()
    .clusters.find((c) => c.name === cluster)!
    .resourceId.toLowerCase();
  return {
    pim: state.pimGroupAssignments.filter((a) => a.principalId === principalId && a.groupId === ADMIN_GROUP),
    rbac: state.roleAssignments.filter(
      (a) =>
        a.principalId === principalId &&
        a.roleDefinitionId.toLowerCase().endsWith(RBAC_ADMIN) &&
        a.scope.toLowerCase() === scope,
    ),
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T>, isDone: (value: T) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!isDone(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await probe();
  }
  return value;
}
