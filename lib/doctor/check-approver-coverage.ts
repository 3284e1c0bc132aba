import { approverCoverage, coverageGroupIds, type GroupMembership } from "@/lib/config/approver-coverage";
import type { Catalog } from "@/lib/config/catalog-schema";
import { type CheckResult, pass, warn } from "./check-result";

const COVERAGE = "Approver coverage";

/** The Groups check fails a group the tenant does not have already, with its fix: not twice. */
const REPORTED_BY_GROUPS = new Set(["approver-group-unknown", "escalation-group-unknown"]);

/**
 * Check 8: each role can be approved, escalated and heard with the members its groups have now: the
 * rules of `npm run catalog:check -- --live` (lib/config/approver-coverage.ts), as warnings.
 */
export async function checkApproverCoverage(
  catalog: Catalog,
  settings: { auditorGroupIds: readonly string[]; approverRoleGroupIds: readonly string[] },
  readMemberships: (groupIds: readonly string[]) => Promise<ReadonlyMap<string, GroupMembership>>,
): Promise<CheckResult[]> {
  const groups = await readMemberships(coverageGroupIds({ clusters: catalog.clusters, ...settings }));
  const warnings = approverCoverage({ clusters: catalog.clusters, file: catalog.file, groups, ...settings });
  return catalog.clusters.flatMap((cluster) =>
    cluster.roles.flatMap((role) => {
      const name = `${cluster.name}/${role.name}`;
      const mine = warnings.filter((w) => w.cluster === cluster.name && w.role === role.name);
      if (mine.length === 0) {
        const required = role.policy.approvalsRequired;
        return [
          pass(
            COVERAGE,
            name,
            required === 0
              ? "self-activation: no approver needed"
              : `its approvers can give ${required} approval${required === 1 ? "" : "s"} to any requester`,
          ),
        ];
      }
      return mine.filter((w) => !REPORTED_BY_GROUPS.has(w.code)).map((w) => warn(COVERAGE, name, w.problem, w.fix));
    }),
  );
}
