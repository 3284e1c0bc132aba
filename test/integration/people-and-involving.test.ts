import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { ActionContext } from "@/lib/context";
import { approveRequest } from "@/lib/access/approve-request";
import { denyRequest } from "@/lib/access/deny-request";
import { requestAccess } from "@/lib/access/request-access";
import { findPeople } from "@/lib/audit/people";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { searchAuditEvents } from "@/lib/audit/search";
import type { AuditSearchInput } from "@/lib/audit/filters";
import { saveTimeZone } from "@/lib/auth/time-zone";
import { resolveSession } from "@/lib/auth/session";
import { appGraphClient } from "@/lib/cloud/credentials";
import { db } from "@/lib/db/client";
import type { AppError } from "@/lib/errors";
import { signInThroughEmulator } from "../support/sign-in";
import { contextFor } from "../support/users";

/**
 * The Audit page's people picker (Graph user search through the real SDK, against the emulator),
 * its "involving" search (actor, requester or subject), the system-event rule in SQL, and the
 * viewer's stored time zone.
 */

const marker = `m${randomUUID().slice(0, 8)}`;
let aud01: ActionContext;
let n01: ActionContext;
const ids = { mine: "", theirs: "" };
const seqs = { providerCall: "", signedOut: "" };

const search = async (filters: AuditSearchInput) =>
  (await searchAuditEvents(aud01.viewer, { q: undefined, ...filters, limit: 200 })).events;

beforeAll(async () => {
  aud01 = await contextFor("aud01@contoso.com");
  n01 = await contextFor("n01@contoso.com");
  const n02 = await contextFor("n02@contoso.com");
  const p01 = await contextFor("p01@contoso.com");
  const adm01 = await contextFor("adm01@contoso.com");
  const mine = await requestAccess(
    {
      cluster: "aks-prod-weu",
      role: "admin",
      duration: "PT1H",
      justification: `Rotate the certificate ${marker}`,
      ticket: "INC10001",
    },
    n01,
  );
  await approveRequest(mine.id, { comment: `ok ${marker}` }, p01);
  const theirs = await requestAccess(
    {
      cluster: "aks-prod-weu",
      role: "admin",
      duration: "PT1H",
      justification: `Read the kubelet logs ${marker}`,
      ticket: "INC10002",
    },
    n02,
  );
  await denyRequest(theirs.id, { comment: `no ${marker}` }, p01);
  Object.assign(ids, { mine: mine.id, theirs: theirs.id });
  await db.$transaction(async (tx) => {
    // A call a background job made for n01's request (no person behind it): a system event.
    await recordAuditEvent(tx, {
      type: "provider.call",
      actor: null,
      requestId: mine.id,
      data: {
        service: "graph",
        method: "POST",
        path: `/v1.0/${marker}`,
        requestBody: null,
        status: 201,
        providerRequestId: null,
        durationMs: 12,
        grantKind: "entraPimGroup",
        operation: "apply",
      },
      occurredAt: new Date(),
    });
    // An admin acting on n01 (the subject) outside any request.
    await recordAuditEvent(tx, {
      type: "session.signed_out",
      actor: { id: adm01.viewer.id, userPrincipalName: adm01.viewer.userPrincipalName },
      subjectId: n01.viewer.id,
      data: { sessionAgeSeconds: 60 },
      occurredAt: new Date(),
    });
  });
  const seqOf = async (type: string, where: { requestId?: string; subjectId?: string }) =>
    (await db.auditEvent.findFirstOrThrow({ where: { type, ...where }, orderBy: { seq: "desc" } })).seq.toString();
  seqs.providerCall = await seqOf("provider.call", { requestId: mine.id });
  seqs.signedOut = await seqOf("session.signed_out", { subjectId: n01.viewer.id });
});

describe("people picker: Graph user search", () => {
  it("finds people by the start of their name or UPN, in any case, at most 8, by name", async () => {
    const byUpn = await findPeople(aud01.viewer, "N0");
    expect(byUpn.map((p) => p.userPrincipalName)).toEqual(["n01@contoso.com", "n02@contoso.com"]);
    expect(byUpn.map((p) => p.displayName)).toEqual(["Nadia Okafor", "Noah Schmidt"]);
    const byName = await findPeople(aud01.viewer, "priya r");
    expect(byName.map((p) => p.userPrincipalName)).toEqual(["p01@contoso.com"]);
    expect(await findPeople(aud01.viewer, "zz-nobody")).toEqual([]);
  });

  it("sends a quote as OData wants it (doubled) and finds no one, rather than failing", async () => {
    expect(await findPeople(aud01.viewer, "O'Brien")).toEqual([]);
  });

  it("does not search the directory for fewer than 2 characters", async () => {
    expect(await findPeople(aud01.viewer, " n ")).toEqual([]);
  });

  it("is for auditors and admins only", async () => {
    await expect(findPeople(n01.viewer, "n0")).rejects.toMatchObject({ code: "FORBIDDEN" } satisfies Partial<AppError>);
  });

  it("is refused by the emulator, as by Graph, for a filter Graph does not run without advanced query", async () => {
    const error = await appGraphClient()
      .api("/users")
      .filter("endswith(mail,'contoso.com')")
      .get()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 400, code: "Request_UnsupportedQuery" });
  });
});

describe("involving a person", () => {
  it("finds what they did, what happened to their requests (whoever acted), and events about them", async () => {
    const events = await search({ involving: "N01@contoso.com", system: "include" });
    const mine = events.filter((e) => e.requestId === ids.mine).map((e) => e.type);
    expect(mine).toEqual(expect.arrayContaining(["request.created", "request.approved", "provider.call"]));
    expect(events.find((e) => e.type === "request.approved" && e.requestId === ids.mine)?.actorUpn).toBe(
      "p01@contoso.com",
    );
    expect(events.map((e) => e.seq)).toContain(seqs.signedOut);
    expect(events.some((e) => e.requestId === ids.theirs)).toBe(false);
    // every event found involves n01 one way or another
    for (const event of events) {
      const isTheirs = event.actorUpn === "n01@contoso.com" || event.requesterUpn === "n01@contoso.com";
      expect(isTheirs || event.seq === seqs.signedOut, `event ${event.seq} ${event.type}`).toBe(true);
    }
  });
});

describe("system events", () => {
  it("are left out when asked, except in one request's trail or chosen types; request changes without a person stay", async () => {
    const shown = await search({ involving: "n01@contoso.com", system: "exclude" });
    expect(shown.map((e) => e.seq)).not.toContain(seqs.providerCall);
    expect(shown.some((e) => e.requestId === ids.mine && e.type === "request.approved")).toBe(true);
    // one request's trail is evidence: it stays whole
    expect((await search({ requestId: ids.mine, system: "exclude" })).map((e) => e.seq)).toContain(seqs.providerCall);
    const typed = await search({ requestId: ids.mine, system: "exclude", type: ["provider.call"] });
    expect(typed.map((e) => e.seq)).toEqual([seqs.providerCall]);
  });
});

describe("the viewer's time zone", () => {
  it("is stored as the browser reports it and comes back with the session; a made-up zone is refused", async () => {
    const { cookie } = await signInThroughEmulator("n02@contoso.com");
    const viewer = (await resolveSession(cookie, new Date()))!;
    expect(await saveTimeZone(viewer, "Asia/Kolkata")).toBe("Asia/Kolkata");
    expect((await resolveSession(cookie, new Date()))?.timeZone).toBe("Asia/Kolkata");
    await expect(saveTimeZone(viewer, "Mars/Olympus_Mons")).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect((await db.user.findUniqueOrThrow({ where: { id: viewer.id } })).timeZone).toBe("Asia/Kolkata");
  });
});
