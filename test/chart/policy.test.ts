/**
 * Guards the chart's production rules in every values case: each pod locked down (non-root, read-only
 * root, no capabilities, seccomp), sized (requests and limits), probed when long-running, and wired to the
 * interface the app exposes (commands, ports, probes, env, catalog, drain).
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  envOf,
  find,
  FULLNAME,
  MATRIX,
  podOf,
  render,
  workloads,
  type Container,
  type KubeObject,
  type PodTemplate,
} from "./render";

const rendered = new Map<string, KubeObject[]>();

beforeAll(async () => {
  await Promise.all(MATRIX.map(async (c) => rendered.set(c.name, (await render(c.files)).objects)));
});

/** The port a probe or Service names, resolved against the container's declared ports. */
function portNumber(container: Container, port: string | number) {
  if (typeof port === "number") return port;
  const declared = container.ports?.find((p) => p.name === port);
  if (!declared) throw new Error(`${container.name} has no port named ${port}`);
  return declared.containerPort;
}

function allContainers(pod: PodTemplate) {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
}

describe.each(MATRIX)("values case: $name", (matrixCase) => {
  const objects = () => rendered.get(matrixCase.name)!;

  it("locks down every pod: non-root UID, seccomp RuntimeDefault, no service account token", () => {
    for (const { object, pod } of workloads(objects())) {
      const where = `${object.kind}/${object.metadata.name}`;
      const security = pod.spec.securityContext;
      expect(security?.runAsNonRoot, where).toBe(true);
      expect(security?.runAsUser, where).toBeGreaterThan(0);
      expect(security?.runAsGroup, where).toBeGreaterThan(0);
      expect(security?.seccompProfile?.type, where).toBe("RuntimeDefault");
      expect(pod.spec.automountServiceAccountToken, where).toBe(false);
    }
  });

  it("locks down every container: read-only root, no privilege escalation, all capabilities dropped", () => {
    for (const { object, pod } of workloads(objects())) {
      for (const container of allContainers(pod)) {
        const where = `${object.metadata.name}/${container.name}`;
        const security = container.securityContext;
        expect(security?.readOnlyRootFilesystem, where).toBe(true);
        expect(security?.allowPrivilegeEscalation, where).toBe(false);
        expect(security?.privileged ?? false, where).toBe(false);
        expect(security?.capabilities?.drop, where).toContain("ALL");
        expect(security?.capabilities?.add ?? [], where).toEqual([]);
        expect(security?.runAsUser ?? 1, where).toBeGreaterThan(0);
        // With a read-only root, /tmp must be a volume.
        expect(
          container.volumeMounts?.find((m) => m.mountPath === "/tmp"),
          where,
        ).toBeDefined();
      }
    }
  });

  it("sets cpu and memory requests and limits on every container, hooks included", () => {
    for (const { object, pod } of workloads(objects())) {
      for (const container of allContainers(pod)) {
        const where = `${object.metadata.name}/${container.name}`;
        for (const bound of ["requests", "limits"] as const) {
          expect(Object.keys(container.resources?.[bound] ?? {}).sort(), `${where} ${bound}`).toEqual([
            "cpu",
            "memory",
          ]);
        }
      }
    }
  });

  it("probes every long-running container on a port it declares", () => {
    const deployments = workloads(objects()).filter(({ object }) => object.kind === "Deployment");
    expect(deployments.map(({ object }) => object.metadata.name).sort()).toEqual([
      `${FULLNAME}-web`,
      `${FULLNAME}-worker`,
    ]);
    for (const { object, pod } of deployments) {
      for (const container of pod.spec.containers) {
        for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
          expect(probe?.httpGet, `${object.metadata.name}/${container.name}`).toBeDefined();
          portNumber(container, probe!.httpGet!.port);
        }
      }
    }
  });

  it("runs web as the spec says: node server.js, health routes on 3000, jobs off, preStop sleep, 30 s grace", () => {
    const pod = podOf(objects(), "Deployment", `${FULLNAME}-web`);
    const web = pod.spec.containers[0]!;
    expect(web.command).toEqual(["node", "server.js"]);
    expect(portNumber(web, "http")).toBe(3000);
    expect(portNumber(web, "ops")).toBe(9464);
    expect(web.startupProbe!.httpGet).toMatchObject({ path: "/api/health/ready" });
    expect(web.readinessProbe!.httpGet).toMatchObject({ path: "/api/health/ready" });
    expect(web.livenessProbe!.httpGet).toMatchObject({ path: "/api/health/live" });
    for (const probe of [web.startupProbe!, web.readinessProbe!, web.livenessProbe!]) {
      expect(portNumber(web, probe.httpGet!.port)).toBe(3000);
    }
    expect(web.lifecycle?.preStop?.sleep?.seconds).toBe(10);
    expect(pod.spec.terminationGracePeriodSeconds).toBe(30);
    expect(envOf(web, "HOSTNAME")?.value).toBe("0.0.0.0");
    expect(envOf(web, "PORT")?.value).toBe("3000");
    const config = find(objects(), "ConfigMap", `${FULLNAME}-config`).data as Record<string, string>;
    expect(web.envFrom).toContainEqual({ configMapRef: { name: `${FULLNAME}-config` } });
    expect(config.JOBS_IN_WEB).toBe("false");
    expect(config.NODE_ENV).toBe("production");
    expect(config.OPS_PORT).toBe("9464");
    expect(web.volumeMounts).toContainEqual({ name: "next-cache", mountPath: "/app/.next/cache" });
    expect(pod.spec.volumes?.find((v) => v.name === "next-cache")?.emptyDir).toBeDefined();
  });

  it("runs the worker as the spec says: node worker.mjs, ops-port probes, grace = shutdown timeout + 15 s", () => {
    const pod = podOf(objects(), "Deployment", `${FULLNAME}-worker`);
    const worker = pod.spec.containers[0]!;
    expect(worker.command).toEqual(["node", "worker.mjs"]);
    expect(worker.readinessProbe!.httpGet).toMatchObject({ path: "/readyz" });
    expect(worker.livenessProbe!.httpGet).toMatchObject({ path: "/livez" });
    for (const probe of [worker.startupProbe!, worker.readinessProbe!, worker.livenessProbe!]) {
      expect(portNumber(worker, probe.httpGet!.port)).toBe(9464);
    }
    const shutdown = Number(envOf(worker, "SHUTDOWN_TIMEOUT_SECONDS")?.value);
    expect(shutdown).toBe(25);
    expect(pod.spec.terminationGracePeriodSeconds).toBe(shutdown + 15);
  });

  it("gives each app process explicit pool sizes and no duplicate variables", () => {
    for (const { object, pod } of workloads(objects())) {
      for (const container of pod.spec.containers) {
        const names = (container.env ?? []).map((e) => e.name);
        expect(new Set(names).size, `${object.metadata.name}/${container.name}`).toBe(names.length);
        if (container.name === "migrate") continue;
        expect(Number(envOf(container, "DATABASE_POOL_SIZE")?.value)).toBeGreaterThan(0);
        expect(Number(envOf(container, "JOBS_POOL_SIZE")?.value)).toBeGreaterThan(0);
      }
    }
  });

  it("mounts the catalog read-only at CATALOG_PATH in web, worker and the config check, and rolls on change", () => {
    const config = find(objects(), "ConfigMap", `${FULLNAME}-config`).data as Record<string, string>;
    expect(config.CATALOG_PATH).toBe("/etc/aks-jit/catalog/catalog.yaml");
    const catalogUsers = workloads(objects()).filter(({ object }) => !object.metadata.name.endsWith("-migrate"));
    for (const { object, pod } of catalogUsers) {
      const mount = pod.spec.containers[0]!.volumeMounts?.find((m) => m.name === "catalog");
      expect(mount, object.metadata.name).toEqual({
        name: "catalog",
        mountPath: "/etc/aks-jit/catalog",
        readOnly: true,
      });
      const volume = pod.spec.volumes?.find((v) => v.name === "catalog");
      expect(volume?.configMap?.items).toEqual([{ key: "catalog.yaml", path: "catalog.yaml" }]);
      if (object.kind === "Deployment") {
        expect(pod.metadata.annotations?.["checksum/catalog"]).toMatch(/^[0-9a-f]{64}$/);
        expect(pod.metadata.annotations?.["checksum/config"]).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  it("spreads web and worker over zones and nodes without blocking scheduling by default", () => {
    for (const name of [`${FULLNAME}-web`, `${FULLNAME}-worker`]) {
      const spread = podOf(objects(), "Deployment", name).spec.topologySpreadConstraints;
      if (matrixCase.name === "service monitor") {
        expect(spread).toBeUndefined(); // topologySpread.enabled: false in that case
        continue;
      }
      expect(spread?.map((c) => c.topologyKey)).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
      expect(spread?.every((c) => c.whenUnsatisfiable === "ScheduleAnyway")).toBe(true);
    }
  });

  it("selects its own pods: every selector matches its pod template's labels", () => {
    for (const { object, pod } of workloads(objects()).filter(({ object }) => object.kind === "Deployment")) {
      const selector = (object.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(pod.metadata.labels, object.metadata.name).toMatchObject(selector);
    }
    const service = find(objects(), "Service", FULLNAME).spec as {
      selector: Record<string, string>;
      ports: { port: number; targetPort: string }[];
    };
    const web = podOf(objects(), "Deployment", `${FULLNAME}-web`);
    expect(web.metadata.labels).toMatchObject(service.selector);
    // Port 80 to the web port only: the ops port (metrics) is never on the app's Service.
    expect(service.ports.map((p) => [p.port, portNumber(web.spec.containers[0]!, p.targetPort)])).toEqual([[80, 3000]]);
  });

  it("labels every pod for Workload ID exactly when it is on, and passes the client secret only when it is off", () => {
    // With Workload ID the app uses the federated token and refuses to start with a client secret too
    // (lib/config/env-schema.js): no pod may get ENTRA_CLIENT_SECRET then.
    const on = ["workload identity", "key vault csi"].includes(matrixCase.name);
    for (const { object, pod } of workloads(objects())) {
      expect(pod.metadata.labels?.["azure.workload.identity/use"], object.metadata.name).toBe(on ? "true" : undefined);
      for (const container of pod.spec.containers) {
        const clientSecret = envOf(container, "ENTRA_CLIENT_SECRET");
        if (container.name === "migrate" || on) expect(clientSecret, object.metadata.name).toBeUndefined();
        else expect(clientSecret?.valueFrom?.secretKeyRef, object.metadata.name).toBeDefined();
      }
    }
    for (const account of objects().filter((o) => o.kind === "ServiceAccount")) {
      expect((account as { automountServiceAccountToken?: boolean }).automountServiceAccountToken).toBe(false);
      expect(account.metadata.annotations?.["azure.workload.identity/client-id"]).toBe(
        on ? "66666666-7777-4888-8999-aaaaaaaaaaaa" : undefined,
      );
    }
  });

  it("leaves OTEL_SERVICE_NAME to the app (aks-jit-web, aks-jit-worker) unless config.otelServiceName is set", () => {
    const config = find(objects(), "ConfigMap", `${FULLNAME}-config`).data as Record<string, string>;
    expect(config.OTEL_SERVICE_NAME).toBeUndefined();
    for (const { object, pod } of workloads(objects())) {
      expect(envOf(pod.spec.containers[0]!, "OTEL_SERVICE_NAME"), object.metadata.name).toBeUndefined();
    }
  });

  it("budgets disruptions only where more than one pod runs", () => {
    const budgets = objects()
      .filter((o) => o.kind === "PodDisruptionBudget")
      .map((o) => o.metadata.name)
      .sort();
    const expected = {
      "existing secret": [`${FULLNAME}-web`, `${FULLNAME}-worker`],
      "service monitor": [],
    }[matrixCase.name] ?? [`${FULLNAME}-web`];
    expect(budgets).toEqual(expected);
  });
});

describe("optional objects", () => {
  it("ingress: TLS for appUrl's host, to the Service's http port", () => {
    const ingress = find(rendered.get("ingress")!, "Ingress", FULLNAME).spec as {
      ingressClassName: string;
      tls: { secretName: string; hosts: string[] }[];
      rules: { host: string; http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[];
    };
    expect(ingress.ingressClassName).toBe("webapprouting.kubernetes.azure.com");
    expect(ingress.tls).toEqual([{ secretName: "jit-contoso-example-tls", hosts: ["jit.contoso.example"] }]);
    expect(ingress.rules.map((r) => r.host)).toEqual(["jit.contoso.example"]);
    expect(ingress.rules[0]!.http.paths[0]!.backend.service).toEqual({ name: FULLNAME, port: { name: "http" } });
  });

  it("hpa: scales the web Deployment, which then leaves replicas to it", () => {
    const objects = rendered.get("hpa")!;
    const hpa = find(objects, "HorizontalPodAutoscaler", `${FULLNAME}-web`).spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
      maxReplicas: number;
      metrics: { resource: { name: string } }[];
    };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: "Deployment", name: `${FULLNAME}-web` });
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([3, 8]);
    expect(hpa.metrics.map((m) => m.resource.name)).toEqual(["cpu", "memory"]);
    expect((find(objects, "Deployment", `${FULLNAME}-web`).spec as { replicas?: number }).replicas).toBeUndefined();
  });

  it("network policy: web port from the ingress namespace, ops port from monitoring only, egress to DNS, 443, PostgreSQL", () => {
    const policy = find(rendered.get("network policy + pod monitor")!, "NetworkPolicy", FULLNAME).spec as {
      podSelector: { matchLabels: Record<string, string> };
      ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] }[];
      egress: { ports: { port: number; protocol: string }[] }[];
    };
    const byPort = Object.fromEntries(
      policy.ingress.map((rule) => [
        rule.ports.map((p) => p.port).join(),
        rule.from.map((f) => f.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]),
      ]),
    );
    expect(byPort).toEqual({ "3000": ["app-routing-system"], "9464": ["monitoring"] });
    const egressPorts = policy.egress.flatMap((rule) => rule.ports.map((p) => `${p.port}/${p.protocol}`));
    expect(egressPorts).toEqual(["53/UDP", "53/TCP", "443/TCP", "5432/TCP", "6432/TCP", "4318/TCP"]);
    expect(Object.keys(policy.podSelector.matchLabels).sort()).toEqual([
      "app.kubernetes.io/instance",
      "app.kubernetes.io/name",
    ]);
  });

  it("managed Prometheus: a PodMonitor in azmonitoring.coreos.com/v1 with Azure's label limits, scraped from kube-system", () => {
    const objects = rendered.get("managed prometheus")!;
    const podMonitor = find(objects, "PodMonitor", FULLNAME);
    expect(podMonitor.apiVersion).toBe("azmonitoring.coreos.com/v1");
    expect(podMonitor.spec).toMatchObject({
      labelLimit: 63,
      labelNameLengthLimit: 511,
      labelValueLengthLimit: 1023,
      podMetricsEndpoints: [expect.objectContaining({ port: "ops", path: "/metrics" })],
    });
    const policy = find(objects, "NetworkPolicy", FULLNAME).spec as {
      ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] }[];
    };
    const metricsRule = policy.ingress.find((rule) => rule.ports.some((p) => p.port === 9464))!;
    expect(metricsRule.from.map((f) => f.namespaceSelector.matchLabels["kubernetes.io/metadata.name"])).toEqual([
      "kube-system",
    ]);
  });

  it("pod monitor and service monitor scrape /metrics on the ops port of web and worker", () => {
    const podMonitor = find(rendered.get("network policy + pod monitor")!, "PodMonitor", FULLNAME);
    expect(podMonitor.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(podMonitor.spec).not.toHaveProperty("labelLimit");
    expect(podMonitor.metadata.labels?.release).toBe("kube-prometheus-stack");
    const podSpec = podMonitor.spec as {
      selector: { matchExpressions: { values: string[] }[] };
      podMetricsEndpoints: { port: string; path: string }[];
    };
    expect(podSpec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: "ops", path: "/metrics" })]);
    expect(podSpec.selector.matchExpressions[0]!.values).toEqual(["web", "worker"]);

    const objects = rendered.get("service monitor")!;
    const monitor = find(objects, "ServiceMonitor", FULLNAME).spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    expect(monitor.endpoints).toEqual([expect.objectContaining({ port: "ops", path: "/metrics" })]);
    for (const component of ["web", "worker"]) {
      const service = find(objects, "Service", `${FULLNAME}-${component}-metrics`);
      expect(service.metadata.labels).toMatchObject(monitor.selector.matchLabels);
      const spec = service.spec as { clusterIP: string; selector: Record<string, string>; ports: { port: number }[] };
      expect(spec.clusterIP).toBe("None");
      expect(spec.selector["app.kubernetes.io/component"]).toBe(component);
      expect(spec.ports.map((p) => p.port)).toEqual([9464]);
    }
  });

  it("image: tag defaults to the chart's appVersion; a digest pins it", () => {
    const image = (name: string) =>
      podOf(rendered.get(name)!, "Deployment", `${FULLNAME}-web`).spec.containers[0]!.image;
    expect(image("defaults")).toBe("aksjit.azurecr.io/aks-jit:0.1.0");
    expect(image("service monitor")).toBe(
      "aksjit.azurecr.io/aks-jit:0.1.0-rc.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    for (const { pod } of workloads(rendered.get("service monitor")!)) {
      expect((pod.spec as { imagePullSecrets?: unknown }).imagePullSecrets).toEqual([{ name: "acr-pull" }]);
    }
  });
});
