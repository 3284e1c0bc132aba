import { CopyCommand } from "@/components/copy-command";
import { LocalTime } from "@/components/local-time";
import { PostureBadges } from "@/components/posture-badges";
import { DataTable, TD } from "@/components/ui/data-table";
import type { ClusterPostureView } from "@/lib/posture/posture-view";
import { describeAuditLogs } from "@/lib/posture/audit-logs";
import type { ClusterFacts, PostureFinding, StandingPrincipal } from "@/lib/posture/types";

const SEVERITY_STYLE: Record<PostureFinding["severity"], string> = {
  high: "border-red-700 bg-red-50 text-red-900",
  medium: "border-amber-600 bg-amber-50 text-amber-950",
  low: "border-slate-500 bg-slate-50 text-slate-800",
};

const ABILITY_WORDS: Record<string, string> = {
  clusterAdmin: "cluster admin",
  adminCredentials: "admin credentials (local accounts)",
  clusterRunCommand: "run command on the cluster",
  nodeLogin: "node login",
  nodeRunCommand: "run command on the nodes",
};

const SCOPE_WORDS: Record<StandingPrincipal["paths"][number]["scopeLevel"], string> = {
  cluster: "cluster",
  resourceGroup: "resource group",
  nodeResourceGroup: "node resource group",
  subscription: "subscription",
  managementGroup: "management group",
};

function apiServer(facts: ClusterFacts) {
  if (facts.isPrivate) return facts.hasPublicFqdn ? "private (its name resolves publicly)" : "private";
  return facts.authorizedIpRanges.length === 0
    ? "public, reachable from any address"
    : `public, from ${facts.authorizedIpRanges.join(", ")}`;
}

function Facts({ facts }: { facts: ClusterFacts }) {
  const rows: Array<[string, string]> = [
    ["API server", apiServer(facts)],
    ["Local accounts", facts.areLocalAccountsDisabled ? "disabled" : "on"],
    [
      "Kubernetes authorization",
      facts.isAzureRbac ? "Azure RBAC" : facts.isManagedEntra ? "Entra ID, Kubernetes RBAC" : "Kubernetes RBAC",
    ],
    ["Admin groups (aadProfile)", facts.adminGroupObjectIds.length ? facts.adminGroupObjectIds.join(", ") : "none"],
    ["Node pools (SSH)", facts.nodePools.map((p) => `${p.name}: ${p.sshAccess}`).join(", ") || "none"],
  ];
  const auditLogs = describeAuditLogs(facts.auditLogs);
  if (auditLogs) rows.push(["Kubernetes audit logs", auditLogs]);
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[14rem_1fr]">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd className="break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Findings({ findings, headingId }: { findings: PostureFinding[]; headingId: string }) {
  return (
    <div>
      <h3 id={headingId} className="mb-2 font-semibold">
        Findings
      </h3>
      {findings.length === 0 ? (
        <p className="text-sm text-slate-600">None: nothing in the cluster&apos;s settings goes around AKS JIT.</p>
      ) : (
        <ul aria-labelledby={headingId} className="space-y-3">
          {findings.map((finding) => (
            <li key={finding.code} data-finding={finding.code} className="rounded-md border border-slate-200 p-3">
              <p className="text-sm">
                <span
                  className={`mr-2 inline-block rounded border px-1.5 text-xs font-semibold uppercase ${SEVERITY_STYLE[finding.severity]}`}
                >
                  {finding.severity}
                </span>
                <span className="font-medium">{finding.title}</span>
              </p>
              <p className="mt-1 text-sm text-slate-700">Allows: {finding.allows}</p>
              <div className="mt-2">
                <CopyCommand label={`Fix: ${finding.title}`} command={finding.fix} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PrincipalRows({ principals }: { principals: StandingPrincipal[] }) {
  return principals.map((principal) => (
    <tr key={principal.principalId} className="border-t border-slate-100" data-principal={principal.principalId}>
      <td className={TD}>
        <span className="font-medium">{principal.displayName ?? principal.principalId}</span>
        <span className="block text-xs break-all text-slate-600">
          {principal.userPrincipalName ?? principal.principalId}
        </span>
        <span className="block text-xs text-slate-600">{principal.principalType}</span>
      </td>
      <td className={TD}>
        <ul className="space-y-1">
          {principal.paths.map((path, i) => (
            <li key={`${path.roleAssignmentId ?? path.scope}-${i}`}>
              {path.kind === "adminGroup" ? "member of an admin group (aadProfile)" : (path.roleName ?? "a role")} at
              the {SCOPE_WORDS[path.scopeLevel]}
              {path.viaGroup ? `, via group ${path.viaGroup.displayName ?? path.viaGroup.id}` : ""}
              {path.abilities.length ? `: ${path.abilities.map((a) => ABILITY_WORDS[a] ?? a).join(", ")}` : ""}
              <span className="block font-mono text-xs break-all text-slate-500">{path.scope}</span>
            </li>
          ))}
        </ul>
      </td>
      <td className={`${TD} text-xs`}>
        {principal.paths.map((path, i) => (
          <span key={i} className="block">
            {path.since ? <LocalTime iso={path.since} /> : "not known"}
          </span>
        ))}
      </td>
    </tr>
  ));
}

function Standing({ view }: { view: ClusterPostureView }) {
  const standing = view.posture?.standing;
  if (!standing) {
    return <p className="text-sm text-slate-600">Standing access has not been read for this cluster.</p>;
  }
  const columns = ["Who", "How they get in", "Since"];
  return (
    <div className="space-y-3">
      <h3 className="font-semibold">Standing access</h3>
      <p className="text-sm text-slate-700">
        Who gets in without a JIT grant. Explained by JIT grants: {standing.explainedByGrants} (active grants, not a
        bypass).
      </p>
      {standing.principals.length === 0 ? (
        <p className="text-sm text-slate-600">Nobody: every way in goes through AKS JIT.</p>
      ) : (
        <DataTable caption={`Standing access to ${view.name}`} columns={columns}>
          <PrincipalRows principals={standing.principals} />
        </DataTable>
      )}
      {standing.appIdentity.length > 0 ? (
        <>
          <p className="text-sm font-medium text-slate-700">
            AKS JIT&apos;s own identity: it provisions the grants, so it holds standing access by design.
          </p>
          <DataTable caption={`AKS JIT's own identity on ${view.name}: it provisions the grants`} columns={columns}>
            <PrincipalRows principals={standing.appIdentity} />
          </DataTable>
        </>
      ) : null}
    </div>
  );
}

/** One cluster's last posture check: when, its settings, findings with their fixes, and standing access. */
export function ClusterPostureSection({ view }: { view: ClusterPostureView }) {
  const headingId = `posture-${view.name}`;
  const { posture } = view;
  return (
    <section
      id={view.name}
      aria-labelledby={headingId}
      data-cluster={view.name}
      className="mb-8 space-y-4 rounded-lg border border-slate-200 bg-white p-4"
    >
      <div>
        <h2 id={headingId} className="text-lg font-semibold">
          {view.displayName}{" "}
          <span className="font-normal text-slate-600">
            ({view.name}, {view.environment})
          </span>
        </h2>
        <p className="text-sm text-slate-700">
          {posture ? (
            <>
              Checked <LocalTime iso={posture.checkedAt} />
            </>
          ) : (
            "Not checked yet."
          )}
        </p>
        {posture?.error ? (
          <p className="mt-1 text-sm text-red-800">
            The last check failed: {posture.error}
            {posture.facts ? " The settings below are from the last check that read them." : ""}
          </p>
        ) : null}
        <PostureBadges clusterName={view.name} badges={view.badges} />
      </div>
      {posture?.facts ? <Facts facts={posture.facts} /> : null}
      {posture ? <Findings findings={posture.findings} headingId={`${headingId}-findings`} /> : null}
      {posture ? <Standing view={view} /> : null}
    </section>
  );
}
