/* The Log Analytics workspaces the emulator holds, their AKSAudit / AKSAuditAdmin tables, and the
 * clusters' diagnostic settings that decide which rows land where.
 *
 * Where rows land (https://learn.microsoft.com/azure/aks/monitor-aks#aks-control-planeresource-logs,
 * https://learn.microsoft.com/azure/azure-monitor/essentials/resource-logs#resource-specific):
 * a cluster's audit events reach a workspace only through a diagnostic setting that sends the
 * category there; in resource-specific mode (logAnalyticsDestinationType "Dedicated") kube-audit goes
 * to AKSAudit and kube-audit-admin to AKSAuditAdmin, which is kube-audit without the get and list
 * events (https://learn.microsoft.com/azure/azure-monitor/reference/tables/aksauditadmin); in the
 * default Azure diagnostics mode they land in AzureDiagnostics, which the emulator only counts.
 *
 * Who the rows name: with AKS-managed Microsoft Entra integration the API server records an Entra
 * user as `user.username` = the UPN and `user.extra.oid` = [object id], a service principal by its
 * object id (https://learn.microsoft.com/azure/aks/concepts-identity#microsoft-entra-integration;
 * the audit event's UserInfo: https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event).
 *
 * Storage: rows are kept per table and per distinct User value (the index the KQL engine narrows
 * by). Calls posted one by one are kept as rows; generated calls (POST /_emulator/activity/generate)
 * are kept as a descriptor {from, to, count, seed} whose rows are produced on demand, each from a hash
 * of (seed, index), and only for the time range a query reads: 10M rows cost a few kilobytes. */
import { randomUUID } from "node:crypto";
import type { Column, Row, TableSource, Value } from "./kql";
import { callRows, type CallInput, generatedCall, isLongRunning } from "./generate";
import type { AuditTableName, AuditUser, ClusterRef } from "./model";

export { AUDIT_TABLE_NAMES, type AuditTableName, type AuditUser, type ClusterRef } from "./model";

/** The AKS resource log categories (https://learn.microsoft.com/azure/aks/monitor-aks-reference#resource-logs). */
export const AKS_LOG_CATEGORIES = [
  "kube-apiserver",
  "kube-audit",
  "kube-audit-admin",
  "kube-controller-manager",
  "kube-scheduler",
  "cluster-autoscaler",
  "cloud-controller-manager",
  "guard",
  "csi-azuredisk-controller",
  "csi-azurefile-controller",
  "csi-snapshot-controller",
  "fleet-member-agent",
  "fleet-member-net-controller-manager",
  "fleet-mcs-controller-manager",
] as const;

/** Category groups (https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings#category-groups). */
const CATEGORY_GROUPS: Record<string, readonly string[]> = {
  allLogs: AKS_LOG_CATEGORIES,
  audit: ["kube-audit", "kube-audit-admin", "guard"],
};

const TABLE_OF_CATEGORY: Record<string, AuditTableName> = {
  "kube-audit": "AKSAudit",
  "kube-audit-admin": "AKSAuditAdmin",
};

/** The columns of AKSAudit and AKSAuditAdmin (https://learn.microsoft.com/azure/azure-monitor/reference/tables/aksaudit). */
export const AUDIT_SCHEMA: readonly Column[] = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "Level", type: "string" },
  { name: "AuditId", type: "string" },
  { name: "Stage", type: "string" },
  { name: "RequestUri", type: "string" },
  { name: "Verb", type: "string" },
  { name: "User", type: "dynamic" },
  { name: "SourceIps", type: "dynamic" },
  { name: "UserAgent", type: "string" },
  { name: "ObjectRef", type: "dynamic" },
  { name: "ResponseStatus", type: "dynamic" },
  { name: "RequestObject", type: "dynamic" },
  { name: "ResponseObject", type: "dynamic" },
  { name: "RequestReceivedTime", type: "datetime" },
  { name: "StageReceivedTime", type: "datetime" },
  { name: "Annotations", type: "dynamic" },
  { name: "PodName", type: "string" },
  { name: "SourceSystem", type: "string" },
  { name: "TenantId", type: "string" },
  { name: "Type", type: "string" },
  { name: "_ResourceId", type: "string" },
  { name: "_SubscriptionId", type: "string" },
  { name: "_IsBillable", type: "string" },
  { name: "_BilledSize", type: "real" },
];

/** Bytes a row is billed as, on average (for statistics' tableSize). */
const ROW_BYTES = 1200;

export interface WorkspaceRecord {
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  customerId: string;
  createdAt: Date;
  /** the tables it has: created by the first row, by a diagnostic setting sending there, or by the knob */
  tables: Map<AuditTableName, AuditTable>;
}

export const workspaceResourceId = (w: Pick<WorkspaceRecord, "subscriptionId" | "resourceGroup" | "name">) =>
  `/subscriptions/${w.subscriptionId}/resourceGroups/${w.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${w.name}`;

export interface DiagnosticSetting {
  name: string;
  workspaceId: string | null;
  logs: Array<{ category: string | null; categoryGroup: string | null; enabled: boolean }>;
  logAnalyticsDestinationType: "Dedicated" | "AzureDiagnostics" | null;
}

interface GeneratedBlock {
  id: number;
  cluster: ClusterRef;
  fromMs: number;
  toMs: number;
  count: number;
  seed: number;
  sourceIp: string;
  tenantId: string;
}

type Segment =
  { kind: "rows"; rows: Row[]; isSorted: boolean } | { kind: "generated"; block: GeneratedBlock; rows: number };

/** One table: rows per user (by the user's key in the store's dictionary). */
export class AuditTable {
  readonly byUser = new Map<number, Segment[]>();
  rowCount = 0;

  constructor(
    readonly name: AuditTableName,
    private readonly store: LogStore,
  ) {}

  private segments(userKey: number) {
    let list = this.byUser.get(userKey);
    if (!list) {
      list = [];
      this.byUser.set(userKey, list);
    }
    return list;
  }

  addRows(userKey: number, rows: Row[]) {
    if (rows.length === 0) return;
    const list = this.segments(userKey);
    let last = list.at(-1);
    if (!last || last.kind !== "rows") {
      last = { kind: "rows", rows: [], isSorted: true };
      list.push(last);
    }
    last.rows.push(...rows);
    last.isSorted = false;
    this.rowCount += rows.length;
  }

  addGenerated(userKey: number, block: GeneratedBlock, rows: number) {
    this.segments(userKey).push({ kind: "generated", block, rows });
    this.rowCount += rows;
  }

  /** The engine's view of the table. */
  source(): TableSource {
    return {
      schema: AUDIT_SCHEMA,
      users: () => [...this.byUser.keys()].map((key) => ({ key, user: this.store.user(key) as unknown as Value })),
      scan: (range, visit) => {
        let scanned = 0;
        const keys = range.users ?? [...this.byUser.keys()];
        for (const key of keys) {
          for (const segment of this.byUser.get(key) ?? []) {
            if (segment.kind === "rows") {
              if (!segment.isSorted) {
                segment.rows.sort((a, b) => (a.TimeGenerated as Date).getTime() - (b.TimeGenerated as Date).getTime());
                segment.isSorted = true;
              }
              const rows = segment.rows;
              let i = lowerBound(rows, range.fromMs);
              for (; i < rows.length; i += 1) {
                const t = (rows[i]!.TimeGenerated as Date).getTime();
                if (t >= range.toMs) break;
                scanned += 1;
                visit({ ...rows[i]! }); // the query's own copy: the engine extends rows in place
              }
            } else {
              scanned += this.scanGenerated(key, segment.block, range, visit);
            }
          }
        }
        return scanned;
      },
    };
  }

  private scanGenerated(
    userKey: number,
    block: GeneratedBlock,
    range: { fromMs: number; toMs: number },
    visit: (row: Row) => void,
  ) {
    const step = (block.toMs - block.fromMs) / block.count;
    // A long-running call's ResponseStarted row precedes its call by up to LONG_RUNNING_MS.
    const slack = Math.ceil(60_000 / step) + 1;
    const lo = Math.max(0, Math.floor((range.fromMs - block.fromMs) / step) - 1);
    const hi = Math.min(block.count, Math.ceil((range.toMs - block.fromMs) / step) + slack);
    let scanned = 0;
    const user = this.store.user(userKey);
    for (let i = lo; i < hi; i += 1) {
      const call = generatedCall(block.seed, i, block.fromMs, step);
      if (this.name === "AKSAuditAdmin" && (call.verb === "get" || call.verb === "list")) continue;
      for (const row of callRows(call, {
        user,
        cluster: block.cluster,
        table: this.name,
        tenantId: block.tenantId,
        auditId: generatedAuditId(block.id, i),
        sourceIp: block.sourceIp,
      })) {
        const t = (row.TimeGenerated as Date).getTime();
        if (t < range.fromMs || t >= range.toMs) continue;
        scanned += 1;
        visit(row);
      }
    }
    return scanned;
  }

  sizeBytes() {
    return this.rowCount * ROW_BYTES;
  }
}

function lowerBound(rows: Row[], fromMs: number) {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid]!.TimeGenerated as Date).getTime() < fromMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A GUID that only the block and the call's index determine (both rows of a long-running call share it). */
function generatedAuditId(blockId: number, index: number) {
  const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, "0").slice(-width);
  const a = Math.imul(blockId + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b);
  return `${hex(a, 8)}-${hex(blockId, 4)}-4${hex(index >>> 16, 3)}-a${hex(index >>> 4, 3)}-${hex(index, 4)}${hex(a ^ 0x5bd1e995, 8)}`;
}

export class LogStore {
  readonly workspaces = new Map<string, WorkspaceRecord>();
  /** diagnostic settings by the cluster's resource id (lower case), then by setting name (lower case) */
  readonly diagnostics = new Map<string, Map<string, DiagnosticSetting>>();
  /** rows the emulator would have written to AzureDiagnostics (destination not Dedicated) */
  azureDiagnosticsRows = 0;
  private readonly userKeys = new Map<string, number>();
  private readonly users: AuditUser[] = [];
  private nextBlock = 0;

  user(key: number): AuditUser {
    return this.users[key]!;
  }

  userKey(user: AuditUser): number {
    const id = JSON.stringify(user);
    let key = this.userKeys.get(id);
    if (key === undefined) {
      key = this.users.length;
      this.users.push(user);
      this.userKeys.set(id, key);
    }
    return key;
  }

  addWorkspace(w: Omit<WorkspaceRecord, "tables" | "createdAt"> & { tables?: readonly AuditTableName[] }, now: Date) {
    const record: WorkspaceRecord = { ...w, createdAt: now, tables: new Map() };
    for (const t of w.tables ?? []) record.tables.set(t, new AuditTable(t, this));
    this.workspaces.set(w.name.toLowerCase(), record);
    return record;
  }

  workspace(name: string) {
    return this.workspaces.get(name.toLowerCase());
  }

  workspaceByCustomerId(customerId: string) {
    return [...this.workspaces.values()].find((w) => w.customerId.toLowerCase() === customerId.toLowerCase());
  }

  workspaceByResourceId(id: string | null) {
    if (!id) return undefined;
    return [...this.workspaces.values()].find((w) => workspaceResourceId(w).toLowerCase() === id.toLowerCase());
  }

  table(w: WorkspaceRecord, name: AuditTableName) {
    let table = w.tables.get(name);
    if (!table) {
      table = new AuditTable(name, this);
      w.tables.set(name, table);
    }
    return table;
  }

  setDiagnostic(clusterId: string, setting: DiagnosticSetting) {
    let settings = this.diagnostics.get(clusterId.toLowerCase());
    if (!settings) {
      settings = new Map();
      this.diagnostics.set(clusterId.toLowerCase(), settings);
    }
    settings.set(setting.name.toLowerCase(), setting);
    // A workspace gets the resource-specific table when a setting first sends the category there.
    for (const { workspace, table } of this.destinations(clusterId)) this.table(workspace, table);
  }

  /** The (workspace, table) pairs a cluster's audit events land in, in resource-specific mode. */
  destinations(clusterId: string): Array<{ workspace: WorkspaceRecord; table: AuditTableName }> {
    const out: Array<{ workspace: WorkspaceRecord; table: AuditTableName }> = [];
    for (const setting of this.diagnostics.get(clusterId.toLowerCase())?.values() ?? []) {
      if (setting.logAnalyticsDestinationType !== "Dedicated") continue;
      const workspace = this.workspaceByResourceId(setting.workspaceId);
      if (!workspace) continue;
      for (const category of enabledCategories(setting)) {
        const table = TABLE_OF_CATEGORY[category];
        if (table && !out.some((d) => d.workspace === workspace && d.table === table)) out.push({ workspace, table });
      }
    }
    return out;
  }

  /** Whether some setting sends the cluster's audit events to AzureDiagnostics instead. */
  private sendsToAzureDiagnostics(clusterId: string) {
    return [...(this.diagnostics.get(clusterId.toLowerCase())?.values() ?? [])].some(
      (s) =>
        s.logAnalyticsDestinationType !== "Dedicated" &&
        this.workspaceByResourceId(s.workspaceId) &&
        enabledCategories(s).some((c) => c in TABLE_OF_CATEGORY),
    );
  }

  /** Appends the calls' rows to every table the cluster sends to; rows per table. */
  appendCalls(cluster: ClusterRef, user: AuditUser, calls: CallInput[]): Record<string, number> {
    const counts: Record<string, number> = {};
    const key = this.userKey(user);
    const destinations = this.destinations(cluster.resourceId);
    for (const { workspace, table } of destinations) {
      const rows = calls
        .filter((c) => table === "AKSAudit" || (c.verb !== "get" && c.verb !== "list"))
        .flatMap((call) =>
          callRows(call, {
            user,
            cluster,
            table,
            tenantId: workspace.customerId,
            auditId: randomUUID(),
            sourceIp: call.sourceIp ?? "10.224.0.4",
          }),
        );
      this.table(workspace, table).addRows(key, rows);
      counts[`${workspace.name}/${table}`] = (counts[`${workspace.name}/${table}`] ?? 0) + rows.length;
    }
    if (this.sendsToAzureDiagnostics(cluster.resourceId)) this.azureDiagnosticsRows += calls.length;
    return counts;
  }

  /** Records `count` generated calls over [from, to): stored as a descriptor; rows per table. */
  generate(
    cluster: ClusterRef,
    user: AuditUser,
    options: { fromMs: number; toMs: number; count: number; seed: number; sourceIp: string },
  ): Record<string, number> {
    const key = this.userKey(user);
    const counts: Record<string, number> = {};
    const destinations = this.destinations(cluster.resourceId);
    if (destinations.length === 0) {
      if (this.sendsToAzureDiagnostics(cluster.resourceId)) this.azureDiagnosticsRows += options.count;
      return counts;
    }
    // Count each table's rows once, without building them.
    const step = (options.toMs - options.fromMs) / options.count;
    let all = 0;
    let admin = 0;
    for (let i = 0; i < options.count; i += 1) {
      const call = generatedCall(options.seed, i, options.fromMs, step);
      const rows = isLongRunning(call) ? 2 : 1;
      all += rows;
      if (call.verb !== "get" && call.verb !== "list") admin += rows;
    }
    const id = this.nextBlock++;
    for (const { workspace, table } of destinations) {
      const block: GeneratedBlock = { id, cluster, ...options, tenantId: workspace.customerId };
      const rows = table === "AKSAudit" ? all : admin;
      this.table(workspace, table).addGenerated(key, block, rows);
      counts[`${workspace.name}/${table}`] = rows;
    }
    return counts;
  }

  /** DELETE /_emulator/activity: every row gone; workspaces, tables and settings stay. */
  clearRows() {
    for (const w of this.workspaces.values()) {
      for (const name of [...w.tables.keys()]) w.tables.set(name, new AuditTable(name, this));
    }
    this.azureDiagnosticsRows = 0;
  }
}

export function enabledCategories(setting: DiagnosticSetting): string[] {
  const out = new Set<string>();
  for (const log of setting.logs) {
    if (!log.enabled) continue;
    if (log.category) out.add(log.category);
    if (log.categoryGroup) for (const c of CATEGORY_GROUPS[log.categoryGroup] ?? []) out.add(c);
  }
  return [...out];
}
