import { describe, expect, it } from "vitest";
import { readStoredJson } from "@/lib/domain/policy-snapshot";
import { describeNotification, type RequestSummary } from "./messages";
import {
  describeDeliveryJob,
  ZDeliveryJob,
  ZEndingSoonJob,
  ZNotificationEventData,
  ZNotificationKind,
  ZNotifyJob,
} from "./payloads";

/** Guards against notification rows and job data read back with a cast: a wrong one must fail by name. */

const REQUEST_ID = "1b4e28ba-2fa1-4d2b-a3c5-6e7f8a9b0c1d";
const event = (column: string) => ({ table: "notification_events", rowId: `decided:${REQUEST_ID}`, column });

const request: RequestSummary = {
  id: REQUEST_ID,
  clusterName: "aks-prod-weu",
  clusterDisplayName: "Production",
  environment: "production",
  risk: null,
  roleDescription: null,
  ticketUrl: null,
  roleName: "admin",
  requester: { displayName: "n01", userPrincipalName: "n01@contoso.com" },
  durationMinutes: 60,
  justification: "Rotate the ingress certificate",
  ticket: "INC40001",
  isBreakGlass: false,
  status: "pending",
  approvalsRequired: 1,
  approvedBy: [],
  activeUntil: null,
  failureReason: null,
};
const message = describeNotification({
  kind: "request_filed",
  audience: "approver",
  request,
  appUrl: "https://jit.example",
});

describe("notification payloads", () => {
  it("reads back what the pipeline writes", () => {
    const data = { outcome: "approve", actorId: "0000000a-0000-4000-8000-000000000001" };
    expect(readStoredJson(ZNotificationEventData, data, event("data"))).toEqual(data);
    expect(readStoredJson(ZNotificationEventData, {}, event("data"))).toEqual({});
    expect(readStoredJson(ZNotificationKind, "request_decided", event("kind"))).toBe("request_decided");
    expect(ZNotifyJob.parse({ eventKey: `filed:${REQUEST_ID}`, requestId: REQUEST_ID }).eventKey).toBe(
      `filed:${REQUEST_ID}`,
    );
    expect(ZEndingSoonJob.safeParse({ requestId: REQUEST_ID, activeUntil: new Date(0).toISOString() }).success).toBe(
      true,
    );
    const email = {
      requestId: REQUEST_ID,
      eventKey: "k",
      channel: "email",
      to: { address: "a@b", name: "A" },
      message,
    };
    const post = { requestId: REQUEST_ID, eventKey: "k", channel: "teams", webhook: "platform", message };
    expect(ZDeliveryJob.parse(email)).toEqual(email);
    expect(ZDeliveryJob.parse(post)).toEqual(post);
  });

  it.each([
    ["an unknown kind", ZNotificationKind, "request_approved", "kind"],
    ["an outcome it cannot word", ZNotificationEventData, { outcome: "maybe" }, "data"],
    ["a decider that is no id", ZNotificationEventData, { actorId: 42 }, "data"],
  ] as const)("refuses %s, naming the row and the column", (_, schema, stored, column) => {
    expect(() => readStoredJson(schema, stored, event(column))).toThrow(
      `notification_events decided:${REQUEST_ID}: the stored ${column} does not match its schema`,
    );
  });

  it("refuses a delivery without its address or webhook, or with a channel it cannot send to", () => {
    const base = { requestId: REQUEST_ID, eventKey: "k", message };
    expect(ZDeliveryJob.safeParse({ ...base, channel: "email" }).success).toBe(false);
    expect(ZDeliveryJob.safeParse({ ...base, channel: "slack" }).success).toBe(false);
    expect(ZDeliveryJob.safeParse({ ...base, channel: "sms", webhook: "x" }).success).toBe(false);
    expect(ZDeliveryJob.safeParse({ ...base, channel: "teams", webhook: "x", message: {} }).success).toBe(false);
  });
});

describe("describeDeliveryJob", () => {
  it("names who missed which message, for the admin's failed jobs", () => {
    const base = { requestId: REQUEST_ID, eventKey: `filed:${REQUEST_ID}`, message };
    expect(
      describeDeliveryJob({ ...base, channel: "email", to: { address: "p01@contoso.com", name: "Priya Raman" } }),
    ).toEqual({ recipient: "Email to Priya Raman (p01@contoso.com)", title: "Approval needed: admin on aks-prod-weu" });
    expect(describeDeliveryJob({ ...base, channel: "teams", webhook: "ops" })).toEqual({
      recipient: 'Teams post to the "ops" webhook',
      title: "Approval needed: admin on aks-prod-weu",
    });
    expect(describeDeliveryJob({ requestId: REQUEST_ID })).toBeNull();
  });
});
