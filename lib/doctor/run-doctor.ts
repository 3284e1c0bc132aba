import "server-only";
import { appCredential } from "@/lib/cloud/credentials";
import { readGroupMemberships } from "@/lib/cloud/group-members";
import { getCatalog } from "@/lib/config/catalog";
import { env } from "@/lib/config/env";
import { checkAppRegistration } from "./check-app-registration";
import { checkApproverCoverage } from "./check-approver-coverage";
import { checkArmPermissions } from "./check-arm-permissions";
import { checkAuditLogs } from "./check-audit-logs";
import { checkClusters } from "./check-clusters";
import { checkCredential } from "./check-credential";
import { checkGraphPermissions } from "./check-graph-permissions";
import { checkGroups } from "./check-groups";
import type { CheckResult } from "./check-result";
import { doctorNeeds } from "./needs";
import { appLogsProbe, appTenantReader } from "./tenant-reader";

export interface DoctorReport {
  tenantId: string;
  clientId: string;
  results: CheckResult[];
  /** false when the credential failed and the tenant was not read */
  isComplete: boolean;
}

/**
 * `npm run doctor`: the live configuration (environment and catalog) against the tenant, read-only,
 * with the app's own credential and clients, so that it tests exactly what the app will use.
 */
export async function runDoctor(): Promise<DoctorReport> {
  const clientId = env.ENTRA_CLIENT_ID;
  const report = { tenantId: env.ENTRA_TENANT_ID, clientId };
  const credential = await checkCredential({
    mode: env.AZURE_FEDERATED_TOKEN_FILE ? "Workload ID" : "client secret",
    clientId,
    graphScope: env.GRAPH_APP_SCOPE,
    armScope: env.ARM_APP_SCOPE,
    getToken: (scope) => appCredential().getToken(scope),
  });
  if (credential.results.some((result) => result.status === "fail")) {
    return { ...report, results: credential.results, isComplete: false };
  }

  const catalog = getCatalog();
  const needs = doctorNeeds(catalog, {
    appUrl: env.APP_URL,
    notifyMailSender: env.NOTIFY_MAIL_SENDER,
    approverGroupIds: env.APPROVER_GROUP_IDS,
    auditorGroupIds: env.AUDITOR_GROUP_IDS,
    adminGroupIds: env.ADMIN_GROUP_IDS,
  });
  const reader = appTenantReader();
  const results = [
    ...credential.results,
    ...(await checkGraphPermissions(reader, clientId, needs.graphPermissions, credential.graphRoles)),
    ...(await checkAppRegistration(reader, clientId, needs)),
    ...(await checkArmPermissions(reader, needs.armScopes, clientId)),
    ...(await checkGroups(reader, needs.groups, needs.pimTargets)),
    ...(await checkClusters(reader, needs.clusters)),
    ...(await checkAuditLogs(reader, appLogsProbe(), clientId, needs.clusters)),
    ...(await checkApproverCoverage(
      catalog,
      { auditorGroupIds: env.AUDITOR_GROUP_IDS, approverRoleGroupIds: env.APPROVER_GROUP_IDS },
      (ids) => readGroupMemberships(ids),
    )),
  ];
  return { ...report, results, isComplete: true };
}
