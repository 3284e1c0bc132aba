/**
 * Guards the chart's contract with the person installing it: a misspelt, missing or malformed value is
 * refused with a message naming it (values.schema.json, or the chart's own checks), a secret offered as
 * a value is refused without being echoed, a catalog or config change rolls the pods, and the chart's
 * version follows the app's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ROOT } from "../../scripts/lib/paths";
import {
  CHART_DIR,
  envOf,
  find,
  FULLNAME,
  helm,
  NAMESPACE,
  podOf,
  RELEASE,
  render,
  renderRefused,
  SENTINELS,
  valuesArgs,
  VALUES_DIR,
  workloads,
} from "./render";

const dir = mkdtempSync(path.join(tmpdir(), "aks-jit-chart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("values.schema.json", () => {
  it.each([
    ["a misspelt key", ["--set", "web.replica=3"], /at '\/web': additional properties 'replica' not allowed/],
    ["a misspelt top-level key", ["--set", "ingres.enabled=true"], /additional properties 'ingres' not allowed/],
    [
      "a tenant id that is no GUID",
      ["--set", "entra.tenantId=contoso"],
      /at '\/entra\/tenantId': 'contoso' does not match/,
    ],
    [
      "an http appUrl",
      ["--set", "appUrl=http://jit.contoso.example"],
      /at '\/appUrl'.*does not match pattern '\^https/,
    ],
    ["no secrets source", ["--set", "secrets.existingSecret="], /at '\/secrets': 'anyOf' failed/],
    ["no catalog", ["--set", "catalog.existingConfigMap="], /at '\/catalog': 'anyOf' failed/],
    [
      "a string replica count",
      ["--set-string", "worker.replicas=2"],
      /at '\/worker\/replicas': got string, want integer/,
    ],
    ["UID 0", ["--set", "podSecurity.runAsUser=0"], /at '\/podSecurity\/runAsUser': minimum/],
    [
      "a LISTEN connection's Secret key that is no string",
      ["--set-json", "secrets.keys.listenDatabaseUrl=5432"],
      /at '\/secrets\/keys\/listenDatabaseUrl': got number, want string/,
    ],
    [
      "a LISTEN connection's Key Vault secret name that is no string",
      ["--set-json", 'secrets.keyVault.objects.listenDatabaseUrl={"name":"aks-jit-listen-database-url"}'],
      /at '\/secrets\/keyVault\/objects\/listenDatabaseUrl': got object, want string/,
    ],
    [
      "an unknown probe setting",
      ["--set", "web.probes.liveness.initialDelay=5"],
      /additional properties 'initialDelay'/,
    ],
    [
      "a monitor API group no Prometheus reads",
      ["--set", "metrics.apiGroup=monitoring.example.com"],
      /at '\/metrics\/apiGroup': value must be one of 'monitoring.coreos.com', 'azmonitoring.coreos.com'/,
    ],
    [
      // The app takes at most 100 characters; the chart adds "-worker".
      "a traces service name too long once suffixed",
      ["--set", `config.otelServiceName=${"s".repeat(94)}`],
      /at '\/config\/otelServiceName': maxLength: got 94, want 93/,
    ],
  ])("refuses %s, naming it", async (_what, args, message) => {
    expect(await renderRefused([], args)).toMatch(message);
  });

  it.each([
    [["appUrl"], /at '': missing property 'appUrl'/],
    [["image", "repository"], /at '\/image': missing property 'repository'/],
    [["entra", "tenantId"], /at '\/entra': missing property 'tenantId'/],
    [["entra", "clientId"], /at '\/entra': missing property 'clientId'/],
    // values.yaml has the key, empty: the message names both ways to set a source.
    [["secrets", "existingSecret"], /at '\/secrets': 'anyOf' failed[^]*existingSecret[^]*keyVault\/enabled/],
  ])("refuses values without %j, naming it", async (missing, message) => {
    const values = parse(readFileSync(path.join(VALUES_DIR, "minimal.yaml"), "utf8")) as Record<string, unknown>;
    const parent = missing.slice(0, -1).reduce((o, key) => o[key] as Record<string, unknown>, values);
    delete parent[missing.at(-1)!];
    const file = path.join(dir, `without-${missing.join("-")}.yaml`);
    writeFileSync(file, stringify(values));
    expect(await renderRefused([file], [], [])).toMatch(message);
  });

  it("refuses secrets offered as values, by name, without echoing them", async () => {
    const file = "secrets-as-values.yaml";
    const stderr = await renderRefused([file]);
    for (const message of [
      /at '\/extraEnv\/DATABASE_URL': false schema/,
      /at '\/extraEnv\/DATABASE_LISTEN_URL': false schema/,
      /at '\/extraEnv\/SESSION_SECRET': false schema/,
      /at '\/extraEnv\/ENTRA_CLIENT_SECRET': false schema/,
      /at '\/extraEnv\/NOTIFY_WEBHOOKS': false schema/,
      /at '\/secrets': additional properties .*'databaseUrl'/,
      /at '\/secrets': additional properties .*'sessionSecret'/,
      /at '\/secrets\/keyVault\/objects': additional properties 'sessionSecretValue' not allowed/,
      /at '\/config': additional properties 'migrationDatabaseUrl' not allowed/,
      /at '\/entra': additional properties 'clientSecret' not allowed/,
    ]) {
      expect(stderr).toMatch(message);
    }
    const sentinels = JSON.stringify(parse(readFileSync(path.join(VALUES_DIR, file), "utf8"))).match(
      /[^"]*[Ss]entinel[^"]*/g,
    )!;
    expect(sentinels.length).toBe(10);
    for (const sentinel of [...sentinels, ...Object.values(SENTINELS)]) expect(stderr).not.toContain(sentinel);
  });

  it.each([
    ["both secrets sources", ["--set", "secrets.keyVault.enabled=true"], /one secrets source/],
    [
      "Key Vault without a vault",
      [
        "--set",
        "secrets.existingSecret=",
        "--set",
        "secrets.keyVault.enabled=true",
        "--set",
        "workloadIdentity.enabled=true",
      ],
      /secrets.keyVault.vaultName is required/,
    ],
    [
      "a workload identity that is not the app registration",
      [
        "--set",
        "workloadIdentity.enabled=true",
        "--set",
        "workloadIdentity.clientId=00000000-0000-4000-8000-000000000000",
      ],
      /workloadIdentity.clientId must equal entra.clientId/,
    ],
    [
      "both monitors",
      ["--set", "metrics.podMonitor.enabled=true", "--set", "metrics.serviceMonitor.enabled=true"],
      /at most one of metrics.podMonitor and metrics.serviceMonitor/,
    ],
    ["an Ingress with TLS but no certificate", ["--set", "ingress.enabled=true"], /ingress.tls.secretName is required/],
    [
      "an existing ServiceAccount without a name",
      ["--set", "serviceAccount.create=false"],
      /serviceAccount.name is required when serviceAccount.create is false/,
    ],
  ])("refuses %s, saying what to set", async (_what, args, message) => {
    expect(await renderRefused([], args)).toMatch(message);
  });

  it.each([
    [
      // Without Workload ID the client secret is the app's only credential.
      "Key Vault without the client secret and without Workload ID",
      ["key-vault.yaml"],
      [
        "--set",
        "workloadIdentity.enabled=false",
        "--set",
        "secrets.keyVault.clientId=77777777-8888-4999-8aaa-bbbbbbbbbbbb",
      ],
      /secrets.keyVault.objects.entraClientSecret is required when secrets.keyVault.enabled/,
    ],
    [
      // The app refuses to start with both credentials (lib/config/env-schema.js).
      "Key Vault with a client secret and Workload ID",
      ["key-vault.yaml"],
      ["--set", "secrets.keyVault.objects.entraClientSecret=aks-jit-entra-client-secret"],
      /secrets.keyVault.objects.entraClientSecret must be empty when workloadIdentity.enabled/,
    ],
    [
      // The chart cannot tell whether DATABASE_URL goes through PgBouncer, where LISTEN hears nothing.
      "Key Vault without the LISTEN connection's secret",
      ["key-vault.yaml"],
      ["--set", "secrets.keyVault.objects.listenDatabaseUrl="],
      /secrets.keyVault.objects.listenDatabaseUrl is required when secrets.keyVault.enabled .*DATABASE_LISTEN_URL.*DIRECT connection \(port 5432/,
    ],
    [
      "managed Prometheus behind a NetworkPolicy that shuts its agent out",
      ["managed-prometheus.yaml"],
      ["--set", "networkPolicy.metricsNamespaces={monitoring}"],
      /networkPolicy.metricsNamespaces must include kube-system/,
    ],
  ])("refuses %s, saying what to set", async (_what, files, args, message) => {
    expect(await renderRefused(files, args)).toMatch(message);
  });
});

describe("traces", () => {
  it("names the service per deployment when config.otelServiceName is set, and leaves the ConfigMap without it", async () => {
    const { objects } = await render(
      [],
      [
        "--set",
        "config.otelExporterOtlpEndpoint=http://otel.monitoring:4318",
        "--set",
        "config.otelServiceName=jit-prod",
      ],
    );
    const serviceName = (kind: string, name: string) =>
      envOf(podOf(objects, kind, `${FULLNAME}-${name}`).spec.containers[0]!, "OTEL_SERVICE_NAME")?.value;
    expect(serviceName("Deployment", "web")).toBe("jit-prod-web");
    expect(serviceName("Deployment", "worker")).toBe("jit-prod-worker");
    expect(serviceName("Job", "config-check")).toBe("jit-prod-web"); // checks the web pods' environment
    expect(serviceName("Job", "migrate")).toBeUndefined();
    const config = find(objects, "ConfigMap", `${FULLNAME}-config`).data as Record<string, string>;
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://otel.monitoring:4318");
    expect(config.OTEL_SERVICE_NAME).toBeUndefined();
  });
});

describe("role freshness", () => {
  it("passes ROLE_FRESHNESS_SECONDS to the app, 60 unless set, and refuses a negative bound", async () => {
    const configOf = async (args: string[]) =>
      find((await render([], args)).objects, "ConfigMap", `${FULLNAME}-config`).data as Record<string, string>;
    expect((await configOf([])).ROLE_FRESHNESS_SECONDS).toBe("60");
    expect((await configOf(["--set", "config.roleFreshnessSeconds=15"])).ROLE_FRESHNESS_SECONDS).toBe("15");
    expect(await renderRefused([], ["--set", "config.roleFreshnessSeconds=-1"])).toMatch(
      /at '\/config\/roleFreshnessSeconds'/,
    );
  });
});

describe("rolling on change", () => {
  /** The pod annotations of web and worker after rendering with the given catalog file and settings. */
  async function checksums(catalog: string, extra: string[] = []) {
    const file = path.join(dir, `catalog-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, catalog);
    const { objects } = await render(
      [],
      ["--set", "catalog.existingConfigMap=", "--set-file", `catalog.content=${file}`, ...extra],
    );
    const annotations = ["web", "worker"].map(
      (c) => podOf(objects, "Deployment", `${FULLNAME}-${c}`).metadata.annotations!,
    );
    expect(annotations[0]).toEqual(annotations[1]);
    return { annotations: annotations[0]!, objects };
  }

  it("changes checksum/catalog when the catalog changes, and only then", async () => {
    const demo = readFileSync(path.join(ROOT, "jit.catalog.yaml"), "utf8");
    const before = await checksums(demo);
    const again = await checksums(demo);
    const edited = await checksums(demo.replace("PT8H", "PT4H"));
    expect(again.annotations).toEqual(before.annotations);
    expect(edited.annotations["checksum/catalog"]).not.toBe(before.annotations["checksum/catalog"]);
    expect(edited.annotations["checksum/config"]).toBe(before.annotations["checksum/config"]);
    // The ConfigMap carries the catalog as given, which the app parses as YAML.
    const data = find(before.objects, "ConfigMap", `${FULLNAME}-catalog`).data as Record<string, string>;
    expect(parse(data["catalog.yaml"]!)).toEqual(parse(demo));
  });

  it("changes checksum/config when a setting changes, and not checksum/catalog", async () => {
    const demo = readFileSync(path.join(ROOT, "jit.catalog.yaml"), "utf8");
    const before = await checksums(demo);
    const after = await checksums(demo, ["--set", "config.logLevel=debug"]);
    expect(after.annotations["checksum/config"]).not.toBe(before.annotations["checksum/config"]);
    expect(after.annotations["checksum/catalog"]).toBe(before.annotations["checksum/catalog"]);
  });
});

describe("release", () => {
  it("keeps chart version = appVersion = the app's package.json version", () => {
    const chart = parse(readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8")) as {
      apiVersion: string;
      version: string;
      appVersion: string;
    };
    const app = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(chart.apiVersion).toBe("v2");
    expect(chart.version).toBe(app.version);
    expect(chart.appVersion).toBe(app.version);
  });

  it("documents every value in the chart's README (itself, or a group it belongs to)", () => {
    const readme = readFileSync(path.join(CHART_DIR, "README.md"), "utf8");
    const values = parse(readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8")) as Record<string, unknown>;
    const undocumented: string[] = [];
    const visit = (prefix: string, value: unknown) => {
      if (prefix && readme.includes(`\`${prefix}\``)) return;
      const isGroup = value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length;
      if (!isGroup) return void undocumented.push(prefix);
      for (const [key, child] of Object.entries(value)) visit(prefix ? `${prefix}.${key}` : key, child);
    };
    visit("", { ...values, image: { ...(values.image as object), repository: "" }, appUrl: "" });
    expect(undocumented).toEqual([]);
  });

  it("tells after install what was deployed and how to reach it (NOTES.txt)", async () => {
    const install = await helm([
      "install",
      RELEASE,
      CHART_DIR,
      "-n",
      NAMESPACE,
      "--dry-run=client",
      ...valuesArgs(["ingress.yaml", "workload-identity.yaml"]),
    ]);
    expect(install.code, install.stderr).toBe(0);
    const notes = install.stdout.slice(install.stdout.indexOf("NOTES:"));
    expect(notes).toContain(`Deployment ${FULLNAME}-web, 2 replica(s)`);
    expect(notes).toContain("https://jit.contoso.example  (Ingress");
    expect(notes).toContain(`system:serviceaccount:${NAMESPACE}:${FULLNAME}`);
    expect(notes).toContain(`system:serviceaccount:${NAMESPACE}:${FULLNAME}-hook`);
    expect(notes).toContain("no client");
    expect(notes).not.toContain("does not use it yet");
  });

  it.each([
    ["jit", ["workload-identity.yaml"], []],
    // The full name collapses to the release name when that already contains the chart's name.
    ["aks-jit", ["workload-identity.yaml"], []],
    ["prod-aks-jit", ["workload-identity.yaml"], []],
    [
      "jit",
      ["workload-identity.yaml"],
      ["--set", "serviceAccount.create=false", "--set", "serviceAccount.name=platform-sa"],
    ],
    // Key Vault's CSI driver authenticates with the pods' ServiceAccount token too, Workload ID off.
    [
      "aks-jit",
      ["key-vault.yaml"],
      [
        "--set",
        "workloadIdentity.enabled=false",
        "--set",
        "secrets.keyVault.clientId=99999999-8888-4777-8666-555555555555",
        // Without Workload ID the app's credential is the client secret, from Key Vault too.
        "--set",
        "secrets.keyVault.objects.entraClientSecret=aks-jit-entra-client-secret",
      ],
    ],
  ])(
    "prints as federated-credential subjects exactly the ServiceAccounts the pods of release %s run as (%j %j)",
    async (release, files, extra) => {
      const install = await helm([
        "install",
        release,
        CHART_DIR,
        "-n",
        NAMESPACE,
        "--dry-run=client",
        ...valuesArgs(files),
        ...extra,
      ]);
      expect(install.code, install.stderr).toBe(0);
      const notes = install.stdout.slice(install.stdout.indexOf("NOTES:"));
      const subjects = [...notes.matchAll(/system:serviceaccount:([a-z0-9-]+):([a-z0-9.-]+)/g)].map((m) => m[0]);
      const { objects } = await render(files, extra, release);
      const accounts = new Set(workloads(objects).map(({ pod }) => pod.spec.serviceAccountName));
      expect(subjects.sort()).toEqual([...accounts].map((sa) => `system:serviceaccount:${NAMESPACE}:${sa}`).sort());
    },
  );
});

describe("the chart's README", () => {
  const readme = readFileSync(path.join(CHART_DIR, "README.md"), "utf8");
  const valuesText = readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8");
  const values = parse(valuesText) as {
    web: { replicas: number; databasePoolSize: number; jobsPoolSize: number };
    worker: { replicas: number; databasePoolSize: number; jobsPoolSize: number };
    hooks: Record<"configCheck" | "migrate", { activeDeadlineSeconds: number }>;
  };
  const section = (heading: string) => {
    const start = readme.indexOf(`\n## ${heading}\n`);
    expect(start, heading).toBeGreaterThan(-1);
    const end = readme.indexOf("\n## ", start + 1);
    return readme.slice(start, end === -1 ? undefined : end);
  };

  it("says that Workload ID replaces the client secret, and values.yaml says so too", () => {
    const workloadId = section("Workload ID");
    expect(workloadId).toMatch(/ENTRA_CLIENT_SECRET/);
    expect(workloadId).toMatch(/no client secret/i);
    for (const text of [readme, valuesText]) expect(text).not.toMatch(/until issue 13|issue 13 will/i);
    const comment = valuesText.slice(valuesText.lastIndexOf("\n\n", valuesText.indexOf("\nworkloadIdentity:")));
    expect(comment.slice(0, comment.indexOf("workloadIdentity:"))).toMatch(/no client secret/i);
  });

  it("counts the connections as the code opens them: none for config-check, at most pg-boss's pool for migrate", () => {
    const root = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
    // migrate.mjs: one pg.Client for the SQL migrations, closed before pg-boss starts its pool (max: N).
    expect(root("lib/db/migrations.ts").match(/new pg\.Client\(/g)).toHaveLength(1);
    const pool = Number(/\bmax: (\d+)/.exec(root("lib/jobs/queue-setup.ts"))![1]);
    const migrate = Math.max(1, pool);
    const connections = section("Values");
    expect(connections).not.toMatch(/one direct connection per hook/);
    expect(connections).toMatch(/`config-check` opens no database connection/);
    expect(connections).toContain(`at most ${migrate} direct connections at a time`);
    const { web, worker } = values;
    const total =
      web.replicas * (web.databasePoolSize + web.jobsPoolSize) +
      worker.replicas * (worker.databasePoolSize + worker.jobsPoolSize);
    expect(connections).toContain(`= ${total} through PgBouncer`);
    // Each web and worker pod's LISTEN connection (DATABASE_LISTEN_URL) bypasses PgBouncer.
    expect(connections).toMatch(/plus one direct connection per web and worker pod[^.]*`DATABASE_LISTEN_URL`/);
  });

  it("names the federated-credential subjects by their rendered ServiceAccounts, and how to print them", () => {
    // `<release>-aks-jit` is wrong for a release named like the chart (the full name collapses to it).
    expect(readme).not.toMatch(/serviceaccount:[^\s`]*<release>|<release>-aks-jit-hook|<release>-keyvault/);
    const workloadId = section("Workload ID");
    expect(workloadId).toMatch(/--dry-run=client/);
    expect(workloadId).toMatch(/helm get notes/);
  });

  it("installs with --wait and a --timeout that outlasts every hook Job's deadline", () => {
    const commands = readme.match(/^helm upgrade --install .*$/gm) ?? [];
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      expect(command).toMatch(/ --wait( |$)/);
      const timeout = /--timeout (\d+)m\b/.exec(command);
      expect(timeout, command).not.toBeNull();
      // Helm waits for each hook up to --timeout from its creation; the Job's deadline counts from its
      // start, a little later. With a minute's margin the Job's deadline always ends it first.
      for (const hook of ["configCheck", "migrate"] as const) {
        expect(values.hooks[hook].activeDeadlineSeconds, hook).toBeLessThanOrEqual(Number(timeout![1]) * 60 - 60);
      }
    }
  });
});
