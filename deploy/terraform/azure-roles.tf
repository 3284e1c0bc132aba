# Azure RBAC: the app's custom role on each cluster and node resource group, and the standing roles of
# the guide's groups (membership of the target groups is what AKS JIT makes time-bound).

locals {
  # lib/cloud/required-permissions.ts PROVISIONER_ROLE. "Role Based Access Control Administrator" lacks
  # roleAssignmentScheduleRequests/write, so armPim grants would get 403 AuthorizationFailed with it.
  provisioner_role = {
    name        = "AKS JIT Access Provisioner"
    description = "Lets AKS JIT grant and remove time-bound Azure role assignments on AKS clusters and node resource groups."
    actions = [
      "Microsoft.Authorization/roleAssignmentScheduleRequests/write",
      "Microsoft.Authorization/roleAssignmentScheduleRequests/read",
      "Microsoft.Authorization/roleAssignmentScheduleRequests/cancel/action",
      "Microsoft.Authorization/roleAssignmentScheduleInstances/read",
      "Microsoft.Authorization/roleAssignmentSchedules/read",
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "Microsoft.Authorization/roleAssignments/read",
      "Microsoft.Authorization/roleDefinitions/read",
      "Microsoft.Authorization/roleManagementPolicies/read",
      "Microsoft.Authorization/roleManagementPolicyAssignments/read",
      "Microsoft.ContainerService/managedClusters/read",
      "Microsoft.ContainerService/managedClusters/agentPools/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Insights/diagnosticSettings/read",
    ]
  }

  # The scopes the catalog's ARM grants use: `cluster` and `nodeResourceGroup`.
  provisioner_scopes = merge([
    for key, cluster in local.target_clusters : {
      "${key}/cluster"             = cluster.id
      "${key}/node-resource-group" = data.azurerm_kubernetes_cluster.target[key].node_resource_group_id
    }
  ]...)

  # The guide's standing assignments, per cluster: the requester groups read (RBAC Reader and Cluster
  # User Role on the cluster; Reader on its resource group, below), admin administers Kubernetes,
  # node-access logs in to the node VMs. Keys are known at plan time; principals may not be.
  group_role_assignments = merge([
    for key, cluster in local.target_clusters : merge(
      {
        for requester_key, principal_id in local.requester_principals : "${key}/${requester_key}/rbac-reader" => {
          scope        = cluster.id
          role         = "Azure Kubernetes Service RBAC Reader"
          principal_id = principal_id
        }
      },
      {
        for requester_key, principal_id in local.requester_principals : "${key}/${requester_key}/cluster-user" => {
          scope        = cluster.id
          role         = "Azure Kubernetes Service Cluster User Role"
          principal_id = principal_id
        }
      },
      {
        "${key}/admin/rbac-admin" = {
          scope        = cluster.id
          role         = "Azure Kubernetes Service RBAC Admin"
          principal_id = azuread_group.target["${key}/admin"].object_id
        }
        "${key}/node-access/vm-user-login" = {
          scope        = data.azurerm_kubernetes_cluster.target[key].node_resource_group_id
          role         = "Virtual Machine User Login"
          principal_id = azuread_group.target["${key}/node-access"].object_id
        }
      },
    )
  ]...)

  # Reader on each cluster's resource group, once per resource group (clusters may share one).
  requester_resource_group_readers = merge([
    for resource_group_id in distinct([for cluster in local.target_clusters : "/subscriptions/${cluster.subscription_id}/resourceGroups/${cluster.resource_group_name}"]) : {
      for requester_key, principal_id in local.requester_principals : "${lower(resource_group_id)}/${requester_key}/reader" => {
        scope        = resource_group_id
        role         = "Reader"
        principal_id = principal_id
      }
    }
  ]...)
}

resource "azurerm_role_definition" "provisioner" {
  name        = local.provisioner_role.name
  scope       = data.azurerm_subscription.current.id
  description = local.provisioner_role.description

  permissions {
    actions = local.provisioner_role.actions
  }

  assignable_scopes = [data.azurerm_subscription.current.id]
}

resource "azurerm_role_assignment" "provisioner" {
  for_each = local.provisioner_scopes

  scope              = each.value
  role_definition_id = azurerm_role_definition.provisioner.role_definition_resource_id
  principal_id       = azuread_service_principal.app.object_id
  principal_type     = "ServicePrincipal"
  description        = "AKS JIT grants and removes time-bound access here."

  # The service principal was created moments ago; ARM may not see it yet (PrincipalNotFound).
  skip_service_principal_aad_check = true
}

resource "azurerm_role_assignment" "groups" {
  for_each = merge(local.group_role_assignments, local.requester_resource_group_readers)

  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = each.value.principal_id
  principal_type       = "Group"
}
