import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { activateRequest } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { loadRequestActivity } from "@/lib/activity/request-activity";
import { summariseActivityJob, summariseActivityNow } from "@/lib/activity/summarise-activity";
import { ZActivitySummary, type ActivitySummary } from "@/lib/activity/types";
import { buildEvidencePack } from "@/lib/audit/evidence";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/jobs/queues";
import { notifyRecipients } from "@/lib/notify/notify-recipients";
import { ROOT } from "../../scripts/lib/paths";
import { revokeRole, seededRoleAssignments } from "../support/azure-rbac";
import { injectFault } from "../support/emulator-state";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor, sessionUser } from "../support/users";

/**
 * What a holder did with their access (issue 19): their Kubernetes calls, seeded into the emulator's
 * Log Analytics workspace as AKS writes them, summarised after the grant ends by the job queued with
 * the end, or now by an auditor; recorded on the request's trail and carried by the evidence pack.
 */

const PROD = "aks-prod-weu";
const DEV = "aks-dev-weu";
const LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893";
const dir = mkdtempSync(path.join(tmpdir(), "aks-jit-activity-"));
const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);

const emulator = async (method: string, route: string, body?: unknown) => {
  const response = await fetch(`${env.ARM_BASE_URL}${route}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status, `${method} ${route}: ${await response.clone().text()}`).toBeLessThan(300);
  return response;
};

interface SeededCall {
  at: Date;
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  code?: number;
}
const seedCalls = (cluster: string, user: string, calls: SeededCall[]) =>
  emulator("POST", "/_emulator/activity", {
    cluster,
    user,
    calls: calls.map((c) => ({ ...c, at: c.at.toISOString() })),
  });

let savedCatalog: string;
beforeAll(() => {
  // The production cluster reads AKSAudit (reads too, so secret reads show); the others the default.
  savedCatalog = env.CATALOG_PATH;
  const catalog = parse(readFileSync(env.CATALOG_PATH, "utf8"));
  catalog.clusters.find((c: { name: string }) => c.name === PROD).auditLogs = { table: "AKSAudit" };
  const file = path.join(dir, "catalog.yaml");
  writeFileSync(file, stringify(catalog));
  Object.assign(env, { CATALOG_PATH: file });
});
afterAll(() => {
  Object.assign(env, { CATALOG_PATH: savedCatalog });
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await emulator("DELETE", "/_emulator/activity");
});

/** n01's prod admin access, approved and active from `from` for an hour, then expired by the sweep. */
async function endedProdGrant(from: Date) {
  const n01 = await contextFor("n01@contoso.com", minutes(from, -2));
  const request = await requestAccess(
    { cluster: PROD, role: "admin", duration: "PT1H", justification: "Activity", ticket: "INC19001" },
    n01,
  );
  await approveRequest(request.id, { comment: "ok" }, await contextFor("p01@contoso.com", minutes(from, -1)));
  expect(await activateRequest(request.id, from)).toBe("active");
  await expireDueAccess(minutes(from, 61));
  const row = await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } });
  expect(row.status).toBe("expired");
  return { id: request.id, activeFrom: row.activeFrom!, activeUntil: row.activeUntil! };
}

const storedSummary = async (requestId: string) => {
  const row = await db.requestActivity.findUniqueOrThrow({ where: { requestId } });
  return { row, summary: ZActivitySummary.parse(row.summary) };
};

function verifyPack(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const { DATABASE_URL: _unused, ...environment } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts", "--pack", file], {
      cwd: ROOT,
      env: environment,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("activity after a grant", () => {
  it("summarises reads, a secret read, an exec, a delete, a denied call and a call after the end, from the job queued at the end", async () => {
    const from = minutes(new Date(), -4 * 60);
    const grant = await endedProdGrant(from);
    const end = grant.activeUntil;
    await seedCalls(PROD, "n01@contoso.com", [
      { at: minutes(from, 5), verb: "list", resource: "pods", namespace: "shop" },
      { at: minutes(from, 6), verb: "get", resource: "pods", namespace: "shop", name: "web-1" },
      { at: minutes(from, 10), verb: "get", resource: "secrets", namespace: "shop", name: "db-password" },
      {
        at: minutes(from, 15),
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "shop",
        name: "web-1",
      },
      { at: minutes(from, 20), verb: "delete", resource: "pods", namespace: "shop", name: "web-2" },
      { at: minutes(from, 30), verb: "delete", resource: "namespaces", name: "kube-system", code: 403 },
      { at: minutes(end, 20), verb: "get", resource: "pods", namespace: "shop", name: "web-1" },
    ]);

    // Queued with the end, for when the tokens issued before it have run out and the logs are in.
    const [queued] = await db.$queryRaw<Array<{ start_after: Date; singleton_key: string | null }>>`
      SELECT start_after, singleton_key FROM pgboss.job WHERE name = ${QUEUES.summariseActivity} AND data->>'requestId' = ${grant.id}`;
    expect(queued!.start_after.toISOString()).toBe(
      minutes(end, env.TOKEN_LIFETIME_MINUTES + env.ACTIVITY_DELAY_MINUTES).toISOString(),
    );
    expect(queued!.singleton_key).toBe(grant.id);
    const jobs = await takeQueuedJobs<{ requestId: string }>(QUEUES.summariseActivity, grant.id);
    expect(jobs).toEqual([{ requestId: grant.id }]);

    const ranAt = minutes(end, env.TOKEN_LIFETIME_MINUTES + env.ACTIVITY_DELAY_MINUTES + 1);
    await summariseActivityJob(grant.id, ranAt);
    const { row, summary } = await storedSummary(grant.id);
    expect(summary).toMatchObject({
      status: "summarised",
      problems: [],
      clusterName: PROD,
      holder: { userPrincipalName: "n01@contoso.com" },
      window: {
        from: from.toISOString(),
        accessEnd: end.toISOString(),
        to: minutes(end, env.TOKEN_LIFETIME_MINUTES).toISOString(),
        isComplete: true,
      },
      nodeSignIns: null,
    });
    const k = summary.kubernetes!;
    expect(k).toMatchObject({
      table: "AKSAudit",
      hasReads: true,
      totalCalls: 7,
      secretReads: 1,
      sensitiveCalls: 4,
      deniedCalls: 1,
      afterEndCalls: 1,
      isListTruncated: false,
    });
    expect(k.byVerb).toEqual([
      { key: "get", count: 3 },
      { key: "delete", count: 2 },
      { key: "create", count: 1 },
      { key: "list", count: 1 },
    ]);
    expect(
      k.listed.map((c) => [c.verb, c.resource, c.subresource, c.name, c.code, c.kinds, c.isDenied, c.isAfterEnd]),
    ).toEqual([
      ["get", "secrets", "", "db-password", 200, ["secret-read"], false, false],
      ["create", "pods", "exec", "web-1", expect.any(Number), ["exec"], false, false],
      ["delete", "pods", "", "web-2", 200, ["delete"], false, false],
      ["delete", "namespaces", "", "kube-system", 403, ["delete"], true, false],
      ["get", "pods", "", "web-1", 200, [], false, true],
    ]);
    // Every query as sent, a day's slice each; the portal shows the same rows.
    expect(k.queries.length).toBeGreaterThanOrEqual(2);
    expect(k.queries[0]!.text).toContain("AKSAudit");
    expect(k.portalLink).toMatch(/^https:\/\/portal\.azure\.com\/#@.+\/LogsBlade\/resourceId\/%2Fsubscriptions%2F/);
    expect(k.rowsHash).toMatch(/^[0-9a-f]{64}$/);
    // The row pages and search read, pointing at the event that recorded it.
    expect(row).toMatchObject({
      status: "summarised",
      isComplete: true,
      totalCalls: 7,
      secretReads: 1,
      afterEndCalls: 1,
      deniedCalls: 1,
    });
    const event = await db.auditEvent.findFirstOrThrow({ where: { requestId: grant.id, type: "activity.summarised" } });
    expect(event.seq).toBe(row.eventSeq);
    expect(event.actorUpn).toBeNull();
    expect(ZActivitySummary.parse(event.data)).toEqual(summary);
    expect(event.data).toMatchObject({ actorKind: "system" });

    // Run again (a retry, a second worker): nothing new.
    await summariseActivityJob(grant.id, ranAt);
    expect(await db.auditEvent.count({ where: { requestId: grant.id, type: "activity.summarised" } })).toBe(1);

    // The role's approvers hear of the call after the end, once.
    const key = `activity-after-end:${grant.id}`;
    expect(await db.notificationEvent.count({ where: { key } })).toBe(1);
    await notifyRecipients(key, ranAt);
    const told = await db.notification.findMany({ where: { eventKey: key } });
    expect(told.map((n) => n.recipientUpn).sort()).toEqual(["n02@contoso.com", "p01@contoso.com"]);
    expect(told[0]!.title).toMatch(new RegExp(`^Used after its end: .+'s admin on ${PROD}$`));
    expect(told[0]!.body).toContain(`1 Kubernetes call on ${PROD} after their access ended`);
    expect(told[0]!.body).toContain("get pods web-1 in shop (200)");
    expect(told[0]!.linkPath).toBe(`/requests/${grant.id}#activity`);

    // The holder, its approvers and auditors read it; an auditor checks it again, the holder may not.
    const n01 = await contextFor("n01@contoso.com");
    expect((await loadRequestActivity(n01.viewer, grant.id))?.summary.kubernetes?.totalCalls).toBe(7);
    expect((await loadRequestActivity(await sessionUser("aud01@contoso.com"), grant.id))?.isComplete).toBe(true);
    await expect(summariseActivityNow(n01, grant.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const auditor = await contextFor("aud01@contoso.com");
    const again = await summariseActivityNow(auditor, grant.id);
    expect(again.kubernetes?.rowsHash).toBe(k.rowsHash);
    const rerun = await db.auditEvent.findFirstOrThrow({
      where: { requestId: grant.id, type: "activity.summarised" },
      orderBy: { seq: "desc" },
    });
    expect(rerun).toMatchObject({ actorUpn: "aud01@contoso.com", data: { actorKind: "user" } });
    // Still one notification: it is told once.
    expect(await db.notificationEvent.count({ where: { key } })).toBe(1);

    // The evidence pack carries the latest summary, checked against its chained event.
    const pack = await buildEvidencePack(auditor, grant.id);
    expect(pack.format).toBe("aks-jit-evidence/3");
    expect(pack.activity).toEqual({ summary: again, eventSeq: rerun.seq.toString() });
    const file = path.join(dir, "pack.json");
    writeFileSync(file, JSON.stringify(pack));
    const valid = await verifyPack(file);
    expect(valid.code, valid.output).toBe(0);
    expect(valid.output).toContain("Activity of the holder: read at ");
    expect(valid.output).toContain("7 Kubernetes call(s) in AKSAudit: 4 sensitive, 1 denied, 1 after the end.");
    const edited = structuredClone(pack);
    (edited.activity!.summary.kubernetes as { afterEndCalls: number }).afterEndCalls = 0;
    writeFileSync(file, JSON.stringify(edited));
    const invalid = await verifyPack(file);
    expect(invalid.code).toBe(1);
    expect(invalid.output).toContain(`its activity summary does not match its activity event seq ${rerun.seq}`);
    const forged = structuredClone(pack);
    const forgedEvent = forged.events.find((e) => e.seq === rerun.seq.toString())!;
    (forgedEvent.data as { kubernetes: { afterEndCalls: number } }).kubernetes.afterEndCalls = 0;
    (forged.activity!.summary.kubernetes as { afterEndCalls: number }).afterEndCalls = 0;
    writeFileSync(file, JSON.stringify(forged));
    expect((await verifyPack(file)).output).toContain(`event seq ${rerun.seq} does not match its hash`);
  }, 120_000);

  it("says so when a grant made no calls", async () => {
    const from = minutes(new Date(), -5 * 60);
    const n02 = await contextFor("n02@contoso.com", minutes(from, -1));
    const request = await requestAccess({ cluster: DEV, role: "admin", duration: "PT1H", justification: "Quiet" }, n02);
    expect(await activateRequest(request.id, from)).toBe("active");
    await expireDueAccess(minutes(from, 61));
    await takeQueuedJobs(QUEUES.summariseActivity, request.id);
    await summariseActivityJob(request.id, minutes(from, 60 + 120));
    const { row, summary } = await storedSummary(request.id);
    expect(summary).toMatchObject({ status: "summarised", problems: [] });
    expect(summary.kubernetes).toMatchObject({
      table: "AKSAuditAdmin",
      hasReads: false,
      totalCalls: 0,
      listed: [],
      byVerb: [],
    });
    expect(row).toMatchObject({ totalCalls: 0, afterEndCalls: 0 });
    expect(await db.notificationEvent.count({ where: { key: `activity-after-end:${request.id}` } })).toBe(0);
  }, 60_000);

  it("lists the holder's sign-ins to the nodes for a role with node access, flagging those after the end", async () => {
    const from = minutes(new Date(), -9 * 60);
    const n01 = await contextFor("n01@contoso.com", minutes(from, -1));
    const request = await requestAccess(
      { cluster: DEV, role: "node-access", duration: "PT1H", justification: "Node check" },
      n01,
    );
    expect(await activateRequest(request.id, from)).toBe("active");
    await expireDueAccess(minutes(from, 61));
    await emulator("POST", "/_emulator/sign-ins", { user: "n01@contoso.com", at: minutes(from, 10).toISOString() });
    await emulator("POST", "/_emulator/sign-ins", { user: "n01@contoso.com", at: minutes(from, 70).toISOString() });
    await takeQueuedJobs(QUEUES.summariseActivity, request.id);
    await summariseActivityJob(request.id, minutes(from, 60 + 120));
    const { row, summary } = await storedSummary(request.id);
    expect(summary.nodeSignIns).toMatchObject({ total: 2, afterEnd: 1 });
    expect(summary.nodeSignIns!.query).toContain("userId eq '9a4140a5-ae17-414a-9737-f41d31b6d0fd'");
    // Graph keeps sign-in times to the second.
    expect(summary.nodeSignIns!.items.map((i) => [i.at.slice(0, 19), i.isAfterEnd])).toEqual([
      [minutes(from, 10).toISOString().slice(0, 19), false],
      [minutes(from, 70).toISOString().slice(0, 19), true],
    ]);
    expect(row.nodeSignIns).toBe(2);
    expect(await db.notificationEvent.count({ where: { key: `activity-after-end:${request.id}` } })).toBe(1);
  }, 60_000);

  it("reads an active grant's calls so far when an auditor checks now, incomplete", async () => {
    const from = minutes(new Date(), -10);
    const n02 = await contextFor("n02@contoso.com", minutes(from, -1));
    const request = await requestAccess({ cluster: DEV, role: "admin", duration: "PT1H", justification: "Now" }, n02);
    expect(await activateRequest(request.id, from)).toBe("active");
    await seedCalls(DEV, "n02@contoso.com", [{ at: minutes(from, 2), verb: "delete", resource: "pods", name: "x" }]);
    const summary = await summariseActivityNow(await contextFor("adm01@contoso.com"), request.id);
    expect(summary.window.isComplete).toBe(false);
    expect(summary.kubernetes).toMatchObject({ totalCalls: 1, sensitiveCalls: 1, afterEndCalls: 0 });
    await expireDueAccess(minutes(from, 61));
  }, 60_000);
});

describe("activity that cannot be read", () => {
  const unavailable = async (from: Date): Promise<ActivitySummary> => {
    const grant = await endedProdGrant(from);
    await takeQueuedJobs(QUEUES.summariseActivity, grant.id);
    await summariseActivityJob(grant.id, minutes(grant.activeUntil, 120));
    const { row, summary } = await storedSummary(grant.id);
    expect(row.status).toBe("unavailable");
    expect(summary.kubernetes).toBeNull();
    return summary;
  };

  it("says the workspace lacks the table, and how to send it there", async () => {
    await emulator("PUT", "/_emulator/workspaces/law-aks-jit", { tables: ["AKSAuditAdmin"] });
    try {
      const summary = await unavailable(minutes(new Date(), -6 * 60));
      expect(summary.problems).toEqual([
        expect.objectContaining({ code: "table-missing", fix: expect.stringContaining('"category":"kube-audit"') }),
      ]);
    } finally {
      await emulator("PUT", "/_emulator/workspaces/law-aks-jit", { tables: ["AKSAuditAdmin", "AKSAudit"] });
    }
  }, 60_000);

  it("says the cluster's audit logs are not collected, with the diagnostic setting that collects them", async () => {
    await emulator("PUT", `/_emulator/clusters/${PROD}/diagnostics`, { categories: [], destination: "Dedicated" });
    let summary: ActivitySummary;
    try {
      summary = await unavailable(minutes(new Date(), -8 * 60));
    } finally {
      const categories = ["kube-audit-admin", "kube-audit"];
      await emulator("PUT", `/_emulator/clusters/${PROD}/diagnostics`, { categories, destination: "Dedicated" });
    }
    expect(summary.problems).toEqual([
      expect.objectContaining({
        code: "not-collected",
        fix: expect.stringMatching(
          /^az monitor diagnostic-settings create --name aks-audit --resource \/subscriptions\/.+\/managedClusters\/aks-prod-weu --workspace \S+ --export-to-resource-specific true --logs '\[\{"category":"kube-audit","enabled":true\}\]'$/,
        ),
      }),
    ]);
  }, 60_000);

  it("throws while Log Analytics fails, storing nothing, so that the queue retries the job and then lists it", async () => {
    const grant = await endedProdGrant(minutes(new Date(), -10 * 60));
    await takeQueuedJobs(QUEUES.summariseActivity, grant.id);
    await injectFault({ path: "/query", method: "POST", count: 20, status: 503 });
    try {
      await expect(summariseActivityJob(grant.id, minutes(grant.activeUntil, 120))).rejects.toThrow();
    } finally {
      await injectFault();
    }
    expect(await db.requestActivity.count({ where: { requestId: grant.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { requestId: grant.id, type: "activity.summarised" } })).toBe(0);
    // Once it answers again, the retry summarises.
    await summariseActivityJob(grant.id, minutes(grant.activeUntil, 121));
    expect((await storedSummary(grant.id)).row.status).toBe("summarised");
  }, 90_000);

  // Last: the app has no Log Analytics Reader after it.
  it("says the app lacks Log Analytics Reader on the workspace, and the role assignment that fixes it", async () => {
    const reader = (await seededRoleAssignments()).filter(
      (a) => a.roleDefinitionId.toLowerCase().endsWith(LOG_ANALYTICS_READER) && /workspaces\//i.test(a.scope),
    );
    expect(reader.length).toBeGreaterThan(0);
    for (const assignment of reader) await revokeRole(assignment.name);
    const summary = await unavailable(minutes(new Date(), -7 * 60));
    expect(summary.problems).toEqual([
      expect.objectContaining({
        code: "no-workspace-access",
        fix: expect.stringMatching(
          /^az role assignment create --role "Log Analytics Reader" --assignee \S+ --scope \/subscriptions\/.+\/workspaces\//,
        ),
      }),
    ]);
  }, 60_000);
});
