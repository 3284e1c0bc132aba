/**
 * pg-boss's schema and the queues' options, set once per deployment by the migration step (the
 * chart's pre-upgrade hook, `npm run db:migrate`), not by every process that starts: otherwise the
 * last pod to start decides the job timeout of everyone's jobs. App processes then start pg-boss
 * with `migrate: false`.
 */
import PgBoss from "pg-boss";
import type { MigrateEnv } from "@/lib/config/env-schema.js";
import { QUEUES, type QueueName } from "./queues";

export const BOSS_SCHEMA = "pgboss";

/**
 * Queues whose work must not overlap itself: a reconcile pass that outlasts its interval would
 * otherwise run beside the next one, and two walks of the audit chain gain nothing. pg-boss's
 * `singleton` policy keeps one job active per queue. A pass's cluster jobs are keyed by cluster
 * (`singletonKey`) on a `stately` queue: at most one waiting and one running per cluster.
 */
const SINGLETON_QUEUES: ReadonlySet<QueueName> = new Set([QUEUES.reconcile, QUEUES.verifyAudit]);

export function queueOptions(name: QueueName, settings: Omit<MigrateEnv, "DATABASE_URL">): PgBoss.Queue {
  return {
    name,
    // Retries with exponential backoff (5 s, 10 s, 20 s ... by default); an activation that fails
    // them all goes to its dead-letter queue, whose worker marks the request failed.
    retryLimit: settings.JOB_RETRY_LIMIT,
    retryDelay: settings.JOB_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    // A job still active after this long is taken for one whose process died, and retried.
    expireInSeconds: settings.JOB_TIMEOUT_SECONDS,
    policy: SINGLETON_QUEUES.has(name) ? "singleton" : name === QUEUES.reconcileCluster ? "stately" : "standard",
    ...(name === QUEUES.activate ? { deadLetter: QUEUES.activateFailed } : {}),
  };
}

/**
 * Admin's list of failed jobs is live like the rest of the dashboard (lib/db/change-feed.ts): a job
 * entering or leaving `failed` notifies `job_changes` at commit. pg-boss fails a job by deleting it
 * and inserting it again as `failed` (plans.js, failJobs), retries one by updating its state, and its
 * maintenance deletes old ones: one trigger each, whose WHEN spares every other job write the call.
 * They sit on pg-boss's table, so they are (re)created here, after pg-boss installed or upgraded
 * it; row triggers on the partitioned `job` table reach every queue's partition, present and future.
 */
const JOB_CHANGE_TRIGGERS = `
CREATE OR REPLACE FUNCTION ${BOSS_SCHEMA}.notify_job_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('job_changes', '');
  RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER job_failed_insert_notify AFTER INSERT ON ${BOSS_SCHEMA}.job
FOR EACH ROW WHEN (NEW.state = 'failed') EXECUTE FUNCTION ${BOSS_SCHEMA}.notify_job_change();
CREATE OR REPLACE TRIGGER job_failed_update_notify AFTER UPDATE OF state ON ${BOSS_SCHEMA}.job
FOR EACH ROW WHEN ((NEW.state = 'failed') IS DISTINCT FROM (OLD.state = 'failed'))
EXECUTE FUNCTION ${BOSS_SCHEMA}.notify_job_change();
CREATE OR REPLACE TRIGGER job_failed_delete_notify AFTER DELETE ON ${BOSS_SCHEMA}.job
FOR EACH ROW WHEN (OLD.state = 'failed') EXECUTE FUNCTION ${BOSS_SCHEMA}.notify_job_change();`;

/**
 * The queues whose jobs a person waits for: applying, removing and extending access. pg-boss polls
 * for work (every 0.5 s at best), so a job queued between two fetches waits for the next one; a
 * job of these queues notifies `job_queued` with its queue's name when its transaction commits, and
 * every process working that queue fetches at once (lib/jobs/start-jobs.ts; decision 020). Jobs
 * that start later (a scheduled activation) and retries wait for their time, as before.
 */
export const WOKEN_QUEUES: readonly QueueName[] = [QUEUES.activate, QUEUES.deactivate, QUEUES.extend];

const JOB_QUEUED_TRIGGER = `
CREATE OR REPLACE FUNCTION ${BOSS_SCHEMA}.notify_job_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('job_queued', NEW.name);
  RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER job_queued_notify AFTER INSERT ON ${BOSS_SCHEMA}.job
FOR EACH ROW WHEN (NEW.name IN (${WOKEN_QUEUES.map((q) => `'${q}'`).join(", ")}) AND NEW.state = 'created' AND NEW.start_after <= now())
EXECUTE FUNCTION ${BOSS_SCHEMA}.notify_job_queued();`;

/** Installs or upgrades pg-boss's schema and creates or updates every queue. */
export async function setUpJobQueues(settings: MigrateEnv) {
  const boss = new PgBoss({
    connectionString: settings.DATABASE_URL,
    schema: BOSS_SCHEMA,
    application_name: "aks-jit-migrate",
    supervise: false,
    schedule: false,
    max: 2,
  });
  await boss.start();
  try {
    // A dead-letter queue must exist before the queue that names it.
    const names = [QUEUES.activateFailed, ...Object.values(QUEUES).filter((n) => n !== QUEUES.activateFailed)];
    for (const name of names) {
      const options = queueOptions(name, settings);
      if (await boss.getQueue(name)) await boss.updateQueue(name, options);
      else await boss.createQueue(name, options);
    }
    await boss.getDb().executeSql(JOB_CHANGE_TRIGGERS, []);
    await boss.getDb().executeSql(JOB_QUEUED_TRIGGER, []);
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}
