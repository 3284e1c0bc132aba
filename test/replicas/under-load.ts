/* What runs beside a disruption: the kubelet's readiness probes on every process, and people filing
 * requests that need no approval (aks-dev-weu), until told to stop. */
import { type AppProcess, readyStatus } from "./app-processes";
import { api } from "./clients";
import type { Person } from "./tenant";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Probe {
  at: number;
  /** null: nothing answered */
  status: number | null;
}

/** Probes each process's readiness every 250 ms until stopped. */
export function probeReadiness(apps: readonly AppProcess[]) {
  const timelines = new Map<AppProcess, Probe[]>(apps.map((app) => [app, []]));
  let isProbing = true;
  const probing = (async () => {
    while (isProbing) {
      await Promise.all(
        apps.map(async (app) => timelines.get(app)!.push({ at: Date.now(), status: await readyStatus(app) })),
      );
      await sleep(250);
    }
  })();
  return {
    timeline: (app: AppProcess) => timelines.get(app)!,
    /** every process's last probe since `since` said 200 */
    allReadySince: (since: number) =>
      apps.every(
        (app) =>
          timelines
            .get(app)!
            .filter((probe) => probe.at > since)
            .at(-1)?.status === 200,
      ),
    stop: async () => {
      isProbing = false;
      await probing;
      return timelines;
    },
  };
}

/** How a process's readiness went through an outage from `stoppedAt` to `startedAt`. */
export function readinessThrough(probes: readonly Probe[], outage: { stoppedAt: number; startedAt: number }) {
  const lastDown = probes.filter((probe) => probe.status !== 200).at(-1);
  const firstDown = probes.find((probe) => probe.status !== 200 && probe.at >= outage.stoppedAt - 5_000);
  const back = probes.find((probe) => probe.status === 200 && probe.at > (lastDown?.at ?? 0));
  return {
    saw503: probes.some((probe) => probe.status === 503 && probe.at >= outage.stoppedAt),
    noAnswer: probes.filter((probe) => probe.status === null).length,
    final: probes.at(-1)?.status ?? null,
    /** not ready from … to …, after the stop */
    downFromMs: firstDown ? firstDown.at - outage.stoppedAt : null,
    downToMs: lastDown ? lastDown.at - outage.stoppedAt : null,
    /** ready again this long after the server was back */
    backAfterMs: back ? back.at - outage.startedAt : null,
  };
}

/** Files a self-activating request for each person in turn, alternating web replicas, until stopped or out of people. */
export function fileSelfActivating(
  webs: readonly AppProcess[],
  people: readonly Person[],
  tokens: ReadonlyMap<string, string>,
) {
  const accepted: string[] = [];
  const refused: Array<{ status: number; at: number }> = [];
  let next = 0;
  let isFiling = true;
  const filing = (async () => {
    while (isFiling && next < people.length) {
      const i = next++;
      const answer = await api(webs[i % webs.length]!.url!, tokens.get(people[i]!.id)!, "/requests", {
        cluster: "aks-dev-weu",
        role: "admin",
        duration: "PT1H",
        justification: "replicas test: filed while the database restarts",
      });
      if (answer.status === 201) accepted.push(answer.body.id);
      else refused.push({ status: answer.status, at: Date.now() });
      await sleep(200);
    }
  })();
  return {
    stop: async () => {
      isFiling = false;
      await filing;
      return { accepted, refused };
    },
  };
}
