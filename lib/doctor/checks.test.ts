import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { GroupMembership } from "@/lib/config/approver-coverage";
import { parseCatalog } from "@/lib/config/catalog-schema";
import { ARM_ACTIONS } from "@/lib/cloud/required-permissions";
import { isRedirectRegistered } from "./check-app-registration";
import { checkApproverCoverage } from "./check-approver-coverage";
import { checkArmPermissions } from "./check-arm-permissions";
import type { Read, TenantReader } from "./check-result";
import type { ArmScopeNeed } from "./needs";

const SCOPE =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1";

/** A reader whose ARM permissions answer is `permissions` (one entry per role the app holds). */
function armReader(answer: Read<unknown[]>): TenantReader {
  const unused = () => Promise.reject(new Error("not used"));
  return { graph: unused, graphList: unused, arm: unused, armList: async <T>() => answer as Read<T[]> };
}

const need = (kinds: ArmScopeNeed["kinds"]): ArmScopeNeed => ({
  scope: SCOPE,
  label: "cluster c1",
  kinds,
  actions: [...new Set(kinds.flatMap((kind) => ARM_ACTIONS[kind]))],
});

const role = (actions: string[], notActions: string[] = []) => ({
  actions,
  notActions,
  dataActions: [],
  notDataActions: [],
});

describe("checkArmPermissions: Azure RBAC's wildcard and notActions rules on the permissions answer", () => {
  it.each([
    ["Owner (*)", [role(["*"])], ["armPim", "armRoleAssignment"], "pass", undefined],
    [
      "User Access Administrator (Microsoft.Authorization/*)",
      [role(["*/read", "Microsoft.Authorization/*"])],
      ["armPim", "armRoleAssignment"],
      "pass",
      undefined,
    ],
    [
      "operation strings ignore case",
      [role(["microsoft.authorization/ROLEASSIGNMENTS/*"])],
      ["armRoleAssignment"],
      "pass",
      undefined,
    ],
    [
      "Role Based Access Control Administrator lacks the PIM request for armPim",
      [
        role([
          "Microsoft.Authorization/roleAssignments/write",
          "Microsoft.Authorization/roleAssignments/delete",
          "*/read",
        ]),
      ],
      ["armPim"],
      "fail",
      "Microsoft.Authorization/roleAssignmentScheduleRequests/write, Microsoft.Authorization/roleAssignmentScheduleRequests/cancel/action",
    ],
    [
      "Contributor's notActions take out the writes (a wildcard in the middle)",
      [role(["*"], ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"])],
      ["armRoleAssignment"],
      "fail",
      "Microsoft.Authorization/roleAssignments/write, Microsoft.Authorization/roleAssignments/delete",
    ],
    [
      "a second role grants what another role's notActions excluded",
      [
        role(["*"], ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"]),
        role(["Microsoft.Authorization/roleAssignments/*"]),
      ],
      ["armRoleAssignment"],
      "pass",
      undefined,
    ],
    [
      "Reader (*/read) only reads",
      [role(["*/read"])],
      ["armRoleAssignment"],
      "fail",
      "Microsoft.Authorization/roleAssignments/write, Microsoft.Authorization/roleAssignments/delete",
    ],
    ["no role at all", [], ["armRoleAssignment"], "fail", ARM_ACTIONS.armRoleAssignment.join(", ")],
  ] as const)("%s", async (_name, permissions, kinds, status, missing) => {
    const [result] = await checkArmPermissions(
      armReader({ ok: true, value: [...permissions] }),
      [need([...kinds])],
      "app-id",
    );
    expect(result!.status).toBe(status);
    if (missing) {
      expect(result!.detail).toBe(`the app lacks ${missing} on ${SCOPE}`);
      expect(result!.fix).toContain(
        `az role assignment create --assignee app-id --role "AKS JIT Access Provisioner" --scope ${SCOPE}`,
      );
    }
    // The RBAC Administrator remark is for armPim only.
    expect(result!.fix?.includes("is not enough for armPim") ?? false).toBe(
      status === "fail" && (kinds as readonly string[]).includes("armPim"),
    );
  });

  it("reports a scope that does not exist as a catalog problem", async () => {
    const [result] = await checkArmPermissions(
      armReader({
        ok: false,
        status: 404,
        code: "ResourceGroupNotFound",
        message: "Resource group 'rg' could not be found.",
      }),
      [need(["armRoleAssignment"])],
      "app-id",
    );
    expect(result).toMatchObject({
      status: "fail",
      detail: `cannot read the app's permissions on ${SCOPE}: HTTP 404 ResourceGroupNotFound: Resource group 'rg' could not be found`,
    });
    expect(result!.fix).toContain("resourceId and nodeResourceGroup in the catalog");
  });
});

describe("isRedirectRegistered: Entra's redirect URI matching", () => {
  it.each([
    [["https://jit.contoso.com/auth/callback"], "https://jit.contoso.com/auth/callback", true],
    [["https://jit.contoso.com/auth/callback"], "https://jit.contoso.com/auth/callback/", false],
    [["https://jit.contoso.com/auth/callback"], "https://jit.contoso.com:8443/auth/callback", false],
    [["https://jit.contoso.com/Auth/Callback"], "https://jit.contoso.com/auth/callback", false],
    // Localhost: any port (reply-url.md, "Localhost exceptions"), but the same scheme and path.
    [["http://localhost/auth/callback"], "http://localhost:3000/auth/callback", true],
    [["http://localhost:5000/auth/callback"], "http://localhost:3000/auth/callback", true],
    [["https://localhost/auth/callback"], "http://localhost:3000/auth/callback", false],
    [["http://localhost/auth/popup"], "http://localhost:3000/auth/callback", false],
    [["not a url"], "https://jit.contoso.com/auth/callback", false],
  ])("%j has %s: %s", (registered, wanted, expected) => {
    expect(isRedirectRegistered(registered, wanted)).toBe(expected);
  });
});

describe("checkApproverCoverage: the catalog:check rules on the tenant's members", () => {
  const file = path.resolve(import.meta.dirname, "../../test/fixtures/catalog-uncoverable.yaml");
  const catalog = parseCatalog(readFileSync(file, "utf8"), "catalog-uncoverable.yaml");
  const members = new Map<string, GroupMembership>([
    ["5276251f-922a-4a74-bd64-dd49ae92e206", { state: "found", displayName: "default", memberIds: ["n01", "n02"] }],
    ["09ecf0d7-9504-4f6c-b557-71f30e9759bf", { state: "found", displayName: "approver", memberIds: ["n02", "p01"] }],
    ["0badbad0-0000-4000-8000-000000000404", { state: "not-found" }],
  ]);

  const SETTINGS = { auditorGroupIds: [], approverRoleGroupIds: ["09ecf0d7-9504-4f6c-b557-71f30e9759bf"] };

  it("warns of a role its approvers cannot cover, and leaves a missing group to the Groups check", async () => {
    const asked: string[][] = [];
    const results = await checkApproverCoverage(catalog, SETTINGS, async (ids) => {
      asked.push([...ids]);
      return members;
    });
    expect(asked.map((ids) => ids.sort())).toEqual([[...members.keys()].sort()]);
    expect(results.map((r) => [r.status, r.name])).toEqual([["warn", "aks-prod-weu/admin"]]);
    expect(results[0]!.detail).toContain("needs 2 approvals");
    expect(results[0]!.fix).toContain("or lower approvalsRequired to 1");
  });

  it("passes each role its approvers cover", async () => {
    const covered = new Map(members).set("09ecf0d7-9504-4f6c-b557-71f30e9759bf", {
      state: "found",
      memberIds: ["p01", "p02"],
    });
    covered.set("0badbad0-0000-4000-8000-000000000404", { state: "found", memberIds: ["p01"] });
    const results = await checkApproverCoverage(catalog, SETTINGS, async () => covered);
    expect(results.map((r) => [r.status, r.name, r.detail])).toEqual([
      ["pass", "aks-prod-weu/admin", "its approvers can give 2 approvals to any requester"],
      ["pass", "aks-prod-weu/node-access", "its approvers can give 1 approval to any requester"],
    ]);
  });
});
