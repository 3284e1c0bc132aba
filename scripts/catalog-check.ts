/* `npm run catalog:check [-- path/to/catalog.yaml]`: validates the access catalog the way the app does
 * at start-up, without starting it. The file is the argument, else CATALOG_PATH, else jit.catalog.yaml. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { CatalogError, parseCatalog, type CatalogCluster, type CatalogRole } from "../lib/config/catalog-schema";
import { describeDuration } from "../lib/domain/duration";

function summarizeRole({ name, policy }: CatalogRole): string {
  const approval =
    policy.approvalsRequired === 0
      ? "self-activation"
      : `${policy.approvalsRequired} approval${policy.approvalsRequired === 1 ? "" : "s"}`;
  const facts = [approval, `max ${describeDuration(policy.maxDurationMinutes)}`];
  if (policy.isBreakGlassAllowed) facts.push("break-glass");
  return `${name} [${facts.join(", ")}]`;
}

function summarizeCluster(cluster: CatalogCluster): string {
  return `${cluster.name} (${cluster.environment}): ${cluster.roles.map(summarizeRole).join(", ")}`;
}

const file = process.argv[2] ?? process.env.CATALOG_PATH ?? "jit.catalog.yaml";
try {
  let text: string;
  try {
    text = readFileSync(path.resolve(process.cwd(), file), "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CatalogError([{ file, path: "", message: `cannot be read: ${reason}` }]);
  }
  const catalog = parseCatalog(text, file);
  for (const cluster of catalog.clusters) console.log(summarizeCluster(cluster));
} catch (error) {
  if (!(error instanceof CatalogError)) throw error;
  const count = error.problems.length;
  console.error(`${error.message}\n${count} problem${count === 1 ? "" : "s"} in ${file}`);
  process.exitCode = 1;
}
