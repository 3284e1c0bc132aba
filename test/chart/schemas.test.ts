/**
 * Guards against a chart that Helm renders but the API server would refuse (or silently misread): lint,
 * then every object of every values case checked against the Kubernetes schemas offline and strictly.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { schemaErrors, strictTypeErrors, typeKey, type Labelled } from "./kube-schemas";
import { CHART_DIR, helm, MATRIX, render, valuesArgs, type KubeObject } from "./render";

const rendered = new Map<string, KubeObject[]>();

/** Both monitor kinds under both API groups (Prometheus Operator's, Azure Monitor managed Prometheus's). */
const MONITORS = ["monitoring.coreos.com", "azmonitoring.coreos.com"].flatMap((group) =>
  (["podMonitor", "serviceMonitor"] as const).map((monitor) => ({
    name: `${monitor} in ${group}`,
    group,
    kind: monitor === "podMonitor" ? "PodMonitor" : "ServiceMonitor",
    args: ["--set", `metrics.apiGroup=${group}`, "--set", `metrics.${monitor}.enabled=true`],
  })),
);
const monitorObjects = new Map<string, KubeObject[]>();

beforeAll(async () => {
  await Promise.all([
    ...MATRIX.map(async (c) => rendered.set(c.name, (await render(c.files)).objects)),
    ...MONITORS.map(async (m) => monitorObjects.set(m.name, (await render([], m.args)).objects)),
  ]);
});

describe.each(MATRIX)("values case: $name", (matrixCase) => {
  it("passes helm lint --strict", async () => {
    const lint = await helm(["lint", "--strict", CHART_DIR, ...valuesArgs(matrixCase.files)]);
    expect(lint.stdout + lint.stderr).toContain("0 chart(s) failed");
    expect(lint.code).toBe(0);
  });

  it("renders only objects that match their Kubernetes schema", () => {
    const problems = rendered
      .get(matrixCase.name)!
      .map((o) => [`${o.kind}/${o.metadata.name}`, schemaErrors(o)])
      .filter(([, error]) => error);
    expect(problems).toEqual([]);
  });
});

describe("monitors for either Prometheus", () => {
  it.each(MONITORS)("renders a $name that matches the CRD's schema", (m) => {
    const objects = monitorObjects.get(m.name)!;
    const monitors = objects.filter((o) => o.kind.endsWith("Monitor"));
    expect(monitors.map(typeKey)).toEqual([`${m.group}/v1/${m.kind}`]);
    const problems = objects.map((o) => [`${o.kind}/${o.metadata.name}`, schemaErrors(o)]).filter(([, e]) => e);
    expect(problems).toEqual([]);
  });
});

describe("strict unknown-field check (tsc --strict over kubernetes-types)", () => {
  // Controls prove the checker itself would catch a slip: each must be refused, naming the field.
  const controls: Labelled[] = [
    {
      label: "control: misspelt field",
      object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "c" }, spec: { replica: 3 } },
    },
    {
      label: "control: YAML-flow hook annotation read as a map",
      object: {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "c", annotations: { "helm.sh/hook": { "pre-install": null } } as never },
      },
    },
    {
      label: "control: unknown CSI parameter",
      object: {
        apiVersion: "secrets-store.csi.x-k8s.io/v1",
        kind: "SecretProviderClass",
        metadata: { name: "c" },
        spec: { provider: "azure", parameters: { keyvaultName: "k", objects: "", tenantId: "t", vaultURL: "x" } },
      },
    },
    {
      label: "control: unknown field in a managed Prometheus PodMonitor",
      object: {
        apiVersion: "azmonitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "c" },
        spec: { selector: {}, podMetricsEndpoints: [{ port: "ops", metricsPath: "/metrics" }] },
      },
    },
  ];

  it("finds no unknown or mistyped field in any rendered object, and catches the controls", async () => {
    const entries: Labelled[] = [
      ...MATRIX.flatMap((c) =>
        rendered.get(c.name)!.map((object) => ({ label: `${c.name}: ${object.kind}/${object.metadata.name}`, object })),
      ),
      ...MONITORS.flatMap((m) =>
        monitorObjects
          .get(m.name)!
          .map((object) => ({ label: `${m.name}: ${object.kind}/${object.metadata.name}`, object })),
      ),
      ...controls,
    ];
    const errors = await strictTypeErrors(entries);
    const fromChart = [...errors].filter(([label]) => !label.startsWith("control:"));
    expect(fromChart).toEqual([]);
    expect(errors.get("control: misspelt field")?.join()).toMatch(/TS2353.*"replica"/);
    expect(errors.get("control: YAML-flow hook annotation read as a map")?.join()).toMatch(/TS2322/);
    expect(errors.get("control: unknown CSI parameter")?.join()).toMatch(/TS2353.*"vaultURL"/);
    expect(errors.get("control: unknown field in a managed Prometheus PodMonitor")?.join()).toMatch(
      /TS2353.*"metricsPath"/,
    );
  });

  it("has a schema for every kind the chart renders, and the runtime checks catch their controls", () => {
    const kinds = new Set(
      [...MATRIX.map((c) => rendered.get(c.name)!), ...monitorObjects.values()].flatMap((objects) =>
        objects.map(typeKey),
      ),
    );
    expect([...kinds].sort()).toEqual([
      "apps/v1/Deployment",
      "autoscaling/v2/HorizontalPodAutoscaler",
      "azmonitoring.coreos.com/v1/PodMonitor",
      "azmonitoring.coreos.com/v1/ServiceMonitor",
      "batch/v1/Job",
      "monitoring.coreos.com/v1/PodMonitor",
      "monitoring.coreos.com/v1/ServiceMonitor",
      "networking.k8s.io/v1/Ingress",
      "networking.k8s.io/v1/NetworkPolicy",
      "policy/v1/PodDisruptionBudget",
      "secrets-store.csi.x-k8s.io/v1/SecretProviderClass",
      "v1/ConfigMap",
      "v1/Service",
      "v1/ServiceAccount",
    ]);
    const badPort: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "c" },
      spec: { ports: [{ port: "http" }] },
    };
    expect(schemaErrors(badPort)).toMatch(/port/);
    expect(schemaErrors(controls[2]!.object)).toMatch(/additional properties/);
    // The managed Prometheus group is checked with the Prometheus Operator's schema: a missing field shows.
    const noEndpoints: KubeObject = {
      apiVersion: "azmonitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "c" },
      spec: { selector: {} },
    };
    expect(schemaErrors(noEndpoints)).toMatch(/podMetricsEndpoints/);
  });
});
