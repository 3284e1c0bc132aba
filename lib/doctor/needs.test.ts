import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseCatalog } from "@/lib/config/catalog-schema";
import { doctorNeeds, type DoctorSettings } from "./needs";

const DEMO = readFileSync(path.resolve(import.meta.dirname, "../../jit.catalog.yaml"), "utf8");
const ADMIN = "ffdebc24-7be9-4b76-887f-3a12aae9aada";
const DEFAULT = "5276251f-922a-4a74-bd64-dd49ae92e206";

const settings: DoctorSettings = {
  appUrl: "https://jit.contoso.com",
  approverGroupIds: ["09ecf0d7-9504-4f6c-b557-71f30e9759bf"],
  auditorGroupIds: [],
  adminGroupIds: [],
};

interface CatalogYaml {
  clusters: Array<{
    roles: Array<{
      grants: Array<Record<string, string>>;
      policy: { endSessions?: boolean; stepUp?: { authenticationContext?: string } };
    }>;
  }>;
}

/** The demo catalog, changed by `edit` (on the parsed YAML). */
function catalogWith(edit: (yaml: CatalogYaml) => void = () => {}) {
  const yaml = parse(DEMO) as CatalogYaml;
  edit(yaml);
  return parseCatalog(stringify(yaml), "test.yaml");
}

const rolesOf = (yaml: CatalogYaml) => yaml.clusters.flatMap((c) => c.roles);

const permissionsOf = (catalog: ReturnType<typeof catalogWith>, overrides: Partial<DoctorSettings> = {}) =>
  doctorNeeds(catalog, { ...settings, ...overrides }).graphPermissions.map((need) => need.permission);

describe("doctorNeeds: Graph permissions", () => {
  it.each([
    [
      "the demo catalog, no mail sender",
      {},
      () => {},
      {
        has: ["PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup", "User.RevokeSessions.All"],
        lacks: ["Mail.Send", "GroupMember.ReadWrite.All"],
      },
    ],
    ["a mail sender", { notifyMailSender: "jit@contoso.com" }, () => {}, { has: ["Mail.Send"], lacks: [] }],
    [
      "no role ends sessions",
      {},
      (yaml: CatalogYaml) => rolesOf(yaml).forEach((r) => (r.policy.endSessions = false)),
      { has: [], lacks: ["User.RevokeSessions.All"] },
    ],
    [
      "entraGroup instead of entraPimGroup",
      {},
      (yaml: CatalogYaml) =>
        rolesOf(yaml).forEach((r) => r.grants.forEach((g) => g.kind === "entraPimGroup" && (g.kind = "entraGroup"))),
      {
        has: ["GroupMember.ReadWrite.All"],
        lacks: [
          "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
          "PrivilegedEligibilitySchedule.Read.AzureADGroup",
          "RoleManagementPolicy.Read.AzureADGroup",
        ],
      },
    ],
  ])("%s", (_name, overrides, edit, { has, lacks }) => {
    const permissions = permissionsOf(catalogWith(edit), overrides);
    // Always: reading people and groups, and the doctor's own reads.
    expect(permissions).toEqual(
      expect.arrayContaining(["User.Read.All", "GroupMember.Read.All", "Application.Read.All", ...has]),
    );
    for (const permission of lacks) expect(permissions).not.toContain(permission);
  });
});

describe("doctorNeeds: ARM scopes", () => {
  it("lists each cluster and node resource group once, with the actions of the kinds granted there", () => {
    const catalog = catalogWith((yaml) => {
      // aks-prod-weu/admin: an armPim grant on the cluster as well as the demo's armRoleAssignment.
      yaml.clusters[0]!.roles[0]!.grants.push({
        kind: "armPim",
        roleDefinitionId: "3498e952-d568-435e-9b2c-8d77e338d7f7",
        scope: "cluster",
      });
    });
    const scopes = doctorNeeds(catalog, settings).armScopes;
    expect(scopes.map((s) => [s.label, s.kinds])).toEqual([
      ["cluster aks-prod-weu", ["armRoleAssignment", "armPim"]],
      ["node resource group MC_rg-aks-prod_aks-prod-weu_westeurope (aks-prod-weu)", ["armRoleAssignment"]],
      ["cluster aks-dev-weu", ["armRoleAssignment"]],
      ["node resource group MC_rg-aks-dev_aks-dev-weu_westeurope (aks-dev-weu)", ["armRoleAssignment"]],
    ]);
    expect(scopes[0]!.actions).toContain("Microsoft.Authorization/roleAssignmentScheduleRequests/write");
    expect(scopes[1]!.actions).not.toContain("Microsoft.Authorization/roleAssignmentScheduleRequests/write");
    expect(scopes[1]!.scope).toBe(
      "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/MC_rg-aks-prod_aks-prod-weu_westeurope",
    );
  });
});

describe("doctorNeeds: groups, PIM targets, app registration", () => {
  it("names every group once with where it is used, and each PIM target with its requester groups", () => {
    const needs = doctorNeeds(catalogWith(), { ...settings, adminGroupIds: [ADMIN] });
    const admin = needs.groups.find((g) => g.id === ADMIN)!;
    expect(admin.usedBy).toEqual([
      "ADMIN_GROUP_IDS",
      "aks-prod-weu/admin grant (entraPimGroup)",
      "aks-prod-weu/cluster-admin grant (entraPimGroup)",
      "aks-dev-weu/admin grant (entraPimGroup)",
    ]);
    expect(needs.pimTargets.find((t) => t.groupId === ADMIN)).toEqual({
      groupId: ADMIN,
      eligibleGroupIds: [DEFAULT],
      roles: ["aks-prod-weu/admin", "aks-prod-weu/cluster-admin", "aks-dev-weu/admin"],
    });
  });

  it("asks for auth_time, acrs and the popup redirect only when a role has step-up", () => {
    expect(doctorNeeds(catalogWith(), settings)).toMatchObject({
      idTokenClaims: ["auth_time", "acrs"],
      webRedirectUris: ["https://jit.contoso.com/auth/callback", "https://jit.contoso.com/signed-out"],
      spaRedirectUris: ["https://jit.contoso.com/auth/popup"],
    });
    const noContext = catalogWith((yaml) => delete yaml.clusters[0]!.roles[2]!.policy.stepUp!.authenticationContext);
    expect(doctorNeeds(noContext, settings).idTokenClaims).toEqual(["auth_time"]);
    const noStepUp = catalogWith((yaml) => delete yaml.clusters[0]!.roles[2]!.policy.stepUp);
    expect(doctorNeeds(noStepUp, settings)).toMatchObject({ idTokenClaims: [], spaRedirectUris: [] });
  });
});
