/* Azure Kubernetes Service, read-only (contract C): the demo clusters and their agent pools, shaped
 * like the spec examples ManagedClustersList.json and AgentPoolsList.json. Any api-version is accepted.
 * Each cluster's security settings (Entra integration, local accounts, API server access, OIDC issuer,
 * workload identity, each pool's SSH access) start from the defaults below and the tenant seed's
 * `azure.clusters`; the test knob PUT /_emulator/clusters/:name changes them while the emulator runs,
 * as `az aks update` would (GET shows them, DELETE puts the seed's back). */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { EmulatorContext } from "./context";
import { type Router, sendJson } from "./http";
import { ArmError, armHandler, page, requireSubscription, sendArm } from "./arm-common";
import { CLUSTERS, type SeedAgentPool, type SeedCluster } from "./arm-seed";
import { type ClusterSettingsOverride, ZClusterSettingsOverride } from "./tenant";

const PROVIDER = "/providers/Microsoft.ContainerService/managedClusters";
const RG = "/subscriptions/:subscription/resourceGroups/:resourceGroup";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** AKS answers with a lower-case `resourcegroups` segment in ids; ARM ids compare case-insensitively (C). */
const clusterId = (c: SeedCluster) =>
  `/subscriptions/${c.subscriptionId}/resourcegroups/${c.resourceGroup}${PROVIDER}/${c.name}`;

function poolProperties(cluster: SeedCluster, pool: SeedAgentPool, settings: ClusterSettings) {
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
    securityProfile: {
      sshAccess: settings.sshAccess[pool.name] ?? DEFAULT_SSH_ACCESS,
      enableVTPM: false,
      enableSecureBoot: false,
    },
  };
}

function poolResource(cluster: SeedCluster, pool: SeedAgentPool, settings: ClusterSettings) {
  return {
    id: `${clusterId(cluster)}/agentPools/${pool.name}`,
    name: pool.name,
    type: "Microsoft.ContainerService/managedClusters/agentPools",
    properties: poolProperties(cluster, pool, settings),
  };
}

type ClusterSettings = Required<ClusterSettingsOverride>;

/** What `az aks nodepool add` gives a pool that does not say (MicrosoftDocs/azure-aks-docs articles/aks/manage-ssh-node-access.md). */
const DEFAULT_SSH_ACCESS = "LocalUser";

/**
 * The settings Microsoft's PIM-for-AKS guide assumes (managed Entra integration, Azure RBAC, no local
 * accounts: MicrosoftDocs/azure-aks-docs articles/aks/manage-azure-rbac.md, manage-local-accounts-managed-azure-ad.md),
 * and otherwise what `az aks create` gives: a public API server open to any address (api-server-authorized-ip-ranges.md),
 * no OIDC issuer or workload identity (workload-identity-deploy-cluster.md), SSH by local user on every pool.
 */
const DEFAULT_SETTINGS: ClusterSettings = {
  managed: true,
  enableAzureRBAC: true,
  disableLocalAccounts: true,
  adminGroupObjectIDs: [],
  enablePrivateCluster: false,
  enablePrivateClusterPublicFQDN: false,
  authorizedIPRanges: [],
  oidcIssuer: false,
  workloadIdentity: false,
  sshAccess: {},
};

/** The seed's settings for a cluster: the defaults, then the tenant seed's `azure.clusters` entry. */
function seededSettings(ctx: EmulatorContext, c: SeedCluster): ClusterSettings {
  const {
    name: _name,
    $comment: _why,
    ...override
  } = ctx.tenant.azure.clusters.find((o) => same(o.name, c.name)) ?? {
    name: "",
  };
  return merge(DEFAULT_SETTINGS, override);
}

function merge(current: ClusterSettings, patch: ClusterSettingsOverride): ClusterSettings {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  return { ...current, ...defined, sshAccess: { ...current.sshAccess, ...patch.sshAccess } };
}

/**
 * What AKS refuses in an update, in its words: workload identity without the OIDC issuer
 * (workload-identity-deploy-cluster.md: "--enable-workload-identity requires --enable-oidc-issuer"),
 * authorized IP ranges on a private cluster (api-server-authorized-ip-ranges.md: not supported with
 * private clusters), and an SSH mode for a pool the cluster does not have.
 */
function refusal(c: SeedCluster, next: ClusterSettings): string | undefined {
  if (next.workloadIdentity && !next.oidcIssuer) return "Workload identity requires the OIDC issuer to be enabled.";
  if (next.enablePrivateCluster && next.authorizedIPRanges.length > 0) {
    return "API server authorized IP ranges are not supported on a private cluster.";
  }
  const unknown = Object.keys(next.sshAccess).find((pool) => !c.agentPools.some((p) => p.name === pool));
  return unknown ? `Agent pool '${unknown}' not found in managed cluster '${c.name}'.` : undefined;
}

/** The cluster's API server endpoints as AKS answers them: a private cluster has privateFQDN and a public fqdn only on request. */
function endpoints(c: SeedCluster, settings: ClusterSettings, suffix: string) {
  const publicFqdn = `${c.dnsPrefix}-${suffix}.hcp.${c.location}.azmk8s.io`;
  if (!settings.enablePrivateCluster) return { fqdn: publicFqdn };
  const privateFQDN = `${c.dnsPrefix}-${suffix}.${suffix}${suffix.slice(0, 4)}.privatelink.${c.location}.azmk8s.io`;
  return settings.enablePrivateClusterPublicFQDN ? { fqdn: publicFqdn, privateFQDN } : { privateFQDN };
}

function clusterResource(ctx: EmulatorContext, c: SeedCluster, settings: ClusterSettings, type: string) {
  const suffix = createHash("sha256").update(clusterId(c)).digest("hex").slice(0, 8);
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
      ...endpoints(c, settings, suffix),
      azurePortalFQDN: `${c.dnsPrefix}-${suffix}.portal.hcp.${c.location}.azmk8s.io`,
      agentPoolProfiles: c.agentPools.map((p) => ({ name: p.name, ...poolProperties(c, p, settings) })),
      nodeResourceGroup: c.nodeResourceGroup,
      enableRBAC: true,
      disableLocalAccounts: settings.disableLocalAccounts,
      supportPlan: "KubernetesOfficial",
      maxAgentPools: 100,
      // Wire casing is RBAC / IDs / ID; the JS SDK renames them (contract C).
      aadProfile: {
        managed: settings.managed,
        enableAzureRBAC: settings.enableAzureRBAC,
        adminGroupObjectIDs: settings.adminGroupObjectIDs,
        tenantID: ctx.tenant.id,
      },
      // authorizedIPRanges is left out when none are set, as AKS answers.
      apiServerAccessProfile: {
        enablePrivateCluster: settings.enablePrivateCluster,
        ...(settings.enablePrivateCluster && {
          enablePrivateClusterPublicFQDN: settings.enablePrivateClusterPublicFQDN,
          privateDNSZone: "system",
        }),
        ...(settings.authorizedIPRanges.length > 0 && { authorizedIPRanges: settings.authorizedIPRanges }),
      },
      oidcIssuerProfile: {
        enabled: settings.oidcIssuer,
        ...(settings.oidcIssuer && {
          issuerURL: `https://${c.location}.oic.prod-aks.azure.com/${ctx.tenant.id}/${suffix}/`,
        }),
      },
      securityProfile: { workloadIdentity: { enabled: settings.workloadIdentity } },
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
  // What the knob changed, by lower-case cluster name; the seed's settings for the others.
  const changed = new Map<string, ClusterSettings>();
  const settingsOf = (c: SeedCluster) => changed.get(c.name.toLowerCase()) ?? seededSettings(ctx, c);
  const resource = (c: SeedCluster, type: string) => clusterResource(ctx, c, settingsOf(c), type);

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
      const items = clusters.map((c) => resource(c, "Microsoft.ContainerService/ManagedClusters"));
      sendArm(res, 200, page(ctx, req.url, items));
    }),
  );

  router.on(
    "GET",
    `${RG}${PROVIDER}`,
    armHandler(ctx, (req, res) => {
      const clusters = inResourceGroup(req.params.subscription ?? "", req.params.resourceGroup ?? "");
      const items = clusters.map((c) => resource(c, "Microsoft.ContainerService/ManagedClusters"));
      sendArm(res, 200, page(ctx, req.url, items));
    }),
  );

  router.on(
    "GET",
    `${RG}${PROVIDER}/:name`,
    armHandler(ctx, (req, res) =>
      sendArm(res, 200, resource(findCluster(req.params), "Microsoft.ContainerService/managedClusters")),
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
          cluster.agentPools.map((p) => poolResource(cluster, p, settingsOf(cluster))),
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
      sendArm(res, 200, poolResource(cluster, pool, settingsOf(cluster)));
    }),
  );

  // Test knob: a cluster's settings now, changed (any subset, each pool's SSH mode by name) or put
  // back to the seed's.
  const knobCluster = (name: string) => (ctx.clusters ?? CLUSTERS).find((c) => same(c.name, name));
  const notFound = (name: string) => ({ error: { code: "NotFound", message: `no cluster ${name}` } });
  router.on("GET", "/_emulator/clusters/:name", (req, res) => {
    const cluster = knobCluster(req.params.name ?? "");
    if (!cluster) return sendJson(res, 404, notFound(req.params.name ?? ""));
    sendJson(res, 200, settingsOf(cluster));
  });
  router.on("PUT", "/_emulator/clusters/:name", (req, res) => {
    const cluster = knobCluster(req.params.name ?? "");
    if (!cluster) return sendJson(res, 404, notFound(req.params.name ?? ""));
    const parsed = ZClusterSettingsOverride.safeParse(req.body);
    if (!parsed.success) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: z.prettifyError(parsed.error) } });
    }
    const next = merge(settingsOf(cluster), parsed.data);
    const refused = refusal(cluster, next);
    if (refused) return sendJson(res, 400, { error: { code: "BadRequest", message: refused } });
    changed.set(cluster.name.toLowerCase(), next);
    sendJson(res, 200, next);
  });
  router.on("DELETE", "/_emulator/clusters/:name", (req, res) => {
    const cluster = knobCluster(req.params.name ?? "");
    if (!cluster) return sendJson(res, 404, notFound(req.params.name ?? ""));
    changed.delete(cluster.name.toLowerCase());
    sendJson(res, 200, settingsOf(cluster));
  });
}
