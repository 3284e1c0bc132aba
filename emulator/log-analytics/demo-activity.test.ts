import { describe, expect, it } from "vitest";
import { countsQuery } from "@/lib/activity/kql";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { type EmulatorContext, notifyAccessGranted } from "../context";
import { SignInStore } from "../graph-sign-ins";
import { Tenant } from "../tenant";
import { registerDemoActivity } from "./demo-activity";
import { parseQuery, runQuery } from "./kql";
import { seedLogAnalytics } from "./routes";
import { LogStore } from "./store";

const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const PROD = `/subscriptions/${SUB}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu`;
const PROD_NODES = `/subscriptions/${SUB}/resourceGroups/MC_rg-aks-prod_aks-prod-weu_westeurope`;
const NOW = new Date("2026-12-05T10:00:00Z");

function demo() {
  const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
  const ctx = { tenant, now: () => NOW, inspectors: [] } as unknown as EmulatorContext;
  const logs = new LogStore();
  seedLogAnalytics(ctx, logs);
  const signIns = new SignInStore();
  registerDemoActivity(ctx, logs, signIns);
  return { ctx, logs, signIns, n01: tenant.user("n01@contoso.com")! };
}

describe("the demo's activity", () => {
  it("plays a kubectl session within the access period when a role is given on a demo cluster", () => {
    const { ctx, logs, n01 } = demo();
    const end = new Date("2026-12-05T11:00:00Z");
    notifyAccessGranted(ctx, { principalId: n01.id, scope: PROD, roleDefinitionId: "r", start: NOW, end });
    const table = logs.workspace("law-aks-jit")!.tables.get("AKSAuditAdmin")!;
    const input = {
      table: "AKSAuditAdmin" as const,
      userPrincipalName: n01.userPrincipalName,
      objectId: n01.id,
      from: NOW,
      to: new Date("2026-12-05T12:15:00Z"),
      accessEnd: end,
    };
    const result = runQuery(parseQuery(countsQuery(input)), table.source(), { now: NOW });
    expect(result.rows.map((r) => [r.Verb, r.Resource, r.Subresource, r.Code, r.AfterEnd])).toEqual([
      ["create", "pods", "exec", 201, false],
      ["patch", "deployments", "", 200, false],
      ["delete", "pods", "", 200, false],
    ]);
    // the reads, the secret read and the denied list are in AKSAudit
    expect(logs.workspace("law-aks-jit")!.tables.get("AKSAudit")!.rowCount).toBe(9);
    // the same grant, the same session
    const again = demo();
    notifyAccessGranted(again.ctx, { principalId: n01.id, scope: PROD, roleDefinitionId: "r", start: NOW, end });
    const rows = (l: LogStore) => {
      const out: unknown[] = [];
      l.workspace("law-aks-jit")!
        .tables.get("AKSAudit")!
        .source()
        .scan({ fromMs: 0, toMs: 9e15 }, (row) => out.push([row.TimeGenerated, row.RequestUri, row.Stage]));
      return out;
    };
    expect(rows(again.logs)).toEqual(rows(logs));
  });

  it("records a node sign-in for a role on the node resource group, and nothing for a group", () => {
    const { ctx, logs, signIns, n01 } = demo();
    notifyAccessGranted(ctx, { principalId: n01.id, scope: PROD_NODES, roleDefinitionId: "r", start: NOW, end: null });
    expect(signIns.signIns.map((s) => [s.userId, s.resourceId, s.createdDateTime])).toEqual([
      [n01.id, "ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0", "2026-12-05T10:01:00Z"],
    ]);
    const group = ctx.tenant.groups[0]!.id;
    notifyAccessGranted(ctx, { principalId: group, scope: PROD, roleDefinitionId: "r", start: NOW, end: null });
    expect(logs.workspace("law-aks-jit")!.tables.get("AKSAudit")!.rowCount).toBe(0);
  });
});
