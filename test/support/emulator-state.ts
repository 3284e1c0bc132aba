import { getCatalog } from "@/lib/config/catalog";
import { env } from "@/lib/config/env";
import type { ServedCall } from "../../emulator/calls";
import type { EmulatorState } from "../../emulator/state";
import { demoUser } from "./emulator-browser";

/* What the emulator holds now (GET /_emulator/state, typed by emulator/state.ts), and its fault injection. */

const EMU = () => env.ENTRA_AUTHORITY_HOST;

export const emulatorState = async () => (await (await fetch(`${EMU()}/_emulator/state`)).json()) as EmulatorState;

/** POST a fault (see emulator/faults.ts), or clear them all without a body. */
export const injectFault = (body?: object) =>
  fetch(`${EMU()}/_emulator/faults`, {
    method: body ? "POST" : "DELETE",
    headers: { "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });

/** The faults not yet applied: a fault leaves the list when a request meets it, before its latency. */
export const pendingFaults = async () =>
  ((await (await fetch(`${EMU()}/_emulator/faults`)).json()) as { faults: unknown[] }).faults;

/** The emulator's service settings (emulator/context.ts ServiceSettings), as the test stack starts it. */
export const STACK_SETTINGS = {
  minimumActiveDurationSeconds: 0,
  principalReplicationDelaySeconds: 0,
  pimReplicationDelaySeconds: 0,
};

const put = async (path: string, body: object) => {
  const response = await fetch(`${EMU()}${path}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`PUT ${path} answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
};

/** PUT /_emulator/settings: any subset of STACK_SETTINGS (and groupsOverageLimit). */
export const setEmulatorSettings = (settings: Partial<typeof STACK_SETTINGS>) => put("/_emulator/settings", settings);

/** Moves the emulator's clock this far ahead of real time (0 puts it back). */
export const setEmulatorClock = (offsetSeconds: number) => put("/_emulator/clock", { offsetSeconds });

/** POST /_emulator/users: a user created now, in the given groups; DELETE removes it again. */
export async function createEmulatorUser(user: { id: string; userPrincipalName: string; groupIds?: string[] }) {
  const response = await fetch(`${EMU()}/_emulator/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(user),
  });
  if (response.status !== 201) throw new Error(`POST /_emulator/users answered ${response.status}`);
  return { remove: () => fetch(`${EMU()}/_emulator/users/${user.id}`, { method: "DELETE" }) };
}

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

/** PUT /_emulator/throttling (emulator/throttling.ts): Azure's budgets on, some made smaller; DELETE turns them off. */
export async function setThrottling(body: {
  enabled: boolean;
  budgets?: Record<string, { capacity: number; refillPerSecond: number }>;
}) {
  const response = await fetch(`${EMU()}/_emulator/throttling`, {
    method: body.enabled ? "PUT" : "DELETE",
    headers: { "content-type": "application/json" },
    body: body.enabled ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`/_emulator/throttling answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { enabled: boolean; throttled: Record<string, number> };
}

/** The calls the emulator served (emulator/calls.ts); `clear` empties its log first. */
export async function emulatorCalls(options: { clear?: boolean } = {}) {
  const response = await fetch(`${EMU()}/_emulator/calls`, { method: options.clear ? "DELETE" : "GET" });
  return (await response.json()) as { calls: ServedCall[] };
}

/** GET /_emulator/throttling: the budgets and how many 429s each has answered. */
export const throttlingState = async () =>
  (await (await fetch(`${EMU()}/_emulator/throttling`)).json()) as {
    enabled: boolean;
    throttled: Record<string, number>;
  };

/** PUT /_emulator/clusters/:name: a cluster's security settings (emulator/tenant.ts ZClusterSettingsOverride), any subset. */
export const setEmulatorCluster = (name: string, settings: Record<string, unknown>) =>
  put(`/_emulator/clusters/${name}`, settings);

/** DELETE /_emulator/clusters/:name: the cluster's settings as the tenant seed has them. */
export async function resetEmulatorCluster(name: string) {
  const response = await fetch(`${EMU()}/_emulator/clusters/${name}`, { method: "DELETE" });
  if (!response.ok) throw new Error(`DELETE /_emulator/clusters/${name} answered ${response.status}`);
}
