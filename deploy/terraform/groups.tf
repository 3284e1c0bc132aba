# The groups of Microsoft's PIM-for-AKS guide and AKS JIT's own roles. Members are not managed here:
# people join the app-role and requester groups outside Terraform, and AKS JIT makes (and PIM ends) the
# memberships of the target groups.

locals {
  # Per cluster, one PIM-enabled target group per catalog role, so that admin on one cluster is not admin
  # on all of them (the guide's admin and node-access groups).
  target_roles = {
    "admin"       = "Kubernetes admin (Azure Kubernetes Service RBAC Admin) on"
    "node-access" = "Entra ID SSH login to the nodes (Virtual Machine User Login) of"
  }
  target_groups = merge([
    for cluster in keys(local.target_clusters) : {
      for role, what in local.target_roles : "${cluster}/${role}" => {
        cluster      = cluster
        role         = role
        display_name = "${var.name_prefix}${cluster}-${role}"
        description  = "AKS JIT: ${what} ${cluster} while a request is active (PIM for Groups)."
      }
    }
  ]...)

  # The default group and the requester groups given; keys are known at plan time, ids may not be.
  requester_principals = merge(
    { default = azuread_group.default.object_id },
    { for id in var.requester_group_ids : id => id },
  )

  # Every requester group is eligible for every target group.
  eligibilities = merge([
    for target in keys(local.target_groups) : {
      for requester, principal_id in local.requester_principals : "${target}/${requester}" => {
        target       = target
        principal_id = principal_id
      }
    }
  ]...)
}

resource "azuread_group" "approvers" {
  display_name            = "${var.name_prefix}approvers"
  description             = "AKS JIT: approve or deny requests (APPROVER_GROUP_IDS, the catalog's approverGroups)."
  security_enabled        = true
  owners                  = local.owners
  prevent_duplicate_names = true
}

resource "azuread_group" "auditors" {
  display_name            = "${var.name_prefix}auditors"
  description             = "AKS JIT: read and export the whole audit history (AUDITOR_GROUP_IDS)."
  security_enabled        = true
  owners                  = local.owners
  prevent_duplicate_names = true
}

resource "azuread_group" "admins" {
  display_name            = "${var.name_prefix}admins"
  description             = "AKS JIT: platform admins, revoke access and resolve drift (ADMIN_GROUP_IDS)."
  security_enabled        = true
  owners                  = local.owners
  prevent_duplicate_names = true
}

resource "azuread_group" "default" {
  display_name            = "${var.name_prefix}default"
  description             = "AKS JIT: engineers with read-only access who may request more (the catalog's eligibleGroups)."
  security_enabled        = true
  owners                  = local.owners
  prevent_duplicate_names = true
}

resource "azuread_group" "target" {
  for_each = local.target_groups

  display_name            = each.value.display_name
  description             = each.value.description
  security_enabled        = true
  owners                  = local.owners
  prevent_duplicate_names = true
}

# Settings of the group's "member" role in PIM. The rules that bind AKS JIT are the active-assignment
# ones: its assignments are admin assignments with an end (expiration required, at most
# pim_max_active_assignment; justification sent on every request; no MFA, which an app-only token cannot
# satisfy). Approval in PIM is an activation rule (Approval_EndUser_Assignment, microsoftgraph/
# microsoft-graph-docs-contrib: concepts/identity-governance-pim-rules-overview.md): it never applies to
# AKS JIT's assignments, only to eligible members activating themselves in the portal.
resource "azuread_group_role_management_policy" "target" {
  for_each = local.target_groups

  group_id = azuread_group.target[each.key].object_id
  role_id  = "member"

  active_assignment_rules {
    expiration_required                = true
    expire_after                       = var.pim_max_active_assignment
    require_justification              = true
    require_multifactor_authentication = false
    require_ticket_info                = false
  }

  eligible_assignment_rules {
    expiration_required = false
  }

  activation_rules {
    maximum_duration      = var.pim_max_activation_duration
    require_justification = true
    require_approval      = var.pim_self_activation_requires_approval

    dynamic "approval_stage" {
      for_each = var.pim_self_activation_requires_approval ? [azuread_group.approvers.object_id] : []

      content {
        primary_approver {
          object_id = approval_stage.value
          type      = "groupMembers"
        }
      }
    }
  }
}

# The requester groups are eligible members of each target group (the guide's "Eligible" assignment of
# the default group): `npm run doctor` checks this, and PIM shows who may hold the group.
resource "azuread_privileged_access_group_eligibility_schedule" "requesters" {
  for_each = local.eligibilities

  group_id             = azuread_group.target[each.value.target].object_id
  principal_id         = each.value.principal_id
  assignment_type      = "member"
  permanent_assignment = true
  justification        = "AKS JIT requesters may be granted this group through AKS JIT."

  depends_on = [azuread_group_role_management_policy.target]
}
