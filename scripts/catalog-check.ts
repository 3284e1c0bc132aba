/* `npm run catalog:check [-- path/to/catalog.yaml] [--live] [--strict]`: validates the access catalog
 * the way the app does at start-up, without starting it, then checks approver coverage (can each role
 * be approved, escalated and heard: lib/config/approver-coverage.ts). The file is the argument, else
 * CATALOG_PATH, else jit.catalog.yaml.
 *   --live    reads the groups' members through Microsoft Graph with the app's credentials (the
 *             environment as the app reads it, and a .env file for what it does not set), with the
 *             auditors (AUDITOR_GROUP_IDS) and who may approve at all (APPROVER_GROUP_IDS); without
 *             it, only what the catalog itself shows.
 *   --strict  exits 1 on any coverage warning, not only on an invalid catalog. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  approverCoverage,
  coverageGroupIds,
  formatCoverageWarning,
  type CoverageInput,
  type CoverageWarning,
} from "../lib/config/approver-coverage";
import {
  CatalogError,
  parseCatalog,
  type Catalog,
  type CatalogCluster,
  type CatalogRole,
} from "../lib/config/catalog-schema";
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

function readCatalog(file: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path.resolve(process.cwd(), file), "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CatalogError([{ file, path: "", message: `cannot be read: ${reason}` }]);
  }
  return parseCatalog(text, file);
}

/** Members as Graph has them now; the app's modules load only here, once the environment is set. */
async function liveInput(catalog: Catalog): Promise<Partial<CoverageInput>> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const { env } = await import("../lib/config/env").catch((error: unknown) => {
    // Importing the env module is what validates it: say what --live needs instead of a stack trace.
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`--live reads Graph as the app does and needs its configuration (npm run config:check):\n${reason}`);
    process.exit(1);
  });
  const { readGroupMemberships } = await import("../lib/cloud/group-members");
  const settings = { auditorGroupIds: env.AUDITOR_GROUP_IDS, approverRoleGroupIds: env.APPROVER_GROUP_IDS };
  const groups = await readGroupMemberships(coverageGroupIds({ clusters: catalog.clusters, ...settings }));
  return { groups, ...settings };
}

function printWarnings(warnings: CoverageWarning[], isLive: boolean) {
  const source = isLive ? "members read through Microsoft Graph" : "the catalog alone; --live reads the members";
  if (warnings.length === 0) {
    const verdict = isLive ? "every role can be approved and heard" : "no warnings";
    console.log(`\nApprover coverage (${source}): ${verdict}.`);
    return;
  }
  console.log(`\nApprover coverage (${source}): ${warnings.length} warning${warnings.length === 1 ? "" : "s"}`);
  for (const warning of warnings) console.log(`  ! ${formatCoverageWarning(warning)}`);
}

const { values, positionals } = parseArgs({
  options: { live: { type: "boolean", default: false }, strict: { type: "boolean", default: false } },
  allowPositionals: true,
});
const file = positionals[0] ?? process.env.CATALOG_PATH ?? "jit.catalog.yaml";
try {
  const catalog = readCatalog(file);
  for (const cluster of catalog.clusters) console.log(summarizeCluster(cluster));
  const live = values.live ? await liveInput(catalog) : {};
  const warnings = approverCoverage({ clusters: catalog.clusters, file, ...live });
  printWarnings(warnings, values.live);
  if (values.strict && warnings.length > 0) {
    console.error(
      `--strict: ${warnings.length} approver coverage warning${warnings.length === 1 ? "" : "s"} in ${file}`,
    );
    process.exitCode = 1;
  }
} catch (error) {
  if (!(error instanceof CatalogError)) throw error;
  const count = error.problems.length;
  console.error(`${error.message}\n${count} problem${count === 1 ? "" : "s"} in ${file}`);
  process.exitCode = 1;
}
