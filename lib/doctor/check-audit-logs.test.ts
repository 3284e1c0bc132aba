import { describe, expect, it } from "vitest";
import type { CatalogCluster } from "@/lib/config/catalog-schema";
import type { ArmDiagnosticSetting } from "@/lib/posture/audit-logs";
import { checkAuditLogs, type LogsProbe } from "./check-audit-logs";
import type { Read, TenantReader } from "./check-result";

const CLUSTER_ID =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1";
const WORKSPACE =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law";
const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const CUSTOMER_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

const refused = (status: number, code: string): Read<never> => ({
  ok: false,
  status,
  code,
  message: `${code} said no`,
});

function reader(
  settings: Read<ArmDiagnosticSetting[]>,
  workspace: Read<unknown> = { ok: true, value: { properties: { customerId: CUSTOMER_ID } } },
): TenantReader {
  const unused = () => Promise.reject(new Error("not used"));
  return {
    graph: unused,
    graphList: unused,
    arm: async <T>() => workspace as Read<T>,
    armList: async <T>() => settings as Read<T[]>,
  };
}

const dedicated = (categories: string[], type = "Dedicated"): Read<ArmDiagnosticSetting[]> => ({
  ok: true,
  value: [
    {
      name: "audit",
      properties: {
        workspaceId: WORKSPACE,
        logAnalyticsDestinationType: type,
        logs: categories.map((category) => ({ category, enabled: true })),
      },
    },
  ],
});

/** The parts of a catalog cluster the check reads. */
const cluster = (auditLogs?: { table?: "AKSAuditAdmin" | "AKSAudit"; workspaceResourceId?: string }) => [
  {
    name: "c1",
    resourceId: CLUSTER_ID,
    auditLogs: auditLogs && { table: "AKSAuditAdmin" as const, ...auditLogs },
  } as CatalogCluster,
];

const ok: LogsProbe = async () => ({ ok: true, value: 1 });

describe("checkAuditLogs: the first step that keeps the activity summary from being taken, with its fix", () => {
  it("passes when the catalog's table is collected resource-specific and the probe answers", async () => {
    const queries: string[] = [];
    const probe: LogsProbe = async (id, query) => (queries.push(`${id} ${query}`), { ok: true, value: 0 });
    const [line] = await checkAuditLogs(reader(dedicated(["kube-audit-admin"])), probe, CLIENT_ID, cluster());
    expect(line).toMatchObject({ status: "pass", name: "c1" });
    expect(queries).toEqual([`${CUSTOMER_ID} AKSAuditAdmin | take 1`]);
  });

  it("fails when the catalog asks for AKSAudit and only kube-audit-admin is sent", async () => {
    const [line] = await checkAuditLogs(
      reader(dedicated(["kube-audit-admin"])),
      ok,
      CLIENT_ID,
      cluster({ table: "AKSAudit" }),
    );
    expect(line!.status).toBe("fail");
    expect(line!.fix).toContain(
      `--workspace ${WORKSPACE} --export-to-resource-specific true --logs '[{"category":"kube-audit","enabled":true}]'`,
    );
  });

  it("fails in AzureDiagnostics mode with the update command", async () => {
    const [line] = await checkAuditLogs(
      reader(dedicated(["kube-audit-admin"], "AzureDiagnostics")),
      ok,
      CLIENT_ID,
      cluster(),
    );
    expect(line!.fix).toContain(
      `az monitor diagnostic-settings update --name audit --resource ${CLUSTER_ID} --export-to-resource-specific true`,
    );
  });

  it.each([
    ["the workspace read", refused(403, "AuthorizationFailed"), ok],
    [
      "the query",
      { ok: true, value: { properties: { customerId: CUSTOMER_ID } } },
      async () => refused(403, "InsufficientAccessError"),
    ],
  ] as const)("names Log Analytics Reader when %s is refused", async (_, workspace, probe) => {
    const [line] = await checkAuditLogs(
      reader(dedicated(["kube-audit-admin"]), workspace),
      probe,
      CLIENT_ID,
      cluster(),
    );
    expect(line!.status).toBe("fail");
    expect(line!.fix).toContain(
      `az role assignment create --assignee ${CLIENT_ID} --role "Log Analytics Reader" --scope ${WORKSPACE}`,
    );
  });

  it("says the table is missing when the query names it unknown", async () => {
    const [line] = await checkAuditLogs(
      reader(dedicated(["kube-audit-admin"])),
      async () => refused(400, "BadArgumentError"),
      CLIENT_ID,
      cluster(),
    );
    expect(line!.detail).toContain("`AKSAuditAdmin | take 1` failed: HTTP 400 BadArgumentError");
    expect(line!.fix).toContain("az monitor diagnostic-settings create");
  });

  it("warns when the settings cannot be read and the catalog names no workspace, and goes on when it does", async () => {
    const [unread] = await checkAuditLogs(reader(refused(403, "AuthorizationFailed")), ok, CLIENT_ID, cluster());
    expect(unread!.status).toBe("warn");
    expect(unread!.fix).toContain("Microsoft.Insights/diagnosticSettings/read");
    const [named] = await checkAuditLogs(
      reader(refused(403, "AuthorizationFailed")),
      ok,
      CLIENT_ID,
      cluster({ workspaceResourceId: WORKSPACE }),
    );
    expect(named!.status).toBe("pass");
  });
});
