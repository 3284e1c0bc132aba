{{/*
The SecretProviderClass of the Azure Key Vault provider for the Secrets Store CSI driver, with workload
identity (MicrosoftDocs/azure-aks-docs: articles/aks/csi-secrets-store-identity-access.md). secretObjects
syncs the Key Vault secrets into a Kubernetes Secret, which the env refers to by key. The hooks' copy
leaves out listenDatabaseUrl: only the web pods read it.
(dict "ctx" $ "hook" bool)
*/}}
{{- define "aks-jit.secretProviderClass" -}}
{{- $v := .ctx.Values -}}
{{- $kv := $v.secrets.keyVault -}}
{{- $keys := $v.secrets.keys -}}
{{- $objects := list -}}
{{- range $field := list "databaseUrl" "migrationDatabaseUrl" "listenDatabaseUrl" "sessionSecret" "entraClientSecret" "notifyWebhooks" -}}
{{- $object := get $kv.objects $field -}}
{{- if and $object (not (and $.hook (eq $field "listenDatabaseUrl"))) -}}
{{- $objects = append $objects (dict "object" $object "key" (get $keys $field)) -}}
{{- end -}}
{{- end -}}
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: {{ include "aks-jit.secretProviderClassName" . }}
  labels:
    {{- include "aks-jit.labels" (dict "ctx" .ctx "component" (ternary "hooks" "secrets" .hook)) | nindent 4 }}
  {{- if .hook }}
  annotations:
    {{- include "aks-jit.hookAnnotations" (dict "ctx" .ctx "weight" "-20") | nindent 4 }}
  {{- end }}
spec:
  provider: azure
  parameters:
    usePodIdentity: "false"
    clientID: {{ include "aks-jit.keyVaultClientId" .ctx | quote }}
    keyvaultName: {{ $kv.vaultName | quote }}
    cloudName: {{ $kv.cloudName | quote }}
    tenantId: {{ default $v.entra.tenantId $kv.tenantId | quote }}
    objects: |
      array:
      {{- range $objects }}
        - |
          objectName: {{ .object }}
          objectType: secret
      {{- end }}
  secretObjects:
    - secretName: {{ include "aks-jit.secretName" . | quote }}
      type: Opaque
      labels:
        {{- include "aks-jit.labels" (dict "ctx" .ctx "component" "secrets") | nindent 8 }}
      data:
      {{- range $objects }}
        - objectName: {{ .object | quote }}
          key: {{ .key | quote }}
      {{- end }}
{{- end -}}
