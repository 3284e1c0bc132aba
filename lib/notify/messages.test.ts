import { describe, expect, it } from "vitest";
import { describeNotification, describeResolution, withMailOffNote, type RequestSummary } from "./messages";

/** What the holder and the approvers read when a request's loop closes: the words are the feature. */

const APP_URL = "https://jit.contoso.com";
const admin = { displayName: "Ada Admin", userPrincipalName: "adm01@contoso.com" };
const request: RequestSummary = {
  id: "3f8a1c52-7d4e-4b7a-9f3c-2d1e0a9b8c7d",
  clusterName: "aks-prod-weu",
  clusterDisplayName: "Production (West Europe)",
  environment: "production",
  risk: null,
  roleDescription: null,
  ticketUrl: null,
  roleName: "admin",
  requester: { displayName: "Nadia Okafor", userPrincipalName: "n01@contoso.com" },
  durationMinutes: 60,
  justification: "Rotate the ingress certificate",
  ticket: "INC12345",
  isBreakGlass: false,
  status: "active",
  approvalsRequired: 1,
  approvedBy: [{ displayName: "Priya Raman", userPrincipalName: "p01@contoso.com" }],
  activeUntil: new Date("2026-12-05T15:30:00Z"),
  failureReason: null,
};
const tokensUntil = new Date("2026-12-05T16:45:00Z");
const say = (
  kind: Parameters<typeof describeNotification>[0]["kind"],
  details: Parameters<typeof describeNotification>[0]["details"] = {},
  overrides: Partial<RequestSummary> = {},
  audience: "requester" | "approver" | "admin" = "requester",
) => describeNotification({ kind, audience, request: { ...request, ...overrides }, details, appUrl: APP_URL });

describe("the holder hears their access start and end", () => {
  it("says until when it is active, and how to connect, linking to the commands", () => {
    const message = say("access_active", {
      commands: ["az aks get-credentials --name aks-prod-weu", "kubelogin remove-tokens"],
    });
    expect(message.title).toBe("Active: your admin on aks-prod-weu access, until 2026-12-05 15:30 UTC");
    expect(message.text).toBe(
      "Your access is applied and works until 2026-12-05 15:30 UTC. To connect, run: az aks get-credentials --name aks-prod-weu then kubelogin remove-tokens. Every command is on the request page.",
    );
    expect(message.linkPath).toBe(`/requests/${request.id}#use-access`);
    expect(message.isUrgent).toBe(false);
  });

  it.each([
    [
      "expired",
      { endedBy: "expiry" as const, tokensUntil },
      "It expired at 2026-12-05 15:30 UTC. Access tokens issued before then may still work until 2026-12-05 16:45 UTC; run kubelogin remove-tokens to stop using it on your machine now. File a new request if you need it again.",
    ],
    [
      "ended early and signed out",
      { endedBy: "holder" as const, isSessionRevoked: true, tokensUntil },
      "You ended it early, at 2026-12-05 15:30 UTC. You were signed out of Entra ID, but access tokens issued before then may still work until 2026-12-05 16:45 UTC; run kubelogin remove-tokens to stop using it on your machine now. File a new request if you need it again.",
    ],
  ])("says how it ended (%s) and how long tokens may still work", (_case, details, text) => {
    const message = say("access_ended", details, { status: "expired" });
    expect(message.title).toBe("Ended: your admin on aks-prod-weu access");
    expect(message.text).toBe(text);
  });

  it("says who revoked it, why, and whether they were signed out", () => {
    const signedOut = say("access_revoked", {
      actor: admin,
      reason: "Incident closed",
      isSessionRevoked: true,
      wasActive: true,
      tokensUntil,
    });
    expect(signedOut.title).toBe("Revoked: your admin on aks-prod-weu access");
    expect(signedOut.text).toBe(
      "Ada Admin (adm01@contoso.com) revoked your access at 2026-12-05 15:30 UTC. Reason: “Incident closed”. You were signed out of Entra ID, but access tokens issued before then may still work until 2026-12-05 16:45 UTC. Please run kubelogin remove-tokens to stop using it on your machine now.",
    );
    expect(signedOut.isUrgent).toBe(true);
    const notSignedOut = say("access_revoked", {
      actor: admin,
      reason: "Incident closed",
      isSessionRevoked: false,
      wasActive: true,
      tokensUntil,
    });
    expect(notSignedOut.text).toContain(
      "You were not signed out: access tokens issued before then may still work until 2026-12-05 16:45 UTC.",
    );
    const beforeStart = say("access_revoked", { actor: admin, reason: "Wrong cluster", wasActive: false });
    expect(beforeStart.title).toBe("Revoked: your admin on aks-prod-weu access will not start");
    expect(beforeStart.text).toBe(
      "Ada Admin (adm01@contoso.com) revoked your access before it started: nothing will be applied. Reason: “Wrong cluster”.",
    );
    // The team's channel reads it of the holder.
    expect(say("access_revoked", { actor: admin, wasActive: true }, {}, "approver").title).toBe(
      "Revoked: Nadia Okafor's admin on aks-prod-weu",
    );
  });

  it("says that nothing was granted and what to do next when activation fails", () => {
    const failed = { status: "failed" as const, failureReason: "ARM answered 403 AuthorizationFailed." };
    expect(say("activation_failed", {}, failed).text).toBe(
      "Your access could not be applied: no access was granted, and nothing of it is left in place. What went wrong: ARM answered 403 AuthorizationFailed. Next step: the platform admins were told and can retry it from the request once the cause is fixed; if you need access sooner, file a new request.",
    );
    const toAdmins = say("activation_failed", {}, failed, "admin");
    expect(toAdmins.text).toContain(
      "Next step: fix the cause (see Admin, failed jobs and drift), then press Retry on the request.",
    );
    expect(toAdmins.linkPath).toBe(`/requests/${request.id}#actions`);
  });
});

describe("approval requests close", () => {
  it.each([
    [
      "cancelled" as const,
      "Cancelled: admin on aks-prod-weu no longer needs approval",
      "Nadia Okafor cancelled the request: nothing is left for you to decide.",
    ],
    [
      "timed_out" as const,
      "Timed out: admin on aks-prod-weu no longer needs approval",
      "Nobody decided Nadia Okafor's request in time, so it timed out: nothing is left for you to decide.",
    ],
  ])("follows up on a request %s without a decision", (closedBy, title, text) => {
    const message = say("approval_closed", { closedBy }, { status: closedBy }, "approver");
    expect([message.title, message.text]).toEqual([title, text]);
  });

  const at = new Date("2026-12-05T14:03:10Z");
  const p02 = { displayName: "Pat Two", userPrincipalName: "p02@contoso.com" };
  it.each([
    ["pending" as const, null],
    ["approved" as const, "Approved by p02@contoso.com at 2026-12-05 14:01 UTC"],
    ["active" as const, "Approved by p02@contoso.com at 2026-12-05 14:01 UTC"],
    ["denied" as const, "Denied by p02@contoso.com at 2026-12-05 14:01 UTC"],
    ["cancelled" as const, "Cancelled by the requester at 2026-12-05 14:03 UTC"],
    ["timed_out" as const, "Timed out at 2026-12-05 14:03 UTC with no decision"],
  ])("resolves an approval-needed item once the request is %s", (status, expected) => {
    const decided = status === "cancelled" || status === "timed_out" ? null : p02;
    expect(describeResolution({ status, decider: decided, decidedAt: new Date("2026-12-05T14:01:00Z"), at })).toBe(
      expected,
    );
  });
});

it("says why a mail goes out to a person who turned mail off", () => {
  const revoked = say("access_revoked", { wasActive: false });
  expect(withMailOffNote(revoked).text).toBe(
    `${revoked.text} (You turned notification mail off; this one is sent anyway because a revocation is urgent.)`,
  );
});

describe("an approver reads the context in every notification", () => {
  it("names the environment and risk, what the role grants, and the ticket's link", () => {
    const message = say(
      "request_filed",
      {},
      {
        status: "pending",
        risk: "high",
        roleDescription: "Kubernetes cluster-admin on every namespace",
        ticketUrl: "https://tickets.contoso.com/browse/INC12345",
      },
      "approver",
    );
    expect(message.facts).toEqual(
      expect.arrayContaining([
        { title: "Cluster", value: "Production (West Europe) (production, high risk)" },
        { title: "Role", value: "admin: Kubernetes cluster-admin on every namespace" },
        { title: "Ticket", value: "INC12345 (https://tickets.contoso.com/browse/INC12345)" },
      ]),
    );
  });

  it("keeps the bare facts when the catalog says no more", () => {
    const facts = say("request_filed", {}, { status: "pending" }, "approver").facts;
    expect(facts).toEqual(
      expect.arrayContaining([
        { title: "Cluster", value: "Production (West Europe) (production)" },
        { title: "Role", value: "admin" },
        { title: "Ticket", value: "INC12345" },
      ]),
    );
  });
});
