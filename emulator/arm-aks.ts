/* Azure Kubernetes Service, read-only (contract C): the demo clusters and their agent pools, shaped
 * like the spec examples ManagedClustersList.json and AgentPoolsList.json. Any api-version is accepted. */
import { createHash } from "node:crypto";
import type { EmulatorContext } from "./context";
import type { Router } from "./http";
import { ArmError, armHandler, page, requireSubscription, sendArm } from "./arm-common";
import { CLUSTERS, type SeedAgentPool, type SeedCluster } from "./arm-seed";

const PROVIDER = "/providers/Microsoft.ContainerService/managedClusters";
const RG = "/subscriptions/:subscription/resourceGroups/:resourceGroup";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** AKS answers with a lower-case `resourcegroups` segment in ids; ARM ids compare case-insensitively (C). */
const clusterId = (c: SeedCluster) =>
  `/subscriptions/${c.subscriptionId}/resourcegroups/${c.resourceGroup}${PROVIDER}/${c.name}`;

function poolProperties(cluster: SeedCluster, pool: SeedAgentPool) {
  return {
    count: pool.count,
    vmSize: pool.vmSize,
    osDiskSizeGB: 128,
    osDiskType: "Ephemeral",
    maxPods: 110,
    type: "VirtualMachineScaleSets",
    osType: "Linux",
    osSKU: pool.osSKU,
    mode: pool.mode,
    orchestratorVersion: cluster.kubernetesVersion,
    currentOrchestratorVersion: cluster.kubernetesVersion,
    nodeImageVersion: "AKSAzureLinux-V2gen2-202506.10.0",
    provisioningState: "Succeeded",
    powerState: { code: "Running" },
    enableAutoScaling: false,
    availabilityZones: pool.availabilityZones,
    // sshAccess lives on the agent pool, not the cluster (C): node access goes through the VMs' login.
    securityProfile: { sshAccess: "LocalUser", enableVTPM: false, enableSecureBoot: false },
  };
}

function poolResource(cluster: SeedCluster, pool: SeedAgentPool) {
  return {
    id: `${clusterId(cluster)}/agentPools/${pool.name}`,
    name: pool.name,
    type: "Microsoft.ContainerService/managedClusters/agentPools",
    properties: poolProperties(cluster, pool),
  };
}

/**
 * The settings Microsoft's PIM-for-AKS guide assumes (managed Entra integration, Azure RBAC, no local
 * accounts: MicrosoftDocs/azure-aks-docs articles/aks/manage-azure-rbac.md, manage-local-accounts-managed-azure-ad.md),
 * unless the tenant seed's `azure.clusters` says otherwise for this cluster.
 */
function clusterSettings(ctx: EmulatorContext, c: SeedCluster) {
  const override = ctx.tenant.azure.clusters.find((o) => same(o.name, c.name));
  return {
    managed: override?.managed ?? true,
    enableAzureRBAC: override?.enableAzureRBAC ?? true,
    disableLocalAccounts: override?.disableLocalAccounts ?? true,
  };
}

function clusterResource(ctx: EmulatorContext, c: SeedCluster, type: string) {
  const suffix = createHash("sha256").update(clusterId(c)).digest("hex").slice(0, 8);
  const settings = clusterSettings(ctx, c);
  return {
    id: clusterId(c),
    location: c.location,
    name: c.name,
    tags: c.tags,
    type,
    sku: { name: "Base", tier: "Standard" },
    properties: {
      provisioningState: "Succeeded",
      powerState: { code: "Running" },
      kubernetesVersion: c.kubernetesVersion,
      currentKubernetesVersion: c.kubernetesVersion,
      dnsPrefix: c.dnsPrefix,
      fqdn: `${c.dnsPrefix}-${suffix}.hcp.${c.location}.azmk8s.io`,
      azurePortalFQDN: `${c.dnsPrefix}-${suffix}.portal.hcp.${c.location}.azmk8s.io`,
      agentPoolProfiles: c.agentPools.map((p) => ({ name: p.name, ...poolProperties(c, p) })),
      nodeResourceGroup: c.nodeResourceGroup,
      enableRBAC: true,
      disableLocalAccounts: settings.disableLocalAccounts,
      supportPlan: "KubernetesOfficial",
      maxAgentPools: 100,
      // Wire casing is RBAC / IDs / ID; the JS SDK renames them (contract C).
      aadProfile: {
        managed: settings.managed,
        enableAzureRBAC: settings.enableAzureRBAC,
        adminGroupObjectIDs: [],
        tenantID: ctx.tenant.id,
      },
      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: "overlay",
        podCidr: "10.244.0.0/16",
        serviceCidr: "10.0.0.0/16",
        dnsServiceIP: "10.0.0.10",
        outboundType: "loadBalancer",
        loadBalancerSku: "standard",
      },
    },
  };
}

export function registerAks(router: Router, ctx: EmulatorContext) {
  const inResourceGroup = (subscription: string, resourceGroup: string) => {
    requireSubscription(subscription);
    const clusters = (ctx.clusters ?? CLUSTERS).filter(
      (c) => same(c.subscriptionId, subscription) && same(c.resourceGroup, resourceGroup),
    );
    const isKnown =
      clusters.length > 0 || (ctx.clusters ?? CLUSTERS).some((c) => same(c.nodeResourceGroup, resourceGroup));
    if (!isKnown) {
      throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`);
    }
    return clusters;
  };

  const findCluster = (params: Record<string, string>) => {
    const { subscription = "", resourceGroup = "", name = "" } = params;
    const cluster = inResourceGroup(subscription, resourceGroup).find((c) => same(c.name, name));
    if (!cluster) {
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource 'Microsoft.ContainerService/managedClusters/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    return cluster;
  };

  // The list example types clusters "ManagedClusters", the Get example "managedClusters" (C).
  router.on(
    "GET",
    `/subscriptions/:subscription${PROVIDER}`,
    armHandler(ctx, (req, res) => {
      requireSubscription(req.params.subscription ?? "");
      const clusters = (ctx.clusters ?? CLUSTERS).filter((c) => same(c.subscriptionId, req.params.subscription ?? ""));
      const items = clusters.map((c) => clusterResource(ctx, c, "Microsoft.ContainerService/ManagedClusters"));
      sendArm(res, 200, page(ctx, req.url, items));
    }),
  );

  router.on(
    "GET",
    `${RG}${PROVIDER}`,
    armHandler(ctx, (req, res) => {
      const clusters = inResourceGroup(req.params.subscription ?? "", req.params.resourceGroup ?? "");
      const items = clusters.map((c) => clusterResource(ctx, c, "Microsoft.ContainerService/ManagedClusters"));
      sendArm(res, 200, page(ctx, req.url, items));
    }),
  );

  router.on(
    "GET",
    `${RG}${PROVIDER}/:name`,
    armHandler(ctx, (req, res) =>
      sendArm(res, 200, clusterResource(ctx, findCluster(req.params), "Microsoft.ContainerService/managedClusters")),
    ),
  );

  router.on(
    "GET",
    `${RG}${PROVIDER}/:name/agentPools`,
    armHandler(ctx, (req, res) => {
      const cluster = findCluster(req.params);
      sendArm(
        res,
        200,
        page(
          ctx,
          req.url,
          cluster.agentPools.map((p) => poolResource(cluster, p)),
        ),
      );
    }),
  );

  router.on(
    "GET",
    `${RG}${PROVIDER}/:name/agentPools/:pool`,
    armHandler(ctx, (req, res) => {
      const cluster = findCluster(req.params);
      const pool = cluster.agentPools.find((p) => same(p.name, req.params.pool ?? ""));
      if (!pool) {
        throw new ArmError(
          404,
          "NotFound",
          `Agent pool '${req.params.pool}' not found in managed cluster '${cluster.name}'.`,
        );
      }
      sendArm(res, 200, poolResource(cluster, pool));
    }),
  );
}
