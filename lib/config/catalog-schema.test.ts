import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CatalogError, findRole, parseCatalog, unknownWebhooks, type CatalogProblem } from "./catalog-schema";

const FILE = "jit.catalog.yaml";
const DEMO = readFileSync(path.resolve(import.meta.dirname, "../../jit.catalog.yaml"), "utf8");

// Line numbers in the expectations below count from `clusters:` as line 1.
const ROLE = `
      - name: admin
        description: Cluster admin
        grants:
          - kind: entraPimGroup
            groupId: ffdebc24-7be9-4b76-887f-3a12aae9aada
          - kind: armRoleAssignment
            roleDefinitionId: 3498e952-d568-435e-9b2c-8d77e338d7f7
            scope: cluster
        policy:
          eligibleGroups: [5276251f-922a-4a74-bd64-dd49ae92e206]
          approverGroups: [09ecf0d7-9504-4f6c-b557-71f30e9759bf]
          approvalsRequired: 1
          maxDuration: PT8H
          defaultDuration: PT1H
          ticket: { required: true, pattern: "^(INC|CHG)[0-9]{4,}$" }`;
const CLUSTER = `
  - name: aks-prod-weu
    environment: production
    resourceId: /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu
    nodeResourceGroup: MC_rg-aks-prod_aks-prod-weu_westeurope
    roles:${ROLE}`;
const VALID = `clusters:${CLUSTER}\n`;

/** The valid fixture with one line changed; fails the test if the line is not there. */
function edit(find: string, replace: string, text = VALID): string {
  expect(text).toContain(find);
  return text.replace(find, replace);
}

function problemsOf(text: string): CatalogProblem[] {
  try {
    parseCatalog(text, FILE);
  } catch (error) {
    if (error instanceof CatalogError) return error.problems;
    throw error;
  }
  throw new Error("expected a CatalogError");
}

describe("the demo catalog", () => {
  const catalog = parseCatalog(DEMO, FILE);

  it("declares the prod and dev clusters, with the parts of their resource ids", () => {
    expect(catalog.file).toBe(FILE);
    expect(catalog.clusters.map(({ roles, ...cluster }) => ({ ...cluster, roles: roles.map((r) => r.name) }))).toEqual([
      {
        name: "aks-prod-weu",
        displayName: "Production (West Europe)",
        environment: "production",
        risk: "high",
        resourceId:
          "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu",
        subscriptionId: "0b1f6471-1bf0-4dda-aec3-111122223333",
        resourceGroup: "rg-aks-prod",
        clusterName: "aks-prod-weu",
        nodeResourceGroup: "MC_rg-aks-prod_aks-prod-weu_westeurope",
        roles: ["admin", "node-access", "cluster-admin"],
      },
      {
        name: "aks-dev-weu",
        displayName: "Development (West Europe)",
        environment: "development",
        risk: "low",
        resourceId:
          "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-aks-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev-weu",
        subscriptionId: "0b1f6471-1bf0-4dda-aec3-111122223333",
        resourceGroup: "rg-aks-dev",
        clusterName: "aks-dev-weu",
        nodeResourceGroup: "MC_rg-aks-dev_aks-dev-weu_westeurope",
        roles: ["admin", "node-access"],
      },
    ]);
  });

  it("turns the prod admin policy into minutes and flags", () => {
    const prodAdmin = findRole(catalog, "aks-prod-weu", "admin");
    expect(prodAdmin?.role.grants).toEqual([
      { kind: "entraPimGroup", groupId: "ffdebc24-7be9-4b76-887f-3a12aae9aada" },
      { kind: "armRoleAssignment", roleDefinitionId: "3498e952-d568-435e-9b2c-8d77e338d7f7", scope: "cluster" },
    ]);
    expect(prodAdmin?.role.policy).toEqual({
      eligibleGroupIds: ["5276251f-922a-4a74-bd64-dd49ae92e206"],
      approverGroupIds: ["09ecf0d7-9504-4f6c-b557-71f30e9759bf"],
      approvalsRequired: 1,
      maxDurationMinutes: 480,
      defaultDurationMinutes: 60,
      justification: { isRequired: true },
      ticket: {
        isRequired: true,
        pattern: "^(INC|CHG)[0-9]{4,}$",
        message: expect.stringContaining("INC12345"),
      },
      pendingTimeoutMinutes: 24 * 60,
      isScheduledStartAllowed: true,
      maxStartAheadMinutes: 7 * 24 * 60,
      isBreakGlassAllowed: true,
      breakGlassReviewWithinMinutes: 24 * 60,
      extension: { isAllowed: true, maxTotalMinutes: 12 * 60, isApprovalRequired: false },
      isSessionRevokedOnEnd: true,
    });
  });

  it.each([
    ["aks-prod-weu", "node-access", { approvalsRequired: 1, isBreakGlassAllowed: false, defaultDurationMinutes: 60 }],
    [
      "aks-dev-weu",
      "admin",
      {
        approvalsRequired: 0,
        approverGroupIds: [],
        defaultDurationMinutes: 120,
        ticket: { isRequired: false },
        justification: { isRequired: true },
        pendingTimeoutMinutes: 24 * 60,
        isScheduledStartAllowed: false,
        maxStartAheadMinutes: 0,
        isBreakGlassAllowed: false,
      },
    ],
    ["aks-dev-weu", "node-access", { approvalsRequired: 0, maxDurationMinutes: 480 }],
  ])("%s/%s has its own policy", (clusterName, roleName, expected) => {
    expect(findRole(catalog, clusterName, roleName)?.role.policy).toMatchObject(expected);
  });

  it("scopes node access to the node resource group", () => {
    expect(findRole(catalog, "aks-dev-weu", "node-access")?.role.grants).toContainEqual({
      kind: "armRoleAssignment",
      roleDefinitionId: "fb879df8-f326-4884-b1cf-06f3ad86be52",
      scope: "nodeResourceGroup",
    });
  });

  it("finds no role that is not declared", () => {
    expect(findRole(catalog, "aks-prod-weu", "reader")).toBeUndefined();
    expect(findRole(catalog, "aks-test-weu", "admin")).toBeUndefined();
  });
});

describe("catalog defaults", () => {
  it("fills in what a minimal role leaves out", () => {
    const catalog = parseCatalog(VALID, FILE);
    const { cluster, role } = findRole(catalog, "aks-prod-weu", "admin")!;
    expect(cluster.displayName).toBe("aks-prod-weu");
    expect(role.policy).toMatchObject({
      justification: { isRequired: true },
      pendingTimeoutMinutes: 24 * 60,
      isScheduledStartAllowed: false,
      maxStartAheadMinutes: 0,
      isBreakGlassAllowed: false,
      extension: { isAllowed: false, maxTotalMinutes: 0, isApprovalRequired: false },
      isSessionRevokedOnEnd: false,
    });
  });

  it("lower-cases group and subscription ids, since Entra and ARM compare them case-insensitively", () => {
    const text = edit("ffdebc24-7be9-4b76-887f-3a12aae9aada", "FFDEBC24-7BE9-4B76-887F-3A12AAE9AADA").replace(
      "0b1f6471-1bf0-4dda-aec3-111122223333",
      "0B1F6471-1BF0-4DDA-AEC3-111122223333",
    );
    const [cluster] = parseCatalog(text, FILE).clusters;
    expect(cluster?.subscriptionId).toBe("0b1f6471-1bf0-4dda-aec3-111122223333");
    expect(cluster?.roles[0]?.grants[0]).toEqual({
      kind: "entraPimGroup",
      groupId: "ffdebc24-7be9-4b76-887f-3a12aae9aada",
    });
  });
  it("lets roles share a policy through a YAML anchor and merge key", () => {
    const reader = `
      - name: reader
        description: Read-only
        grants: [{ kind: entraGroup, groupId: 5276251f-922a-4a74-bd64-dd49ae92e206 }]
        policy:
          <<: *admin-policy
          maxDuration: PT2H
          defaultDuration: PT2H`;
    const text = `clusters:${CLUSTER.replace("        policy:\n", "        policy: &admin-policy\n")}${reader}\n`;
    const { role } = findRole(parseCatalog(text, FILE), "aks-prod-weu", "reader")!;
    expect(role.policy).toMatchObject({ approvalsRequired: 1, maxDurationMinutes: 120, defaultDurationMinutes: 120 });
  });
});

describe("approver context in the catalog", () => {
  it("reads the ticket link template and the clusters' risk", () => {
    const catalog = parseCatalog(DEMO, FILE);
    expect(catalog.ticket).toEqual({ urlTemplate: "https://tickets.contoso.com/browse/{ticket}" });
    expect(catalog.clusters.map((c) => [c.environment, c.risk])).toEqual([
      ["production", "high"],
      ["development", "low"],
    ]);
  });

  it("describes a role without a description by the Azure roles it grants", () => {
    const role = parseCatalog(edit("        description: Cluster admin\n", ""), FILE).clusters[0]!.roles[0]!;
    expect(role.description).toBe("Kubernetes admin in every namespace, except the cluster's own resources");
  });

  it.each([
    ["javascript:alert(1)//{ticket}", "must be an http:// or https:// URL"],
    ["https://tickets.contoso.com/browse/", "must contain {ticket}, where the ticket goes"],
  ])("refuses the ticket template %s", (template, message) => {
    expect(problemsOf(`ticket:\n  urlTemplate: "${template}"\n${VALID}`)).toMatchObject([
      { path: "ticket.urlTemplate", message },
    ]);
  });

  it("refuses an unknown risk", () => {
    expect(problemsOf(edit("environment: production", "environment: production\n    risk: extreme"))).toMatchObject([
      { path: "clusters[0].risk", message: "must be low, medium, high or critical" },
    ]);
  });
});

describe("catalog errors name file, line, column and field", () => {
  it.each([
    [
      "a malformed duration",
      edit("maxDuration: PT8H", "maxDuration: 8h"),
      "jit.catalog.yaml:19:24 clusters[0].roles[0].policy.maxDuration: must be an ISO 8601 duration such as PT8H",
    ],
    [
      "an unknown grant kind",
      edit("kind: entraPimGroup", "kind: entraPimGrop"),
      "jit.catalog.yaml:10:19 clusters[0].roles[0].grants[0].kind: must be one of entraPimGroup, entraGroup, armPim, armRoleAssignment",
    ],
    [
      "a default duration longer than the maximum",
      edit("defaultDuration: PT1H", "defaultDuration: PT9H"),
      "jit.catalog.yaml:20:28 clusters[0].roles[0].policy.defaultDuration: must not be longer than maxDuration (8 h)",
    ],
    [
      "a duplicate cluster name",
      `clusters:${CLUSTER}${CLUSTER.replace("rg-aks-prod/", "rg-aks-prod2/")}\n`,
      "jit.catalog.yaml:22:11 clusters[1].name: repeats the name of clusters[0]",
    ],
    [
      "a resource id used by two clusters",
      `clusters:${CLUSTER}${CLUSTER.replace("name: aks-prod-weu", "name: aks-dev-weu")}\n`,
      "jit.catalog.yaml:24:17 clusters[1].resourceId: repeats the resource id of clusters[0]",
    ],
    [
      "a duplicate role name",
      `clusters:${CLUSTER}${ROLE}\n`,
      "jit.catalog.yaml:22:15 clusters[0].roles[1].name: repeats the name of clusters[0].roles[0]",
    ],
    [
      "a pattern that is not a regular expression",
      edit('pattern: "^(INC|CHG)[0-9]{4,}$"', 'pattern: "^(INC|CHG"'),
      "jit.catalog.yaml:21:46 clusters[0].roles[0].policy.ticket.pattern: is not a valid regular expression (Invalid regular expression: /^(INC|CHG/: Unterminated group)",
    ],
    [
      "approvals without an approver group",
      edit("          approverGroups: [09ecf0d7-9504-4f6c-b557-71f30e9759bf]\n", ""),
      "jit.catalog.yaml:15:9 clusters[0].roles[0].policy.approverGroups: must name at least one group when approvalsRequired is 1 (use 0 for self-activation)",
    ],
    [
      "a misspelt field",
      edit("ticket:", "tiket:"),
      "jit.catalog.yaml:21:11 clusters[0].roles[0].policy.tiket: is not a known field (check the spelling)",
    ],
    [
      "a missing field",
      edit("    environment: production\n", ""),
      "jit.catalog.yaml:2:5 clusters[0].environment: is required",
    ],
    [
      "a value of the wrong type",
      edit("approvalsRequired: 1", "approvalsRequired: one"),
      "jit.catalog.yaml:18:30 clusters[0].roles[0].policy.approvalsRequired: must be a whole number from 0 (self-activation, no approver) to 5",
    ],
    [
      "a group id that is not a GUID",
      edit("eligibleGroups: [5276251f-922a-4a74-bd64-dd49ae92e206]", "eligibleGroups: [default]"),
      "jit.catalog.yaml:16:28 clusters[0].roles[0].policy.eligibleGroups[0]: must be an Entra group object id (a GUID)",
    ],
    [
      "a resource id of something other than an AKS cluster",
      edit("Microsoft.ContainerService/managedClusters", "Microsoft.Compute/virtualMachines"),
      "jit.catalog.yaml:4:17 clusters[0].resourceId: must be the cluster's ARM resource id",
    ],
    [
      "a scheduled start without a limit",
      edit("          ticket:", "          scheduledStart: { allowed: true }\n          ticket:"),
      "jit.catalog.yaml:21:11 clusters[0].roles[0].policy.scheduledStart.maxAhead: is required when allowed is true, e.g. P7D",
    ],
    [
      "an extension without a total limit",
      edit("          ticket:", "          extension: { allowed: true }\n          ticket:"),
      "jit.catalog.yaml:21:11 clusters[0].roles[0].policy.extension.maxTotal: is required when allowed is true, e.g. PT12H",
    ],
    [
      "an extension limit shorter than the longest request",
      edit("          ticket:", "          extension: { allowed: true, maxTotal: PT4H }\n          ticket:"),
      "clusters[0].roles[0].policy.extension.maxTotal: must be at least maxDuration (8 h)",
    ],
    [
      "a YAML syntax error",
      edit(
        "eligibleGroups: [5276251f-922a-4a74-bd64-dd49ae92e206]",
        "eligibleGroups: [5276251f-922a-4a74-bd64-dd49ae92e206",
      ),
      "jit.catalog.yaml:17:11 YAML syntax:",
    ],
    ["an empty file", "", "jit.catalog.yaml:1:1 must be a mapping"],
  ])("%s", (_case, text, expected) => {
    expect(() => parseCatalog(text, FILE)).toThrow(expected);
  });

  it("reports every problem at once, in file order, with structured fields", () => {
    const text = edit("maxDuration: PT8H", "maxDuration: PT8H30S").replace("kind: entraPimGroup", "kind: entraPimGrop");
    expect(problemsOf(text)).toEqual([
      {
        file: FILE,
        line: 10,
        column: 19,
        path: "clusters[0].roles[0].grants[0].kind",
        message: expect.stringContaining("must be one of"),
      },
      {
        file: FILE,
        line: 19,
        column: 24,
        path: "clusters[0].roles[0].policy.maxDuration",
        message: expect.stringContaining("must be an ISO 8601 duration"),
      },
    ]);
  });

  it("puts one problem on each line of the message", () => {
    const text = edit("maxDuration: PT8H", "maxDuration: P1W").replace("scope: cluster", "scope: subscription");
    expect(new CatalogError(problemsOf(text)).message.split("\n")).toEqual([
      expect.stringMatching(/^jit\.catalog\.yaml:14:20 clusters\[0\]\.roles\[0\]\.grants\[1\]\.scope: /),
      expect.stringMatching(/^jit\.catalog\.yaml:19:24 clusters\[0\]\.roles\[0\]\.policy\.maxDuration: /),
    ]);
  });
});

describe("notification routing (notify)", () => {
  const withRoleNotify = (yaml: string) => `${VALID.trimEnd()}\n        notify:\n${yaml}\n`;

  it("sends email only, without reminder or escalation, when nothing is configured", () => {
    const { role } = findRole(parseCatalog(VALID, FILE), "aks-prod-weu", "admin")!;
    expect(role.notify).toEqual({ channels: [{ kind: "email" }] });
  });

  it("reads a role's channels, reminder and escalation", () => {
    const text = withRoleNotify(
      [
        "          channels: [email, teams:platform, slack:oncall]",
        "          remindAfter: PT30M",
        "          escalation:",
        "            after: PT1H",
        "            approverGroups: [6D93EC97-249C-4B40-B9B4-DE80497C2C19]",
      ].join("\n"),
    );
    const { role } = findRole(parseCatalog(text, FILE), "aks-prod-weu", "admin")!;
    expect(role.notify).toEqual({
      channels: [{ kind: "email" }, { kind: "teams", webhook: "platform" }, { kind: "slack", webhook: "oncall" }],
      remindAfterMinutes: 30,
      escalation: { afterMinutes: 60, approverGroupIds: ["6d93ec97-249c-4b40-b9b4-de80497c2c19"] },
    });
  });

  it("gives a cluster's notify to its roles that have none of their own", () => {
    const text = VALID.replace("    roles:\n", "    notify: { channels: [slack:oncall] }\n    roles:\n");
    const { role } = findRole(parseCatalog(text, FILE), "aks-prod-weu", "admin")!;
    expect(role.notify.channels).toEqual([{ kind: "slack", webhook: "oncall" }]);
  });

  it.each([
    ["an unknown channel kind", "          channels: [pager:ops]", "channels[0]: must be email, teams:<webhook name>"],
    [
      "an escalation before the reminder",
      "          remindAfter: PT2H\n          escalation: { after: PT1H, approverGroups: [6d93ec97-249c-4b40-b9b4-de80497c2c19] }",
      "notify.escalation.after: must be later than remindAfter (2 h)",
    ],
    ["a misspelt field", "          chanels: [email]", "notify.chanels: is not a known field"],
  ])("refuses %s", (_case, yaml, expected) => {
    expect(() => parseCatalog(withRoleNotify(yaml), FILE)).toThrow(expected);
  });

  it("refuses a webhook that NOTIFY_WEBHOOKS does not define, when told the names", () => {
    const text = withRoleNotify("          channels: [email, teams:platform, slack:oncall]");
    expect(() => parseCatalog(text, FILE, { webhookNames: ["platform", "oncall"] })).not.toThrow();
    expect(unknownWebhooks(parseCatalog(text, FILE), ["platform"])).toEqual(["oncall"]);
    expect(() => parseCatalog(text, FILE, { webhookNames: ["platform"] })).toThrow(
      'clusters[0].roles[0].notify.channels[2]: names webhook "oncall", which NOTIFY_WEBHOOKS does not define (defined: platform)',
    );
  });
});
