{{/* Names ------------------------------------------------------------------------------------ */}}

{{- define "aks-jit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aks-jit.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "aks-jit.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aks-jit.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "aks-jit.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The hooks run before the release's own resources exist on the first install, so when the chart creates
the ServiceAccount the hooks get their own (a hook resource, like Teleport's chart does). An existing
account (create: false) already exists and serves both.
*/}}
{{- define "aks-jit.hookServiceAccountName" -}}
{{- include "aks-jit.serviceAccountName" . -}}
{{- if .Values.serviceAccount.create -}}-hook{{- end -}}
{{- end -}}

{{/* Labels ----------------------------------------------------------------------------------- */}}

{{- define "aks-jit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aks-jit.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "aks-jit.labels" -}}
helm.sh/chart: {{ include "aks-jit.chart" .ctx }}
{{ include "aks-jit.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: aks-jit
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end -}}

{{/* Labels of a pod template: selector labels, the Workload ID opt-in, the user's labels. */}}
{{- define "aks-jit.podLabels" -}}
{{ include "aks-jit.labels" . }}
{{- if .ctx.Values.workloadIdentity.enabled }}
azure.workload.identity/use: "true"
{{- end }}
{{- with .ctx.Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Hook annotations: (dict "ctx" $ "weight" "-10" "job" true) */}}
{{- define "aks-jit.hookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .weight | quote }}
{{- if .ctx.Values.hooks.keepSucceeded }}
helm.sh/hook-delete-policy: before-hook-creation
{{- else }}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end }}
{{- end -}}

{{/* Image ------------------------------------------------------------------------------------ */}}

{{- define "aks-jit.image" -}}
{{- $repository := required "image.repository is required" .Values.image.repository -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" $repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Metrics ---------------------------------------------------------------------------------- */}}

{{/* The per-scrape label limits Azure Monitor managed Prometheus asks monitors for (see monitoring.yaml). */}}
{{- define "aks-jit.azureMonitorLimits" -}}
labelLimit: 63
labelNameLengthLimit: 511
labelValueLengthLimit: 1023
{{- end -}}
