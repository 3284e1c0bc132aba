# What the Helm chart (deploy/helm/aks-jit/values.yaml) and the access catalog need. helm_values_yaml
# is a values file: terraform output -raw helm_values_yaml > tenant-values.yaml, then
# helm upgrade --install ... -f tenant-values.yaml -f your-values.yaml. Every other output is one of its
# values (README.md, "Outputs and Helm values"), except catalog_clusters, which goes into the catalog.

locals {
  helm_values = {
    appUrl = var.app_url
    entra = {
      tenantId         = data.azuread_client_config.current.tenant_id
      clientId         = azuread_application.app.client_id
      approverGroupIds = [azuread_group.approvers.object_id]
      auditorGroupIds  = [azuread_group.auditors.object_id]
      adminGroupIds    = [azuread_group.admins.object_id]
    }
    serviceAccount = {
      create = true
      name   = var.service_account_name
    }
    # The chart annotates the ServiceAccount with azure.workload.identity/client-id = this client id.
    workloadIdentity = {
      enabled  = true
      clientId = azuread_application.app.client_id
    }
  }

  # The catalog's cluster entries with this module's ids; each role still needs its policy
  # (approvalsRequired, maxDuration, justification ...). See jit.catalog.yaml.
  catalog_clusters = [
    for key, cluster in local.target_clusters : {
      name              = key
      resourceId        = cluster.id
      nodeResourceGroup = data.azurerm_kubernetes_cluster.target[key].node_resource_group
      roles = [
        for role in keys(local.target_roles) : {
          name = role
          grants = [{
            kind    = "entraPimGroup"
            groupId = azuread_group.target["${key}/${role}"].object_id
          }]
          policy = {
            eligibleGroups = values(local.requester_principals)
            approverGroups = [azuread_group.approvers.object_id]
          }
        }
      ]
    }
  ]
}

output "helm_values" {
  description = "The Helm values this module determines, as an object (the same as helm_values_yaml)."
  value       = local.helm_values
}

output "helm_values_yaml" {
  description = "The Helm values this module determines, as a values file for helm -f."
  value       = yamlencode(local.helm_values)
}

output "app_url" {
  description = "Public origin of the dashboard: Helm value appUrl."
  value       = local.helm_values.appUrl
}

output "tenant_id" {
  description = "Entra tenant id: Helm value entra.tenantId."
  value       = local.helm_values.entra.tenantId
}

output "client_id" {
  description = "The app registration's Application (client) ID: Helm values entra.clientId and workloadIdentity.clientId (the ServiceAccount's azure.workload.identity/client-id annotation)."
  value       = local.helm_values.entra.clientId
}

output "approver_group_ids" {
  description = "Object ids of the groups whose members approve: Helm value entra.approverGroupIds."
  value       = local.helm_values.entra.approverGroupIds
}

output "auditor_group_ids" {
  description = "Object ids of the groups whose members audit: Helm value entra.auditorGroupIds."
  value       = local.helm_values.entra.auditorGroupIds
}

output "admin_group_ids" {
  description = "Object ids of the groups of platform admins: Helm value entra.adminGroupIds."
  value       = local.helm_values.entra.adminGroupIds
}

output "service_account_name" {
  description = "The ServiceAccount the federated credentials trust: Helm value serviceAccount.name."
  value       = local.helm_values.serviceAccount.name
}

output "catalog_clusters" {
  description = "The access catalog's clusters with their target groups and requester/approver groups (catalog.content in Helm, or your catalog file); add each role's policy."
  value       = local.catalog_clusters
}
