import { Gauge, Registry } from "prom-client";
import type { DriftCandidate } from "@/lib/domain/drift";
import { OPEN_STATUSES, type RequestStatus } from "@/lib/domain/request-state";
import { QUEUES } from "@/lib/jobs/queues";

/** Requests still under way. Failed ones are settled until an admin retries them: their rate is in aks_jit_requests_total. */
export const OPEN_STATES: readonly RequestStatus[] = OPEN_STATUSES;
export const QUEUE_NAMES: string[] = Object.values(QUEUES);
/** Access still in place this long after its end means its removal is failing, not merely queued. */
export const OVERDUE_AFTER_SECONDS = 60;

const JOB_STATES = ["created", "retry", "active"] as const;
const DRIFT_KINDS = ["unexplained", "missing"] as const satisfies Array<DriftCandidate<object>["kind"]>;

export interface DatabaseRows {
  requestsOpen: Array<{ state: string; count: number }>;
  grantsOverdue: number;
  /** pg-boss jobs by queue and state; `oldestDueSeconds`: the wait of the oldest job whose start time has passed */
  jobs: Array<{ queue: string; state: string; count: number; oldestDueSeconds: number | null }>;
  driftOpen: Array<{ kind: string; count: number }>;
  lastVerification: { ranAt: Date; isIntact: boolean } | null;
  /** each catalog cluster's latest posture check (cluster_postures); `standing` null until the map was read */
  postures?: Array<{
    cluster: string;
    high: number;
    medium: number;
    low: number;
    standing: number | null;
    isFailing: boolean;
  }>;
}

/**
 * The deployment-wide gauges as a registry of their own, built afresh for each scrape from what the
 * database said: a pod never serves values left from an earlier read. Every value of a closed set
 * gets a series, 0 when no row came, so that an alert sees a queue drain rather than vanish.
 */
export function databaseRegistry(rows: DatabaseRows, readSeconds: number): Registry {
  const registers = [new Registry()];
  const sum = (list: Array<{ count: number }>) => list.reduce((total, row) => total + row.count, 0);

  const open = gauge("aks_jit_requests_open", "Requests under way, by state", ["state"], registers);
  for (const state of OPEN_STATES) open.set({ state }, sum(rows.requestsOpen.filter((row) => row.state === state)));

  gauge(
    "aks_jit_grants_overdue",
    `Grants still active more than ${OVERDUE_AFTER_SECONDS} s after their end: access outliving its policy (page on > 0)`,
    [],
    registers,
  ).set(rows.grantsOverdue);

  const jobs = gauge(
    "aks_jit_jobs",
    "Jobs in each pg-boss queue, by state (created includes jobs to start later)",
    ["queue", "state"],
    registers,
  );
  const oldest = gauge(
    "aks_jit_jobs_oldest_age_seconds",
    "How long the oldest job that is due (created or retry, start time passed) has waited, per queue",
    ["queue"],
    registers,
  );
  const failed = gauge(
    "aks_jit_jobs_failed",
    "Jobs that spent every retry and are still held as failed, per queue",
    ["queue"],
    registers,
  );
  for (const queue of QUEUE_NAMES) {
    const ofQueue = rows.jobs.filter((row) => row.queue === queue);
    for (const state of JOB_STATES) jobs.set({ queue, state }, sum(ofQueue.filter((row) => row.state === state)));
    const waiting = ofQueue.filter((row) => row.state === "created" || row.state === "retry");
    oldest.set({ queue }, Math.max(0, ...waiting.map((row) => row.oldestDueSeconds ?? 0)));
    failed.set({ queue }, sum(ofQueue.filter((row) => row.state === "failed")));
  }

  const drift = gauge("aks_jit_drift_findings_open", "Open drift findings, by kind", ["kind"], registers);
  for (const kind of DRIFT_KINDS) drift.set({ kind }, sum(rows.driftOpen.filter((row) => row.kind === kind)));

  const findings = gauge(
    "aks_jit_posture_findings",
    "Posture findings of each catalog cluster at its last check, by severity",
    ["cluster", "severity"],
    registers,
  );
  const standing = gauge(
    "aks_jit_posture_standing_principals",
    "People and identities that reach cluster admin or the nodes of a cluster without a JIT grant (clusters whose map was read)",
    ["cluster"],
    registers,
  );
  const failing = gauge(
    "aks_jit_posture_check_failing",
    "1 when a cluster's last posture check could not read it (its last facts are kept), else 0",
    ["cluster"],
    registers,
  );
  for (const posture of rows.postures ?? []) {
    for (const severity of ["high", "medium", "low"] as const) {
      findings.set({ cluster: posture.cluster, severity }, posture[severity]);
    }
    if (posture.standing !== null) standing.set({ cluster: posture.cluster }, posture.standing);
    failing.set({ cluster: posture.cluster }, posture.isFailing ? 1 : 0);
  }

  const verification = rows.lastVerification;
  gauge(
    "aks_jit_audit_last_verification_timestamp_seconds",
    "When the audit chain was last verified from the app (0: never)",
    [],
    registers,
  ).set(verification ? verification.ranAt.getTime() / 1000 : 0);
  gauge(
    "aks_jit_audit_last_verification_intact",
    "1 when the last verification found the audit chain intact, 0 when it found a break or none ran",
    [],
    registers,
  ).set(verification?.isIntact ? 1 : 0);

  const read = gauge("aks_jit_scrape_database_seconds", "Time this scrape spent reading the database", [], registers);
  read.set(readSeconds);
  return registers[0]!;
}

/** `aks_jit_scrape_database_up`: 1 when the database gauges beside it are fresh, 0 when the database did not answer in time. */
export function databaseUpRegistry(isUp: boolean): Registry {
  const registers = [new Registry()];
  gauge(
    "aks_jit_scrape_database_up",
    "1 when this scrape read the database gauges, 0 when the database did not answer in time",
    [],
    registers,
  ).set(isUp ? 1 : 0);
  return registers[0]!;
}

function gauge<L extends string>(name: string, help: string, labelNames: L[], registers: Registry[]) {
  return new Gauge<L>({ name, help, labelNames, registers });
}
