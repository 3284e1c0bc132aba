# What each grant was used for (issue 19, docs/activity.md): the app reads the clusters' Kubernetes
# audit logs from Log Analytics, so it needs Log Analytics Reader on the workspace(s); the module can
# also turn the audit logs on, in resource-specific mode (the AKSAuditAdmin / AKSAudit tables that the
# app queries), with one diagnostic setting per target cluster.

locals {
  # The workspaces the app queries: those named, and the one this module sends the audit logs to.
  activity_workspace_ids = toset(concat(
    tolist(var.log_analytics_workspace_ids),
    var.audit_log_workspace_id == null ? [] : [var.audit_log_workspace_id],
  ))

  # A diagnostic setting per target cluster, only when the module is asked to send the audit logs.
  audit_log_clusters = { for key, cluster in local.target_clusters : key => cluster if var.audit_log_workspace_id != null }
}

# Log Analytics Reader: `Microsoft.OperationalInsights/workspaces/query/read` and the tables' read
# (https://learn.microsoft.com/azure/azure-monitor/logs/manage-access#log-analytics-reader).
resource "azurerm_role_assignment" "log_analytics_reader" {
  for_each = local.activity_workspace_ids

  scope                = each.value
  role_definition_name = "Log Analytics Reader"
  principal_id         = azuread_service_principal.app.object_id
  principal_type       = "ServicePrincipal"
  description          = "AKS JIT summarises what each grant was used for from the AKS audit logs in this workspace."

  # The service principal was created moments ago; ARM may not see it yet (PrincipalNotFound).
  skip_service_principal_aad_check = true
}

# kube-audit-admin fills AKSAuditAdmin (no get/list: the cheaper default); kube-audit fills AKSAudit
# (every call, reads included: far more rows). "Dedicated" is resource-specific mode: without it the
# rows go to AzureDiagnostics and the AKSAudit* tables stay empty
# (https://learn.microsoft.com/azure/aks/monitor-aks#aks-control-planeresource-logs).
resource "azurerm_monitor_diagnostic_setting" "audit" {
  for_each = local.audit_log_clusters

  name                           = var.audit_log_setting_name
  target_resource_id             = each.value.id
  log_analytics_workspace_id     = var.audit_log_workspace_id
  log_analytics_destination_type = "Dedicated"

  dynamic "enabled_log" {
    for_each = toset(var.audit_log_categories)

    content {
      category = enabled_log.value
    }
  }
}
