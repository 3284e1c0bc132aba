variable "app_url" {
  description = "Public origin of the dashboard, https and without a trailing slash (the Helm value appUrl, the app's APP_URL). The redirect URIs are built from it."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+$", var.app_url))
    error_message = "app_url must be an https origin without a path or trailing slash, e.g. https://jit.contoso.com."
  }
}

variable "display_name" {
  description = "Display name of the app registration, shown on the Entra sign-in and consent pages."
  type        = string
  default     = "AKS JIT"
}

variable "name_prefix" {
  description = "Prefix of every group this module creates, e.g. aks-jit-approvers, aks-jit-aks-prod-weu-admin."
  type        = string
  default     = "aks-jit-"
}

variable "owner_object_ids" {
  description = "Object ids of users or service principals that own the app registration, its service principal and the groups, besides the identity running Terraform."
  type        = list(string)
  default     = []
}

variable "target_clusters" {
  description = "The AKS clusters AKS JIT grants access to, by their name in the access catalog: { \"aks-prod-weu\" = \"/subscriptions/.../resourceGroups/.../providers/Microsoft.ContainerService/managedClusters/...\" }. Existing clusters in the azurerm provider's subscription; the module reads them and fails the plan when one lacks managed Entra integration with Azure RBAC."
  type        = map(string)

  validation {
    condition     = alltrue([for name in keys(var.target_clusters) : can(regex("^[a-z0-9][a-z0-9-]{0,62}$", name))])
    error_message = "target_clusters keys are catalog cluster names: lowercase letters, digits and hyphens."
  }

  validation {
    condition = alltrue([
      for id in values(var.target_clusters) :
      can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.ContainerService/managedClusters/[^/]+$", id))
    ])
    error_message = "target_clusters values must be AKS resource ids (az aks show -g <rg> -n <name> --query id -o tsv)."
  }
}

variable "hosting_cluster_id" {
  description = "Resource id of the AKS cluster that runs AKS JIT (in the azurerm provider's subscription). Its OIDC issuer is the issuer of the federated identity credentials; OIDC issuer and workload identity must be enabled on it."
  type        = string

  validation {
    condition     = can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.ContainerService/managedClusters/[^/]+$", var.hosting_cluster_id))
    error_message = "hosting_cluster_id must be an AKS resource id."
  }
}

variable "kubernetes_namespace" {
  description = "Namespace of the Helm release on the hosting cluster (the federated credentials' subject system:serviceaccount:<namespace>:<service account>)."
  type        = string
  default     = "aks-jit"
}

variable "service_account_name" {
  description = "Name of the chart's ServiceAccount (Helm value serviceAccount.name). The chart's hooks run as <name>-hook; both get a federated credential."
  type        = string
  default     = "aks-jit"
}

variable "requester_group_ids" {
  description = "Existing Entra groups whose members may request access, besides the <prefix>default group the module creates. They become PIM-eligible for every target group and hold the default (read-only) roles."
  type        = list(string)
  default     = []
}

variable "graph_permission_needs" {
  description = "Which optional needs to grant Microsoft Graph application permissions for (lib/cloud/required-permissions.ts): entraPimGroup, entraGroup, endSessions, mail, doctor. The \"always\" permissions are always granted."
  type        = set(string)
  default     = ["entraPimGroup", "endSessions", "doctor"]

  validation {
    condition     = alltrue([for need in var.graph_permission_needs : contains(["entraPimGroup", "entraGroup", "endSessions", "mail", "doctor"], need)])
    error_message = "graph_permission_needs may contain entraPimGroup, entraGroup, endSessions, mail and doctor."
  }
}

variable "pim_max_activation_duration" {
  description = "Longest self-activation PIM allows on the target groups (ISO 8601, PT30M to PT23H30M in 30-minute steps, or PT1D). Self-activation happens in the Azure portal, outside AKS JIT."
  type        = string
  default     = "PT8H"
}

variable "pim_max_active_assignment" {
  description = "Longest active (admin) assignment PIM allows on the target groups: a second fence behind the catalog's maxDuration for the assignments AKS JIT makes. One of P15D, P30D, P90D, P180D, P365D (PIM's choices)."
  type        = string
  default     = "P15D"

  validation {
    condition     = contains(["P15D", "P30D", "P90D", "P180D", "P365D"], var.pim_max_active_assignment)
    error_message = "pim_max_active_assignment must be one of P15D, P30D, P90D, P180D, P365D."
  }
}

variable "pim_self_activation_requires_approval" {
  description = "Eligible members can also activate a target group themselves in the Azure portal's PIM blade, outside AKS JIT. true: such an activation needs approval by the approver group in PIM. AKS JIT's own assignments are admin assignments, to which PIM's approval rule never applies. false: anyone eligible may self-activate without approval (Microsoft's guide without 'Require approval')."
  type        = bool
  default     = true
}

variable "log_analytics_workspace_ids" {
  description = "Log Analytics workspaces (ARM ids) that hold the target clusters' Kubernetes audit logs: the app gets Log Analytics Reader on each to summarise what every grant was used for (docs/activity.md). The workspace of audit_log_workspace_id is added to them."
  type        = set(string)
  default     = []

  validation {
    condition = alltrue([
      for id in var.log_analytics_workspace_ids :
      can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.OperationalInsights/workspaces/[^/]+$", id))
    ])
    error_message = "log_analytics_workspace_ids must be workspace resource ids (az monitor log-analytics workspace show -g <rg> -n <name> --query id -o tsv)."
  }
}

variable "audit_log_workspace_id" {
  description = "A Log Analytics workspace (ARM id) to send every target cluster's Kubernetes audit logs to, in resource-specific mode, with one diagnostic setting per cluster. null: the module leaves the clusters' diagnostic settings alone (npm run doctor says when audit logs are not collected)."
  type        = string
  default     = null

  validation {
    condition     = var.audit_log_workspace_id == null || can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.OperationalInsights/workspaces/[^/]+$", var.audit_log_workspace_id))
    error_message = "audit_log_workspace_id must be a workspace resource id."
  }
}

variable "audit_log_categories" {
  description = "The audit categories the diagnostic settings send: kube-audit-admin (the AKSAuditAdmin table, no get/list: the cheaper default) and, for a catalog whose clusters set auditLogs.table: AKSAudit, kube-audit (every call, reads included: many more rows, much more cost)."
  type        = list(string)
  default     = ["kube-audit-admin"]

  validation {
    condition     = length(var.audit_log_categories) > 0 && alltrue([for category in var.audit_log_categories : contains(["kube-audit-admin", "kube-audit"], category)])
    error_message = "audit_log_categories may contain kube-audit-admin and kube-audit."
  }
}

variable "audit_log_setting_name" {
  description = "Name of the diagnostic setting the module creates on each target cluster (a cluster may have up to five)."
  type        = string
  default     = "aks-jit-audit"
}
