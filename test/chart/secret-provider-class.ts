/**
 * SecretProviderClass (secrets-store.csi.x-k8s.io/v1) as the tests check it, written from the CRD of
 * kubernetes-sigs/secrets-store-csi-driver (charts/secrets-store-csi-driver/crds/
 * secrets-store.csi.x-k8s.io_secretproviderclasses.yaml, version v1) and, for `parameters`, the Azure Key
 * Vault provider's documented keys (MicrosoftDocs/azure-aks-docs: articles/aks/csi-secrets-store-identity-access.md).
 * No npm package ships this CRD's model, so the TypeScript type (strict unknown-field check) and the JSON
 * schema (runtime check) below are ours; both refuse fields the CRD does not have.
 */

/** The Azure provider's parameters (all strings, as the CRD's `additionalProperties: string` demands). */
export interface AzureKeyVaultParameters {
  usePodIdentity?: string;
  useVMManagedIdentity?: string;
  userAssignedIdentityID?: string;
  clientID?: string;
  keyvaultName: string;
  cloudName?: string;
  cloudEnvFileName?: string;
  objects: string;
  tenantId: string;
}

export interface SecretProviderClass {
  apiVersion: "secrets-store.csi.x-k8s.io/v1";
  kind: "SecretProviderClass";
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    provider: "azure";
    parameters: AzureKeyVaultParameters;
    secretObjects?: {
      secretName: string;
      type: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      data: { objectName: string; key: string }[];
    }[];
  };
}

const stringMap = { type: "object", additionalProperties: { type: "string" } } as const;

export const SECRET_PROVIDER_CLASS_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "secrets-store.csi.x-k8s.io/v1" },
    kind: { const: "SecretProviderClass" },
    metadata: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: {
        name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", maxLength: 253 },
        namespace: { type: "string" },
        labels: stringMap,
        annotations: stringMap,
      },
    },
    spec: {
      type: "object",
      additionalProperties: false,
      required: ["provider", "parameters"],
      properties: {
        provider: { const: "azure" },
        parameters: {
          type: "object",
          additionalProperties: false,
          required: ["keyvaultName", "objects", "tenantId"],
          properties: Object.fromEntries(
            [
              "usePodIdentity",
              "useVMManagedIdentity",
              "userAssignedIdentityID",
              "clientID",
              "keyvaultName",
              "cloudName",
              "cloudEnvFileName",
              "objects",
              "tenantId",
            ].map((key) => [key, { type: "string" }]),
          ),
        },
        secretObjects: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["secretName", "type", "data"],
            properties: {
              secretName: { type: "string", minLength: 1 },
              type: { type: "string", minLength: 1 },
              labels: stringMap,
              annotations: stringMap,
              data: {
                type: "array",
                minItems: 1,
                items: {
                  type: "object",
                  additionalProperties: false,
                  required: ["objectName", "key"],
                  properties: { objectName: { type: "string", minLength: 1 }, key: { type: "string", minLength: 1 } },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
