import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { parse, stringify } from "yaml";
import { DATA_DIR, ROOT } from "../../scripts/lib/paths";
import { startTestStack } from "../support/stack";

declare module "vitest" {
  export interface ProvidedContext {
    appEnv: Record<string, string>;
  }
}

/**
 * The demo catalog plus one cluster whose admin role needs two distinct approvers, for the
 * quorum and concurrency tests.
 */
function writeTestCatalog() {
  const catalog = parse(readFileSync(path.join(ROOT, "jit.catalog.yaml"), "utf8"));
  const prod = structuredClone(catalog.clusters.find((c: { name: string }) => c.name === "aks-prod-weu"));
  prod.name = "aks-quorum-test";
  prod.displayName = "Quorum test";
  prod.resourceId = prod.resourceId.replace(/aks-prod-weu$/, "aks-quorum-test");
  prod.roles = prod.roles.filter((r: { name: string }) => r.name === "admin");
  prod.roles[0].policy.approvalsRequired = 2;
  catalog.clusters.push(prod);
  const dir = path.join(DATA_DIR, "test");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `catalog-${process.pid}.yaml`);
  writeFileSync(file, stringify(catalog));
  return file;
}

/** One PostgreSQL and one emulator for the whole integration run; stopped when it ends. */
export default async function setup(project: TestProject) {
  const catalogPath = writeTestCatalog();
  const stack = await startTestStack({ catalogPath });
  project.provide("appEnv", stack.env);
  return async () => {
    await stack.stop();
    rmSync(catalogPath, { force: true });
  };
}
