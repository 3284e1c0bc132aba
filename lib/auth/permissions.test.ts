import { describe, expect, it } from "vitest";
import { PERMISSIONS, can, rolesFor, type Permission, type Role } from "./permissions";

const groups = { approver: ["g-approver"], auditor: ["g-auditors"], admin: ["G-ADMINS"] };

describe("rolesFor", () => {
  it.each([
    { groupIds: [], roles: ["requester"] },
    { groupIds: ["g-approver"], roles: ["requester", "approver"] },
    { groupIds: ["g-auditors", "unrelated"], roles: ["requester", "auditor"] },
    { groupIds: ["g-admins"], roles: ["requester", "admin"] },
    { groupIds: ["g-approver", "g-auditors", "g-admins"], roles: ["requester", "approver", "auditor", "admin"] },
  ])("maps groups $groupIds to roles $roles (group ids compare case-insensitively)", ({ groupIds, roles }) => {
    expect(rolesFor(groupIds, groups)).toEqual(roles);
  });
});

describe("can", () => {
  const table: Array<[Role[], Permission, boolean]> = [
    [["requester"], "access.request", true],
    [["requester"], "request.approve", false],
    [["requester"], "audit.read", false],
    [["requester"], "catalog.admin", false],
    [["requester", "approver"], "request.approve", true],
    [["requester", "approver"], "audit.read", false],
    [["requester", "auditor"], "audit.read", true],
    [["requester", "auditor"], "catalog.admin", false],
    [["requester", "admin"], "audit.read", true],
    [["requester", "admin"], "catalog.admin", true],
    [["requester", "admin"], "access.administer", true],
    [["requester", "auditor"], "access.administer", false],
    [["requester", "approver"], "access.administer", false],
    [["requester"], "break_glass.review", false],
    [["requester", "approver"], "break_glass.review", true],
    [["requester", "auditor"], "activity.check", true],
    [["requester", "admin"], "activity.check", true],
    [["requester", "approver"], "activity.check", false],
    [["requester", "auditor"], "break_glass.review", true],
    // Platform admins run the tool; deciding requests is the approvers' job (separation of duties).
    [["requester", "admin"], "request.approve", false],
  ];
  it.each(table)("%j may %s: %s", (roles, permission, expected) => {
    expect(can(roles, permission)).toBe(expected);
  });

  it("has a row for every permission", () => {
    expect(new Set(table.map(([, p]) => p))).toEqual(new Set(Object.keys(PERMISSIONS)));
  });
});
