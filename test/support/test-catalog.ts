/* The integration tests' access catalog: the demo's, plus two clusters that only tests use. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { parse, stringify } from "yaml";
import { PROVISIONER_ROLE } from "../../lib/cloud/required-permissions";
import { DATA_DIR, ROOT } from "../../scripts/lib/paths";

/**
 * A self-activated cluster whose roles each grant through one PIM kind alone (test/integration/pim-rules.test.ts):
 * `pim-group` (entraPimGroup, the node-access group) and `arm-pim` (armPim, AKS RBAC Admin on the cluster).
 */
const PIM_TEST_CLUSTER = "aks-pim-test";
function pimTestCluster(catalog: { clusters: Array<Record<string, unknown>> }) {
  const dev = structuredClone(catalog.clusters.find((c) => c.name === "aks-dev-weu")) as {
    name: string;
    displayName: string;
    resourceId: string;
    roles: Array<{ name: string; grants: unknown[] }>;
  };
  dev.name = PIM_TEST_CLUSTER;
  dev.displayName = "PIM test";
  dev.resourceId = dev.resourceId.replace(/aks-dev-weu$/, PIM_TEST_CLUSTER);
  const [admin] = dev.roles.filter((r) => r.name === "admin");
  dev.roles = [
    {
      ...structuredClone(admin!),
      name: "pim-group",
      grants: [{ kind: "entraPimGroup", groupId: "b73188ba-c417-45ba-9086-cec34a6ccddb" }],
    },
    {
      ...structuredClone(admin!),
      name: "arm-pim",
      grants: [{ kind: "armPim", roleDefinitionId: "3498e952-d568-435e-9b2c-8d77e338d7f7", scope: "cluster" }],
    },
  ];
  return dev;
}

/**
 * The demo catalog plus one cluster whose admin role needs two distinct approvers (the quorum and
 * concurrency tests) and the PIM test cluster. Returns its path and the test clusters' resource ids.
 */
export function writeTestCatalog(): { catalogPath: string; testClusterIds: string[] } {
  const catalog = parse(readFileSync(path.join(ROOT, "jit.catalog.yaml"), "utf8"));
  const prod = structuredClone(catalog.clusters.find((c: { name: string }) => c.name === "aks-prod-weu"));
  prod.name = "aks-quorum-test";
  prod.displayName = "Quorum test";
  prod.resourceId = prod.resourceId.replace(/aks-prod-weu$/, "aks-quorum-test");
  prod.roles = prod.roles.filter((r: { name: string }) => r.name === "admin");
  prod.roles[0].policy.approvalsRequired = 2;
  const pim = pimTestCluster(catalog);
  catalog.clusters.push(prod, pim);
  const dir = path.join(DATA_DIR, "test");
  mkdirSync(dir, { recursive: true });
  const catalogPath = path.join(dir, `catalog-${process.pid}.yaml`);
  writeFileSync(catalogPath, stringify(catalog));
  return { catalogPath, testClusterIds: [prod.resourceId as string, pim.resourceId] };
}

/**
 * The emulator enforces Azure RBAC: the demo tenant gives the app's service principal the provisioner
 * role on the demo clusters only, so the test catalog's extra clusters get it as an operator would.
 */
export async function grantProvisionerRole(
  emulator: { url: string; caPath: string; appPrincipalId: string },
  scope: string,
) {
  const body = JSON.stringify({ principalId: emulator.appPrincipalId, roleDefinitionId: PROVISIONER_ROLE.id, scope });
  // Node's fetch in this process does not trust the emulator's CA (the test workers get it through their env).
  const status = await new Promise<number>((resolve, reject) => {
    const request = https.request(
      `${emulator.url}/_emulator/azure/roleAssignments`,
      { method: "POST", ca: readFileSync(emulator.caPath), headers: { "content-type": "application/json" } },
      (response) => (response.resume(), resolve(response.statusCode ?? 0)),
    );
    request.on("error", reject);
    request.end(body);
  });
  if (status !== 201) throw new Error(`granting the app the provisioner role on ${scope} failed: ${status}`);
}
