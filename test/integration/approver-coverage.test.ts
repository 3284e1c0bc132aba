import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { approverCoverageView, COVERAGE_TTL_MS } from "@/lib/access/approver-coverage";
import { createEmulatorUser } from "../support/emulator-state";
import { sessionUser } from "../support/users";

/**
 * The Admin page's approver coverage: the catalog:check rules on the members Entra ID reports now.
 * The test catalog's aks-quorum-test/admin needs two approvals from the approver group (n02, p01),
 * and n02 may request it too: n02's request can get one at most.
 */
const APPROVER_GROUP = "09ecf0d7-9504-4f6c-b557-71f30e9759bf";

describe("approver coverage on the Admin page", () => {
  it("is for admins only", async () => {
    const n01 = await sessionUser("n01@contoso.com");
    await expect(approverCoverageView(n01)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("names the uncoverable role, and clears once the group gains an approver, after the cache expires", async () => {
    const admin = await sessionUser("adm01@contoso.com");
    const now = new Date();
    const first = await approverCoverageView(admin, now);
    expect(first.failure).toBeUndefined();
    expect(first.warnings.map((w) => [w.code, `${w.cluster}/${w.role}`, w.groupIds])).toEqual([
      ["too-few-approvers", "aks-quorum-test/admin", [APPROVER_GROUP]],
    ]);
    expect(first.warnings[0]!.problem).toContain(`approver group "approver" (${APPROVER_GROUP}) has 2 distinct people`);

    const p02 = randomUUID();
    const user = await createEmulatorUser({
      id: p02,
      userPrincipalName: "p02@contoso.com",
      groupIds: [APPROVER_GROUP],
    });
    try {
      // Read at most once a minute: within that, the answer is the one already read.
      expect(await approverCoverageView(admin, new Date(now.getTime() + 1_000))).toEqual(first);
      const later = await approverCoverageView(admin, new Date(now.getTime() + COVERAGE_TTL_MS));
      expect(later.warnings).toEqual([]);
      expect(later.checkedAt).not.toBe(first.checkedAt);
    } finally {
      await user.remove();
    }
  });
});
