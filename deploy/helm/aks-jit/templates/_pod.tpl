{{/* Pods ------------------------------------------------------------------------------------- */}}

{{- define "aks-jit.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "aks-jit.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
{{- end -}}

{{/*
Pod-level settings shared by every pod. automountServiceAccountToken is false everywhere: the app never
calls the Kubernetes API, and Workload ID does not need the default token mount. The AKS webhook adds
its own projected token volume (azure-identity-token, mounted at /var/run/secrets/azure/tokens) to pods
labelled azure.workload.identity/use (MicrosoftDocs/azure-aks-docs: articles/aks/workload-identity-overview.md,
"Pod labels"; Azure/azure-workload-identity pkg/webhook: addProjectedServiceAccountTokenVolume), and the
Secrets Store CSI driver receives the pod's token from the kubelet (CSIDriver spec.tokenRequests, audience
api://AzureADTokenExchange: kubernetes-sigs/secrets-store-csi-driver charts/.../templates/csidriver.yaml),
not from a mount.
*/}}
{{- define "aks-jit.podCommon" -}}
automountServiceAccountToken: false
securityContext:
  {{- include "aks-jit.podSecurityContext" .ctx | nindent 2 }}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .ctx.Values.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- with .ctx.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .ctx.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .ctx.Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "aks-jit.topologySpread" -}}
{{- $ts := .ctx.Values.topologySpread -}}
{{- if $ts.enabled -}}
topologySpreadConstraints:
{{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
  - topologyKey: {{ $key }}
    maxSkew: {{ $ts.maxSkew }}
    whenUnsatisfiable: {{ $ts.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "aks-jit.selectorLabels" $ | nindent 8 }}
    # Spread each rollout's new pods on their own, not against the old ReplicaSet's.
    matchLabelKeys:
      - pod-template-hash
{{- end }}
{{- end }}
{{- end -}}

{{/* Volume mounts of an app container: (dict "ctx" $ "hook" bool "nextCache" bool) */}}
{{- define "aks-jit.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .nextCache }}
- name: next-cache
  mountPath: /app/.next/cache
{{- end }}
{{- if .catalog }}
- name: catalog
  mountPath: {{ include "aks-jit.catalogDir" .ctx }}
  readOnly: true
{{- end }}
{{- $v := .ctx.Values }}
{{- if and .catalog (or $v.auditVerifyKey.secretName $v.auditVerifyKey.configMapName) }}
- name: audit-verify-key
  mountPath: {{ include "aks-jit.auditKeyDir" .ctx }}
  readOnly: true
{{- end }}
{{- if $v.secrets.keyVault.enabled }}
- name: keyvault
  mountPath: {{ $v.secrets.keyVault.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* Volumes matching aks-jit.volumeMounts: (dict "ctx" $ "hook" bool "nextCache" bool "catalog" bool) */}}
{{- define "aks-jit.volumes" -}}
{{- $v := .ctx.Values -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ $v.tmpSizeLimit }}
{{- if .nextCache }}
- name: next-cache
  emptyDir:
    sizeLimit: {{ $v.web.cacheSizeLimit }}
{{- end }}
{{- if .catalog }}
- name: catalog
  configMap:
    {{- if $v.catalog.existingConfigMap }}
    name: {{ $v.catalog.existingConfigMap | quote }}
    {{- else if .hook }}
    name: {{ include "aks-jit.fullname" .ctx }}-catalog-hook
    {{- else }}
    name: {{ include "aks-jit.fullname" .ctx }}-catalog
    {{- end }}
    items:
      - key: {{ $v.catalog.key | quote }}
        path: catalog.yaml
{{- end }}
{{- if and .catalog $v.auditVerifyKey.secretName }}
- name: audit-verify-key
  secret:
    secretName: {{ $v.auditVerifyKey.secretName | quote }}
    items:
      - key: {{ $v.auditVerifyKey.key | quote }}
        path: {{ $v.auditVerifyKey.key | quote }}
{{- else if and .catalog $v.auditVerifyKey.configMapName }}
- name: audit-verify-key
  configMap:
    name: {{ $v.auditVerifyKey.configMapName | quote }}
    items:
      - key: {{ $v.auditVerifyKey.key | quote }}
        path: {{ $v.auditVerifyKey.key | quote }}
{{- end }}
{{- if $v.secrets.keyVault.enabled }}
- name: keyvault
  csi:
    driver: secrets-store.csi.k8s.io
    readOnly: true
    volumeAttributes:
      secretProviderClass: {{ include "aks-jit.secretProviderClassName" . | quote }}
{{- end }}
{{- end -}}

{{- define "aks-jit.resources" -}}
{{- $r := . -}}
requests:
  {{- range $name, $quantity := $r.requests }}
  {{ $name }}: {{ $quantity | quote }}
  {{- end }}
limits:
  {{- range $name, $quantity := $r.limits }}
  {{ $name }}: {{ $quantity | quote }}
  {{- end }}
{{- end -}}
