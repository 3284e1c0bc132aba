import { describe, expect, it } from "vitest";
import {
  describeGrants,
  describeQuorum,
  findOverlaps,
  maySeeApproverContext,
  quorumOf,
  ticketTemplateProblem,
  ticketUrl,
  type ContextRequest,
} from "./approver-context";

const TEMPLATE = "https://tickets.contoso.com/browse/{ticket}";

describe("ticket links", () => {
  it.each([
    ["a ticket in the template", TEMPLATE, "INC12345", "https://tickets.contoso.com/browse/INC12345"],
    ["a ticket URL-encoded", TEMPLATE, "INC 1/2?x=<b>", "https://tickets.contoso.com/browse/INC%201%2F2%3Fx%3D%3Cb%3E"],
    ["a query template", "http://t.example/?id={ticket}&x=1", "CHG9", "http://t.example/?id=CHG9&x=1"],
    ["no template", undefined, "INC12345", null],
    ["no ticket", TEMPLATE, null, null],
    ["a javascript: template", "javascript:alert('{ticket}')", "INC12345", null],
    ["a data: template", "data:text/html,<a>{ticket}</a>", "INC12345", null],
    ["a template without the placeholder", "https://tickets.contoso.com/", "INC12345", null],
    // A ticket cannot turn an http template into another scheme: it is encoded, and the scheme is fixed first.
    ["a hostile ticket at the start", "{ticket}", "javascript:alert(1)", null],
  ])("%s", (_case, template, ticket, expected) => {
    expect(ticketUrl(template, ticket)).toBe(expected);
  });

  it.each([
    [TEMPLATE, null],
    ["JavaScript:alert({ticket})", "must be an http:// or https:// URL"],
    ["ftp://files.contoso.com/{ticket}", "must be an http:// or https:// URL"],
    ["https://tickets.contoso.com/", "must contain {ticket}, where the ticket goes"],
  ])("checks the template %s", (template, problem) => {
    expect(ticketTemplateProblem(template)).toBe(problem);
  });
});

const NOW = new Date("2026-12-05T12:00:00Z");
const at = (hhmm: string) => new Date(`2026-12-05T${hhmm}:00Z`);

function request(overrides: Partial<ContextRequest> & { id: string }): ContextRequest {
  return {
    clusterName: "aks-prod-weu",
    roleName: "admin",
    status: "pending",
    startAt: null,
    durationMinutes: 60,
    activeFrom: null,
    activeUntil: null,
    ...overrides,
  };
}

describe("overlapping requests for the same role on the same cluster", () => {
  const subject = request({ id: "this" });

  it.each([
    ["another pending one for now", request({ id: "a" }), "open"],
    ["an approved one", request({ id: "a", status: "approved" }), "open"],
    [
      "active access until after now",
      request({ id: "a", status: "active", activeFrom: at("11:30"), activeUntil: at("12:30") }),
      "active",
    ],
    [
      "a scheduled one starting within the hour",
      request({ id: "a", status: "scheduled", startAt: at("12:30") }),
      "open",
    ],
  ])("warns of %s", (_case, other, kind) => {
    expect(findOverlaps(subject, [other], NOW)).toEqual([{ request: other, kind }]);
  });

  it.each([
    ["the request itself", request({ id: "this" })],
    ["another role", request({ id: "a", roleName: "node-access" })],
    ["another cluster", request({ id: "a", clusterName: "aks-dev-weu" })],
    ["an ended one", request({ id: "a", status: "expired", activeFrom: at("11:30"), activeUntil: at("12:30") })],
    ["a denied one", request({ id: "a", status: "denied" })],
    ["one starting after this ends", request({ id: "a", status: "scheduled", startAt: at("13:00") })],
    [
      "access that ended just as this starts",
      request({ id: "a", status: "active", activeFrom: at("11:00"), activeUntil: at("12:00") }),
    ],
  ])("ignores %s", (_case, other) => {
    expect(findOverlaps(subject, [other], NOW)).toEqual([]);
  });

  it("compares with the subject's own scheduled period", () => {
    const later = request({ id: "this", startAt: at("15:00") });
    expect(findOverlaps(later, [request({ id: "a" })], NOW)).toEqual([]);
    expect(findOverlaps(later, [request({ id: "a", startAt: at("15:30") })], NOW)).toHaveLength(1);
  });
});

const person = (id: string, displayName = id) => ({ id, displayName });

describe("quorum: who has approved and who else may", () => {
  it("names the others, never the requester nor those who approved", () => {
    const quorum = quorumOf({
      approvalsRequired: 2,
      approvers: [person("p01")],
      candidates: [person("p03"), person("p01"), person("n01"), person("p02")],
      requesterId: "n01",
    });
    expect(quorum).toEqual({ required: 2, approvedBy: ["p01"], moreNeeded: 1, others: ["p02", "p03"] });
    expect(describeQuorum(quorum, ["Prod approvers"])).toBe(
      "2 approvals required: approved by p01; 1 more needed from Prod approvers (p02, p03).",
    );
  });

  it.each([
    [
      "no approval yet",
      { approvalsRequired: 1, approvers: [], candidates: [person("a", "Priya"), person("b", "Noah")] },
      "1 approval required: none yet; 1 more needed from approver (Noah, Priya).",
    ],
    [
      "a complete quorum",
      { approvalsRequired: 1, approvers: [person("a", "Priya")], candidates: [person("a", "Priya")] },
      "1 approval required: approved by Priya; complete.",
    ],
    [
      "nobody else in the group",
      { approvalsRequired: 1, approvers: [], candidates: [person("n01")] },
      "1 approval required: none yet; 1 more needed from approver (nobody else is in the group: ask an admin to add approvers).",
    ],
    [
      "many others",
      { approvalsRequired: 1, approvers: [], candidates: "abcdefg".split("").map((id) => person(id)) },
      "1 approval required: none yet; 1 more needed from approver (a, b, c, d, e and 2 more).",
    ],
    [
      "self-activation",
      { approvalsRequired: 0, approvers: [], candidates: [] },
      "No approval needed: the role is activated by policy.",
    ],
  ])("%s", (_case, input, expected) => {
    expect(describeQuorum(quorumOf({ ...input, requesterId: "n01" }), ["approver"])).toBe(expected);
  });

  it("says so when the directory could not be read", () => {
    const quorum = quorumOf({ approvalsRequired: 1, approvers: [], candidates: [], requesterId: "n01" });
    expect(describeQuorum(quorum, [], false)).toBe(
      "1 approval required: none yet; 1 more needed (the directory could not be read to name them).",
    );
  });
});

describe("who sees the approver context", () => {
  const routed = { requesterId: "n01", approverGroupIds: ["g-approver"] };
  it.each([
    [
      "an approver of the request's group",
      { id: "p01", groupIds: ["G-APPROVER"], permissions: ["request.approve"] },
      true,
    ],
    ["an auditor", { id: "aud", groupIds: [], permissions: ["audit.read"] }, true],
    ["an approver of another group", { id: "p02", groupIds: ["g-other"], permissions: ["request.approve"] }, false],
    ["a group member without the approver role", { id: "x", groupIds: ["g-approver"], permissions: [] }, false],
    [
      "the requester, even an approver",
      { id: "n01", groupIds: ["g-approver"], permissions: ["request.approve", "audit.read"] },
      false,
    ],
  ] as const)("%s: %s", (_case, viewer, expected) => {
    expect(maySeeApproverContext(viewer, routed)).toBe(expected);
  });
});

describe("a role's description from its grants", () => {
  it.each([
    [
      [{ kind: "armPim", roleDefinitionId: "B1FF04BB-8A4E-4DC4-8EB5-8693973CE19B", scope: "cluster" }],
      "Kubernetes cluster-admin on every namespace",
    ],
    [
      [
        { kind: "entraPimGroup" },
        {
          kind: "armRoleAssignment",
          roleDefinitionId: "fb879df8-f326-4884-b1cf-06f3ad86be52",
          scope: "nodeResourceGroup",
        },
      ],
      "SSH to the cluster's nodes as an Entra user",
    ],
    [
      [{ kind: "armPim", roleDefinitionId: "00000000-0000-0000-0000-000000000001", scope: "nodeResourceGroup" }],
      "The Azure role 00000000-0000-0000-0000-000000000001 on the node resource group",
    ],
    [[{ kind: "entraGroup" }], "Membership of an Entra group, with whatever that group is given"],
  ])("%j", (grants, expected) => {
    expect(describeGrants(grants)).toBe(expected);
  });
});
