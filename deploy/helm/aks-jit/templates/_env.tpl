{{/* Configuration ---------------------------------------------------------------------------- */}}

{{- define "aks-jit.catalogDir" -}}/etc/aks-jit/catalog{{- end -}}
{{- define "aks-jit.auditKeyDir" -}}/etc/aks-jit/audit{{- end -}}

{{- define "aks-jit.workloadIdentityClientId" -}}
{{- default .Values.entra.clientId .Values.workloadIdentity.clientId -}}
{{- end -}}

{{/* The non-secret environment of every app process (web, worker, config check): ConfigMap data. */}}
{{- define "aks-jit.configData" -}}
NODE_ENV: "production"
APP_URL: {{ .Values.appUrl | quote }}
ENTRA_TENANT_ID: {{ .Values.entra.tenantId | quote }}
ENTRA_CLIENT_ID: {{ .Values.entra.clientId | quote }}
ENTRA_AUTHORITY_HOST: {{ .Values.entra.authorityHost | quote }}
APPROVER_GROUP_IDS: {{ join "," .Values.entra.approverGroupIds | quote }}
AUDITOR_GROUP_IDS: {{ join "," .Values.entra.auditorGroupIds | quote }}
ADMIN_GROUP_IDS: {{ join "," .Values.entra.adminGroupIds | quote }}
GRAPH_BASE_URL: {{ .Values.config.graphBaseUrl | quote }}
ARM_BASE_URL: {{ .Values.config.armBaseUrl | quote }}
CATALOG_PATH: {{ printf "%s/catalog.yaml" (include "aks-jit.catalogDir" .) | quote }}
JOBS_IN_WEB: "false"
JOB_RETRY_LIMIT: {{ .Values.config.jobRetryLimit | quote }}
JOB_RETRY_DELAY_SECONDS: {{ .Values.config.jobRetryDelaySeconds | quote }}
JOB_TIMEOUT_SECONDS: {{ .Values.config.jobTimeoutSeconds | quote }}
RECONCILE_EVERY_MINUTES: {{ .Values.config.reconcileEveryMinutes | quote }}
TOKEN_LIFETIME_MINUTES: {{ .Values.config.tokenLifetimeMinutes | quote }}
SESSION_IDLE_MINUTES: {{ .Values.config.sessionIdleMinutes | quote }}
SESSION_ABSOLUTE_HOURS: {{ .Values.config.sessionAbsoluteHours | quote }}
ROLE_FRESHNESS_SECONDS: {{ .Values.config.roleFreshnessSeconds | quote }}
{{- with .Values.config.notifyMailSender }}
NOTIFY_MAIL_SENDER: {{ . | quote }}
{{- end }}
NOTIFY_ENDING_SOON_MINUTES: {{ .Values.config.notifyEndingSoonMinutes | quote }}
{{- /* The ingress controller is the one proxy in front of the pods when the chart makes the Ingress. */}}
TRUSTED_PROXIES: {{ .Values.config.trustedProxies | default (ternary "1" "0" .Values.ingress.enabled) | quote }}
RATE_LIMIT_REQUESTS: {{ .Values.config.rateLimits.requests | quote }}
RATE_LIMIT_DECISIONS: {{ .Values.config.rateLimits.decisions | quote }}
RATE_LIMIT_EXPORTS: {{ .Values.config.rateLimits.exports | quote }}
RATE_LIMIT_STEP_UP: {{ .Values.config.rateLimits.stepUp | quote }}
RATE_LIMIT_SIGN_IN: {{ .Values.config.rateLimits.signIn | quote }}
MAX_OPEN_REQUESTS_PER_ROLE: {{ .Values.config.maxOpenRequestsPerRole | quote }}
REFUSE_DUPLICATE_REQUESTS: {{ .Values.config.refuseDuplicateRequests | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
OPS_PORT: {{ .Values.opsPort | quote }}
{{- with .Values.config.otelExporterOtlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- if or .Values.auditVerifyKey.secretName .Values.auditVerifyKey.configMapName }}
AUDIT_VERIFY_KEY_FILE: {{ printf "%s/%s" (include "aks-jit.auditKeyDir" .) .Values.auditVerifyKey.key | quote }}
{{- end }}
{{- range $name, $value := .Values.extraEnv }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* What the catalog checksum is computed from: the inline content, or the existing ConfigMap's data
when the chart can read it (helm install/upgrade; `helm template` has no cluster and gets nothing). */}}
{{- define "aks-jit.catalogChecksum" -}}
{{- if .Values.catalog.content -}}
{{- .Values.catalog.content | sha256sum -}}
{{- else -}}
{{- $existing := lookup "v1" "ConfigMap" .Release.Namespace .Values.catalog.existingConfigMap -}}
{{- printf "%s:%s" .Values.catalog.existingConfigMap (toJson (dig "data" dict $existing)) | sha256sum -}}
{{- end -}}
{{- end -}}

{{/* Secrets ---------------------------------------------------------------------------------- */}}

{{/* The Secret the env refers to: (dict "ctx" $ "hook" bool) */}}
{{- define "aks-jit.secretName" -}}
{{- $v := .ctx.Values.secrets -}}
{{- if $v.keyVault.enabled -}}
{{- default (printf "%s-keyvault" (include "aks-jit.fullname" .ctx)) $v.keyVault.syncedSecretName -}}
{{- if .hook -}}-hook{{- end -}}
{{- else -}}
{{- $v.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "aks-jit.secretProviderClassName" -}}
{{- include "aks-jit.fullname" .ctx -}}-keyvault{{- if .hook -}}-hook{{- end -}}
{{- end -}}

{{- define "aks-jit.keyVaultClientId" -}}
{{- $kv := .Values.secrets.keyVault -}}
{{- if $kv.clientId -}}
{{- $kv.clientId -}}
{{- else if .Values.workloadIdentity.enabled -}}
{{- include "aks-jit.workloadIdentityClientId" . -}}
{{- end -}}
{{- end -}}

{{/* A secretKeyRef env entry: (dict "ctx" $ "hook" bool "name" "ENV" "key" "KEY" "optional" bool) */}}
{{- define "aks-jit.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "aks-jit.secretName" . | quote }}
      key: {{ .key | quote }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/*
The environment of an app process (web, worker, config check): the ConfigMap, the secrets by reference,
the pool sizes, the traces' service name. (dict "ctx" $ "hook" bool "component" "web"|"worker"
"databasePoolSize" n "jobsPoolSize" n)

ENTRA_CLIENT_SECRET only without Workload ID: with it, the app trades the projected service account
token for Entra tokens (MSAL sign-in and Graph/ARM) and refuses to start with both credentials set
(lib/config/env-schema.js), so no client secret exists anywhere in the release.

DATABASE_LISTEN_URL only in the web and worker pods (not a hook): each holds one LISTEN connection
(lib/db/change-feed.ts), for the live dashboard and, in a process that works jobs, to fetch a queued
access job at once (decision 020); it needs a session that PgBouncer's transaction mode cannot keep. Required: the chart cannot tell whether DATABASE_URL goes through PgBouncer, and the
app falls back to it, where LISTEN succeeds and silently hears nothing.
*/}}
{{- define "aks-jit.appEnv" -}}
{{- $ctx := .ctx -}}
{{- $keys := $ctx.Values.secrets.keys -}}
{{- $kv := $ctx.Values.secrets.keyVault -}}
{{ include "aks-jit.secretEnv" (dict "ctx" $ctx "hook" .hook "name" "DATABASE_URL" "key" $keys.databaseUrl) }}
{{- if and (or (eq .component "web") (eq .component "worker")) (not .hook) }}
{{ include "aks-jit.secretEnv" (dict "ctx" $ctx "hook" .hook "name" "DATABASE_LISTEN_URL" "key" $keys.listenDatabaseUrl) }}
{{- end }}
{{ include "aks-jit.secretEnv" (dict "ctx" $ctx "hook" .hook "name" "SESSION_SECRET" "key" $keys.sessionSecret) }}
{{- if not $ctx.Values.workloadIdentity.enabled }}
{{ include "aks-jit.secretEnv" (dict "ctx" $ctx "hook" .hook "name" "ENTRA_CLIENT_SECRET" "key" $keys.entraClientSecret) }}
{{- end }}
{{- if or (not $kv.enabled) $kv.objects.notifyWebhooks }}
{{ include "aks-jit.secretEnv" (dict "ctx" $ctx "hook" .hook "name" "NOTIFY_WEBHOOKS" "key" $keys.notifyWebhooks "optional" true) }}
{{- end }}
- name: DATABASE_POOL_SIZE
  value: {{ .databasePoolSize | quote }}
- name: JOBS_POOL_SIZE
  value: {{ .jobsPoolSize | quote }}
{{- /* Unset, the app names its traces aks-jit-web and aks-jit-worker itself (lib/ops/start-process.ts). */}}
{{- with $ctx.Values.config.otelServiceName }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "%s-%s" . $.component | quote }}
{{- end }}
{{- end -}}
