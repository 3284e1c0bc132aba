import type { ReactNode } from "react";
import { CopyCommand } from "@/components/copy-command";
import { LocalTime } from "@/components/local-time";
import { DataTable, TD as td } from "@/components/ui/data-table";
import type { ActivitySummary, KubernetesCall, NodeSignIn } from "@/lib/activity/types";

/** What the request page and the auditor's timeline show of a grant's activity. */
export interface ActivityFacts {
  /** the stored summary (request_activities), or null before the first one */
  stored: { summary: ActivitySummary; summarisedAt: Date | string; isComplete: boolean } | null;
  holderUpn: string;
  clusterName: string;
  /** when the job reads the audit logs (end + token lifetime + ingestion delay); null while no end is known */
  readAt: string | null;
}

const COUNT = new Intl.NumberFormat("en-GB");
const plural = (count: number, one: string, many = `${one}s`) => `${COUNT.format(count)} ${count === 1 ? one : many}`;
const link = "font-medium text-brand-700 underline";

/**
 * The Activity section: what the holder did with the access, from the cluster's audit logs and the
 * node sign-ins, as the latest summary says; or when it will be read; or why it could not be, and
 * what to do about that. `actions` is the "Check activity now" form, for those who may run it.
 */
export function ActivitySection({ facts, actions }: { facts: ActivityFacts; actions?: ReactNode }) {
  const { stored } = facts;
  return (
    <section aria-labelledby="activity" data-testid="activity">
      <h2 id="activity" className="mb-3 text-lg font-semibold">
        Activity
      </h2>
      <div className="space-y-4 text-sm">
        {stored ? (
          <Summary summary={stored.summary} summarisedAt={stored.summarisedAt} facts={facts} />
        ) : (
          <p className="text-slate-700" data-testid="activity-pending">
            {facts.readAt ? (
              <>
                Activity will be read from the cluster&apos;s audit logs at <LocalTime iso={facts.readAt} />, once the
                access has ended, tokens issued before then have expired and Log Analytics has the logs.
              </>
            ) : (
              "Activity will be read from the cluster's audit logs after the access ends."
            )}
          </p>
        )}
        {actions}
      </div>
    </section>
  );
}

function Summary({
  summary,
  summarisedAt,
  facts,
}: {
  summary: ActivitySummary;
  summarisedAt: Date | string;
  facts: ActivityFacts;
}) {
  const { window, kubernetes: k8s, nodeSignIns } = summary;
  return (
    <>
      <div className="rounded-lg border border-slate-200 bg-white p-4" data-testid="activity-status">
        <p>
          Summarised at <LocalTime iso={summarisedAt} />. Calls read from <LocalTime iso={window.from} /> (access start)
          → <LocalTime iso={window.accessEnd} /> (access ended) → <LocalTime iso={window.to} /> (tokens&apos; end).
        </p>
        {window.isComplete ? (
          <p className="mt-1 text-slate-700">Complete: every token issued before the end had expired.</p>
        ) : (
          <p className="mt-1 font-medium text-amber-900" data-testid="activity-provisional">
            Still open: tokens issued before the end work until <LocalTime iso={window.to} />; this summary is
            provisional.
          </p>
        )}
      </div>
      {summary.status === "unavailable" ? <Problems problems={summary.problems} /> : null}
      {k8s ? <Kubernetes k8s={k8s} facts={facts} window={window} nodeSignIns={nodeSignIns?.total ?? null} /> : null}
      {summary.status === "summarised" && summary.problems.length > 0 ? <Problems problems={summary.problems} /> : null}
      {nodeSignIns ? <NodeSignIns signIns={nodeSignIns} /> : null}
    </>
  );
}

/** Why (part of) the summary could not be read, each with what to do: never an empty summary instead. */
function Problems({ problems }: { problems: ActivitySummary["problems"] }) {
  return (
    <div className="rounded-lg border border-rose-300 bg-rose-50 p-4" data-testid="activity-problems">
      <h3 className="font-semibold text-rose-900">The activity could not be read</h3>
      <ul className="mt-2 space-y-3">
        {problems.map((problem) => (
          <li key={`${problem.code}:${problem.message}`}>
            <p className="text-rose-900">{problem.message}</p>
            <div className="mt-1">
              <CopyCommand label="To fix it:" command={problem.fix} />
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

type Kube = NonNullable<ActivitySummary["kubernetes"]>;

function Kubernetes({
  k8s,
  facts,
  window,
  nodeSignIns,
}: {
  k8s: Kube;
  facts: ActivityFacts;
  window: ActivitySummary["window"];
  /** sign-ins to the nodes, null when they were not read */
  nodeSignIns: number | null;
}) {
  const totals: Array<[string, number, string]> = [
    ["Calls", k8s.totalCalls, "total"],
    ["Denied", k8s.deniedCalls, "denied"],
    ["After access ended", k8s.afterEndCalls, "after-end"],
    ["Sensitive", k8s.sensitiveCalls, "sensitive"],
    ["Secret reads", k8s.secretReads, "secret-reads"],
  ];
  if (nodeSignIns !== null) totals.push(["Node sign-ins", nodeSignIns, "node-sign-ins"]);
  return (
    <>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6" data-testid="activity-totals">
        {totals.map(([label, value, key]) => (
          <div
            key={key}
            className={`rounded-lg border p-3 ${key === "after-end" && value > 0 ? "border-amber-500 bg-amber-50" : "border-slate-200 bg-white"}`}
          >
            <dt className="text-xs font-medium text-slate-600">{label}</dt>
            <dd className="text-lg font-semibold tabular-nums" data-testid={`activity-${key}`}>
              {COUNT.format(value)}
            </dd>
            {key === "secret-reads" && !k8s.hasReads ? (
              <dd className="text-xs text-slate-600">watches only: gets and lists are not logged</dd>
            ) : null}
          </div>
        ))}
      </dl>
      {!k8s.hasReads ? (
        <p className="text-slate-700" data-testid="activity-no-reads">
          This cluster&apos;s activity comes from {k8s.table}, which has no get or list calls: secret reads made with
          them are not visible. To see them, send the cluster&apos;s <code>kube-audit</code> logs to the workspace and
          set <code>auditLogs: {"{ table: AKSAudit }"}</code> on the cluster in the access catalog (AKSAudit is larger,
          and costs more to keep).
        </p>
      ) : null}
      {k8s.totalCalls === 0 ? (
        <p className="text-slate-700" data-testid="activity-none">
          No Kubernetes calls were recorded for {facts.holderUpn} on {facts.clusterName} between{" "}
          <LocalTime iso={window.from} /> and <LocalTime iso={window.to} />.
        </p>
      ) : (
        <>
          <div className="grid gap-4 lg:grid-cols-3">
            <Counts by="Verb" counts={k8s.byVerb} />
            <Counts by="Resource" counts={k8s.byResource} />
            <Counts by="Namespace" counts={k8s.byNamespace.map((c) => ({ ...c, key: c.key || "(cluster-wide)" }))} />
          </div>
          <Listed k8s={k8s} />
        </>
      )}
      <Provenance k8s={k8s} />
    </>
  );
}

/** One count table: calls by verb, resource or namespace, in the summary's order. */
function Counts({ by, counts }: { by: "Verb" | "Resource" | "Namespace"; counts: Kube["byVerb"] }) {
  return (
    <div>
      <h3 className="mb-1 font-semibold">By {by.toLowerCase()}</h3>
      <DataTable caption={`Calls by ${by.toLowerCase()}`} columns={[by, { name: "Calls", isNumeric: true }]}>
        {counts.map((c) => (
          <tr key={c.key} className="border-t border-slate-100">
            <td className={`${td} font-mono text-xs break-all`}>{c.key}</td>
            <td className={`${td} text-right tabular-nums`}>{COUNT.format(c.count)}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

const target = (call: KubernetesCall) => [call.namespace, call.name].filter(Boolean).join("/") || "—";
const resourceOf = (call: KubernetesCall) =>
  call.subresource ? `${call.resource}/${call.subresource}` : call.resource || call.requestUri;

/** One listed call, written in place (a `<tr>`, so that the table names its cells on a phone). */
function callRow(call: KubernetesCall, index: number) {
  return (
    <tr
      key={`${call.at}-${index}`}
      data-testid={call.isAfterEnd ? "activity-after-end-call" : "activity-call"}
      className={`border-t border-slate-100 ${call.isAfterEnd ? "border-l-4 border-l-amber-600 bg-amber-50" : ""}`}
    >
      <td className={`${td} whitespace-nowrap tabular-nums`}>
        <LocalTime iso={call.at} />
        {call.isAfterEnd ? (
          <strong className="mt-0.5 block text-xs font-semibold text-amber-900">after access ended</strong>
        ) : null}
      </td>
      <td className={`${td} font-mono text-xs`}>{call.verb}</td>
      <td className={`${td} font-mono text-xs break-all`}>{resourceOf(call)}</td>
      <td className={`${td} font-mono text-xs break-all`}>{target(call)}</td>
      <td className={`${td} tabular-nums`}>
        {call.code}
        {call.isDenied ? <span className="block text-xs font-semibold text-rose-800">denied</span> : null}
      </td>
      <td className={td}>
        <span className="flex flex-wrap gap-1">
          {call.kinds.map((kind) => (
            <span
              key={kind}
              className="rounded-full border border-slate-400 bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-800"
            >
              {kind}
            </span>
          ))}
        </span>
      </td>
    </tr>
  );
}

/** The sensitive, denied and after-end calls one by one, oldest first. */
function Listed({ k8s }: { k8s: Kube }) {
  const denied = k8s.listed.filter((c) => c.isDenied).length;
  const afterEnd = k8s.listed.filter((c) => c.isAfterEnd).length;
  if (k8s.listed.length === 0) {
    return <p className="text-slate-700">No sensitive, denied or after-end calls.</p>;
  }
  return (
    <div>
      <h3 className="mb-1 font-semibold">Sensitive, denied and after-end calls</h3>
      <p className="mb-2 text-slate-700">
        {plural(k8s.listed.length, "call")} listed, oldest first: {plural(denied, "denied call")},{" "}
        {plural(afterEnd, "call")} after access ended (marked).
        {k8s.isListTruncated ? " More such calls were made than are listed here; the counts above cover them all." : ""}
      </p>
      <DataTable
        caption="Sensitive, denied and after-end calls, oldest first"
        columns={["Time", "Verb", "Resource", "Namespace/name", "Code", "Why listed"]}
      >
        {k8s.listed.map(callRow)}
      </DataTable>
    </div>
  );
}

function NodeSignIns({ signIns }: { signIns: NonNullable<ActivitySummary["nodeSignIns"]> }) {
  return (
    <div data-testid="activity-node-sign-ins">
      <h3 className="mb-1 font-semibold">Node sign-ins</h3>
      <p className="mb-2 text-slate-700">
        {plural(signIns.total, "sign-in")} to the nodes
        {signIns.afterEnd > 0 ? `, ${plural(signIns.afterEnd, "sign-in")} after access ended` : ""}.
      </p>
      {signIns.items.length > 0 ? (
        <DataTable
          caption="Node sign-ins, oldest first"
          columns={["Time", "Application", "Resource", "IP address", "Result"]}
        >
          {signIns.items.map((s: NodeSignIn) => (
            <tr
              key={s.id}
              className={`border-t border-slate-100 ${s.isAfterEnd ? "border-l-4 border-l-amber-600 bg-amber-50" : ""}`}
            >
              <td className={`${td} whitespace-nowrap tabular-nums`}>
                <LocalTime iso={s.at} />
                {s.isAfterEnd ? (
                  <strong className="mt-0.5 block text-xs font-semibold text-amber-900">after access ended</strong>
                ) : null}
              </td>
              <td className={td}>{s.appDisplayName}</td>
              <td className={td}>{s.resourceDisplayName}</td>
              <td className={`${td} font-mono text-xs`}>{s.ipAddress}</td>
              <td className={td}>
                {s.errorCode === 0 ? "Succeeded" : `Failed (${s.errorCode}): ${s.failureReason ?? ""}`}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <details className="mt-2">
        <summary className="cursor-pointer text-brand-700">The Graph request</summary>
        <pre className="mt-1 text-xs break-all whitespace-pre-wrap">{signIns.query}</pre>
      </details>
    </div>
  );
}

/** Where the figures come from: the workspace, the queries as sent, the rows' hash, the portal. */
function Provenance({ k8s }: { k8s: Kube }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4" data-testid="activity-provenance">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 sm:grid-cols-[10rem_1fr]">
        <dt className="font-medium text-slate-600">Workspace</dt>
        <dd className="font-mono text-xs break-all">{k8s.workspaceResourceId}</dd>
        <dt className="font-medium text-slate-600">Table</dt>
        <dd>{k8s.table}</dd>
        <dt className="font-medium text-slate-600">Rows summarised</dt>
        <dd className="tabular-nums">{COUNT.format(k8s.rowsReturned)}</dd>
        <dt className="font-medium text-slate-600">Rows hash (SHA-256)</dt>
        <dd className="font-mono text-xs break-all" data-testid="activity-rows-hash">
          {k8s.rowsHash}
        </dd>
      </dl>
      <details className="mt-2">
        <summary className="cursor-pointer text-brand-700">
          The {plural(k8s.queries.length, "query", "queries")} sent
        </summary>
        <ol className="mt-1 space-y-2">
          {k8s.queries.map((q, i) => (
            <li key={i}>
              <p className="text-xs text-slate-600">Timespan {q.timespan}</p>
              <pre className="text-xs break-all whitespace-pre-wrap">{q.text}</pre>
            </li>
          ))}
        </ol>
      </details>
      <p className="mt-2">
        <a href={k8s.portalLink} target="_blank" rel="noopener noreferrer" className={link}>
          Open in Azure portal<span className="sr-only"> (opens in a new tab)</span>
        </a>
      </p>
    </div>
  );
}
