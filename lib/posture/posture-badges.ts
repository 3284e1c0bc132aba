import type { ClusterPosture, StandingPrincipal } from "./types";

/**
 * What requesters and approvers see of a cluster's posture, next to its name: the ways in that do
 * not go through AKS JIT, as counts (who they are is for auditors and admins, on the Posture page).
 * Nothing when the cluster is compliant and nobody has standing access. Pure.
 */
export interface PostureBadge {
  /** the anchor of its explanation on /posture-terms */
  code: "standing-admins" | "standing-node-access" | "local-accounts" | "local-ssh";
  text: string;
}

const ADMIN_ABILITIES = new Set(["clusterAdmin", "adminCredentials", "clusterRunCommand"]);
const NODE_ABILITIES = new Set(["nodeLogin", "nodeRunCommand"]);

const holds = (principal: StandingPrincipal, abilities: Set<string>) =>
  principal.paths.some((path) => path.abilities.some((a) => abilities.has(a)));

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function postureBadges(posture: Pick<ClusterPosture, "facts" | "standing"> | null): PostureBadge[] {
  if (!posture) return [];
  const badges: PostureBadge[] = [];
  const principals = posture.standing?.principals ?? [];
  const admins = principals.filter((p) => holds(p, ADMIN_ABILITIES)).length;
  const nodeUsers = principals.filter((p) => holds(p, NODE_ABILITIES)).length;
  if (admins > 0) badges.push({ code: "standing-admins", text: count(admins, "standing admin", "standing admins") });
  if (nodeUsers > 0)
    badges.push({
      code: "standing-node-access",
      text: count(nodeUsers, "standing node login", "standing node logins"),
    });
  if (posture.facts && !posture.facts.areLocalAccountsDisabled)
    badges.push({ code: "local-accounts", text: "local accounts on" });
  if (posture.facts?.nodePools.some((pool) => pool.sshAccess === "LocalUser"))
    badges.push({ code: "local-ssh", text: "SSH with local keys" });
  return badges;
}
