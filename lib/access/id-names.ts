import "server-only";
import { BUILT_IN_ROLE_NAMES } from "@/lib/cloud/built-in-roles";
import { getCatalog } from "@/lib/config/catalog";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { idsIn, nameIds } from "@/lib/domain/id-names";

/**
 * Names for the object ids the app knows, for reasons and timelines: people who signed in, the
 * catalog's groups, the role groups, Azure's built-in roles and the app itself. Returns the function
 * that rewrites a text; ids it does not know stay as they are.
 */
export async function idNamer(texts: ReadonlyArray<string | null | undefined>): Promise<(text: string) => string> {
  const ids = idsIn(texts);
  if (ids.length === 0) return (text) => text;
  const names = new Map<string, string>(staticNames());
  const people = await db.user.findMany({
    where: { entraObjectId: { in: ids } },
    select: { entraObjectId: true, displayName: true },
  });
  for (const person of people) names.set(person.entraObjectId.toLowerCase(), person.displayName);
  return (text) => nameIds(text, names);
}

function staticNames(): Array<[string, string]> {
  const names: Array<[string, string]> = Object.entries(BUILT_IN_ROLE_NAMES);
  // A group several roles grant (node access on every cluster) is named after all of them.
  const granted = new Map<string, { roles: Set<string>; clusters: Set<string> }>();
  for (const cluster of getCatalog().clusters) {
    for (const role of cluster.roles) {
      for (const grant of role.grants) {
        if (grant.kind !== "entraPimGroup" && grant.kind !== "entraGroup") continue;
        const id = grant.groupId.toLowerCase();
        const uses = granted.get(id) ?? { roles: new Set(), clusters: new Set() };
        uses.roles.add(role.name);
        uses.clusters.add(cluster.name);
        granted.set(id, uses);
      }
    }
  }
  for (const [id, uses] of granted) names.push([id, `${[...uses.roles].join("/")} (${[...uses.clusters].join(", ")})`]);
  const roleGroups: Array<[readonly string[], string]> = [
    [env.APPROVER_GROUP_IDS, "the approvers"],
    [env.AUDITOR_GROUP_IDS, "the auditors"],
    [env.ADMIN_GROUP_IDS, "the platform admins"],
  ];
  for (const [ids, name] of roleGroups) for (const id of ids) names.push([id.toLowerCase(), name]);
  names.push([env.ENTRA_CLIENT_ID.toLowerCase(), "AKS JIT (the app registration)"]);
  return names;
}
