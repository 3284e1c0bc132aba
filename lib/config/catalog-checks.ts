/**
 * Catalog checks that span entries, run on the raw value rather than in the schema so that they are
 * reported together with every other problem: zod skips a list's refinements while any item in it
 * is invalid.
 */
import { formatPath, type Path, type YamlIssue } from "./yaml-problems";

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * Repeated cluster names, resource ids and role names. A repeated resource id is the copy-paste slip
 * that would let a dev role's self-activation grant access to production.
 */
export function duplicateIssues(raw: unknown): YamlIssue[] {
  const issues: YamlIssue[] = [];
  const listOf = (value: unknown, key: string): unknown[] => {
    const list = fieldOf(value, key);
    return Array.isArray(list) ? list : [];
  };
  const findRepeats = (items: unknown[], at: Path, field: string, what: string, normalize = (s: string) => s) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const value = fieldOf(item, field);
      if (typeof value !== "string") return;
      const first = seen.get(normalize(value));
      if (first === undefined) seen.set(normalize(value), index);
      else
        issues.push({ path: [...at, index, field], message: `repeats the ${what} of ${formatPath([...at, first])}` });
    });
  };
  const clusters = listOf(raw, "clusters");
  findRepeats(clusters, ["clusters"], "name", "name");
  findRepeats(clusters, ["clusters"], "resourceId", "resource id", (id) => id.toLowerCase());
  clusters.forEach((cluster, index) =>
    findRepeats(listOf(cluster, "roles"), ["clusters", index, "roles"], "name", "name"),
  );
  return issues;
}

/** Channels naming a webhook that NOTIFY_WEBHOOKS does not define: their messages would never arrive. */
export function webhookIssues(raw: unknown, names: readonly string[]): YamlIssue[] {
  const issues: YamlIssue[] = [];
  const known = names.length > 0 ? names.join(", ") : "none";
  const check = (owner: unknown, at: Path) => {
    const channels = fieldOf(fieldOf(owner, "notify"), "channels");
    if (!Array.isArray(channels)) return;
    channels.forEach((entry, index) => {
      const name = typeof entry === "string" ? /^(?:teams|slack):(.+)$/.exec(entry)?.[1] : undefined;
      if (name !== undefined && !names.includes(name)) {
        issues.push({
          path: [...at, "notify", "channels", index],
          message: `names webhook "${name}", which NOTIFY_WEBHOOKS does not define (defined: ${known})`,
        });
      }
    });
  };
  const clusters = fieldOf(raw, "clusters");
  if (!Array.isArray(clusters)) return issues;
  clusters.forEach((cluster, c) => {
    check(cluster, ["clusters", c]);
    const roles = fieldOf(cluster, "roles");
    if (Array.isArray(roles)) roles.forEach((role, r) => check(role, ["clusters", c, "roles", r]));
  });
  return issues;
}
