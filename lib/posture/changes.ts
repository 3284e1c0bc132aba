import type { ClusterFacts, PostureFinding, StandingAccess, StandingPrincipal } from "./types";

/*
 * What changed between two reads of a cluster, in the words an auditor reads in `posture.changed`
 * ("local accounts turned on"). Pure. Compared as values: facts come back from jsonb with their keys
 * in another order, and that is no change.
 */

const SWITCHES: Array<{ key: keyof ClusterFacts; on: string; off: string }> = [
  {
    key: "isManagedEntra",
    on: "managed Entra ID integration turned on",
    off: "managed Entra ID integration turned off",
  },
  { key: "isAzureRbac", on: "Azure RBAC for Kubernetes turned on", off: "Azure RBAC for Kubernetes turned off" },
  { key: "areLocalAccountsDisabled", on: "local accounts turned off", off: "local accounts turned on" },
  { key: "isPrivate", on: "API server made private", off: "API server made public" },
  { key: "hasPublicFqdn", on: "public FQDN of the private API server turned on", off: "public FQDN turned off" },
  { key: "isOidcIssuer", on: "OIDC issuer turned on", off: "OIDC issuer turned off" },
  { key: "isWorkloadIdentity", on: "workload identity turned on", off: "workload identity turned off" },
];

const listed = (items: readonly string[]) => (items.length === 0 ? "none" : items.join(", "));

/** Each difference in words; [] when nothing differs. `before` null: the first read. */
export function describeChanges(
  before: { facts: ClusterFacts | null; findings: readonly PostureFinding[] },
  after: { facts: ClusterFacts; findings: readonly PostureFinding[] },
): string[] {
  if (!before.facts) return ["first read"];
  const was = before.facts;
  const now = after.facts;
  const changes = SWITCHES.filter(({ key }) => was[key] !== now[key]).map((s) => (now[s.key] ? s.on : s.off));
  if (!sameSet(was.authorizedIpRanges, now.authorizedIpRanges)) {
    changes.push(
      `authorized IP ranges changed from ${listed(was.authorizedIpRanges)} to ${listed(now.authorizedIpRanges)}`,
    );
  }
  if (!sameSet(was.adminGroupObjectIds, now.adminGroupObjectIds)) {
    changes.push(`admin groups changed from ${listed(was.adminGroupObjectIds)} to ${listed(now.adminGroupObjectIds)}`);
  }
  for (const key of ["resourceId", "fqdn", "nodeResourceGroup"] as const) {
    if (was[key] !== now[key]) changes.push(`${key} changed from ${was[key] ?? "none"} to ${now[key] ?? "none"}`);
  }
  changes.push(...poolChanges(was.nodePools, now.nodePools));
  changes.push(...auditLogChanges(was.auditLogs, now.auditLogs));
  const codes = (list: readonly PostureFinding[]) => new Set(list.map((f) => f.code));
  const [old, fresh] = [codes(before.findings), codes(after.findings)];
  changes.push(...[...fresh].filter((code) => !old.has(code)).map((code) => `finding opened: ${code}`));
  changes.push(...[...old].filter((code) => !fresh.has(code)).map((code) => `finding closed: ${code}`));
  // Same codes, other words or fix (a release reworded them): a change, though no setting moved.
  if (changes.length === 0 && !sameValue(before.findings, after.findings)) changes.push("findings reworded");
  return changes;
}

/** Only between two reads that both knew (an unreadable setting is no change of it). */
function auditLogChanges(was: ClusterFacts["auditLogs"], now: ClusterFacts["auditLogs"]): string[] {
  if (!was || !now) return [];
  const changes: string[] = [];
  if (!sameSet(was.categories, now.categories)) {
    changes.push(`audit log categories collected changed from ${listed(was.categories)} to ${listed(now.categories)}`);
  }
  if (was.workspaceResourceId !== now.workspaceResourceId) {
    changes.push(
      `audit log workspace changed from ${was.workspaceResourceId ?? "none"} to ${now.workspaceResourceId ?? "none"}`,
    );
  }
  if (was.isResourceSpecific !== now.isResourceSpecific) {
    changes.push(
      now.isResourceSpecific
        ? "audit logs moved to the resource-specific tables"
        : "audit logs moved to AzureDiagnostics",
    );
  }
  return changes;
}

function poolChanges(was: ClusterFacts["nodePools"], now: ClusterFacts["nodePools"]): string[] {
  const byName = (pools: ClusterFacts["nodePools"]) => new Map(pools.map((p) => [p.name, p]));
  const [before, after] = [byName(was), byName(now)];
  const changes: string[] = [];
  for (const [name, pool] of after) {
    const old = before.get(name);
    if (!old) changes.push(`node pool ${name} added (SSH ${pool.sshAccess})`);
    else if (old.sshAccess !== pool.sshAccess) {
      changes.push(`node pool ${name} SSH access changed from ${old.sshAccess} to ${pool.sshAccess}`);
    } else if (old.mode !== pool.mode) changes.push(`node pool ${name} mode changed from ${old.mode} to ${pool.mode}`);
  }
  for (const name of before.keys()) if (!after.has(name)) changes.push(`node pool ${name} removed`);
  return changes;
}

function sameSet(a: readonly string[], b: readonly string[]) {
  const set = new Set(a.map((x) => x.toLowerCase()));
  return a.length === b.length && b.every((x) => set.has(x.toLowerCase()));
}

/** Deep equality of JSON values, whatever the order of object keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameValue(item, other[i]));
  }
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  const otherKeys = Object.keys(y).filter((k) => y[k] !== undefined);
  return keys.length === otherKeys.length && keys.every((k) => sameValue(x[k], y[k]));
}

/**
 * Who gained or lost a standing way in, in words; [] when the same people get in the same ways, or
 * when either read is missing. What JIT grants explain comes and goes with every grant: not a change.
 */
export function describeStandingChanges(before: StandingAccess | null, after: StandingAccess | null): string[] {
  if (!before || !after) return [];
  const changes: string[] = [];
  for (const [label, was, now] of [
    ["standing access", before.principals, after.principals],
    ["the app's identity", before.appIdentity, after.appIdentity],
  ] as const) {
    const old = new Map(was.map((p) => [p.principalId, p]));
    const fresh = new Map(now.map((p) => [p.principalId, p]));
    const name = (p: StandingPrincipal) => p.userPrincipalName ?? p.displayName ?? p.principalId;
    for (const [id, p] of fresh) {
      const earlier = old.get(id);
      if (!earlier) changes.push(`${label} gained: ${name(p)} (${abilitiesOf(p)})`);
      else if (!sameValue(earlier.paths, p.paths)) changes.push(`${label} of ${name(p)} changed (${abilitiesOf(p)})`);
    }
    for (const [id, p] of old) if (!fresh.has(id)) changes.push(`${label} lost: ${name(p)}`);
  }
  return changes;
}

const abilitiesOf = (p: StandingPrincipal) =>
  [...new Set(p.paths.flatMap((path) => path.abilities))].join(", ") || "no abilities";
