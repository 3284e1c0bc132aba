/**
 * Offline schema checks of rendered objects, the kubeconform --strict equivalent (no API server can run
 * here): kubernetes-models validates types, formats and required fields; `tsc --strict` over each object
 * written as `<literal> satisfies <Type>` (kubernetes-types) refuses unknown fields, which
 * kubernetes-models lets through.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { PodMonitor, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service, ServiceAccount } from "kubernetes-models/v1";
import { BIN, DATA_DIR, ROOT } from "../../scripts/lib/paths";
import type { KubeObject } from "./render";
import { SECRET_PROVIDER_CLASS_SCHEMA } from "./secret-provider-class";

interface Validating {
  validate(): void;
}

const MODELS: Record<string, new (data: never) => Validating> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/Ingress": Ingress,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "monitoring.coreos.com/v1/PodMonitor": PodMonitor,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

const validateSecretProviderClass = new Ajv({ allErrors: true, strict: true }).compile(SECRET_PROVIDER_CLASS_SCHEMA);

/** Where each kind's TypeScript type comes from, for the strict unknown-field check. */
const TYPES: Record<string, { from: string; type: string }> = {
  "v1/ConfigMap": { from: "kubernetes-types/core/v1", type: "ConfigMap" },
  "v1/Service": { from: "kubernetes-types/core/v1", type: "Service" },
  "v1/ServiceAccount": { from: "kubernetes-types/core/v1", type: "ServiceAccount" },
  "apps/v1/Deployment": { from: "kubernetes-types/apps/v1", type: "Deployment" },
  "batch/v1/Job": { from: "kubernetes-types/batch/v1", type: "Job" },
  "networking.k8s.io/v1/Ingress": { from: "kubernetes-types/networking/v1", type: "Ingress" },
  "networking.k8s.io/v1/NetworkPolicy": { from: "kubernetes-types/networking/v1", type: "NetworkPolicy" },
  "policy/v1/PodDisruptionBudget": { from: "kubernetes-types/policy/v1", type: "PodDisruptionBudget" },
  "autoscaling/v2/HorizontalPodAutoscaler": {
    from: "kubernetes-types/autoscaling/v2",
    type: "HorizontalPodAutoscaler",
  },
  "monitoring.coreos.com/v1/PodMonitor": {
    from: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor",
    type: "IPodMonitor",
  },
  "monitoring.coreos.com/v1/ServiceMonitor": {
    from: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
    type: "IServiceMonitor",
  },
  "secrets-store.csi.x-k8s.io/v1/SecretProviderClass": {
    from: path.join(ROOT, "test", "chart", "secret-provider-class"),
    type: "SecretProviderClass",
  },
};

/**
 * Azure Monitor managed Prometheus installs the Prometheus Operator's PodMonitor and ServiceMonitor CRDs
 * again under its own API group, the same but for the group name ("Create custom scrape jobs ... using
 * CRDs": learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-crd). Objects in that
 * group are checked against the Prometheus Operator's models and types with the apiVersion swapped.
 */
const SAME_SHAPE: Record<string, string> = {
  "azmonitoring.coreos.com/v1/PodMonitor": "monitoring.coreos.com/v1/PodMonitor",
  "azmonitoring.coreos.com/v1/ServiceMonitor": "monitoring.coreos.com/v1/ServiceMonitor",
};

export const typeKey = (o: Pick<KubeObject, "apiVersion" | "kind">) => `${o.apiVersion}/${o.kind}`;
const apiVersionOf = (key: string) => key.slice(0, key.lastIndexOf("/"));

/** Schema problems of one object (kubernetes-models, or our JSON schema for the CSI driver's CRD). */
export function schemaErrors(object: KubeObject): string | undefined {
  const key = typeKey(object);
  const shape = SAME_SHAPE[key];
  if (shape) return schemaErrors({ ...object, apiVersion: apiVersionOf(shape) });
  if (key === "secrets-store.csi.x-k8s.io/v1/SecretProviderClass") {
    if (validateSecretProviderClass(object)) return undefined;
    return validateSecretProviderClass.errors!.map((e) => `${e.instancePath} ${e.message}`).join("; ");
  }
  const Model = MODELS[key];
  if (!Model) return `no schema for ${key}: add its model to test/chart/kube-schemas.ts`;
  try {
    new Model(structuredClone(object) as never).validate();
    return undefined;
  } catch (error) {
    return String(error);
  }
}

export interface Labelled {
  label: string;
  object: KubeObject;
}

/**
 * Type-checks every object against its Kubernetes type with `tsc --strict` in one run and returns the
 * diagnostics by label (each object is one line of the generated file, so a line number names it).
 */
export async function strictTypeErrors(entries: Labelled[]): Promise<Map<string, string[]>> {
  const dir = path.join(DATA_DIR, "chart-check");
  mkdirSync(dir, { recursive: true });
  const used = [...new Set(entries.map(({ object }) => typeKey(object)))];
  const imports = used.flatMap((key, i) => {
    const shape = SAME_SHAPE[key];
    const source = TYPES[shape ?? key];
    if (!source) throw new Error(`no TypeScript type for ${key}: add it to test/chart/kube-schemas.ts`);
    const from = JSON.stringify(path.isAbsolute(source.from) ? path.relative(dir, source.from) : source.from);
    if (!shape) return [`import type { ${source.type} as T${i} } from ${from};`];
    // The same type in another API group: only apiVersion differs.
    return [
      `import type { ${source.type} as S${i} } from ${from};`,
      `type T${i} = Omit<S${i}, "apiVersion"> & { apiVersion: ${JSON.stringify(apiVersionOf(key))} };`,
    ];
  });
  const header = [...imports, ""];
  const lines = entries.map(
    ({ object }, i) => `export const o${i} = ${JSON.stringify(object)} satisfies T${used.indexOf(typeKey(object))};`,
  );
  writeFileSync(path.join(dir, "objects.ts"), [...header, ...lines, ""].join("\n"));
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: "ES2022",
        module: "esnext",
        moduleResolution: "bundler",
        types: [],
      },
      files: ["objects.ts"],
    }),
  );

  const errors = new Map<string, string[]>();
  const output = await new Promise<string>((resolve) =>
    execFile(path.join(BIN, "tsc"), ["-p", path.join(dir, "tsconfig.json"), "--pretty", "false"], (_error, stdout) =>
      resolve(stdout),
    ),
  );
  let label = "(tsc)";
  for (const line of output.split("\n").filter(Boolean)) {
    // A diagnostic starts with file(line,col); its elaboration follows on indented lines.
    const match = /objects\.ts\((\d+),\d+\): (.*)$/.exec(line);
    if (match) label = entries[Number(match[1]) - header.length - 1]?.label ?? "(tsc)";
    else if (!/^\s/.test(line)) label = "(tsc)";
    errors.set(label, [...(errors.get(label) ?? []), match ? match[2]! : line.trim()]);
  }
  return errors;
}
