import type PgBoss from "pg-boss";
import { isDatabaseGone } from "@/lib/db/reconnect";

/** How long a worker keeps trying to hand a failed job back through a database restart or failover. */
const HAND_BACK_WITHIN_MS = 60_000;

type Settling = Pick<PgBoss, "fail" | "getJobById">;

/**
 * Hands a job whose handler failed back to the queue for its retry. The handler's failure is often
 * the database going away, and the `fail` sent at that moment can meet the same restart on a
 * connection that died with it: a job that is not handed back waits out JOB_TIMEOUT_SECONDS (5 min
 * by default) in `active`, and its request waits with it. So `fail` is sent again once the database
 * answers, but only while the job is still in the attempt this worker holds (the same retry count,
 * still `active`): the first `fail` may have landed before its connection died, and the retry it
 * scheduled may already be in another worker's hands.
 */
export async function handBack(
  boss: Settling,
  queue: string,
  job: Pick<PgBoss.JobWithMetadata, "id" | "retryCount">,
  message: string,
  { withinMs = HAND_BACK_WITHIN_MS, sleep = defaultSleep } = {},
): Promise<void> {
  const giveUpAt = Date.now() + withinMs;
  let delayMs = 250;
  const wait = async (error: unknown) => {
    if (!isDatabaseGone(error) || Date.now() + delayMs > giveUpAt) throw error;
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 2_000);
  };
  for (;;) {
    try {
      await boss.fail(queue, job.id, { message });
      return;
    } catch (error) {
      await wait(error);
    }
    // Did that `fail` land before its connection died? Ask once the database answers again.
    for (;;) {
      try {
        const current = await boss.getJobById(queue, job.id);
        if (!current || current.state !== "active" || current.retryCount !== job.retryCount) return;
        break;
      } catch (error) {
        await wait(error);
      }
    }
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
