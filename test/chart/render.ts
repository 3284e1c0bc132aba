/* Renders the chart with the pinned Helm and parses what it prints, for the chart tests. */
import path from "node:path";
import { inject } from "vitest";
import { parseAllDocuments } from "yaml";
import { runHelm, TOOLS_DIR, type HelmResult } from "../../scripts/lib/helm";
import { ROOT } from "../../scripts/lib/paths";

export const CHART_DIR = path.join(ROOT, "deploy", "helm", "aks-jit");
export const VALUES_DIR = path.join(ROOT, "test", "chart", "values");
export const RELEASE = "jit";
export const NAMESPACE = "aks-jit";
export const FULLNAME = "jit-aks-jit";

/**
 * Secret values as a careless chart or harness could leak them. Helm runs with them in its environment
 * (where CI's real ones would be) and the values-schema tests try to pass them as values; none may ever
 * appear in rendered output or in an error message.
 */
export const SENTINELS = {
  DATABASE_URL: "postgresql://sentinel-app:Sentinel-Pgbouncer-Password@db.example:6432/jit",
  MIGRATION_DATABASE_URL: "postgresql://sentinel-migrator:Sentinel-Direct-Password@db.example:5432/jit",
  DATABASE_LISTEN_URL: "postgresql://sentinel-app:Sentinel-Listen-Password@db.example:5432/jit",
  SESSION_SECRET: "sentinel-session-secret-0123456789-abcdefghijkl",
  ENTRA_CLIENT_SECRET: "sentinel~entra~client~secret",
  NOTIFY_WEBHOOKS: "ops=https://sentinel-webhook.example/hook/Sentinel-Webhook-Token",
} as const;

/** One row of the values matrix: minimal.yaml plus these files, in order. */
export interface MatrixCase {
  name: string;
  files: string[];
}

export const MATRIX: MatrixCase[] = [
  { name: "defaults", files: [] },
  { name: "ingress", files: ["ingress.yaml"] },
  { name: "hpa", files: ["hpa.yaml"] },
  { name: "workload identity", files: ["workload-identity.yaml"] },
  { name: "existing secret", files: ["existing-secret.yaml"] },
  { name: "key vault csi", files: ["key-vault.yaml"] },
  { name: "network policy + pod monitor", files: ["network-podmonitor.yaml"] },
  { name: "service monitor", files: ["servicemonitor.yaml"] },
  { name: "managed prometheus", files: ["managed-prometheus.yaml"] },
];

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Each test reads the fields it checks through the narrow types below.
  [field: string]: unknown;
}

/** -f arguments: minimal.yaml, then the given files (names in test/chart/values/, or absolute paths). */
export function valuesArgs(files: string[], base = ["minimal.yaml"]) {
  return [...base, ...files].flatMap((file) => ["-f", path.resolve(VALUES_DIR, file)]);
}

export function helm(args: string[]): Promise<HelmResult> {
  return runHelm(inject("helmPath"), args, {
    PATH: process.env.PATH,
    HELM_CACHE_HOME: path.join(TOOLS_DIR, "helm-home", "cache"),
    HELM_CONFIG_HOME: path.join(TOOLS_DIR, "helm-home", "config"),
    HELM_DATA_HOME: path.join(TOOLS_DIR, "helm-home", "data"),
    ...SENTINELS,
  });
}

/** `helm template` with minimal.yaml, the given files and extra arguments; throws if Helm refuses. */
export async function render(files: string[], extra: string[] = [], release = RELEASE) {
  const result = await helm(["template", release, CHART_DIR, "-n", NAMESPACE, ...valuesArgs(files), ...extra]);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return { text: result.stdout, objects: parseManifests(result.stdout) };
}

/** `helm template` that must fail: resolves with Helm's error output. */
export async function renderRefused(files: string[], extra: string[] = [], base?: string[]) {
  const result = await helm(["template", RELEASE, CHART_DIR, "-n", NAMESPACE, ...valuesArgs(files, base), ...extra]);
  if (result.code === 0) throw new Error("helm template accepted values it should have refused");
  return result.stderr;
}

/** YAML 1.1 as the API server reads it (so an unquoted `yes` or `on` is a boolean here too). */
export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text, { version: "1.1" })) {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as KubeObject | null;
    if (value !== null) objects.push(value);
  }
  return objects;
}

export function find(objects: KubeObject[], kind: string, name: string) {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}

// The parts of workloads the policy tests read.
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Volume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  configMap?: { name: string; items?: { key: string; path: string }[] };
  secret?: { secretName: string };
  csi?: { driver: string; readOnly?: boolean; volumeAttributes?: Record<string, string> };
}
export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
    restartPolicy?: string;
    terminationGracePeriodSeconds?: number;
    securityContext?: {
      runAsNonRoot?: boolean;
      runAsUser?: number;
      runAsGroup?: number;
      fsGroup?: number;
      seccompProfile?: { type: string };
    };
    topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string }[];
    containers: Container[];
    initContainers?: Container[];
    volumes?: Volume[];
  };
}

/** Every object that runs pods, with its pod template. */
export function workloads(objects: KubeObject[]) {
  return objects
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(o.kind))
    .map((o) => ({ object: o, pod: (o.spec as { template: PodTemplate }).template }));
}

export function podOf(objects: KubeObject[], kind: string, name: string) {
  return (find(objects, kind, name).spec as { template: PodTemplate }).template;
}

export function envOf(container: Container, name: string) {
  return container.env?.find((e) => e.name === name);
}
