{{/* Cross-field rules the schema cannot word clearly. Included once, from configmap.yaml. */}}
{{- define "aks-jit.validate" -}}
{{- $v := .Values -}}
{{- if and $v.secrets.existingSecret $v.secrets.keyVault.enabled -}}
{{- fail "set one secrets source: secrets.existingSecret or secrets.keyVault.enabled, not both" -}}
{{- end -}}
{{- if and (not $v.secrets.existingSecret) (not $v.secrets.keyVault.enabled) -}}
{{- fail "a secrets source is required: secrets.existingSecret (a Secret name) or secrets.keyVault.enabled" -}}
{{- end -}}
{{- if and $v.catalog.content $v.catalog.existingConfigMap -}}
{{- fail "set one catalog source: catalog.content or catalog.existingConfigMap, not both" -}}
{{- end -}}
{{- if and (not $v.catalog.content) (not $v.catalog.existingConfigMap) -}}
{{- fail "a catalog is required: catalog.content (YAML) or catalog.existingConfigMap" -}}
{{- end -}}
{{- if and $v.workloadIdentity.enabled $v.workloadIdentity.clientId (ne (lower $v.workloadIdentity.clientId) (lower $v.entra.clientId)) -}}
{{- fail "workloadIdentity.clientId must equal entra.clientId: the app signs users in and calls Graph and ARM as one app registration" -}}
{{- end -}}
{{- if and $v.metrics.podMonitor.enabled $v.metrics.serviceMonitor.enabled -}}
{{- fail "enable at most one of metrics.podMonitor and metrics.serviceMonitor" -}}
{{- end -}}
{{- /* Managed Prometheus scrapes from its ama-metrics pods, which run in kube-system only. */ -}}
{{- if and $v.networkPolicy.enabled (eq $v.metrics.apiGroup "azmonitoring.coreos.com") (or $v.metrics.podMonitor.enabled $v.metrics.serviceMonitor.enabled) (not (has "kube-system" $v.networkPolicy.metricsNamespaces)) -}}
{{- fail "networkPolicy.metricsNamespaces must include kube-system with metrics.apiGroup azmonitoring.coreos.com: Azure Monitor managed Prometheus scrapes from its ama-metrics pods in kube-system" -}}
{{- end -}}
{{- if and $v.ingress.enabled $v.ingress.tls.enabled (not $v.ingress.tls.secretName) -}}
{{- fail "ingress.tls.secretName is required when ingress.enabled and ingress.tls.enabled" -}}
{{- end -}}
{{- if and $v.auditVerifyKey.secretName $v.auditVerifyKey.configMapName -}}
{{- fail "set at most one of auditVerifyKey.secretName and auditVerifyKey.configMapName" -}}
{{- end -}}
{{- if $v.secrets.keyVault.enabled -}}
{{- $o := $v.secrets.keyVault.objects -}}
{{- if not $v.secrets.keyVault.vaultName -}}
{{- fail "secrets.keyVault.vaultName is required when secrets.keyVault.enabled" -}}
{{- end -}}
{{- /* entraClientSecret only without Workload ID, which needs no client secret. */ -}}
{{- $required := list "databaseUrl" "migrationDatabaseUrl" "listenDatabaseUrl" "sessionSecret" -}}
{{- if not $v.workloadIdentity.enabled -}}
{{- $required = append $required "entraClientSecret" -}}
{{- end -}}
{{- if and $v.workloadIdentity.enabled $o.entraClientSecret -}}
{{- fail "secrets.keyVault.objects.entraClientSecret must be empty when workloadIdentity.enabled: the app signs in with the federated token and refuses to start with a client secret too" -}}
{{- end -}}
{{- $why := dict "listenDatabaseUrl" ", holding DATABASE_LISTEN_URL: a DIRECT connection (port 5432, not PgBouncer) for the web and worker pods' LISTEN" -}}
{{- range $key := $required -}}
{{- if not (get $o $key) -}}
{{- fail (printf "secrets.keyVault.objects.%s is required when secrets.keyVault.enabled (the Key Vault secret's name%s)" $key (get $why $key)) -}}
{{- end -}}
{{- end -}}
{{- if not (include "aks-jit.keyVaultClientId" .) -}}
{{- fail "secrets.keyVault.clientId is required unless workloadIdentity.enabled (then it defaults to the workload identity's client id)" -}}
{{- end -}}
{{- end -}}
{{- end -}}
