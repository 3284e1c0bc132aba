import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCertificates } from "../../emulator/certs";
import { type RunningEmulator, startEmulator } from "../../emulator/server";
import { Tenant } from "../../emulator/tenant";
import { CERT_DIR, ROOT } from "../../scripts/lib/paths";
import { GRAPH_PERMISSIONS } from "@/lib/cloud/required-permissions";
import { env as appEnv } from "@/lib/config/env";
import { getCatalog } from "@/lib/config/catalog";
import { runDoctor } from "@/lib/doctor/run-doctor";
import { grantRole, revokeRole, seededRoleAssignments } from "../support/azure-rbac";

/**
 * `npm run doctor` checks a live configuration against the tenant before going live: against the
 * demo tenant every check passes; against a deliberately misconfigured tenant each check fails and
 * says how to fix it. Run as operators run it: the real command, in its own process, with the app's
 * environment.
 */
const DEMO_CATALOG = path.join(ROOT, "jit.catalog.yaml");
const MISCONFIGURED_TENANT = path.join(ROOT, "test", "fixtures", "tenant-misconfigured.json");
const AUDITORS = "3ecc833e-183f-465d-9f69-9b4e2ad22ec5";
const NODE_ACCESS = "b73188ba-c417-45ba-9086-cec34a6ccddb";
const DEFAULT_GROUP = "5276251f-922a-4a74-bd64-dd49ae92e206";

interface Line {
  section: string;
  mark: "✓" | "✗" | "!";
  text: string;
  fix?: string;
}

/** The checklist back into items: section headings, `  ✓ name: detail`, `      Fix: …`. */
function parseChecklist(stdout: string): Line[] {
  const lines: Line[] = [];
  let section = "";
  for (const raw of stdout.split("\n")) {
    const item = /^ {2}([✓✗!]) (.*)$/.exec(raw);
    const fix = /^ {6}Fix: (.*)$/.exec(raw);
    if (item) lines.push({ section, mark: item[1] as Line["mark"], text: item[2]! });
    else if (fix) lines.at(-1)!.fix = fix[1];
    else if (/^\S/.test(raw)) section = raw;
  }
  return lines;
}

async function doctor(env: Record<string, string | undefined>) {
  // Asynchronous: the second emulator answers from this very process.
  const result = await promisify(execFile)(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "scripts/doctor.ts"],
    { cwd: ROOT, env: { ...process.env, CATALOG_PATH: DEMO_CATALOG, ...env }, encoding: "utf8" },
  ).then(
    (ok) => ({ ...ok, code: 0 }),
    (error: { stdout: string; stderr: string; code: number }) => error,
  );
  return { code: result.code, stdout: result.stdout, stderr: result.stderr, lines: parseChecklist(result.stdout) };
}

const failures = (lines: Line[], section: string) => lines.filter((l) => l.section === section && l.mark === "✗");

describe("npm run doctor against the demo tenant", () => {
  it("passes every check and exits 0", async () => {
    const { code, stdout, stderr, lines } = await doctor({});
    expect(stderr).toBe("");
    expect(lines.filter((l) => l.mark !== "✓")).toEqual([]);
    expect(new Set(lines.map((l) => l.section))).toEqual(
      new Set([
        "Credential",
        "Graph application permissions",
        "App registration",
        "Azure role assignments",
        "Groups",
        "PIM for Groups",
        "Approver coverage",
        "AKS clusters",
        "Kubernetes audit logs",
      ]),
    );
    expect(stdout).toContain("Microsoft Graph token (client secret)");
    expect(stdout).toContain("✓ default eligible for node-access");
    expect(stdout).toContain("✓ aks-prod-weu/admin: its approvers can give 1 approval to any requester");
    expect(stdout).toMatch(/\n\d+ passed, 0 failed\n/);
    expect(code).toBe(0);
  }, 60_000);
});

describe("npm run doctor with Entra Workload ID", () => {
  it("names the mode and passes with no client secret", async () => {
    const answer = await fetch(`${appEnv.ENTRA_AUTHORITY_HOST}/_emulator/k8s/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sub: "system:serviceaccount:aks-jit:aks-jit" }),
    });
    const dir = mkdtempSync(path.join(tmpdir(), "doctor-wi-"));
    const file = path.join(dir, "azure-identity-token");
    writeFileSync(file, ((await answer.json()) as { token: string }).token);
    try {
      const { code, lines } = await doctor({
        ENTRA_CLIENT_SECRET: "",
        AZURE_FEDERATED_TOKEN_FILE: file,
        AZURE_CLIENT_ID: appEnv.ENTRA_CLIENT_ID,
        AZURE_TENANT_ID: appEnv.ENTRA_TENANT_ID,
        AZURE_AUTHORITY_HOST: appEnv.ENTRA_AUTHORITY_HOST,
      });
      expect(lines.filter((l) => l.section === "Credential").map((l) => `${l.mark} ${l.text.split(": ")[0]}`)).toEqual([
        "✓ Microsoft Graph token (Workload ID)",
        "✓ Azure Resource Manager token (Workload ID)",
      ]);
      expect(lines.filter((l) => l.mark !== "✓")).toEqual([]);
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("doctor, one Graph permission removed at a time", () => {
  // Regression guard for the acceptance "removing each permission ... npm run doctor names it too".
  const knob = (applicationPermissions: readonly string[]) =>
    fetch(`${appEnv.ENTRA_AUTHORITY_HOST}/_emulator/applications/${appEnv.ENTRA_CLIENT_ID}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ applicationPermissions }),
    });
  const granted = Tenant.fromFile(path.join(ROOT, "emulator", "tenant.json")).applications[0]!.applicationPermissions;

  // The demo catalog uses no entraGroup grant, so GroupMember.ReadWrite.All is not needed there.
  const needed = GRAPH_PERMISSIONS.filter((need) => need.when !== "entraGroup").map((need) => need.permission);

  it.each(needed)("names %s when it is not granted", async (permission) => {
    expect((await knob(granted.filter((p) => p !== permission))).status).toBe(200);
    try {
      const { results } = await runDoctor();
      const graph = results.filter((r) => r.check === "Graph application permissions" && r.status === "fail");
      // Without Application.Read.All the doctor cannot read the grants at all, and says so.
      const name = permission === "Application.Read.All" ? "granted permissions" : permission;
      expect(graph.map((r) => r.name)).toEqual([name]);
      expect(graph[0]!.fix).toContain(`Application permissions → ${permission}`);
    } finally {
      await knob(granted);
    }
  });
});

describe("doctor, Kubernetes audit logs", () => {
  // Guards issue 19's acceptance: the doctor says, per cluster, when the activity summary cannot be
  // taken (audit logs not collected, not resource-specific, not readable by the app) and how to fix it.
  const prod = getCatalog().clusters.find((c) => c.name === "aks-prod-weu")!;
  /** Azure's built-in Log Analytics Reader role. */
  const LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893";
  const setDiagnostics = async (categories: string[], destination = "Dedicated") => {
    const response = await fetch(`${appEnv.ENTRA_AUTHORITY_HOST}/_emulator/clusters/${prod.clusterName}/diagnostics`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ categories, destination }),
    });
    expect(response.ok).toBe(true);
  };
  const auditLines = async () => (await runDoctor()).results.filter((r) => r.check === "Kubernetes audit logs");
  const prodLine = async () => (await auditLines()).find((r) => r.name === prod.name)!;

  it("passes for the demo clusters: collected resource-specific, and the app can query the table", async () => {
    // The test catalog's other clusters exist only for other suites' grants: ARM does not know them.
    const lines = (await auditLines()).filter((r) => r.name === "aks-prod-weu" || r.name === "aks-dev-weu");
    expect(lines.map((r) => [r.name, r.status])).toEqual([
      ["aks-prod-weu", "pass"],
      ["aks-dev-weu", "pass"],
    ]);
    expect(lines[0]!.detail).toContain("kube-audit-admin → AKSAuditAdmin");
  });

  it("names the az command when collection is off, and when it goes to AzureDiagnostics", async () => {
    try {
      await setDiagnostics([]);
      const off = await prodLine();
      expect(off.status).toBe("fail");
      expect(off.detail).toContain("kube-audit-admin is not sent to a Log Analytics workspace");
      expect(off.fix).toContain(
        `az monitor diagnostic-settings create --name aks-audit --resource ${prod.resourceId} --workspace `,
      );
      expect(off.fix).toContain(
        `--export-to-resource-specific true --logs '[{"category":"kube-audit-admin","enabled":true}]'`,
      );

      await setDiagnostics(["kube-audit-admin"], "AzureDiagnostics");
      const legacy = await prodLine();
      expect(legacy.status).toBe("fail");
      expect(legacy.detail).toContain("AzureDiagnostics mode");
      expect(legacy.fix).toMatch(
        new RegExp(
          `az monitor diagnostic-settings update --name \\S+ --resource ${prod.resourceId.replace(/\./g, "\\.")} --export-to-resource-specific true`,
        ),
      );
    } finally {
      await setDiagnostics(["kube-audit-admin", "kube-audit"]);
    }
    expect((await prodLine()).status).toBe("pass");
  });

  it("fails, saying which table is missing, when the workspace has no such table", async () => {
    const setTables = async (tables: string[]) => {
      const response = await fetch(`${appEnv.ENTRA_AUTHORITY_HOST}/_emulator/workspaces/law-aks-jit`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tables }),
      });
      expect(response.ok).toBe(true);
    };
    try {
      await setTables(["AKSAudit"]);
      const line = await prodLine();
      expect(line.status).toBe("fail");
      expect(`${line.detail} ${line.fix}`).toContain("AKSAuditAdmin");
      expect(line.fix).toBeTruthy();
    } finally {
      await setTables(["AKSAudit", "AKSAuditAdmin"]);
    }
    expect((await prodLine()).status).toBe("pass");
  });

  it("names the Log Analytics Reader assignment when the app cannot query the workspace", async () => {
    const seeded = (await seededRoleAssignments()).filter(
      (a) => a.roleDefinitionId.toLowerCase().endsWith(LOG_ANALYTICS_READER) && /\/workspaces\//i.test(a.scope),
    );
    expect(seeded.length).toBeGreaterThan(0);
    for (const assignment of seeded) await revokeRole(assignment.name);
    try {
      const line = await prodLine();
      expect(line.status).toBe("fail");
      expect(line.fix).toContain(
        `az role assignment create --assignee ${appEnv.ENTRA_CLIENT_ID} --role "Log Analytics Reader" --scope ${seeded[0]!.scope}`,
      );
    } finally {
      for (const assignment of seeded) await grantRole(assignment.scope, LOG_ANALYTICS_READER, assignment.principalId);
    }
    expect((await prodLine()).status).toBe("pass");
  });
});

describe("npm run doctor against a misconfigured tenant", () => {
  let emulator: RunningEmulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    emulator = await startEmulator({
      tenant: Tenant.fromFile(MISCONFIGURED_TENANT),
      tls: await ensureCertificates(CERT_DIR),
      port: 0,
    });
    env = {
      ENTRA_AUTHORITY_HOST: emulator.url,
      GRAPH_BASE_URL: emulator.url,
      ARM_BASE_URL: emulator.url,
      LOG_ANALYTICS_BASE_URL: emulator.url,
      // The demo's auditors group, which this tenant lacks.
      AUDITOR_GROUP_IDS: AUDITORS,
    };
  });
  afterAll(() => emulator?.close());

  it("fails each check with its fix and exits 1", async () => {
    const { code, stdout, lines } = await doctor(env);
    expect(code).toBe(1);
    // Every failure says what to do.
    expect(lines.filter((l) => l.mark === "✗" && !l.fix)).toEqual([]);

    const graph = failures(lines, "Graph application permissions");
    expect(graph.map((l) => l.text.split(": ")[0])).toEqual([
      "User.Read.All",
      "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
      "User.RevokeSessions.All",
      "Mail.Send",
    ]);
    for (const line of graph) {
      expect(line.fix).toContain(`Application permissions → ${line.text.split(": ")[0]}, then "Grant admin consent"`);
      expect(line.fix).toMatch(/az ad app permission add .*--api-permissions [0-9a-f-]{36}=Role/);
    }

    const registration = failures(lines, "App registration");
    expect(registration.map((l) => l.text.split(": ")[0])).toEqual([
      "optional claim auth_time",
      "optional claim acrs",
      `Web redirect URI ${process.env.APP_URL}/signed-out`,
      `SPA redirect URI ${process.env.APP_URL}/auth/popup`,
      "groups claim",
    ]);
    expect(registration[0]!.fix).toContain("Token configuration → Add optional claim → Token type: ID → auth_time");
    expect(registration[2]!.fix).toContain("Authentication → Web → Redirect URIs → Add URI");
    expect(registration[3]!.fix).toContain("Single-page application");

    const arm = failures(lines, "Azure role assignments");
    expect(arm).toHaveLength(4);
    for (const line of arm) {
      expect(line.text).toContain("lacks Microsoft.Authorization/roleAssignments/write");
      expect(line.fix).toContain("az role assignment create --assignee");
      expect(line.fix).toContain('--role "AKS JIT Access Provisioner"');
    }

    expect(failures(lines, "Groups")).toEqual([
      expect.objectContaining({
        text: expect.stringContaining(`${AUDITORS}: does not exist in this tenant; used by AUDITOR_GROUP_IDS`),
      }),
    ]);

    const pim = failures(lines, "PIM for Groups");
    expect(pim.map((l) => l.text.split(": ")[0])).toEqual([
      "admin (ffdebc24-7be9-4b76-887f-3a12aae9aada) is PIM-enabled",
      "default eligible for node-access",
    ]);
    expect(pim[0]!.fix).toContain("Privileged Identity Management → Groups → Discover groups");
    expect(pim[1]!.text).toContain(`requester group ${DEFAULT_GROUP}`);
    expect(pim[1]!.text).toContain(`not eligible for membership of ${NODE_ACCESS}`);
    expect(pim[1]!.fix).toContain("Assignment type: Eligible");

    const clusters = failures(lines, "AKS clusters");
    expect(clusters.map((l) => l.text)).toEqual([
      "aks-prod-weu: missing: Azure RBAC for Kubernetes authorization, local accounts disabled",
      "aks-dev-weu: missing: managed Entra ID integration",
    ]);
    expect(clusters.map((l) => l.fix)).toEqual([
      expect.stringContaining(
        "az aks update -g rg-aks-prod -n aks-prod-weu --enable-azure-rbac --disable-local-accounts",
      ),
      expect.stringContaining("az aks update -g rg-aks-dev -n aks-dev-weu --enable-aad"),
    ]);
    // The tenant has no auditors group: nobody chases an overdue break-glass review (approver coverage,
    // the rules of `npm run catalog:check -- --live`); the missing group itself is the Groups check's.
    const coverage = lines.filter((l) => l.section === "Approver coverage" && l.mark === "!");
    expect(coverage.map((l) => l.text.split(": ")[0])).toEqual(["aks-prod-weu/admin", "aks-prod-weu/cluster-admin"]);
    for (const line of coverage) {
      expect(line.text).toContain("an overdue break-glass review is escalated to nobody");
      expect(line.fix).toContain("or set AUDITOR_GROUP_IDS to a group with members");
    }
    // The audit logs are collected, but the app holds no Log Analytics Reader on their workspace here.
    const audit = failures(lines, "Kubernetes audit logs");
    expect(audit.map((l) => l.text.split(": ")[0])).toEqual(["aks-prod-weu", "aks-dev-weu"]);
    for (const line of audit) {
      expect(line.text).toContain("cannot read the workspace");
      expect(line.fix).toMatch(
        /az role assignment create --assignee \S+ --role "Log Analytics Reader" --scope \/subscriptions\/.+\/workspaces\//,
      );
    }
    expect(stdout).toMatch(/\n\d+ passed, 20 failed, 2 warnings\n/);
  }, 60_000);

  it("says it cannot read the granted permissions without Application.Read.All, and how to grant it", async () => {
    const appId = Tenant.fromFile(MISCONFIGURED_TENANT).applications[0]!.appId;
    const knob = (applicationPermissions: string[]) =>
      fetch(`${emulator.url}/_emulator/applications/${appId}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ applicationPermissions }),
      });
    const granted = Tenant.fromFile(MISCONFIGURED_TENANT).applications[0]!.applicationPermissions;
    expect((await knob(granted.filter((p) => p !== "Application.Read.All"))).status).toBe(200);
    try {
      const { code, lines } = await doctor(env);
      expect(code).toBe(1);
      const [graph] = failures(lines, "Graph application permissions");
      expect(graph!.text).toContain(
        "granted permissions: cannot read the app's granted permissions (needs Application.Read.All): HTTP 403 Authorization_RequestDenied",
      );
      expect(graph!.fix).toContain("Application permissions → Application.Read.All");
      expect(failures(lines, "App registration")[0]!.text).toContain("cannot read it (needs Application.Read.All)");
    } finally {
      await knob(granted);
    }
  }, 60_000);

  it("stops after a credential that gets no token, naming the variables to check", async () => {
    const { code, stdout, lines } = await doctor({ ...env, ENTRA_CLIENT_SECRET: "not-the-secret" });
    expect(code).toBe(1);
    expect(lines.map((l) => [l.section, l.mark, l.text.split(": ")[0]])).toEqual([
      ["Credential", "✗", "Microsoft Graph token (client secret)"],
      ["Credential", "✗", "Azure Resource Manager token (client secret)"],
    ]);
    expect(lines[0]!.text).toContain("AADSTS7000215");
    expect(lines[0]!.fix).toContain("ENTRA_CLIENT_SECRET");
    expect(stdout).toContain("The other checks need a working credential");
  }, 60_000);
});
