# The one app registration AKS JIT signs users in with and calls Graph and ARM as.

locals {
  # lib/cloud/required-permissions.ts GRAPH_PERMISSIONS, by `when` they are needed. Application
  # permissions, granted with admin consent below (test/terraform checks that both lists agree).
  graph_application_permissions = {
    always        = ["User.Read.All", "GroupMember.Read.All", "AuditLog.Read.All"]
    entraPimGroup = ["PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup", "PrivilegedEligibilitySchedule.Read.AzureADGroup", "RoleManagementPolicy.Read.AzureADGroup"]
    entraGroup    = ["GroupMember.ReadWrite.All"]
    endSessions   = ["User.RevokeSessions.All"]
    mail          = ["Mail.Send"]
    doctor        = ["Application.Read.All"]
  }
  granted_graph_permissions = distinct(flatten([
    for need, permissions in local.graph_application_permissions : permissions
    if need == "always" || contains(var.graph_permission_needs, need)
  ]))

  # SIGN_IN_DELEGATED_PERMISSIONS (groups overage: /me/transitiveMemberOf), and the OpenID Connect scopes
  # MSAL asks for at every sign-in.
  sign_in_delegated_permissions = ["User.Read"]
  oidc_scopes                   = ["openid", "profile", "offline_access"]

  # Scope ids are unique within the application only; a fixed one keeps the scope stable across applies.
  access_as_user_scope_id = "97bb1650-86ac-4776-9ba0-fcc42d73d6a5"
}

data "azuread_application_published_app_ids" "well_known" {}

data "azuread_service_principal" "msgraph" {
  client_id = data.azuread_application_published_app_ids.well_known.result["MicrosoftGraph"]
}

resource "azuread_application" "app" {
  display_name            = var.display_name
  sign_in_audience        = "AzureADMyOrg"
  owners                  = local.owners
  prevent_duplicate_names = true

  # Group ids in the ID token (the app's roles and eligibility); over 200 groups, the app reads them
  # from Graph with the delegated User.Read.
  group_membership_claims = ["SecurityGroup"]

  web {
    redirect_uris = ["${var.app_url}/auth/callback", "${var.app_url}/signed-out"]

    implicit_grant {
      access_token_issuance_enabled = false
      id_token_issuance_enabled     = false
    }
  }

  # Step-up: the approval popup redeems its code in the browser (PKCE, no secret).
  single_page_application {
    redirect_uris = ["${var.app_url}/auth/popup"]
  }

  # Step-up checks how fresh the sign-in is (auth_time) and the authentication context (acrs); Entra
  # puts both in the ID token only when the app registration asks for them
  # (REQUIRED_ID_TOKEN_OPTIONAL_CLAIMS).
  optional_claims {
    id_token {
      name = "auth_time"
    }

    id_token {
      name = "acrs"
    }
  }

  # The JSON API: people's tools ask for api://<client id>/access_as_user; v2 tokens only.
  api {
    requested_access_token_version = 2

    oauth2_permission_scope {
      id                         = local.access_as_user_scope_id
      value                      = "access_as_user"
      type                       = "User"
      admin_consent_display_name = "Use AKS JIT as the signed-in user"
      admin_consent_description  = "Lets a tool request, approve and review AKS access through the AKS JIT API as the signed-in user."
      user_consent_display_name  = "Use AKS JIT as you"
      user_consent_description   = "Lets a tool request, approve and review AKS access through the AKS JIT API as you."
      enabled                    = true
    }
  }

  required_resource_access {
    resource_app_id = data.azuread_application_published_app_ids.well_known.result["MicrosoftGraph"]

    dynamic "resource_access" {
      for_each = toset(local.granted_graph_permissions)

      content {
        id   = data.azuread_service_principal.msgraph.app_role_ids[resource_access.value]
        type = "Role"
      }
    }

    dynamic "resource_access" {
      for_each = toset(concat(local.oidc_scopes, local.sign_in_delegated_permissions))

      content {
        id   = data.azuread_service_principal.msgraph.oauth2_permission_scope_ids[resource_access.value]
        type = "Scope"
      }
    }
  }

  lifecycle {
    # api://<client id> is set by azuread_application_identifier_uri.api: it needs the client id first.
    ignore_changes = [identifier_uris]
  }
}

resource "azuread_application_identifier_uri" "api" {
  application_id = azuread_application.app.id
  identifier_uri = "api://${azuread_application.app.client_id}"
}

resource "azuread_service_principal" "app" {
  client_id                    = azuread_application.app.client_id
  owners                       = local.owners
  app_role_assignment_required = false
}

# Admin consent for each application permission: an app role assignment on Microsoft Graph's service
# principal, which is what app-only tokens carry in their `roles` claim.
resource "azuread_app_role_assignment" "graph" {
  for_each = toset(local.granted_graph_permissions)

  app_role_id         = data.azuread_service_principal.msgraph.app_role_ids[each.value]
  principal_object_id = azuread_service_principal.app.object_id
  resource_object_id  = data.azuread_service_principal.msgraph.object_id
}

# Admin consent for the delegated sign-in permissions, for every user.
resource "azuread_service_principal_delegated_permission_grant" "graph" {
  service_principal_object_id          = azuread_service_principal.app.object_id
  resource_service_principal_object_id = data.azuread_service_principal.msgraph.object_id
  claim_values                         = concat(local.oidc_scopes, local.sign_in_delegated_permissions)
}

# Entra Workload ID: the chart's ServiceAccount (web, worker) and its hooks' account trade their projected
# token for the app's tokens, so no client secret exists. Subject and issuer must match exactly.
resource "azuread_application_federated_identity_credential" "workload" {
  for_each = toset([var.service_account_name, "${var.service_account_name}-hook"])

  application_id = azuread_application.app.id
  display_name   = "${local.hosting_cluster.name}-${var.kubernetes_namespace}-${each.value}"
  description    = "AKS JIT pods on ${local.hosting_cluster.name}, namespace ${var.kubernetes_namespace}, service account ${each.value}"
  issuer         = data.azurerm_kubernetes_cluster.hosting.oidc_issuer_url
  subject        = "system:serviceaccount:${var.kubernetes_namespace}:${each.value}"
  audiences      = ["api://AzureADTokenExchange"]
}
