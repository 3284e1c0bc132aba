/* The demo's activity (startEmulator `demoActivity`, EMULATOR_ACTIVITY=on; off in tests): when an
 * ARM caller gives someone a role on a cluster (a role assignment or a PIM assignment), the emulator
 * writes a short kubectl session of that person on that cluster to the audit logs, a minute after the
 * access starts and well within it: reads, a secret read, an exec, a patch, a delete and a denied
 * call; a role on a cluster's node resource group gives an `az ssh vm` node sign-in instead. So that
 * `npm run demo` shows activity after each grant. Deterministic: the same grant, the same session.
 * Grants made only through group membership are not played: the emulator does not know which
 * clusters a group reaches (the app's catalog does). */
import { relateScope } from "../arm-common";
import type { AccessGrant, EmulatorContext } from "../context";
import { recordNodeSignIn, type SignInStore } from "../graph-sign-ins";
import { clusterResourceId, nodeResourceGroupId } from "../scale-seed";
import type { CallInput } from "./generate";
import { mix } from "./generate";
import { auditUserOf, clusterRef, clustersOf } from "./routes";
import type { LogStore } from "./store";

const MINUTE = 60_000;

/** The session's calls, spread evenly over [fromMs, toMs). */
export function demoSession(seed: number, fromMs: number, toMs: number): CallInput[] {
  const pod = `api-7d9f8b6c4-${(mix(seed, 0, 9) % 0x10000).toString(36).padStart(4, "0")}`;
  const script: Array<Omit<CallInput, "at">> = [
    { verb: "list", resource: "pods", namespace: "payments" },
    { verb: "get", resource: "pods", namespace: "payments", name: pod },
    { verb: "get", resource: "pods", subresource: "log", namespace: "payments", name: pod },
    { verb: "get", resource: "secrets", namespace: "payments", name: "db-credentials" },
    { verb: "create", resource: "pods", subresource: "exec", namespace: "payments", name: pod },
    { verb: "patch", resource: "deployments", apiGroup: "apps", namespace: "payments", name: "api" },
    { verb: "delete", resource: "pods", namespace: "payments", name: pod },
    { verb: "list", resource: "nodes", code: 403 },
  ];
  const step = (toMs - fromMs) / script.length;
  return script.map((call, i) => ({ ...call, at: new Date(Math.floor(fromMs + i * step)) }));
}

function seedOf(text: string) {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

export function registerDemoActivity(ctx: EmulatorContext, logs: LogStore, signIns: SignInStore) {
  (ctx.accessListeners ??= []).push((grant: AccessGrant) => playDemoActivity(ctx, logs, signIns, grant));
}

export function playDemoActivity(ctx: EmulatorContext, logs: LogStore, signIns: SignInStore, grant: AccessGrant) {
  const user = ctx.tenant.user(grant.principalId);
  if (!user) return; // groups and service principals do not type kubectl
  const startMs = Math.max(grant.start.getTime(), ctx.now().getTime());
  const endMs = grant.end ? grant.end.getTime() : startMs + 60 * MINUTE;
  const fromMs = startMs + Math.min(MINUTE, (endMs - startMs) / 10);
  const toMs = Math.min(endMs - Math.min(MINUTE, (endMs - startMs) / 10), fromMs + 10 * MINUTE);
  if (toMs - fromMs < 10_000) return;
  for (const cluster of clustersOf(ctx)) {
    const relation = relateScope(clusterResourceId(cluster), grant.scope);
    if (relation === "at" || relation === "above") {
      const auditUser = auditUserOf(ctx, user.id);
      if (!auditUser) return;
      const seed = seedOf(`${user.id}:${cluster.name}:${startMs}`);
      logs.appendCalls(clusterRef(cluster), auditUser, demoSession(seed, fromMs, toMs));
      return;
    }
    if (relateScope(nodeResourceGroupId(cluster), grant.scope) === "at") {
      recordNodeSignIn(ctx, signIns, {
        user: user.id,
        at: new Date(fromMs).toISOString(),
        node: `aks-user-${(seedOf(user.id) % 100000).toString().padStart(5, "0")}-vmss000000`,
      });
      return;
    }
  }
}
