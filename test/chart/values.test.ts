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
      "an unknown probe setting",
      ["--set", "web.probes.liveness.initialDelay=5"],
      /additional properties 'initialDelay'/,
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
    expect(sentinels.length).toBe(9);
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
  });
});
