/* The catalog that matches the emulator's scale seed (emulator/scale-seed.ts): the demo catalog plus
 * N clusters shaped like the demo's production cluster (admin: the shared PIM group and AKS RBAC
 * Admin on the cluster; node-access: the shared PIM group and VM User Login on the node resource
 * group) and a `reader` role through ARM PIM (AKS RBAC Reader on the cluster): three ARM bindings
 * per cluster, the Entra groups shared by all, as a catalog of many clusters would be. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { clusterResourceId, scaleClusters } from "../../emulator/scale-seed";
import { ROOT } from "../lib/paths";

const AKS_RBAC_READER = "7f6c6a51-bcf8-42ba-9220-52d62157d7db";

export function writeScaleCatalog(dir: string, count: number): string {
  const catalog = parse(readFileSync(path.join(ROOT, "jit.catalog.yaml"), "utf8"));
  const prod = catalog.clusters.find((c: { name: string }) => c.name === "aks-prod-weu");
  for (const seed of scaleClusters(count)) {
    const cluster = structuredClone(prod);
    cluster.name = seed.name;
    cluster.displayName = seed.name;
    cluster.environment = "scale";
    cluster.resourceId = clusterResourceId(seed);
    cluster.nodeResourceGroup = seed.nodeResourceGroup;
    const [admin] = cluster.roles;
    cluster.roles.push({
      ...structuredClone(admin),
      name: "reader",
      description: "Read the cluster (AKS RBAC Reader, through ARM PIM)",
      grants: [{ kind: "armPim", roleDefinitionId: AKS_RBAC_READER, scope: "cluster" }],
    });
    catalog.clusters.push(cluster);
  }
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "catalog.yaml");
  writeFileSync(file, stringify(catalog));
  return file;
}
