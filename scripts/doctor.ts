/* `npm run doctor`: checks the live configuration against the tenant, read-only: the credential,
 * the Graph permissions the catalog needs, the app registration, the Azure roles on each scope, the
 * groups and their PIM setup, and each cluster's settings. Prints a checklist with a fix for each
 * failure (docs/doctor.md); exit 0 when everything passes, 1 otherwise. Reads the environment like
 * the app, and a .env file in the working directory for variables the environment does not set. */
import { existsSync } from "node:fs";
import { checkConfiguration } from "../lib/ops/configuration";

if (existsSync(".env")) process.loadEnvFile(".env");
const problems = await checkConfiguration("npm run doctor", { exitOnProblems: false });
if (problems.length > 0) {
  console.error(`The configuration has problems; fix them first (npm run config:check):\n${problems.join("\n")}`);
  process.exit(1);
}
const { runDoctor } = await import("../lib/doctor/run-doctor");
const { formatChecklist, summarize } = await import("../lib/doctor/format-checklist");

const report = await runDoctor();
console.log(`AKS JIT doctor: tenant ${report.tenantId}, app ${report.clientId} (read-only)`);
console.log(formatChecklist(report.results));
if (!report.isComplete) console.log("\nThe other checks need a working credential: fix it and run again.");
console.log(`\n${summarize(report.results)}`);
process.exit(report.results.some((result) => result.status === "fail") || !report.isComplete ? 1 : 0);
