import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { ActionContext } from "@/lib/context";
import { approveRequest } from "@/lib/access/approve-request";
import { denyRequest } from "@/lib/access/deny-request";
import { requestAccess } from "@/lib/access/request-access";
import { revokeRequest } from "@/lib/access/revoke-request";
import { exportAuditEvents, type ExportFormat } from "@/lib/audit/export";
import { countAuditEvents } from "@/lib/audit/queries";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { searchAuditEvents } from "@/lib/audit/search";
import type { AuditSearchInput } from "@/lib/audit/filters";
import { db, type Prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { contextFor } from "../support/users";

/**
 * Auditor search and export against PostgreSQL, over events recorded by the real use cases: every
 * filter, keyset pages, counts, free text, CSV and JSON Lines, and who may not search.
 */

// Unique to this run, so that searches for it find this file's requests and nothing else.
const marker = `m${randomUUID().slice(0, 8)}`;
const ticket = `INC${Date.now()}`;
const justification = `Rotate the ingress certificate, "now", ${marker}\nthen check, twice`;

let aud01: ActionContext;
const ids = { prod: "", node: "", dev: "" };

/** Every page of a search, following the cursors; throws on a page that repeats an event. */
async function allPages(filters: AuditSearchInput, limit: number) {
  const seqs: string[] = [];
  const counts = new Set<number>();
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page += 1) {
    const result = await searchAuditEvents(aud01.viewer, { ...filters, limit, cursor });
    expect(result.events.length).toBeLessThanOrEqual(limit);
    seqs.push(...result.events.map((e) => e.seq));
    counts.add(result.count);
    if (!result.nextCursor) break;
    expect(result.events).toHaveLength(limit);
    cursor = result.nextCursor;
  }
  expect(new Set(seqs).size).toBe(seqs.length);
  return { seqs, counts: [...counts] };
}

/** What the database holds for a set of requests, newest first: the oracle the search is checked against. */
async function storedSeqs(where: Prisma.AuditEventWhereInput) {
  const rows = await db.auditEvent.findMany({ where, orderBy: { seq: "desc" }, select: { seq: true } });
  return rows.map((r) => r.seq.toString());
}

const searchSeqs = async (filters: AuditSearchInput) =>
  (await searchAuditEvents(aud01.viewer, { ...filters, limit: 200 })).events.map((e) => e.seq);

async function download(filters: AuditSearchInput, format: ExportFormat) {
  return new Response(await exportAuditEvents(aud01, filters, format)).text();
}

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let isQuoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (isQuoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') {
      isQuoted = !isQuoted;
    } else if (!isQuoted && c === ",") {
      row.push(field);
      field = "";
    } else if (!isQuoted && c === "\r" && text[i + 1] === "\n") {
      rows.push([...row, field]);
      row = [];
      field = "";
      i += 1;
    } else {
      field += c;
    }
  }
  expect(field === "" && row.length === 0, "the file ends with a line break").toBe(true);
  return rows;
}

beforeAll(async () => {
  aud01 = await contextFor("aud01@contoso.com");
  const n01 = await contextFor("n01@contoso.com");
  const n02 = await contextFor("n02@contoso.com");
  const p01 = await contextFor("p01@contoso.com");
  const adm01 = await contextFor("adm01@contoso.com");
  const prod = await requestAccess(
    { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", justification, ticket },
    n01,
  );
  await approveRequest(prod.id, { comment: `Go ahead ${marker}` }, p01);
  const node = await requestAccess(
    {
      cluster: "aks-prod-weu",
      role: "node-access",
      duration: "PT1H",
      justification: `Kubelet logs ${marker}`,
      ticket: "CHG0042",
    },
    n02,
  );
  await denyRequest(node.id, { comment: `Use the read-only role, 100%_sure ${marker}` }, p01);
  // Self-activating: approved by policy at once, then revoked by an admin before it starts.
  const dev = await requestAccess(
    { cluster: "aks-dev-weu", role: "admin", duration: "PT1H", justification: `Debug ${marker}` },
    n01,
  );
  await revokeRequest(dev.id, { reason: `Laptop stolen ${marker}-reason` }, adm01);
  Object.assign(ids, { prod: prod.id, node: node.id, dev: dev.id });
});

describe("auditor search", () => {
  it("finds every event of the matching requests, newest first, with their cluster, role and requester", async () => {
    const page = await searchAuditEvents(aud01.viewer, { q: marker });
    const mine = await storedSeqs({ requestId: { in: Object.values(ids) } });
    expect(page.events.map((e) => e.seq)).toEqual(mine);
    expect(page.count).toBe(mine.length);
    expect(page.nextCursor).toBeNull();
    const created = page.events.find((e) => e.requestId === ids.node && e.type === "request.created");
    expect(created).toMatchObject({
      actorUpn: "n02@contoso.com",
      requesterUpn: "n02@contoso.com",
      clusterName: "aks-prod-weu",
      roleName: "node-access",
      occurredAt: expect.any(Date),
    });
  });

  // Filters and what the database says they should find, built when the requests exist.
  const mine = () => ({ requestId: { in: Object.values(ids) } });
  it.each<[string, () => [AuditSearchInput, Prisma.AuditEventWhereInput]]>([
    ["actor, in any case", () => [{ actor: "P01@Contoso.COM" }, { ...mine(), actorUpn: "p01@contoso.com" }]],
    ["requester, in any case", () => [{ requester: "N02@contoso.com" }, { requestId: ids.node }]],
    ["cluster", () => [{ cluster: "aks-prod-weu" }, { requestId: { in: [ids.prod, ids.node] } }]],
    ["role", () => [{ role: "node-access" }, { requestId: ids.node }]],
    ["cluster and role", () => [{ cluster: "aks-dev-weu", role: "admin" }, { requestId: ids.dev }]],
    [
      "several types",
      () => [
        { type: ["request.denied", "request.revoked"] },
        { ...mine(), type: { in: ["request.denied", "request.revoked"] } },
      ],
    ],
    ["one type", () => [{ type: "request.approved" }, { ...mine(), type: "request.approved" }]],
    ["request id", () => [{ requestId: ids.dev.toUpperCase() }, { requestId: ids.dev }]],
  ])("narrows by %s", async (_case, filterAndExpected) => {
    const [filter, expected] = filterAndExpected();
    const filters = { q: marker, ...filter };
    const seqs = await searchSeqs(filters);
    expect(seqs).toEqual(await storedSeqs(expected));
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs.length).toBeLessThan((await storedSeqs(mine())).length);
    expect((await searchAuditEvents(aud01.viewer, filters)).count).toBe(seqs.length);
  });

  it("finds free text in a ticket, a comment and a reason, in any case, with % and _ taken literally", async () => {
    const prodEvents = await storedSeqs({ requestId: ids.prod });
    expect(await searchSeqs({ q: ticket.toLowerCase() })).toEqual(prodEvents);
    const [denied] = await storedSeqs({ requestId: ids.node, type: "request.denied" });
    expect(await searchSeqs({ q: "100%_SURE" })).toEqual([denied]);
    // Unescaped, "%" and "_" would match any text, and so every event of these requests.
    expect(await searchSeqs({ q: "%", requestId: ids.prod })).toEqual([]);
    expect(await searchSeqs({ q: "_", requestId: ids.prod })).toEqual([]);
    const [revoked] = await storedSeqs({ requestId: ids.dev, type: "request.revoked" });
    expect(await searchSeqs({ q: `${marker}-REASON` })).toEqual([revoked]);
  });

  it("takes a time range, from inclusive and to exclusive, and refuses a range that ends before it starts", async () => {
    const at = (day: number) => new Date(Date.UTC(2001, 0, day));
    await db.$transaction(async (tx) => {
      for (const day of [1, 2, 3, 4]) {
        await recordAuditEvent(tx, {
          type: "session.signed_out",
          actor: null,
          occurredAt: at(day),
          correlationId: marker,
          data: { sessionAgeSeconds: day },
        });
      }
    });
    const window = { from: at(2).toISOString(), to: at(4).toISOString() };
    const events = (await searchAuditEvents(aud01.viewer, window)).events;
    expect(events.map((e) => (e.data as { sessionAgeSeconds: number }).sessionAgeSeconds)).toEqual([3, 2]);

    const error = await searchAuditEvents(aud01.viewer, { from: window.to, to: window.from }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).fields).toEqual([{ field: "to", message: expect.stringMatching(/later than/) }]);
  });

  it("pages by keyset: the pages add up to the whole result, without repeats or gaps, and count is their total", async () => {
    const start = new Date(Date.UTC(2001, 1, 1));
    // More events than one export batch (2,000), so that exports cross a batch boundary too.
    const total = 2_050;
    await db.$transaction(
      async (tx) => {
        for (let n = 0; n < total; n += 1) {
          await recordAuditEvent(tx, {
            type: "session.signed_out",
            actor: null,
            occurredAt: new Date(start.getTime() + n * 1000),
            data: { sessionAgeSeconds: n },
          });
        }
      },
      { timeout: 120_000 },
    );
    const window = { from: start.toISOString(), to: new Date(start.getTime() + total * 1000).toISOString() };
    const stored = await storedSeqs({ occurredAt: { gte: start, lt: new Date(window.to) } });
    expect(stored).toHaveLength(total);

    const paged = await allPages(window, 200);
    expect(paged.seqs).toEqual(stored);
    expect(paged.counts).toEqual([total]);
    // Past its cap a count stops (and says so); below it, and when asked for, it is exact.
    const filters = { ...window, type: [] };
    expect(await countAuditEvents(filters, 2_000)).toBe(2_001);
    expect(await countAuditEvents(filters, 5_000)).toBe(total);
    expect(await countAuditEvents(filters, null)).toBe(total);

    const small = await allPages({ q: marker }, 2);
    expect(small.seqs).toEqual(await searchSeqs({ q: marker }));
    expect(small.counts).toEqual([small.seqs.length]);

    const csv = parseCsv(await download(window, "csv"));
    expect(csv[0]).toEqual([
      "seq",
      "occurredAt",
      "type",
      "actorUpn",
      "requesterUpn",
      "requestId",
      "clusterName",
      "roleName",
      "justification",
      "ticket",
      "data",
      "hash",
    ]);
    expect(csv.slice(1).map((row) => row[0])).toEqual(stored);
    const jsonl = (await download(window, "jsonl")).split("\n");
    expect(jsonl.pop()).toBe("");
    expect(jsonl.map((line) => (JSON.parse(line) as { seq: string }).seq)).toEqual(stored);
  }, 90_000); // 2,050 chained inserts: slow when other files run beside it

  it("refuses a bad cursor and a bad filter with the field that is wrong", async () => {
    // Untyped on purpose: what a hand-written URL or a careless caller may send.
    const attempts: Array<[Record<string, unknown>, string]> = [
      [{ cursor: "not-ours" }, "cursor"],
      [{ cursor: Buffer.from("99999999999999999999").toString("base64url") }, "cursor"],
      [{ from: "yesterday" }, "from"],
      [{ requestId: "42" }, "requestId"],
      [{ type: "request.teleported" }, "type"],
      [{ limit: 500 }, "limit"],
    ];
    for (const [filters, field] of attempts) {
      const error = await searchAuditEvents(aud01.viewer, filters as AuditSearchInput).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("INVALID_INPUT");
      expect((error as AppError).fields.map((f) => f.field)).toEqual([field]);
    }
  });

  it("is refused to requesters and approvers, before anything is read", async () => {
    for (const upn of ["n01@contoso.com", "p01@contoso.com"]) {
      const context = await contextFor(upn);
      for (const attempt of [searchAuditEvents(context.viewer, {}), exportAuditEvents(context, {}, "csv")]) {
        const error = await attempt.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe("FORBIDDEN");
      }
    }
  });
});

describe("auditor search by activity (request_activities, issue 19)", () => {
  // What each request's activity summary showed; the summaries themselves are i19-core's to write.
  beforeAll(async () => {
    const stored = { summarisedAt: new Date(), status: "summarised", isComplete: true, summary: {}, eventSeq: 1n };
    await db.requestActivity.createMany({
      data: [
        { ...stored, requestId: ids.prod, totalCalls: 40, secretReads: 1, afterEndCalls: 2 },
        { ...stored, requestId: ids.dev, totalCalls: 3, deniedCalls: 1, afterEndCalls: 1 },
      ],
    });
  });

  it.each<[string, () => [AuditSearchInput, Prisma.AuditEventWhereInput]]>([
    ["secret reads", () => [{ activity: "secret-reads" }, { requestId: ids.prod }]],
    ["denied calls", () => [{ activity: ["denied"] }, { requestId: ids.dev }]],
    ["activity after access ended", () => [{ activity: "after-end" }, { requestId: { in: [ids.prod, ids.dev] } }]],
    ["after-end and denied together", () => [{ activity: ["after-end", "denied"] }, { requestId: ids.dev }]],
  ])("narrows by %s", async (_case, filterAndExpected) => {
    const [filter, expected] = filterAndExpected();
    const filters = { q: marker, ...filter };
    const seqs = await searchSeqs(filters);
    expect(seqs).toEqual(await storedSeqs(expected));
    expect(seqs.length).toBeGreaterThan(0);
    expect((await searchAuditEvents(aud01.viewer, filters)).count).toBe(seqs.length);
  });
});

describe("audit export", () => {
  it("writes as many CSV rows and JSON lines as the search counts, and a justification survives CSV quoting", async () => {
    const filters = { q: marker };
    const { count } = await searchAuditEvents(aud01.viewer, filters);

    const [header, ...rows] = parseCsv(await download(filters, "csv"));
    expect(rows).toHaveLength(count);
    const column = (name: string) => header!.indexOf(name);
    const created = rows.find(
      (row) => row[column("requestId")] === ids.prod && row[column("type")] === "request.created",
    );
    expect(created?.[column("justification")]).toBe(justification);
    expect(created?.[column("ticket")]).toBe(ticket);
    const stored = await db.auditEvent.findFirstOrThrow({ where: { requestId: ids.prod, type: "request.created" } });
    expect(JSON.parse(created![column("data")]!)).toEqual(stored.data);
    expect(created?.[column("hash")]).toBe(stored.hash);

    const lines = (await download(filters, "jsonl")).trimEnd().split("\n");
    expect(lines).toHaveLength(count);
    const event = lines
      .map((line) => JSON.parse(line))
      .find((e) => e.requestId === ids.prod && e.type === "request.created");
    expect(event).toMatchObject({
      seq: stored.seq.toString(),
      id: stored.id,
      prevHash: stored.prevHash,
      hash: stored.hash,
      data: stored.data,
      justification,
      ticket,
      requesterUpn: "n01@contoso.com",
    });
  });

  it("keeps a spreadsheet from running a justification as a formula", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const formula = `=HYPERLINK("https://evil.example","${marker}")`;
    const request = await requestAccess(
      { cluster: "aks-dev-weu", role: "admin", duration: "PT1H", justification: formula },
      n01,
    );
    const [header, ...rows] = parseCsv(await download({ requestId: request.id }, "csv"));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row[header!.indexOf("justification")] === `'${formula}`)).toBe(true);
    const [line] = (await download({ requestId: request.id }, "jsonl")).split("\n");
    expect(JSON.parse(line!).justification).toBe(formula);
  });
});
