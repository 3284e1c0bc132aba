/**
 * Guards the two things that hurt most when wrong: hooks (a malformed one runs at the wrong time or never;
 * one that mounts a normal resource cannot start on the first install; a migration through PgBouncer
 * breaks) and secrets (a value that reaches the rendered release is readable by anyone who can read
 * Helm's release Secret or the pod specs).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  envOf,
  find,
  FULLNAME,
  MATRIX,
  podOf,
  render,
  SENTINELS,
  workloads,
  type KubeObject,
  type PodTemplate,
} from "./render";

const SECRET_ENV = [
  "DATABASE_URL",
  "MIGRATION_DATABASE_URL",
  "DATABASE_LISTEN_URL",
  "SESSION_SECRET",
  "ENTRA_CLIENT_SECRET",
  "NOTIFY_WEBHOOKS",
];
const HOOK_EVENTS = new Set([
  "pre-install",
  "post-install",
  "pre-upgrade",
  "post-upgrade",
  "pre-delete",
  "post-delete",
  "pre-rollback",
  "post-rollback",
  "test",
]);
const DELETE_POLICIES = new Set(["before-hook-creation", "hook-succeeded", "hook-failed"]);

/** Per case: the Secret keys it configures for the app's, the migration's and the LISTEN connection strings. */
interface CaseKeys {
  secret: string;
  hookSecret: string;
  databaseUrl: string;
  migrationDatabaseUrl: string;
  listenDatabaseUrl: string;
}
const KEYS: Record<string, CaseKeys> = {
  "existing secret": {
    secret: "platform-aks-jit",
    hookSecret: "platform-aks-jit",
    databaseUrl: "pgbouncer-url",
    migrationDatabaseUrl: "direct-url",
    listenDatabaseUrl: "direct-listen-url",
  },
  "key vault csi": {
    secret: `${FULLNAME}-keyvault`,
    hookSecret: `${FULLNAME}-keyvault-hook`,
    databaseUrl: "DATABASE_URL",
    migrationDatabaseUrl: "MIGRATION_DATABASE_URL",
    listenDatabaseUrl: "DATABASE_LISTEN_URL",
  },
};
const keysOf = (name: string): CaseKeys =>
  KEYS[name] ?? {
    secret: "aks-jit-secrets",
    hookSecret: "aks-jit-secrets",
    databaseUrl: "DATABASE_URL",
    migrationDatabaseUrl: "MIGRATION_DATABASE_URL",
    listenDatabaseUrl: "DATABASE_LISTEN_URL",
  };

const rendered = new Map<string, { text: string; objects: KubeObject[] }>();

beforeAll(async () => {
  await Promise.all(MATRIX.map(async (c) => rendered.set(c.name, await render(c.files))));
});

const isHook = (o: KubeObject) => o.metadata.annotations?.["helm.sh/hook"] !== undefined;
const weightOf = (o: KubeObject) => Number(o.metadata.annotations?.["helm.sh/hook-weight"] ?? 0);

/** What a pod needs to exist before it can start: its ServiceAccount, ConfigMaps, SecretProviderClasses. */
function dependenciesOf(pod: PodTemplate) {
  const needs: { kind: string; name: string }[] = [];
  if (pod.spec.serviceAccountName) needs.push({ kind: "ServiceAccount", name: pod.spec.serviceAccountName });
  for (const volume of pod.spec.volumes ?? []) {
    if (volume.configMap) needs.push({ kind: "ConfigMap", name: volume.configMap.name });
    const spc = volume.csi?.volumeAttributes?.secretProviderClass;
    if (spc) needs.push({ kind: "SecretProviderClass", name: spc });
  }
  for (const container of pod.spec.containers) {
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) needs.push({ kind: "ConfigMap", name: source.configMapRef.name });
    }
  }
  return needs;
}

describe.each(MATRIX)("values case: $name", (matrixCase) => {
  const objects = () => rendered.get(matrixCase.name)!.objects;
  const keys = keysOf(matrixCase.name);

  it("writes every hook annotation as a well-formed string: events, weight, delete policy", () => {
    const hooks = objects().filter(isHook);
    expect(hooks.length).toBeGreaterThan(0);
    for (const hook of hooks) {
      const annotations = hook.metadata.annotations!;
      const where = `${hook.kind}/${hook.metadata.name}`;
      for (const value of Object.values(annotations)) expect(typeof value, where).toBe("string");
      expect(annotations["helm.sh/hook"], where).toBe("pre-install,pre-upgrade");
      expect(
        annotations["helm.sh/hook"]!.split(",").every((e) => HOOK_EVENTS.has(e)),
        where,
      ).toBe(true);
      expect(annotations["helm.sh/hook-weight"], where).toMatch(/^-?\d+$/);
      const policies = annotations["helm.sh/hook-delete-policy"]!.split(",");
      expect(
        policies.every((p) => DELETE_POLICIES.has(p)),
        where,
      ).toBe(true);
      expect(policies, where).toContain("before-hook-creation");
    }
  });

  it("runs the config check, then the migration, both as hooks", () => {
    const configCheck = find(objects(), "Job", `${FULLNAME}-config-check`);
    const migrate = find(objects(), "Job", `${FULLNAME}-migrate`);
    expect(
      objects()
        .filter((o) => o.kind === "Job")
        .every(isHook),
    ).toBe(true);
    expect(weightOf(configCheck)).toBeLessThan(weightOf(migrate));
    expect(podOf(objects(), "Job", `${FULLNAME}-config-check`).spec.containers[0]!.command).toEqual([
      "node",
      "config-check.mjs",
    ]);
    expect(podOf(objects(), "Job", `${FULLNAME}-migrate`).spec.containers[0]!.command).toEqual(["node", "migrate.mjs"]);
    for (const name of ["config-check", "migrate"]) {
      expect(podOf(objects(), "Job", `${FULLNAME}-${name}`).spec.restartPolicy).toBe("Never");
    }
  });

  it("gives hook pods only what exists before them: hook resources of a lower weight, or the user's own", () => {
    const byName = new Map(objects().map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    for (const { object, pod } of workloads(objects()).filter(({ object }) => isHook(object))) {
      for (const need of dependenciesOf(pod)) {
        const where = `${object.metadata.name} needs ${need.kind}/${need.name}`;
        const provided = byName.get(`${need.kind}/${need.name}`);
        if (!provided) continue; // not rendered by the chart: the user's own (existing Secret, ConfigMap, account)
        expect(isHook(provided), where).toBe(true);
        expect(weightOf(provided), where).toBeLessThan(weightOf(object));
      }
    }
  });

  it("gives the migration the DIRECT connection string as DATABASE_URL, never the PgBouncer one", () => {
    const migrate = podOf(objects(), "Job", `${FULLNAME}-migrate`).spec.containers[0]!;
    expect(envOf(migrate, "DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({
      name: keys.hookSecret,
      key: keys.migrationDatabaseUrl,
    });
    const refs = (migrate.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.key).filter(Boolean);
    expect(refs).not.toContain(keys.databaseUrl);
    expect(migrate.envFrom ?? []).toEqual([]);
  });

  it("gives the app processes the PgBouncer string and never the direct one", () => {
    for (const { object, pod } of workloads(objects()).filter(
      ({ object }) => !object.metadata.name.endsWith("-migrate"),
    )) {
      const container = pod.spec.containers[0]!;
      expect(envOf(container, "DATABASE_URL")?.valueFrom?.secretKeyRef?.key, object.metadata.name).toBe(
        keys.databaseUrl,
      );
      const refs = (container.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.key);
      expect(refs, object.metadata.name).not.toContain(keys.migrationDatabaseUrl);
    }
  });

  it("gives the web and worker pods, and only them, the DIRECT connection for LISTEN as DATABASE_LISTEN_URL (required)", () => {
    // Not optional: without it the app LISTENs through DATABASE_URL, which behind PgBouncer hears nothing
    // (the web pods' live dashboard, the workers' wake-up when an access job is queued).
    for (const name of [`${FULLNAME}-web`, `${FULLNAME}-worker`]) {
      const container = podOf(objects(), "Deployment", name).spec.containers[0]!;
      expect(envOf(container, "DATABASE_LISTEN_URL")?.valueFrom?.secretKeyRef, name).toEqual({
        name: keys.secret,
        key: keys.listenDatabaseUrl,
      });
    }
    expect(keys.listenDatabaseUrl).not.toBe(keys.databaseUrl);
    const hasListen = (name: string) => name.endsWith("-web") || name.endsWith("-worker");
    for (const { object, pod } of workloads(objects()).filter(({ object }) => !hasListen(object.metadata.name))) {
      const container = pod.spec.containers[0]!;
      expect(envOf(container, "DATABASE_LISTEN_URL"), object.metadata.name).toBeUndefined();
      const refs = (container.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.key);
      expect(refs, object.metadata.name).not.toContain(keys.listenDatabaseUrl);
    }
    const names = workloads(objects()).map(({ object }) => object.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining([`${FULLNAME}-worker`, `${FULLNAME}-config-check`, `${FULLNAME}-migrate`]),
    );
  });

  it("checks the configuration with the web pods' environment and catalog", () => {
    const web = podOf(objects(), "Deployment", `${FULLNAME}-web`);
    const check = podOf(objects(), "Job", `${FULLNAME}-config-check`);
    const strip = (pod: PodTemplate) =>
      pod.spec.containers[0]!.env!.map((e) =>
        e.valueFrom?.secretKeyRef
          ? { name: e.name, key: e.valueFrom.secretKeyRef.key }
          : { name: e.name, value: e.value },
      );
    // All of it but the LISTEN connection, which no hook gets (the config check opens no connection).
    expect(strip(check)).toEqual(strip(web).filter((e) => e.name !== "DATABASE_LISTEN_URL"));
    expect(strip(web).map((e) => e.name)).toContain("DATABASE_LISTEN_URL");
    const configOf = (name: string) => find(objects(), "ConfigMap", name).data;
    expect(configOf(`${FULLNAME}-config-hook`)).toEqual(configOf(`${FULLNAME}-config`));
    expect(check.spec.containers[0]!.envFrom).toEqual([{ configMapRef: { name: `${FULLNAME}-config-hook` } }]);
    const catalog = objects().find((o) => o.kind === "ConfigMap" && o.metadata.name === `${FULLNAME}-catalog`);
    if (catalog) expect(configOf(`${FULLNAME}-catalog-hook`)).toEqual(catalog.data);
  });

  it("renders no Secret and no secret value: every secret variable is a secretKeyRef", () => {
    const { text } = rendered.get(matrixCase.name)!;
    expect(objects().filter((o) => o.kind === "Secret")).toEqual([]);
    for (const sentinel of Object.values(SENTINELS)) expect(text).not.toContain(sentinel);
    expect(text).not.toMatch(/postgres(ql)?:\/\//);
    for (const { object, pod } of workloads(objects())) {
      for (const container of pod.spec.containers) {
        for (const variable of (container.env ?? []).filter((e) => SECRET_ENV.includes(e.name))) {
          const where = `${object.metadata.name}/${container.name} ${variable.name}`;
          expect(variable.value, where).toBeUndefined();
          const ref = variable.valueFrom?.secretKeyRef;
          expect(ref?.name, where).toBe(isHook(object) ? keys.hookSecret : keys.secret);
        }
        expect(container.envFrom?.some((e) => e.secretRef) ?? false).toBe(false);
      }
    }
  });
});

describe("secrets from Azure Key Vault (Secrets Store CSI driver)", () => {
  const objects = () => rendered.get("key vault csi")!.objects;

  it("syncs each Key Vault secret to the key the env reads, no client secret with Workload ID, no LISTEN URL for the hooks", () => {
    for (const [name, hook] of [
      [`${FULLNAME}-keyvault`, false],
      [`${FULLNAME}-keyvault-hook`, true],
    ] as const) {
      const spc = find(objects(), "SecretProviderClass", name);
      expect(isHook(spc)).toBe(hook);
      const spec = spc.spec as {
        parameters: Record<string, string>;
        secretObjects: { secretName: string; data: { objectName: string; key: string }[] }[];
      };
      expect(spec.parameters).toMatchObject({
        usePodIdentity: "false",
        clientID: "66666666-7777-4888-8999-aaaaaaaaaaaa",
        keyvaultName: "kv-aks-jit-prod",
        tenantId: "11111111-2222-4333-8444-555555555555",
      });
      // `objects` is YAML holding a list of YAML strings, one per Key Vault object.
      const listed = (parse(spec.parameters.objects!) as { array: string[] }).array.map((o) => parse(o));
      expect(listed).toEqual([
        { objectName: "aks-jit-database-url", objectType: "secret" },
        { objectName: "aks-jit-migration-database-url", objectType: "secret" },
        ...(hook ? [] : [{ objectName: "aks-jit-listen-database-url", objectType: "secret" }]),
        { objectName: "aks-jit-session-secret", objectType: "secret" },
        { objectName: "aks-jit-notify-webhooks", objectType: "secret" },
      ]);
      expect(spec.secretObjects).toHaveLength(1);
      expect(spec.secretObjects[0]!.secretName).toBe(hook ? `${FULLNAME}-keyvault-hook` : `${FULLNAME}-keyvault`);
      expect(spec.secretObjects[0]!.data).toEqual([
        { objectName: "aks-jit-database-url", key: "DATABASE_URL" },
        { objectName: "aks-jit-migration-database-url", key: "MIGRATION_DATABASE_URL" },
        ...(hook ? [] : [{ objectName: "aks-jit-listen-database-url", key: "DATABASE_LISTEN_URL" }]),
        { objectName: "aks-jit-session-secret", key: "SESSION_SECRET" },
        { objectName: "aks-jit-notify-webhooks", key: "NOTIFY_WEBHOOKS" },
      ]);
    }
  });

  it("mounts the CSI volume in every pod, so the synced Secret exists while they run", () => {
    for (const { object, pod } of workloads(objects())) {
      const volume = pod.spec.volumes?.find((v) => v.csi);
      expect(volume?.csi, object.metadata.name).toEqual({
        driver: "secrets-store.csi.k8s.io",
        readOnly: true,
        volumeAttributes: { secretProviderClass: `${FULLNAME}-keyvault${isHook(object) ? "-hook" : ""}` },
      });
      expect(pod.spec.containers[0]!.volumeMounts).toContainEqual({
        name: volume!.name,
        mountPath: "/mnt/secrets-store",
        readOnly: true,
      });
    }
  });

  it("mounts the audit verify key as a file and points AUDIT_VERIFY_KEY_FILE at it", () => {
    const config = find(objects(), "ConfigMap", `${FULLNAME}-config`).data as Record<string, string>;
    expect(config.AUDIT_VERIFY_KEY_FILE).toBe("/etc/aks-jit/audit/audit-verify-key.pem");
    const web = podOf(objects(), "Deployment", `${FULLNAME}-web`);
    expect(web.spec.volumes?.find((v) => v.name === "audit-verify-key")?.configMap?.name).toBe(
      "aks-jit-audit-verify-key",
    );
    expect(web.spec.containers[0]!.volumeMounts).toContainEqual({
      name: "audit-verify-key",
      mountPath: "/etc/aks-jit/audit",
      readOnly: true,
    });
  });
});

describe("an existing ServiceAccount", () => {
  it("serves the hooks too (no hook account is created), and succeeded hooks can be kept", () => {
    const objects = rendered.get("existing secret")!.objects;
    expect(objects.filter((o) => o.kind === "ServiceAccount")).toEqual([]);
    for (const { pod } of workloads(objects)) expect(pod.spec.serviceAccountName).toBe("aks-jit-platform");
    for (const hook of objects.filter(isHook)) {
      expect(hook.metadata.annotations!["helm.sh/hook-delete-policy"]).toBe("before-hook-creation");
    }
  });
});
