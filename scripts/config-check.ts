/* `npm run config:check` (the image's `node config-check.mjs`, the chart's first pre-upgrade hook):
 * checks every variable and the access catalog the way the app does when it starts, without
 * starting it, so that a bad release stops before anything changes. Exit 0 or 1. */
import { checkConfiguration } from "../lib/ops/configuration";

const problems = await checkConfiguration("AKS JIT", { exitOnProblems: false });
if (problems.length > 0) {
  console.error(`The configuration has problems; fix them before deploying:\n${problems.join("\n")}`);
  process.exit(1);
}
const { getCatalog } = await import("../lib/config/catalog");
const { clusters } = getCatalog();
const roles = clusters.reduce((sum, cluster) => sum + cluster.roles.length, 0);
console.log(`The configuration is valid: ${clusters.length} clusters and ${roles} roles in the catalog.`);
