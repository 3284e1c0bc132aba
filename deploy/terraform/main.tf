# AKS JIT in an Entra tenant and Azure subscription: the app registration and its permissions
# (app-registration.tf), the groups and their PIM settings (groups.tf), the Azure roles (azure-roles.tf)
# and what the Helm chart needs from all of it (outputs.tf). The clusters are read, never changed.

data "azuread_client_config" "current" {}

data "azurerm_client_config" "current" {}

data "azurerm_subscription" "current" {}

locals {
  # ARM ids as `az aks show --query id` prints them (resourcegroups in lower case) or as the portal does.
  cluster_id_pattern = "(?i)^/subscriptions/(?P<subscription_id>[^/]+)/resourceGroups/(?P<resource_group_name>[^/]+)/providers/Microsoft\\.ContainerService/managedClusters/(?P<name>[^/]+)$"

  target_clusters = { for key, id in var.target_clusters : key => merge(regex(local.cluster_id_pattern, id), { id = id }) }
  hosting_cluster = regex(local.cluster_id_pattern, var.hosting_cluster_id)

  owners = distinct(concat([data.azuread_client_config.current.object_id], var.owner_object_ids))
}

# Microsoft's PIM-for-AKS guide (MicrosoftDocs/azure-aks-docs: articles/aks/privileged-identity-management.md)
# assumes managed Entra integration; the AKS roles it assigns authorize Kubernetes calls only with Azure
# RBAC for Kubernetes authorization (articles/aks/manage-azure-rbac.md). The azurerm data source exposes
# those two, so the plan stops here when they are off. Local accounts disabled is checked by
# `npm run doctor` (the data source does not expose it); README.md gives the `az aks update` commands.
data "azurerm_kubernetes_cluster" "target" {
  for_each = local.target_clusters

  name                = each.value.name
  resource_group_name = each.value.resource_group_name

  lifecycle {
    precondition {
      condition     = lower(each.value.subscription_id) == lower(data.azurerm_client_config.current.subscription_id)
      error_message = "Cluster ${each.key} is in subscription ${each.value.subscription_id}; this module reads clusters in the azurerm provider's subscription only (${data.azurerm_client_config.current.subscription_id})."
    }

    postcondition {
      condition     = try(self.azure_active_directory_role_based_access_control[0].azure_rbac_enabled, false)
      error_message = "Cluster ${each.key} needs managed Entra integration with Azure RBAC for Kubernetes authorization: az aks update -g ${each.value.resource_group_name} -n ${each.value.name} --enable-aad --enable-azure-rbac --disable-local-accounts"
    }
  }
}

data "azurerm_kubernetes_cluster" "hosting" {
  name                = local.hosting_cluster.name
  resource_group_name = local.hosting_cluster.resource_group_name

  lifecycle {
    postcondition {
      condition     = self.oidc_issuer_enabled && try(length(self.oidc_issuer_url) > 0, false)
      error_message = "The hosting cluster needs its OIDC issuer and workload identity: az aks update -g ${local.hosting_cluster.resource_group_name} -n ${local.hosting_cluster.name} --enable-oidc-issuer --enable-workload-identity"
    }
  }
}
